#!/usr/bin/env python3
"""Run moto's server with fixes that make it answer as AWS does where moto 5.2.5 does not.

Each fix corrects the emulator towards the documented AWS behaviour; none changes what the
product sends. ``scripts/emulator.py`` starts this instead of the bare ``moto_server``;
arguments are moto_server's (``-H 127.0.0.1 -p 5000``).

Fixes:

* EC2 DescribeTags ``resource-type``: AWS names NAT gateways ``natgateway``, elastic IPs
  ``elastic-ip`` and flow logs ``vpc-flow-log`` (DescribeTags filter list / TagSpecification
  ResourceType); moto uses ``nat-gateway``, ``vpc-elastic-ip`` and ``flow-logs``, so a tag
  lookup filtered by type (amazon.aws ``ensure_ec2_tags``) finds nothing and re-tags on every
  run. Checked by tests/integration/test_emulator.py.
* Secrets Manager replicas: AWS encrypts a replica with the ``KmsKeyId`` given for its region
  in ``AddReplicaRegions`` and reports it in ``ReplicationStatus``; moto ignores it and reports
  ``alias/aws/secretsmanager`` for every replica, so a converge that compares replica keys
  replaces the replica on every run. Checked by tests/integration/test_emulator.py.
* RDS DescribeDBInstances on gp3 storage: AWS always reports ``Iops`` and
  ``StorageThroughput``, the baseline when none was provisioned (PostgreSQL, MySQL, MariaDB:
  3000 IOPS / 125 MiB/s below 400 GiB, 12000 IOPS / 500 MiB/s from 400 GiB; "gp3 storage" in the
  RDS User Guide); moto omits both, and amazon.aws ``rds_instance`` then fails on the next
  converge with ``KeyError: 'StorageThroughput'``. Checked by tests/integration/test_emulator.py.
* RDS DescribeDBParameters: AWS lists every parameter of a new group's family with its engine
  default, ``DataType`` and ``IsModifiable``; moto lists only the parameters set since, so
  amazon.aws ``rds_instance_param_group`` calls every parameter "not an available parameter".
  A new ``postgres*`` group here carries the PostgreSQL parameters the platform sets, as AWS
  describes them (POSTGRES_PARAMETERS). Checked by tests/integration/test_emulator.py.
* RDS DescribeDBParameterGroups with a DBParameterGroupName that does not exist: AWS answers
  DBParameterGroupNotFound (API reference, Errors); moto answers an empty list, and amazon.aws
  ``rds_instance_param_group`` then fails with "list index out of range" instead of creating
  the group. Checked by tests/integration/test_emulator.py.
* ECS CreateService / UpdateService / DescribeServices: AWS keeps and reports a service's
  ``capacityProviderStrategy`` (and then no ``launchType``), ``healthCheckGracePeriodSeconds``
  and ``enableExecuteCommand`` (false unless set); moto drops the first two, reports
  ``launchType: EC2`` for a service created with a capacity provider strategy, and omits
  ``enableExecuteCommand``, so community.aws ``ecs_service`` sees a different service on every
  run and refuses to "change it from launch_type to capacity_provider_strategy". Checked by
  tests/integration/test_emulator.py.
* ECS services run their desired count: with no container runtime, moto starts no task and
  reports ``runningCount`` 0 (or the fixed ``MOTO_ECS_SERVICE_RUNNING``) for every new service;
  on AWS a healthy service runs ``desiredCount`` tasks once it is steady, which is what the
  failover runbook's verification reads. A new service here is reported steady: ``runningCount``
  = ``desiredCount``, ``pendingCount`` 0 (moto already does so after an UpdateService of the
  count). Checked by tests/integration/test_emulator.py.
* ELBv2 DescribeLoadBalancerAttributes of an Application Load Balancer: AWS lists every
  attribute with its default (ELB User Guide, "Load balancer attributes": access logs off, idle
  timeout 60 s, HTTP/2 on, desync mitigation defensive, invalid header fields kept, cross-zone on,
  ...); moto lists five and leaves out ``access_logs.s3.enabled`` and
  ``idle_timeout.timeout_seconds`` on purpose (for Terraform), so amazon.aws
  ``elb_application_lb`` fails with ``KeyError: 'access_logs_s3_enabled'`` on every run. A new
  ALB here starts with AWS's defaults (ALB_DEFAULT_ATTRIBUTES). Checked by
  tests/integration/test_ecs_alb.py.

* CodeBuild UpdateProject: AWS updates a project in place (CodeBuild API reference); moto 5.2.5
  has no UpdateProject, so community.aws ``codebuild_project`` fails on its second run.
  CreateProject also keeps the ``encryptionKey`` it is given (moto reports ``alias/aws/s3``
  whatever was sent), and a project reports its ``lastModified`` time under that name (moto:
  ``lastModifiedDate``, which is not a Project member). A ``CODEPIPELINE`` (or ``NO_SOURCE``)
  source and a ``CODEPIPELINE`` artifact take no location (AWS: "If sourceType is CODEPIPELINE,
  don't specify this property"); moto demands one. Checked by
  tests/integration/test_emulator.py.
* CodeDeploy deployments: AWS moves a deployment from ``Created`` through ``InProgress`` to
  ``Succeeded`` (setting ``startTime``, ``completeTime`` and the ``deploymentOverview`` counts)
  and reports it in its deployment group's ``lastAttemptedDeployment`` /
  ``lastSuccessfulDeployment`` (``LastDeploymentInfo``); moto keeps every deployment
  ``Created`` forever and reports both as ``{}``, so nothing that follows a deployment can
  finish. Here a deployment advances one step each time GetDeployment or BatchGetDeployments
  reads it (``Created`` -> ``InProgress`` -> ``Succeeded``; ListDeployments does not advance
  it), and GetDeploymentGroup reports both as AWS does, and the group's
  ``alarmConfiguration`` as it was created (moto always reports ``{}``). A CreateDeployment with a
  ``deploymentConfigName`` that does not exist is refused with
  ``DeploymentConfigDoesNotExistException``, as AWS does. Checked by
  tests/integration/test_emulator.py.
* CodeDeploy StopDeployment (missing in moto): AWS stops a deployment that has not completed
  (status ``Stopped``, ``completeTime`` set) and answers ``{status: Pending, statusMessage}``;
  with ``autoRollbackEnabled`` it starts a rollback deployment (``creator``
  ``codeDeployRollback``) of the group's last successful revision and reports it in the
  stopped deployment's ``rollbackInfo`` (``rollbackDeploymentId``, ``rollbackMessage``; the
  rollback deployment's ``rollbackInfo`` names the ``rollbackTriggeringDeploymentId``). Without
  a successful deployment to return to, ``rollbackInfo`` says so and no rollback starts. A
  completed deployment is refused with ``DeploymentAlreadyCompletedException``, an unknown id
  with ``DeploymentDoesNotExistException``. Checked by tests/integration/test_emulator.py.
* CodeDeploy GetDeploymentConfig / ListDeploymentConfigs (missing in moto): AWS answers with
  its predefined configurations (CODEDEPLOY_DEFAULT_CONFIGS: the EC2/on-premises, Lambda and
  ECS ``CodeDeployDefault.*`` ones, as "Deployment configurations" in the CodeDeploy User Guide
  lists them) and ``DeploymentConfigDoesNotExistException`` for any other name. Checked by
  tests/integration/test_emulator.py.

* AWS Backup and Route 53 (vault lookups, UpdateBackupPlan, backup selections, ...):
  scripts/emulator_backup_route53.py, applied by ``apply_fixes()``; each fix is documented there
  and checked by tests/integration/test_emulator_backup_route53.py.

Configuration (not fixes):

* IAM with AWS's managed policies: AWS accounts have them (e.g.
  ``arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole``); moto loads them only
  when ``iam.load_aws_managed_policies`` is on, and otherwise refuses to attach them.
* Lambda without Docker. There is no Docker engine here, and moto runs an invoked function in
  a container; with ``lambda.use_docker = false`` moto keeps functions as they are created and
  answers every ``Invoke`` with success without running the code. So ``RotateSecret`` (which
  invokes the rotation function) succeeds without rotating anything; the rotation function
  itself is tested against a real PostgreSQL in tests/integration/test_rotation_postgres.py.
* A faster reset (``POST /moto-api/reset``, which the tests call before each test). moto 5.2.5
  first rebuilds every backend it has created (for every account and region used: IAM loads its
  1,582 AWS managed policies again, EC2 its default VPCs and images) and then drops them all; here
  it only drops them (running the clean-up of those with a reset of their own, S3's), and each is
  built again when the next request needs it. Either way every resource is gone, and a bucket
  name is free again. Checked by tests/integration/test_emulator.py.
"""

import sys
import uuid

from moto.codebuild import responses as codebuild_responses
from moto.codebuild.exceptions import ResourceNotFoundException as CodeBuildNotFound
from moto.codedeploy import exceptions as codedeploy_exceptions
from moto.codedeploy import models as codedeploy_models
from moto.codedeploy import responses as codedeploy_responses
from moto.core import base_backend
from moto.core.models import default_user_config
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ec2 import utils as ec2_utils
from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.elbv2 import models as elbv2_models
from moto.rds import models as rds_models
from moto.rds.exceptions import DBParameterGroupNotFoundError
from moto.secretsmanager import models as secretsmanager_models
from moto.server import main

import emulator_backup_route53
import emulator_s3
from emulator_rds_dr import apply as apply_rds_dr_emulation

AWS_TAG_RESOURCE_TYPES = {"nat": "natgateway", "eipalloc": "elastic-ip", "fl": "vpc-flow-log"}
# gp3 baseline (IOPS, MiB/s) below and from 400 GiB, for the engines that share it.
GP3_BASELINE_ENGINES = ("postgres", "mysql", "mariadb")
GP3_BASELINE_SMALL, GP3_BASELINE_LARGE, GP3_BASELINE_THRESHOLD_GIB = (3000, 125), (12000, 500), 400


# Parameters of a new postgres* parameter group, as DescribeDBParameters shows their defaults.
POSTGRES_PARAMETERS = {
    "rds.force_ssl": {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "Description": "Force SSL connections.",
                      "Source": "engine-default", "ApplyType": "dynamic", "DataType": "boolean",
                      "AllowedValues": "0,1", "IsModifiable": True, "ApplyMethod": "pending-reboot"},
}

# The attributes DescribeLoadBalancerAttributes reports for a new Application Load Balancer.
ALB_DEFAULT_ATTRIBUTES = {
    "access_logs.s3.enabled": "false", "access_logs.s3.bucket": "", "access_logs.s3.prefix": "",
    "connection_logs.s3.enabled": "false", "connection_logs.s3.bucket": "", "connection_logs.s3.prefix": "",
    "client_keep_alive.seconds": "3600", "deletion_protection.enabled": "false",
    "idle_timeout.timeout_seconds": "60", "load_balancing.cross_zone.enabled": "true",
    "routing.http.desync_mitigation_mode": "defensive", "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.preserve_host_header.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "routing.http.xff_client_port.enabled": "false", "routing.http.xff_header_processing.mode": "append",
    "routing.http2.enabled": "true", "waf.fail_open.enabled": "false", "zonal_shift.config.enabled": "false",
}


def _with_alb_defaults(init):
    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if self.type == "application":
            self.attrs = {**ALB_DEFAULT_ATTRIBUTES, **self.attrs, "load_balancing.cross_zone.enabled": "true"}
    return __init__


def _steady_service(init):
    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.running_count = self.desired_count
        self.pending_count = 0

    return __init__


def _keeps_cluster_task_counts(update_service):
    """moto's UpdateService takes a service's tasks off its cluster's runningTasksCount and puts
    them back only when the call sets a desired count: an update of the task definition alone
    (what a deployment does) left the cluster short, and negative once the service was deleted
    (DeleteService takes them off again). AWS's count is the tasks that run; an update that does
    not change the desired count leaves it as it was."""

    def wrapper(self, service_properties):
        cluster_name = service_properties.get("cluster", "default")
        service = self._get_service(cluster_name, service_properties["service"].split("/")[-1])
        running, pending = service.running_count, service.pending_count
        result = update_service(self, service_properties)
        if service_properties.get("desired_count") is None:
            cluster = self._get_cluster(cluster_name)
            self.update_cluster_resources(cluster, running, task_state="RUNNING")
            self.update_cluster_resources(cluster, pending, task_state="PENDING")
        return result

    return wrapper


def _with_engine_defaults(init):
    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if str(self.family or "").startswith("postgres"):
            for name, parameter in POSTGRES_PARAMETERS.items():
                self.parameters[name].update(parameter)
    return __init__


def _not_found_when_named(describe):
    def describe_db_parameter_groups(self, kwargs):
        groups = describe(self, kwargs)
        name = kwargs.get("db_parameter_group_name")
        if name and not groups:
            raise DBParameterGroupNotFoundError(name)
        return groups
    return describe_db_parameter_groups


def _gp3_baseline(instance):
    """(IOPS, throughput) AWS reports for a gp3 instance without provisioned values, or None."""
    if getattr(instance, "storage_type", None) != "gp3" or getattr(instance, "engine", None) not in GP3_BASELINE_ENGINES:
        return None
    large = int(getattr(instance, "allocated_storage", 0) or 0) >= GP3_BASELINE_THRESHOLD_GIB
    return GP3_BASELINE_LARGE if large else GP3_BASELINE_SMALL


def _reported(index, stored_attr):
    def getter(self):
        value = self.__dict__.get(stored_attr)
        baseline = _gp3_baseline(self)
        return baseline[index] if value is None and baseline else value
    return getter


def _storing(stored_attr):
    def setter(self, value):
        self.__dict__[stored_attr] = value
    return setter


def _create_replicas_with_their_keys(original):
    def create_replicas(self, replica_regions, force_overwrite):
        replicas = original(self, replica_regions, force_overwrite)
        for replica, config in zip(replicas, replica_regions or []):
            if config.get("KmsKeyId"):
                replica.config["KmsKeyId"] = config["KmsKeyId"]
        return replicas

    return create_replicas


# Service request members AWS keeps and reports as given (attribute -> request member).
ECS_SERVICE_MEMBERS = {
    "capacity_provider_strategy": "capacityProviderStrategy",
    "health_check_grace_period_seconds": "healthCheckGracePeriodSeconds",
    "enable_execute_command": "enableExecuteCommand",
}


def _service_as_aws(action):
    """Wrap ECSResponse.create_service / update_service: keep the members moto drops."""

    def handler(self):
        result = action(self)
        service = result.result["service"]
        for attr, member in ECS_SERVICE_MEMBERS.items():
            value = self._get_param(member)
            if value is not None:
                setattr(service, attr, value)
            elif not hasattr(service, attr) and attr == "enable_execute_command":
                service.enable_execute_command = False
        if getattr(service, "capacity_provider_strategy", None) and action.__name__ == "create_service":
            service.launch_type = None
        return result

    handler.__name__ = action.__name__
    return handler


# UpdateProject's request members that replace a project's setting (CodeBuild API reference).
CODEBUILD_PROJECT_MEMBERS = (
    "description", "source", "artifacts", "environment", "serviceRole", "cache", "timeoutInMinutes",
    "queuedTimeoutInMinutes", "sourceVersion", "logsConfig", "vpcConfig", "encryptionKey", "tags",
)


def _codebuild_update_project(self):
    """CodeBuildResponse.update_project: set what the request names, keep the rest."""
    name = self._get_param("name")
    projects = self.codebuild_backend.codebuild_projects
    if name not in projects:
        raise CodeBuildNotFound(f"Project cannot be found: {name}")
    metadata = projects[name].project_metadata
    for member in CODEBUILD_PROJECT_MEMBERS:
        value = self._get_param(member)
        if value is not None:
            metadata[member] = value
    metadata["lastModified"] = utcnow()
    return ActionResult({"project": metadata})


def _codebuild_location_optional(validate):
    """Wrap moto's source / artifacts validation: no location for a CodePipeline project."""

    def check(settings):
        if settings.get("type") in ("CODEPIPELINE", "NO_SOURCE") and not settings.get("location"):
            return None
        return validate(settings)

    return check


def _codebuild_keeps_key(create_project):
    """Wrap CodeBuildResponse.create_project: keep the encryptionKey of the request, and name the
    modification time ``lastModified`` as the API does (moto: ``lastModifiedDate``)."""

    def handler(self):
        result = create_project(self)
        project = result.result["project"]
        key = self._get_param("encryptionKey")
        if key:
            project["encryptionKey"] = key
        project["lastModified"] = project.pop("lastModifiedDate", None) or utcnow()
        return result

    handler.__name__ = create_project.__name__
    return handler
# CodeDeploy's predefined deployment configurations: name -> (compute platform, minimum healthy
# hosts or None, traffic routing config or None), as the CodeDeploy User Guide lists them.
def _canary(percentage, minutes):
    return {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": percentage, "canaryInterval": minutes}}


def _linear(percentage, minutes):
    return {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": percentage, "linearInterval": minutes}}


_ALL_AT_ONCE_TRAFFIC = {"type": "AllAtOnce"}
CODEDEPLOY_DEFAULT_CONFIGS = {
    "CodeDeployDefault.AllAtOnce": ("Server", {"type": "HOST_COUNT", "value": 0}, None),
    "CodeDeployDefault.HalfAtATime": ("Server", {"type": "FLEET_PERCENT", "value": 50}, None),
    "CodeDeployDefault.OneAtATime": ("Server", {"type": "HOST_COUNT", "value": 1}, None),
    "CodeDeployDefault.LambdaAllAtOnce": ("Lambda", None, _ALL_AT_ONCE_TRAFFIC),
    "CodeDeployDefault.LambdaCanary10Percent5Minutes": ("Lambda", None, _canary(10, 5)),
    "CodeDeployDefault.LambdaCanary10Percent10Minutes": ("Lambda", None, _canary(10, 10)),
    "CodeDeployDefault.LambdaCanary10Percent15Minutes": ("Lambda", None, _canary(10, 15)),
    "CodeDeployDefault.LambdaCanary10Percent30Minutes": ("Lambda", None, _canary(10, 30)),
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute": ("Lambda", None, _linear(10, 1)),
    "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes": ("Lambda", None, _linear(10, 2)),
    "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes": ("Lambda", None, _linear(10, 3)),
    "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes": ("Lambda", None, _linear(10, 10)),
    "CodeDeployDefault.ECSAllAtOnce": ("ECS", None, _ALL_AT_ONCE_TRAFFIC),
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": ("ECS", None, _linear(10, 1)),
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes": ("ECS", None, _linear(10, 3)),
    "CodeDeployDefault.ECSCanary10Percent5Minutes": ("ECS", None, _canary(10, 5)),
    "CodeDeployDefault.ECSCanary10Percent15Minutes": ("ECS", None, _canary(10, 15)),
}
# A fixed date for the predefined configurations' createTime (they predate every account).
CODEDEPLOY_DEFAULT_CONFIG_TIME = 1420070400
# The statuses of a deployment that has not completed, and the step each read advances it by.
CODEDEPLOY_NEXT_STATUS = {"Created": "InProgress", "Queued": "InProgress", "InProgress": "Succeeded"}
CODEDEPLOY_DONE = ("Succeeded", "Failed", "Stopped")


class DeploymentConfigDoesNotExistException(codedeploy_exceptions.CodeDeployException):
    code = 400

    def __init__(self, name):
        super().__init__("DeploymentConfigDoesNotExistException",
                         f"The deployment configuration {name} does not exist with the user or AWS account.")


class DeploymentAlreadyCompletedException(codedeploy_exceptions.CodeDeployException):
    code = 400

    def __init__(self, deployment_id):
        super().__init__("DeploymentAlreadyCompletedException", f"The deployment {deployment_id} is already completed.")


def _deployment_config_info(name):
    platform, minimum_healthy_hosts, traffic = CODEDEPLOY_DEFAULT_CONFIGS[name]
    info = {"deploymentConfigId": str(uuid.uuid5(uuid.NAMESPACE_URL, name)), "deploymentConfigName": name,
            "createTime": CODEDEPLOY_DEFAULT_CONFIG_TIME, "computePlatform": platform}
    if minimum_healthy_hosts:
        info["minimumHealthyHosts"] = minimum_healthy_hosts
    if traffic:
        info["trafficRoutingConfig"] = traffic
    return info


def _advance_deployment(deployment):
    """One step of a deployment towards Succeeded, as AWS would have moved it meanwhile."""
    status = CODEDEPLOY_NEXT_STATUS.get(deployment.status)
    if status is None:
        return
    deployment.status = status
    overview = deployment.deployment_overview
    overview.update({"Pending": 0, "InProgress": 0, "Succeeded": 0})
    if status == "InProgress":
        deployment.start_time = utcnow()
        overview["InProgress"] = 1
    else:
        deployment.complete_time = utcnow()
        overview["Succeeded"] = 1


def _new_deployment_with_overview(init):
    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.deployment_overview["Pending"] = 1  # the ECS service (or the one target) to deploy to
        self.rollback_info = {}
    return __init__


def _advancing(read):
    """Wrap CodeDeployBackend.get_deployment / batch_get_deployments: advance what is read."""

    def reader(self, *args, **kwargs):
        found = read(self, *args, **kwargs)
        for deployment in found if isinstance(found, list) else [found]:
            _advance_deployment(deployment)
        return found

    reader.__name__ = read.__name__
    return reader


def _with_rollback_info(to_info):
    def deployment_info(deployment):
        info = to_info(deployment)
        info["rollbackInfo"] = dict(getattr(deployment, "rollback_info", {}) or {})
        if not info["errorInformation"]:
            info.pop("errorInformation")
        return info
    return deployment_info


def _checking_config(create):
    def create_deployment(self, *args, **kwargs):
        name = kwargs.get("deployment_config_name")
        if name and name not in CODEDEPLOY_DEFAULT_CONFIGS:
            raise DeploymentConfigDoesNotExistException(name)
        return create(self, *args, **kwargs)
    return create_deployment


def _last_deployment_info(deployment):
    info = {"deploymentId": deployment.deployment_id, "status": deployment.status,
            "createTime": deployment.create_time}
    if deployment.complete_time:
        info["endTime"] = deployment.complete_time
    return info


def _group_with_last_deployments(get_group):
    def get_deployment_group(self):
        result = get_group(self)
        info = result.result["deploymentGroupInfo"]
        group = [d for d in self.codedeploy_backend.deployments.values()
                 if d.application_name == info["applicationName"]
                 and d.deployment_group_name == info["deploymentGroupName"]]
        succeeded = [d for d in group if d.status == "Succeeded"]
        info.pop("lastAttemptedDeployment", None)
        info.pop("lastSuccessfulDeployment", None)
        if group:
            info["lastAttemptedDeployment"] = _last_deployment_info(max(group, key=lambda d: d.create_time))
        if succeeded:
            info["lastSuccessfulDeployment"] = _last_deployment_info(max(succeeded, key=lambda d: d.complete_time))
        stored = self.codedeploy_backend.deployment_groups[info["applicationName"]][info["deploymentGroupName"]]
        if stored.alarm_configuration:
            info["alarmConfiguration"] = stored.alarm_configuration
        return result
    return get_deployment_group


def _stop_deployment(self):
    """StopDeployment, as AWS answers it (see the module docstring)."""
    backend = self.codedeploy_backend
    deployment_id = self._get_param("deploymentId")
    deployment = backend.deployments.get(deployment_id)
    if deployment is None:
        raise codedeploy_exceptions.DeploymentDoesNotExistException(
            f"The deployment {deployment_id} does not exist with the user or AWS account.")
    if deployment.status in CODEDEPLOY_DONE:
        raise DeploymentAlreadyCompletedException(deployment_id)
    deployment.status = "Stopped"
    deployment.complete_time = utcnow()
    if self._get_param("autoRollbackEnabled"):
        previous = [d for d in backend.deployments.values()
                    if d.deployment_group is deployment.deployment_group and d.status == "Succeeded"]
        if previous:
            last = max(previous, key=lambda d: d.complete_time)
            rollback_id = backend.create_deployment(
                application_name=deployment.application_name, deployment_group_name=deployment.deployment_group_name,
                revision=last.revision, deployment_config_name=str(deployment.deployment_config_name),
                description=f"Rollback of {deployment_id}")
            rollback = backend.deployments[rollback_id]
            rollback.creator = "codeDeployRollback"
            rollback.rollback_info = {"rollbackTriggeringDeploymentId": deployment_id}
            deployment.rollback_info = {
                "rollbackDeploymentId": rollback_id,
                "rollbackMessage": f"Deployment {deployment_id} was stopped; rolling back to the last "
                                   f"successful deployment {last.deployment_id} in deployment {rollback_id}.",
            }
        else:
            deployment.rollback_info = {
                "rollbackMessage": "Automatic rollback was skipped: the deployment group has no previous "
                                   "successful deployment to roll back to."}
    return ActionResult({"status": "Pending", "statusMessage": f"Stopping deployment {deployment_id}."})


def _get_deployment_config(self):
    name = self._get_param("deploymentConfigName")
    if name not in CODEDEPLOY_DEFAULT_CONFIGS:
        raise DeploymentConfigDoesNotExistException(name)
    return ActionResult({"deploymentConfigInfo": _deployment_config_info(name)})


def _list_deployment_configs(self):
    return ActionResult({"deploymentConfigsList": sorted(CODEDEPLOY_DEFAULT_CONFIGS)})


def _apply_codedeploy_fixes():
    backend, response = codedeploy_models.CodeDeployBackend, codedeploy_responses.CodeDeployResponse
    codedeploy_models.DeploymentInfo.__init__ = _new_deployment_with_overview(codedeploy_models.DeploymentInfo.__init__)
    backend.get_deployment = _advancing(backend.get_deployment)
    backend.batch_get_deployments = _advancing(backend.batch_get_deployments)
    backend.create_deployment = _checking_config(backend.create_deployment)
    codedeploy_responses._deployment_info = _with_rollback_info(codedeploy_responses._deployment_info)
    response.get_deployment_group = _group_with_last_deployments(response.get_deployment_group)
    response.stop_deployment = _stop_deployment
    response.get_deployment_config = _get_deployment_config
    response.list_deployment_configs = _list_deployment_configs


def _reset_by_dropping(cls):
    """BackendDict.reset without rebuilding each backend before it is dropped (see the docstring).

    A backend with a reset of its own still runs it: it cleans up what lives outside the backend
    (S3: the account-wide register of bucket names, and the temporary files of object values)."""
    with base_backend.backend_lock:
        for backend in cls._instances:  # pylint: disable=protected-access
            for account_backends in backend.values():
                for region_backend in account_backends.values():
                    if type(region_backend).reset is not base_backend.BaseBackend.reset:
                        region_backend.reset()
            backend.clear()
        cls._instances.clear()  # pylint: disable=protected-access


def apply_fixes():
    """Patch moto in this process; see the module docstring."""
    ec2_utils.EC2_PREFIX_TO_RESOURCE.update(AWS_TAG_RESOURCE_TYPES)
    fake_secret = secretsmanager_models.FakeSecret
    fake_secret.create_replicas = _create_replicas_with_their_keys(fake_secret.create_replicas)
    for name in ("create_service", "update_service"):
        setattr(ecs_responses.EC2ContainerServiceResponse, name,
                _service_as_aws(getattr(ecs_responses.EC2ContainerServiceResponse, name)))
    codebuild_response = codebuild_responses.CodeBuildResponse
    codebuild_response.update_project = _codebuild_update_project
    for name in ("_validate_required_params_source", "_validate_required_params_artifacts"):
        setattr(codebuild_responses, name, _codebuild_location_optional(getattr(codebuild_responses, name)))
    codebuild_response.create_project = _codebuild_keeps_key(codebuild_response.create_project)
    _apply_codedeploy_fixes()
    emulator_backup_route53.apply()
    emulator_s3.apply()
    default_user_config.setdefault("iam", {})["load_aws_managed_policies"] = True
    default_user_config.setdefault("lambda", {})["use_docker"] = False
    rds_models.RDSBackend.describe_db_parameter_groups = _not_found_when_named(
        rds_models.RDSBackend.describe_db_parameter_groups
    )
    elbv2_models.FakeLoadBalancer.__init__ = _with_alb_defaults(elbv2_models.FakeLoadBalancer.__init__)
    rds_models.DBParameterGroup.__init__ = _with_engine_defaults(rds_models.DBParameterGroup.__init__)
    rds_models.DBInstance.iops = property(_reported(0, "_reported_iops"), _storing("_reported_iops"))
    rds_models.DBInstance.storage_throughput = property(
        _reported(1, "_storage_throughput"), rds_models.DBInstance.storage_throughput.fset
    )
    ecs_models.Service.__init__ = _steady_service(ecs_models.Service.__init__)
    ecs_models.EC2ContainerServiceBackend.update_service = _keeps_cluster_task_counts(
        ecs_models.EC2ContainerServiceBackend.update_service
    )
    apply_rds_dr_emulation()
    base_backend.BackendDict.reset = classmethod(_reset_by_dropping)


if __name__ == "__main__":
    apply_fixes()
    sys.exit(main(sys.argv[1:]))
