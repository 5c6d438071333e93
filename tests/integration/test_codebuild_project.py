# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real codebuild_project module, run by ``ansible``, against the emulator.

Each call is ``ansible localhost -m medtech.aws_platform.codebuild_project -a '<json>' --diff``
(the ``ansible_module`` fixture); what the module did is read back from the emulator with boto3.
The emulator's UpdateProject (scripts/moto_server.py) sets ``lastModified`` as AWS does, so an
unchanged ``lastModified`` proves that no UpdateProject was sent.

The defaults AWS fills in (``privilegedMode``, ``imagePullCredentialsType``, the artifact's
``name`` and ``packaging``, ...) and AWS's refusals (ResourceAlreadyExistsException,
AccessDeniedException, ...) are Stubber tests
(tests/unit/plugins/modules/test_codebuild_project_stubbed.py): moto does not answer them.
"""

from __future__ import annotations

import copy
import json

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.codebuild_project"
REGION = "eu-central-1"
NAME = "medtech-api-integration-tests"
ROLE = "medtech-codebuild"
BUILDSPEC = "phases:\n  build:\n    commands:\n    - pytest tests/api\nversion: 0.2\n"
TAGS = {"environment": "prod", "project": "medtech", "Service": "api"}


@pytest.fixture()
def codebuild(aws):
    return aws.client("codebuild", REGION)


@pytest.fixture()
def role_arn(aws):
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    iam = aws.client("iam", REGION)
    return iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


@pytest.fixture()
def key_arn(aws):
    return aws.client("kms", REGION).create_key()["KeyMetadata"]["Arn"]


@pytest.fixture()
def args(role_arn, key_arn):
    """The options as roles/pipeline/tasks/present.yml gives them."""
    return {
        "name": NAME,
        "description": "API tests of api against staging",
        "service_role": role_arn,
        "source": {"type": "CODEPIPELINE", "buildspec": BUILDSPEC},
        "artifacts": {"type": "CODEPIPELINE"},
        "environment": {
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "compute_type": "BUILD_GENERAL1_SMALL",
            "environment_variables": [{"name": "STAGING_BASE_URL", "value": "https://staging.example", "type": "PLAINTEXT"}],
        },
        "encryption_key": key_arn,
        "timeout_in_minutes": 30,
        "resource_tags": dict(TAGS),
        "purge_tags": True,
    }


@pytest.fixture()
def run_module(ansible_module):
    def _run(module_args: dict, check: bool = False) -> dict:
        return ansible_module(MODULE, dict(module_args, region=REGION), check=check)

    return _run


def ok(result):
    assert not result.get("failed"), result
    return result


def stored(codebuild, name=NAME):
    """BatchGetProjects' project from the emulator, or None."""
    projects = codebuild.batch_get_projects(names=[name])["projects"]
    return projects[0] if projects else None


def tags_of(project):
    return {t["key"]: t["value"] for t in project.get("tags") or []}


def test_create_check_mode_then_for_real_then_no_change(run_module, codebuild, args):
    for attempt in range(2):
        result = ok(run_module(args, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["before"] == {}
        assert result["diff"]["after"]["timeout_in_minutes"] == 30
        assert result["project"]["name"] == NAME
        assert "arn" not in result["project"]
        assert stored(codebuild) is None  # check mode created nothing

    result = ok(run_module(args))
    assert result["changed"] is True
    project = stored(codebuild)
    assert project["source"] == {"type": "CODEPIPELINE", "buildspec": BUILDSPEC}
    assert project["environment"]["computeType"] == "BUILD_GENERAL1_SMALL"
    assert project["environment"]["environmentVariables"][0]["name"] == "STAGING_BASE_URL"
    assert project["encryptionKey"] == args["encryption_key"]
    assert project["timeoutInMinutes"] == 30
    assert project["serviceRole"] == args["service_role"]
    assert tags_of(project) == TAGS
    assert result["project"]["arn"] == project["arn"]
    assert result["project"]["tags"] == TAGS
    modified = project["lastModified"]

    # second run, real and check mode: no change, and no UpdateProject (lastModified stays)
    for check in (False, True):
        result = ok(run_module(args, check=check))
        assert result["changed"] is False
        assert result["diff"]["before"] == result["diff"]["after"]
    assert stored(codebuild)["lastModified"] == modified


def test_equivalent_options_are_no_change(run_module, codebuild, args):
    ok(run_module(args))
    modified = stored(codebuild)["lastModified"]
    same = copy.deepcopy(args)
    del same["environment"]["environment_variables"][0]["type"]  # PLAINTEXT is the default
    same["service_role"] = ROLE  # the name of the role AWS holds as an ARN
    same["timeout_in_minutes"] = "30"
    same["resource_tags"] = dict(reversed(list(TAGS.items())))
    result = ok(run_module(same))
    assert result["changed"] is False
    assert stored(codebuild)["lastModified"] == modified


def test_changed_settings_check_mode_diff_then_update(run_module, codebuild, args):
    ok(run_module(args))
    changed = copy.deepcopy(args)
    changed["environment"]["environment_variables"][0]["value"] = "https://staging2.example"
    changed["timeout_in_minutes"] = 45

    for attempt in range(2):
        result = ok(run_module(changed, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        before, after = result["diff"]["before"], result["diff"]["after"]
        assert (before["timeout_in_minutes"], after["timeout_in_minutes"]) == (30, 45)
        assert after["environment"]["environment_variables"][0]["value"] == "https://staging2.example"
        assert before["source"] == after["source"]
        assert stored(codebuild)["timeoutInMinutes"] == 30  # nothing written

    result = ok(run_module(changed))
    assert result["changed"] is True
    project = stored(codebuild)
    assert project["timeoutInMinutes"] == 45
    assert project["environment"]["environmentVariables"][0]["value"] == "https://staging2.example"
    assert project["source"] == {"type": "CODEPIPELINE", "buildspec": BUILDSPEC}  # not sent, kept
    assert result["project"]["timeout_in_minutes"] == 45

    modified = project["lastModified"]
    assert ok(run_module(changed))["changed"] is False
    assert stored(codebuild)["lastModified"] == modified


def test_option_left_out_is_left_alone(run_module, codebuild, args):
    ok(run_module(args))
    only_timeout = {"name": NAME, "timeout_in_minutes": 60}
    result = ok(run_module(only_timeout))
    assert result["changed"] is True
    project = stored(codebuild)
    assert project["timeoutInMinutes"] == 60
    assert project["description"] == args["description"]
    assert tags_of(project) == TAGS  # tags not given: not touched
    assert project["encryptionKey"] == args["encryption_key"]


def test_tags_changed_through_update_project(run_module, codebuild, args):
    ok(run_module(args))
    add = dict(args, resource_tags={"owner": "platform-team"}, purge_tags=False)
    result = ok(run_module(add, check=True))
    assert result["changed"] is True
    assert result["project"]["tags"] == dict(TAGS, owner="platform-team")
    assert tags_of(stored(codebuild)) == TAGS

    result = ok(run_module(add))
    assert result["changed"] is True
    assert tags_of(stored(codebuild)) == dict(TAGS, owner="platform-team")
    assert ok(run_module(add))["changed"] is False

    purge = dict(args, resource_tags={"environment": "prod"})
    result = ok(run_module(purge))
    assert result["changed"] is True
    assert result["diff"]["after"]["tags"] == {"environment": "prod"}
    assert tags_of(stored(codebuild)) == {"environment": "prod"}


def test_delete_check_mode_then_for_real_twice(run_module, codebuild, args):
    ok(run_module(args))
    absent = {"name": NAME, "state": "absent"}

    result = ok(run_module(absent, check=True))
    assert result["changed"] is True
    assert result["diff"]["before"]["name"] == NAME
    assert result["diff"]["after"] == {}
    assert stored(codebuild) is not None

    result = ok(run_module(absent))
    assert result["changed"] is True
    assert result["project"] == {}
    assert stored(codebuild) is None

    for check in (False, True):
        assert ok(run_module(absent, check=check))["changed"] is False


def test_invalid_options_fail_before_any_call(run_module, codebuild, args):
    bad = copy.deepcopy(args)
    bad["source"]["location"] = "medtech-tests/api.zip"
    bad["timeout_in_minutes"] = 1
    result = run_module(bad)
    assert result.get("failed") is True, result
    assert "source.location must not be set for source.type CODEPIPELINE" in result["msg"]
    assert "timeout_in_minutes 1 is out of range" in result["msg"]
    assert stored(codebuild) is None


def test_role_aws_refuses_is_reported(run_module, codebuild, args):
    # a role of another account: CodeBuild refuses it (moto too) with InvalidInputException
    result = run_module(dict(args, service_role="arn:aws:iam::210987654321:role/medtech-codebuild"))
    assert result.get("failed") is True, result
    assert f"Failed to create the CodeBuild project {NAME}" in result["msg"]
    assert "InvalidInputException" in json.dumps(result)
    assert stored(codebuild) is None
