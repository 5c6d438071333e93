# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the s3_bucket_replication module, against botocore's Stubber, and its pure functions.

The Stubber validates every request against the real S3 API model and answers with the
responses queued here, in order; an unexpected call fails the test. So "nothing written" and
"no call before validation" are asserted by queueing no write (or no call at all). Each test
runs the module's main() with ``AnsibleAWSModule.client`` patched to return the one stubbed
client (also for the destination's region).

This file holds every path but the few the emulator shows end to end
(tests/integration/test_s3_bucket_replication.py: create, second run, check mode, absent, a
refused destination): update, rules AWS returns in another order or in the V1 schema, AWS's
``InvalidRequest`` for an unversioned destination, its ``AccessDenied`` and ``NoSuchBucket``
answers, and option validation.
"""

from __future__ import annotations

import copy
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.module_utils import s3_replication
from ansible_collections.medtech.aws_platform.plugins.modules import s3_bucket_replication as module_under_test

REGION = "eu-central-1"
SOURCE = "medtech-prod-documents"
DESTINATION = "medtech-prod-documents-dr"
DESTINATION_ARN = f"arn:aws:s3:::{DESTINATION}"
ROLE = "arn:aws:iam::123456789012:role/medtech-prod-s3-replication"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
RULE = {"id": "dr-eu-west-1", "destination_bucket": DESTINATION, "replica_kms_key_id": KEY, "replication_time": True}
ARGS = {"bucket": SOURCE, "role": ROLE, "rules": [RULE], "region": REGION}
ABSENT = {"bucket": SOURCE, "state": "absent", "region": REGION}
# What the module writes for RULE.
WRITTEN = {
    "Role": ROLE,
    "Rules": [
        {
            "ID": "dr-eu-west-1",
            "Priority": 0,
            "Status": "Enabled",
            "Filter": {},
            "DeleteMarkerReplication": {"Status": "Disabled"},
            "Destination": {
                "Bucket": DESTINATION_ARN,
                "EncryptionConfiguration": {"ReplicaKmsKeyID": KEY},
                "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
                "Metrics": {"Status": "Enabled", "EventThreshold": {"Minutes": 15}},
            },
            "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
        }
    ],
}
EXPECTED_VIEW = {
    "role": ROLE,
    "rules": [
        {
            "id": "dr-eu-west-1",
            "priority": 0,
            "status": "Enabled",
            "filter": {},
            "delete_marker_replication": {"status": "Disabled"},
            "destination": {
                "bucket": DESTINATION_ARN,
                "encryption_configuration": {"replica_kms_key_id": KEY},
                "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
                "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}},
            },
            "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
        }
    ],
}


class Stub:
    """A real boto3 s3 client with a Stubber, and shortcuts for its calls."""

    def __init__(self):
        self.client = boto3.client("s3", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        self.stubber = Stubber(self.client)

    def versioning(self, bucket, status="Enabled"):
        self.stubber.add_response("get_bucket_versioning", {"Status": status} if status else {}, {"Bucket": bucket})

    def location(self, bucket, constraint="eu-west-1"):
        # AWS answers an empty LocationConstraint for us-east-1, which boto3 leaves out
        response = {"LocationConstraint": constraint} if constraint else {}
        self.stubber.add_response("get_bucket_location", response, {"Bucket": bucket})

    def versioned_buckets(self, destinations=(DESTINATION,)):
        """The versioning checks before a write: source, then each destination's region and versioning."""
        self.versioning(SOURCE)
        for bucket in destinations:
            self.location(bucket)
            self.versioning(bucket)

    def get(self, configuration):
        self.stubber.add_response(
            "get_bucket_replication", {"ReplicationConfiguration": configuration}, {"Bucket": SOURCE}
        )

    def none(self):
        self.error("get_bucket_replication", "ReplicationConfigurationNotFoundError",
                   "The replication configuration was not found", 404)

    def put(self, configuration):
        self.stubber.add_response(
            "put_bucket_replication", {}, {"Bucket": SOURCE, "ReplicationConfiguration": configuration}
        )

    def delete(self):
        self.stubber.add_response("delete_bucket_replication", {}, {"Bucket": SOURCE})

    def error(self, operation, code, message, status):
        self.stubber.add_client_error(operation, service_error_code=code, service_message=message,
                                      http_status_code=status)


@pytest.fixture()
def s3():
    stub = Stub()
    with consumed(stub.stubber):
        yield stub


def run(s3, args, check_mode=False, diff=True):
    return run_main(module_under_test, args, s3.client, check_mode=check_mode, diff=diff)


def as_aws_returns(configuration):
    """``configuration`` as GetBucketReplication returns it after it was written."""
    return copy.deepcopy(configuration)


# --- create ---------------------------------------------------------------------------------------
def test_create_writes_the_configuration_and_returns_it(s3):
    s3.versioned_buckets()
    s3.none()
    s3.put(WRITTEN)
    s3.get(as_aws_returns(WRITTEN))

    failed, result = run(s3, ARGS)

    assert not failed, result
    assert result["changed"] is True
    assert result["replication_configuration"] == EXPECTED_VIEW
    assert result["diff"] == {"before": {}, "after": EXPECTED_VIEW}


def test_create_in_check_mode_writes_nothing(s3):
    s3.versioned_buckets()
    s3.none()

    failed, result = run(s3, ARGS, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["replication_configuration"] == EXPECTED_VIEW
    assert result["diff"] == {"before": {}, "after": EXPECTED_VIEW}


# --- no change ------------------------------------------------------------------------------------
def test_same_configuration_is_no_change_and_no_write(s3):
    s3.versioned_buckets()
    s3.get(as_aws_returns(WRITTEN))

    failed, result = run(s3, ARGS)

    assert not failed, result
    assert result["changed"] is False
    assert result["replication_configuration"] == EXPECTED_VIEW
    assert result["diff"]["before"] == result["diff"]["after"]


def test_rules_in_another_order_with_aws_filters_are_no_change(s3):
    # Two rules given in one order, AWS returning them in the other, the whole-bucket filter as
    # {"Prefix": ""} (what other clients write), a tag filter and an And filter as AWS returns them,
    # and the Disabled members AWS leaves out.
    args = dict(
        ARGS,
        rules=[
            {"id": "whole", "priority": 1, "destination_bucket": f"arn:aws:s3:::{DESTINATION}"},
            {"id": "audit", "priority": 3, "tags": {"retention": "audit"}, "destination_bucket": DESTINATION,
             "destination_storage_class": "DEEP_ARCHIVE"},
            {"id": "reports", "priority": 2, "prefix": "reports/", "tags": {"a": "1", "b": "2"},
             "destination_bucket": DESTINATION, "status": "Disabled"},
        ],
    )
    returned = {
        "Role": ROLE,
        "Rules": [
            {"ID": "reports", "Priority": 2, "Status": "Disabled",
             "Filter": {"And": {"Prefix": "reports/", "Tags": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}]}},
             "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": DESTINATION_ARN}},
            {"ID": "audit", "Priority": 3, "Status": "Enabled", "Filter": {"Tag": {"Key": "retention", "Value": "audit"}},
             "DeleteMarkerReplication": {"Status": "Disabled"},
             "Destination": {"Bucket": DESTINATION_ARN, "StorageClass": "DEEP_ARCHIVE"}},
            {"ID": "whole", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""},
             "Destination": {"Bucket": DESTINATION_ARN}},
        ],
    }
    s3.versioned_buckets()  # one destination bucket, checked once
    s3.get(returned)

    failed, result = run(s3, args)

    assert not failed, result
    assert result["changed"] is False
    assert [rule["id"] for rule in result["replication_configuration"]["rules"]] == ["whole", "reports", "audit"]


# --- update ---------------------------------------------------------------------------------------
def test_changed_rule_is_rewritten(s3):
    current = as_aws_returns(WRITTEN)
    current["Rules"][0]["Destination"]["StorageClass"] = "STANDARD_IA"
    s3.versioned_buckets()
    s3.get(current)
    s3.put(WRITTEN)
    s3.get(as_aws_returns(WRITTEN))

    failed, result = run(s3, ARGS)

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["rules"][0]["destination"]["storage_class"] == "STANDARD_IA"
    assert "storage_class" not in result["diff"]["after"]["rules"][0]["destination"]


def test_changed_rule_in_check_mode_writes_nothing(s3):
    current = as_aws_returns(WRITTEN)
    current["Role"] = "arn:aws:iam::123456789012:role/old-replication"
    s3.versioned_buckets()
    s3.get(current)

    failed, result = run(s3, ARGS, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["role"] == "arn:aws:iam::123456789012:role/old-replication"
    assert result["replication_configuration"] == EXPECTED_VIEW


def test_extra_rule_in_aws_is_removed(s3):
    current = as_aws_returns(WRITTEN)
    current["Rules"][0]["Priority"] = 5
    current["Rules"].append(dict(copy.deepcopy(current["Rules"][0]), ID="console-rule", Priority=4))
    s3.versioned_buckets()
    s3.get(current)
    s3.put(WRITTEN)
    s3.get(as_aws_returns(WRITTEN))

    failed, result = run(s3, ARGS)

    assert not failed, result
    assert result["changed"] is True
    assert [rule["id"] for rule in result["diff"]["before"]["rules"]] == ["console-rule", "dr-eu-west-1"]


def test_v1_rule_is_rewritten_in_v2(s3):
    v1 = {"Role": ROLE, "Rules": [{"ID": "dr-eu-west-1", "Prefix": "", "Status": "Enabled",
                                   "Destination": WRITTEN["Rules"][0]["Destination"],
                                   "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}}}]}
    s3.versioned_buckets()
    s3.get(v1)

    failed, result = run(s3, ARGS, check_mode=True)

    assert not failed, result
    assert result["changed"] is True


# --- delete ---------------------------------------------------------------------------------------
def test_absent_deletes_the_configuration_without_versioning_checks(s3):
    s3.get(as_aws_returns(WRITTEN))
    s3.delete()

    failed, result = run(s3, ABSENT)

    assert not failed, result
    assert result["changed"] is True
    assert result["replication_configuration"] == {}
    assert result["diff"] == {"before": EXPECTED_VIEW, "after": {}}


def test_absent_in_check_mode_deletes_nothing(s3):
    s3.get(as_aws_returns(WRITTEN))

    failed, result = run(s3, ABSENT, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["after"] == {}


def test_absent_without_configuration_is_no_change(s3):
    s3.none()

    failed, result = run(s3, ABSENT)

    assert not failed, result
    assert result["changed"] is False
    assert result["replication_configuration"] == {}


# --- versioning refusal ---------------------------------------------------------------------------
@pytest.mark.parametrize("status, word", [(None, "not enabled"), ("Suspended", "suspended")])
def test_unversioned_source_is_refused_before_any_read_or_write(s3, status, word):
    s3.versioning(SOURCE, status)

    failed, result = run(s3, ARGS)

    assert failed
    assert result["msg"].startswith(f"Versioning is {word} on the S3 bucket {SOURCE}, the source of the replication")
    assert "versioning: true" in result["msg"]
    assert "nothing was written" in result["msg"]


def test_unversioned_destination_is_refused_in_check_mode_too(s3):
    s3.versioning(SOURCE)
    s3.location(DESTINATION)
    s3.versioning(DESTINATION, None)

    failed, result = run(s3, ARGS, check_mode=True)

    assert failed
    assert f"Versioning is not enabled on the S3 bucket {DESTINATION}, the destination" in result["msg"]


class RegionRecorder:
    """Stands in for the AnsibleAWSModule in check_versioning: records the regions of the clients
    it asks for, and its warnings."""

    def __init__(self, client):
        self._client = client
        self.regions = []
        self.warnings = []

    def client(self, service, region=None):
        self.regions.append((service, region))
        return self._client

    def warn(self, message):
        self.warnings.append(message)


@pytest.mark.parametrize("constraint, region", [(None, "us-east-1"), ("EU", "eu-west-1"), ("eu-west-1", "eu-west-1")])
def test_destination_versioning_is_read_in_its_region(s3, constraint, region):
    s3.versioning(SOURCE)
    s3.location(DESTINATION, constraint)
    s3.versioning(DESTINATION)
    module = RegionRecorder(s3.client)

    module_under_test.check_versioning(module, s3.client, SOURCE, [dict(RULE, destination_bucket=DESTINATION_ARN)])

    assert module.regions == [("s3", region)]


# --- AWS errors -----------------------------------------------------------------------------------
def _source_missing(s3):
    s3.error("get_bucket_versioning", "NoSuchBucket", "The specified bucket does not exist", 404)


def _read_denied(s3):
    s3.versioned_buckets()
    s3.error("get_bucket_replication", "AccessDenied", "Access Denied", 403)


def _destination_unreadable(s3):
    s3.versioning(SOURCE)
    s3.error("get_bucket_location", "AccessDenied", "Access Denied", 403)


def _put_refused(s3):
    s3.versioned_buckets()
    s3.none()
    s3.error("put_bucket_replication", "InvalidRequest", "Destination bucket must have versioning enabled.", 400)


@pytest.mark.parametrize(
    "queue, action, code",
    [
        (_source_missing, f"get the versioning state of the S3 bucket {SOURCE}", "NoSuchBucket"),
        (_read_denied, f"get the replication configuration of the S3 bucket {SOURCE}", "AccessDenied"),
        # a destination in the source's account that cannot be read is an error, not a warning
        (_destination_unreadable, f"get the region of the S3 bucket {DESTINATION}", "AccessDenied"),
        (_put_refused, f"put the replication configuration of the S3 bucket {SOURCE}", "InvalidRequest"),
    ],
)
def test_aws_errors_fail_naming_the_action_and_bucket_with_awss_code(s3, queue, action, code):
    queue(s3)

    failed, result = run(s3, ARGS)

    assert failed
    assert result["msg"].startswith(f"Failed to {action}")
    assert result["error"]["code"] == code


def test_cross_account_destination_unreadable_warns_and_aws_refuses_unversioned(s3):
    # The destination belongs to another account whose bucket policy does not let us read it:
    # the module warns and writes; AWS then refuses an unversioned destination (InvalidRequest).
    args = dict(ARGS, rules=[dict(RULE, account="210987654321", owner_override=True)])
    written = copy.deepcopy(WRITTEN)
    written["Rules"][0]["Destination"]["Account"] = "210987654321"
    written["Rules"][0]["Destination"]["AccessControlTranslation"] = {"Owner": "Destination"}
    s3.versioning(SOURCE)
    s3.error("get_bucket_location", "AccessDenied", "Access Denied", 403)
    s3.none()
    s3.stubber.add_client_error(
        "put_bucket_replication", service_error_code="InvalidRequest",
        service_message="Destination bucket must have versioning enabled.", http_status_code=400,
        expected_params={"Bucket": SOURCE, "ReplicationConfiguration": written},
    )

    with mock.patch.object(module_under_test.AnsibleAWSModule, "warn") as warn:
        failed, result = run(s3, args)

    assert failed
    assert result["error"]["code"] == "InvalidRequest"
    assert "Destination bucket must have versioning enabled." in result["msg"]
    assert f"destination bucket {DESTINATION} (account 210987654321) cannot be read" in warn.call_args[0][0]


# --- validation before any call -------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, message",
    [
        (dict(ARGS, bucket="arn:aws:s3:::medtech-prod-documents"), "bucket 'arn:aws:s3:::medtech-prod-documents' is not an S3 bucket name"),
        ({"bucket": SOURCE, "rules": [RULE], "region": REGION}, "role is required with state=present"),
        (dict(ARGS, role="medtech-prod-s3-replication"), "role 'medtech-prod-s3-replication' is not an IAM role ARN"),
        (dict(ARGS, rules=[]), "rules is empty"),
        (dict(ARGS, rules=[dict(RULE, replica_kms_key_id="alias/medtech")]), "rules[0].replica_kms_key_id 'alias/medtech' is not a KMS key or alias ARN"),
        (dict(ARGS, rules=[dict(RULE, destination_bucket="Not_A_Bucket")]), "rules[0].destination_bucket 'Not_A_Bucket' is neither"),
        (dict(ARGS, rules=[dict(RULE, owner_override=True)]), "rules[0].owner_override needs rules[0].account"),
        (dict(ARGS, rules=[dict(RULE, account="12345")]), "rules[0].account '12345' is not a 12-digit AWS account ID"),
        (dict(ARGS, rules=[dict(RULE, tags={"a": "b"}, delete_marker_replication=True)]),
         "rules[0].delete_marker_replication cannot be true with rules[0].tags"),
        (dict(ARGS, rules=[RULE, dict(RULE, id="second")]), "rules dr-eu-west-1, second have no priority"),
        (dict(ARGS, rules=[dict(RULE, priority=1), dict(RULE, priority=1)]), "rules have the same id dr-eu-west-1"),
        (dict(ARGS, rules=[dict(RULE, priority=1), dict(RULE, id="b", priority=1)]), "rules share the priority 1"),
        (dict(ARGS, rules=[dict(RULE, priority=-1)]), "rules[0].priority is -1: give 0 or more"),
    ],
)
def test_invalid_options_fail_before_any_call(s3, args, message):
    failed, result = run(s3, args)

    assert failed
    assert result["msg"].startswith("Invalid options: ")
    assert message in result["msg"]


# --- pure functions -------------------------------------------------------------------------------
def test_bucket_arn_and_name():
    assert s3_replication.bucket_arn(DESTINATION) == DESTINATION_ARN
    assert s3_replication.bucket_arn(DESTINATION_ARN) == DESTINATION_ARN
    assert s3_replication.bucket_name(DESTINATION_ARN) == DESTINATION
    assert s3_replication.bucket_name(DESTINATION) == DESTINATION


def test_rule_filter_forms():
    assert s3_replication.rule_filter(None, None) == {}
    assert s3_replication.rule_filter("logs/", None) == {"Prefix": "logs/"}
    assert s3_replication.rule_filter(None, {"k": "v"}) == {"Tag": {"Key": "k", "Value": "v"}}
    assert s3_replication.rule_filter("logs/", {"k": "v"}) == {"And": {"Prefix": "logs/", "Tags": [{"Key": "k", "Value": "v"}]}}


def test_comparable_configuration_sees_delete_marker_and_kms_differences():
    base = s3_replication.comparable_configuration(WRITTEN)
    other = copy.deepcopy(WRITTEN)
    other["Rules"][0]["DeleteMarkerReplication"]["Status"] = "Enabled"
    assert s3_replication.comparable_configuration(other) != base
    other = copy.deepcopy(WRITTEN)
    del other["Rules"][0]["SourceSelectionCriteria"]
    assert s3_replication.comparable_configuration(other) != base
    other = copy.deepcopy(WRITTEN)
    other["Rules"][0]["Filter"] = {"Prefix": ""}
    other["Rules"][0]["SourceSelectionCriteria"]["ReplicaModifications"] = {"Status": "Disabled"}
    other["Rules"][0]["ExistingObjectReplication"] = {"Status": "Disabled"}
    assert s3_replication.comparable_configuration(other) == base
