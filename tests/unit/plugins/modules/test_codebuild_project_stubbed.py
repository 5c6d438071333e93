# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the codebuild_project module, against botocore's Stubber.

The Stubber validates every request against the real CodeBuild API model and answers with the
responses queued here, in order; an unexpected call fails the test, so "no UpdateProject" (no
change, check mode) and "no call at all" (invalid options) are asserted by queueing none, and
``consumed`` asserts every queued call was made.

The projects are shaped as BatchGetProjects answers on AWS: it fills in what the request left
out (``queuedTimeoutInMinutes`` 480, ``privilegedMode`` false, ``imagePullCredentialsType``
CODEBUILD, ``insecureSsl`` false, the CODEPIPELINE artifact's ``name``, ``packaging`` and
``encryptionDisabled``, ``cache`` NO_CACHE, ``logsConfig``, ``badge``, the variables' ``type``),
which moto does not; and the errors are the ones AWS returns (ResourceAlreadyExistsException,
InvalidInputException, AccessDeniedException, AccountLimitExceededException).
"""

from __future__ import annotations

import copy
import datetime

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.modules import codebuild_project as module_under_test

REGION = "eu-central-1"
ACCOUNT = "123456789012"
NAME = "medtech-api-integration-tests"
ARN = f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/{NAME}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/medtech-codebuild"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
BUILDSPEC = "phases:\n  build:\n    commands:\n    - pytest tests/api\nversion: 0.2\n"
CREATED = datetime.datetime(2025, 3, 1, 10, 15, 42, tzinfo=datetime.timezone.utc)

# As the pipeline role writes them.
ARGS = {
    "name": NAME,
    "description": "API tests of api against staging",
    "service_role": ROLE,
    "source": {"type": "CODEPIPELINE", "buildspec": BUILDSPEC},
    "artifacts": {"type": "CODEPIPELINE"},
    "environment": {
        "type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "compute_type": "BUILD_GENERAL1_SMALL",
        "environment_variables": [{"name": "STAGING_BASE_URL", "value": "https://staging.example"}],
    },
    "encryption_key": KEY,
    "timeout_in_minutes": 30,
    "resource_tags": {"environment": "prod", "Service": "api"},
    "purge_tags": True,
    "region": REGION,
}


def sent():
    """The CreateProject request members the options make (besides name and tags)."""
    return {
        "description": "API tests of api against staging",
        "serviceRole": ROLE,
        "source": {"type": "CODEPIPELINE", "buildspec": BUILDSPEC},
        "artifacts": {"type": "CODEPIPELINE"},
        "environment": {
            "type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL",
            "environmentVariables": [{"name": "STAGING_BASE_URL", "value": "https://staging.example", "type": "PLAINTEXT"}],
        },
        "encryptionKey": KEY,
        "timeoutInMinutes": 30,
    }


def aws_project(tags=None, **changes):
    """The project as BatchGetProjects returns it on AWS (defaults filled in)."""
    project = sent()
    project["source"]["insecureSsl"] = False
    project["artifacts"].update(name=NAME, packaging="NONE", encryptionDisabled=False)
    project["environment"].update(privilegedMode=False, imagePullCredentialsType="CODEBUILD")
    project.update({
        "name": NAME,
        "arn": ARN,
        "cache": {"type": "NO_CACHE"},
        "queuedTimeoutInMinutes": 480,
        "tags": [{"key": k, "value": v} for k, v in (tags if tags is not None else ARGS["resource_tags"]).items()],
        "created": CREATED,
        "lastModified": CREATED,
        "badge": {"badgeEnabled": False},
        "logsConfig": {"cloudWatchLogs": {"status": "ENABLED"}, "s3Logs": {"status": "DISABLED", "encryptionDisabled": False}},
        "projectVisibility": "PRIVATE",
    })
    project.update(changes)
    return project


def error(code, message):
    return {"service_error_code": code, "service_message": message, "http_status_code": 400}


class Stub:
    def __init__(self):
        self.client = boto3.client(
            "codebuild", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self.stubber = Stubber(self.client)

    def get(self, project=None):
        if project is None:
            response = {"projects": [], "projectsNotFound": [NAME]}
        else:
            response = {"projects": [project]}
        self.stubber.add_response("batch_get_projects", response, {"names": [NAME]})

    def update(self, changes, project):
        self.stubber.add_response("update_project", {"project": project}, {"name": NAME, **changes})


@pytest.fixture()
def stub():
    return Stub()


def test_same_project_in_aws_form_is_no_change_and_no_update(stub):
    stub.get(aws_project())
    with consumed(stub.stubber):  # no update_project queued: a call would fail the test
        failed, result = run_main(module_under_test, ARGS, stub.client, diff=True)
    assert not failed, result
    assert result["changed"] is False
    assert result["project"]["arn"] == ARN
    assert result["project"]["tags"] == {"environment": "prod", "Service": "api"}
    assert result["project"]["environment"]["compute_type"] == "BUILD_GENERAL1_SMALL"
    assert result["diff"]["before"] == result["diff"]["after"]


def test_no_change_in_check_mode_either(stub):
    stub.get(aws_project())
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, ARGS, stub.client, check_mode=True)
    assert not failed, result
    assert result["changed"] is False


def test_variables_in_another_order_alias_and_role_name_are_no_change(stub):
    variables = [{"name": "B", "value": "2", "type": "PLAINTEXT"}, {"name": "A", "value": "1", "type": "PLAINTEXT"}]
    environment = dict(aws_project()["environment"], environmentVariables=variables)
    stub.get(aws_project(environment=environment, encryptionKey=f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/medtech"))
    args = copy.deepcopy(ARGS)
    args["environment"]["environment_variables"] = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    args["encryption_key"] = "alias/medtech"
    args["service_role"] = "medtech-codebuild"
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, args, stub.client)
    assert not failed, result
    assert result["changed"] is False


def test_changed_timeout_and_image_update_only_those_members(stub):
    stub.get(aws_project())
    args = copy.deepcopy(ARGS)
    args["timeout_in_minutes"] = 45
    args["environment"]["image"] = "aws/codebuild/standard:8.0"
    # the environment is sent whole: what AWS holds (its defaults too) with the new image
    environment = dict(aws_project()["environment"], image="aws/codebuild/standard:8.0")
    stub.update({"environment": environment, "timeoutInMinutes": 45},
                aws_project(environment=environment, timeoutInMinutes=45))
    stub.get(aws_project(environment=environment, timeoutInMinutes=45))
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, args, stub.client, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["project"]["timeout_in_minutes"] == 45
    assert (result["diff"]["before"]["timeout_in_minutes"], result["diff"]["after"]["timeout_in_minutes"]) == (30, 45)
    assert result["diff"]["before"]["source"] == result["diff"]["after"]["source"]


def test_changed_variable_in_check_mode_writes_nothing(stub):
    stub.get(aws_project())
    args = copy.deepcopy(ARGS)
    args["environment"]["environment_variables"][0]["value"] = "https://staging2.example"
    with consumed(stub.stubber):  # no update_project queued
        failed, result = run_main(module_under_test, args, stub.client, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    after = result["diff"]["after"]["environment"]["environment_variables"][0]["value"]
    before = result["diff"]["before"]["environment"]["environment_variables"][0]["value"]
    assert (before, after) == ("https://staging.example", "https://staging2.example")
    assert result["project"]["environment"]["privileged_mode"] is False  # kept, as AWS would


def test_tags_are_replaced_through_update_project(stub):
    stub.get(aws_project(tags={"environment": "prod", "Service": "api", "old": "x"}))
    stub.update({"tags": [{"key": "Service", "value": "api"}, {"key": "environment", "value": "prod"}]}, aws_project())
    stub.get(aws_project())
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, ARGS, stub.client)
    assert not failed, result
    assert result["changed"] is True
    assert result["project"]["tags"] == {"environment": "prod", "Service": "api"}


def test_tags_kept_without_purge(stub):
    stub.get(aws_project(tags={"environment": "prod", "Service": "api", "owner": "qa"}))
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, dict(ARGS, purge_tags=False), stub.client)
    assert not failed, result
    assert result["changed"] is False


def test_source_type_change_sends_only_the_new_source(stub):
    s3 = {"type": "S3", "location": "medtech-tests/api.zip", "insecureSsl": False}
    stub.get(aws_project(source=s3))
    stub.update({"source": {"type": "CODEPIPELINE", "buildspec": BUILDSPEC}}, aws_project())
    stub.get(aws_project())
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, ARGS, stub.client)
    assert not failed, result
    assert result["changed"] is True


def test_create_sends_the_options_and_tags(stub):
    stub.get(None)
    stub.stubber.add_response(
        "create_project", {"project": aws_project()},
        {"name": NAME, **sent(), "tags": [{"key": "Service", "value": "api"}, {"key": "environment", "value": "prod"}]},
    )
    stub.get(aws_project())
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, ARGS, stub.client)
    assert not failed, result
    assert result["changed"] is True
    assert result["project"]["arn"] == ARN


def test_create_in_check_mode_writes_nothing(stub):
    stub.get(None)
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, ARGS, stub.client, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["timeout_in_minutes"] == 30
    assert "arn" not in result["project"]
    assert result["project"]["tags"] == {"environment": "prod", "Service": "api"}


@pytest.mark.parametrize("check_mode", [False, True])
def test_create_without_environment_fails_before_any_write(stub, check_mode):
    stub.get(None)
    args = {k: v for k, v in ARGS.items() if k not in ("environment", "service_role")}
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, args, stub.client, check_mode=check_mode)
    assert failed
    assert result["msg"] == (f"The CodeBuild project {NAME} does not exist, and creating it needs "
                             "environment, service_role: set them")


@pytest.mark.parametrize(
    "operation, code, message",
    [
        ("create_project", "ResourceAlreadyExistsException", f"Project already exists: {ARN}"),
        ("create_project", "InvalidInputException", "CodeBuild is not authorized to perform: sts:AssumeRole on " + ROLE),
        ("create_project", "AccountLimitExceededException", "Cannot have more than 5000 projects"),
        ("create_project", "AccessDeniedException", "User is not authorized to perform: codebuild:CreateProject"),
    ],
)
def test_create_refused_by_aws_is_reported(stub, operation, code, message):
    stub.get(None)
    stub.stubber.add_client_error(operation, **error(code, message))
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, ARGS, stub.client)
    assert failed
    assert result["msg"].startswith(f"Failed to create the CodeBuild project {NAME}")
    assert result["error"]["code"] == code


def test_update_refused_is_reported(stub):
    stub.get(aws_project())
    stub.stubber.add_client_error(
        "update_project", **error("InvalidInputException", "Invalid encryption key: key not found"))
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, dict(ARGS, encryption_key="alias/missing"), stub.client)
    assert failed
    assert result["msg"].startswith(f"Failed to update the CodeBuild project {NAME}")
    assert result["error"]["code"] == "InvalidInputException"


def test_read_refused_is_reported(stub):
    stub.stubber.add_client_error(
        "batch_get_projects", **error("AccessDeniedException", "User is not authorized to perform: codebuild:BatchGetProjects"))
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, ARGS, stub.client)
    assert failed
    assert result["msg"].startswith(f"Failed to read the CodeBuild project {NAME}")


def test_delete_and_delete_of_a_missing_project(stub):
    absent = {"name": NAME, "state": "absent", "region": REGION}
    stub.get(aws_project())
    stub.stubber.add_response("delete_project", {}, {"name": NAME})
    stub.get(None)
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, absent, stub.client, diff=True)
        assert not failed, result
        assert result["changed"] is True
        assert result["diff"]["before"]["name"] == NAME and result["diff"]["after"] == {}
        failed, result = run_main(module_under_test, absent, stub.client)
    assert not failed, result
    assert result["changed"] is False
    assert result["project"] == {}


def test_delete_in_check_mode_writes_nothing(stub):
    stub.get(aws_project())
    with consumed(stub.stubber):
        failed, result = run_main(module_under_test, {"name": NAME, "state": "absent", "region": REGION},
                                  stub.client, check_mode=True)
    assert not failed, result
    assert result["changed"] is True


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"timeout_in_minutes": 3000}, "timeout_in_minutes 3000 is out of range: give 5 to 2160 minutes"),
        ({"name": "-tests"}, "name '-tests' is not a CodeBuild project name"),
        ({"source": {"type": "CODEPIPELINE", "location": "x"}},
         "source.location must not be set for source.type CODEPIPELINE"),
        ({"artifacts": {"type": "S3"}}, "artifacts.location is required for artifacts.type S3"),
        ({"resource_tags": {"aws:owner": "x"}}, "tags: the key 'aws:owner' starts with aws:"),
        ({"environment": dict(ARGS["environment"], environment_variables=[{"name": "A", "value": "1"}] * 2)},
         "environment.environment_variables: A set more than once"),
    ],
)
def test_invalid_options_fail_before_any_call(stub, change, expected):
    with consumed(stub.stubber):  # nothing queued: any AWS call fails the test
        failed, result = run_main(module_under_test, dict(ARGS, **change), stub.client)
    assert failed
    assert result["msg"].startswith("Invalid options: ")
    assert expected in result["msg"]
