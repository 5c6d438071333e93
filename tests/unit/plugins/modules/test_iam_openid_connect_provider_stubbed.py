# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the iam_openid_connect_provider module, against botocore's Stubber.

The Stubber validates every request against the real IAM API model and answers with the
responses queued here, in order; an unexpected call fails the test, so "no write call" (check
mode, no change, invalid input) is asserted by queueing none, and the queue's order asserts the
order of the calls. Each test runs the module's main() with only ``AnsibleAWSModule.client``
patched to return the stubbed IAM client.

Covered here because the emulator (moto 5.2.5) cannot: AddClientIDToOpenIDConnectProvider and
RemoveClientIDFromOpenIDConnectProvider (not implemented in moto), the thumbprint AWS fills in on
a create without one, and AWS's error answers (EntityAlreadyExists, LimitExceeded, NoSuchEntity,
InvalidInput) with the codes, messages and HTTP statuses IAM returns.
"""

from __future__ import annotations

import datetime
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.modules import iam_openid_connect_provider as module_under_test

URL = "https://token.actions.githubusercontent.com"
HOST = "token.actions.githubusercontent.com"
ARN = f"arn:aws:iam::123456789012:oidc-provider/{HOST}"
OTHER_ARN = "arn:aws:iam::123456789012:oidc-provider/gitlab.example.org"
THUMB_A = "6938fd4d98bab03faadb97b34396831e3780aea1"
THUMB_B = "1c58a3a8518e8759bf075b76b750d4f2df264fcd"
CREATED = datetime.datetime(2025, 3, 1, 10, 15, 42, tzinfo=datetime.timezone.utc)
ARGS = {"url": URL, "client_id_list": ["sts.amazonaws.com"], "region": "eu-central-1"}
NOT_FOUND = f"OpenIDConnect Provider not found for arn {ARN}"


def provider(client_ids=("sts.amazonaws.com",), thumbprints=(THUMB_A,), tags=None):
    """GetOpenIDConnectProvider's answer, as IAM gives it (Url without https://)."""
    return {
        "Url": HOST,
        "ClientIDList": list(client_ids),
        "ThumbprintList": list(thumbprints),
        "CreateDate": CREATED,
        "Tags": [{"Key": key, "Value": value} for key, value in (tags or {}).items()],
    }


class Stub:
    """A real boto3 IAM client with a Stubber, and shortcuts for its calls."""

    def __init__(self):
        self.client = boto3.client(
            "iam", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self.stubber = Stubber(self.client)

    def listed(self, *arns):
        self.stubber.add_response(
            "list_open_id_connect_providers", {"OpenIDConnectProviderList": [{"Arn": arn} for arn in arns]}, {}
        )

    def get(self, answer, arn=ARN):
        self.stubber.add_response("get_open_id_connect_provider", answer, {"OpenIDConnectProviderArn": arn})

    def found(self, answer):
        """The read of ensure_present/absent: the list and the Get of our provider."""
        self.listed(OTHER_ARN, ARN)
        self.get(answer)

    def create(self, **params):
        self.stubber.add_response(
            "create_open_id_connect_provider", {"OpenIDConnectProviderArn": ARN}, dict(Url=URL, **params)
        )

    def add_client_id(self, client_id):
        self.stubber.add_response(
            "add_client_id_to_open_id_connect_provider", {}, {"OpenIDConnectProviderArn": ARN, "ClientID": client_id}
        )

    def remove_client_id(self, client_id):
        self.stubber.add_response(
            "remove_client_id_from_open_id_connect_provider",
            {},
            {"OpenIDConnectProviderArn": ARN, "ClientID": client_id},
        )

    def update_thumbprints(self, thumbprints):
        self.stubber.add_response(
            "update_open_id_connect_provider_thumbprint",
            {},
            {"OpenIDConnectProviderArn": ARN, "ThumbprintList": thumbprints},
        )

    def delete(self):
        self.stubber.add_response("delete_open_id_connect_provider", {}, {"OpenIDConnectProviderArn": ARN})

    def error(self, operation, code, message, status):
        self.stubber.add_client_error(
            operation, service_error_code=code, service_message=message, http_status_code=status
        )


@pytest.fixture()
def iam():
    stub = Stub()
    with consumed(stub.stubber):
        yield stub


def run(iam, args, check_mode=False, diff=True):
    """Run main() with ``args`` against the stubbed client; return (failed, result)."""
    with mock.patch.object(module_under_test.time, "sleep"):
        return run_main(module_under_test, args, iam.client, check_mode=check_mode, diff=diff)


def assert_aws_failure(result, action, text, code):
    """The task failed naming the action, with AWS's message and error code."""
    assert result["msg"].startswith(f"Failed to {action}"), result["msg"]
    assert text in result["msg"]
    assert result["error"]["code"] == code


# --- client IDs (moto lacks the calls) ----------------------------------------------------------
def test_client_ids_replaced_add_before_remove(iam):
    iam.found(provider(client_ids=["sts.amazonaws.com", "legacy-audience"]))
    iam.add_client_id("https://github.com/medtech")
    iam.remove_client_id("legacy-audience")
    iam.remove_client_id("sts.amazonaws.com")
    iam.get(provider(client_ids=["https://github.com/medtech"]))

    failed, result = run(iam, dict(ARGS, client_id_list=["https://github.com/medtech"]))

    assert not failed, result
    assert result["changed"] is True
    assert result["open_id_connect_provider"]["client_id_list"] == ["https://github.com/medtech"]
    assert result["diff"]["before"]["client_id_list"] == ["legacy-audience", "sts.amazonaws.com"]
    assert result["diff"]["after"]["client_id_list"] == ["https://github.com/medtech"]


def test_client_id_added_without_purge_keeps_the_others(iam):
    iam.found(provider(client_ids=["legacy-audience"]))
    iam.add_client_id("sts.amazonaws.com")
    iam.get(provider(client_ids=["legacy-audience", "sts.amazonaws.com"]))

    failed, result = run(iam, dict(ARGS, purge_client_ids=False))

    assert not failed, result
    assert result["changed"] is True
    assert result["open_id_connect_provider"]["client_id_list"] == ["legacy-audience", "sts.amazonaws.com"]


def test_client_id_change_in_check_mode_writes_nothing(iam):
    iam.found(provider(client_ids=["legacy-audience"]))

    failed, result = run(iam, ARGS, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["open_id_connect_provider"]["client_id_list"] == ["sts.amazonaws.com"]
    assert result["diff"]["after"]["client_id_list"] == ["sts.amazonaws.com"]


def test_add_client_id_limit_exceeded_is_reported(iam):
    iam.found(provider())
    iam.error(
        "add_client_id_to_open_id_connect_provider",
        "LimitExceeded",
        "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100",
        409,
    )

    failed, result = run(iam, dict(ARGS, client_id_list=["sts.amazonaws.com", "another"]))

    assert failed
    assert_aws_failure(
        result, f"add the client ID another to the IAM OIDC provider {ARN}", "ClientIdsPerOpenIdConnectProvider", "LimitExceeded"
    )


def test_more_than_100_client_ids_without_purge_refused_before_any_write(iam):
    iam.found(provider(client_ids=[f"client-{n}" for n in range(100)]))

    failed, result = run(iam, dict(ARGS, purge_client_ids=False))

    assert failed
    assert "would have 101 client IDs with purge_client_ids=false: IAM allows at most 100" in result["msg"]


# --- thumbprints --------------------------------------------------------------------------------
def test_thumbprint_replaced_in_lower_case(iam):
    iam.found(provider(thumbprints=[THUMB_A]))
    iam.update_thumbprints([THUMB_B, THUMB_A])  # lower case, sorted, without duplicates
    iam.get(provider(thumbprints=[THUMB_B, THUMB_A]))

    failed, result = run(iam, dict(ARGS, thumbprint_list=[THUMB_B.upper(), THUMB_A, THUMB_A]))

    assert not failed, result
    assert result["changed"] is True
    assert result["open_id_connect_provider"]["thumbprint_list"] == sorted([THUMB_A, THUMB_B])


def test_update_thumbprint_invalid_input_is_reported(iam):
    iam.found(provider())
    iam.error(
        "update_open_id_connect_provider_thumbprint",
        "InvalidInput",
        "Thumbprint list must contain fewer than 5 entries.",
        400,
    )

    failed, result = run(iam, dict(ARGS, thumbprint_list=[THUMB_B]))

    assert failed
    assert_aws_failure(result, f"update the thumbprints of the IAM OIDC provider {ARN}", "fewer than 5", "InvalidInput")


def test_thumbprint_aws_filled_in_is_left_alone(iam):
    # created without thumbprint_list, AWS filled one in: a run without the option changes nothing
    iam.found(provider(thumbprints=[THUMB_A]))

    failed, result = run(iam, ARGS)

    assert not failed, result
    assert result["changed"] is False
    assert result["open_id_connect_provider"]["thumbprint_list"] == [THUMB_A]


# --- create -------------------------------------------------------------------------------------
def test_create_waits_until_the_new_provider_is_readable(iam):
    iam.listed(OTHER_ARN)
    iam.create(ClientIDList=["sts.amazonaws.com"], Tags=[{"Key": "project", "Value": "medtech"}])
    iam.error("get_open_id_connect_provider", "NoSuchEntity", NOT_FOUND, 404)  # IAM is eventually consistent
    iam.get(provider(tags={"project": "medtech"}))

    failed, result = run(iam, dict(ARGS, tags={"project": "medtech"}))

    assert not failed, result
    assert result["changed"] is True
    assert result["open_id_connect_provider"] == {
        "arn": ARN,
        "url": URL,
        "client_id_list": ["sts.amazonaws.com"],
        "thumbprint_list": [THUMB_A],
        "create_date": "2025-03-01T10:15:42+00:00",
        "tags": {"project": "medtech"},
    }


def test_create_check_mode_tells_the_arn_and_writes_nothing(iam):
    iam.listed()
    with mock.patch.object(module_under_test, "get_aws_account_info", return_value=("123456789012", "aws-cn")):
        failed, result = run(iam, ARGS, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["open_id_connect_provider"]["arn"] == f"arn:aws-cn:iam::123456789012:oidc-provider/{HOST}"
    assert "thumbprint_list" not in result["open_id_connect_provider"]  # AWS would fill it in


def test_create_entity_already_exists_is_reported(iam):
    iam.listed()  # created by someone else between the list and the create
    iam.error("create_open_id_connect_provider", "EntityAlreadyExists", f"Provider with url {URL} already exists.", 409)

    failed, result = run(iam, ARGS)

    assert failed
    assert_aws_failure(result, f"create the IAM OIDC provider {URL}", "already exists", "EntityAlreadyExists")


def test_create_limit_exceeded_is_reported(iam):
    iam.listed(OTHER_ARN)
    iam.error(
        "create_open_id_connect_provider",
        "LimitExceeded",
        "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100",
        409,
    )

    failed, result = run(iam, ARGS)

    assert failed
    assert_aws_failure(result, f"create the IAM OIDC provider {URL}", "OpenIdConnectProvidersPerAccount", "LimitExceeded")


def test_provider_gone_between_list_and_get_counts_as_absent(iam):
    iam.listed(ARN)
    iam.error("get_open_id_connect_provider", "NoSuchEntity", NOT_FOUND, 404)

    failed, result = run(iam, {"url": URL, "state": "absent", "region": "eu-central-1"})

    assert not failed, result
    assert result["changed"] is False


def test_list_access_denied_is_reported(iam):
    iam.error(
        "list_open_id_connect_providers",
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:ListOpenIDConnectProviders",
        403,
    )

    failed, result = run(iam, ARGS)

    assert failed
    assert_aws_failure(result, "list the IAM OIDC providers", "iam:ListOpenIDConnectProviders", "AccessDenied")


# --- delete -------------------------------------------------------------------------------------
def test_delete_already_gone_at_aws_is_not_a_failure(iam):
    iam.found(provider())
    iam.error("delete_open_id_connect_provider", "NoSuchEntity", NOT_FOUND, 404)

    failed, result = run(iam, {"url": URL, "state": "absent", "region": "eu-central-1"})

    assert not failed, result
    assert result["open_id_connect_provider"] == {}
    assert result["diff"]["before"]["url"] == URL


# --- input --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"url": "token.actions.githubusercontent.com"}, "must begin with https://"),
        ({"url": URL + "/"}, "ends with a slash"),
        ({"url": URL + "?x=1"}, "remove any query"),
        ({"url": URL, "thumbprint_list": [THUMB_A + "0"]}, "is not a SHA-1 thumbprint"),
        ({"url": URL, "thumbprint_list": []}, "thumbprint_list is empty"),
        ({"url": URL, "thumbprint_list": [f"{n:040x}" for n in range(6)]}, "thumbprint_list has 6 thumbprints"),
        ({"url": URL, "client_id_list": ["x" * 256]}, "longer than 255 characters"),
        ({"url": URL, "tags": {f"k{n}": "v" for n in range(51)}}, "tags has 51 tags: IAM allows at most 50"),
    ],
)
def test_invalid_options_fail_before_any_call(iam, args, message):
    failed, result = run(iam, dict(args, region="eu-central-1"))

    assert failed
    assert result["msg"].startswith("Invalid options: ")
    assert message in result["msg"]
