# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real sns_topic module, run by ``ansible``, against the emulator.

Each call is ``ansible localhost -m medtech.aws_platform.sns_topic -a '<json>' --diff`` (the
``ansible_module`` fixture of conftest.py); what the module did is then read back from the
emulator with boto3. Create, modify and delete, each in check mode and for real, each twice.

``test_endpoint_never_in_output_with_vvv`` runs ``ansible -vvv`` with the default callback (the
module's arguments, its result, its diff and any traceback are printed) and checks the printed
text: there, Ansible's ``no_log`` masking of ``subscriptions[].endpoint`` and the module's own
omission work together. That the module itself never puts an endpoint in its result (without the
masking) is checked by the Stubber tests (tests/unit/plugins/modules/test_sns_topic_stubbed.py).

Where moto (5.2.5) does not answer as AWS does, the Stubber tests cover the path instead: moto
confirms every subscription at once (AWS lists http/https/email ones as ``PendingConfirmation``
until the endpoint confirms, and they cannot be unsubscribed then), and it does not check that a
KMS key exists.
"""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest
from conftest import REPO_ROOT, VENV_BIN, ansible_env

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.sns_topic"
REGION = "eu-central-1"
NAME = "medtech-prod-alerts"
KEY = "alias/medtech-prod-platform"
INTEGRATION_KEY = "0123456789abcdef0123456789abcdef"
INTEGRATION_KEY_NEW = "fedcba9876543210fedcba9876543210"
PAGERDUTY = f"https://events.pagerduty.com/integration/{INTEGRATION_KEY}/enqueue"
PAGERDUTY_NEW = f"https://events.pagerduty.com/integration/{INTEGRATION_KEY_NEW}/enqueue"
EMAIL = "platform-oncall@medtech.example"
TAGS = {"environment": "prod", "project": "medtech", "managed-by": "ansible"}

PRODUCTION = {
    "name": NAME,
    "display_name": "MedTech prod alerts",
    "kms_master_key_id": KEY,
    "subscriptions": [{"protocol": "https", "endpoint": PAGERDUTY}, {"protocol": "email", "endpoint": EMAIL}],
    "tags": TAGS,
}


def prefix(endpoint):
    return hashlib.sha256(endpoint.encode()).hexdigest()[:12]


@pytest.fixture()
def run_module(ansible_module):
    """Run sns_topic once through ``ansible``; return the host's result dict."""

    def _run(args: dict, check: bool = False) -> dict:
        return ansible_module(MODULE, dict(args, region=REGION), check=check)

    return _run


@pytest.fixture()
def sns(aws):
    return aws.client("sns", REGION)


def topic_arn(sns, name=NAME):
    for topic in sns.list_topics()["Topics"]:
        if topic["TopicArn"].endswith(f":{name}"):
            return topic["TopicArn"]
    return None


def attributes(sns, name=NAME):
    return sns.get_topic_attributes(TopicArn=topic_arn(sns, name))["Attributes"]


def endpoints(sns, name=NAME):
    subs = sns.list_subscriptions_by_topic(TopicArn=topic_arn(sns, name))["Subscriptions"]
    return sorted((sub["Protocol"], sub["Endpoint"]) for sub in subs)


def tags(sns, name=NAME):
    return {tag["Key"]: tag["Value"] for tag in sns.list_tags_for_resource(ResourceArn=topic_arn(sns, name))["Tags"]}


def ok(result):
    assert not result.get("failed"), result
    text = json.dumps(result)
    assert INTEGRATION_KEY not in text and INTEGRATION_KEY_NEW not in text, text
    return result


# --- create ---------------------------------------------------------------------------------------
def test_create_check_mode_twice_then_for_real_twice(run_module, sns):
    for attempt in range(2):
        result = ok(run_module(PRODUCTION, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["before"] == {}
        assert result["diff"]["after"]["kms_master_key_id"] == KEY
        assert sorted(item["endpoint_sha256_prefix"] for item in result["diff"]["after"]["subscriptions"]) == sorted(
            [prefix(PAGERDUTY), prefix(EMAIL)]
        )
        assert topic_arn(sns) is None  # check mode created nothing

    result = ok(run_module(PRODUCTION))
    assert result["changed"] is True
    attrs = attributes(sns)
    assert attrs["KmsMasterKeyId"] == KEY
    assert attrs["DisplayName"] == "MedTech prod alerts"
    assert tags(sns) == TAGS
    assert endpoints(sns) == sorted([("email", EMAIL), ("https", PAGERDUTY)])
    topic = result["topic"]
    assert topic["topic_arn"] == topic_arn(sns)
    assert topic["kms_master_key_id"] == KEY
    assert topic["tags"] == TAGS
    assert topic["policy"]["Statement"]  # AWS's (moto's) default policy
    assert {item["protocol"]: item["endpoint_sha256_prefix"] for item in topic["subscriptions"]} == {
        "https": prefix(PAGERDUTY),
        "email": prefix(EMAIL),
    }
    assert all(item["subscription_arn"].startswith(topic["topic_arn"] + ":") for item in topic["subscriptions"])
    assert result["diff"]["after"] == ok(run_module(PRODUCTION, check=True))["diff"]["before"]

    for check in (False, True):
        result = ok(run_module(PRODUCTION, check=check))
        assert result["changed"] is False
        assert result["diff"]["before"] == result["diff"]["after"]


def test_create_minimal_is_unencrypted_and_leaves_unset_options_alone(run_module, sns):
    result = ok(run_module({"name": "medtech-test-alerts"}))
    assert result["changed"] is True
    assert "KmsMasterKeyId" not in attributes(sns, "medtech-test-alerts")
    assert result["topic"]["kms_master_key_id"] == ""
    assert result["topic"]["subscriptions"] == []
    assert ok(run_module({"name": "medtech-test-alerts"}))["changed"] is False


# --- modify ---------------------------------------------------------------------------------------
def test_change_key_and_display_name(run_module, sns):
    ok(run_module(PRODUCTION))
    changed = {"name": NAME, "kms_master_key_id": "alias/aws/sns", "display_name": "MedTech alerts"}

    for attempt in range(2):
        result = ok(run_module(changed, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["before"]["kms_master_key_id"] == KEY
        assert result["diff"]["after"]["kms_master_key_id"] == "alias/aws/sns"
        assert result["diff"]["after"]["display_name"] == "MedTech alerts"
        assert attributes(sns)["KmsMasterKeyId"] == KEY  # nothing written

    result = ok(run_module(changed))
    assert result["changed"] is True
    attrs = attributes(sns)
    assert attrs["KmsMasterKeyId"] == "alias/aws/sns"
    assert attrs["DisplayName"] == "MedTech alerts"
    assert tags(sns) == TAGS  # not set: left alone
    assert endpoints(sns) == sorted([("email", EMAIL), ("https", PAGERDUTY)])
    for check in (False, True):
        assert ok(run_module(changed, check=check))["changed"] is False

    # "" turns encryption off
    assert ok(run_module({"name": NAME, "kms_master_key_id": ""}))["changed"] is True
    assert not attributes(sns).get("KmsMasterKeyId")
    assert ok(run_module({"name": NAME, "kms_master_key_id": ""}))["changed"] is False


def test_policy_and_tags(run_module, sns):
    ok(run_module(PRODUCTION))
    arn = topic_arn(sns)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "CloudWatchAlarms", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
                       "Action": "sns:Publish", "Resource": arn}],
    }
    args = {"name": NAME, "policy": policy, "tags": {"environment": "prod", "cost-centre": "platform"}}

    result = ok(run_module(args))
    assert result["changed"] is True
    assert json.loads(attributes(sns)["Policy"]) == policy
    assert tags(sns) == {"environment": "prod", "cost-centre": "platform"}
    assert result["diff"]["after"]["policy"] == policy
    # the same policy with the action as a list of one: no change
    same = dict(args, policy=dict(policy, Statement=[dict(policy["Statement"][0], Action=["sns:Publish"])]))
    for check in (False, True):
        assert ok(run_module(same, check=check))["changed"] is False


def test_subscription_swap(run_module, sns):
    ok(run_module(PRODUCTION))
    swapped = {"name": NAME, "subscriptions": [{"protocol": "email", "endpoint": EMAIL},
                                               {"protocol": "https", "endpoint": PAGERDUTY_NEW}]}

    for attempt in range(2):
        result = ok(run_module(swapped, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        after = {item["endpoint_sha256_prefix"] for item in result["diff"]["after"]["subscriptions"]}
        assert after == {prefix(EMAIL), prefix(PAGERDUTY_NEW)}
        assert endpoints(sns) == sorted([("email", EMAIL), ("https", PAGERDUTY)])  # nothing written

    result = ok(run_module(swapped))
    assert result["changed"] is True
    assert endpoints(sns) == sorted([("email", EMAIL), ("https", PAGERDUTY_NEW)])
    for check in (False, True):
        assert ok(run_module(swapped, check=check))["changed"] is False

    # without purge: added, the others kept
    add = {"name": NAME, "purge_subscriptions": False, "subscriptions": [{"protocol": "https", "endpoint": PAGERDUTY}]}
    assert ok(run_module(add))["changed"] is True
    assert endpoints(sns) == sorted([("email", EMAIL), ("https", PAGERDUTY), ("https", PAGERDUTY_NEW)])
    assert ok(run_module(add))["changed"] is False


# --- delete ---------------------------------------------------------------------------------------
def test_delete_check_mode_then_twice(run_module, sns):
    ok(run_module(PRODUCTION))
    absent = {"name": NAME, "state": "absent"}

    result = ok(run_module(absent, check=True))
    assert result["changed"] is True
    assert result["diff"]["after"] == {}
    assert topic_arn(sns) is not None  # check mode deleted nothing

    result = ok(run_module(absent))
    assert result["changed"] is True
    assert topic_arn(sns) is None
    assert sns.list_subscriptions()["Subscriptions"] == []  # DeleteTopic removed them

    result = ok(run_module(absent))
    assert result["changed"] is False
    assert result["topic"] == {}


def test_bad_input_fails_without_echoing_the_endpoint(run_module, sns):
    result = run_module({"name": NAME, "subscriptions": [{"protocol": "https", "endpoint": PAGERDUTY.replace("https", "http")}]})
    assert result["failed"]
    assert "subscriptions[0].endpoint must start with https://" in result["msg"]
    assert INTEGRATION_KEY not in json.dumps(result)
    assert topic_arn(sns) is None


# --- the endpoint in ansible's own output -----------------------------------------------------------
def test_endpoint_never_in_output_with_vvv(aws, sns, tmp_path):
    """create, no-op, check-mode swap, swap, an AWS error that echoes the endpoint, delete: with
    -vvv and --diff, ansible prints neither endpoint (nor the integration key in it)."""
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={VENV_BIN / 'python'}\n")
    # one module call per run: Ansible's own strategy (Mitogen's start-up costs more than it saves here)
    env = ansible_env(aws.url, {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                "AWS_REGION": REGION, "ANSIBLE_STRATEGY": "linear"})
    # moto answers "Invalid SMS endpoint: <endpoint>" for this number
    bad_sms = "+49-30--5550123"

    def ansible(args, *flags):
        cmd = [str(VENV_BIN / "ansible"), "localhost", "-i", str(inventory), "-m", MODULE,
               "-a", json.dumps(dict(args, region=REGION)), "--diff", "-vvv", *flags]
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
        output = proc.stdout + proc.stderr
        for secret in (PAGERDUTY, PAGERDUTY_NEW, INTEGRATION_KEY, INTEGRATION_KEY_NEW, bad_sms):
            assert secret not in output, f"{secret} printed by: {' '.join(flags)} {args}\n{output}"
        return proc, output

    proc, output = ansible(PRODUCTION)
    assert proc.returncode == 0 and "CHANGED" in proc.stdout, output
    assert prefix(PAGERDUTY) in proc.stdout  # the masked form is what is shown
    proc, output = ansible(PRODUCTION)
    assert proc.returncode == 0 and "CHANGED" not in proc.stdout, output
    swapped = dict(PRODUCTION, subscriptions=[{"protocol": "https", "endpoint": PAGERDUTY_NEW}])
    proc, output = ansible(swapped, "--check")
    assert proc.returncode == 0 and "CHANGED" in proc.stdout, output
    proc, output = ansible(swapped)
    assert proc.returncode == 0 and "CHANGED" in proc.stdout, output
    assert endpoints(sns) == [("https", PAGERDUTY_NEW)]
    proc, output = ansible(dict(swapped, subscriptions=[{"protocol": "sms", "endpoint": bad_sms}]))
    assert proc.returncode != 0 and "FAILED" in proc.stdout, output
    # AWS's (here moto's) message, with the endpoint replaced by the module, not only masked by Ansible
    assert f"Invalid SMS endpoint: <endpoint sha256:{prefix(bad_sms)}>" in proc.stdout, output
    assert "Failed to subscribe the sms endpoint" in proc.stdout
    proc, output = ansible({"name": NAME, "state": "absent"})
    assert proc.returncode == 0 and "CHANGED" in proc.stdout, output
