# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real codedeploy_deployment_group module, run by ``ansible``, against the emulator.

moto (5.2.5) creates, reads and tags deployment groups, but has no UpdateDeploymentGroup and no
DeleteDeploymentGroup, and answers ``alarmConfiguration: {}`` whatever was set. So here: create
(check mode and real), no change on a second run and on reordered input, --diff, tags, and a
change detected in check mode; the update and delete writes, alarms, and AWS's error answers are
Stubber tests (tests/unit/plugins/modules/test_codedeploy_deployment_group_stubbed.py).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.codedeploy_deployment_group"
REGION = "eu-central-1"
APP = "medtech-prod-api"
GROUP = "medtech-prod-api-bg"
ROLE = "arn:aws:iam::123456789012:role/medtech-codedeploy-ecs"
PROD = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:listener/app/medtech-prod/0123456789abcdef/1111111111111111"
TEST = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:listener/app/medtech-prod/0123456789abcdef/2222222222222222"
PROD2 = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:listener/app/medtech-prod/0123456789abcdef/3333333333333333"
ARGS = {
    "application_name": APP,
    "deployment_group_name": GROUP,
    "service_role_arn": ROLE,
    "ecs_services": [{"cluster_name": "medtech-prod-cluster", "service_name": "api"}],
    "load_balancer_info": {
        "target_group_pair_info": {
            "target_groups": ["api-blue", "api-green"],
            "prod_traffic_route_listener_arns": [PROD, PROD2],
            "test_traffic_route_listener_arns": [TEST],
        }
    },
    "blue_green_deployment_configuration": {
        "terminate_blue_instances_on_deployment_success": {"action": "TERMINATE", "termination_wait_time_in_minutes": 15},
        "deployment_ready_option": {"action_on_timeout": "CONTINUE_DEPLOYMENT"},
    },
    "auto_rollback_configuration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"]},
    "tags": {"environment": "prod", "managed-by": "ansible"},
}
# The same settings, every list in another order.
REORDERED = dict(
    ARGS,
    load_balancer_info={
        "target_group_pair_info": {
            "target_groups": ["api-green", "api-blue"],
            "prod_traffic_route_listener_arns": [PROD2, PROD],
            "test_traffic_route_listener_arns": [TEST],
        }
    },
    auto_rollback_configuration={"enabled": True, "events": ["DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_FAILURE"]},
)
ARN = f"arn:aws:codedeploy:{REGION}:123456789012:deploymentgroup:{APP}/{GROUP}"


@pytest.fixture()
def codedeploy(aws):
    client = aws.client("codedeploy", REGION)
    client.create_application(applicationName=APP, computePlatform="ECS")
    return client


@pytest.fixture()
def run_module(ansible_module, codedeploy):
    def _run(args: dict, check: bool = False) -> dict:
        result = ansible_module(MODULE, dict(args, region=REGION), check=check)
        assert not result.get("failed"), result
        return result

    return _run


def group(codedeploy):
    try:
        return codedeploy.get_deployment_group(applicationName=APP, deploymentGroupName=GROUP)["deploymentGroupInfo"]
    except codedeploy.exceptions.DeploymentGroupDoesNotExistException:
        return None


def tags(codedeploy):
    return {tag["Key"]: tag["Value"] for tag in codedeploy.list_tags_for_resource(ResourceArn=ARN)["Tags"]}


def test_create_check_mode_then_real_then_no_change(run_module, codedeploy):
    result = run_module(ARGS, check=True)
    assert result["changed"] is True
    after = result["diff"]["after"]
    assert result["diff"]["before"] == {}
    assert after["deployment_config_name"] == "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"
    assert after["deployment_style"] == {"deployment_type": "BLUE_GREEN", "deployment_option": "WITH_TRAFFIC_CONTROL"}
    assert after["tags"] == ARGS["tags"]
    assert result["deployment_group"]["arn"] == ARN
    assert "deployment_group_id" not in result["deployment_group"]
    assert group(codedeploy) is None  # check mode created nothing

    result = run_module(ARGS)
    assert result["changed"] is True
    created = group(codedeploy)
    assert created["serviceRoleArn"] == ROLE
    assert created["deploymentConfigName"] == "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"
    assert created["deploymentStyle"] == {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    assert created["ecsServices"] == [{"serviceName": "api", "clusterName": "medtech-prod-cluster"}]
    pair = created["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    assert pair["targetGroups"] == [{"name": "api-blue"}, {"name": "api-green"}]
    assert pair["testTrafficRoute"] == {"listenerArns": [TEST]}
    assert created["blueGreenDeploymentConfiguration"]["terminateBlueInstancesOnDeploymentSuccess"] == {
        "action": "TERMINATE",
        "terminationWaitTimeInMinutes": 15,
    }
    assert tags(codedeploy) == ARGS["tags"]
    returned = result["deployment_group"]
    assert returned["deployment_group_id"] == created["deploymentGroupId"]
    assert returned["arn"] == ARN
    assert returned["tags"] == ARGS["tags"]
    assert returned["ecs_services"] == [{"service_name": "api", "cluster_name": "medtech-prod-cluster"}]
    assert result["diff"]["after"]["load_balancer_info"]["target_group_pair_info_list"][0]["target_groups"] == [
        {"name": "api-blue"},
        {"name": "api-green"},
    ]

    for args in (ARGS, REORDERED):
        for check in (True, False):
            again = run_module(args, check=check)
            assert again["changed"] is False, (args is REORDERED, check)
            assert again["diff"]["before"] == again["diff"]["after"]


def test_changed_setting_is_detected_in_check_mode(run_module, codedeploy):
    run_module(ARGS)
    result = run_module(dict(ARGS, deployment_config_name="CodeDeployDefault.ECSAllAtOnce"), check=True)
    assert result["changed"] is True
    assert result["diff"]["before"]["deployment_config_name"] == "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"
    assert result["diff"]["after"]["deployment_config_name"] == "CodeDeployDefault.ECSAllAtOnce"
    assert result["deployment_group"]["deployment_config_name"] == "CodeDeployDefault.ECSAllAtOnce"
    assert group(codedeploy)["deploymentConfigName"] == "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"


def test_tags_only_change_tags(run_module, codedeploy):
    run_module(ARGS)
    result = run_module(dict(ARGS, tags={"owner": "platform"}, purge_tags=False))
    assert result["changed"] is True
    assert tags(codedeploy) == dict(ARGS["tags"], owner="platform")
    assert result["diff"]["before"]["tags"] == ARGS["tags"]
    assert result["diff"]["after"]["tags"] == dict(ARGS["tags"], owner="platform")

    result = run_module(dict(ARGS, tags={"owner": "platform"}))
    assert result["changed"] is True
    assert tags(codedeploy) == {"owner": "platform"}
    assert run_module(dict(ARGS, tags={"owner": "platform"}))["changed"] is False


def test_missing_application_fails_before_writing(ansible_module, codedeploy):
    result = ansible_module(MODULE, dict(ARGS, application_name="medtech-nope", region=REGION))
    assert result.get("failed") is True
    assert "CodeDeploy application medtech-nope does not exist" in result["msg"]
    assert "codedeploy_application" in result["msg"]


def test_ecs_group_without_ecs_services_fails_before_writing(ansible_module, codedeploy):
    args = {key: value for key, value in ARGS.items() if key not in ("ecs_services", "load_balancer_info")}
    result = ansible_module(MODULE, dict(args, region=REGION))
    assert result.get("failed") is True
    assert "needs ecs_services and load_balancer_info" in result["msg"]
    assert group(codedeploy) is None


def test_absent_when_missing_is_no_change(run_module, codedeploy):
    result = run_module({"application_name": APP, "deployment_group_name": GROUP, "state": "absent"})
    assert result["changed"] is False
    result = run_module({"application_name": "medtech-nope", "deployment_group_name": GROUP, "state": "absent"})
    assert result["changed"] is False
