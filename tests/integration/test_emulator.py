"""The emulator script: start, health, reset, stop by pid file only; and its AWS-fidelity fixes."""

import os
import subprocess
import sys
import time

import pytest

from conftest import REPO_ROOT, _free_port, emulator


def test_start_reuse_reset_and_stop(tmp_path):
    port = _free_port()
    pid = emulator.start(port, tmp_path)
    try:
        assert emulator.is_healthy(port)
        assert (tmp_path / f"moto-{port}.pid").read_text().strip() == str(pid)
        assert emulator.start(port, tmp_path) == pid  # a running server is reused
        import boto3

        ec2 = boto3.client("ec2", region_name="eu-central-1", endpoint_url=emulator.endpoint_url(port),
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        ec2.create_vpc(CidrBlock="10.9.0.0/16")
        assert any(v["CidrBlock"] == "10.9.0.0/16" for v in ec2.describe_vpcs()["Vpcs"])
        emulator.reset(port)
        assert not any(v["CidrBlock"] == "10.9.0.0/16" for v in ec2.describe_vpcs()["Vpcs"])
    finally:
        assert emulator.stop(port, tmp_path) is True
    assert not emulator.is_healthy(port)
    assert not (tmp_path / f"moto-{port}.pid").exists()


def test_stop_never_kills_a_process_that_is_not_our_server(tmp_path):
    port = _free_port()
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / f"moto-{port}.pid").write_text(f"{bystander.pid}\n")
        assert emulator.stop(port, tmp_path) is False
        time.sleep(0.2)
        assert bystander.poll() is None  # still alive
        assert not (tmp_path / f"moto-{port}.pid").exists()  # stale pid file removed
    finally:
        bystander.kill()


def test_cli_status_reports_down_with_exit_1(tmp_path):
    port = _free_port()
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "emulator.py"), "status", "--port", str(port),
                           "--state-dir", str(tmp_path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert f"down on http://127.0.0.1:{port}" in proc.stdout


@pytest.mark.parametrize(
    "create, resource_type",
    [
        ("nat", "natgateway"),
        ("eip", "elastic-ip"),
    ],
)
def test_describe_tags_names_resource_types_as_aws_does(aws, create, resource_type):
    """AWS's DescribeTags resource-type filter uses natgateway / elastic-ip; moto 5.2.5 does not."""
    ec2 = aws.client("ec2")
    if create == "nat":
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
        resource_id = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=alloc)["NatGateway"]["NatGatewayId"]
    else:
        resource_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.create_tags(Resources=[resource_id], Tags=[{"Key": "Name", "Value": "x"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]},
                                      {"Name": "resource-type", "Values": [resource_type]}])["Tags"]
    assert [(t["Key"], t["ResourceType"]) for t in tags] == [("Name", resource_type)]


def test_secret_replicas_report_their_kms_key_as_aws_does(aws):
    """AWS reports the KmsKeyId a replica was created with; moto 5.2.5 reports the default key."""
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="x", SecretString="v", AddReplicaRegions=[{"Region": "eu-west-1", "KmsKeyId": "alias/dr"}])
    sm.create_secret(Name="y", SecretString="v", AddReplicaRegions=[{"Region": "eu-west-1"}])
    sm.replicate_secret_to_regions(SecretId="y", AddReplicaRegions=[{"Region": "us-east-1", "KmsKeyId": "alias/us"}])
    assert [(r["Region"], r["KmsKeyId"]) for r in sm.describe_secret(SecretId="x")["ReplicationStatus"]] == [
        ("eu-west-1", "alias/dr")]
    assert [(r["Region"], r["KmsKeyId"]) for r in sm.describe_secret(SecretId="y")["ReplicationStatus"]] == [
        ("eu-west-1", "alias/aws/secretsmanager"), ("us-east-1", "alias/us")]


@pytest.mark.parametrize(
    "storage, provisioned, reported",
    [
        (100, None, (3000, 125)),
        (500, None, (12000, 500)),
        (1000, 16000, (16000, 500)),
    ],
)
def test_gp3_instance_reports_iops_and_throughput_as_aws_does(aws, storage, provisioned, reported):
    """AWS reports gp3 Iops and StorageThroughput (the baseline when none was set); moto 5.2.5 omits both."""
    rds = aws.client("rds")
    extra = {"Iops": provisioned} if provisioned else {}
    rds.create_db_instance(DBInstanceIdentifier="gp3-db", Engine="postgres", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=storage, StorageType="gp3", MasterUsername="admin",
                           MasterUserPassword="not-a-secret-1", **extra)
    instance = rds.describe_db_instances(DBInstanceIdentifier="gp3-db")["DBInstances"][0]
    assert (instance["Iops"], instance["StorageThroughput"]) == reported


def test_new_postgres_parameter_group_lists_its_engine_defaults_as_aws_does(aws):
    """AWS lists a new group's parameters with their defaults; moto 5.2.5 lists none until set."""
    rds = aws.client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="pg15", DBParameterGroupFamily="postgres15", Description="x")
    params = {p["ParameterName"]: p for p in rds.describe_db_parameters(DBParameterGroupName="pg15")["Parameters"]}
    assert params["rds.force_ssl"]["ParameterValue"] == "0"
    assert params["rds.force_ssl"]["DataType"] == "boolean" and params["rds.force_ssl"]["IsModifiable"] is True
    rds.modify_db_parameter_group(DBParameterGroupName="pg15", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}])
    params = {p["ParameterName"]: p for p in rds.describe_db_parameters(DBParameterGroupName="pg15")["Parameters"]}
    assert params["rds.force_ssl"]["ParameterValue"] == "1" and params["rds.force_ssl"]["DataType"] == "boolean"


def test_describing_a_missing_parameter_group_by_name_fails_as_aws_does(aws):
    """AWS answers DBParameterGroupNotFound; moto 5.2.5 answers an empty list."""
    rds = aws.client("rds")
    with pytest.raises(rds.exceptions.DBParameterGroupNotFoundFault):
        rds.describe_db_parameter_groups(DBParameterGroupName="no-such-group")
    assert rds.describe_db_parameter_groups()["DBParameterGroups"] == []


def test_emulator_defaults_to_port_5000_and_repo_state_dir():
    env = {k: v for k, v in os.environ.items() if k not in ("MOTO_PORT", "EMULATOR_STATE_DIR")}
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "emulator.py"), "url"], capture_output=True,
                          text=True, env=env, check=True)
    assert proc.stdout.strip() == "http://127.0.0.1:5000"


def test_ecs_service_reports_strategy_grace_period_and_execute_command_as_aws_does(aws):
    ecs = aws.client("ecs")
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(VpcId=vpc, GroupName="g", Description="g")["GroupId"]
    ecs.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    ecs.register_task_definition(family="f", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 512}])
    strategy = [{"capacityProvider": "FARGATE", "weight": 1, "base": 2}, {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    ecs.create_service(
        cluster="c", serviceName="s", taskDefinition="f", desiredCount=2, capacityProviderStrategy=strategy,
        healthCheckGracePeriodSeconds=60, deploymentController={"type": "CODE_DEPLOY"},
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}},
    )
    service = ecs.describe_services(cluster="c", services=["s"])["services"][0]
    assert service["capacityProviderStrategy"] == strategy
    assert "launchType" not in service
    assert service["healthCheckGracePeriodSeconds"] == 60
    assert service["enableExecuteCommand"] is False
    # a new service runs its desired count, as a steady service on AWS does (moto: 0)
    assert (service["runningCount"], service["pendingCount"]) == (2, 0)

    ecs.update_service(cluster="c", service="s", desiredCount=6, healthCheckGracePeriodSeconds=90)
    service = ecs.describe_services(cluster="c", services=["s"])["services"][0]
    assert (service["desiredCount"], service["healthCheckGracePeriodSeconds"]) == (6, 90)
    assert service["capacityProviderStrategy"] == strategy


def test_ecs_cluster_counts_the_running_tasks_through_a_task_definition_update_as_aws_does(aws):
    """moto takes a service's tasks off its cluster's count on any UpdateService and puts them back
    only when the call sets a desired count (negative after DeleteService); AWS counts what runs."""
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="c")
    first = ecs.register_task_definition(family="f", containerDefinitions=[{"name": "app", "image": "nginx:1", "memory": 512}])
    second = ecs.register_task_definition(family="f", containerDefinitions=[{"name": "app", "image": "nginx:2", "memory": 512}])
    ecs.create_service(cluster="c", serviceName="s", taskDefinition=first["taskDefinition"]["taskDefinitionArn"], desiredCount=2)

    def running():
        return ecs.describe_clusters(clusters=["c"])["clusters"][0]["runningTasksCount"]

    assert running() == 2
    ecs.update_service(cluster="c", service="s", taskDefinition=second["taskDefinition"]["taskDefinitionArn"])
    assert running() == 2
    ecs.update_service(cluster="c", service="s", desiredCount=5)
    assert running() == 5
    ecs.update_service(cluster="c", service="s", desiredCount=0)
    ecs.delete_service(cluster="c", service="s")
    assert running() == 0


def test_codebuild_project_keeps_its_key_and_updates_in_place_as_aws_does(aws):
    iam = aws.client("iam")
    trust = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
    role = iam.create_role(RoleName="build", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    codebuild = aws.client("codebuild")
    key = "arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    environment = {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"}
    codebuild.create_project(name="tests", source={"type": "CODEPIPELINE"}, artifacts={"type": "CODEPIPELINE"},
                             environment=environment, serviceRole=role, encryptionKey=key, timeoutInMinutes=30)
    created = codebuild.batch_get_projects(names=["tests"])["projects"][0]
    assert created["encryptionKey"] == key and "lastModified" in created and "lastModifiedDate" not in created

    updated = codebuild.update_project(name="tests", timeoutInMinutes=45, description="d")["project"]
    assert (updated["timeoutInMinutes"], updated["description"], updated["encryptionKey"]) == (45, "d", key)
    project = codebuild.batch_get_projects(names=["tests"])["projects"][0]
    assert (project["timeoutInMinutes"], project["environment"]["image"]) == (45, "aws/codebuild/standard:7.0")
    with pytest.raises(codebuild.exceptions.ResourceNotFoundException):
        codebuild.update_project(name="missing", timeoutInMinutes=45)


def _codedeploy_ecs_group(aws):
    """A CodeDeploy ECS application ``app`` with the blue/green deployment group ``dg``."""
    codedeploy = aws.client("codedeploy")
    codedeploy.create_application(applicationName="app", computePlatform="ECS")
    codedeploy.create_deployment_group(
        applicationName="app", deploymentGroupName="dg", serviceRoleArn="arn:aws:iam::123456789012:role/cd",
        deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        ecsServices=[{"serviceName": "s", "clusterName": "c"}])
    return codedeploy


def _codedeploy_deploy(codedeploy, content):
    return codedeploy.create_deployment(applicationName="app", deploymentGroupName="dg", revision={
        "revisionType": "AppSpecContent", "appSpecContent": {"content": content}})["deploymentId"]


def test_codedeploy_deployment_advances_to_succeeded_as_aws_reports_it(aws):
    """AWS moves a deployment to Succeeded and reports it on its group; moto 5.2.5 keeps it Created."""
    codedeploy = _codedeploy_ecs_group(aws)
    deployment_id = _codedeploy_deploy(codedeploy, "version: 0.0")
    in_flight = ["Created", "Queued", "InProgress", "Baking", "Ready"]
    listed = codedeploy.list_deployments(applicationName="app", deploymentGroupName="dg", includeOnlyStatuses=in_flight)
    assert listed["deployments"] == [deployment_id]  # listing does not advance it
    group = codedeploy.get_deployment_group(applicationName="app", deploymentGroupName="dg")["deploymentGroupInfo"]
    assert group["lastAttemptedDeployment"]["deploymentId"] == deployment_id
    assert "lastSuccessfulDeployment" not in group

    first = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert first["status"] == "InProgress" and "startTime" in first and "completeTime" not in first
    assert first["deploymentOverview"]["InProgress"] == 1
    second = codedeploy.batch_get_deployments(deploymentIds=[deployment_id])["deploymentsInfo"][0]
    assert second["status"] == "Succeeded" and second["completeTime"] >= second["startTime"]
    assert (second["deploymentOverview"]["Succeeded"], second["deploymentOverview"]["InProgress"]) == (1, 0)
    assert codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == "Succeeded"

    group = codedeploy.get_deployment_group(applicationName="app", deploymentGroupName="dg")["deploymentGroupInfo"]
    assert group["lastSuccessfulDeployment"]["deploymentId"] == deployment_id
    assert group["lastSuccessfulDeployment"]["status"] == "Succeeded" and "endTime" in group["lastSuccessfulDeployment"]
    assert codedeploy.list_deployments(applicationName="app", deploymentGroupName="dg",
                                       includeOnlyStatuses=in_flight)["deployments"] == []


def test_codedeploy_stop_deployment_rolls_back_as_aws_does(aws):
    """AWS's StopDeployment stops and rolls back; moto 5.2.5 has no StopDeployment."""
    codedeploy = _codedeploy_ecs_group(aws)
    first = _codedeploy_deploy(codedeploy, "version: 0.0")
    no_rollback = codedeploy.stop_deployment(deploymentId=first, autoRollbackEnabled=True)
    assert no_rollback["status"] == "Pending" and no_rollback["statusMessage"]
    stopped = codedeploy.get_deployment(deploymentId=first)["deploymentInfo"]
    assert stopped["status"] == "Stopped" and "completeTime" in stopped
    assert "rollbackDeploymentId" not in stopped["rollbackInfo"] and stopped["rollbackInfo"]["rollbackMessage"]

    good = _codedeploy_deploy(codedeploy, "version: 0.0 # good")
    codedeploy.get_deployment(deploymentId=good)
    codedeploy.get_deployment(deploymentId=good)  # Succeeded
    bad = _codedeploy_deploy(codedeploy, "version: 0.0 # bad")
    codedeploy.stop_deployment(deploymentId=bad, autoRollbackEnabled=True)
    info = codedeploy.get_deployment(deploymentId=bad)["deploymentInfo"]
    assert info["status"] == "Stopped"
    rollback_id = info["rollbackInfo"]["rollbackDeploymentId"]
    assert good in info["rollbackInfo"]["rollbackMessage"]
    rollback = codedeploy.get_deployment(deploymentId=rollback_id)["deploymentInfo"]
    assert rollback["creator"] == "codeDeployRollback"
    assert rollback["rollbackInfo"]["rollbackTriggeringDeploymentId"] == bad
    assert rollback["revision"]["appSpecContent"]["content"] == "version: 0.0 # good"

    with pytest.raises(codedeploy.exceptions.DeploymentAlreadyCompletedException):
        codedeploy.stop_deployment(deploymentId=bad)
    with pytest.raises(codedeploy.exceptions.DeploymentDoesNotExistException):
        codedeploy.stop_deployment(deploymentId="d-NOSUCH000")


def test_codedeploy_predefined_deployment_configs_as_aws_lists_them(aws):
    """AWS answers GetDeploymentConfig / ListDeploymentConfigs with its predefined configs; moto 5.2.5 has neither."""
    codedeploy = _codedeploy_ecs_group(aws)
    names = codedeploy.list_deployment_configs()["deploymentConfigsList"]
    for suffix in ("ECSAllAtOnce", "ECSLinear10PercentEvery1Minutes", "ECSLinear10PercentEvery3Minutes",
                   "ECSCanary10Percent5Minutes", "ECSCanary10Percent15Minutes", "AllAtOnce", "HalfAtATime",
                   "OneAtATime", "LambdaAllAtOnce", "LambdaCanary10Percent5Minutes"):
        assert f"CodeDeployDefault.{suffix}" in names
    canary = codedeploy.get_deployment_config(deploymentConfigName="CodeDeployDefault.ECSCanary10Percent5Minutes")
    info = canary["deploymentConfigInfo"]
    assert info["computePlatform"] == "ECS"
    assert info["trafficRoutingConfig"] == {"type": "TimeBasedCanary",
                                            "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5}}
    half = codedeploy.get_deployment_config(deploymentConfigName="CodeDeployDefault.HalfAtATime")["deploymentConfigInfo"]
    assert half["minimumHealthyHosts"] == {"type": "FLEET_PERCENT", "value": 50}
    with pytest.raises(codedeploy.exceptions.DeploymentConfigDoesNotExistException):
        codedeploy.get_deployment_config(deploymentConfigName="CodeDeployDefault.NoSuchConfig")
    with pytest.raises(codedeploy.exceptions.DeploymentConfigDoesNotExistException):
        codedeploy.create_deployment(applicationName="app", deploymentGroupName="dg",
                                     deploymentConfigName="CodeDeployDefault.NoSuchConfig",
                                     revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": "x"}})


def test_codedeploy_deployment_group_reports_its_alarm_configuration_as_aws_does(aws):
    """AWS reports the alarms a group watches; moto 5.2.5 always reports an empty alarmConfiguration."""
    codedeploy = _codedeploy_ecs_group(aws)
    alarms = {"enabled": True, "ignorePollAlarmFailure": False, "alarms": [{"name": "api-error-rate"}]}
    codedeploy.create_deployment_group(
        applicationName="app", deploymentGroupName="watched", serviceRoleArn="arn:aws:iam::123456789012:role/cd",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        ecsServices=[{"serviceName": "s2", "clusterName": "c"}], alarmConfiguration=alarms)
    group = codedeploy.get_deployment_group(applicationName="app", deploymentGroupName="watched")["deploymentGroupInfo"]
    assert group["alarmConfiguration"] == alarms


def test_reset_empties_every_service_and_region_without_rebuilding_what_it_drops(aws, monkeypatch):
    """Through the server: what the tests made in two regions, in global IAM and in S3 is gone after
    a reset, and a bucket's name can be taken again. In this process: the reset drops each backend
    and builds none (moto's own rebuilt every backend, IAM's 1,582 AWS managed policies included,
    before dropping it), runs the clean-up of a backend with a reset of its own (S3's), and the
    next request builds a fresh backend."""
    for region in ("eu-central-1", "eu-west-1"):
        aws.client("ec2", region).create_vpc(CidrBlock="10.9.0.0/16")
        aws.client("secretsmanager", region).create_secret(Name="reset/check", SecretString="x")
    aws.client("iam").create_role(RoleName="reset-check", AssumeRolePolicyDocument="{}")
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="medtech-reset-check", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    s3.put_object(Bucket="medtech-reset-check", Key="k", Body=b"v")
    aws.reset()
    # S3 bucket names are account-wide: the name is free again (S3's own reset frees it)
    assert s3.list_buckets()["Buckets"] == []
    s3.create_bucket(Bucket="medtech-reset-check", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    for region in ("eu-central-1", "eu-west-1"):
        assert not [v for v in aws.client("ec2", region).describe_vpcs()["Vpcs"] if v["CidrBlock"] == "10.9.0.0/16"]
        assert aws.client("secretsmanager", region).list_secrets()["SecretList"] == []
    assert [r for r in aws.client("iam").list_roles()["Roles"] if r["RoleName"] == "reset-check"] == []

    import importlib.util  # pylint: disable=import-outside-toplevel

    from moto.core.base_backend import BackendDict, BaseBackend  # pylint: disable=import-outside-toplevel

    monkeypatch.syspath_prepend(str(REPO_ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("moto_server_fixes", REPO_ROOT / "scripts" / "moto_server.py")
    fixes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixes)
    built = []

    class Counted(BaseBackend):  # pylint: disable=abstract-method
        def __init__(self, region_name, account_id):
            super().__init__(region_name, account_id)
            built.append(region_name)

    backends = BackendDict(Counted, "ec2")
    monkeypatch.setattr(BackendDict, "_instances", [])
    assert backends["123456789012"]["eu-central-1"] and built == ["eu-central-1"]
    fixes._reset_by_dropping(BackendDict)  # pylint: disable=protected-access
    assert built == ["eu-central-1"] and len(backends) == 0 and BackendDict._instances == []  # pylint: disable=protected-access
    assert backends["123456789012"]["eu-central-1"] and built == ["eu-central-1", "eu-central-1"]

    class WithCleanUp(Counted):  # pylint: disable=abstract-method
        cleaned = []

        def reset(self):
            self.cleaned.append(self.region_name)
            super().reset()

    cleaned = BackendDict(WithCleanUp, "s3")
    assert cleaned["123456789012"]["eu-west-1"]
    fixes._reset_by_dropping(BackendDict)  # pylint: disable=protected-access
    assert WithCleanUp.cleaned == ["eu-west-1"] and len(cleaned) == 0
