# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the codepipeline module, against botocore's Stubber.

The Stubber validates every request against the real CodePipeline API model and answers with
the responses queued here, in order; an unexpected call fails the test, so "no UpdatePipeline"
(no change, check mode) and "no call at all" (invalid options) are asserted by queueing none,
and ``consumed`` asserts every queued call was made.

The responses are shaped as AWS answers: GetPipeline fills in ``runOrder``, ``pipelineType``
and ``executionMode``, masks secret configuration values as ``****``, and the errors are the
ones AWS returns (PipelineNotFoundException, InvalidStructureException,
InvalidActionDeclarationException, PipelineVersionNotFoundException), which moto does not
answer in these places.
"""

from __future__ import annotations

import copy
import datetime
import json
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.modules import codepipeline as module_under_test

REGION = "eu-central-1"
NAME = "medtech-api-release"
ARN = f"arn:aws:codepipeline:{REGION}:123456789012:{NAME}"
ROLE = "arn:aws:iam::123456789012:role/medtech-codepipeline"
BUCKET = "medtech-pipeline-artifacts"
TOKEN = "ghp_0123456789abcdefSECRET"
CREATED = datetime.datetime(2025, 3, 1, 10, 15, 42, tzinfo=datetime.timezone.utc)


def type_id(category, provider, owner="AWS"):
    return {"category": category, "owner": owner, "provider": provider, "version": "1"}


# As the user writes them: no runOrder, a bool and an int in configuration.
STAGES = [
    {"name": "Source", "actions": [{
        "name": "Source", "actionTypeId": type_id("Source", "S3"),
        "configuration": {"S3Bucket": "medtech-releases", "S3ObjectKey": "api.zip", "PollForSourceChanges": False},
        "outputArtifacts": [{"name": "SourceOutput"}]}]},
    {"name": "Build", "actions": [{
        "name": "Build", "actionTypeId": type_id("Build", "CodeBuild"),
        "configuration": {"ProjectName": "medtech-api", "BatchEnabled": False},
        "inputArtifacts": [{"name": "SourceOutput"}], "outputArtifacts": [{"name": "BuildOutput"}]}]},
    {"name": "Approve", "actions": [{
        "name": "Approve", "actionTypeId": type_id("Approval", "Manual")}]},
]
ARGS = {"name": NAME, "role_arn": ROLE, "artifact_store": {"location": BUCKET}, "stages": STAGES,
        "tags": {"environment": "prod"}, "region": REGION}


def sent_stages(stages=None):
    """The stages as the module sends them (configuration values as strings)."""
    stages = copy.deepcopy(stages or STAGES)
    for stage in stages:
        for action in stage["actions"]:
            action["configuration"] = {
                k: ("false" if v is False else v) for k, v in (action.get("configuration") or {}).items()
            } if "configuration" in action else None
            if action["configuration"] is None:
                del action["configuration"]
    return stages


def aws_stages(stages=None):
    """The stages as GetPipeline returns them (runOrder, configuration and artifacts filled in)."""
    stages = sent_stages(stages)
    for stage in stages:
        for action in stage["actions"]:
            action.setdefault("runOrder", 1)
            action.setdefault("configuration", {})
            action.setdefault("inputArtifacts", [])
            action.setdefault("outputArtifacts", [])
    return stages


def declaration(stages=None, version=None, **extra):
    item = {
        "name": NAME,
        "roleArn": ROLE,
        "artifactStore": {"type": "S3", "location": BUCKET},
        "stages": stages if stages is not None else sent_stages(),
        "pipelineType": "V2",
        "executionMode": "SUPERSEDED",
    }
    if version is not None:
        item["version"] = version
    item.update(extra)
    return item


def error(code, message):
    return {"service_error_code": code, "service_message": message, "http_status_code": 400}


class Stub:
    def __init__(self):
        self.client = boto3.client(
            "codepipeline", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self.stubber = Stubber(self.client)

    def get(self, pipeline=None, version=None):
        params = {"name": NAME} if version is None else {"name": NAME, "version": version}
        if pipeline is None:
            self.stubber.add_client_error(
                "get_pipeline", **error("PipelineNotFoundException",
                                        f"Account '123456789012' does not have a pipeline with name '{NAME}'"),
                expected_params=params,
            )
            return
        self.stubber.add_response(
            "get_pipeline",
            {"pipeline": pipeline, "metadata": {"pipelineArn": ARN, "created": CREATED, "updated": CREATED}},
            params,
        )

    def tags(self, tags):
        self.stubber.add_response(
            "list_tags_for_resource", {"tags": [{"key": k, "value": v} for k, v in tags.items()]}, {"resourceArn": ARN}
        )


@pytest.fixture()
def stub():
    return Stub()


def existing(**extra):
    return declaration(stages=aws_stages(), version=3, **extra)


def test_same_pipeline_in_aws_form_is_no_change_and_no_update(stub):
    stub.get(existing())
    stub.tags({"environment": "prod"})
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, ARGS, stub.client, diff=True)
    assert not failed, result
    assert result["changed"] is False
    assert result["pipeline"]["version"] == 3
    assert result["pipeline"]["pipeline_arn"] == ARN
    assert result["pipeline"]["stages"][0]["actions"][0]["actionTypeId"]["category"] == "Source"  # camelCase kept
    assert result["tags"] == {"environment": "prod"}
    assert result["diff"]["before"] == result["diff"]["after"]


def test_create_sends_strings_and_tags(stub):
    stub.get(None)
    stub.stubber.add_response(
        "create_pipeline",
        {"pipeline": declaration(version=1), "tags": [{"key": "environment", "value": "prod"}]},
        {"pipeline": declaration(), "tags": [{"key": "environment", "value": "prod"}]},
    )
    stub.get(declaration(stages=aws_stages(), version=1))
    stub.tags({"environment": "prod"})
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, ARGS, stub.client)
    assert not failed, result
    assert result["changed"] is True
    assert result["pipeline"]["version"] == 1


def test_create_refused_by_aws_is_reported(stub):
    stub.get(None)
    stub.stubber.add_client_error(
        "create_pipeline",
        **error("InvalidStructureException", f"CodePipeline is not authorized to perform AssumeRole on role {ROLE}"),
    )
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, ARGS, stub.client)
    assert failed
    assert result["msg"].startswith(f"Failed to create the pipeline {NAME}")
    assert result["error"]["code"] == "InvalidStructureException"


def test_changed_action_updates_with_version_and_keeps_variables(stub):
    variables = [{"name": "RELEASE", "defaultValue": "latest"}]
    stub.get(existing(variables=variables))
    stub.tags({"environment": "prod"})
    changed = copy.deepcopy(ARGS)
    changed["stages"][1]["actions"][0]["configuration"]["ProjectName"] = "medtech-api-v2"
    wanted_stages = sent_stages(changed["stages"])
    stub.stubber.add_response(
        "update_pipeline",
        {"pipeline": declaration(stages=wanted_stages, version=4, variables=variables)},
        {"pipeline": declaration(stages=wanted_stages, version=3, variables=variables)},
    )
    stub.get(declaration(stages=aws_stages(changed["stages"]), version=4, variables=variables), version=4)
    stub.tags({"environment": "prod"})
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, changed, stub.client, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["pipeline"]["version"] == 4
    before = result["diff"]["before"]["stages"][1]["actions"][0]["configuration"]["ProjectName"]
    after = result["diff"]["after"]["stages"][1]["actions"][0]["configuration"]["ProjectName"]
    assert (before, after) == ("medtech-api", "medtech-api-v2")


def test_changed_action_in_check_mode_writes_nothing(stub):
    stub.get(existing())
    stub.tags({"environment": "prod"})
    changed = copy.deepcopy(ARGS)
    changed["stages"][1]["actions"][0]["configuration"]["ProjectName"] = "medtech-api-v2"
    with consumed(stub.stubber):  # no update_pipeline queued: a call would fail the test
        failed, result = run_main(module_under_test, changed, stub.client, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["pipeline"]["version"] == 4
    assert result["pipeline"]["stages"][1]["actions"][0]["configuration"]["ProjectName"] == "medtech-api-v2"


def test_update_refused_with_invalid_action_declaration(stub):
    stub.get(existing())
    stub.tags({"environment": "prod"})
    changed = copy.deepcopy(ARGS)
    changed["stages"][1]["actions"][0]["configuration"] = {"BatchEnabled": "false"}
    stub.stubber.add_client_error(
        "update_pipeline",
        **error("InvalidActionDeclarationException",
                "Action configuration for action 'Build' is missing required configuration 'ProjectName'"),
    )
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, changed, stub.client)
    assert failed
    assert result["msg"].startswith(f"Failed to update the pipeline {NAME}")
    assert result["error"]["code"] == "InvalidActionDeclarationException"


def test_new_version_not_yet_visible_is_read_again(stub):
    stub.get(existing())
    stub.tags({"environment": "prod"})
    changed = dict(ARGS, execution_mode="QUEUED")
    stub.stubber.add_response(
        "update_pipeline",
        {"pipeline": declaration(version=4, executionMode="QUEUED")},
        {"pipeline": declaration(version=3, executionMode="QUEUED")},
    )
    stub.stubber.add_client_error(
        "get_pipeline",
        **error("PipelineVersionNotFoundException", f"Pipeline '{NAME}' does not have version '4'"),
        expected_params={"name": NAME, "version": 4},
    )
    stub.get(declaration(stages=aws_stages(), version=4, executionMode="QUEUED"), version=4)
    stub.tags({"environment": "prod"})
    with consumed(stub.stubber), mock.patch("time.sleep") as sleep:
        failed, result = run_main(module_under_test, changed, stub.client)
    assert not failed, result
    assert sleep.called
    assert result["pipeline"]["execution_mode"] == "QUEUED"


def test_masked_secret_is_no_change_and_never_shown(stub):
    github = copy.deepcopy(STAGES)
    github[0]["actions"][0] = {
        "name": "Source", "actionTypeId": type_id("Source", "GitHub", owner="ThirdParty"),
        "configuration": {"Owner": "medtech", "Repo": "api", "Branch": "main", "OAuthToken": TOKEN},
        "outputArtifacts": [{"name": "SourceOutput"}]}
    current = aws_stages(github)
    current[0]["actions"][0]["configuration"]["OAuthToken"] = "****"
    stub.get(declaration(stages=current, version=3))
    stub.tags({"environment": "prod"})
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, dict(ARGS, stages=github), stub.client, diff=True)
    assert not failed, result
    assert result["changed"] is False
    assert TOKEN not in json.dumps(result)


def test_secret_not_shown_when_created_in_check_mode(stub):
    github = copy.deepcopy(STAGES)
    github[0]["actions"][0]["configuration"] = {"OAuthToken": TOKEN, "Owner": "medtech", "Repo": "api", "Branch": "main"}
    github[0]["actions"][0]["actionTypeId"] = type_id("Source", "GitHub", owner="ThirdParty")
    stub.get(None)
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, dict(ARGS, stages=github), stub.client, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert TOKEN not in json.dumps(result)


def test_delete_and_delete_of_a_missing_pipeline(stub):
    stub.get(existing())
    stub.tags({})
    stub.stubber.add_response("delete_pipeline", {}, {"name": NAME})
    stub.get(None)
    absent = {"name": NAME, "state": "absent", "region": REGION}
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, absent, stub.client)
        assert not failed, result
        assert result["changed"] is True
        failed, result = run_main(module_under_test, absent, stub.client)
    assert not failed, result
    assert result["changed"] is False
    assert result["pipeline"] == {}


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda s: s[:1], "stages has 1 stage(s): a pipeline needs at least 2"),
        (lambda s: s + [dict(copy.deepcopy(s[2]))], "the stage name(s) Approve are used more than once"),
        (lambda s: [s[0], dict(s[1], actions=s[1]["actions"] + [dict(s[1]["actions"][0], outputArtifacts=[])])] + s[2:],
         "the action name(s) Build are used more than once in the stage"),
        (lambda s: [s[0], {"name": "Build", "actions": [dict(s[1]["actions"][0], actionTypeID={})]}] + s[2:],
         'Unknown parameter in stages[1].actions[0]: "actionTypeID"'),
        (lambda s: [s[0], {"name": "Build", "actions": [dict(s[1]["actions"][0], inputArtifacts=[{"name": "Src"}])]}]
         + s[2:], "inputArtifacts 'Src' is not an outputArtifacts name"),
        (lambda s: [s[1], s[0]] + s[2:], "the first stage may hold only Source actions"),
    ],
)
def test_invalid_stages_fail_before_any_call(stub, change, expected):
    args = dict(ARGS, stages=change(copy.deepcopy(STAGES)))
    with consumed(stub.stubber):  # nothing queued: any AWS call fails the test
        failed, result = run_main(module_under_test, args, stub.client)
    assert failed
    assert result["msg"].startswith("Invalid options: ")
    assert expected in result["msg"]


def test_options_fail_before_any_call(stub):
    args = dict(ARGS, pipeline_type="V1", execution_mode="PARALLEL", require_approval_notification=True,
                role_arn="medtech-codepipeline")
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, args, stub.client)
    assert failed
    assert "execution_mode PARALLEL needs pipeline_type V2" in result["msg"]
    assert "stages[2] (Approve) action 'Approve' is a manual approval without configuration.NotificationArn" in result["msg"]
    assert "role_arn 'medtech-codepipeline' is not an IAM role ARN" in result["msg"]


def test_actions_reordered_within_a_stage_is_no_change(stub):
    parallel = copy.deepcopy(STAGES)
    parallel[2]["actions"].append({"name": "Approve2", "actionTypeId": type_id("Approval", "Manual")})
    current = aws_stages(parallel)
    current[2]["actions"].reverse()
    stub.get(declaration(stages=current, version=3))
    stub.tags({"environment": "prod"})
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, dict(ARGS, stages=parallel), stub.client)
    assert not failed, result
    assert result["changed"] is False
