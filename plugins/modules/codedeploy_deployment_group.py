#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: codedeploy_deployment_group
version_added: 0.1.0
short_description: Manage an AWS CodeDeploy deployment group (ECS blue/green) and its tags
description:
  - Create, converge and delete one AWS CodeDeploy deployment group, identified by
    O(application_name) and O(deployment_group_name), and manage its tags.
  - Made for Amazon ECS blue/green deployments behind an Application or Network Load Balancer
    (the ECS services, the target group pair and its listeners, the blue/green timings, automatic
    rollback and CloudWatch alarms).
  - The group is read with C(GetDeploymentGroup). C(UpdateDeploymentGroup) is called only when a
    setting the user set differs from what AWS holds, and only with those settings. Options that
    are not set are left alone; inside O(blue_green_deployment_configuration),
    O(alarm_configuration) and O(auto_rollback_configuration), suboptions that are not set keep
    their current values.
  - Lists are compared as sets (alarm names, rollback events, ECS services, target groups,
    listener ARNs), so the same values in another order are no change.
  - The application must exist (M(medtech.aws_platform.codedeploy_application)).
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  application_name:
    description: The name of the CodeDeploy application the group belongs to.
    type: str
    required: true
  deployment_group_name:
    description: The name of the deployment group, e.g. V(medtech-prod-api).
    type: str
    required: true
  service_role_arn:
    description:
      - The ARN of the IAM role CodeDeploy assumes, e.g. one with the managed policy
        C(AWSCodeDeployRoleForECS).
      - Required with O(state=present).
    type: str
  deployment_config_name:
    description:
      - The deployment configuration, e.g. V(CodeDeployDefault.ECSAllAtOnce),
        V(CodeDeployDefault.ECSCanary10Percent5Minutes) or a custom one.
      - It must suit the application's compute platform; AWS refuses another one with
        C(InvalidDeploymentConfigNameException), and an unknown one with
        C(DeploymentConfigDoesNotExistException).
    type: str
    default: CodeDeployDefault.ECSLinear10PercentEvery1Minutes
  ecs_services:
    description:
      - The ECS service the group deploys (CodeDeploy's C(ecsServices)). Required, with
        O(load_balancer_info), when a group of an ECS application is created.
    type: list
    elements: dict
    suboptions:
      cluster_name:
        description: The name of the ECS cluster.
        type: str
        required: true
      service_name:
        description: The name of the ECS service (its deployment controller must be C(CODE_DEPLOY)).
        type: str
        required: true
  load_balancer_info:
    description:
      - The target group pair and listeners CodeDeploy shifts traffic with (C(loadBalancerInfo)).
      - Replaced as a whole when it differs.
    type: dict
    suboptions:
      target_group_pair_info:
        description: The blue and green target groups and their listeners.
        type: dict
        required: true
        suboptions:
          target_groups:
            description:
              - The names (not ARNs) of exactly two target groups. Compared as a set.
            type: list
            elements: str
            required: true
          prod_traffic_route_listener_arns:
            description: The ARNs of the listener(s) that route production traffic. Compared as a set.
            type: list
            elements: str
            required: true
          test_traffic_route_listener_arns:
            description: The ARNs of the listener(s) that route test traffic (optional). Compared as a set.
            type: list
            elements: str
  blue_green_deployment_configuration:
    description: What happens to the old (blue) and new (green) task sets.
    type: dict
    suboptions:
      terminate_blue_instances_on_deployment_success:
        description: What happens to the blue task set after a successful deployment.
        type: dict
        suboptions:
          action:
            description: V(TERMINATE) it, or V(KEEP_ALIVE).
            type: str
            choices: [TERMINATE, KEEP_ALIVE]
            default: TERMINATE
          termination_wait_time_in_minutes:
            description: Minutes to wait before the blue task set is terminated, 0 to 2880.
            type: int
      deployment_ready_option:
        description: When traffic is rerouted to the green task set.
        type: dict
        suboptions:
          action_on_timeout:
            description:
              - V(CONTINUE_DEPLOYMENT) reroutes at once; V(STOP_DEPLOYMENT) waits
                O(blue_green_deployment_configuration.deployment_ready_option.wait_time_in_minutes)
                for a manual reroute, then stops the deployment.
            type: str
            choices: [CONTINUE_DEPLOYMENT, STOP_DEPLOYMENT]
          wait_time_in_minutes:
            description: Minutes to wait with V(STOP_DEPLOYMENT), 0 to 2880.
            type: int
  deployment_style:
    description:
      - The deployment type and whether traffic is routed through a load balancer.
      - When not set, a group of an ECS application is created with V(BLUE_GREEN) and
        V(WITH_TRAFFIC_CONTROL) (the only style ECS supports); an existing group keeps its style.
    type: dict
    suboptions:
      deployment_type:
        description: V(BLUE_GREEN) or V(IN_PLACE).
        type: str
        choices: [BLUE_GREEN, IN_PLACE]
        default: BLUE_GREEN
      deployment_option:
        description: V(WITH_TRAFFIC_CONTROL) or V(WITHOUT_TRAFFIC_CONTROL).
        type: str
        choices: [WITH_TRAFFIC_CONTROL, WITHOUT_TRAFFIC_CONTROL]
        default: WITH_TRAFFIC_CONTROL
  auto_rollback_configuration:
    description: Whether and when a failed deployment is rolled back automatically.
    type: dict
    suboptions:
      enabled:
        description: Whether automatic rollback is on.
        type: bool
        required: true
      events:
        description:
          - The events that roll back. Compared as a set.
          - V(DEPLOYMENT_STOP_ON_ALARM) needs O(alarm_configuration.enabled=true) with alarms, in the same task.
        type: list
        elements: str
        choices: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST]
  alarm_configuration:
    description: The CloudWatch alarms that stop a deployment.
    type: dict
    suboptions:
      enabled:
        description: Whether the alarms are watched. V(true) needs at least one alarm.
        type: bool
        required: true
      ignore_poll_alarm_failure:
        description: Whether a deployment goes on when CodeDeploy cannot read an alarm's state.
        type: bool
        default: false
      alarms:
        description: The names of the CloudWatch alarms, at most 10 (CodeDeploy's limit). Compared as a set.
        type: list
        elements: str
  state:
    description:
      - V(present) creates or converges the group; V(absent) deletes it (nothing happens when it or
        its application does not exist).
    type: str
    choices: [present, absent]
    default: present
notes:
  - "Calls: C(codedeploy:GetDeploymentGroup), C(codedeploy:GetApplication) (before a create, for the
    compute platform), C(codedeploy:CreateDeploymentGroup), C(codedeploy:UpdateDeploymentGroup),
    C(codedeploy:DeleteDeploymentGroup), C(codedeploy:ListTagsForResource),
    C(codedeploy:TagResource), C(codedeploy:UntagResource), C(sts:GetCallerIdentity) (for the ARN),
    and C(iam:PassRole) on O(service_role_arn)."
  - "Failures before any AWS call: more than 10 alarms; O(alarm_configuration.enabled=true) without
    alarms; the rollback event C(DEPLOYMENT_STOP_ON_ALARM) without enabled alarms; O(load_balancer_info)
    with other than two target groups; a wait time outside 0-2880; only one of O(ecs_services) and
    O(load_balancer_info). Before any write: a missing application (in check mode a warning); creating
    a group of an ECS application without O(ecs_services) or O(load_balancer_info). Any API error as
    C(Failed to <action> the CodeDeploy deployment group <group> of the application <application>)
    with AWS's code and message (e.g. C(InvalidDeploymentConfigNameException),
    C(InvalidRoleException), C(InvalidTargetGroupPairException), C(InvalidECSServiceException))."
seealso:
  - module: medtech.aws_platform.codedeploy_application
  - name: CodeDeploy blue/green deployments for Amazon ECS
    description: What the deployment group settings mean for ECS.
    link: https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-groups-create-ecs.html
attributes:
  check_mode:
    support: full
    description:
      - Reads the group and decides every change but writes nothing; reports the same C(changed) as
        a real run. RV(deployment_group) is the group as it would be.
  diff_mode:
    support: full
    description:
      - Returns the group's settings (those this module manages, lists sorted) and tags before and after.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Blue/green deployments of the API service
  medtech.aws_platform.codedeploy_deployment_group:
    application_name: medtech-prod-api
    deployment_group_name: medtech-prod-api
    service_role_arn: arn:aws:iam::123456789012:role/medtech-codedeploy-ecs
    deployment_config_name: CodeDeployDefault.ECSCanary10Percent5Minutes
    ecs_services:
      - cluster_name: medtech-prod-cluster
        service_name: api
    load_balancer_info:
      target_group_pair_info:
        target_groups: [medtech-prod-api-blue, medtech-prod-api-green]
        prod_traffic_route_listener_arns:
          - arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/medtech-prod/0123456789abcdef/0123456789abcdef
        test_traffic_route_listener_arns:
          - arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/medtech-prod/0123456789abcdef/fedcba9876543210
    blue_green_deployment_configuration:
      terminate_blue_instances_on_deployment_success:
        action: TERMINATE
        termination_wait_time_in_minutes: 15
      deployment_ready_option:
        action_on_timeout: CONTINUE_DEPLOYMENT
    auto_rollback_configuration:
      enabled: true
      events: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM]
    alarm_configuration:
      enabled: true
      alarms: [medtech-prod-api-5xx, medtech-prod-api-latency]
    tags:
      environment: prod
      managed-by: ansible

- name: Delete the group
  medtech.aws_platform.codedeploy_deployment_group:
    application_name: medtech-prod-api
    deployment_group_name: medtech-prod-api
    state: absent
"""

RETURN = r"""
deployment_group:
  description:
    - The group after the run, C(GetDeploymentGroup)'s C(deploymentGroupInfo) in snake_case, plus
      C(arn) and C(tags). In check mode the group as it would be (a new one without
      C(deployment_group_id)). C({}) with O(state=absent).
  returned: always
  type: dict
  contains:
    application_name:
      description: The application's name.
      returned: when the group exists
      type: str
      sample: medtech-prod-api
    deployment_group_id:
      description: The group's id.
      returned: when the group exists
      type: str
      sample: 1c2d3e4f-5a6b-7c8d-9e0f-112233445566
    deployment_group_name:
      description: The group's name.
      returned: when the group exists
      type: str
      sample: medtech-prod-api
    deployment_config_name:
      description: The deployment configuration.
      returned: when the group exists
      type: str
      sample: CodeDeployDefault.ECSLinear10PercentEvery1Minutes
    service_role_arn:
      description: The service role.
      returned: when the group exists
      type: str
      sample: arn:aws:iam::123456789012:role/medtech-codedeploy-ecs
    compute_platform:
      description: V(ECS), V(Server) or V(Lambda).
      returned: when the group exists
      type: str
      sample: ECS
    ecs_services:
      description: The ECS services.
      returned: when the group exists
      type: list
      elements: dict
      sample: [{"cluster_name": "medtech-prod-cluster", "service_name": "api"}]
    load_balancer_info:
      description: C(target_group_pair_info_list) with C(target_groups), C(prod_traffic_route), C(test_traffic_route).
      returned: when the group exists
      type: dict
      sample: {"target_group_pair_info_list": [{"target_groups": [{"name": "blue"}, {"name": "green"}],
               "prod_traffic_route": {"listener_arns": ["arn:aws:elasticloadbalancing:..."]}}]}
    blue_green_deployment_configuration:
      description: The blue/green settings.
      returned: when the group exists
      type: dict
      sample: {"terminate_blue_instances_on_deployment_success": {"action": "TERMINATE", "termination_wait_time_in_minutes": 15}}
    deployment_style:
      description: The deployment type and option.
      returned: when the group exists
      type: dict
      sample: {"deployment_type": "BLUE_GREEN", "deployment_option": "WITH_TRAFFIC_CONTROL"}
    auto_rollback_configuration:
      description: Automatic rollback.
      returned: when the group exists
      type: dict
      sample: {"enabled": true, "events": ["DEPLOYMENT_FAILURE"]}
    alarm_configuration:
      description: The alarms (C(alarms) is a list of C({name})).
      returned: when the group exists
      type: dict
      sample: {"enabled": true, "ignore_poll_alarm_failure": false, "alarms": [{"name": "medtech-prod-api-5xx"}]}
    arn:
      description: The group's ARN.
      returned: when the group exists
      type: str
      sample: arn:aws:codedeploy:eu-central-1:123456789012:deploymentgroup:medtech-prod-api/medtech-prod-api
    tags:
      description: The group's tags.
      returned: when the group exists
      type: dict
      sample: {"environment": "prod"}
changed:
  description: Whether the group was (or, in check mode, would be) created, updated, tagged or deleted.
  returned: always
  type: bool
diff:
  description: The managed settings (snake_case, lists sorted) and tags before and after the run.
  returned: in diff mode
  type: dict
  sample:
    before: {"deployment_config_name": "CodeDeployDefault.ECSAllAtOnce"}
    after: {"deployment_config_name": "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"}
"""

import copy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import APPLICATION_MISSING
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import AnsibleCodeDeployError
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import covers
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import create_deployment_group
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import delete_deployment_group
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import get_application
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import get_deployment_group
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import list_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import missing_code
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import resource_arn
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import sorted_view
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import tag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import untag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import update_deployment_group
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import expected_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import make_diff
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager

MAX_ALARMS = 10
MAX_WAIT_MINUTES = 2880
ECS_STYLE = {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
# The settings this module manages, as CodeDeploy names them (also the diff's keys, snake_cased).
MANAGED = (
    "serviceRoleArn",
    "deploymentConfigName",
    "ecsServices",
    "loadBalancerInfo",
    "blueGreenDeploymentConfiguration",
    "deploymentStyle",
    "autoRollbackConfiguration",
    "alarmConfiguration",
)
# Settings whose unset suboptions keep their current values on update (dicts of dicts/scalars).
MERGED = ("blueGreenDeploymentConfiguration", "deploymentStyle", "autoRollbackConfiguration", "alarmConfiguration")


# --- pure helpers -----------------------------------------------------------------------
def _wait_error(option, value):
    if value is not None and not 0 <= value <= MAX_WAIT_MINUTES:
        return f"{option} is {value}: set 0 to {MAX_WAIT_MINUTES} minutes (CodeDeploy's limit, 2 days)"
    return None


def validate_params(params):
    """Check the options before any AWS call; return a list of messages (empty when valid).

    Each message names the option and the fix. Calls no AWS API.
    """
    errors = []
    alarm = params.get("alarm_configuration")
    alarms_enabled = bool(alarm and alarm.get("enabled"))
    if alarm:
        names = alarm.get("alarms") or []
        if len(names) > MAX_ALARMS:
            errors.append(
                f"alarm_configuration.alarms lists {len(names)} alarms: CodeDeploy allows at most {MAX_ALARMS} per "
                "deployment group; remove some (or combine them in a CloudWatch composite alarm)"
            )
        if alarm.get("enabled") and not names:
            errors.append(
                "alarm_configuration.enabled is true but alarm_configuration.alarms is empty: list at least one "
                "CloudWatch alarm name, or set enabled: false"
            )
    rollback = params.get("auto_rollback_configuration")
    if rollback and "DEPLOYMENT_STOP_ON_ALARM" in (rollback.get("events") or []) and not alarms_enabled:
        errors.append(
            "auto_rollback_configuration.events has DEPLOYMENT_STOP_ON_ALARM, but no alarms are enabled: set "
            "alarm_configuration with enabled: true and its alarms in the same task, or remove that event"
        )
    balancer = params.get("load_balancer_info")
    if balancer:
        groups = balancer["target_group_pair_info"]["target_groups"] or []
        if len(set(groups)) != 2:
            errors.append(
                f"load_balancer_info.target_group_pair_info.target_groups has {len(set(groups))} distinct target "
                "group(s): an ECS blue/green deployment group needs exactly two (blue and green); list both names"
            )
        if not balancer["target_group_pair_info"]["prod_traffic_route_listener_arns"]:
            errors.append(
                "load_balancer_info.target_group_pair_info.prod_traffic_route_listener_arns is empty: list the ARN "
                "of the production listener"
            )
    blue_green = params.get("blue_green_deployment_configuration") or {}
    for section, key in (
        ("terminate_blue_instances_on_deployment_success", "termination_wait_time_in_minutes"),
        ("deployment_ready_option", "wait_time_in_minutes"),
    ):
        error = _wait_error(f"blue_green_deployment_configuration.{section}.{key}", (blue_green.get(section) or {}).get(key))
        if error:
            errors.append(error)
    if bool(params.get("ecs_services")) != bool(balancer):
        given, missing = ("ecs_services", "load_balancer_info") if params.get("ecs_services") else ("load_balancer_info", "ecs_services")
        errors.append(
            f"{given} is set without {missing}: an ECS blue/green deployment group needs both; set {missing} too"
        )
    return errors


def _drop_none(value):
    return {key: item for key, item in value.items() if item is not None}


def desired_settings(params):
    """The settings the user set, as CreateDeploymentGroup/UpdateDeploymentGroup members. Calls no AWS API."""
    settings = {
        "serviceRoleArn": params.get("service_role_arn"),
        "deploymentConfigName": params.get("deployment_config_name"),
    }
    if params.get("ecs_services") is not None:
        settings["ecsServices"] = [
            {"serviceName": item["service_name"], "clusterName": item["cluster_name"]} for item in params["ecs_services"]
        ]
    if params.get("load_balancer_info"):
        pair = params["load_balancer_info"]["target_group_pair_info"]
        info = {
            "targetGroups": [{"name": name} for name in dict.fromkeys(pair["target_groups"])],
            "prodTrafficRoute": {"listenerArns": list(pair["prod_traffic_route_listener_arns"])},
        }
        if pair.get("test_traffic_route_listener_arns"):
            info["testTrafficRoute"] = {"listenerArns": list(pair["test_traffic_route_listener_arns"])}
        settings["loadBalancerInfo"] = {"targetGroupPairInfoList": [info]}
    blue_green = params.get("blue_green_deployment_configuration")
    if blue_green is not None:
        config = {}
        terminate = blue_green.get("terminate_blue_instances_on_deployment_success")
        if terminate is not None:
            config["terminateBlueInstancesOnDeploymentSuccess"] = _drop_none(
                {"action": terminate.get("action"), "terminationWaitTimeInMinutes": terminate.get("termination_wait_time_in_minutes")}
            )
        ready = blue_green.get("deployment_ready_option")
        if ready is not None:
            config["deploymentReadyOption"] = _drop_none(
                {"actionOnTimeout": ready.get("action_on_timeout"), "waitTimeInMinutes": ready.get("wait_time_in_minutes")}
            )
        settings["blueGreenDeploymentConfiguration"] = config
    style = params.get("deployment_style")
    if style is not None:
        settings["deploymentStyle"] = {"deploymentType": style["deployment_type"], "deploymentOption": style["deployment_option"]}
    rollback = params.get("auto_rollback_configuration")
    if rollback is not None:
        settings["autoRollbackConfiguration"] = _drop_none({"enabled": rollback["enabled"], "events": rollback.get("events")})
    alarm = params.get("alarm_configuration")
    if alarm is not None:
        config = {"enabled": alarm["enabled"], "ignorePollAlarmFailure": alarm["ignore_poll_alarm_failure"]}
        if alarm.get("alarms") is not None:
            config["alarms"] = [{"name": name} for name in dict.fromkeys(alarm["alarms"])]
        settings["alarmConfiguration"] = config
    return _drop_none(settings)


def merge(current, desired):
    """``desired`` laid over ``current`` (dicts merged key by key, everything else replaced)."""
    if isinstance(current, dict) and isinstance(desired, dict):
        result = copy.deepcopy(current)
        for key, value in desired.items():
            result[key] = merge(current.get(key), value)
        return result
    return copy.deepcopy(desired)


def changed_settings(current, desired):
    """The members to send to UpdateDeploymentGroup: each desired setting that ``current`` (the
    raw deploymentGroupInfo) does not cover, merged over the current value where suboptions that
    were not set are kept. ``{}`` when nothing differs. Calls no AWS API."""
    changes = {}
    for key, wanted in desired.items():
        have = current.get(key)
        if covers(have, wanted):
            continue
        changes[key] = merge(have, wanted) if key in MERGED else copy.deepcopy(wanted)
    return changes


def settings_view(raw, tags):
    """The managed settings of a raw deploymentGroupInfo, snake_case with sorted lists, and tags, for ``diff``."""
    if not raw:
        return {}
    view = {"application_name": raw.get("applicationName"), "deployment_group_name": raw.get("deploymentGroupName")}
    for key in MANAGED:
        if raw.get(key) not in (None, {}, []):
            view.update(camel_dict_to_snake_dict({key: raw[key]}))
    view = sorted_view(view)
    view["tags"] = dict(tags or {})
    return view


# --- compare and act --------------------------------------------------------------------
class DeploymentGroupManager(ResourceManager):
    """One deployment group, identified by its application's name and its own."""

    result_key = "deployment_group"

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params = module.params
        self.application = self.params["application_name"]
        self.name = self.params["deployment_group_name"]
        self.desired = desired_settings(self.params)
        self.raw = None  # the deploymentGroupInfo read last
        self.before_raw = None  # the one read first (the diff's before; None when there was none)
        self.reads = 0
        self.application_missing = False
        self.compute_platform = None
        self.planned = {}
        self._arn = None

    @property
    def arn(self):
        if self._arn is None:
            self._arn = resource_arn(self.module, f"deploymentgroup:{self.application}/{self.name}")
        return self._arn

    def view(self, raw, tags):
        result = boto3_resource_to_ansible_dict(raw, transform_tags=False, force_tags=False)
        result["arn"] = self.arn
        result["tags"] = dict(tags or {})
        return result

    def read(self):
        self.reads += 1
        try:
            self.raw = get_deployment_group(self.client, self.application, self.name)
        except AnsibleCodeDeployError as e:
            code = missing_code(e)
            if code is None:
                raise
            self.raw = None
            self.application_missing = code == APPLICATION_MISSING
            if self.params["state"] == "present" and "create" not in self.planned:
                self.plan_new()  # reads and checks what a create needs, before any write (also in check mode)
            return None
        if self.reads == 1:
            self.before_raw = copy.deepcopy(self.raw)
        return self.view(self.raw, list_tags(self.client, self.arn))

    # --- plan ------------------------------------------------------------------------------
    def plan_new(self):
        """Decide the settings of a new group; fail (before any write) where AWS would."""
        if self.application_missing:
            message = (f"CodeDeploy application {self.application} does not exist: create it first "
                       "(medtech.aws_platform.codedeploy_application), or correct application_name")
            if not self.check_mode:
                raise AnsibleCodeDeployError(message=message)
            self.module.warn(message + "; check mode assumes an earlier task creates it")
        else:
            application = get_application(self.client, self.application)
            if application is None:  # deleted between the two reads
                raise AnsibleCodeDeployError(message=f"CodeDeploy application {self.application} does not exist: create it first")
            self.compute_platform = application.get("computePlatform")
        settings = dict(self.desired)
        if self.compute_platform in ("ECS", None):
            missing = [option for option, key in (("ecs_services", "ecsServices"), ("load_balancer_info", "loadBalancerInfo"))
                       if key not in settings]
            if missing and self.compute_platform == "ECS":
                raise AnsibleCodeDeployError(
                    message=f"CodeDeploy application {self.application} deploys to ECS, so its deployment group "
                    f"{self.name} needs {' and '.join(missing)}: set the ECS service (cluster_name, service_name) "
                    "and load_balancer_info.target_group_pair_info"
                )
            settings.setdefault("deploymentStyle", dict(ECS_STYLE))
        self.planned["create"] = settings

    def create(self):
        create_deployment_group(self.client, self.application, self.name, self.planned["create"], self.params["tags"])

    def update(self, current):
        self.planned["settings"] = changed_settings(self.raw, self.desired)
        if self.planned["settings"]:
            self.act(update_deployment_group, self.client, self.application, self.name, self.planned["settings"])
        to_set, to_unset = {}, []
        if self.params["tags"] is not None:
            to_set, to_unset = compare_aws_tags(current.get("tags") or {}, self.params["tags"], self.params["purge_tags"])
        if to_unset:
            self.act(untag_resource, self.client, self.arn, to_unset)
        if to_set:
            self.act(tag_resource, self.client, self.arn, to_set)

    def result(self, before, after):
        result = {"changed": self.changed, self.result_key: after or {}}
        if getattr(self.module, "_diff", False):
            after_raw = self.planned.get("after_raw") if self.check_mode and self.changed else self.raw
            result["diff"] = make_diff(
                settings_view(self.before_raw, (before or {}).get("tags")),
                settings_view(after_raw, (after or {}).get("tags")),
            )
        return result

    def expected(self, current):
        if current is None:
            raw = dict(self.planned["create"], applicationName=self.application, deploymentGroupName=self.name)
            if self.compute_platform:
                raw["computePlatform"] = self.compute_platform
            tags = expected_tags({}, self.params["tags"], True)
        else:
            raw = dict(copy.deepcopy(self.raw), **copy.deepcopy(self.planned.get("settings") or {}))
            tags = expected_tags(current.get("tags"), self.params["tags"], self.params["purge_tags"])
        self.planned["after_raw"] = raw
        return self.view(raw, tags)

    def ensure_absent(self):
        before = self.read()
        if before is not None:
            self.act(delete_deployment_group, self.client, self.application, self.name)
        result = {"changed": self.changed, self.result_key: {}}
        if getattr(self.module, "_diff", False):
            result["diff"] = make_diff(settings_view(self.before_raw, (before or {}).get("tags")), {})
        return result


def main():
    argument_spec = dict(
        application_name=dict(type="str", required=True),
        deployment_group_name=dict(type="str", required=True),
        service_role_arn=dict(type="str"),
        deployment_config_name=dict(type="str", default="CodeDeployDefault.ECSLinear10PercentEvery1Minutes"),
        ecs_services=dict(
            type="list",
            elements="dict",
            options=dict(cluster_name=dict(type="str", required=True), service_name=dict(type="str", required=True)),
        ),
        load_balancer_info=dict(
            type="dict",
            options=dict(
                target_group_pair_info=dict(
                    type="dict",
                    required=True,
                    options=dict(
                        target_groups=dict(type="list", elements="str", required=True),
                        prod_traffic_route_listener_arns=dict(type="list", elements="str", required=True),
                        test_traffic_route_listener_arns=dict(type="list", elements="str"),
                    ),
                ),
            ),
        ),
        blue_green_deployment_configuration=dict(
            type="dict",
            options=dict(
                terminate_blue_instances_on_deployment_success=dict(
                    type="dict",
                    options=dict(
                        action=dict(type="str", choices=["TERMINATE", "KEEP_ALIVE"], default="TERMINATE"),
                        termination_wait_time_in_minutes=dict(type="int"),
                    ),
                ),
                deployment_ready_option=dict(
                    type="dict",
                    options=dict(
                        action_on_timeout=dict(type="str", choices=["CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT"]),
                        wait_time_in_minutes=dict(type="int"),
                    ),
                ),
            ),
        ),
        deployment_style=dict(
            type="dict",
            options=dict(
                deployment_type=dict(type="str", choices=["BLUE_GREEN", "IN_PLACE"], default="BLUE_GREEN"),
                deployment_option=dict(
                    type="str", choices=["WITH_TRAFFIC_CONTROL", "WITHOUT_TRAFFIC_CONTROL"], default="WITH_TRAFFIC_CONTROL"
                ),
            ),
        ),
        auto_rollback_configuration=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool", required=True),
                events=dict(
                    type="list",
                    elements="str",
                    choices=["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"],
                ),
            ),
        ),
        alarm_configuration=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool", required=True),
                ignore_poll_alarm_failure=dict(type="bool", default=False),
                alarms=dict(type="list", elements="str"),
            ),
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["service_role_arn"])],
    )
    if module.params["state"] == "present":
        errors = validate_params(module.params)
        if errors:
            module.fail_json(msg="Invalid options: " + "; ".join(errors))
    run_manager(module, DeploymentGroupManager(module, module.client("codedeploy")))


if __name__ == "__main__":
    main()
