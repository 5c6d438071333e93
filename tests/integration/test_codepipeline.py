# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real codepipeline module, run by ``ansible``, against the emulator.

Each call is ``ansible localhost -m medtech.aws_platform.codepipeline -a '<json>' --diff`` (the
``ansible_module`` fixture); what the module did is read back from the emulator with boto3. moto
(5.2.5) bumps the pipeline's ``version`` on every UpdatePipeline, so an unchanged version proves
that no UpdatePipeline was sent. moto checks that the role exists and trusts
codepipeline.amazonaws.com; each test creates it.

AWS's refusals (InvalidStructureException, InvalidActionDeclarationException, ...), a
PipelineVersionNotFoundException after an update and masked secret values are Stubber tests
(tests/unit/plugins/modules/test_codepipeline_stubbed.py): moto does not answer them.
"""

from __future__ import annotations

import copy
import json

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.codepipeline"
REGION = "eu-central-1"
NAME = "medtech-api-release"
ROLE = "medtech-codepipeline"
TOPIC = f"arn:aws:sns:{REGION}:123456789012:medtech-approvals"
BUCKET = "medtech-pipeline-artifacts"


def action(name, category, provider, configuration=None, inputs=(), outputs=(), run_order=None):
    item = {
        "name": name,
        "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
    }
    if configuration is not None:
        item["configuration"] = configuration
    if inputs:
        item["inputArtifacts"] = [{"name": n} for n in inputs]
    if outputs:
        item["outputArtifacts"] = [{"name": n} for n in outputs]
    if run_order is not None:
        item["runOrder"] = run_order
    return item


# Source S3 -> Deploy ECS -> Build CodeBuild -> Approval Manual -> Deploy CodeDeployToECS
STAGES = [
    {"name": "Source", "actions": [action(
        "Source", "Source", "S3",
        {"S3Bucket": "medtech-releases", "S3ObjectKey": "api/release.zip", "PollForSourceChanges": False},
        outputs=["SourceOutput"])]},
    {"name": "DeployStaging", "actions": [action(
        "DeployECS", "Deploy", "ECS",
        {"ClusterName": "medtech-staging", "ServiceName": "api", "FileName": "imagedefinitions.json"},
        inputs=["SourceOutput"])]},
    {"name": "Build", "actions": [action(
        "Build", "Build", "CodeBuild",
        {"ProjectName": "medtech-api",
         "EnvironmentVariables": json.dumps([{"name": "STAGE", "value": "prod", "type": "PLAINTEXT"}])},
        inputs=["SourceOutput"], outputs=["BuildOutput"])]},
    {"name": "Approve", "actions": [action(
        "Approve", "Approval", "Manual", {"NotificationArn": TOPIC, "CustomData": "Release the API to prod?"})]},
    {"name": "DeployProd", "actions": [action(
        "BlueGreen", "Deploy", "CodeDeployToECS",
        {"ApplicationName": "medtech-api", "DeploymentGroupName": "medtech-api-prod",
         "TaskDefinitionTemplateArtifact": "BuildOutput", "AppSpecTemplateArtifact": "BuildOutput"},
        inputs=["BuildOutput"])]},
]

TAGS = {"environment": "prod", "project": "medtech", "managed-by": "ansible"}


@pytest.fixture()
def iam(aws):
    return aws.client("iam", REGION)


@pytest.fixture()
def codepipeline(aws):
    return aws.client("codepipeline", REGION)


@pytest.fixture()
def role_arn(iam):
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    return iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


@pytest.fixture()
def args(role_arn):
    return {
        "name": NAME,
        "role_arn": role_arn,
        "artifact_store": {"location": BUCKET},
        "stages": copy.deepcopy(STAGES),
        "require_approval_notification": True,
        "tags": dict(TAGS),
    }


@pytest.fixture()
def run_module(ansible_module):
    def _run(module_args: dict, check: bool = False) -> dict:
        return ansible_module(MODULE, dict(module_args, region=REGION), check=check)

    return _run


def ok(result):
    assert not result.get("failed"), result
    return result


def stored(codepipeline, name=NAME):
    """GetPipeline's pipeline and metadata from the emulator, or None."""
    try:
        response = codepipeline.get_pipeline(name=name)
    except codepipeline.exceptions.PipelineNotFoundException:
        return None
    return response


def tags_of(codepipeline, arn):
    return {t["key"]: t["value"] for t in codepipeline.list_tags_for_resource(resourceArn=arn)["tags"]}


def test_create_check_mode_then_for_real_then_no_change(run_module, codepipeline, args):
    for attempt in range(2):
        result = ok(run_module(args, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["before"] == {}
        assert [s["name"] for s in result["diff"]["after"]["stages"]] == [s["name"] for s in STAGES]
        assert result["pipeline"]["name"] == NAME
        assert "pipeline_arn" not in result["pipeline"]
        assert stored(codepipeline) is None  # check mode created nothing

    result = ok(run_module(args))
    assert result["changed"] is True
    got = stored(codepipeline)
    pipeline = got["pipeline"]
    assert pipeline["version"] == 1
    assert [s["name"] for s in pipeline["stages"]] == ["Source", "DeployStaging", "Build", "Approve", "DeployProd"]
    assert pipeline["stages"][0]["actions"][0]["configuration"]["PollForSourceChanges"] == "false"  # bool sent as str
    assert pipeline["pipelineType"] == "V2"
    assert pipeline["executionMode"] == "SUPERSEDED"
    assert pipeline["artifactStore"] == {"type": "S3", "location": BUCKET}
    arn = got["metadata"]["pipelineArn"]
    assert tags_of(codepipeline, arn) == TAGS
    assert result["pipeline"]["pipeline_arn"] == arn
    assert result["pipeline"]["role_arn"] == args["role_arn"]
    assert result["pipeline"]["version"] == 1
    assert result["tags"] == TAGS
    # stages come back in the API's camelCase (configuration keys untouched)
    assert result["pipeline"]["stages"][2]["actions"][0]["actionTypeId"]["provider"] == "CodeBuild"
    assert "ProjectName" in result["pipeline"]["stages"][2]["actions"][0]["configuration"]

    # second run, real and check mode: no change, and no UpdatePipeline (the version stays 1)
    for check in (False, True):
        result = ok(run_module(args, check=check))
        assert result["changed"] is False
        assert result["diff"]["before"] == result["diff"]["after"]
    assert stored(codepipeline)["pipeline"]["version"] == 1


def test_reordered_configuration_and_defaults_are_no_change(run_module, codepipeline, args):
    ok(run_module(args))
    same = copy.deepcopy(args)
    for stage in same["stages"]:
        for item in stage["actions"]:
            item["configuration"] = dict(reversed(list(item["configuration"].items())))
            item["runOrder"] = 1  # AWS's default, given explicitly
    # the JSON string in another key order, and the bool as a string
    build = same["stages"][2]["actions"][0]["configuration"]
    build["EnvironmentVariables"] = json.dumps([{"type": "PLAINTEXT", "value": "prod", "name": "STAGE"}])
    same["stages"][0]["actions"][0]["configuration"]["PollForSourceChanges"] = "false"
    same["tags"] = dict(reversed(list(TAGS.items())))

    result = ok(run_module(same))
    assert result["changed"] is False
    assert stored(codepipeline)["pipeline"]["version"] == 1


def test_changed_stage_check_mode_diff_then_update(run_module, codepipeline, args):
    ok(run_module(args))
    changed = copy.deepcopy(args)
    changed["stages"][2]["actions"][0]["configuration"]["ProjectName"] = "medtech-api-v2"

    for attempt in range(2):
        result = ok(run_module(changed, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        before = result["diff"]["before"]["stages"][2]["actions"][0]["configuration"]["ProjectName"]
        after = result["diff"]["after"]["stages"][2]["actions"][0]["configuration"]["ProjectName"]
        assert (before, after) == ("medtech-api", "medtech-api-v2")
        assert result["diff"]["before"]["stages"][0] == result["diff"]["after"]["stages"][0]
        assert result["pipeline"]["version"] == 2  # as it would be
        assert stored(codepipeline)["pipeline"]["version"] == 1  # nothing written

    result = ok(run_module(changed))
    assert result["changed"] is True
    pipeline = stored(codepipeline)["pipeline"]
    assert pipeline["version"] == 2
    assert pipeline["stages"][2]["actions"][0]["configuration"]["ProjectName"] == "medtech-api-v2"
    assert result["pipeline"]["version"] == 2

    assert ok(run_module(changed))["changed"] is False
    assert stored(codepipeline)["pipeline"]["version"] == 2


def test_execution_mode_change(run_module, codepipeline, args):
    ok(run_module(args))
    queued = dict(args, execution_mode="QUEUED")
    result = ok(run_module(queued))
    assert result["changed"] is True
    assert result["diff"]["before"]["execution_mode"] == "SUPERSEDED"
    assert result["diff"]["after"]["execution_mode"] == "QUEUED"
    assert stored(codepipeline)["pipeline"]["executionMode"] == "QUEUED"
    assert ok(run_module(queued))["changed"] is False


def test_tags_changed_without_update_pipeline(run_module, codepipeline, args):
    ok(run_module(args))
    arn = stored(codepipeline)["metadata"]["pipelineArn"]

    add = dict(args, tags={"owner": "platform-team"}, purge_tags=False)
    result = ok(run_module(add, check=True))
    assert result["changed"] is True
    assert result["tags"] == dict(TAGS, owner="platform-team")
    assert tags_of(codepipeline, arn) == TAGS

    result = ok(run_module(add))
    assert result["changed"] is True
    assert tags_of(codepipeline, arn) == dict(TAGS, owner="platform-team")
    assert ok(run_module(add))["changed"] is False

    purge = dict(args, tags={"environment": "prod"})
    result = ok(run_module(purge))
    assert result["changed"] is True
    assert result["diff"]["after"]["tags"] == {"environment": "prod"}
    assert tags_of(codepipeline, arn) == {"environment": "prod"}
    assert stored(codepipeline)["pipeline"]["version"] == 1  # tags alone never update the pipeline


def test_delete_check_mode_then_for_real_twice(run_module, codepipeline, args):
    ok(run_module(args))
    absent = {"name": NAME, "state": "absent"}

    result = ok(run_module(absent, check=True))
    assert result["changed"] is True
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["name"] == NAME
    assert stored(codepipeline) is not None

    result = ok(run_module(absent))
    assert result["changed"] is True
    assert result["pipeline"] == {}
    assert stored(codepipeline) is None

    for check in (False, True):
        result = ok(run_module(absent, check=check))
        assert result["changed"] is False


def test_invalid_stages_fail_before_any_call(run_module, codepipeline, args):
    bad = copy.deepcopy(args)
    bad["stages"][0]["actions"].append(action("Lint", "Build", "CodeBuild", {"ProjectName": "lint"}))
    bad["stages"][3]["actions"][0]["configuration"].pop("NotificationArn")
    bad["stages"][4]["actions"][0]["inputArtifacts"] = [{"name": "BuildOutpt"}]
    bad["stages"][2]["actions"][0]["configuration"]["Timeout"] = {"minutes": 5}
    result = run_module(bad)
    assert result.get("failed") is True, result
    msg = result["msg"]
    assert "stages[2].actions[0].configuration.Timeout is a dict: configuration values must be strings" in msg

    del bad["stages"][2]["actions"][0]["configuration"]["Timeout"]
    result = run_module(bad)
    msg = result["msg"]
    assert "stages[0] (Source) action 'Lint' is a Build action: the first stage may hold only Source actions" in msg
    assert "manual approval without configuration.NotificationArn" in msg
    assert "inputArtifacts 'BuildOutpt' is not an outputArtifacts name" in msg
    assert stored(codepipeline) is None


def test_role_aws_refuses_is_reported(run_module, codepipeline, args):
    # moto refuses a role that does not trust codepipeline.amazonaws.com, as AWS does
    result = run_module(dict(args, role_arn="arn:aws:iam::123456789012:role/missing"))
    assert result.get("failed") is True, result
    assert f"Failed to create the pipeline {NAME}" in result["msg"]
    assert "InvalidStructureException" in json.dumps(result)
    assert stored(codepipeline) is None
