# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real s3_bucket_replication module, run by ``ansible``, against the emulator.

Only what the emulator alone can show: that the module, run by Ansible, writes a configuration
S3 stores and reads back as no change (create, second run, check mode, absent), and that an
unversioned destination is refused with nothing written. Every other path (update, rules in
another order, V1 rules, AWS's errors, option validation) is in
tests/unit/plugins/modules/test_s3_bucket_replication_stubbed.py.

A source bucket in eu-central-1 (the module's region) replicates to a destination bucket in
eu-west-1, with a KMS key in eu-west-1 for the replicas; what the module did is read back from
the emulator with boto3. An ``ansible`` run takes seconds and a reset of the emulator too, so
the buckets are made once and the module runs once per step: the lifecycle fixture runs check
mode, create, the second run, check mode absent and absent in order, and each test asserts on
one step. The emulator returns the rules as written (scripts/emulator_s3.py), so the prefix,
tag, delete marker and KMS members read back as AWS returns them.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import module_runner

pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("s3_bucket_replication")]

MODULE = "medtech.aws_platform.s3_bucket_replication"
SOURCE_REGION = "eu-central-1"
DR_REGION = "eu-west-1"
SOURCE = "medtech-test-documents"
REFUSED_SOURCE = "medtech-test-refused"
DESTINATION = "medtech-test-documents-dr"
SUSPENDED = "medtech-test-suspended-dr"
ROLE = "arn:aws:iam::123456789012:role/medtech-test-s3-replication"


def rules(key):
    return [
        {"id": "dr-eu-west-1", "priority": 3, "destination_bucket": DESTINATION, "destination_storage_class": "STANDARD_IA",
         "replication_time": True, "replica_kms_key_id": key},
        {"id": "dr-reports", "priority": 2, "prefix": "reports/", "destination_bucket": DESTINATION,
         "delete_marker_replication": True},
        {"id": "dr-scans", "priority": 1, "prefix": "scans/", "tags": {"dr": "yes"}, "destination_bucket": DESTINATION},
    ]


def written(key):
    """What S3 holds after the module wrote rules(key), in the API's own form (rules by ID)."""
    destination = f"arn:aws:s3:::{DESTINATION}"
    return {
        "Role": ROLE,
        "Rules": [
            {"ID": "dr-eu-west-1", "Priority": 3, "Status": "Enabled", "Filter": {},
             "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
             "Destination": {"Bucket": destination, "StorageClass": "STANDARD_IA",
                             "EncryptionConfiguration": {"ReplicaKmsKeyID": key},
                             "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
                             "Metrics": {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}},
             "DeleteMarkerReplication": {"Status": "Disabled"}},
            {"ID": "dr-reports", "Priority": 2, "Status": "Enabled", "Filter": {"Prefix": "reports/"},
             "Destination": {"Bucket": destination}, "DeleteMarkerReplication": {"Status": "Enabled"}},
            {"ID": "dr-scans", "Priority": 1, "Status": "Enabled",
             "Filter": {"And": {"Prefix": "scans/", "Tags": [{"Key": "dr", "Value": "yes"}]}},
             "Destination": {"Bucket": destination}, "DeleteMarkerReplication": {"Status": "Disabled"}},
        ],
    }


def stored(s3, bucket=SOURCE):
    """The bucket's replication configuration in the emulator (its rules by ID; the module
    writes them by priority), or None."""
    try:
        config = s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]
        return dict(config, Rules=sorted(config["Rules"], key=lambda rule: rule["ID"]))
    except ClientError as e:
        if e.response["Error"]["Code"] == "ReplicationConfigurationNotFoundError":
            return None
        raise


@pytest.fixture(scope="module")
def world(moto_server, tmp_path_factory):
    """The emulator emptied once; two versioned sources in eu-central-1 (one for the lifecycle, one
    for the refusal), a versioned destination and one with versioning suspended in eu-west-1, a KMS
    key there; and a module runner."""
    moto_server.reset()
    s3 = moto_server.client("s3", SOURCE_REGION)
    for bucket in (SOURCE, REFUSED_SOURCE):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": SOURCE_REGION})
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    dr = moto_server.client("s3", DR_REGION)
    for bucket, status in ((DESTINATION, "Enabled"), (SUSPENDED, "Suspended")):
        dr.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": DR_REGION})
        dr.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})
    key = moto_server.client("kms", DR_REGION).create_key(Description="medtech test replicas")["KeyMetadata"]["Arn"]
    run = module_runner(moto_server.url, tmp_path_factory.mktemp("s3_bucket_replication"))

    def run_module(args, check=False):
        return run(MODULE, dict(args, region=SOURCE_REGION), check=check)

    return {"s3": s3, "key": key, "run": run_module}


@pytest.fixture(scope="module")
def lifecycle(world):
    """Each step's module result and what the emulator held after it."""
    present = {"bucket": SOURCE, "role": ROLE, "rules": rules(world["key"])}
    absent = {"bucket": SOURCE, "state": "absent"}
    steps = {}
    for step, args, check in (("create_check", present, True), ("create", present, False),
                              ("second_run", present, False), ("absent_check", absent, True),
                              ("absent", absent, False)):
        result = world["run"](args, check=check)
        steps[step] = (result, stored(world["s3"]))
    return steps


def ok(result):
    assert not result.get("failed"), result
    return result


def test_create_in_check_mode_reports_the_change_and_writes_nothing(lifecycle):
    result, after = lifecycle["create_check"]
    assert ok(result)["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"] == result["replication_configuration"]
    assert after is None
    assert result["replication_configuration"] == lifecycle["create"][0]["replication_configuration"]


def test_create_writes_the_configuration(lifecycle, world):
    result, after = lifecycle["create"]
    assert ok(result)["changed"] is True
    assert after == written(world["key"])
    rule = next(rule for rule in result["replication_configuration"]["rules"] if rule["id"] == "dr-eu-west-1")
    assert rule["destination"]["encryption_configuration"] == {"replica_kms_key_id": world["key"]}


def test_second_run_is_no_change(lifecycle, world):
    result, after = lifecycle["second_run"]
    assert ok(result)["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    assert after == written(world["key"])


def test_absent_in_check_mode_deletes_nothing(lifecycle, world):
    result, after = lifecycle["absent_check"]
    assert ok(result)["changed"] is True
    assert result["diff"]["before"] == lifecycle["second_run"][0]["replication_configuration"]
    assert result["diff"]["after"] == {}
    assert after == written(world["key"])


def test_absent_deletes_the_configuration(lifecycle):
    result, after = lifecycle["absent"]
    assert ok(result)["changed"] is True
    assert result["replication_configuration"] == {}
    assert after is None


def test_suspended_destination_is_refused_and_nothing_written(world):
    args = {"bucket": REFUSED_SOURCE, "role": ROLE, "rules": [{"id": "dr", "destination_bucket": SUSPENDED}]}
    result = world["run"](args)
    assert result.get("failed") is True, result
    assert f"Versioning is suspended on the S3 bucket {SUSPENDED}, the destination" in result["msg"]
    assert "versioning: true" in result["msg"]
    assert stored(world["s3"], REFUSED_SOURCE) is None
