# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for codedeploy_application against botocore's Stubber.

moto (5.2.5) has no DeleteApplication, so the delete (real and check mode) is tested here, as are
AWS's error answers. The Stubber validates each request against the CodeDeploy model and fails
on any call not queued, so "writes nothing" is asserted by queueing no write. The account for the
ARN (sts:GetCallerIdentity) is patched, as it is not what is tested.
"""

from __future__ import annotations

import datetime
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.module_utils import codedeploy as codedeploy_utils
from ansible_collections.medtech.aws_platform.plugins.modules import codedeploy_application as module_under_test

REGION = "eu-central-1"
NAME = "medtech-prod-api"
ARN = f"arn:aws:codedeploy:{REGION}:123456789012:application:{NAME}"
INFO = {
    "applicationId": "6a2e5a1c-8a55-4f3e-a8a4-0c3b1f2d9e77",
    "applicationName": NAME,
    "createTime": datetime.datetime(2025, 3, 1, 10, 15, 42, tzinfo=datetime.timezone.utc),
    "linkedToGitHub": False,
    "computePlatform": "ECS",
}


@pytest.fixture(autouse=True)
def account():
    with mock.patch.object(codedeploy_utils, "get_aws_account_info", return_value=("123456789012", "aws")) as info:
        yield info


@pytest.fixture()
def client():
    return boto3.client("codedeploy", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


def queue_read(stub, tags=None):
    stub.add_response("get_application", {"application": INFO}, {"applicationName": NAME})
    stub.add_response(
        "list_tags_for_resource",
        {"Tags": [{"Key": key, "Value": value} for key, value in (tags or {}).items()]},
        {"ResourceArn": ARN},
    )


def missing(stub):
    stub.add_client_error(
        "get_application",
        service_error_code="ApplicationDoesNotExistException",
        service_message=f"The application {NAME} does not exist with the user or AWS account.",
        http_status_code=400,
        expected_params={"applicationName": NAME},
    )


@pytest.mark.parametrize("check_mode", [False, True])
def test_delete(client, check_mode):
    stub = Stubber(client)
    queue_read(stub, {"environment": "prod"})
    if not check_mode:
        stub.add_response("delete_application", {}, {"applicationName": NAME})
    with consumed(stub):
        failed, result = run_main(module_under_test, {"name": NAME, "state": "absent", "region": REGION}, client,
                                  check_mode=check_mode, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["application"] == {}
    assert result["diff"] == {
        "before": {"application_name": NAME, "compute_platform": "ECS", "tags": {"environment": "prod"}},
        "after": {},
    }


def test_delete_missing_is_no_change(client):
    stub = Stubber(client)
    missing(stub)
    with consumed(stub):
        failed, result = run_main(module_under_test, {"name": NAME, "state": "absent", "region": REGION}, client)
    assert not failed and result["changed"] is False


def test_delete_error_is_reported(client):
    stub = Stubber(client)
    queue_read(stub)
    stub.add_client_error("delete_application", service_error_code="InvalidRoleException",
                          service_message="The service role cannot be assumed", http_status_code=400)
    with consumed(stub):
        failed, result = run_main(module_under_test, {"name": NAME, "state": "absent", "region": REGION}, client)
    assert failed
    assert result["msg"].startswith(f"Failed to delete the CodeDeploy application {NAME}")
    assert result["error"]["code"] == "InvalidRoleException"


def test_create_error_is_reported(client):
    stub = Stubber(client)
    missing(stub)
    stub.add_client_error("create_application", service_error_code="ApplicationLimitExceededException",
                          service_message="More applications were attempted to be created than are allowed.",
                          http_status_code=400,
                          expected_params={"applicationName": NAME, "computePlatform": "ECS"})
    with consumed(stub):
        failed, result = run_main(module_under_test, {"name": NAME, "region": REGION}, client)
    assert failed
    assert result["msg"].startswith(f"Failed to create the CodeDeploy application {NAME}")
    assert result["error"]["code"] == "ApplicationLimitExceededException"


def test_create_sends_platform_and_tags(client):
    stub = Stubber(client)
    missing(stub)
    stub.add_response("create_application", {"applicationId": INFO["applicationId"]},
                      {"applicationName": NAME, "computePlatform": "Lambda",
                       "tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "x"}]})
    stub.add_response("get_application", {"application": dict(INFO, computePlatform="Lambda")}, {"applicationName": NAME})
    stub.add_response("list_tags_for_resource", {"Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "x"}]},
                      {"ResourceArn": ARN})
    with consumed(stub):
        failed, result = run_main(module_under_test, {"name": NAME, "compute_platform": "Lambda", "tags": {"b": "x", "a": 1},
                                                      "region": REGION}, client)
    assert not failed, result
    assert result["changed"] is True
    assert result["application"]["compute_platform"] == "Lambda"
    assert result["application"]["arn"] == ARN


@pytest.mark.parametrize("check_mode", [False, True])
def test_other_compute_platform_fails_before_any_write(client, check_mode):
    stub = Stubber(client)
    queue_read(stub, {"environment": "prod"})  # no TagResource/UntagResource queued
    with consumed(stub):
        failed, result = run_main(module_under_test, {"name": NAME, "compute_platform": "Server", "tags": {"x": "y"},
                                                      "region": REGION}, client, check_mode=check_mode)
    assert failed
    assert "has the compute platform ECS, not Server: CodeDeploy cannot change it" in result["msg"]
    assert "state: absent" in result["msg"]


def test_read_error_is_reported(client):
    stub = Stubber(client)
    stub.add_client_error("get_application", service_error_code="AccessDeniedException",
                          service_message="not authorized to perform: codedeploy:GetApplication", http_status_code=400)
    with consumed(stub):
        failed, result = run_main(module_under_test, {"name": NAME, "region": REGION}, client)
    assert failed
    assert result["msg"].startswith(f"Failed to read the CodeDeploy application {NAME}")
