# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real s3_bucket_replication module, run by ``ansible``, against the emulator.

A source bucket in eu-central-1 (the module's region) replicates to a destination bucket in
eu-west-1, with a KMS key in eu-west-1 for the replicas; what the module did is read back from
the emulator with boto3. Create, modify and delete, each in check mode and for real, each twice.

What moto (5.2.5) does differently from AWS, measured:

* PutBucketReplication refuses an unversioned source (``InvalidRequest``, as AWS) but accepts an
  unversioned or missing destination (AWS: ``InvalidRequest``). The module checks both buckets
  itself before writing, so the refusal is tested here; AWS's own refusal is a Stubber test.
* GetBucketReplication returns every rule with ``Filter {Prefix: ""}`` and
  ``DeleteMarkerReplication Disabled`` whatever was written, and leaves out
  ``SourceSelectionCriteria``. So in the emulator a rule with a prefix, tags, delete marker
  replication or a replica KMS key reads back different from what was written and a second run
  rewrites it; on AWS it does not (the Stubber test answers with what AWS returns). The KMS case
  is below as a strict xfail: it passes once the emulator returns the stored rule.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.s3_bucket_replication"
SOURCE_REGION = "eu-central-1"
DR_REGION = "eu-west-1"
SOURCE = "medtech-test-documents"
DESTINATION = "medtech-test-documents-dr"
ROLE = "arn:aws:iam::123456789012:role/medtech-test-s3-replication"
RULE = {"id": "dr-eu-west-1", "destination_bucket": DESTINATION, "destination_storage_class": "STANDARD_IA",
        "replication_time": True}
PRESENT = {"bucket": SOURCE, "role": ROLE, "rules": [RULE]}
ABSENT = {"bucket": SOURCE, "state": "absent"}
WRITTEN_RULE = {
    "id": "dr-eu-west-1",
    "priority": 0,
    "status": "Enabled",
    "filter": {},
    "delete_marker_replication": {"status": "Disabled"},
    "destination": {
        "bucket": f"arn:aws:s3:::{DESTINATION}",
        "storage_class": "STANDARD_IA",
        "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
        "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}},
    },
}


@pytest.fixture()
def run_module(ansible_module):
    def _run(args: dict, check: bool = False) -> dict:
        return ansible_module(MODULE, dict(args, region=SOURCE_REGION), check=check)

    return _run


@pytest.fixture()
def s3(aws):
    return aws.client("s3", SOURCE_REGION)


@pytest.fixture()
def buckets(aws, s3):
    """A versioned source in eu-central-1 and a versioned destination in eu-west-1."""
    s3.create_bucket(Bucket=SOURCE, CreateBucketConfiguration={"LocationConstraint": SOURCE_REGION})
    s3.put_bucket_versioning(Bucket=SOURCE, VersioningConfiguration={"Status": "Enabled"})
    dr = aws.client("s3", DR_REGION)
    dr.create_bucket(Bucket=DESTINATION, CreateBucketConfiguration={"LocationConstraint": DR_REGION})
    dr.put_bucket_versioning(Bucket=DESTINATION, VersioningConfiguration={"Status": "Enabled"})
    return dr


def stored(s3):
    """The source bucket's replication configuration in the emulator, or None."""
    try:
        return s3.get_bucket_replication(Bucket=SOURCE)["ReplicationConfiguration"]
    except ClientError as e:
        if e.response["Error"]["Code"] == "ReplicationConfigurationNotFoundError":
            return None
        raise


def as_read(config):
    """A returned configuration with a whole-bucket filter written as AWS returns it (``{}``);
    moto returns ``{"prefix": ""}`` for it, which means the same."""
    for rule in config.get("rules") or []:
        if rule.get("filter") == {"prefix": ""}:
            rule["filter"] = {}
    return config


def ok(result):
    assert not result.get("failed"), result
    return result


def test_create_check_mode_then_for_real_then_unchanged(run_module, s3, buckets):
    for attempt in range(2):
        result = ok(run_module(PRESENT, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["before"] == {}
        assert result["replication_configuration"] == {"role": ROLE, "rules": [WRITTEN_RULE]}
        assert stored(s3) is None  # check mode wrote nothing

    result = ok(run_module(PRESENT))
    assert result["changed"] is True
    assert as_read(result["replication_configuration"]) == {"role": ROLE, "rules": [WRITTEN_RULE]}
    config = stored(s3)
    assert config["Role"] == ROLE
    assert config["Rules"][0]["Destination"]["Bucket"] == f"arn:aws:s3:::{DESTINATION}"  # the name became an ARN
    assert config["Rules"][0]["Destination"]["ReplicationTime"] == {"Status": "Enabled", "Time": {"Minutes": 15}}

    for check in (False, True):
        result = ok(run_module(PRESENT, check=check))
        assert result["changed"] is False
        assert result["diff"]["before"] == result["diff"]["after"]


def test_update_check_mode_then_for_real_then_unchanged(run_module, s3, buckets):
    ok(run_module(PRESENT))
    changed = dict(PRESENT, rules=[dict(RULE, destination_storage_class="GLACIER_IR", replication_time=False)])

    for attempt in range(2):
        result = ok(run_module(changed, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["before"]["rules"][0]["destination"]["storage_class"] == "STANDARD_IA"
        assert result["diff"]["after"]["rules"][0]["destination"] == {
            "bucket": f"arn:aws:s3:::{DESTINATION}", "storage_class": "GLACIER_IR",
        }
        assert stored(s3)["Rules"][0]["Destination"]["StorageClass"] == "STANDARD_IA"

    result = ok(run_module(changed))
    assert result["changed"] is True
    destination = stored(s3)["Rules"][0]["Destination"]
    assert destination == {"Bucket": f"arn:aws:s3:::{DESTINATION}", "StorageClass": "GLACIER_IR"}

    for check in (False, True):
        assert ok(run_module(changed, check=check))["changed"] is False


def test_destination_as_arn_is_the_same_rule(run_module, s3, buckets):
    ok(run_module(PRESENT))
    as_arn = dict(PRESENT, rules=[dict(RULE, destination_bucket=f"arn:aws:s3:::{DESTINATION}")])
    assert ok(run_module(as_arn))["changed"] is False


def test_replica_kms_key_is_written(run_module, s3, buckets, aws):
    key = aws.client("kms", DR_REGION).create_key(Description="medtech test replicas")["KeyMetadata"]["Arn"]
    args = dict(PRESENT, rules=[dict(RULE, replica_kms_key_id=key)])

    result = ok(run_module(args))
    assert result["changed"] is True
    rule = result["replication_configuration"]["rules"][0]
    assert rule["destination"]["encryption_configuration"] == {"replica_kms_key_id": key}
    assert stored(s3)["Rules"][0]["Destination"]["EncryptionConfiguration"] == {"ReplicaKmsKeyID": key}


@pytest.mark.xfail(
    strict=True,
    reason="moto 5.2.5's GetBucketReplication leaves out SourceSelectionCriteria, so the rule reads back "
    "without SSE-KMS objects selected and a second run rewrites it (on AWS it is no change: Stubber test)",
)
def test_replica_kms_key_second_run_unchanged(run_module, s3, buckets, aws):
    key = aws.client("kms", DR_REGION).create_key(Description="medtech test replicas")["KeyMetadata"]["Arn"]
    args = dict(PRESENT, rules=[dict(RULE, replica_kms_key_id=key)])
    ok(run_module(args))
    assert ok(run_module(args))["changed"] is False


def test_delete_check_mode_then_for_real_then_unchanged(run_module, s3, buckets):
    ok(run_module(PRESENT))

    for attempt in range(2):
        result = ok(run_module(ABSENT, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert as_read(result["diff"]["before"]) == {"role": ROLE, "rules": [WRITTEN_RULE]}
        assert result["diff"]["after"] == {}
        assert stored(s3) is not None  # check mode deleted nothing

    result = ok(run_module(ABSENT))
    assert result["changed"] is True
    assert result["replication_configuration"] == {}
    assert stored(s3) is None

    for check in (False, True):
        result = ok(run_module(ABSENT, check=check))
        assert result["changed"] is False


def test_unversioned_destination_is_refused_and_nothing_written(run_module, s3, buckets):
    # moto would accept this configuration; AWS refuses it, and the module refuses it first.
    buckets.put_bucket_versioning(Bucket=DESTINATION, VersioningConfiguration={"Status": "Suspended"})

    for check in (True, False):
        result = run_module(PRESENT, check=check)
        assert result.get("failed") is True, result
        assert f"Versioning is suspended on the S3 bucket {DESTINATION}, the destination" in result["msg"]
        assert "versioning: true" in result["msg"]
    assert stored(s3) is None


def test_unversioned_source_is_refused_and_nothing_written(run_module, aws, s3, buckets):
    other = "medtech-test-unversioned"
    s3.create_bucket(Bucket=other, CreateBucketConfiguration={"LocationConstraint": SOURCE_REGION})

    result = run_module(dict(PRESENT, bucket=other))
    assert result.get("failed") is True, result
    assert f"Versioning is not enabled on the S3 bucket {other}, the source" in result["msg"]


def test_missing_destination_fails_naming_it(run_module, s3, buckets):
    args = dict(PRESENT, rules=[dict(RULE, destination_bucket="medtech-test-no-such-bucket")])
    result = run_module(args)
    assert result.get("failed") is True, result
    assert "medtech-test-no-such-bucket" in result["msg"]
    assert result["error"]["code"] == "NoSuchBucket"
    assert stored(s3) is None


def test_invalid_options_fail_before_any_call(run_module, s3, buckets):
    args = dict(PRESENT, role="medtech-test-s3-replication", rules=[dict(RULE, replica_kms_key_id="1234abcd")])
    result = run_module(args)
    assert result.get("failed") is True, result
    assert "role 'medtech-test-s3-replication' is not an IAM role ARN" in result["msg"]
    assert "rules[0].replica_kms_key_id '1234abcd' is not a KMS key or alias ARN" in result["msg"]
    assert stored(s3) is None
