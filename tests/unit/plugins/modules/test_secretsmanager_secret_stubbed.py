# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the secretsmanager_secret module, against botocore's Stubber.

The Stubber validates every request against the real Secrets Manager (and KMS) API model and
answers with the responses queued here, in order; an unexpected call fails the test. So "no
write call", "no GetRandomPassword in check mode" and "no GetSecretValue without
managed_json_fields" are asserted by queueing none: such a call would find no queued response and
fail the run, and the order of the queue asserts the order of the calls. Each test
runs the module's main() through AnsibleAWSModule, with only ``AnsibleAWSModule.client`` patched
to return the stubbed clients.

Paths that moto answers differently from AWS are tested here only: replica KMS keys (moto reports
every replica with ``alias/aws/secretsmanager``), a KMS alias compared with a key ARN, errors as
AWS returns them, rotation (moto's RotateSecret ignores ScheduleExpression), a rotation in
progress (AWSPENDING) and values that are not JSON objects.
"""

from __future__ import annotations

import datetime
import json
import uuid
from pathlib import Path
from unittest import mock

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.medtech.aws_platform.plugins.modules import secretsmanager_secret

REGION = "eu-central-1"
NAME = "prod/rds/admin"
ARN = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:{NAME}-AbCdEf"
KEY = "alias/medtech-platform"
KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DR_KEY = "alias/medtech-platform-dr"
VERSION = "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"
NEW_VERSION = "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE"
PENDING_VERSION = "EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE"
ROTATION_VERSION = "EXAMPLE4-90ab-cdef-fedc-ba987EXAMPLE"
CREATED = datetime.datetime(2025, 3, 1, 10, 15, 42, tzinfo=datetime.timezone.utc)
CANARY = "CANARY-value-must-never-be-seen-7f3a"
RANDOM = "RANDOM-generated-by-aws-0c4e"
LAMBDA_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:medtech-secret-rotation"
MODULES = []  # the AnsibleAWSModule of each run, to look at its no_log_values


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def _exit_json(self, **kwargs):
    MODULES.append(self)
    raise ExitJson(kwargs)


def _fail_json(self, **kwargs):
    MODULES.append(self)
    raise FailJson(kwargs)


class Token:
    """Matches any ClientRequestToken in a Stubber's expected parameters and keeps it."""

    def __init__(self):
        self.values = []

    def __eq__(self, other):
        self.values.append(other)
        return True

    def __ne__(self, other):
        return not self.__eq__(other)

    def __repr__(self):
        return "<Token>"


def described(value=True, tags=None, replicas=None, **overrides):
    """A DescribeSecret response; ``value`` adds a version labelled AWSCURRENT."""
    item = {
        "ARN": ARN,
        "Name": NAME,
        "Description": "Master credentials",
        "KmsKeyId": KEY,
        "CreatedDate": CREATED,
        "LastChangedDate": CREATED,
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    }
    if value:
        item["VersionIdsToStages"] = {VERSION: ["AWSCURRENT"]}
    if replicas:
        item["ReplicationStatus"] = [
            {"Region": region, "KmsKeyId": key, "Status": "InSync", "StatusMessage": "Replication succeeded"}
            for region, key in replicas.items()
        ]
    item.update(overrides)
    return {k: v for k, v in item.items() if v is not None}


class Stubs:
    """Real boto3 clients with Stubbers: Secrets Manager, and KMS per region."""

    def __init__(self):
        self.sm = self._client("secretsmanager", REGION)
        self.sm_stub = Stubber(self.sm)
        self.kms = {}
        self.kms_stubs = {}
        self.client_calls = []

    @staticmethod
    def _client(service, region):
        return boto3.client(service, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")

    def kms_stub(self, region=REGION):
        if region not in self.kms:
            self.kms[region] = self._client("kms", region)
            self.kms_stubs[region] = Stubber(self.kms[region])
            self.kms_stubs[region].activate()
        return self.kms_stubs[region]

    def client(self, service, retry_decorator=None, region=None):
        self.client_calls.append((service, region))
        if service == "secretsmanager":
            return self.sm
        if service == "kms":
            self.kms_stub(region or REGION)
            return self.kms[region or REGION]
        raise AssertionError(f"unexpected client {service}")

    # --- shortcuts ---------------------------------------------------------------------------
    def describe(self, response):
        if response is None:
            self.sm_stub.add_client_error(
                "describe_secret",
                service_error_code="ResourceNotFoundException",
                service_message="Secrets Manager can't find the specified secret.",
                http_status_code=400,
                expected_params={"SecretId": NAME},
            )
        else:
            self.sm_stub.add_response("describe_secret", response, {"SecretId": NAME})

    def create(self, expected, version=True):
        params = {"Name": NAME, "ClientRequestToken": ANY}
        params.update(expected)
        response = {"ARN": ARN, "Name": NAME}
        if version:
            response["VersionId"] = VERSION
        self.sm_stub.add_response("create_secret", response, params)

    def random(self, expected, password=RANDOM):
        self.sm_stub.add_response("get_random_password", {"RandomPassword": password}, expected)

    def put(self, secret_string):
        self.sm_stub.add_response(
            "put_secret_value",
            {"ARN": ARN, "Name": NAME, "VersionId": VERSION, "VersionStages": ["AWSCURRENT"]},
            {"SecretId": NAME, "SecretString": secret_string, "ClientRequestToken": ANY},
        )

    def get_value(self, secret_string=None, binary=None):
        response = {"ARN": ARN, "Name": NAME, "VersionId": VERSION, "VersionStages": ["AWSCURRENT"]}
        if secret_string is not None:
            response["SecretString"] = secret_string
        if binary is not None:
            response["SecretBinary"] = binary
        self.sm_stub.add_response("get_secret_value", response, {"SecretId": NAME, "VersionStage": "AWSCURRENT"})

    def put_with_token(self, secret_string, token):
        self.sm_stub.add_response(
            "put_secret_value",
            {"ARN": ARN, "Name": NAME, "VersionId": NEW_VERSION, "VersionStages": ["AWSCURRENT"]},
            {"SecretId": NAME, "SecretString": secret_string, "ClientRequestToken": token},
        )

    def rotate(self, rules, immediately=True, lambda_arn=LAMBDA_ARN):
        self.sm_stub.add_response(
            "rotate_secret",
            {"ARN": ARN, "Name": NAME, "VersionId": ROTATION_VERSION},
            {
                "SecretId": NAME,
                "ClientRequestToken": ANY,
                "RotationLambdaARN": lambda_arn,
                "RotationRules": rules,
                "RotateImmediately": immediately,
            },
        )

    def cancel(self):
        self.sm_stub.add_response("cancel_rotate_secret", {"ARN": ARN, "Name": NAME}, {"SecretId": NAME})

    def update(self, expected):
        self.sm_stub.add_response("update_secret", {"ARN": ARN, "Name": NAME}, dict({"SecretId": NAME}, **expected))

    def describe_key(self, key_id, arn=KEY_ARN, region=REGION):
        self.kms_stub(region).add_response(
            "describe_key",
            {"KeyMetadata": {"KeyId": arn.rsplit("/", 1)[-1], "Arn": arn}},
            {"KeyId": key_id},
        )


@pytest.fixture()
def aws():
    stubs = Stubs()
    with stubs.sm_stub:
        yield stubs
        # every queued response was consumed: the module made exactly the calls expected
        stubs.sm_stub.assert_no_pending_responses()
        for stub in stubs.kms_stubs.values():
            stub.assert_no_pending_responses()


def run(aws, args, check_mode=False, diff=False):
    """Run main() with ``args``; return (failed, result)."""
    module_args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    module_args.setdefault("region", REGION)
    warnings = []
    with patch_module_args(module_args), mock.patch.object(
        secretsmanager_secret, "core_warn", side_effect=warnings.append
    ), mock.patch.object(
        AnsibleAWSModule, "client", autospec=True, side_effect=lambda _self, *a, **kw: aws.client(*a, **kw)
    ), mock.patch.object(basic.AnsibleModule, "exit_json", _exit_json), mock.patch.object(
        basic.AnsibleModule, "fail_json", _fail_json
    ):
        failed, result = None, None
        try:
            secretsmanager_secret.main()
        except ExitJson as e:
            failed, result = False, e.args[0]
        except FailJson as e:
            failed, result = True, e.args[0]
    if result is None:
        raise AssertionError("main() neither exited nor failed")
    assert "warnings" not in result  # never handed to exit_json (deprecated in ansible-core 2.19+)
    if warnings:
        result["warnings"] = warnings
    return failed, result


def warnings_of(result):
    return " | ".join(result.get("warnings") or [])


# --- create -------------------------------------------------------------------------------------
def test_create_with_generated_json_value(aws):
    aws.describe(None)
    aws.random({"PasswordLength": 32, "ExcludeCharacters": "/@\"' "})
    expected_value = json.dumps({"username": "medtech_admin", "password": RANDOM})
    aws.create(
        {
            "Description": "Master credentials",
            "KmsKeyId": KEY,
            "Tags": [{"Key": "environment", "Value": "prod"}],
            "AddReplicaRegions": [{"Region": "eu-west-1", "KmsKeyId": DR_KEY}],
            "SecretString": expected_value,
        }
    )
    aws.describe(described(tags={"environment": "prod"}, replicas={"eu-west-1": DR_KEY}))

    failed, result = run(
        aws,
        {
            "name": NAME,
            "description": "Master credentials",
            "kms_key_id": KEY,
            "generate_initial_value": {
                "length": 32,
                "exclude_characters": "/@\"' ",
                "json_key": "password",
                "json_fields": {"username": "medtech_admin"},
            },
            "replica_regions": [{"region": "eu-west-1", "kms_key_id": DR_KEY}],
            "tags": {"environment": "prod"},
        },
        diff=True,
    )

    assert not failed, result
    assert result["changed"] is True
    assert result["value_state"] == "created"
    assert result["restored"] is False
    secret = result["secret"]
    assert secret["arn"] == ARN
    assert secret["version_ids_to_stages"] == {VERSION: ["AWSCURRENT"]}  # version ids untouched
    assert secret["tags"] == {"environment": "prod"}
    assert secret["created_date"].startswith("2025-03-01T10:15:42")
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"] == {
        "name": NAME,
        "description": "Master credentials",
        "kms_key_id": KEY,
        "tags": {"environment": "prod"},
        "replica_regions": [{"region": "eu-west-1", "kms_key_id": DR_KEY}],
        "value_state": "set",
    }
    assert "warnings" not in result
    assert RANDOM not in json.dumps(result)


def test_create_with_generated_plain_value_uses_default_length(aws):
    aws.describe(None)
    aws.random({"PasswordLength": 64, "ExcludePunctuation": True})
    aws.create({"SecretString": RANDOM})
    aws.describe(described(KmsKeyId=None, Description=None))

    failed, result = run(aws, {"name": NAME, "generate_initial_value": {"exclude_punctuation": True}})

    assert not failed, result
    assert result["value_state"] == "created"
    assert RANDOM not in json.dumps(result)


def test_create_with_initial_value(aws):
    aws.describe(None)
    aws.create({"SecretString": CANARY})
    aws.describe(described(KmsKeyId=None, Description=None))

    failed, result = run(aws, {"name": NAME, "initial_value": CANARY})

    assert not failed, result
    assert result["value_state"] == "created"
    assert CANARY not in json.dumps(result)


def test_create_with_initial_value_json(aws):
    aws.describe(None)
    aws.create({"SecretString": json.dumps({"publishable_key": "pk", "secret_key": CANARY})})
    aws.describe(described(KmsKeyId=None, Description=None))

    failed, result = run(aws, {"name": NAME, "initial_value_json": {"publishable_key": "pk", "secret_key": CANARY}})

    assert not failed, result
    assert result["value_state"] == "created"


def test_create_without_value_warns_that_it_is_missing(aws):
    aws.describe(None)
    aws.create({"Description": "Stripe keys"}, version=False)  # no SecretString, no SecretBinary
    aws.describe(described(value=False, Description="Stripe keys", KmsKeyId=None))

    failed, result = run(aws, {"name": NAME, "description": "Stripe keys"}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["value_state"] == "missing"
    assert "version_ids_to_stages" not in result["secret"]
    assert result["diff"]["after"]["value_state"] == "missing"
    assert result["diff"]["after"]["kms_key_id"] == "alias/aws/secretsmanager"
    assert f"Secret {NAME} has no value" in warnings_of(result)
    assert "put-secret-value" in warnings_of(result)


def test_create_in_check_mode_writes_nothing_and_generates_nothing(aws):
    aws.describe(None)  # the only call: no GetRandomPassword, no CreateSecret queued

    failed, result = run(
        aws,
        {
            "name": NAME,
            "kms_key_id": KEY,
            "generate_initial_value": {"json_key": "password"},
            "replica_regions": [{"region": "eu-west-1"}],
            "tags": {"environment": "prod"},
        },
        check_mode=True,
        diff=True,
    )

    assert not failed, result
    assert result["changed"] is True
    assert result["value_state"] == "created"
    assert result["secret"] == {
        "name": NAME,
        "kms_key_id": KEY,
        "tags": {"environment": "prod"},
        "replication_status": [{"region": "eu-west-1"}],
    }
    assert result["diff"]["after"]["value_state"] == "set"
    assert result["diff"]["after"]["replica_regions"] == [
        {"region": "eu-west-1", "kms_key_id": "alias/aws/secretsmanager"}
    ]


def test_create_race_resource_exists_converges_the_other_secret(aws):
    # Someone created the secret (with a value) between DescribeSecret and CreateSecret.
    aws.describe(None)
    aws.sm_stub.add_client_error(
        "create_secret",
        service_error_code="ResourceExistsException",
        service_message=f"The operation failed because the secret {NAME} already exists.",
        http_status_code=400,
    )
    aws.describe(described())
    aws.describe(described())  # read again after the (attempted) write

    failed, result = run(aws, {"name": NAME, "initial_value": CANARY})

    assert not failed, result
    assert result["value_state"] == "kept"  # no PutSecretValue queued: the value was not touched
    assert "already has a value, which was kept" in warnings_of(result)


def test_create_race_with_a_secret_without_value_puts_ours(aws):
    aws.describe(None)
    aws.sm_stub.add_client_error(
        "create_secret",
        service_error_code="ResourceExistsException",
        service_message=f"The operation failed because the secret {NAME} already exists.",
        http_status_code=400,
    )
    aws.describe(described(value=False))
    aws.put(CANARY)
    aws.describe(described())

    failed, result = run(aws, {"name": NAME, "initial_value": CANARY})

    assert not failed, result
    assert result["value_state"] == "created"


# --- existing secret and its value ------------------------------------------------------------
def test_existing_value_is_kept_and_said_so(aws):
    aws.describe(described())  # nothing else queued: no PutSecretValue, no GetSecretValue

    failed, result = run(aws, {"name": NAME, "initial_value": CANARY, "kms_key_id": KEY}, diff=True)

    assert not failed, result
    assert result["changed"] is False
    assert result["value_state"] == "kept"
    message = warnings_of(result)
    assert f"Secret {NAME} already has a value, which was kept" in message
    assert "initial_value" in message
    assert CANARY not in message
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["diff"]["after"]["value_state"] == "set"


def test_existing_value_kept_with_generate_option_generates_nothing(aws):
    aws.describe(described())  # no GetRandomPassword queued

    failed, result = run(aws, {"name": NAME, "generate_initial_value": {"length": 20}})

    assert not failed, result
    assert result["changed"] is False
    assert result["value_state"] == "kept"
    assert "generate_initial_value is used only when" in warnings_of(result)


def test_existing_value_without_initial_value_is_kept_silently(aws):
    aws.describe(described())

    failed, result = run(aws, {"name": NAME})

    assert not failed, result
    assert result["changed"] is False
    assert result["value_state"] == "kept"
    assert "warnings" not in result


def test_existing_without_value_gets_the_initial_value(aws):
    aws.describe(described(value=False))
    aws.put(CANARY)
    aws.describe(described())

    failed, result = run(aws, {"name": NAME, "initial_value": CANARY}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["value_state"] == "created"
    assert result["diff"]["before"]["value_state"] == "missing"
    assert result["diff"]["after"]["value_state"] == "set"
    assert "warnings" not in result


def test_existing_without_value_gets_a_generated_value(aws):
    aws.describe(described(value=False))
    aws.random({"PasswordLength": 64})
    aws.put(json.dumps({"password": RANDOM}))
    aws.describe(described())

    failed, result = run(aws, {"name": NAME, "generate_initial_value": {"json_key": "password"}})

    assert not failed, result
    assert result["value_state"] == "created"


def test_existing_without_value_in_check_mode_generates_and_puts_nothing(aws):
    aws.describe(described(value=False))

    failed, result = run(aws, {"name": NAME, "generate_initial_value": {}}, check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["value_state"] == "created"
    assert result["diff"]["after"]["value_state"] == "set"


def test_existing_without_value_and_none_given_stays_missing(aws):
    aws.describe(described(value=False))

    failed, result = run(aws, {"name": NAME})

    assert not failed, result
    assert result["changed"] is False
    assert result["value_state"] == "missing"
    assert "has no value: put it in" in warnings_of(result)


def test_version_without_awscurrent_is_not_a_value(aws):
    # Only an AWSPENDING version (e.g. a rotation that never finished): no current value.
    aws.describe(described(value=False, VersionIdsToStages={VERSION: ["AWSPENDING"]}))

    failed, result = run(aws, {"name": NAME})

    assert not failed, result
    assert result["value_state"] == "missing"


# --- metadata -----------------------------------------------------------------------------------
def test_description_and_kms_key_change_in_one_update(aws):
    aws.describe(described())
    aws.update({"Description": "New", "KmsKeyId": "alias/other"})
    aws.describe(described(Description="New", KmsKeyId="alias/other"))

    failed, result = run(aws, {"name": NAME, "description": "New", "kms_key_id": "alias/other"}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["value_state"] == "kept"
    assert result["diff"]["before"]["kms_key_id"] == KEY
    assert result["diff"]["after"]["kms_key_id"] == "alias/other"
    assert result["diff"]["after"]["description"] == "New"


def test_metadata_change_in_check_mode_writes_nothing(aws):
    aws.describe(described())

    failed, result = run(aws, {"name": NAME, "description": "New", "kms_key_id": "alias/other"}, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["secret"]["description"] == "New"
    assert result["secret"]["kms_key_id"] == "alias/other"


def test_alias_arn_equals_alias_name_without_kms_call(aws):
    aws.describe(described(KmsKeyId=f"arn:aws:kms:{REGION}:123456789012:{KEY}"))

    failed, result = run(aws, {"name": NAME, "kms_key_id": KEY})

    assert not failed, result
    assert result["changed"] is False
    assert aws.kms == {}  # no KMS client needed


def test_alias_compared_with_key_arn_by_resolving_it(aws):
    aws.describe(described(KmsKeyId=KEY_ARN))
    aws.describe_key(KEY_ARN)
    aws.describe_key(KEY)  # the alias points at the same key

    failed, result = run(aws, {"name": NAME, "kms_key_id": KEY})

    assert not failed, result
    assert result["changed"] is False


def test_alias_of_another_key_is_an_update(aws):
    aws.describe(described(KmsKeyId=KEY_ARN))
    aws.describe_key(KEY_ARN)
    aws.describe_key("alias/other", arn="arn:aws:kms:eu-central-1:123456789012:key/ffffffff-0000-1111-2222-333333333333")
    aws.update({"KmsKeyId": "alias/other"})
    aws.describe(described(KmsKeyId="alias/other"))

    failed, result = run(aws, {"name": NAME, "kms_key_id": "alias/other"})

    assert not failed, result
    assert result["changed"] is True


def test_default_key_given_as_alias_equals_no_key(aws):
    aws.describe(described(KmsKeyId=None))

    failed, result = run(aws, {"name": NAME, "kms_key_id": "alias/aws/secretsmanager", "description": "Master credentials"})

    assert not failed, result
    assert result["changed"] is False


def test_tags_purged_and_set_keeping_aws_tags(aws):
    aws.describe(described(tags={"environment": "dev", "old": "x", "aws:cloudformation:stack-name": "s"}))
    aws.sm_stub.add_response("untag_resource", {}, {"SecretId": NAME, "TagKeys": ["old"]})
    aws.sm_stub.add_response(
        "tag_resource", {}, {"SecretId": NAME, "Tags": [{"Key": "environment", "Value": "prod"}]}
    )
    aws.describe(described(tags={"environment": "prod", "aws:cloudformation:stack-name": "s"}))

    failed, result = run(aws, {"name": NAME, "tags": {"environment": "prod"}}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["secret"]["tags"] == {"environment": "prod", "aws:cloudformation:stack-name": "s"}
    assert result["diff"]["before"]["tags"]["environment"] == "dev"


def test_tags_without_purge_only_add(aws):
    aws.describe(described(tags={"old": "x"}))
    aws.sm_stub.add_response("tag_resource", {}, {"SecretId": NAME, "Tags": [{"Key": "port", "Value": "5432"}]})
    aws.describe(described(tags={"old": "x", "port": "5432"}))

    failed, result = run(aws, {"name": NAME, "tags": {"port": 5432}, "purge_tags": False})

    assert not failed, result
    assert result["changed"] is True


def test_tags_in_check_mode(aws):
    aws.describe(described(tags={"environment": "dev"}))

    failed, result = run(aws, {"name": NAME, "tags": {"environment": "prod"}}, check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["secret"]["tags"] == {"environment": "prod"}
    assert result["diff"]["after"]["tags"] == {"environment": "prod"}


def test_unset_options_are_left_alone(aws):
    aws.describe(described(tags={"owner": "someone"}, replicas={"eu-west-1": DR_KEY}))

    failed, result = run(aws, {"name": NAME})

    assert not failed, result
    assert result["changed"] is False


# --- replicas -----------------------------------------------------------------------------------
def test_replica_added_with_its_key(aws):
    aws.describe(described())
    aws.sm_stub.add_response(
        "replicate_secret_to_regions",
        {"ARN": ARN, "ReplicationStatus": [{"Region": "eu-west-1", "KmsKeyId": DR_KEY, "Status": "InProgress"}]},
        {"SecretId": NAME, "AddReplicaRegions": [{"Region": "eu-west-1", "KmsKeyId": DR_KEY}]},
    )
    aws.describe(described(replicas={"eu-west-1": DR_KEY}))

    failed, result = run(aws, {"name": NAME, "replica_regions": [{"region": "eu-west-1", "kms_key_id": DR_KEY}]})

    assert not failed, result
    assert result["changed"] is True
    assert result["secret"]["replication_status"][0]["region"] == "eu-west-1"


def test_replica_with_same_key_is_no_change(aws):
    aws.describe(described(replicas={"eu-west-1": DR_KEY}))

    failed, result = run(aws, {"name": NAME, "replica_regions": [{"region": "eu-west-1", "kms_key_id": DR_KEY}]})

    assert not failed, result
    assert result["changed"] is False


def test_replica_key_compared_in_the_replica_region(aws):
    dr_arn = "arn:aws:kms:eu-west-1:123456789012:key/99999999-aaaa-bbbb-cccc-dddddddddddd"
    aws.describe(described(replicas={"eu-west-1": dr_arn}))
    aws.describe_key(dr_arn, arn=dr_arn, region="eu-west-1")
    aws.describe_key(DR_KEY, arn=dr_arn, region="eu-west-1")

    failed, result = run(aws, {"name": NAME, "replica_regions": [{"region": "eu-west-1", "kms_key_id": DR_KEY}]})

    assert not failed, result
    assert result["changed"] is False
    assert ("kms", "eu-west-1") in aws.client_calls


def test_replica_with_other_key_is_removed_and_replicated_again(aws):
    aws.describe(described(replicas={"eu-west-1": "alias/aws/secretsmanager"}))
    aws.sm_stub.add_response(
        "remove_regions_from_replication",
        {"ARN": ARN, "ReplicationStatus": []},
        {"SecretId": NAME, "RemoveReplicaRegions": ["eu-west-1"]},
    )
    aws.sm_stub.add_response(
        "replicate_secret_to_regions",
        {"ARN": ARN, "ReplicationStatus": [{"Region": "eu-west-1", "KmsKeyId": DR_KEY, "Status": "InProgress"}]},
        {
            "SecretId": NAME,
            "AddReplicaRegions": [{"Region": "eu-west-1", "KmsKeyId": DR_KEY}],
            "ForceOverwriteReplicaSecret": True,
        },
    )
    aws.describe(described(replicas={"eu-west-1": DR_KEY}))

    failed, result = run(aws, {"name": NAME, "replica_regions": [{"region": "eu-west-1", "kms_key_id": DR_KEY}]})

    assert not failed, result
    assert result["changed"] is True
    assert "removed it and replicate again with alias/medtech-platform-dr" in warnings_of(result)


def test_unlisted_replica_purged_or_kept(aws):
    aws.describe(described(replicas={"eu-west-1": DR_KEY, "us-east-1": "alias/aws/secretsmanager"}))
    aws.sm_stub.add_response(
        "remove_regions_from_replication",
        {"ARN": ARN, "ReplicationStatus": []},
        {"SecretId": NAME, "RemoveReplicaRegions": ["us-east-1"]},
    )
    aws.describe(described(replicas={"eu-west-1": DR_KEY}))

    failed, result = run(aws, {"name": NAME, "replica_regions": [{"region": "eu-west-1"}]})
    assert not failed, result
    assert result["changed"] is True


def test_unlisted_replica_kept_without_purge(aws):
    aws.describe(described(replicas={"eu-west-1": DR_KEY, "us-east-1": "alias/aws/secretsmanager"}))

    failed, result = run(
        aws, {"name": NAME, "replica_regions": [{"region": "eu-west-1"}], "purge_replica_regions": False}
    )
    assert not failed, result
    assert result["changed"] is False


def test_replica_changes_in_check_mode(aws):
    aws.describe(described(replicas={"us-east-1": "alias/aws/secretsmanager"}))

    failed, result = run(
        aws, {"name": NAME, "replica_regions": [{"region": "eu-west-1", "kms_key_id": DR_KEY}]}, check_mode=True, diff=True
    )

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["after"]["replica_regions"] == [{"region": "eu-west-1", "kms_key_id": DR_KEY}]
    assert result["diff"]["before"]["replica_regions"] == [
        {"region": "us-east-1", "kms_key_id": "alias/aws/secretsmanager"}
    ]


def test_failed_replica_is_reported(aws):
    failed_replica = {
        "Region": "eu-west-1",
        "KmsKeyId": DR_KEY,
        "Status": "Failed",
        "StatusMessage": f"Replication failed: Secret name {NAME} already exists in region eu-west-1.",
    }
    aws.describe(described(ReplicationStatus=[failed_replica]))

    failed, result = run(aws, {"name": NAME, "replica_regions": [{"region": "eu-west-1", "kms_key_id": DR_KEY}]})

    assert not failed, result
    assert result["changed"] is False
    assert "replication to eu-west-1 failed: Replication failed" in warnings_of(result)


def test_replica_secret_is_refused(aws):
    aws.describe(
        described(ARN=ARN.replace(REGION, "eu-west-1"), PrimaryRegion=REGION)
    )

    failed, result = run(aws, {"name": NAME, "region": "eu-west-1"})

    assert failed
    assert f"is a replica of the secret in {REGION}" in result["msg"]
    assert f"set region: {REGION}" in result["msg"]


def test_primary_region_of_the_primary_is_fine(aws):
    aws.describe(described(PrimaryRegion=REGION))

    failed, result = run(aws, {"name": NAME})

    assert not failed, result


# --- restore ------------------------------------------------------------------------------------
def test_scheduled_deletion_is_restored_and_said_so(aws):
    deleted = CREATED + datetime.timedelta(days=30)
    aws.describe(described(DeletedDate=deleted))
    aws.sm_stub.add_response("restore_secret", {"ARN": ARN, "Name": NAME}, {"SecretId": NAME})
    aws.update({"Description": "New"})
    aws.describe(described(Description="New"))

    failed, result = run(aws, {"name": NAME, "description": "New"}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["restored"] is True
    assert result["value_state"] == "kept"
    assert "deleted_date" in result["diff"]["before"]
    assert "deleted_date" not in result["diff"]["after"]
    assert f"Secret {NAME} was scheduled for deletion; restored it" in warnings_of(result)


def test_scheduled_deletion_restore_in_check_mode(aws):
    aws.describe(described(DeletedDate=CREATED))

    failed, result = run(aws, {"name": NAME}, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["restored"] is True
    assert "deleted_date" not in result["secret"]
    assert "would restore it" in warnings_of(result)


# --- delete -------------------------------------------------------------------------------------
def test_delete_uses_the_recovery_window(aws):
    aws.describe(described())
    aws.sm_stub.add_response(
        "delete_secret",
        {"ARN": ARN, "Name": NAME, "DeletionDate": CREATED},
        {"SecretId": NAME, "RecoveryWindowInDays": 7},  # never ForceDeleteWithoutRecovery
    )
    aws.describe(described(DeletedDate=CREATED))

    failed, result = run(aws, {"name": NAME, "state": "absent", "recovery_window_in_days": 7}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["secret"]["deleted_date"].startswith("2025-03-01")
    assert result["diff"]["before"]["name"] == NAME
    assert result["diff"]["after"] == {}
    assert "value_state" not in result


def test_delete_default_window_is_30_days(aws):
    aws.describe(described())
    aws.sm_stub.add_response(
        "delete_secret", {"ARN": ARN, "Name": NAME, "DeletionDate": CREATED}, {"SecretId": NAME, "RecoveryWindowInDays": 30}
    )
    aws.describe(described(DeletedDate=CREATED))

    failed, result = run(aws, {"name": NAME, "state": "absent"})

    assert not failed, result
    assert result["changed"] is True


def test_delete_removes_replicas_first(aws):
    aws.describe(described(replicas={"eu-west-1": DR_KEY}))
    aws.sm_stub.add_response(
        "remove_regions_from_replication",
        {"ARN": ARN, "ReplicationStatus": []},
        {"SecretId": NAME, "RemoveReplicaRegions": ["eu-west-1"]},
    )
    aws.sm_stub.add_response(
        "delete_secret", {"ARN": ARN, "Name": NAME, "DeletionDate": CREATED}, {"SecretId": NAME, "RecoveryWindowInDays": 30}
    )
    aws.describe(described(DeletedDate=CREATED))

    failed, result = run(aws, {"name": NAME, "state": "absent"})

    assert not failed, result
    assert "removed its replicas in eu-west-1" in warnings_of(result)


def test_delete_in_check_mode_writes_nothing(aws):
    aws.describe(described(replicas={"eu-west-1": DR_KEY}))

    failed, result = run(aws, {"name": NAME, "state": "absent"}, check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["after"] == {}
    assert "would remove its replicas" in warnings_of(result)


def test_delete_when_already_scheduled_is_no_change(aws):
    aws.describe(described(DeletedDate=CREATED))

    failed, result = run(aws, {"name": NAME, "state": "absent"}, diff=True)

    assert not failed, result
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]


def test_delete_when_absent(aws):
    aws.describe(None)

    failed, result = run(aws, {"name": NAME, "state": "absent"})

    assert not failed, result
    assert result == {"changed": False, "secret": {}}


# --- AWS errors ---------------------------------------------------------------------------------
def test_access_denied_on_describe_names_the_action(aws):
    aws.sm_stub.add_client_error(
        "describe_secret",
        service_error_code="AccessDeniedException",
        service_message=(
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
            "secretsmanager:DescribeSecret on resource: prod/rds/admin"
        ),
        http_status_code=400,
    )

    failed, result = run(aws, {"name": NAME})

    assert failed
    assert result["msg"].startswith(f"Failed to describe the secret {NAME}")
    assert result["error"]["code"] == "AccessDeniedException"


def test_access_denied_on_put_names_the_action_and_not_the_value(aws):
    aws.describe(described(value=False))
    aws.sm_stub.add_client_error(
        "put_secret_value",
        service_error_code="AccessDeniedException",
        service_message="Access to KMS is not allowed",
        http_status_code=400,
    )

    failed, result = run(aws, {"name": NAME, "initial_value": CANARY})

    assert failed
    assert result["msg"].startswith(f"Failed to put the first value of the secret {NAME}")
    assert CANARY not in json.dumps(result, default=str)


def test_create_error_other_than_exists_fails(aws):
    aws.describe(None)
    aws.sm_stub.add_client_error(
        "create_secret",
        service_error_code="InvalidRequestException",
        service_message="You can't create this secret because a secret with this name is already scheduled for deletion.",
        http_status_code=400,
    )

    failed, result = run(aws, {"name": NAME})

    assert failed
    assert result["msg"].startswith(f"Failed to create the secret {NAME}")
    assert result["error"]["code"] == "InvalidRequestException"


def test_kms_describe_key_denied_names_the_permission(aws):
    aws.describe(described(KmsKeyId=KEY_ARN))
    aws.kms_stub().add_client_error(
        "describe_key",
        service_error_code="AccessDeniedException",
        service_message="not authorized to perform: kms:DescribeKey",
        http_status_code=400,
    )

    failed, result = run(aws, {"name": NAME, "kms_key_id": KEY})

    assert failed
    assert "needs kms:DescribeKey" in result["msg"]


def test_throttling_is_retried(aws):
    aws.sm_stub.add_client_error(
        "describe_secret", service_error_code="ThrottlingException", service_message="Rate exceeded", http_status_code=400
    )
    aws.describe(described())

    with mock.patch("time.sleep"):
        failed, result = run(aws, {"name": NAME})

    assert not failed, result
    assert result["value_state"] == "kept"


# --- validation before any AWS call -------------------------------------------------------------
@pytest.mark.parametrize(
    "args, fragment",
    [
        ({"name": ""}, "name is empty"),
        ({"name": "   "}, "name is empty"),
        ({"name": ARN}, "name is an ARN"),
        ({"name": "prod/rds admin"}, "is not a valid secret name"),
        ({"name": NAME, "state": "absent", "recovery_window_in_days": 3}, "recovery_window_in_days is 3"),
        ({"name": NAME, "recovery_window_in_days": 31}, "from 7 to 30"),
        ({"name": NAME, "generate_initial_value": {"length": 0}}, "generate_initial_value.length is 0"),
        ({"name": NAME, "generate_initial_value": {"length": 5000}}, "from 1 to 4096"),
        (
            {
                "name": NAME,
                "generate_initial_value": {
                    "exclude_numbers": True,
                    "exclude_punctuation": True,
                    "exclude_uppercase": True,
                    "exclude_lowercase": True,
                },
            },
            "allow at least one of them",
        ),
        ({"name": NAME, "generate_initial_value": {"json_fields": {"username": "u"}}}, "needs generate_initial_value.json_key"),
        (
            {"name": NAME, "generate_initial_value": {"json_key": "password", "json_fields": {"password": "x"}}},
            "contains the key 'password'",
        ),
        ({"name": NAME, "generate_initial_value": {"json_key": " "}}, "json_key is empty"),
        ({"name": NAME, "initial_value": ""}, "initial_value is empty"),
        ({"name": NAME, "initial_value": "x" * 65537}, "longer than 65536 bytes"),
        ({"name": NAME, "initial_value_json": {}}, "initial_value_json is empty"),
        ({"name": NAME, "initial_value": "a", "generate_initial_value": {}}, "mutually exclusive"),
        ({"name": NAME, "initial_value": "a", "initial_value_json": {"a": "b"}}, "mutually exclusive"),
        ({"name": NAME, "replica_regions": [{"region": REGION}]}, "is the secret's own region"),
        ({"name": NAME, "replica_regions": [{"region": "Ireland"}]}, "is not a region code"),
        ({"name": NAME, "replica_regions": [{"region": "eu-west-1"}, {"region": "eu-west-1"}]}, "listed twice"),
        ({"name": NAME, "tags": {"aws:owner": "me"}}, "reserves"),
    ],
)
def test_invalid_options_fail_before_any_aws_call(aws, args, fragment):
    failed, result = run(aws, args)  # nothing queued: any AWS call would fail differently

    assert failed
    assert fragment in result["msg"]
    assert aws.client_calls == []


def test_invalid_option_messages_never_contain_the_value(aws):
    failed, result = run(aws, {"name": "", "initial_value": CANARY})

    assert failed
    assert CANARY not in json.dumps(result)


# --- pure helpers and guards --------------------------------------------------------------------
@pytest.mark.parametrize(
    "current, wanted, same",
    [
        (None, None, True),
        (None, "", True),
        (None, "alias/aws/secretsmanager", True),
        ("alias/x", f"arn:aws:kms:{REGION}:123456789012:alias/x", True),
        ("1234abcd-12ab-34cd-56ef-1234567890ab", KEY_ARN, True),
        ("alias/x", "alias/y", False),
        (KEY_ARN, "ffffffff-0000-1111-2222-333333333333", False),
        (None, KEY, False),
        (KEY_ARN, KEY, None),
        (None, KEY_ARN, None),
    ],
)
def test_same_kms_key_text(current, wanted, same):
    assert secretsmanager_secret.same_kms_key_text(current, wanted) is same


def test_has_value():
    assert secretsmanager_secret.has_value({"a": ["AWSCURRENT"]})
    assert secretsmanager_secret.has_value({"a": ["AWSPREVIOUS"], "b": ["AWSCURRENT", "AWSPENDING"]})
    assert not secretsmanager_secret.has_value({"a": ["AWSPENDING"]})
    assert not secretsmanager_secret.has_value(None)


def test_value_options_are_no_log():
    # every option that carries (part of) a value is no_log in the argument spec
    source = Path(secretsmanager_secret.__file__).read_text()
    for option in ("initial_value=dict(type=\"str\", no_log=True)", "initial_value_json=dict(type=\"dict\", no_log=True)",
                   "json_fields=dict(type=\"dict\", no_log=True)"):
        assert option in source


def _code(path):
    return "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))


def test_get_secret_value_is_called_in_one_place_only():
    # The module decides whether a value exists from DescribeSecret; it reads a value only in
    # read_document (managed_json_fields), through the one module_utils function.
    module_utils = Path(secretsmanager_secret.__file__).parents[1] / "module_utils" / "secretsmanager.py"
    module_code = _code(Path(secretsmanager_secret.__file__))
    assert module_code.count("get_secret_value(") == 1
    assert "string, binary = get_secret_value(self.client, self.name)" in module_code
    utils_code = _code(module_utils)
    assert utils_code.count("client.get_secret_value(") == 1
    assert 'VersionStage="AWSCURRENT"' in utils_code
    for code in (module_code, utils_code):
        assert "batch_get_secret_value" not in code


# --- rotation -----------------------------------------------------------------------------------
def rotating(days=30, enabled=True, lambda_arn=LAMBDA_ARN, **rules):
    """DescribeSecret fields of a secret whose rotation is configured."""
    rules = dict(rules)
    if days is not None:
        rules["AutomaticallyAfterDays"] = days
    return {"RotationEnabled": enabled, "RotationLambdaARN": lambda_arn, "RotationRules": rules}


ROTATION = {"lambda_arn": LAMBDA_ARN, "automatically_after_days": 30}


def test_rotation_unchanged_makes_no_call(aws):
    aws.describe(described(**rotating(30)))  # no RotateSecret queued

    failed, result = run(aws, {"name": NAME, "rotation": ROTATION}, diff=True)

    assert not failed, result
    assert result["changed"] is False
    assert result["secret"]["rotation_enabled"] is True
    assert result["secret"]["rotation_lambda_arn"] == LAMBDA_ARN  # the key boto3_resource_to_ansible_dict makes
    assert result["secret"]["rotation_rules"] == {"automatically_after_days": 30}
    rotation = {"enabled": True, "lambda_arn": LAMBDA_ARN, "automatically_after_days": 30}
    assert result["diff"]["before"]["rotation"] == result["diff"]["after"]["rotation"] == rotation


def test_rotation_schedule_compared_without_the_days_aws_adds(aws):
    aws.describe(described(**rotating(30, ScheduleExpression="rate(30 days)", Duration="3h")))

    failed, result = run(
        aws,
        {"name": NAME, "rotation": {"lambda_arn": LAMBDA_ARN, "schedule_expression": "rate(30 days)", "duration": "3h"}},
        diff=True,
    )

    assert not failed, result
    assert result["changed"] is False
    assert result["diff"]["after"]["rotation"] == {
        "enabled": True,
        "lambda_arn": LAMBDA_ARN,
        "schedule_expression": "rate(30 days)",
        "duration": "3h",
    }


@pytest.mark.parametrize("immediately", [True, False, None])
def test_rotation_interval_differs_rotates_as_configured(aws, immediately):
    aws.describe(described(**rotating(30)))
    aws.rotate({"AutomaticallyAfterDays": 7}, immediately=immediately is not False)  # default: true
    aws.describe(described(**rotating(7)))
    rotation = dict(ROTATION, automatically_after_days=7)
    if immediately is not None:
        rotation["rotate_immediately"] = immediately

    failed, result = run(aws, {"name": NAME, "rotation": rotation}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["rotation"]["automatically_after_days"] == 30
    assert result["diff"]["after"]["rotation"]["automatically_after_days"] == 7
    assert result["value_state"] == "kept"


@pytest.mark.parametrize(
    "current",
    [
        {},  # never configured
        rotating(30, enabled=False),  # turned off
        rotating(30, lambda_arn=LAMBDA_ARN + "-old"),  # another function
    ],
)
def test_rotation_turned_on_or_switched_function(aws, current):
    aws.describe(described(**current))
    aws.rotate({"AutomaticallyAfterDays": 30})
    aws.describe(described(**rotating(30)))

    failed, result = run(aws, {"name": NAME, "rotation": ROTATION})

    assert not failed, result
    assert result["changed"] is True


def test_rotation_schedule_expression_sent_with_duration(aws):
    aws.describe(described(**rotating(30)))
    aws.rotate({"ScheduleExpression": "cron(0 4 ? * SUN *)", "Duration": "2h"}, immediately=False)
    aws.describe(described(**rotating(None, ScheduleExpression="cron(0 4 ? * SUN *)", Duration="2h")))

    failed, result = run(
        aws,
        {
            "name": NAME,
            "rotation": {
                "lambda_arn": LAMBDA_ARN,
                "schedule_expression": "cron(0 4 ? * SUN *)",
                "duration": "2h",
                "rotate_immediately": False,
            },
        },
    )

    assert not failed, result
    assert result["changed"] is True


def test_rotation_enabled_false_cancels(aws):
    aws.describe(described(**rotating(30)))
    aws.cancel()
    aws.describe(described(**rotating(30, enabled=False)))

    failed, result = run(aws, {"name": NAME, "rotation": {"enabled": False}}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["secret"]["rotation_enabled"] is False
    assert result["diff"]["before"]["rotation"]["enabled"] is True
    assert result["diff"]["after"]["rotation"]["enabled"] is False


def test_rotation_enabled_false_when_off_makes_no_call(aws):
    aws.describe(described(**rotating(30, enabled=False)))

    failed, result = run(aws, {"name": NAME, "rotation": {"enabled": False}})

    assert not failed, result
    assert result["changed"] is False


def test_rotation_not_set_is_left_alone(aws):
    aws.describe(described(**rotating(30)))

    failed, result = run(aws, {"name": NAME}, diff=True)

    assert not failed, result
    assert result["changed"] is False
    assert result["diff"]["after"]["rotation"]["enabled"] is True  # shown as AWS has it


def test_rotation_in_check_mode_makes_no_call(aws):
    aws.describe(described(**rotating(30)))

    failed, result = run(aws, {"name": NAME, "rotation": dict(ROTATION, automatically_after_days=7)}, check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["secret"]["rotation_rules"] == {"automatically_after_days": 7}
    assert result["diff"]["after"]["rotation"]["automatically_after_days"] == 7


def test_rotation_cancel_in_check_mode_makes_no_call(aws):
    aws.describe(described(**rotating(30)))

    failed, result = run(aws, {"name": NAME, "rotation": {"enabled": False}}, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["secret"]["rotation_enabled"] is False


def test_rotation_on_secret_without_value_is_refused_before_any_write(aws):
    aws.describe(described(value=False))  # no UpdateSecret, no RotateSecret queued

    failed, result = run(aws, {"name": NAME, "description": "New", "rotation": ROTATION})

    assert failed
    assert f"Secret {NAME} has no value, and rotation needs one" in result["msg"]


def test_rotation_of_a_new_secret_without_value_is_refused_before_create(aws):
    aws.describe(None)  # no CreateSecret queued

    failed, result = run(aws, {"name": NAME, "rotation": ROTATION})

    assert failed
    assert "has no value, and rotation needs one" in result["msg"]


def test_rotation_after_the_value_created_in_the_same_run(aws):
    aws.describe(described(value=False))
    aws.put(CANARY)  # the value first ...
    aws.rotate({"AutomaticallyAfterDays": 30})  # ... then the rotation (the Stubber checks the order)
    aws.describe(described(**rotating(30)))

    failed, result = run(aws, {"name": NAME, "initial_value": CANARY, "rotation": ROTATION})

    assert not failed, result
    assert result["value_state"] == "created"


def test_rotation_of_a_new_secret_after_create(aws):
    aws.describe(None)
    aws.create({"SecretString": CANARY})
    aws.rotate({"AutomaticallyAfterDays": 30}, immediately=False)
    aws.describe(described(**rotating(30)))

    failed, result = run(aws, {"name": NAME, "initial_value": CANARY, "rotation": dict(ROTATION, rotate_immediately=False)})

    assert not failed, result
    assert result["changed"] is True


def test_rotation_of_a_new_secret_in_check_mode(aws):
    aws.describe(None)

    failed, result = run(aws, {"name": NAME, "initial_value": CANARY, "rotation": ROTATION}, check_mode=True, diff=True)

    assert not failed, result
    assert result["secret"]["rotation_enabled"] is True
    assert result["diff"]["after"]["rotation"] == {"enabled": True, "lambda_arn": LAMBDA_ARN, "automatically_after_days": 30}


def test_rotate_secret_error_names_the_action(aws):
    aws.describe(described())
    aws.sm_stub.add_client_error(
        "rotate_secret",
        service_error_code="ResourceNotFoundException",
        service_message=f"Resource not found for ARN '{LAMBDA_ARN}'.",
        http_status_code=400,
    )

    failed, result = run(aws, {"name": NAME, "rotation": ROTATION})

    assert failed
    assert result["msg"].startswith(f"Failed to configure the rotation of the secret {NAME}")


# --- managed_json_fields ------------------------------------------------------------------------
DOCUMENT = {"username": "medtech_admin", "password": CANARY, "engine": "postgres", "host": "old.example"}
MANAGED = {"host": "db.example", "port": 5432, "dbname": "medtech"}


def test_managed_fields_equal_no_put(aws):
    aws.describe(described())
    aws.get_value(json.dumps(dict(DOCUMENT, **MANAGED)))  # no PutSecretValue queued

    failed, result = run(aws, {"name": NAME, "managed_json_fields": MANAGED}, diff=True)

    assert not failed, result
    assert result["changed"] is False
    assert result["json_fields_changed"] == []
    assert result["value_state"] == "kept"
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["diff"]["after"]["managed_json_fields"] == MANAGED
    assert CANARY not in json.dumps(result)


def test_managed_fields_differ_put_keeps_every_other_key(aws):
    token = Token()
    aws.describe(described())
    aws.get_value(json.dumps(DOCUMENT))
    expected = json.dumps(
        {
            "username": "medtech_admin",
            "password": CANARY,
            "engine": "postgres",
            "host": "db.example",
            "port": 5432,
            "dbname": "medtech",
        }
    )
    aws.put_with_token(expected, token)  # no VersionStages: AWS labels the new version AWSCURRENT
    aws.describe(described(VersionIdsToStages={NEW_VERSION: ["AWSCURRENT"], VERSION: ["AWSPREVIOUS"]}))

    failed, result = run(aws, {"name": NAME, "managed_json_fields": MANAGED}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["value_state"] == "kept"
    assert result["json_fields_changed"] == ["dbname", "host", "port"]
    assert result["diff"]["before"]["managed_json_fields"] == {"host": "old.example"}
    assert result["diff"]["after"]["managed_json_fields"] == MANAGED
    assert result["secret"]["version_ids_to_stages"][NEW_VERSION] == ["AWSCURRENT"]
    assert len(token.values) == 1 and str(uuid.UUID(token.values[0])) == token.values[0]  # a fresh token
    assert CANARY not in json.dumps(result)
    assert "warnings" not in result
    # the value read is hidden from the output: the whole string and each other string in it
    no_log = MODULES[-1].no_log_values
    assert CANARY in no_log and json.dumps(DOCUMENT) in no_log and expected in no_log
    assert "db.example" not in no_log and "old.example" not in no_log  # managed: declared non-secret


def test_managed_fields_number_and_string_differ(aws):
    aws.describe(described())
    aws.get_value(json.dumps({"password": CANARY, "port": "5432"}))
    aws.put(json.dumps({"password": CANARY, "port": 5432}))
    aws.describe(described())

    failed, result = run(aws, {"name": NAME, "managed_json_fields": {"port": 5432}})

    assert not failed, result
    assert result["json_fields_changed"] == ["port"]


def test_managed_fields_in_check_mode_read_but_put_nothing(aws):
    aws.describe(described())
    aws.get_value(json.dumps(DOCUMENT))  # reading is allowed; no PutSecretValue queued

    failed, result = run(aws, {"name": NAME, "managed_json_fields": MANAGED}, check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["json_fields_changed"] == ["dbname", "host", "port"]
    assert result["diff"]["after"]["managed_json_fields"] == MANAGED
    assert CANARY not in json.dumps(result)


def test_managed_fields_refused_while_a_rotation_is_in_progress(aws):
    aws.describe(described(VersionIdsToStages={VERSION: ["AWSCURRENT"], PENDING_VERSION: ["AWSPENDING"]}))
    aws.get_value(json.dumps(DOCUMENT))  # no UpdateSecret, no PutSecretValue queued

    failed, result = run(aws, {"name": NAME, "description": "New", "managed_json_fields": MANAGED})

    assert failed
    assert f"a rotation is in progress (version {PENDING_VERSION} is labelled AWSPENDING" in result["msg"]
    assert "dbname, host, port" in result["msg"]
    assert CANARY not in json.dumps(result)


def test_managed_fields_equal_during_a_rotation_is_no_change(aws):
    aws.describe(described(VersionIdsToStages={VERSION: ["AWSCURRENT"], PENDING_VERSION: ["AWSPENDING"]}))
    aws.get_value(json.dumps(dict(DOCUMENT, **MANAGED)))

    failed, result = run(aws, {"name": NAME, "managed_json_fields": MANAGED})

    assert not failed, result
    assert result["changed"] is False


@pytest.mark.parametrize("value", [f"not-json-{CANARY}", json.dumps([CANARY]), json.dumps(CANARY), "{" + CANARY])
def test_managed_fields_of_a_value_that_is_not_a_json_object(aws, value):
    aws.describe(described())
    aws.get_value(value)

    failed, result = run(aws, {"name": NAME, "managed_json_fields": MANAGED})

    assert failed
    assert f"managed_json_fields: the secret {NAME} holds a value that is not a JSON object" in result["msg"]
    assert CANARY not in json.dumps(result)
    assert value in MODULES[-1].no_log_values


def test_managed_fields_of_a_binary_value(aws):
    aws.describe(described())
    aws.get_value(binary=CANARY.encode())

    failed, result = run(aws, {"name": NAME, "managed_json_fields": MANAGED})

    assert failed
    assert "holds a binary value" in result["msg"]
    assert CANARY not in json.dumps(result)


def test_managed_fields_get_value_denied_names_the_permission(aws):
    aws.describe(described())
    aws.sm_stub.add_client_error(
        "get_secret_value", service_error_code="AccessDeniedException", service_message="denied", http_status_code=400
    )

    failed, result = run(aws, {"name": NAME, "managed_json_fields": MANAGED})

    assert failed
    assert result["msg"].startswith(f"Failed to read the current value of the secret {NAME}")
    assert "secretsmanager:GetSecretValue" in result["msg"]


def test_managed_fields_merged_into_a_generated_first_value(aws):
    aws.describe(None)
    aws.random({"PasswordLength": 64})
    aws.create(
        {
            "SecretString": json.dumps(
                {"username": "medtech_admin", "host": "db.example", "port": 5432, "dbname": "medtech", "password": RANDOM}
            )
        }
    )
    aws.describe(described())

    failed, result = run(
        aws,
        {
            "name": NAME,
            "generate_initial_value": {"json_key": "password", "json_fields": {"username": "medtech_admin"}},
            "managed_json_fields": MANAGED,
        },
        diff=True,
    )

    assert not failed, result
    assert result["value_state"] == "created"
    assert result["json_fields_changed"] == ["dbname", "host", "port"]
    assert result["diff"]["after"]["managed_json_fields"] == MANAGED
    assert RANDOM not in json.dumps(result)


def test_managed_fields_merged_into_initial_value_json_of_an_empty_secret(aws):
    aws.describe(described(value=False))
    aws.put(json.dumps({"username": "app", "password": CANARY, "host": "db.example", "port": 5432, "dbname": "medtech"}))
    aws.describe(described())

    failed, result = run(
        aws, {"name": NAME, "initial_value_json": {"username": "app", "password": CANARY}, "managed_json_fields": MANAGED}
    )

    assert not failed, result
    assert result["value_state"] == "created"
    assert result["json_fields_changed"] == ["dbname", "host", "port"]


def test_managed_fields_alone_create_no_value(aws):
    aws.describe(described(value=False))  # no GetSecretValue, no PutSecretValue queued

    failed, result = run(aws, {"name": NAME, "managed_json_fields": MANAGED}, diff=True)

    assert not failed, result
    assert result["changed"] is False
    assert result["value_state"] == "missing"
    assert result["json_fields_changed"] == []
    assert result["diff"]["after"]["managed_json_fields"] == {}
    assert "has no value: put it in" in warnings_of(result)


def test_managed_fields_then_rotation_in_one_run(aws):
    aws.describe(described())
    aws.get_value(json.dumps(DOCUMENT))
    aws.put(json.dumps(dict(DOCUMENT, **MANAGED)))  # the value first ...
    aws.rotate({"AutomaticallyAfterDays": 30})  # ... then the rotation
    aws.describe(described(**rotating(30)))

    failed, result = run(aws, {"name": NAME, "managed_json_fields": MANAGED, "rotation": ROTATION})

    assert not failed, result
    assert result["changed"] is True


def test_managed_fields_of_a_secret_scheduled_for_deletion_after_the_restore(aws):
    aws.describe(described(DeletedDate=CREATED))
    aws.sm_stub.add_response("restore_secret", {"ARN": ARN, "Name": NAME}, {"SecretId": NAME})
    aws.get_value(json.dumps(DOCUMENT))  # AWS refuses GetSecretValue before the restore
    aws.put(json.dumps(dict(DOCUMENT, **MANAGED)))
    aws.describe(described())

    failed, result = run(aws, {"name": NAME, "managed_json_fields": MANAGED})

    assert not failed, result
    assert result["restored"] is True
    assert result["json_fields_changed"] == ["dbname", "host", "port"]


def test_managed_fields_of_a_secret_scheduled_for_deletion_in_check_mode(aws):
    aws.describe(described(DeletedDate=CREATED))  # no GetSecretValue: AWS would refuse it

    failed, result = run(aws, {"name": NAME, "managed_json_fields": MANAGED}, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert "managed_json_fields are compared after the restore" in warnings_of(result)


@pytest.mark.parametrize(
    "args, fragment",
    [
        ({"managed_json_fields": {"password": "x"}}, "the key 'password' looks like a secret"),
        ({"managed_json_fields": {"Client_Secret": "x"}}, "the key 'Client_Secret' looks like a secret"),
        ({"managed_json_fields": {"apiToken": "x"}}, "looks like a secret"),
        ({"managed_json_fields": {"KeyId": "x"}}, "looks like a secret"),
        ({"managed_json_fields": {}}, "managed_json_fields is empty"),
        ({"managed_json_fields": MANAGED, "initial_value": "x"}, "initial_value is a plain string"),
        ({"managed_json_fields": MANAGED, "generate_initial_value": {}}, "set generate_initial_value.json_key"),
        (
            {"managed_json_fields": {"host": "h"}, "generate_initial_value": {"json_key": "host"}},
            "managed_json_fields contains the key 'host' of the generated value (generate_initial_value.json_key)",
        ),
        ({"rotation": {"automatically_after_days": 30}}, "rotation.lambda_arn is not set"),
        ({"rotation": {"lambda_arn": LAMBDA_ARN}}, "rotation needs automatically_after_days or schedule_expression"),
        ({"rotation": dict(ROTATION, automatically_after_days=0)}, "rotation.automatically_after_days is 0"),
        ({"rotation": dict(ROTATION, automatically_after_days=1001)}, "from 1 to 1000"),
        ({"rotation": dict(ROTATION, schedule_expression="rate(30 days)")}, "mutually exclusive"),
        ({"rotation": {"lambda_arn": LAMBDA_ARN, "schedule_expression": "30 days"}}, "is not a schedule"),
        ({"rotation": dict(ROTATION, duration="3 hours")}, "is not a window in hours"),
    ],
)
def test_invalid_rotation_and_managed_options_fail_before_any_aws_call(aws, args, fragment):
    failed, result = run(aws, dict(args, name=NAME))

    assert failed
    assert fragment in result["msg"]
    assert aws.client_calls == []


def test_rotation_disabled_needs_no_function(aws):
    aws.describe(described())

    failed, result = run(aws, {"name": NAME, "rotation": {"enabled": False}})

    assert not failed, result
    assert result["changed"] is False


def test_managed_json_fields_helpers():
    assert secretsmanager_secret.fields_to_change({"a": 1, "b": "x"}, {"a": 1, "b": "x"}) == []
    assert secretsmanager_secret.fields_to_change({"a": "1"}, {"a": 1, "c": None}) == ["a", "c"]
    assert secretsmanager_secret.fields_to_change({"a": {"x": 1, "y": 2}}, {"a": {"y": 2, "x": 1}}) == []
    assert secretsmanager_secret.fields_to_change({"a": True}, {"a": 1}) == ["a"]
    assert secretsmanager_secret.json_strings({"a": "x", "b": [1, "y", {"c": "z"}], "d": ""}) == ["x", "y", "z"]
    assert secretsmanager_secret.pending_versions({"a": ["AWSCURRENT", "AWSPENDING"], "b": ["AWSPENDING"]}) == ["b"]
