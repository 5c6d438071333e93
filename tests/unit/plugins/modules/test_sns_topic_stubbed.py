# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the sns_topic module, against botocore's Stubber.

The Stubber validates every request against the real SNS API model and answers with the
responses queued here, in order; an unexpected call fails the test, so "no write call" (check
mode, no change, bad input) is asserted by queueing none. The responses are shaped as AWS
answers, which moto does not in two places: AWS lists a subscription that is not confirmed yet
with the SubscriptionArn ``PendingConfirmation`` (moto confirms every subscription at once), and
AWS answers errors such as ``AuthorizationError`` and an ``InvalidParameter`` that echoes the
endpoint.

Every test checks that no endpoint appears anywhere in the module's result or warnings
(``json.dumps``). ``run_main`` patches ``exit_json``/``fail_json`` themselves, so Ansible's
``no_log`` masking (which would hide a leak) does not run here: these checks see what the
module itself produced.
"""

from __future__ import annotations

import json
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import endpoint_fingerprint
from ansible_collections.medtech.aws_platform.plugins.modules import sns_topic as module_under_test

REGION = "eu-central-1"
ACCOUNT = "123456789012"
NAME = "medtech-prod-alerts"
ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{NAME}"
KEY = "alias/medtech-prod-platform"
PAGERDUTY = "https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue"
PAGERDUTY_NEW = "https://events.pagerduty.com/integration/fedcba9876543210fedcba9876543210/enqueue"
EMAIL = "platform-oncall@medtech.example"
SECRETS = (PAGERDUTY, PAGERDUTY_NEW, "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210", EMAIL)
SUB_PD = f"{ARN}:0b6941c4-f1b3-4a4b-9f0e-5d3c1a8e7f21"
SUB_PD_NEW = f"{ARN}:7d2c4e1a-3b5f-4c6d-8e9f-0a1b2c3d4e5f"
SUB_EMAIL = f"{ARN}:5e8f3a2b-9c1d-4e7f-a6b5-c4d3e2f1a0b9"
DEFAULT_POLICY = {
    "Version": "2008-10-17",
    "Id": "__default_policy_ID",
    "Statement": [
        {
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:Publish", "SNS:Subscribe"],
            "Resource": ARN,
            "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}},
        }
    ],
}
CLOUDWATCH_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "CloudWatchAlarms",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": ARN,
        }
    ],
}
TAGS = {"environment": "prod", "managed-by": "ansible"}
ARGS = {
    "name": NAME,
    "display_name": "MedTech prod alerts",
    "kms_master_key_id": KEY,
    "subscriptions": [{"protocol": "https", "endpoint": PAGERDUTY}, {"protocol": "email", "endpoint": EMAIL}],
    "tags": TAGS,
    "region": REGION,
}


def attributes(display_name="MedTech prod alerts", key=KEY, policy=None):
    """GetTopicAttributes' Attributes as AWS answers (KmsMasterKeyId only when set)."""
    attrs = {
        "Owner": ACCOUNT,
        "TopicArn": ARN,
        "DisplayName": display_name,
        "Policy": json.dumps(policy or DEFAULT_POLICY),
        "SubscriptionsPending": "0",
        "SubscriptionsConfirmed": "2",
        "SubscriptionsDeleted": "0",
        "EffectiveDeliveryPolicy": json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 3}}}),
    }
    if key:
        attrs["KmsMasterKeyId"] = key
    return attrs


def subscription(arn, protocol, endpoint):
    return {"SubscriptionArn": arn, "Owner": ACCOUNT, "Protocol": protocol, "Endpoint": endpoint, "TopicArn": ARN}


CURRENT_SUBS = [subscription(SUB_PD, "https", PAGERDUTY), subscription(SUB_EMAIL, "email", EMAIL)]


class Stub:
    """A real boto3 SNS client with a Stubber, and shortcuts for its calls."""

    def __init__(self):
        self.client = boto3.client(
            "sns", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self.stubber = Stubber(self.client)

    def list_topics(self, arns):
        self.stubber.add_response("list_topics", {"Topics": [{"TopicArn": arn} for arn in arns]}, {})

    def read(self, attrs=None, tags=None, subs=None):
        """The four reads of an existing topic."""
        self.list_topics([f"arn:aws:sns:{REGION}:{ACCOUNT}:{NAME}-archive", ARN])
        self.stubber.add_response("get_topic_attributes", {"Attributes": attrs or attributes()}, {"TopicArn": ARN})
        tag_list = [{"Key": k, "Value": v} for k, v in (TAGS if tags is None else tags).items()]
        self.stubber.add_response("list_tags_for_resource", {"Tags": tag_list}, {"ResourceArn": ARN})
        self.stubber.add_response(
            "list_subscriptions_by_topic",
            {"Subscriptions": CURRENT_SUBS if subs is None else subs},
            {"TopicArn": ARN},
        )

    def set_attribute(self, name, value):
        self.stubber.add_response(
            "set_topic_attributes", {}, {"TopicArn": ARN, "AttributeName": name, "AttributeValue": value}
        )

    def subscribe(self, protocol, endpoint, arn):
        self.stubber.add_response(
            "subscribe",
            {"SubscriptionArn": arn},
            {"TopicArn": ARN, "Protocol": protocol, "Endpoint": endpoint, "ReturnSubscriptionArn": True},
        )

    def unsubscribe(self, arn):
        self.stubber.add_response("unsubscribe", {}, {"SubscriptionArn": arn})

    def error(self, operation, code, message, status=400):
        self.stubber.add_client_error(
            operation, service_error_code=code, service_message=message, http_status_code=status
        )


@pytest.fixture()
def sns():
    stub = Stub()
    with consumed(stub.stubber):
        yield stub


def run(sns, args, check_mode=False, diff=True):
    """Run main(); return (failed, result) with the warnings added, after checking that no
    endpoint (nor the integration key in it) appears anywhere in the result."""
    warnings = []
    with mock.patch.object(module_under_test, "core_warn", side_effect=warnings.append):
        failed, result = run_main(module_under_test, args, sns.client, check_mode=check_mode, diff=diff)
    if warnings:
        result["warnings"] = warnings
    text = json.dumps(result, default=str)
    for secret in SECRETS:
        assert secret not in text, f"an endpoint leaked into the result: {text}"
    return failed, result


def fp(endpoint):
    return endpoint_fingerprint(endpoint)


MASKED = [
    {"protocol": "email", "endpoint_sha256_prefix": fp(EMAIL), "subscription_arn": SUB_EMAIL},
    {"protocol": "https", "endpoint_sha256_prefix": fp(PAGERDUTY), "subscription_arn": SUB_PD},
]
MASKED = sorted(MASKED, key=lambda item: (item["protocol"], item["endpoint_sha256_prefix"]))


# --- create ---------------------------------------------------------------------------------------
def test_create_encrypted_with_subscriptions(sns):
    sns.list_topics([])
    sns.stubber.add_response(
        "create_topic",
        {"TopicArn": ARN},
        {
            "Name": NAME,
            "Attributes": {"DisplayName": "MedTech prod alerts", "KmsMasterKeyId": KEY},
            "Tags": [{"Key": "environment", "Value": "prod"}, {"Key": "managed-by", "Value": "ansible"}],
        },
    )
    sns.subscribe("email", EMAIL, SUB_EMAIL)
    sns.subscribe("https", PAGERDUTY, SUB_PD)
    pending = [subscription("PendingConfirmation", "https", PAGERDUTY), subscription("PendingConfirmation", "email", EMAIL)]
    sns.read(subs=pending)

    failed, result = run(sns, ARGS)

    assert not failed, result
    assert result["changed"] is True
    topic = result["topic"]
    assert topic["topic_arn"] == ARN
    assert topic["kms_master_key_id"] == KEY
    assert topic["display_name"] == "MedTech prod alerts"
    assert topic["tags"] == TAGS
    assert {item["subscription_arn"] for item in topic["subscriptions"]} == {"PendingConfirmation"}
    assert sorted(item["endpoint_sha256_prefix"] for item in topic["subscriptions"]) == sorted([fp(EMAIL), fp(PAGERDUTY)])
    assert all(set(item) == {"protocol", "subscription_arn", "endpoint_sha256_prefix"} for item in topic["subscriptions"])
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["kms_master_key_id"] == KEY
    assert result["diff"]["after"]["subscriptions"] == [
        {key: item[key] for key in ("protocol", "endpoint_sha256_prefix")} for item in MASKED
    ]


def test_create_check_mode_writes_nothing(sns):
    sns.list_topics([])

    failed, result = run(sns, ARGS, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert "topic_arn" not in result["topic"]
    assert result["topic"]["kms_master_key_id"] == KEY
    assert [item["subscription_arn"] for item in result["topic"]["subscriptions"]] == [None, None]
    assert result["diff"]["after"]["subscriptions"] == [
        {key: item[key] for key in ("protocol", "endpoint_sha256_prefix")} for item in MASKED
    ]


# --- no change ------------------------------------------------------------------------------------
def test_no_change_makes_no_write(sns):
    sns.read()

    failed, result = run(sns, dict(ARGS, subscriptions=list(reversed(ARGS["subscriptions"]))))

    assert not failed, result
    assert result["changed"] is False
    assert result["topic"]["subscriptions"] == MASKED
    assert result["diff"]["before"] == result["diff"]["after"]


def test_policy_equal_in_another_form_is_no_change(sns):
    stored = dict(CLOUDWATCH_POLICY, Statement=[dict(CLOUDWATCH_POLICY["Statement"][0], Action=["sns:Publish"])])
    sns.read(attrs=attributes(policy=stored))

    failed, result = run(sns, {"name": NAME, "policy": CLOUDWATCH_POLICY, "region": REGION})

    assert not failed, result
    assert result["changed"] is False


# --- update ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("check_mode", [False, True])
def test_kms_key_change(sns, check_mode):
    sns.read(attrs=attributes(key="alias/aws/sns"))
    if not check_mode:
        sns.set_attribute("KmsMasterKeyId", KEY)
        sns.read()

    failed, result = run(sns, {"name": NAME, "kms_master_key_id": KEY, "region": REGION}, check_mode=check_mode)

    assert not failed, result
    assert result["changed"] is True
    assert result["topic"]["kms_master_key_id"] == KEY
    assert result["diff"]["before"]["kms_master_key_id"] == "alias/aws/sns"
    assert result["diff"]["after"]["kms_master_key_id"] == KEY


def test_encryption_turned_off_with_empty_string(sns):
    sns.read()
    sns.set_attribute("KmsMasterKeyId", "")
    sns.read(attrs=attributes(key=None))

    failed, result = run(sns, {"name": NAME, "kms_master_key_id": "", "region": REGION})

    assert not failed, result
    assert result["changed"] is True
    assert result["topic"]["kms_master_key_id"] == ""


def test_policy_change(sns):
    sns.read()
    sns.set_attribute("Policy", json.dumps(CLOUDWATCH_POLICY, sort_keys=True))
    sns.read(attrs=attributes(policy=CLOUDWATCH_POLICY))

    failed, result = run(sns, {"name": NAME, "policy": CLOUDWATCH_POLICY, "region": REGION})

    assert not failed, result
    assert result["changed"] is True
    assert result["topic"]["policy"] == CLOUDWATCH_POLICY
    assert result["diff"]["before"]["policy"] == DEFAULT_POLICY
    assert result["diff"]["after"]["policy"] == CLOUDWATCH_POLICY


def test_tag_changes(sns):
    sns.read()
    sns.stubber.add_response("untag_resource", {}, {"ResourceArn": ARN, "TagKeys": ["managed-by"]})
    sns.stubber.add_response(
        "tag_resource",
        {},
        {"ResourceArn": ARN, "Tags": [{"Key": "cost-centre", "Value": "platform"}, {"Key": "environment", "Value": "test"}]},
    )
    new_tags = {"environment": "test", "cost-centre": "platform"}
    sns.read(tags=new_tags)

    failed, result = run(sns, {"name": NAME, "tags": new_tags, "region": REGION})

    assert not failed, result
    assert result["changed"] is True
    assert result["topic"]["tags"] == new_tags
    assert result["diff"]["before"]["tags"] == TAGS


def test_tags_without_purge_only_add(sns):
    sns.read()
    sns.stubber.add_response("tag_resource", {}, {"ResourceArn": ARN, "Tags": [{"Key": "owner", "Value": "platform"}]})
    sns.read(tags=dict(TAGS, owner="platform"))

    failed, result = run(sns, {"name": NAME, "tags": {"owner": "platform"}, "purge_tags": False, "region": REGION})

    assert not failed, result
    assert result["changed"] is True


@pytest.mark.parametrize("check_mode", [False, True])
def test_subscription_swapped(sns, check_mode):
    sns.read()
    after = [subscription(SUB_EMAIL, "email", EMAIL), subscription("PendingConfirmation", "https", PAGERDUTY_NEW)]
    if not check_mode:
        sns.unsubscribe(SUB_PD)
        sns.subscribe("https", PAGERDUTY_NEW, SUB_PD_NEW)
        sns.read(subs=after)
    args = dict(ARGS, subscriptions=[{"protocol": "https", "endpoint": PAGERDUTY_NEW}, {"protocol": "email", "endpoint": EMAIL}])

    failed, result = run(sns, args, check_mode=check_mode)

    assert not failed, result
    assert result["changed"] is True
    prefixes = {item["endpoint_sha256_prefix"] for item in result["topic"]["subscriptions"]}
    assert prefixes == {fp(EMAIL), fp(PAGERDUTY_NEW)}
    assert {"protocol": "https", "endpoint_sha256_prefix": fp(PAGERDUTY)} in result["diff"]["before"]["subscriptions"]
    assert {"protocol": "https", "endpoint_sha256_prefix": fp(PAGERDUTY_NEW)} in result["diff"]["after"]["subscriptions"]


def test_subscription_added_without_purge_keeps_the_others(sns):
    sns.read()
    sns.subscribe("https", PAGERDUTY_NEW, SUB_PD_NEW)
    sns.read(subs=CURRENT_SUBS + [subscription(SUB_PD_NEW, "https", PAGERDUTY_NEW)])

    args = {"name": NAME, "subscriptions": [{"protocol": "https", "endpoint": PAGERDUTY_NEW}],
            "purge_subscriptions": False, "region": REGION}
    failed, result = run(sns, args)

    assert not failed, result
    assert result["changed"] is True
    assert len(result["topic"]["subscriptions"]) == 3


def test_sms_endpoint_compared_as_aws_stores_it(sns):
    sns.read(subs=[subscription(SUB_PD, "sms", "+4930123456")])

    args = {"name": NAME, "subscriptions": [{"protocol": "sms", "endpoint": "+49 30 123456"}], "region": REGION}
    failed, result = run(sns, args)

    assert not failed, result
    assert result["changed"] is False


def test_pending_subscription_is_not_removable_and_warns_without_endpoint(sns):
    pending = subscription("PendingConfirmation", "https", PAGERDUTY)
    sns.read(subs=[pending, subscription(SUB_EMAIL, "email", EMAIL)])

    args = {"name": NAME, "subscriptions": [{"protocol": "email", "endpoint": EMAIL}], "region": REGION}
    failed, result = run(sns, args)  # no Unsubscribe queued: calling it would fail the test

    assert not failed, result
    assert result["changed"] is False
    (warning,) = result["warnings"]
    assert "PendingConfirmation" in warning
    assert fp(PAGERDUTY) in warning


# --- delete ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("check_mode", [False, True])
def test_delete(sns, check_mode):
    sns.read()
    if not check_mode:
        sns.stubber.add_response("delete_topic", {}, {"TopicArn": ARN})  # no Unsubscribe: DeleteTopic removes them

    failed, result = run(sns, {"name": NAME, "state": "absent", "region": REGION}, check_mode=check_mode)

    assert not failed, result
    assert result["changed"] is True
    assert result["topic"]["subscriptions"] == MASKED
    assert result["diff"]["after"] == {}


def test_delete_of_missing_topic_is_no_change(sns):
    sns.list_topics([f"arn:aws:sns:{REGION}:{ACCOUNT}:{NAME}-archive", f"arn:aws:sns:us-east-1:{ACCOUNT}:{NAME}"])

    failed, result = run(sns, {"name": NAME, "state": "absent", "region": REGION})

    assert not failed, result
    assert result == {"changed": False, "topic": {}, "diff": {"before": {}, "after": {}}}


# --- bad input: no AWS call -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, expected",
    [
        ({"name": "alerts.fifo"}, "name: 'alerts.fifo' is not a standard SNS topic name"),
        ({"name": "x" * 257}, "1 to 256 letters, digits, hyphens and underscores"),
        ({"subscriptions": [{"protocol": "https", "endpoint": PAGERDUTY.replace("https", "http")}]},
         "subscriptions[0].endpoint must start with https:// for protocol https"),
        ({"subscriptions": [{"protocol": "email", "endpoint": EMAIL}, {"protocol": "sqs", "endpoint": PAGERDUTY}]},
         "subscriptions[1].endpoint must be an ARN"),
        ({"subscriptions": [{"protocol": "pagerduty", "endpoint": PAGERDUTY}]}, "value of protocol must be one of: http, https"),
    ],
)
def test_bad_input_fails_before_any_aws_call(sns, args, expected):
    failed, result = run(sns, dict({"name": NAME, "region": REGION}, **args))  # nothing queued

    assert failed
    assert expected in result["msg"]


# --- AWS errors -----------------------------------------------------------------------------------
def test_authorization_error_names_the_action(sns):
    sns.list_topics([])
    sns.error(
        "create_topic",
        "AuthorizationError",
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/deploy/ansible is not authorized to perform: SNS:CreateTopic "
        f"on resource: {ARN} because no identity-based policy allows the SNS:CreateTopic action",
        status=403,
    )

    failed, result = run(sns, ARGS)

    assert failed
    assert result["msg"].startswith(f"Failed to create the SNS topic {NAME}")
    assert "not authorized to perform: SNS:CreateTopic" in result["msg"]
    assert result["error"]["code"] == "AuthorizationError"


def test_kms_key_refused_names_the_attribute(sns):
    sns.read(attrs=attributes(key=None))
    sns.error("set_topic_attributes", "InvalidParameter",
              "Invalid parameter: KmsMasterKeyId Reason: Key alias/missing does not exist")

    failed, result = run(sns, {"name": NAME, "kms_master_key_id": "alias/missing", "region": REGION})

    assert failed
    assert result["msg"].startswith(f"Failed to set KmsMasterKeyId of the SNS topic {ARN}")
    assert "Key alias/missing does not exist" in result["msg"]


def test_subscribe_error_that_echoes_the_endpoint_is_scrubbed(sns):
    sns.read(subs=[subscription(SUB_EMAIL, "email", EMAIL)])
    sns.error("subscribe", "InvalidParameter", f"Invalid parameter: Unreachable Endpoint {PAGERDUTY}")

    args = {"name": NAME, "subscriptions": [{"protocol": "https", "endpoint": PAGERDUTY},
                                            {"protocol": "email", "endpoint": EMAIL}], "region": REGION}
    failed, result = run(sns, args)  # run() asserts the endpoint is nowhere in the result

    assert failed
    assert result["msg"].startswith(f"Failed to subscribe the https endpoint with sha256 prefix {fp(PAGERDUTY)}")
    assert f"Unreachable Endpoint <endpoint sha256:{fp(PAGERDUTY)}>" in result["msg"]
    assert result["error"]["code"] == "InvalidParameter"
