# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the application_autoscaling_policy module, against botocore's Stubber.

The Stubber validates every request against the real Application Auto Scaling API model and
answers with the responses queued here, in order; an unexpected call fails the test, so "no
write call" (check mode, no change) is asserted by queueing none, and the queue's order asserts
the order of the calls. Each test runs the module's main() through AnsibleAWSModule, with only
``AnsibleAWSModule.client`` patched to return the stubbed client.

The responses are shaped as AWS answers, which moto does not: AWS fills in
``DisableScaleIn: false`` and returns ``TargetValue`` as a float, answers a missing target with
``ObjectNotFoundException``, and deletes a deregistered target's policies with it.
"""

from __future__ import annotations

import datetime
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.modules import application_autoscaling_policy as module_under_test

REGION = "eu-central-1"
RESOURCE_ID = "service/medtech-prod-cluster/api-gateway"
DIMENSION = "ecs:service:DesiredCount"
POLICY = "api-gateway-cpu-70"
IDENTITY = {"ServiceNamespace": "ecs", "ResourceId": RESOURCE_ID, "ScalableDimension": DIMENSION}
TARGET_ARN = f"arn:aws:application-autoscaling:{REGION}:123456789012:scalable-target/0e6a1b2c3d4e5f60718293a4b5c6d7e8f901"
ROLE_ARN = (
    "arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_ECSService"
)
POLICY_ARN = (
    f"arn:aws:autoscaling:{REGION}:123456789012:scalingPolicy:6d8972f3-efc8-437c-92d1-6270f29a66e7:"
    f"resource/ecs/{RESOURCE_ID}:policyName/{POLICY}"
)
CREATED = datetime.datetime(2025, 3, 1, 10, 15, 42, tzinfo=datetime.timezone.utc)
ALARMS = [
    {
        "AlarmName": f"TargetTracking-{RESOURCE_ID}-AlarmHigh-8b2e6a0e",
        "AlarmARN": f"arn:aws:cloudwatch:{REGION}:123456789012:alarm:TargetTracking-{RESOURCE_ID}-AlarmHigh-8b2e6a0e",
    },
    {
        "AlarmName": f"TargetTracking-{RESOURCE_ID}-AlarmLow-0c1d2e3f",
        "AlarmARN": f"arn:aws:cloudwatch:{REGION}:123456789012:alarm:TargetTracking-{RESOURCE_ID}-AlarmLow-0c1d2e3f",
    },
]
CPU = {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}
# DOC 3.3, as the user writes it: an int target value, no disable_scale_in.
ARGS = {
    "resource_id": RESOURCE_ID,
    "min_capacity": 2,
    "max_capacity": 10,
    "policy_name": POLICY,
    "target_tracking_scaling_policy_configuration": {
        "predefined_metric_type": "ECSServiceAverageCPUUtilization",
        "target_value": 70,
        "scale_out_cooldown": 60,
        "scale_in_cooldown": 300,
    },
    "region": REGION,
}
ABSENT = {"resource_id": RESOURCE_ID, "policy_name": POLICY, "state": "absent", "region": REGION}


def target(min_capacity=2, max_capacity=10):
    """A ScalableTarget as DescribeScalableTargets returns it."""
    return dict(
        IDENTITY,
        MinCapacity=min_capacity,
        MaxCapacity=max_capacity,
        RoleARN=ROLE_ARN,
        CreationTime=CREATED,
        SuspendedState={
            "DynamicScalingInSuspended": False,
            "DynamicScalingOutSuspended": False,
            "ScheduledScalingSuspended": False,
        },
        ScalableTargetARN=TARGET_ARN,
    )


def configuration(target_value=70.0, out=60, scale_in=300, metric=None):
    """A TargetTrackingScalingPolicyConfiguration as AWS returns it (float, DisableScaleIn filled in)."""
    config = {
        "TargetValue": target_value,
        "PredefinedMetricSpecification": metric or CPU,
        "ScaleOutCooldown": out,
        "ScaleInCooldown": scale_in,
        "DisableScaleIn": False,
    }
    return {k: v for k, v in config.items() if v is not None}


def policy(name=POLICY, config=None, **overrides):
    """A ScalingPolicy as DescribeScalingPolicies returns it."""
    item = dict(
        IDENTITY,
        PolicyARN=POLICY_ARN.replace(POLICY, name),
        PolicyName=name,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration=config or configuration(),
        Alarms=ALARMS,
        CreationTime=CREATED,
    )
    item.update(overrides)
    return {k: v for k, v in item.items() if v is not None}


class Stub:
    """A real boto3 application-autoscaling client with a Stubber, and shortcuts for its calls."""

    def __init__(self):
        self.client = boto3.client(
            "application-autoscaling", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self.stubber = Stubber(self.client)

    def describe_target(self, item):
        self.stubber.add_response(
            "describe_scalable_targets",
            {"ScalableTargets": [item] if item else []},
            {"ServiceNamespace": "ecs", "ResourceIds": [RESOURCE_ID], "ScalableDimension": DIMENSION},
        )

    def describe_policies(self, items):
        self.stubber.add_response("describe_scaling_policies", {"ScalingPolicies": list(items)}, dict(IDENTITY))

    def register(self, **capacities):
        self.stubber.add_response(
            "register_scalable_target", {"ScalableTargetARN": TARGET_ARN}, dict(IDENTITY, **capacities)
        )

    def put(self, config):
        self.stubber.add_response(
            "put_scaling_policy",
            {"PolicyARN": POLICY_ARN, "Alarms": ALARMS},
            dict(
                IDENTITY,
                PolicyName=POLICY,
                PolicyType="TargetTrackingScaling",
                TargetTrackingScalingPolicyConfiguration=config,
            ),
        )

    def delete_policy(self):
        self.stubber.add_response("delete_scaling_policy", {}, dict(IDENTITY, PolicyName=POLICY))

    def deregister(self):
        self.stubber.add_response("deregister_scalable_target", {}, dict(IDENTITY))

    def error(self, operation, code, message, status=400):
        self.stubber.add_client_error(
            operation, service_error_code=code, service_message=message, http_status_code=status
        )


@pytest.fixture()
def aas():
    stub = Stub()
    with consumed(stub.stubber):
        yield stub


def run(aas, args, check_mode=False, diff=True):
    """Run main() with ``args`` against the stubbed client; return (failed, result)."""
    return run_main(module_under_test, args, aas.client, check_mode=check_mode, diff=diff)


def assert_aws_failure(result, action, text, code):
    """The task failed naming the action, with AWS's message and error code."""
    assert result["msg"].startswith(f"Failed to {action}")
    assert text in result["msg"]
    assert result["error"]["code"] == code


def with_config(**changes):
    args = dict(ARGS)
    args["target_tracking_scaling_policy_configuration"] = dict(
        ARGS["target_tracking_scaling_policy_configuration"], **changes
    )
    return args


# --- no change --------------------------------------------------------------------------------
def test_no_change_when_aws_filled_disable_scale_in_and_returns_a_float(aas):
    aas.describe_target(target())
    aas.describe_policies([policy()])  # TargetValue 70.0, DisableScaleIn False: AWS's shape

    failed, result = run(aas, ARGS)  # target_value 70 (int), disable_scale_in left at its default

    assert not failed, result
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["scalable_target"]["max_capacity"] == 10
    assert result["scalable_target"]["scalable_target_arn"] == TARGET_ARN
    assert "tags" not in result["scalable_target"]
    assert result["scaling_policy"]["policy_arn"] == POLICY_ARN
    assert result["scaling_policy"]["alarms"][0] == {
        "alarm_name": ALARMS[0]["AlarmName"],
        "alarm_arn": ALARMS[0]["AlarmARN"],
    }
    assert result["scaling_policy"]["target_tracking_scaling_policy_configuration"] == {
        "target_value": 70.0,
        "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
        "scale_out_cooldown": 60,
        "scale_in_cooldown": 300,
        "disable_scale_in": False,
    }


def test_no_change_when_disable_scale_in_is_missing_from_the_answer(aas):
    # A policy created without DisableScaleIn, as moto and older API answers show it: AWS treats
    # the missing flag as false, which is the option's default.
    config = configuration()
    del config["DisableScaleIn"]
    aas.describe_target(target())
    aas.describe_policies([policy(config=config)])

    failed, result = run(aas, ARGS)

    assert not failed, result
    assert result["changed"] is False


def test_policies_of_other_resources_and_names_are_ignored(aas):
    aas.describe_target(target())
    other_resource = policy(ResourceId=RESOURCE_ID + "-v2", config=configuration(target_value=10.0))
    other_name = policy(name="api-gateway-memory-80", config=configuration(target_value=80.0))
    aas.describe_policies([other_resource, other_name, policy()])

    failed, result = run(aas, ARGS)

    assert not failed, result
    assert result["changed"] is False
    assert result["scaling_policy"]["policy_name"] == POLICY


# --- modify -------------------------------------------------------------------------------------
def test_change_of_target_value_puts_the_policy_only(aas):
    aas.describe_target(target())
    aas.describe_policies([policy()])
    aas.put(configuration(target_value=60.0))  # no RegisterScalableTarget: the target is unchanged
    aas.describe_policies([policy(config=configuration(target_value=60.0))])

    failed, result = run(aas, with_config(target_value=60))

    assert not failed, result
    assert result["changed"] is True
    before = result["diff"]["before"]["scaling_policy"]["target_tracking_scaling_policy_configuration"]
    after = result["diff"]["after"]["scaling_policy"]["target_tracking_scaling_policy_configuration"]
    assert (before["target_value"], after["target_value"]) == (70.0, 60.0)
    assert result["diff"]["before"]["scalable_target"] == result["diff"]["after"]["scalable_target"]


def test_change_of_max_registers_the_target_only(aas):
    aas.describe_target(target())
    aas.register(MaxCapacity=12)  # only what differs; the desired count is not part of the call
    aas.describe_target(target(max_capacity=12))
    aas.describe_policies([policy()])  # no PutScalingPolicy: the policy is unchanged

    failed, result = run(aas, dict(ARGS, max_capacity=12))

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["scalable_target"]["max_capacity"] == 10
    assert result["diff"]["after"]["scalable_target"]["max_capacity"] == 12
    assert result["scalable_target"]["max_capacity"] == 12
    assert result["diff"]["before"]["scaling_policy"] == result["diff"]["after"]["scaling_policy"]


def test_change_of_disable_scale_in_puts_the_policy(aas):
    aas.describe_target(target())
    aas.describe_policies([policy()])
    aas.put(dict(configuration(), DisableScaleIn=True))
    aas.describe_policies([policy(config=dict(configuration(), DisableScaleIn=True), Alarms=ALARMS[:1])])

    failed, result = run(aas, with_config(disable_scale_in=True))

    assert not failed, result
    assert result["changed"] is True
    assert len(result["scaling_policy"]["alarms"]) == 1


def test_unset_cooldowns_and_capacities_are_left_alone(aas):
    aas.describe_target(target(min_capacity=3, max_capacity=10))
    aas.describe_policies([policy(config=configuration(out=120, scale_in=600))])
    # the new target value goes with the current cooldowns; min_capacity 3 is not sent
    aas.put(configuration(target_value=65.0, out=120, scale_in=600))
    aas.describe_policies([policy(config=configuration(target_value=65.0, out=120, scale_in=600))])

    args = {
        "resource_id": RESOURCE_ID,
        "max_capacity": 10,
        "policy_name": POLICY,
        "target_tracking_scaling_policy_configuration": {
            "predefined_metric_type": "ECSServiceAverageCPUUtilization",
            "target_value": 65,
        },
        "region": REGION,
    }
    failed, result = run(aas, args)

    assert not failed, result
    assert result["changed"] is True
    assert result["scalable_target"]["min_capacity"] == 3


def test_a_step_scaling_policy_of_the_same_name_is_replaced(aas):
    step = policy(
        PolicyType="StepScaling",
        TargetTrackingScalingPolicyConfiguration=None,
        StepScalingPolicyConfiguration={"AdjustmentType": "ChangeInCapacity", "Cooldown": 60},
    )
    aas.describe_target(target())
    aas.describe_policies([step])
    aas.put(configuration())
    aas.describe_policies([policy()])

    failed, result = run(aas, ARGS)

    assert not failed, result
    assert result["changed"] is True
    assert result["scaling_policy"]["policy_type"] == "TargetTrackingScaling"


def test_modify_in_check_mode_writes_nothing(aas):
    aas.describe_target(target())
    aas.describe_policies([policy()])  # only the two reads: no write queued

    failed, result = run(aas, dict(with_config(target_value=60, scale_in_cooldown=120), max_capacity=12), True)

    assert not failed, result
    assert result["changed"] is True
    assert result["scalable_target"]["max_capacity"] == 12
    assert result["scalable_target"]["scalable_target_arn"] == TARGET_ARN
    config = result["scaling_policy"]["target_tracking_scaling_policy_configuration"]
    assert (config["target_value"], config["scale_in_cooldown"], config["scale_out_cooldown"]) == (60.0, 120, 60)
    assert result["scaling_policy"]["alarms"]  # an updated policy keeps its alarms
    assert result["diff"]["after"]["scalable_target"]["max_capacity"] == 12


# --- create -------------------------------------------------------------------------------------
def test_create_registers_the_target_then_puts_the_policy(aas):
    aas.describe_target(None)
    aas.register(MinCapacity=2, MaxCapacity=10)
    aas.describe_target(target())
    aas.describe_policies([])
    aas.put(configuration())
    aas.describe_policies([policy()])

    failed, result = run(aas, ARGS)

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {"scalable_target": {}, "scaling_policy": {}}
    assert result["scaling_policy"]["policy_arn"] == POLICY_ARN
    assert [a["alarm_name"] for a in result["scaling_policy"]["alarms"]] == [a["AlarmName"] for a in ALARMS]


def test_create_in_check_mode_writes_nothing(aas):
    aas.describe_target(None)
    aas.describe_policies([])

    failed, result = run(aas, ARGS, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["scalable_target"] == {
        "service_namespace": "ecs",
        "resource_id": RESOURCE_ID,
        "scalable_dimension": DIMENSION,
        "min_capacity": 2,
        "max_capacity": 10,
    }
    assert result["scaling_policy"] == {
        "service_namespace": "ecs",
        "resource_id": RESOURCE_ID,
        "scalable_dimension": DIMENSION,
        "policy_name": POLICY,
        "policy_type": "TargetTrackingScaling",
        "target_tracking_scaling_policy_configuration": {
            "target_value": 70.0,
            "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
            "scale_out_cooldown": 60,
            "scale_in_cooldown": 300,
            "disable_scale_in": False,
        },
    }
    assert result["diff"]["after"] == {"scalable_target": result["scalable_target"], "scaling_policy": result["scaling_policy"]}


def test_new_target_without_capacities_fails_before_any_write(aas):
    aas.describe_target(None)  # the only call

    args = dict(ARGS)
    del args["min_capacity"]
    failed, result = run(aas, args)

    assert failed
    assert "is not registered yet: set both min_capacity and max_capacity" in result["msg"]


def test_max_below_the_current_min_fails_before_any_write(aas):
    aas.describe_target(target(min_capacity=4))

    args = dict(ARGS, max_capacity=3)
    del args["min_capacity"]
    failed, result = run(aas, args, check_mode=True)

    assert failed
    assert "min_capacity=4 above max_capacity=3" in result["msg"]


# --- delete -------------------------------------------------------------------------------------
def test_delete_policy_then_deregister_target(aas):
    aas.describe_policies([policy()])  # the check for other policies
    aas.describe_policies([policy()])
    aas.delete_policy()
    aas.describe_target(target())
    aas.deregister()

    failed, result = run(aas, ABSENT)

    assert not failed, result
    assert result["changed"] is True
    assert result["scalable_target"] == {} and result["scaling_policy"] == {}
    assert result["diff"]["before"]["scaling_policy"]["policy_arn"] == POLICY_ARN
    assert result["diff"]["after"] == {"scalable_target": {}, "scaling_policy": {}}


def test_delete_in_check_mode_writes_nothing(aas):
    aas.describe_policies([policy()])
    aas.describe_policies([policy()])
    aas.describe_target(target())

    failed, result = run(aas, ABSENT, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["scalable_target"]["max_capacity"] == 10


def test_delete_when_nothing_exists_changes_nothing(aas):
    aas.describe_policies([])
    aas.describe_policies([])
    aas.describe_target(None)

    failed, result = run(aas, ABSENT)

    assert not failed, result
    assert result["changed"] is False


def test_delete_of_things_already_gone_is_not_an_error(aas):
    # Someone deleted both between our reads and our calls: AWS answers ObjectNotFoundException.
    aas.describe_policies([policy()])
    aas.describe_policies([policy()])
    where = f"service namespace: ecs, resource ID: {RESOURCE_ID}, scalable dimension: {DIMENSION}"
    aas.error("delete_scaling_policy", "ObjectNotFoundException", f"No scaling policy found for {where}, policy name: {POLICY}")
    aas.describe_target(target())
    aas.error("deregister_scalable_target", "ObjectNotFoundException", f"No scalable target found for {where}")

    failed, result = run(aas, ABSENT)

    assert not failed, result
    assert result["changed"] is True


def test_delete_only_the_policy_keeps_the_target(aas):
    aas.describe_policies([policy()])
    aas.delete_policy()
    aas.describe_target(target())  # read for the result, never deregistered

    failed, result = run(aas, dict(ABSENT, deregister_scalable_target=False))

    assert not failed, result
    assert result["changed"] is True
    assert result["scalable_target"]["max_capacity"] == 10
    assert result["diff"]["before"]["scalable_target"] == result["diff"]["after"]["scalable_target"]


def test_deregister_refuses_when_other_policies_would_be_deleted(aas):
    aas.describe_policies([policy(), policy(name="api-gateway-memory-80")])  # no write queued

    failed, result = run(aas, ABSENT)

    assert failed
    assert "other scaling policies (api-gateway-memory-80)" in result["msg"]
    assert "deregister_scalable_target: false" in result["msg"]


# --- AWS errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "registered, operation, code, message, action",
    [
        # RegisterScalableTarget for an ECS service that does not exist
        (
            False,
            "register_scalable_target",
            "ValidationException",
            f"ECS service doesn't exist: {RESOURCE_ID}",
            f"register the scalable target {RESOURCE_ID}",
        ),
        # the target was deregistered by someone between our read and PutScalingPolicy
        (
            True,
            "put_scaling_policy",
            "ObjectNotFoundException",
            f"No scalable target registered for service namespace: ecs, resource ID: {RESOURCE_ID}, "
            f"scalable dimension: {DIMENSION}",
            f"put the scaling policy {POLICY} of {RESOURCE_ID}",
        ),
    ],
)
def test_aws_errors_are_reported_with_the_action(aas, registered, operation, code, message, action):
    aas.describe_target(target() if registered else None)
    if registered:
        aas.describe_policies([])
    aas.error(operation, code, message)

    failed, result = run(aas, ARGS)

    assert failed
    assert_aws_failure(result, action, message, code)


def test_concurrent_update_is_retried(aas):
    aas.describe_target(target())
    aas.error("register_scalable_target", "ConcurrentUpdateException", "Concurrent update in progress")
    aas.register(MaxCapacity=12)
    aas.describe_target(target(max_capacity=12))
    aas.describe_policies([policy()])

    with mock.patch("time.sleep"):
        failed, result = run(aas, dict(ARGS, max_capacity=12))

    assert not failed, result
    assert result["scalable_target"]["max_capacity"] == 12


def test_access_denied_on_read_names_the_action(aas):
    aas.error(
        "describe_scalable_targets",
        "AccessDeniedException",
        "User is not authorized to perform: application-autoscaling:DescribeScalableTargets",
        status=403,
    )

    failed, result = run(aas, ARGS)

    assert failed
    assert_aws_failure(result, f"describe the scalable target {RESOURCE_ID}", "not authorized", "AccessDeniedException")


# --- validation before any AWS call -------------------------------------------------------------
@pytest.mark.parametrize(
    "args, fragment",
    [
        (dict(ARGS, min_capacity=11), "min_capacity=11 is greater than max_capacity=10"),
        (dict(ARGS, min_capacity=-1), "min_capacity=-1 is negative"),
        (with_config(target_value=0), "target_value=0.0 must be greater than 0"),
        (with_config(target_value=170), "is above 100, but ECSServiceAverageCPUUtilization is a percentage"),
        (with_config(scale_in_cooldown=-5), "scale_in_cooldown=-5 is negative"),
        (dict(ARGS, resource_id="medtech-prod-cluster/api-gateway"), "is not an ECS service"),
        (dict(ARGS, resource_id="service/medtech prod/api"), "is not an ECS service"),
        (dict(ARGS, scalable_dimension="dynamodb:table:ReadCapacityUnits"), "does not belong to service_namespace=ecs"),
        (dict(ARGS, service_namespace="dynamodb", resource_id="table/x"), "scalable_dimension is required"),
        (with_config(predefined_metric_type="ALBRequestCountPerTarget", target_value=1000), "resource_label is required"),
        (with_config(resource_label="app/alb/1/targetgroup/tg/2"), "resource_label applies only to ALBRequestCountPerTarget"),
        ({k: v for k, v in ARGS.items() if k != "target_tracking_scaling_policy_configuration"},
         "target_tracking_scaling_policy_configuration"),
    ],
)
def test_invalid_options_fail_before_any_aws_call(aas, args, fragment):
    failed, result = run(aas, args)  # nothing queued: any AWS call would fail differently

    assert failed
    assert fragment in result["msg"]


def test_a_target_value_above_100_is_fine_for_a_count_metric(aas):
    assert module_under_test.validate_params(
        dict(
            ARGS,
            service_namespace="ecs",
            scalable_dimension=None,
            target_tracking_scaling_policy_configuration={
                "predefined_metric_type": "ALBRequestCountPerTarget",
                "resource_label": "app/medtech-prod-alb/0123456789abcdef/targetgroup/api-gateway-blue/fedcba9876543210",
                "target_value": 1000.0,
            },
        )
    ) == []


@pytest.mark.parametrize(
    "metric, percent",
    [
        ("ECSServiceAverageCPUUtilization", True),
        ("ECSServiceAverageMemoryUtilizationHighResolution", True),
        ("ElastiCacheDatabaseMemoryUsagePercentage", True),
        ("LambdaProvisionedConcurrencyUtilization", False),
        ("ALBRequestCountPerTarget", False),
        ("SageMakerVariantInvocationsPerInstance", False),
    ],
)
def test_is_percent_metric(metric, percent):
    assert module_under_test.is_percent_metric(metric) is percent
