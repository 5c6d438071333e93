# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for codedeploy_deployment_group against botocore's Stubber, and its pure functions.

moto (5.2.5) has no UpdateDeploymentGroup and no DeleteDeploymentGroup, and answers
``alarmConfiguration: {}`` whatever was set; so updates (real and check mode), deletes, alarms and
AWS's error answers are tested here, with GetDeploymentGroup answering in AWS's form. The Stubber
validates each request against the CodeDeploy model and fails on any call not queued, so "no
write" and "no call before validation" are asserted by queueing none. The account for the ARN
(sts:GetCallerIdentity) is patched, as it is not what is tested.
"""

from __future__ import annotations

import copy
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.module_utils import codedeploy as codedeploy_utils
from ansible_collections.medtech.aws_platform.plugins.modules import codedeploy_deployment_group as module_under_test

REGION = "eu-central-1"
APP = "medtech-prod-api"
GROUP = "medtech-prod-api-bg"
ARN = f"arn:aws:codedeploy:{REGION}:123456789012:deploymentgroup:{APP}/{GROUP}"
ROLE = "arn:aws:iam::123456789012:role/medtech-codedeploy-ecs"
PROD = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:listener/app/medtech-prod/0123456789abcdef/1111111111111111"
TEST = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:listener/app/medtech-prod/0123456789abcdef/2222222222222222"
KEY = {"applicationName": APP, "deploymentGroupName": GROUP}
ARGS = {
    "application_name": APP,
    "deployment_group_name": GROUP,
    "service_role_arn": ROLE,
    "ecs_services": [{"cluster_name": "medtech-prod-cluster", "service_name": "api"}],
    "load_balancer_info": {
        "target_group_pair_info": {
            "target_groups": ["api-green", "api-blue"],
            "prod_traffic_route_listener_arns": [PROD],
            "test_traffic_route_listener_arns": [TEST],
        }
    },
    "blue_green_deployment_configuration": {
        "terminate_blue_instances_on_deployment_success": {"termination_wait_time_in_minutes": 15},
    },
    "auto_rollback_configuration": {"enabled": True, "events": ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE"]},
    "alarm_configuration": {"enabled": True, "alarms": ["api-latency", "api-5xx"]},
    "region": REGION,
}
# What GetDeploymentGroup answers at AWS for that group (lists in AWS's order, values AWS fills in).
INFO = {
    "applicationName": APP,
    "deploymentGroupId": "1c2d3e4f-5a6b-7c8d-9e0f-112233445566",
    "deploymentGroupName": GROUP,
    "deploymentConfigName": "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
    "ec2TagFilters": [],
    "onPremisesInstanceTagFilters": [],
    "autoScalingGroups": [],
    "serviceRoleArn": ROLE,
    "triggerConfigurations": [],
    "alarmConfiguration": {
        "enabled": True,
        "ignorePollAlarmFailure": False,
        "alarms": [{"name": "api-5xx"}, {"name": "api-latency"}],
    },
    "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
    "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    "outdatedInstancesStrategy": "UPDATE",
    "blueGreenDeploymentConfiguration": {
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 15},
        "deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 30},
    },
    "loadBalancerInfo": {
        "targetGroupPairInfoList": [
            {
                "targetGroups": [{"name": "api-blue"}, {"name": "api-green"}],
                "prodTrafficRoute": {"listenerArns": [PROD]},
                "testTrafficRoute": {"listenerArns": [TEST]},
            }
        ]
    },
    "computePlatform": "ECS",
    "ecsServices": [{"serviceName": "api", "clusterName": "medtech-prod-cluster"}],
    "terminationHookEnabled": False,
}


@pytest.fixture(autouse=True)
def account():
    with mock.patch.object(codedeploy_utils, "get_aws_account_info", return_value=("123456789012", "aws")) as info:
        yield info


@pytest.fixture()
def client():
    return boto3.client("codedeploy", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


def queue_read(stub, info=None, tags=None):
    stub.add_response("get_deployment_group", {"deploymentGroupInfo": info or INFO}, KEY)
    stub.add_response("list_tags_for_resource",
                      {"Tags": [{"Key": key, "Value": value} for key, value in (tags or {}).items()]}, {"ResourceArn": ARN})


def queue_missing(stub, code="DeploymentGroupDoesNotExistException"):
    stub.add_client_error("get_deployment_group", service_error_code=code,
                          service_message="The deployment group does not exist with the user or AWS account.",
                          http_status_code=400, expected_params=KEY)


def run(client, stub, args, **kwargs):
    with consumed(stub):
        return run_main(module_under_test, args, client, **kwargs)


# --- no change ------------------------------------------------------------------------------------
@pytest.mark.parametrize("check_mode", [False, True])
def test_same_settings_in_another_order_are_no_change(client, check_mode):
    stub = Stubber(client)
    queue_read(stub)  # no UpdateDeploymentGroup queued: any write fails the test
    failed, result = run(client, stub, ARGS, check_mode=check_mode, diff=True)
    assert not failed, result
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    group = result["deployment_group"]
    assert group["arn"] == ARN
    assert group["alarm_configuration"]["alarms"] == [{"name": "api-5xx"}, {"name": "api-latency"}]
    assert group["tags"] == {}


# --- update ---------------------------------------------------------------------------------------
def test_update_sends_only_what_differs(client):
    stub = Stubber(client)
    queue_read(stub)
    changed = dict(INFO, deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
                   alarmConfiguration=dict(INFO["alarmConfiguration"], alarms=[{"name": "api-5xx"}]))
    stub.add_response("update_deployment_group", {"hooksNotCleanedUp": []}, {
        "applicationName": APP,
        "currentDeploymentGroupName": GROUP,
        "deploymentConfigName": "CodeDeployDefault.ECSAllAtOnce",
        "alarmConfiguration": {"enabled": True, "ignorePollAlarmFailure": False, "alarms": [{"name": "api-5xx"}]},
    })
    queue_read(stub, changed)
    args = dict(ARGS, deployment_config_name="CodeDeployDefault.ECSAllAtOnce",
                alarm_configuration={"enabled": True, "alarms": ["api-5xx"]})
    failed, result = run(client, stub, args, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["deployment_group"]["deployment_config_name"] == "CodeDeployDefault.ECSAllAtOnce"
    assert result["diff"]["before"]["alarm_configuration"]["alarms"] == [{"name": "api-5xx"}, {"name": "api-latency"}]
    assert result["diff"]["after"]["alarm_configuration"]["alarms"] == [{"name": "api-5xx"}]


def test_update_in_check_mode_writes_nothing_and_says_changed(client):
    stub = Stubber(client)
    queue_read(stub)
    args = dict(ARGS, deployment_config_name="CodeDeployDefault.ECSAllAtOnce")
    failed, result = run(client, stub, args, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["deployment_config_name"] == "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"
    assert result["diff"]["after"]["deployment_config_name"] == "CodeDeployDefault.ECSAllAtOnce"
    assert result["deployment_group"]["deployment_config_name"] == "CodeDeployDefault.ECSAllAtOnce"


def test_unset_suboptions_keep_their_values(client):
    """Only the termination wait changes; the deployment ready option the user did not set is sent as it is."""
    stub = Stubber(client)
    queue_read(stub)
    wanted = copy.deepcopy(INFO["blueGreenDeploymentConfiguration"])
    wanted["terminateBlueInstancesOnDeploymentSuccess"]["terminationWaitTimeInMinutes"] = 60
    stub.add_response("update_deployment_group", {"hooksNotCleanedUp": []},
                      dict(applicationName=APP, currentDeploymentGroupName=GROUP, blueGreenDeploymentConfiguration=wanted))
    queue_read(stub, dict(INFO, blueGreenDeploymentConfiguration=wanted))
    args = dict(ARGS, blue_green_deployment_configuration={
        "terminate_blue_instances_on_deployment_success": {"termination_wait_time_in_minutes": 60}})
    failed, result = run(client, stub, args)
    assert not failed, result
    assert result["changed"] is True


@pytest.mark.parametrize("code", ["InvalidDeploymentConfigNameException", "DeploymentConfigDoesNotExistException"])
def test_update_error_is_reported(client, code):
    stub = Stubber(client)
    queue_read(stub)
    stub.add_client_error("update_deployment_group", service_error_code=code,
                          service_message="The deployment configuration name was specified in an invalid format.",
                          http_status_code=400)
    failed, result = run(client, stub, dict(ARGS, deployment_config_name="CodeDeployDefault.OneAtATime"))
    assert failed
    assert result["msg"].startswith(f"Failed to update the CodeDeploy deployment group {GROUP} of the application {APP}")
    assert result["error"]["code"] == code


def test_tags_are_converged_without_update(client):
    stub = Stubber(client)
    queue_read(stub, tags={"environment": "prod", "old": "x"})
    stub.add_response("untag_resource", {}, {"ResourceArn": ARN, "TagKeys": ["old"]})
    stub.add_response("tag_resource", {}, {"ResourceArn": ARN, "Tags": [{"Key": "owner", "Value": "platform"}]})
    queue_read(stub, tags={"environment": "prod", "owner": "platform"})
    failed, result = run(client, stub, dict(ARGS, tags={"environment": "prod", "owner": "platform"}))
    assert not failed, result
    assert result["changed"] is True
    assert result["deployment_group"]["tags"] == {"environment": "prod", "owner": "platform"}


# --- create ---------------------------------------------------------------------------------------
def test_create_error_is_reported(client):
    stub = Stubber(client)
    queue_missing(stub)
    stub.add_response("get_application", {"application": {"applicationName": APP, "computePlatform": "ECS"}},
                      {"applicationName": APP})
    stub.add_client_error("create_deployment_group", service_error_code="InvalidRoleException",
                          service_message="AWS CodeDeploy does not have the permissions required to assume the role",
                          http_status_code=400)
    failed, result = run(client, stub, ARGS)
    assert failed
    assert result["msg"].startswith(f"Failed to create the CodeDeploy deployment group {GROUP}")
    assert result["error"]["code"] == "InvalidRoleException"


def test_missing_application_in_check_mode_warns_and_reports_the_create(client):
    stub = Stubber(client)
    queue_missing(stub, "ApplicationDoesNotExistException")
    failed, result = run(client, stub, ARGS, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert any("does not exist" in warning for warning in result.get("warnings", []))
    assert result["diff"]["after"]["deployment_style"] == {
        "deployment_type": "BLUE_GREEN", "deployment_option": "WITH_TRAFFIC_CONTROL"}


def test_missing_application_fails(client):
    stub = Stubber(client)
    queue_missing(stub, "ApplicationDoesNotExistException")
    failed, result = run(client, stub, ARGS)
    assert failed
    assert f"CodeDeploy application {APP} does not exist: create it first" in result["msg"]


# --- delete ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("check_mode", [False, True])
def test_delete(client, check_mode):
    stub = Stubber(client)
    queue_read(stub, tags={"environment": "prod"})
    if not check_mode:
        stub.add_response("delete_deployment_group", {"hooksNotCleanedUp": []}, KEY)
    args = {"application_name": APP, "deployment_group_name": GROUP, "state": "absent", "region": REGION}
    failed, result = run(client, stub, args, check_mode=check_mode, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["deployment_group"] == {}
    assert result["diff"]["before"]["ecs_services"] == [{"cluster_name": "medtech-prod-cluster", "service_name": "api"}]
    assert result["diff"]["after"] == {}


@pytest.mark.parametrize("code", ["DeploymentGroupDoesNotExistException", "ApplicationDoesNotExistException"])
def test_delete_missing_is_no_change(client, code):
    stub = Stubber(client)
    queue_missing(stub, code)
    args = {"application_name": APP, "deployment_group_name": GROUP, "state": "absent", "region": REGION}
    failed, result = run(client, stub, args)
    assert not failed and result["changed"] is False


def test_delete_error_is_reported(client):
    stub = Stubber(client)
    queue_read(stub)
    stub.add_client_error("delete_deployment_group", service_error_code="InvalidRoleException",
                          service_message="The service role cannot be assumed", http_status_code=400)
    args = {"application_name": APP, "deployment_group_name": GROUP, "state": "absent", "region": REGION}
    failed, result = run(client, stub, args)
    assert failed
    assert result["msg"].startswith(f"Failed to delete the CodeDeploy deployment group {GROUP}")


def test_read_error_is_reported(client):
    stub = Stubber(client)
    stub.add_client_error("get_deployment_group", service_error_code="InvalidDeploymentGroupNameException",
                          service_message="The deployment group name was specified in an invalid format.",
                          http_status_code=400)
    failed, result = run(client, stub, ARGS)
    assert failed
    assert result["msg"].startswith(f"Failed to read the CodeDeploy deployment group {GROUP}")


# --- validation, before any AWS call ----------------------------------------------------------------
@pytest.mark.parametrize("change, expected", [
    ({"alarm_configuration": {"enabled": True, "alarms": [f"a{i}" for i in range(11)]}},
     "alarm_configuration.alarms lists 11 alarms: CodeDeploy allows at most 10"),
    ({"alarm_configuration": {"enabled": True, "alarms": []},
      "auto_rollback_configuration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}},
     "alarm_configuration.enabled is true but alarm_configuration.alarms is empty"),
    ({"alarm_configuration": {"enabled": False, "alarms": ["a"]}},
     "auto_rollback_configuration.events has DEPLOYMENT_STOP_ON_ALARM, but no alarms are enabled"),
    ({"load_balancer_info": {"target_group_pair_info": {"target_groups": ["a", "a"], "prod_traffic_route_listener_arns": [PROD]}}},
     "load_balancer_info.target_group_pair_info.target_groups has 1 distinct target group(s)"),
    ({"load_balancer_info": {"target_group_pair_info": {"target_groups": ["a", "b", "c"], "prod_traffic_route_listener_arns": [PROD]}}},
     "needs exactly two"),
    ({"blue_green_deployment_configuration": {"terminate_blue_instances_on_deployment_success": {"termination_wait_time_in_minutes": 2881}}},
     "termination_wait_time_in_minutes is 2881: set 0 to 2880"),
    ({"ecs_services": None}, "load_balancer_info is set without ecs_services"),
])
def test_invalid_options_fail_before_any_call(client, change, expected):
    stub = Stubber(client)  # nothing queued: any call fails the test
    failed, result = run(client, stub, dict(ARGS, **change))
    assert failed
    assert result["msg"].startswith("Invalid options: ")
    assert expected in result["msg"]


def test_ecs_group_without_services_fails_before_create(client):
    stub = Stubber(client)
    queue_missing(stub)
    stub.add_response("get_application", {"application": {"applicationName": APP, "computePlatform": "ECS"}},
                      {"applicationName": APP})
    args = {key: value for key, value in ARGS.items() if key not in ("ecs_services", "load_balancer_info")}
    failed, result = run(client, stub, args)
    assert failed
    assert "needs ecs_services and load_balancer_info" in result["msg"]


# --- pure functions -------------------------------------------------------------------------------
def test_covers_ignores_order_and_unset_keys():
    assert codedeploy_utils.covers(INFO["alarmConfiguration"], {"enabled": True, "alarms": [{"name": "api-latency"}, {"name": "api-5xx"}]})
    assert not codedeploy_utils.covers(INFO["alarmConfiguration"], {"alarms": [{"name": "api-5xx"}]})
    assert codedeploy_utils.covers(None, [])
    assert not codedeploy_utils.covers({"events": ["A"]}, {"events": ["A", "B"]})
