# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the codedeploy_deployment module, against botocore's Stubber.

The Stubber validates every request against the real CodeDeploy API model and answers with the
responses queued here, in order; an unexpected call fails the test, so "nothing created" is
asserted by queueing no CreateDeployment. These are the paths the emulator never takes: a
deployment that fails or is stopped and rolled back while followed, a wait that times out, a
deployment that completes between ListDeployments and StopDeployment, AWS's errors, and a last
successful deployment that AWS reports with its AppSpec's sha256 only (no content).
"""

from __future__ import annotations

import datetime
import hashlib
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.modules import codedeploy_deployment as module_under_test

APP = "medtech-prod-api"
GROUP = "medtech-prod-api-bg"
CONTENT = '{"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service"}}]}'
SHA = hashlib.sha256(CONTENT.encode()).hexdigest()
OLD_SHA = "0" * 64
GROUP_ARGS = {"application_name": APP, "deployment_group_name": GROUP}
ARGS = {"application_name": APP, "deployment_group_name": GROUP, "appspec_content": CONTENT, "poll_interval": 0}
CREATED = datetime.datetime(2025, 3, 1, 10, 0, tzinfo=datetime.timezone.utc)
IN_FLIGHT = ["Created", "Queued", "InProgress", "Baking", "Ready"]
GROUP_KEY = {"applicationName": APP, "deploymentGroupName": GROUP}


@pytest.fixture()
def client():
    return boto3.client("codedeploy", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x")


@pytest.fixture(autouse=True)
def no_sleep():
    with mock.patch.object(module_under_test.time, "sleep") as sleep:
        yield sleep


def info(deployment_id, status, sha=SHA, **extra):
    """A deploymentInfo as AWS returns it for an ECS deployment (revision with its sha256 only)."""
    return {"deploymentInfo": dict({
        "applicationName": APP, "deploymentGroupName": GROUP, "deploymentId": deployment_id, "status": status,
        "deploymentConfigName": "CodeDeployDefault.ECSAllAtOnce", "createTime": CREATED, "creator": "user",
        "computePlatform": "ECS", "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"sha256": sha}},
    }, **extra)}


def group(last_successful=None):
    group_info = {"applicationName": APP, "deploymentGroupName": GROUP, "computePlatform": "ECS"}
    if last_successful:
        group_info["lastSuccessfulDeployment"] = {"deploymentId": last_successful, "status": "Succeeded"}
    return {"deploymentGroupInfo": group_info}


def queue_start(stubber, in_flight=(), last=None):
    stubber.add_response("get_deployment_group", group(last and last["deploymentInfo"]["deploymentId"]), GROUP_KEY)
    stubber.add_response("list_deployments", {"deployments": list(in_flight)},
                         dict(GROUP_KEY, includeOnlyStatuses=IN_FLIGHT))
    if last and not in_flight:
        stubber.add_response("get_deployment", last, {"deploymentId": last["deploymentInfo"]["deploymentId"]})


def queue_create(stubber, deployment_id="d-NEW000001"):
    revision = {"revisionType": "AppSpecContent", "appSpecContent": {"content": CONTENT, "sha256": SHA}}
    stubber.add_response("create_deployment", {"deploymentId": deployment_id}, dict(GROUP_KEY, revision=revision))


def test_failed_deployment_fails_with_its_error_and_rollback(client):
    stubber = Stubber(client)
    last = info("d-OLD000001", "Succeeded", OLD_SHA)
    queue_start(stubber, last=last)
    queue_create(stubber)
    stubber.add_response("get_deployment", info("d-NEW000001", "InProgress", deploymentOverview={"InProgress": 1}),
                         {"deploymentId": "d-NEW000001"})
    failed = info("d-NEW000001", "Failed", deploymentOverview={"Failed": 1}, completeTime=CREATED,
                  errorInformation={"code": "HEALTH_CONSTRAINTS", "message": "The overall deployment failed because "
                                    "too many individual instances failed deployment"},
                  rollbackInfo={"rollbackDeploymentId": "d-RB0000001",
                                "rollbackMessage": "Deployment d-NEW000001 failed; rolled back by d-RB0000001"})
    stubber.add_response("get_deployment", failed, {"deploymentId": "d-NEW000001"})
    with consumed(stubber):
        is_failed, result = run_main(module_under_test, ARGS, client)
    assert is_failed
    assert result["changed"] is True  # the deployment was created before it failed
    assert result["msg"].startswith("deployment d-NEW000001 failed (HEALTH_CONSTRAINTS: The overall deployment")
    assert "rolled back in deployment d-RB0000001" in result["msg"]
    assert result["deployment"]["error_information"]["code"] == "HEALTH_CONSTRAINTS"
    assert result["deployment"]["rollback_info"]["rollback_deployment_id"] == "d-RB0000001"
    assert [(p["status"], p["deployment_overview"]) for p in result["progress"]] == [
        ("InProgress", {"InProgress": 1}), ("Failed", {"Failed": 1})]


def test_stopped_deployment_without_rollback_says_so(client):
    stubber = Stubber(client)
    queue_start(stubber)
    queue_create(stubber)
    stopped = info("d-NEW000001", "Stopped", errorInformation={"code": "MANUAL_STOP", "message": "Stopped manually"},
                   rollbackInfo={"rollbackMessage": "Automatic rollback is disabled for this deployment group"})
    stubber.add_response("get_deployment", stopped, {"deploymentId": "d-NEW000001"})
    with consumed(stubber):
        is_failed, result = run_main(module_under_test, ARGS, client)
    assert is_failed
    assert result["msg"] == ("deployment d-NEW000001 was stopped (MANUAL_STOP: Stopped manually); it was not rolled "
                             "back: Automatic rollback is disabled for this deployment group")


def test_wait_times_out_naming_the_deployment_and_its_status(client, no_sleep):
    stubber = Stubber(client)
    queue_start(stubber)
    queue_create(stubber)
    for _read in range(3):
        stubber.add_response("get_deployment", info("d-NEW000001", "InProgress"), {"deploymentId": "d-NEW000001"})
    with consumed(stubber), mock.patch.object(module_under_test.time, "monotonic", side_effect=[0, 10, 20, 30]):
        is_failed, result = run_main(module_under_test, dict(ARGS, wait_timeout=25, poll_interval=10), client)
    assert is_failed
    assert result["msg"].startswith("deployment d-NEW000001 is still InProgress after 25 seconds")
    assert len(result["progress"]) == 1  # one status seen, recorded once
    assert no_sleep.call_args_list == [mock.call(10), mock.call(10)]


@pytest.mark.parametrize("check_mode", [False, True])
def test_refuses_to_create_while_a_deployment_is_in_flight(client, check_mode):
    stubber = Stubber(client)
    queue_start(stubber, in_flight=["d-BUSY00001"])
    stubber.add_response("get_deployment", info("d-BUSY00001", "Baking"), {"deploymentId": "d-BUSY00001"})
    with consumed(stubber):  # no CreateDeployment queued: one would fail the test
        is_failed, result = run_main(module_under_test, ARGS, client, check_mode=check_mode)
    assert is_failed
    assert result["msg"].startswith("a deployment is already in progress: d-BUSY00001 (Baking)")
    assert result["changed"] is False
    assert "wait for it or run the rollback playbook" in result["msg"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_same_appspec_as_last_successful_sha256_only_is_no_change(client, check_mode):
    stubber = Stubber(client)
    last = info("d-OLD000001", "Succeeded", SHA)
    queue_start(stubber, last=last)
    with consumed(stubber):
        is_failed, result = run_main(module_under_test, ARGS, client, check_mode=check_mode, diff=True)
    assert not is_failed and result["changed"] is False
    assert result["deployment"]["deployment_id"] == "d-OLD000001" and result["deployment"]["revision_sha256"] == SHA
    assert result["diff"]["before"] == result["diff"]["after"] == {"revision_sha256": SHA}


def test_a_listed_deployment_that_completed_before_it_was_read_is_not_in_flight(client):
    """ListDeployments said in flight, GetDeployment says Succeeded (a rollback finishing in
    between): the module goes on rather than refusing with a contradictory message."""
    stubber = Stubber(client)
    stubber.add_response("get_deployment_group", group(), GROUP_KEY)
    stubber.add_response("list_deployments", {"deployments": ["d-RB0000001"]}, dict(GROUP_KEY, includeOnlyStatuses=IN_FLIGHT))
    stubber.add_response("get_deployment", info("d-RB0000001", "Succeeded"), {"deploymentId": "d-RB0000001"})
    with consumed(stubber):
        is_failed, result = run_main(module_under_test, ARGS, client, check_mode=True)
    assert not is_failed and result["changed"] is True


def test_check_mode_would_create_and_creates_nothing(client):
    stubber = Stubber(client)
    last = info("d-OLD000001", "Succeeded", OLD_SHA)
    queue_start(stubber, last=last)
    with consumed(stubber):
        is_failed, result = run_main(module_under_test, ARGS, client, check_mode=True, diff=True)
    assert not is_failed and result["changed"] is True
    assert result["diff"] == {"before": {"revision_sha256": OLD_SHA}, "after": {"revision_sha256": SHA}}


def test_stopped_is_no_change_when_the_deployment_completed_before_the_stop(client):
    stubber = Stubber(client)
    stubber.add_response("list_deployments", {"deployments": ["d-BUSY00001"]}, dict(GROUP_KEY, includeOnlyStatuses=IN_FLIGHT))
    stubber.add_client_error("stop_deployment", "DeploymentAlreadyCompletedException",
                             "The deployment d-BUSY00001 is already completed.",
                             expected_params={"deploymentId": "d-BUSY00001", "autoRollbackEnabled": True})
    stubber.add_response("get_deployment", info("d-BUSY00001", "Succeeded"), {"deploymentId": "d-BUSY00001"})
    with consumed(stubber):
        is_failed, result = run_main(module_under_test, dict(GROUP_ARGS, state="stopped"), client)
    assert not is_failed and result["changed"] is False
    assert result["deployment"]["status"] == "Succeeded"


def test_stop_reports_aws_answer_and_rollback(client):
    stubber = Stubber(client)
    stubber.add_response("list_deployments", {"deployments": ["d-BUSY00001"]}, dict(GROUP_KEY, includeOnlyStatuses=IN_FLIGHT))
    stubber.add_response("stop_deployment", {"status": "Pending", "statusMessage": "Stopping deployment d-BUSY00001"},
                         {"deploymentId": "d-BUSY00001", "autoRollbackEnabled": True})
    stubber.add_response("get_deployment", info("d-BUSY00001", "InProgress"), {"deploymentId": "d-BUSY00001"})
    stopped = info("d-BUSY00001", "Stopped", errorInformation={"code": "MANUAL_STOP", "message": "stopped"},
                   rollbackInfo={"rollbackDeploymentId": "d-RB0000001", "rollbackMessage": "rolling back"})
    stubber.add_response("get_deployment", stopped, {"deploymentId": "d-BUSY00001"})
    with consumed(stubber):
        is_failed, result = run_main(module_under_test, dict(GROUP_ARGS, state="stopped", poll_interval=0), client)
    assert not is_failed and result["changed"] is True  # a stop that ends Stopped is what was asked
    assert result["stop_status"] == {"status": "Pending", "status_message": "Stopping deployment d-BUSY00001"}
    assert result["deployment"]["rollback_info"]["rollback_deployment_id"] == "d-RB0000001"


def test_missing_deployment_group_fails_naming_the_action(client):
    stubber = Stubber(client)
    stubber.add_client_error("get_deployment_group", "DeploymentGroupDoesNotExistException",
                             f"No Deployment Group found for name: {GROUP}", expected_params=GROUP_KEY)
    with consumed(stubber):
        is_failed, result = run_main(module_under_test, ARGS, client)
    assert is_failed
    assert f"read the CodeDeploy deployment group {GROUP} of the application {APP}" in result["msg"]
    assert result["error"]["code"] == "DeploymentGroupDoesNotExistException"


@pytest.mark.parametrize("args, message", [
    ({"appspec_content": "  "}, "appspec_content is empty or missing"),
    ({"wait_timeout": 0}, "wait_timeout is 0"),
    ({"poll_interval": -1}, "poll_interval is -1"),
])
def test_invalid_options_fail_before_any_aws_call(client, args, message):
    with consumed(Stubber(client)):
        is_failed, result = run_main(module_under_test, dict(ARGS, **args), client)
    assert is_failed and result["msg"].startswith("Invalid options: ") and message in result["msg"]
