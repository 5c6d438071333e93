# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real application_autoscaling_policy module, run by ``ansible``, against
the emulator.

Each call is ``ansible localhost -m medtech.aws_platform.application_autoscaling_policy -a
'<json>' --diff`` with the emulator's endpoint; what the module did is read back from the
emulator with boto3. moto registers an ECS scalable target only for a service that exists, so
each test creates a cluster and a service first.

moto is more lenient than AWS here: it stores the policy configuration as sent (AWS adds
``DisableScaleIn: false``), never moves a desired count into a new min/max range, and does not
delete a deregistered target's policies. Those paths, and errors as AWS returns them, are covered
by the Stubber unit tests (tests/unit/plugins/modules/test_application_autoscaling_policy_stubbed.py).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.application_autoscaling_policy"
REGION = "eu-central-1"
CLUSTER = "medtech-prod-cluster"
SERVICE = "api-gateway"
RESOURCE_ID = f"service/{CLUSTER}/{SERVICE}"
DIMENSION = "ecs:service:DesiredCount"
POLICY = "api-gateway-cpu-70"
# DOC 3.3: target tracking on CPU 70 %, min 2, max 10, scale-out cooldown 60 s, scale-in 300 s.
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
}


@pytest.fixture()
def run_module(ansible_module):
    """``run_module(args, check=False)``: the module's result dict, in the test region."""
    return lambda args, check=False: ansible_module(MODULE, dict(args, region=REGION), check=check)


@pytest.fixture()
def ecs(aws):
    """An ECS client, with the cluster and the api-gateway service (desired count 2)."""
    client = aws.client("ecs", REGION)
    client.create_cluster(clusterName=CLUSTER)
    task_definition = client.register_task_definition(
        family=SERVICE,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="512",
        memory="1024",
        containerDefinitions=[{"name": "app", "image": "nginx:stable", "essential": True}],
    )["taskDefinition"]["taskDefinitionArn"]
    client.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition=task_definition, desiredCount=2)
    return client


@pytest.fixture()
def autoscaling(aws, ecs):
    return aws.client("application-autoscaling", REGION)


def targets(autoscaling):
    return autoscaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[RESOURCE_ID])["ScalableTargets"]


def policies(autoscaling):
    return [
        p
        for p in autoscaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=RESOURCE_ID)[
            "ScalingPolicies"
        ]
        if p["ResourceId"] == RESOURCE_ID
    ]


def desired_count(ecs):
    return ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]["desiredCount"]


def ok(result):
    assert not result.get("failed"), result
    return result


def test_create_check_mode_then_create_then_no_change(run_module, autoscaling):
    result = ok(run_module(ARGS, check=True))
    assert result["changed"] is True
    assert result["diff"]["before"] == {"scalable_target": {}, "scaling_policy": {}}
    assert result["diff"]["after"]["scalable_target"]["max_capacity"] == 10
    after_policy = result["diff"]["after"]["scaling_policy"]
    assert after_policy["target_tracking_scaling_policy_configuration"]["target_value"] == 70.0
    assert result["scaling_policy"]["policy_name"] == POLICY
    assert targets(autoscaling) == [] and policies(autoscaling) == []  # check mode wrote nothing

    result = ok(run_module(ARGS, check=True))  # the check run is repeatable
    assert result["changed"] is True
    assert targets(autoscaling) == []

    result = ok(run_module(ARGS))
    assert result["changed"] is True
    [target] = targets(autoscaling)
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 10)
    [policy] = policies(autoscaling)
    assert policy["PolicyName"] == POLICY
    assert policy["PolicyType"] == "TargetTrackingScaling"
    configuration = policy["TargetTrackingScalingPolicyConfiguration"]
    assert configuration["TargetValue"] == 70.0
    assert configuration["PredefinedMetricSpecification"] == {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}
    assert (configuration["ScaleOutCooldown"], configuration["ScaleInCooldown"]) == (60, 300)
    assert configuration["DisableScaleIn"] is False
    assert result["scaling_policy"]["policy_arn"] == policy["PolicyARN"]
    assert result["scaling_policy"]["alarms"]  # the alarms AWS created for the policy are returned
    assert result["scalable_target"]["min_capacity"] == 2

    result = ok(run_module(ARGS))
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["scaling_policy"]["policy_arn"] == policy["PolicyARN"]

    result = ok(run_module(ARGS, check=True))
    assert result["changed"] is False


def test_modify_target_value_and_max_check_mode_then_for_real(run_module, autoscaling):
    ok(run_module(ARGS))
    changed = dict(ARGS, max_capacity=12)
    changed["target_tracking_scaling_policy_configuration"] = dict(
        ARGS["target_tracking_scaling_policy_configuration"], target_value=60.0
    )

    result = ok(run_module(changed, check=True))
    assert result["changed"] is True
    assert result["diff"]["before"]["scalable_target"]["max_capacity"] == 10
    assert result["diff"]["after"]["scalable_target"]["max_capacity"] == 12
    before_config = result["diff"]["before"]["scaling_policy"]["target_tracking_scaling_policy_configuration"]
    after_config = result["diff"]["after"]["scaling_policy"]["target_tracking_scaling_policy_configuration"]
    assert (before_config["target_value"], after_config["target_value"]) == (70.0, 60.0)
    assert targets(autoscaling)[0]["MaxCapacity"] == 10  # check mode wrote nothing
    assert policies(autoscaling)[0]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 70.0

    for expected_change in (True, False):
        result = ok(run_module(changed))
        assert result["changed"] is expected_change
        assert targets(autoscaling)[0]["MaxCapacity"] == 12
        assert targets(autoscaling)[0]["MinCapacity"] == 2
        assert policies(autoscaling)[0]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 60.0
        assert result["scaling_policy"]["target_tracking_scaling_policy_configuration"]["target_value"] == 60.0

    assert ok(run_module(changed, check=True))["changed"] is False


def test_unset_options_are_left_alone(run_module, autoscaling):
    ok(run_module(ARGS))
    # Only max_capacity and the target value: min_capacity and both cooldowns stay as they are.
    args = {
        "resource_id": RESOURCE_ID,
        "max_capacity": 8,
        "policy_name": POLICY,
        "target_tracking_scaling_policy_configuration": {
            "predefined_metric_type": "ECSServiceAverageCPUUtilization",
            "target_value": 70,
        },
    }
    assert ok(run_module(args))["changed"] is True
    [target] = targets(autoscaling)
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 8)
    configuration = policies(autoscaling)[0]["TargetTrackingScalingPolicyConfiguration"]
    assert (configuration["ScaleOutCooldown"], configuration["ScaleInCooldown"]) == (60, 300)
    assert ok(run_module(args))["changed"] is False


def test_desired_count_moved_by_autoscaling_is_kept(run_module, autoscaling, ecs):
    ok(run_module(ARGS))
    ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=6)  # as autoscaling would

    result = ok(run_module(ARGS))
    assert result["changed"] is False
    assert desired_count(ecs) == 6

    # A new range that still contains 6 does not touch the desired count either.
    result = ok(run_module(dict(ARGS, max_capacity=9)))
    assert result["changed"] is True
    assert desired_count(ecs) == 6


def test_delete_check_mode_then_delete_then_no_change(run_module, autoscaling):
    ok(run_module(ARGS))
    args = {"resource_id": RESOURCE_ID, "policy_name": POLICY, "state": "absent"}

    result = ok(run_module(args, check=True))
    assert result["changed"] is True
    assert result["diff"]["before"]["scaling_policy"]["policy_name"] == POLICY
    assert result["diff"]["after"] == {"scalable_target": {}, "scaling_policy": {}}
    assert len(targets(autoscaling)) == 1 and len(policies(autoscaling)) == 1  # nothing deleted

    result = ok(run_module(args))
    assert result["changed"] is True
    assert result["scalable_target"] == {} and result["scaling_policy"] == {}
    assert targets(autoscaling) == [] and policies(autoscaling) == []

    result = ok(run_module(args))
    assert result["changed"] is False
    assert ok(run_module(args, check=True))["changed"] is False


def test_delete_only_the_policy_keeps_the_target(run_module, autoscaling):
    ok(run_module(ARGS))
    args = {"resource_id": RESOURCE_ID, "policy_name": POLICY, "deregister_scalable_target": False, "state": "absent"}

    for expected_change in (True, False):
        result = ok(run_module(args))
        assert result["changed"] is expected_change
        assert policies(autoscaling) == []
        assert targets(autoscaling)[0]["MaxCapacity"] == 10
        assert result["scalable_target"]["max_capacity"] == 10


def test_deregister_refuses_to_delete_other_policies(run_module, autoscaling):
    ok(run_module(ARGS))
    memory = dict(ARGS, policy_name="api-gateway-memory-80")
    memory["target_tracking_scaling_policy_configuration"] = {
        "predefined_metric_type": "ECSServiceAverageMemoryUtilization",
        "target_value": 80,
    }
    ok(run_module(memory))

    result = run_module({"resource_id": RESOURCE_ID, "policy_name": POLICY, "state": "absent"})
    assert result.get("failed") is True
    assert "api-gateway-memory-80" in result["msg"]
    assert "deregister_scalable_target: false" in result["msg"]
    assert len(policies(autoscaling)) == 2 and len(targets(autoscaling)) == 1  # nothing deleted


def test_missing_ecs_service_is_reported(run_module, aws):
    aws.client("ecs", REGION).create_cluster(clusterName=CLUSTER)
    result = run_module(ARGS)
    assert result.get("failed") is True
    assert f"Failed to register the scalable target {RESOURCE_ID}" in result["msg"]
    assert "ValidationException" in str(result.get("error")) or "doesn't exist" in result["msg"]


def test_invalid_resource_id_fails_before_any_call(run_module, autoscaling):
    result = run_module(dict(ARGS, resource_id=f"{CLUSTER}/{SERVICE}"))
    assert result.get("failed") is True
    assert "resource_id" in result["msg"] and "service/<cluster name>/<service name>" in result["msg"]
    assert targets(autoscaling) == []
