#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: application_autoscaling_policy
version_added: 0.1.0
short_description: Manage an Application Auto Scaling target and its target tracking policy
description:
  - Register one Application Auto Scaling scalable target (for example the desired count of an
    ECS service) with its minimum and maximum capacity, and keep one target tracking scaling
    policy on it; or delete the policy and deregister the target.
  - The target is identified by O(service_namespace), O(resource_id) and
    O(scalable_dimension), the policy in addition by O(policy_name). Other policies of the same
    target are left alone while O(state=present).
  - The policy configuration is compared after normalisation, so V(70) equals V(70.0), key
    order does not matter, and the C(DisableScaleIn=false) that AWS adds equals
    O(target_tracking_scaling_policy_configuration.disable_scale_in=false). A second run with
    the same options changes nothing.
  - Full check mode and diff mode. Unlike M(community.aws.application_autoscaling_policy),
    nothing is written in check mode.
  - Options that are not set are left alone on an existing target and policy (O(min_capacity),
    O(max_capacity), the cooldowns).
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  service_namespace:
    description:
      - The AWS service of the resource that is scaled.
    type: str
    choices: [ecs, elasticmapreduce, ec2, appstream, dynamodb, rds, sagemaker, custom-resource,
              comprehend, lambda, cassandra, kafka, elasticache, neptune, workspaces]
    default: ecs
  resource_id:
    description:
      - The resource that is scaled, in the form AWS uses for O(service_namespace).
      - For V(ecs) C(service/<cluster name>/<service name>), e.g.
        V(service/medtech-prod-cluster/api-gateway); this form is checked before any AWS call.
      - The resource must exist (for ECS, the service). AWS refuses to register a target for a
        missing one with C(ValidationException).
    type: str
    required: true
  scalable_dimension:
    description:
      - The property that is scaled, e.g. V(ecs:service:DesiredCount).
      - Must start with O(service_namespace) and a colon.
      - Defaults to V(ecs:service:DesiredCount) when O(service_namespace=ecs); required for
        every other namespace.
    type: str
  min_capacity:
    description:
      - The lowest value auto scaling may set, e.g. the smallest number of ECS tasks.
      - Required when the target is not registered yet and O(state=present); left alone on a
        registered target when not set.
      - Changing O(min_capacity) or O(max_capacity) with C(RegisterScalableTarget) does not
        reset the service's desired count. Only when the current desired count lies outside
        the new range does AWS move it to the nearest bound (a desired count of 6 stays 6 with
        V(2) to V(10), and becomes 8 with a new maximum of V(8)).
    type: int
  max_capacity:
    description:
      - The highest value auto scaling may set, e.g. the largest number of ECS tasks.
      - Required when the target is not registered yet and O(state=present); left alone on a
        registered target when not set. Must not be less than O(min_capacity) (or the current
        minimum, when O(min_capacity) is not set).
      - See O(min_capacity) for what a change does to the current desired count.
    type: int
  policy_name:
    description:
      - The name of the target tracking scaling policy, unique per scalable target, e.g.
        V(api-gateway-cpu-70).
      - AWS names the CloudWatch alarms it creates for the policy after the resource, not after
        this name.
    type: str
    required: true
  target_tracking_scaling_policy_configuration:
    description:
      - The target tracking configuration of the policy. Required with O(state=present).
      - C(PutScalingPolicy) replaces the whole configuration; suboptions that are not set and
        have no default keep their current value.
      - Only predefined metrics are supported. A policy with a customised metric or of another
        type (step scaling) of the same name is replaced by this configuration.
    type: dict
    suboptions:
      target_value:
        description:
          - The value the metric is kept at. For the utilisation metrics (their names end in
            C(Utilization) or C(Percentage), e.g. C(ECSServiceAverageCPUUtilization)) a
            percentage, greater than V(0) and at most V(100), e.g. V(70).
          - Compared as a number, so V(70) equals AWS's V(70.0).
        type: float
        required: true
      predefined_metric_type:
        description:
          - The metric to track, e.g. V(ECSServiceAverageCPUUtilization) (the average CPU
            utilisation of the service's tasks, in percent) or
            V(ECSServiceAverageMemoryUtilization). AWS checks that it fits the namespace.
        type: str
        required: true
      resource_label:
        description:
          - Identifies the target group of V(ALBRequestCountPerTarget), in the form
            C(app/<load-balancer-name>/<id>/targetgroup/<target-group-name>/<id>).
          - Required with V(ALBRequestCountPerTarget) and not allowed with any other metric.
        type: str
      scale_out_cooldown:
        description:
          - Seconds after a scale-out before another scale-out may start, e.g. V(60).
          - When not set, a new policy gets AWS's default (300 seconds for ECS) and an existing
            one keeps its value.
        type: int
      scale_in_cooldown:
        description:
          - Seconds after a scale-in before another scale-in may start, e.g. V(300); when not
            set, as for O(target_tracking_scaling_policy_configuration.scale_out_cooldown).
        type: int
      disable_scale_in:
        description:
          - V(true) lets the policy only scale out; scale-in is left to other policies or to
            people.
        type: bool
        default: false
  deregister_scalable_target:
    description:
      - With O(state=absent), whether the scalable target is deregistered after the policy is
        deleted.
      - AWS deletes a deregistered target's scaling policies and scheduled actions with it, so
        the module fails, before any change, when the target has policies other than
        O(policy_name); delete them first or set V(false).
      - Deregistering a target does not change the service's desired count.
    type: bool
    default: true
  state:
    description:
      - V(present) registers or updates the scalable target and puts the policy.
      - V(absent) deletes the policy (AWS deletes its CloudWatch alarms) and, with
        O(deregister_scalable_target=true), deregisters the target.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Calls C(application-autoscaling:DescribeScalableTargets),
    C(application-autoscaling:DescribeScalingPolicies),
    C(application-autoscaling:RegisterScalableTarget),
    C(application-autoscaling:PutScalingPolicy), C(application-autoscaling:DeleteScalingPolicy)
    and C(application-autoscaling:DeregisterScalableTarget). AWS additionally checks the
    caller's rights on the scaled resource (e.g. C(ecs:DescribeServices),
    C(ecs:UpdateService)) and on C(cloudwatch:PutMetricAlarm), C(cloudwatch:DescribeAlarms)
    and C(cloudwatch:DeleteAlarms) for the policy's alarms, and uses the service-linked role
    C(AWSServiceRoleForApplicationAutoScaling_ECSService) (created on first use, which needs
    C(iam:CreateServiceLinkedRole)).
  - Errors are reported with AWS's code and message, e.g. C(ValidationException) when the ECS
    service does not exist or a value is out of range, C(ObjectNotFoundException) when the
    target disappeared between the calls, C(LimitExceededException) when the account's quota
    of targets or policies is reached, C(AccessDeniedException) for a missing right.
seealso:
  - name: Target tracking scaling policies for Application Auto Scaling
    description: How target tracking works, its alarms, cooldowns and metrics.
    link: https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html
attributes:
  check_mode:
    support: full
    description: Reads the target and the policy and decides what would change without writing anything.
  diff_mode:
    support: full
    description: Returns the target and the policy before and after the run as C(diff.before) and C(diff.after).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Credentials, region and endpoint can be set once for the whole play with
# module_defaults: {group/medtech.aws_platform.aws: {region: eu-central-1}}.

- name: Scale the api-gateway service on CPU, 2 to 10 tasks, at 70 %
  medtech.aws_platform.application_autoscaling_policy:
    resource_id: service/medtech-prod-cluster/api-gateway
    min_capacity: 2
    max_capacity: 10
    policy_name: api-gateway-cpu-70
    target_tracking_scaling_policy_configuration:
      predefined_metric_type: ECSServiceAverageCPUUtilization
      target_value: 70
      scale_out_cooldown: 60
      scale_in_cooldown: 300
  register: api_scaling

- name: Allow up to 20 tasks (the desired count autoscaling set is kept)
  medtech.aws_platform.application_autoscaling_policy:
    resource_id: service/medtech-prod-cluster/api-gateway
    max_capacity: 20
    policy_name: api-gateway-cpu-70
    target_tracking_scaling_policy_configuration:
      predefined_metric_type: ECSServiceAverageCPUUtilization
      target_value: 70

- name: Delete the policy and deregister the target
  medtech.aws_platform.application_autoscaling_policy:
    resource_id: service/medtech-prod-cluster/api-gateway
    policy_name: api-gateway-cpu-70
    state: absent

- name: Delete only the policy, keep the target with its limits
  medtech.aws_platform.application_autoscaling_policy:
    resource_id: service/medtech-prod-cluster/api-gateway
    policy_name: api-gateway-cpu-70
    deregister_scalable_target: false
    state: absent
"""

RETURN = r"""
scalable_target:
  description:
    - The scalable target as AWS holds it after the run; empty when it is not registered.
    - In check mode, when it would be registered, only the keys known before AWS registers it.
  returned: always
  type: dict
  contains:
    service_namespace:
      description: The namespace of the scaled resource.
      returned: when the target is registered
      type: str
      sample: ecs
    resource_id:
      description: The scaled resource.
      returned: when the target is registered
      type: str
      sample: service/medtech-prod-cluster/api-gateway
    scalable_dimension:
      description: The scaled property.
      returned: when the target is registered
      type: str
      sample: ecs:service:DesiredCount
    min_capacity:
      description: The minimum capacity (e.g. tasks).
      returned: when the target is registered
      type: int
      sample: 2
    max_capacity:
      description: The maximum capacity (e.g. tasks).
      returned: when the target is registered
      type: int
      sample: 10
    role_arn:
      description: The role Application Auto Scaling uses to scale the resource.
      returned: when the target is registered
      type: str
      sample: arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService
    scalable_target_arn:
      description: The ARN of the scalable target.
      returned: when AWS reports it
      type: str
      sample: arn:aws:application-autoscaling:eu-central-1:123456789012:scalable-target/0e6a1b2c3d4e5f60718293a4b5c6d7e8f901
    creation_time:
      description: When the target was registered (ISO 8601).
      returned: when the target is registered
      type: str
      sample: "2025-03-01T10:15:42.123000+00:00"
    suspended_state:
      description: Whether scaling in, scaling out or scheduled scaling are suspended.
      returned: when AWS reports it
      type: dict
      sample: {"dynamic_scaling_in_suspended": false, "dynamic_scaling_out_suspended": false, "scheduled_scaling_suspended": false}
scaling_policy:
  description:
    - The scaling policy as AWS holds it after the run; empty when it does not exist.
    - In check mode, when it would be created, without RV(scaling_policy.policy_arn),
      RV(scaling_policy.alarms) and RV(scaling_policy.creation_time).
  returned: always
  type: dict
  contains:
    policy_arn:
      description: The ARN of the policy.
      returned: when the policy exists
      type: str
      sample: "arn:aws:autoscaling:eu-central-1:123456789012:scalingPolicy:6d8972f3-efc8-437c-92d1-6270f29a66e7:\
        resource/ecs/service/medtech-prod-cluster/api-gateway:policyName/api-gateway-cpu-70"
    policy_name:
      description: The name of the policy.
      returned: when the policy exists
      type: str
      sample: api-gateway-cpu-70
    policy_type:
      description: The type of the policy.
      returned: when the policy exists
      type: str
      sample: TargetTrackingScaling
    service_namespace:
      description: The namespace of the scaled resource.
      returned: when the policy exists
      type: str
      sample: ecs
    resource_id:
      description: The scaled resource.
      returned: when the policy exists
      type: str
      sample: service/medtech-prod-cluster/api-gateway
    scalable_dimension:
      description: The scaled property.
      returned: when the policy exists
      type: str
      sample: ecs:service:DesiredCount
    target_tracking_scaling_policy_configuration:
      description:
        - The configuration, as AWS returns it (C(target_value) as a float, cooldowns in seconds,
          C(disable_scale_in) filled in by AWS).
      returned: when the policy exists
      type: dict
      sample:
        target_value: 70.0
        predefined_metric_specification:
          predefined_metric_type: ECSServiceAverageCPUUtilization
        scale_out_cooldown: 60
        scale_in_cooldown: 300
        disable_scale_in: false
    alarms:
      description:
        - The CloudWatch alarms AWS created for the policy (one to scale out, one to scale in,
          unless scale-in is disabled). Do not change or delete them.
      returned: when the policy exists
      type: list
      elements: dict
      contains:
        alarm_name:
          description: The name of the alarm.
          type: str
          returned: always
          sample: TargetTracking-service/medtech-prod-cluster/api-gateway-AlarmHigh-8b2e6a0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b
        alarm_arn:
          description: The ARN of the alarm.
          type: str
          returned: always
          sample: "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:\
            TargetTracking-service/medtech-prod-cluster/api-gateway-AlarmHigh-8b2e6a0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    creation_time:
      description: When the policy was created (ISO 8601).
      returned: when the policy exists
      type: str
      sample: "2025-03-01T10:15:43.456000+00:00"
changed:
  description: Whether the target or the policy was (or, in check mode, would be) registered, updated, deleted or deregistered.
  returned: always
  type: bool
  sample: true
diff:
  description: The target and the policy before and after the run (C({}) for one that does not exist).
  returned: in diff mode
  type: dict
  sample:
    before: {"scalable_target": {"min_capacity": 2, "max_capacity": 10}, "scaling_policy": {}}
    after: {"scalable_target": {"min_capacity": 2, "max_capacity": 10}, "scaling_policy": {"policy_name": "api-gateway-cpu-70"}}
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.application_autoscaling import (
    AnsibleApplicationAutoScalingError,
)
from ansible_collections.medtech.aws_platform.plugins.module_utils.application_autoscaling import delete_scaling_policy
from ansible_collections.medtech.aws_platform.plugins.module_utils.application_autoscaling import (
    deregister_scalable_target,
)
from ansible_collections.medtech.aws_platform.plugins.module_utils.application_autoscaling import (
    describe_scalable_target,
)
from ansible_collections.medtech.aws_platform.plugins.module_utils.application_autoscaling import (
    describe_scaling_policies,
)
from ansible_collections.medtech.aws_platform.plugins.module_utils.application_autoscaling import (
    put_target_tracking_policy,
)
from ansible_collections.medtech.aws_platform.plugins.module_utils.application_autoscaling import (
    register_scalable_target,
)
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import make_diff
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import normalize
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager

SERVICE_NAMESPACES = [
    "ecs", "elasticmapreduce", "ec2", "appstream", "dynamodb", "rds", "sagemaker", "custom-resource",
    "comprehend", "lambda", "cassandra", "kafka", "elasticache", "neptune", "workspaces",
]
ECS_DIMENSION = "ecs:service:DesiredCount"
# service/<cluster>/<service>: ECS names are 1-255 letters, digits, hyphens and underscores.
ECS_RESOURCE_ID = re.compile(r"^service/[A-Za-z0-9_-]{1,255}/[A-Za-z0-9_-]{1,255}$")
# Provisioned concurrency utilisation is a fraction (0.1 to 0.9), not a percentage.
FRACTION_METRICS = ("LambdaProvisionedConcurrencyUtilization", "SageMakerVariantProvisionedConcurrencyUtilization")
RESOURCE_LABEL_METRIC = "ALBRequestCountPerTarget"
POLICY_TYPE = "TargetTrackingScaling"


# --- pure helpers -----------------------------------------------------------------------
def is_percent_metric(metric_type):
    """Whether a predefined metric is a percentage (target value above 0 up to 100)."""
    if not metric_type or metric_type in FRACTION_METRICS:
        return False
    name = metric_type[: -len("HighResolution")] if metric_type.endswith("HighResolution") else metric_type
    return name.endswith(("Utilization", "Percentage"))


def scalable_dimension_of(params):
    """The scalable dimension: the option, or ecs:service:DesiredCount for the ecs namespace."""
    if params.get("scalable_dimension"):
        return params["scalable_dimension"]
    return ECS_DIMENSION if params["service_namespace"] == "ecs" else None


def _negative_errors(values, keys, prefix, what):
    """Messages for the ``keys`` of ``values`` that are set and below 0."""
    return [
        f"{prefix}{key}={values[key]} is negative: set {what} >= 0"
        for key in keys
        if values.get(key) is not None and values[key] < 0
    ]


def validate_params(params):
    """Check the options before any AWS call.

    :param params: the module's params.
    :return: a list of error messages, each naming the option and the fix (empty when valid).
    """
    errors = []
    namespace = params["service_namespace"]
    resource_id = params["resource_id"]
    dimension = scalable_dimension_of(params)

    if dimension is None:
        errors.append(
            f"scalable_dimension is required with service_namespace={namespace}: set it, "
            f"e.g. {namespace}:<resource type>:<property> as AWS documents for the namespace"
        )
    elif not dimension.startswith(namespace + ":"):
        errors.append(
            f"scalable_dimension {dimension!r} does not belong to service_namespace={namespace}: "
            f"set a dimension that starts with '{namespace}:' (for ECS services {ECS_DIMENSION})"
        )
    if namespace == "ecs" and not ECS_RESOURCE_ID.match(resource_id):
        errors.append(
            f"resource_id {resource_id!r} is not an ECS service: set it to "
            "service/<cluster name>/<service name>, e.g. service/medtech-prod-cluster/api-gateway"
        )

    errors += _negative_errors(params, ("min_capacity", "max_capacity"), "", "a whole number")
    if (
        params.get("min_capacity") is not None
        and params.get("max_capacity") is not None
        and params["min_capacity"] > params["max_capacity"]
    ):
        errors.append(
            f"min_capacity={params['min_capacity']} is greater than max_capacity={params['max_capacity']}: "
            "set min_capacity <= max_capacity"
        )

    if not params.get("policy_name", "").strip():
        errors.append("policy_name is empty: set the name of the scaling policy, e.g. api-gateway-cpu-70")

    config = params.get("target_tracking_scaling_policy_configuration")
    if config:
        prefix = "target_tracking_scaling_policy_configuration"
        target = config.get("target_value")
        metric = config.get("predefined_metric_type")
        if target is not None and target <= 0:
            errors.append(f"{prefix}.target_value={target} must be greater than 0: set e.g. 70")
        elif target is not None and is_percent_metric(metric) and target > 100:
            errors.append(
                f"{prefix}.target_value={target} is above 100, but {metric} is a percentage: "
                "set a value above 0 up to 100, e.g. 70"
            )
        errors += _negative_errors(config, ("scale_out_cooldown", "scale_in_cooldown"), prefix + ".", "the seconds,")
        label = config.get("resource_label")
        if metric == RESOURCE_LABEL_METRIC and not label:
            errors.append(
                f"{prefix}.resource_label is required with {RESOURCE_LABEL_METRIC}: set it to "
                "app/<load-balancer-name>/<id>/targetgroup/<target-group-name>/<id>"
            )
        if label and metric != RESOURCE_LABEL_METRIC:
            errors.append(
                f"{prefix}.resource_label applies only to {RESOURCE_LABEL_METRIC}: remove it for {metric}"
            )
    return errors


def desired_configuration(config, current=None):
    """The boto3 TargetTrackingScalingPolicyConfiguration for the options.

    :param config: the module's target_tracking_scaling_policy_configuration.
    :param current: the policy's current boto3 configuration (or None); cooldowns the user did
        not set are carried over from it, so they are left alone.
    :return: the dict to send to PutScalingPolicy.
    """
    current = current or {}
    metric = {"PredefinedMetricType": config["predefined_metric_type"]}
    if config.get("resource_label"):
        metric["ResourceLabel"] = config["resource_label"]
    result = {
        "TargetValue": float(config["target_value"]),
        "PredefinedMetricSpecification": metric,
        "DisableScaleIn": bool(config.get("disable_scale_in")),
    }
    for option, key in (("scale_out_cooldown", "ScaleOutCooldown"), ("scale_in_cooldown", "ScaleInCooldown")):
        value = config.get(option)
        if value is None:
            value = current.get(key)
        if value is not None:
            result[key] = value
    return result


def comparable_configuration(configuration):
    """A boto3 target tracking configuration in a form where equal ones compare equal:
    DisableScaleIn filled in as AWS does (false), numbers as text (70 == 70.0), key order
    ignored."""
    configuration = dict(configuration or {})
    configuration.setdefault("DisableScaleIn", False)
    return normalize(configuration, numbers_as_strings=True)


def to_ansible(resource):
    """A boto3 ScalableTarget or ScalingPolicy in snake_case (dates as ISO 8601), or None."""
    if resource is None:
        return None
    return boto3_resource_to_ansible_dict(resource, transform_tags=False, force_tags=False)


# --- compare and act --------------------------------------------------------------------
class _Identity:
    """The scalable target's identity, shared by both managers."""

    def __init__(self, params):
        self.namespace = params["service_namespace"]
        self.resource_id = params["resource_id"]
        self.dimension = scalable_dimension_of(params)

    def args(self):
        return (self.namespace, self.resource_id, self.dimension)

    def as_dict(self):
        return {
            "service_namespace": self.namespace,
            "resource_id": self.resource_id,
            "scalable_dimension": self.dimension,
        }


class ScalableTargetManager(ResourceManager):
    """The scalable target: registered with its min/max, or deregistered."""

    result_key = "scalable_target"
    read_attempts = 5  # a new target may take a moment to be listed
    read_delay = 2

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params = module.params
        self.identity = _Identity(module.params)
        self.check_next_read = False  # set by ensure_present: validate the capacities once read

    def read(self):
        current = to_ansible(describe_scalable_target(self.client, *self.identity.args()))
        if self.check_next_read:
            # The first read of ensure_present, before any write (also in check mode).
            self.check_next_read = False
            self._check_capacities(current)
        return current

    def _capacities(self, current):
        """The (min, max) the target will have: the options, else the current values."""
        current = current or {}
        min_capacity = self.params["min_capacity"]
        max_capacity = self.params["max_capacity"]
        if min_capacity is None:
            min_capacity = current.get("min_capacity")
        if max_capacity is None:
            max_capacity = current.get("max_capacity")
        return min_capacity, max_capacity

    def _check_capacities(self, current):
        """Fail, before any write, when the target cannot be registered as asked."""
        min_capacity, max_capacity = self._capacities(current)
        if current is None and (min_capacity is None or max_capacity is None):
            raise AnsibleApplicationAutoScalingError(
                message=f"The scalable target {self.identity.resource_id} is not registered yet: set both "
                "min_capacity and max_capacity to register it"
            )
        if min_capacity > max_capacity:
            raise AnsibleApplicationAutoScalingError(
                message=f"The scalable target {self.identity.resource_id} would get min_capacity="
                f"{min_capacity} above max_capacity={max_capacity} (the option not set keeps the "
                "current value): set both min_capacity and max_capacity"
            )

    def _changes(self, current):
        """RegisterScalableTarget parameters for the capacities that differ ({} when none)."""
        changes = {}
        for option, key in (("min_capacity", "MinCapacity"), ("max_capacity", "MaxCapacity")):
            wanted = self.params[option]
            if wanted is not None and (current is None or current.get(option) != wanted):
                changes[key] = wanted
        return changes

    def create(self):
        register_scalable_target(self.client, *self.identity.args(), **self._changes(None))

    def update(self, current):
        changes = self._changes(current)
        if changes:
            self.act(register_scalable_target, self.client, *self.identity.args(), **changes)

    def ensure_present(self):
        self.check_next_read = True
        return super().ensure_present()

    def delete(self, current):
        deregister_scalable_target(self.client, *self.identity.args())

    def expected(self, current):
        min_capacity, max_capacity = self._capacities(current)
        after = dict(current) if current else self.identity.as_dict()
        after.update(min_capacity=min_capacity, max_capacity=max_capacity)
        return after


class ScalingPolicyManager(ResourceManager):
    """The target tracking policy named policy_name on the scalable target."""

    result_key = "scaling_policy"
    read_attempts = 5
    read_delay = 2

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params = module.params
        self.identity = _Identity(module.params)
        self.policy_name = module.params["policy_name"]
        self.other_policies = []  # names of the target's other policies, from the last read
        self.current_raw = None  # the boto3 ScalingPolicy read last

    def read(self):
        policies = describe_scaling_policies(self.client, *self.identity.args())
        self.other_policies = sorted(p["PolicyName"] for p in policies if p["PolicyName"] != self.policy_name)
        mine = [p for p in policies if p["PolicyName"] == self.policy_name]
        self.current_raw = mine[0] if mine else None
        return to_ansible(self.current_raw)

    def _current_configuration(self):
        raw = self.current_raw or {}
        if raw.get("PolicyType") != POLICY_TYPE:
            return None
        return raw.get("TargetTrackingScalingPolicyConfiguration")

    def _desired(self):
        return desired_configuration(
            self.params["target_tracking_scaling_policy_configuration"], self._current_configuration()
        )

    def _put(self):
        put_target_tracking_policy(self.client, *self.identity.args(), self.policy_name, self._desired())

    def create(self):
        self._put()

    def update(self, current):
        have = self._current_configuration()
        if have is None or comparable_configuration(have) != comparable_configuration(self._desired()):
            self.act(self._put)

    def delete(self, current):
        delete_scaling_policy(self.client, *self.identity.args(), self.policy_name)

    def expected(self, current):
        configuration = to_ansible(self._desired())
        if current:
            after = dict(current)
            after["policy_type"] = POLICY_TYPE
            after.pop("step_scaling_policy_configuration", None)
            after.pop("predictive_scaling_policy_configuration", None)
        else:
            after = dict(self.identity.as_dict(), policy_name=self.policy_name, policy_type=POLICY_TYPE)
        after["target_tracking_scaling_policy_configuration"] = configuration
        return after


class ScalingManager:
    """The scalable target and its policy, as one resource for ``run_manager``."""

    def __init__(self, module, client):
        self.module = module
        self.target = ScalableTargetManager(module, client)
        self.policy = ScalingPolicyManager(module, client)

    def combine(self, target_result, policy_result):
        """The module result from the two managers' results (each ``{changed, <key>, diff?}``)."""
        parts = (("scalable_target", target_result), ("scaling_policy", policy_result))
        result = {"changed": target_result["changed"] or policy_result["changed"]}
        result.update({key: part[key] for key, part in parts})
        if self.module._diff:
            result["diff"] = make_diff(
                {key: part["diff"]["before"] for key, part in parts},
                {key: part["diff"]["after"] for key, part in parts},
            )
        return result

    def ensure_present(self):
        """Register or update the target first (the policy needs it), then put the policy."""
        target_result = self.target.ensure_present()
        return self.combine(target_result, self.policy.ensure_present())

    def ensure_absent(self):
        """Delete the policy and, when asked, deregister the target; fail before any write when
        deregistering would delete other policies."""
        deregister = self.module.params["deregister_scalable_target"]
        if deregister:
            self.policy.read()
            if self.policy.other_policies:
                raise AnsibleApplicationAutoScalingError(
                    message=f"The scalable target {self.target.identity.resource_id} has other scaling "
                    f"policies ({', '.join(self.policy.other_policies)}) that deregistering it would "
                    "delete: delete them first, or set deregister_scalable_target: false to delete only "
                    f"{self.policy.policy_name}"
                )
        policy_result = self.policy.ensure_absent()
        if deregister:
            target_result = self.target.ensure_absent()
        else:
            current = self.target.read()
            target_result = self.target.result(current, current)
        return self.combine(target_result, policy_result)


def main():
    argument_spec = dict(
        service_namespace=dict(type="str", default="ecs", choices=SERVICE_NAMESPACES),
        resource_id=dict(type="str", required=True),
        scalable_dimension=dict(type="str"),
        min_capacity=dict(type="int"),
        max_capacity=dict(type="int"),
        policy_name=dict(type="str", required=True),
        target_tracking_scaling_policy_configuration=dict(
            type="dict",
            options=dict(
                target_value=dict(type="float", required=True),
                predefined_metric_type=dict(type="str", required=True),
                resource_label=dict(type="str"),
                scale_out_cooldown=dict(type="int"),
                scale_in_cooldown=dict(type="int"),
                disable_scale_in=dict(type="bool", default=False),
            ),
        ),
        deregister_scalable_target=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["target_tracking_scaling_policy_configuration"])],
    )

    errors = validate_params(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    run_manager(module, ScalingManager(module, module.client("application-autoscaling")))


if __name__ == "__main__":
    main()
