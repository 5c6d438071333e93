# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for rds_instance_point_in_time_restore, against botocore's Stubber.

The Stubber validates every request against the real RDS API model and answers with the
responses queued here, in order; an unexpected call fails the test, so "no AWS call" (bad
input, the same-identifier refusal) and "no restore" (check mode, an existing target) are
asserted by queueing none. Errors are raised with the code and HTTP status the RDS API model
gives each fault, which is how AWS answers them (moto 5.2.5 does not raise most of them, and it
"restores" an automated backups ARN it does not know from whatever instance it finds first).
"""

from __future__ import annotations

import datetime
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.modules import rds_instance_point_in_time_restore as module_under_test

REGION = "eu-central-1"
ACCOUNT = "123456789012"
SOURCE = "medtech-prod-db"
TARGET = "medtech-prod-db-drill"
BACKUP_ARN = f"arn:aws:rds:eu-west-1:{ACCOUNT}:auto-backup:ab-4f6b2c7d9e1a3b5c7d9e1f3a5b"
T0 = datetime.datetime(2026, 3, 1, 10, 0, 0, tzinfo=datetime.timezone.utc)
T1 = T0 + datetime.timedelta(minutes=21, seconds=30, microseconds=500000)
LATEST = datetime.datetime(2026, 3, 1, 9, 58, 0, tzinfo=datetime.timezone.utc)
ARGS = {"db_instance_identifier": TARGET, "source_db_instance_identifier": SOURCE, "use_latest_restorable_time": True,
        "region": REGION}


def instance(identifier=TARGET, status="available", with_endpoint=True):
    """A DescribeDBInstances entry as AWS answers it (the members the module returns)."""
    found = {
        "DBInstanceIdentifier": identifier,
        "DBInstanceClass": "db.r6g.large",
        "Engine": "postgres",
        "DBInstanceStatus": status,
        "AvailabilityZone": "eu-central-1b",
        "MultiAZ": False,
        "PubliclyAccessible": False,
        "DeletionProtection": False,
        "StorageEncrypted": True,
        "DBInstanceArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{identifier}",
        "TagList": [{"Key": "purpose", "Value": "dr-drill"}],
    }
    if with_endpoint:
        found["Endpoint"] = {"Address": f"{identifier}.c1a2b3c4d5e6.{REGION}.rds.amazonaws.com", "Port": 5432}
        found["LatestRestorableTime"] = LATEST
    return found


def aws_error_status(code):
    """The HTTP status the RDS API model gives the error ``code`` (as AWS answers it)."""
    model = boto3.client("rds", region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t").meta.service_model
    for shape in model.operation_model("RestoreDBInstanceToPointInTime").error_shapes:
        if shape.metadata.get("error", {}).get("code") == code:
            return shape.metadata["error"]["httpStatusCode"]
    raise AssertionError(f"{code} is not an error of RestoreDBInstanceToPointInTime")


class Stub:
    def __init__(self, region=REGION):
        self.client = boto3.client("rds", region_name=region, aws_access_key_id="testing",
                                   aws_secret_access_key="testing")
        self.stubber = Stubber(self.client)

    def describe(self, identifier, found):
        if found is None:
            self.stubber.add_client_error(
                "describe_db_instances", service_error_code="DBInstanceNotFound",
                service_message=f"DBInstance {identifier} not found.", http_status_code=404,
                expected_params={"DBInstanceIdentifier": identifier},
            )
        else:
            self.stubber.add_response("describe_db_instances", {"DBInstances": [found]},
                                      {"DBInstanceIdentifier": identifier})

    def restore(self, params, answer=None):
        self.stubber.add_response(
            "restore_db_instance_to_point_in_time",
            {"DBInstance": answer or instance(status="creating", with_endpoint=False)},
            dict(params, TargetDBInstanceIdentifier=TARGET),
        )


@pytest.fixture()
def rds():
    stub = Stub()
    with consumed(stub.stubber):
        yield stub


def run(rds, args, check_mode=False, now=(T0, T1)):
    with mock.patch.object(module_under_test, "utc_now", side_effect=list(now)):
        return run_main(module_under_test, args, rds.client, check_mode=check_mode)


DEFAULT_REQUEST = {"SourceDBInstanceIdentifier": SOURCE, "UseLatestRestorableTime": True,
                   "PubliclyAccessible": False, "DeletionProtection": True}


# --- restoring --------------------------------------------------------------------------------
def test_restores_waits_and_reports_the_restore_time(rds):
    rds.describe(TARGET, None)
    rds.restore(DEFAULT_REQUEST)
    rds.describe(TARGET, instance())  # the waiter: available at once
    rds.describe(TARGET, instance())  # read back
    failed, result = run(rds, ARGS)
    assert failed is False, result
    assert result["changed"] is True
    assert result["restore_started"] == "2026-03-01T10:00:00+00:00"
    assert result["restore_completed"] == "2026-03-01T10:21:30.500000+00:00"
    assert result["restore_seconds"] == 1290.5
    found = result["db_instance"]
    assert found["db_instance_identifier"] == TARGET
    assert found["db_instance_status"] == "available"
    assert found["availability_zone"] == "eu-central-1b"
    assert found["endpoint"] == {"address": f"{TARGET}.c1a2b3c4d5e6.{REGION}.rds.amazonaws.com", "port": 5432}
    assert found["latest_restorable_time"] == "2026-03-01T09:58:00+00:00"
    assert found["tags"] == {"purpose": "dr-drill"}
    assert "tag_list" not in found


def test_every_option_is_sent_and_restore_time_as_utc(rds):
    args = dict(
        ARGS, use_latest_restorable_time=None, restore_time="2026-03-01T11:30:00+01:00", db_instance_class="db.r6g.large",
        db_subnet_group_name="medtech-prod-db", vpc_security_group_ids=["sg-0a1b2c3d4e5f60718"], multi_az=True,
        publicly_accessible=False, deletion_protection=False, db_parameter_group_name="medtech-prod-postgres15",
        storage_type="gp3", tags={"purpose": "dr-drill", "ttl": 4}, copy_tags_to_snapshot=True, wait=False,
    )
    rds.describe(TARGET, None)
    rds.restore({
        "SourceDBInstanceIdentifier": SOURCE,
        "RestoreTime": datetime.datetime(2026, 3, 1, 10, 30, tzinfo=datetime.timezone.utc),
        "DBInstanceClass": "db.r6g.large", "DBSubnetGroupName": "medtech-prod-db",
        "VpcSecurityGroupIds": ["sg-0a1b2c3d4e5f60718"], "MultiAZ": True, "PubliclyAccessible": False,
        "DeletionProtection": False, "DBParameterGroupName": "medtech-prod-postgres15", "StorageType": "gp3",
        "Tags": [{"Key": "purpose", "Value": "dr-drill"}, {"Key": "ttl", "Value": "4"}], "CopyTagsToSnapshot": True,
    })
    failed, result = run(rds, args)
    assert failed is False, result
    assert result["changed"] is True
    # no wait: the instance as the restore answered, no completion time
    assert result["db_instance"]["db_instance_status"] == "creating"
    assert result["restore_started"] == "2026-03-01T10:00:00+00:00"
    # absent, not null: a report's "restore_seconds is defined" must not count a running restore
    assert "restore_completed" not in result and "restore_seconds" not in result


def test_restores_from_replicated_automated_backups():
    rds = Stub("eu-west-1")
    with consumed(rds.stubber):
        rds.describe(TARGET, None)
        rds.restore({"SourceDBInstanceAutomatedBackupsArn": BACKUP_ARN, "UseLatestRestorableTime": True,
                     "PubliclyAccessible": False, "DeletionProtection": True}, answer=instance(status="creating"))
        args = dict(ARGS, source_db_instance_identifier=None, source_db_instance_automated_backups_arn=BACKUP_ARN,
                    wait=False, region="eu-west-1")
        failed, result = run(rds, args)
    assert failed is False, result
    assert result["changed"] is True


def test_an_existing_target_is_returned_unchanged_without_comparing(rds):
    # its class and deletion protection differ from the options: still no call but the read
    rds.describe(TARGET, instance())
    failed, result = run(rds, dict(ARGS, db_instance_class="db.r6g.xlarge", deletion_protection=True))
    assert failed is False, result
    assert result["changed"] is False
    assert result["db_instance"]["db_instance_class"] == "db.r6g.large"
    assert "restore_started" not in result and "restore_seconds" not in result


# --- check mode -------------------------------------------------------------------------------
def test_check_mode_reports_would_restore_and_does_not_restore(rds):
    rds.describe(TARGET, None)
    rds.describe(SOURCE, instance(SOURCE))
    failed, result = run(rds, ARGS, check_mode=True)
    assert failed is False, result
    assert result["changed"] is True
    assert result["db_instance"] == {"db_instance_identifier": TARGET}
    assert "restore_started" not in result


def test_check_mode_with_an_existing_target_is_unchanged(rds):
    rds.describe(TARGET, instance())
    failed, result = run(rds, ARGS, check_mode=True)
    assert failed is False and result["changed"] is False


def test_check_mode_fails_like_the_restore_when_the_source_is_missing(rds):
    rds.describe(TARGET, None)
    rds.describe(SOURCE, None)
    failed, result = run(rds, ARGS, check_mode=True)
    assert failed is True
    assert "source_db_instance_identifier: there is no DB instance medtech-prod-db in eu-central-1" in result["msg"]
    assert "DBInstanceNotFound" in result["msg"]


def test_check_mode_fails_when_the_replicated_backups_are_missing(rds):
    rds.describe(TARGET, None)
    rds.stubber.add_client_error(
        "describe_db_instance_automated_backups", service_error_code="DBInstanceAutomatedBackupNotFound",
        service_message=f"Automated backup {BACKUP_ARN} not found.", http_status_code=404,
        expected_params={"DBInstanceAutomatedBackupsArn": BACKUP_ARN},
    )
    args = dict(ARGS, source_db_instance_identifier=None, source_db_instance_automated_backups_arn=BACKUP_ARN)
    failed, result = run(rds, args, check_mode=True)
    assert failed is True
    assert result["msg"].startswith(f"source_db_instance_automated_backups_arn: there are no automated backups {BACKUP_ARN}")


def test_check_mode_with_replicated_backups_present(rds):
    rds.describe(TARGET, None)
    rds.stubber.add_response(
        "describe_db_instance_automated_backups",
        {"DBInstanceAutomatedBackups": [{"DBInstanceAutomatedBackupsArn": BACKUP_ARN, "DBInstanceIdentifier": SOURCE,
                                         "Status": "replicating", "Region": "eu-central-1"}]},
        {"DBInstanceAutomatedBackupsArn": BACKUP_ARN},
    )
    args = dict(ARGS, source_db_instance_identifier=None, source_db_instance_automated_backups_arn=BACKUP_ARN)
    failed, result = run(rds, args, check_mode=True)
    assert failed is False and result["changed"] is True


# --- refused before any AWS call ----------------------------------------------------------------
@pytest.mark.parametrize("check_mode", [False, True])
def test_the_source_as_target_is_refused_without_a_call(rds, check_mode):
    failed, result = run(rds, dict(ARGS, db_instance_identifier=SOURCE.upper()), check_mode=check_mode)
    assert failed is True
    assert "is the source instance itself" in result["msg"]
    assert result["msg"].startswith("Invalid options: ")


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"source_db_instance_automated_backups_arn": BACKUP_ARN}, "give exactly one of source_db_instance_identifier"),
        ({"source_db_instance_identifier": None}, "give exactly one of source_db_instance_identifier"),
        ({"restore_time": "2026-03-01T09:30:00Z"}, "give exactly one of restore_time and use_latest_restorable_time"),
        ({"use_latest_restorable_time": False}, "give exactly one of restore_time and use_latest_restorable_time"),
        ({"use_latest_restorable_time": None, "restore_time": "2026-03-01T09:30:00"},
         "restore_time: '2026-03-01T09:30:00' is not an ISO 8601 time with a time zone"),
        ({"use_latest_restorable_time": None, "restore_time": "yesterday"}, "restore_time: 'yesterday' is not"),
        ({"source_db_instance_identifier": None, "source_db_instance_automated_backups_arn": "ab-123"},
         "source_db_instance_automated_backups_arn: 'ab-123' is not an automated backups ARN"),
        ({"db_instance_identifier": "1-drill"}, "db_instance_identifier: '1-drill' is not a DB instance identifier"),
        ({"db_instance_identifier": "drill--db"}, "is not a DB instance identifier"),
        ({"db_instance_identifier": "drill-"}, "is not a DB instance identifier"),
        ({"wait_timeout": 0}, "wait_timeout: 0 is out of range"),
    ],
)
def test_invalid_options_fail_before_any_call(rds, change, expected):
    failed, result = run(rds, dict(ARGS, **change))
    assert failed is True
    assert expected in result["msg"]


def test_a_restore_time_with_an_offset_is_accepted(rds):
    rds.describe(TARGET, instance())
    failed, result = run(rds, dict(ARGS, use_latest_restorable_time=None, restore_time="2026-03-01T09:30:00.250Z"))
    assert failed is False and result["changed"] is False


# --- AWS errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "code, message",
    [
        ("DBInstanceAlreadyExists", "DB instance already exists"),
        ("DBInstanceNotFound", f"DBInstance {SOURCE} not found."),
        ("DBInstanceAutomatedBackupNotFound", f"Automated backup {BACKUP_ARN} not found."),
        ("PointInTimeRestoreNotEnabled", f"Point-in-time restore is not enabled for the DB instance {SOURCE}."),
        ("InvalidRestoreFault", "Restore time must be before latest restorable time."),
        ("StorageQuotaExceeded", "The request would result in the user exceeding the allowed amount of storage "
                                 "available across all DB instances."),
        ("InstanceQuotaExceeded", "The request would result in the user exceeding the allowed number of DB instances."),
        ("DBSubnetGroupNotFoundFault", "DBSubnetGroup medtech-prod-db not found."),
    ],
)
def test_each_aws_error_of_the_restore_fails_naming_the_target_and_the_code(rds, code, message):
    rds.describe(TARGET, None)
    rds.stubber.add_client_error(
        "restore_db_instance_to_point_in_time", service_error_code=code, service_message=message,
        http_status_code=aws_error_status(code),
        expected_params=dict(DEFAULT_REQUEST, TargetDBInstanceIdentifier=TARGET),
    )
    failed, result = run(rds, ARGS)
    assert failed is True
    assert result["msg"].startswith(f"Failed to restore the DB instance {TARGET} to a point in time")
    assert result["error"]["code"] == code
    assert message in result["msg"]


def test_access_denied_on_the_first_read_fails_naming_the_read(rds):
    rds.stubber.add_client_error(
        "describe_db_instances", service_error_code="AccessDenied", http_status_code=403,
        service_message=f"User: arn:aws:sts::{ACCOUNT}:assumed-role/drill/ci is not authorized to perform: "
                        "rds:DescribeDBInstances",
    )
    failed, result = run(rds, ARGS)
    assert failed is True
    assert result["msg"].startswith(f"Failed to describe the DB instance {TARGET}")
    assert result["error"]["code"] == "AccessDenied"


# --- waiting ----------------------------------------------------------------------------------------
def test_the_waiter_timeout_fails_naming_the_target(rds):
    rds.describe(TARGET, None)
    rds.restore(DEFAULT_REQUEST)
    # wait_timeout 1: one poll (Delay 1, MaxAttempts 1), still creating
    rds.describe(TARGET, instance(status="creating", with_endpoint=False))
    failed, result = run(rds, dict(ARGS, wait_timeout=1))
    assert failed is True
    assert result["msg"].startswith(f"Timeout trying to wait for the DB instance {TARGET} to become available")
    assert "Max attempts exceeded" in result["msg"]


def test_a_failed_restore_state_ends_the_wait_at_once(rds):
    rds.describe(TARGET, None)
    rds.restore(DEFAULT_REQUEST)
    rds.describe(TARGET, instance(status="incompatible-restore", with_endpoint=False))
    failed, result = run(rds, ARGS)  # wait_timeout 3600: would poll 120 times; stops at the failure state
    assert failed is True
    assert result["msg"].startswith(f"Timeout trying to wait for the DB instance {TARGET} to become available")
    assert "terminal failure state" in result["msg"]


@pytest.mark.parametrize("timeout, expected", [(3600, {"Delay": 30, "MaxAttempts": 120}), (1, {"Delay": 1, "MaxAttempts": 1}),
                                               (45, {"Delay": 30, "MaxAttempts": 2}), (86400, {"Delay": 30, "MaxAttempts": 2880})])
def test_waiter_config_covers_the_timeout(timeout, expected):
    from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import waiter_config

    assert waiter_config(timeout) == expected
