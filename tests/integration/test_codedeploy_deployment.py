# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real codedeploy_deployment module, run by ``ansible``, against the emulator.

The application and its ECS blue/green deployment group are created with boto3 here. The emulator
(scripts/moto_server.py) moves a deployment one step per GetDeployment read (Created -> InProgress
-> Succeeded), has StopDeployment with rollback, and reports the group's last successful
deployment, as AWS does; the module relies on none of that beyond AWS's documented answers.
Deployments that fail, time out or are rolled back while followed are Stubber tests
(tests/unit/plugins/modules/test_codedeploy_deployment_stubbed.py): the emulator never fails one.
"""

from __future__ import annotations

import hashlib
import json

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.codedeploy_deployment"
REGION = "eu-central-1"
APP = "medtech-prod-api"
GROUP = "medtech-prod-api-bg"
APPSPEC = {"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {
    "TaskDefinition": "arn:aws:ecs:eu-central-1:123456789012:task-definition/api:7",
    "LoadBalancerInfo": {"ContainerName": "api", "ContainerPort": 8080}}}}]}
CONTENT = json.dumps(APPSPEC)
BASE = {"application_name": APP, "deployment_group_name": GROUP, "poll_interval": 0, "region": REGION}


@pytest.fixture()
def codedeploy(aws):
    """The emulator's CodeDeploy with the ECS application and its blue/green deployment group."""
    client = aws.client("codedeploy", REGION)
    client.create_application(applicationName=APP, computePlatform="ECS")
    client.create_deployment_group(
        applicationName=APP, deploymentGroupName=GROUP, serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy",
        deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        ecsServices=[{"serviceName": "api", "clusterName": "medtech-prod-cluster"}],
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"]})
    return client


def _ids(codedeploy):
    return codedeploy.list_deployments(applicationName=APP, deploymentGroupName=GROUP)["deployments"]


def test_deploy_follow_to_succeeded_then_no_change(ansible_module, codedeploy):
    args = dict(BASE, appspec_content=CONTENT, description="api 7")
    checked = ansible_module(MODULE, args, check=True)
    assert checked["changed"] is True, checked
    assert _ids(codedeploy) == []  # check mode creates nothing
    sha = hashlib.sha256(CONTENT.encode()).hexdigest()
    assert checked["diff"] == {"before": {}, "after": {"revision_sha256": sha}}

    first = ansible_module(MODULE, args)
    assert first["changed"] is True, first
    deployment = first["deployment"]
    assert deployment["status"] == "Succeeded" and deployment["revision_sha256"] == sha
    assert deployment["description"] == "api 7" and deployment["complete_time"]
    assert "content" not in json.dumps(deployment)  # never the AppSpec itself
    assert [step["status"] for step in first["progress"]] == ["InProgress", "Succeeded"]
    assert _ids(codedeploy) == [deployment["deployment_id"]]
    sent = codedeploy.get_deployment(deploymentId=deployment["deployment_id"])["deploymentInfo"]["revision"]
    assert sent == {"revisionType": "AppSpecContent", "appSpecContent": {"content": CONTENT, "sha256": sha}}

    for check in (True, False):
        again = ansible_module(MODULE, args, check=check)
        assert again["changed"] is False, again
        assert again["deployment"]["deployment_id"] == deployment["deployment_id"]
    # the same AppSpec as YAML, keys in another order, is the same AppSpec
    as_yaml = "Resources:\n" + "".join(f"  {line}\n" for line in [
        "- TargetService:", "    Properties:", "      LoadBalancerInfo: {ContainerPort: 8080, ContainerName: api}",
        f"      TaskDefinition: {APPSPEC['Resources'][0]['TargetService']['Properties']['TaskDefinition']}",
        "    Type: AWS::ECS::Service"]) + "version: 0.0\n"
    assert ansible_module(MODULE, dict(args, appspec_content=as_yaml))["changed"] is False
    assert len(_ids(codedeploy)) == 1

    forced = ansible_module(MODULE, dict(args, force=True, wait=False))
    assert forced["changed"] is True and forced["progress"] == []
    assert len(_ids(codedeploy)) == 2


def test_new_appspec_and_config_override(ansible_module, codedeploy):
    ansible_module(MODULE, dict(BASE, appspec_content=CONTENT))
    changed = CONTENT.replace("api:7", "api:8")
    result = ansible_module(MODULE, dict(BASE, appspec_content=changed,
                                         deployment_config_name="CodeDeployDefault.ECSCanary10Percent5Minutes"))
    assert result["changed"] is True and result["deployment"]["status"] == "Succeeded"
    assert result["deployment"]["deployment_config_name"] == "CodeDeployDefault.ECSCanary10Percent5Minutes"
    assert result["diff"]["before"]["revision_sha256"] != result["diff"]["after"]["revision_sha256"]
    assert len(_ids(codedeploy)) == 2

    unknown = ansible_module(MODULE, dict(BASE, appspec_content=CONTENT.replace("api:7", "api:9"),
                                          deployment_config_name="CodeDeployDefault.NoSuch"))
    assert unknown.get("failed") is True and "DeploymentConfigDoesNotExistException" in unknown["msg"]


def test_refuses_while_a_deployment_is_in_flight(ansible_module, codedeploy):
    ansible_module(MODULE, dict(BASE, appspec_content=CONTENT))["deployment"]["deployment_id"]
    for check in (True, False):
        # A new one each time: the emulator advances a deployment a step each time it is read,
        # and one that has completed by the time it is read is not in flight.
        busy = codedeploy.create_deployment(applicationName=APP, deploymentGroupName=GROUP, revision={
            "revisionType": "AppSpecContent", "appSpecContent": {"content": CONTENT.replace("api:7", "api:8")}})["deploymentId"]
        refused = ansible_module(MODULE, dict(BASE, appspec_content=CONTENT.replace("api:7", "api:9")), check=check)
        assert refused.get("failed") is True, refused
        assert f"a deployment is already in progress: {busy}" in refused["msg"]
        assert "rollback playbook" in refused["msg"]
    assert len(_ids(codedeploy)) == 3  # nothing created


def test_state_stopped_rolls_back_and_is_a_no_op_with_nothing_in_flight(ansible_module, codedeploy):
    idle = ansible_module(MODULE, dict(BASE, state="stopped"))
    assert idle["changed"] is False and idle["deployment"] == {}

    good = ansible_module(MODULE, dict(BASE, appspec_content=CONTENT))["deployment"]["deployment_id"]
    busy = codedeploy.create_deployment(applicationName=APP, deploymentGroupName=GROUP, revision={
        "revisionType": "AppSpecContent", "appSpecContent": {"content": CONTENT.replace("api:7", "api:8")}})["deploymentId"]
    checked = ansible_module(MODULE, dict(BASE, state="stopped"), check=True)
    assert checked["changed"] is True and checked["diff"] == {"before": {"in_flight_deployment_id": busy}, "after": {}}
    # (a GetDeployment here would advance the emulator's deployment; listing does not)
    assert codedeploy.list_deployments(applicationName=APP, deploymentGroupName=GROUP,
                                       includeOnlyStatuses=["Stopped"])["deployments"] == []

    stopped = ansible_module(MODULE, dict(BASE, state="stopped"))
    assert stopped["changed"] is True, stopped
    assert stopped["deployment"]["deployment_id"] == busy and stopped["deployment"]["status"] == "Stopped"
    assert stopped["stop_status"]["status"] == "Pending"
    rollback_id = stopped["deployment"]["rollback_info"]["rollback_deployment_id"]
    rollback = codedeploy.get_deployment(deploymentId=rollback_id)["deploymentInfo"]
    assert rollback["creator"] == "codeDeployRollback" and good in stopped["deployment"]["rollback_info"]["rollback_message"]
