# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for rds_instance_automated_backups_replication, against botocore's Stubber.

The Stubber validates every request against the real RDS and KMS API models and answers with the
responses queued here, in order; an unexpected call fails the test, so "no write call" (check
mode, no change, a refused difference, bad input) is asserted by queueing none. The module uses
two clients (RDS and, to resolve an alias, KMS), so ``run`` patches ``AnsibleAWSModule.client`` to
hand out the one asked for. Errors are AWS's own codes from the RDS API model.
"""

from __future__ import annotations

import contextlib
import datetime
from unittest import mock

import boto3
import botocore.handlers
import pytest
from botocore.stub import Stubber
from module_runner import ExitJson
from module_runner import FailJson
from module_runner import _exit_json
from module_runner import _fail_json

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.medtech.aws_platform.plugins.modules import (
    rds_instance_automated_backups_replication as module_under_test,
)

ACCOUNT = "123456789012"
SOURCE_REGION, DR_REGION = "eu-central-1", "eu-west-1"
SOURCE_ARN = f"arn:aws:rds:{SOURCE_REGION}:{ACCOUNT}:db:medtech-prod-db"
ALIAS = "alias/medtech-prod-platform"
DR_KEY = f"arn:aws:kms:{DR_REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = f"arn:aws:kms:{DR_REGION}:{ACCOUNT}:key/9999abcd-12ab-34cd-56ef-1234567890ab"
BACKUPS_ARN = f"arn:aws:rds:{DR_REGION}:{ACCOUNT}:auto-backup:ab-l2ijcexjp7xq7hoj4siexample"
NEW_BACKUPS_ARN = f"arn:aws:rds:{DR_REGION}:{ACCOUNT}:auto-backup:ab-newnewnewnewnewnewnewexample"
FILTER = {"Filters": [{"Name": "db-instance-id", "Values": [SOURCE_ARN]}]}
EARLIEST = datetime.datetime(2025, 3, 1, 10, 15, 42, tzinfo=datetime.timezone.utc)
LATEST = datetime.datetime(2025, 3, 1, 11, 10, tzinfo=datetime.timezone.utc)
ARGS = {"region": DR_REGION, "source_db_instance_arn": SOURCE_ARN, "kms_key_id": ALIAS}


def backup(status="replicating", retention=7, key=DR_KEY, arn=BACKUPS_ARN, earliest=EARLIEST):
    """A replicated DBInstanceAutomatedBackup as DescribeDBInstanceAutomatedBackups returns it."""
    return {
        "DBInstanceArn": SOURCE_ARN, "DbiResourceId": "db-JKIB2GFQ5RV7REPLZA4EXAMPLE", "Region": SOURCE_REGION,
        "DBInstanceIdentifier": "medtech-prod-db", "RestoreWindow": {"EarliestTime": earliest, "LatestTime": LATEST},
        "AllocatedStorage": 500, "Status": status, "Port": 5432, "Engine": "postgres", "EngineVersion": "15.4",
        "Encrypted": True, "StorageType": "gp3", "KmsKeyId": key, "BackupRetentionPeriod": retention,
        "DBInstanceAutomatedBackupsArn": arn,
    }


@pytest.fixture()
def rds():
    client = boto3.client("rds", region_name=DR_REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    return client, Stubber(client)


@pytest.fixture()
def kms():
    client = boto3.client("kms", region_name=DR_REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    return client, Stubber(client)


def run(args, rds, kms, check_mode=False, diff=True):
    """Run main() with the stubbed clients; every queued response must be used, no other call made.

    :return: ``(failed, result)``.
    """
    clients = {"rds": rds[0], "kms": kms[0]}
    module_args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    outcome = None
    with contextlib.ExitStack() as stack:
        for _client, stubber in (rds, kms):
            stack.enter_context(stubber)
        stack.enter_context(patch_module_args(module_args))
        stack.enter_context(mock.patch.object(
            AnsibleAWSModule, "client", side_effect=lambda service, *a, **kw: clients[service]))
        stack.enter_context(mock.patch.object(basic.AnsibleModule, "exit_json", _exit_json))
        stack.enter_context(mock.patch.object(basic.AnsibleModule, "fail_json", _fail_json))
        try:
            module_under_test.main()
        except ExitJson as e:
            outcome = (False, e.args[0])
        except FailJson as e:
            outcome = (True, e.args[0])
        for _client, stubber in (rds, kms):
            stubber.assert_no_pending_responses()
    assert outcome is not None, "main() neither exited nor failed"
    return outcome


def listed(stubber, *items):
    stubber.add_response("describe_db_instance_automated_backups", {"DBInstanceAutomatedBackups": list(items)}, FILTER)


def resolves(stubber, key=ALIAS, arn=DR_KEY):
    stubber.add_response("describe_key", {"KeyMetadata": {"KeyId": arn.rsplit("/", 1)[1], "Arn": arn}}, {"KeyId": key})


def starts(stubber, retention=7, key=DR_KEY, arn=BACKUPS_ARN):
    stubber.add_response(
        "start_db_instance_automated_backups_replication",
        {"DBInstanceAutomatedBackup": backup("pending", retention, key, arn)},
        {"SourceDBInstanceArn": SOURCE_ARN, "BackupRetentionPeriod": retention, "KmsKeyId": key,
         "SourceRegion": SOURCE_REGION},
    )


def stops(stubber):
    stubber.add_response("stop_db_instance_automated_backups_replication",
                         {"DBInstanceAutomatedBackup": backup()}, {"SourceDBInstanceArn": SOURCE_ARN})


def test_create(rds, kms):
    listed(rds[1])
    resolves(kms[1])
    starts(rds[1])
    listed(rds[1], backup("pending"))
    failed, result = run(ARGS, rds, kms)
    assert not failed, result
    assert result["changed"] is True
    got = result["automated_backup"]
    assert got["db_instance_automated_backups_arn"] == BACKUPS_ARN and got["kms_key_id"] == DR_KEY
    assert got["region"] == SOURCE_REGION and got["backup_retention_period"] == 7
    assert got["restore_window"] == {"earliest_time": EARLIEST.isoformat(), "latest_time": LATEST.isoformat()}
    assert result["diff"] == {"before": {}, "after": {"source_db_instance_arn": SOURCE_ARN, "kms_key_id": DR_KEY,
                                                      "backup_retention_period": 7}}


def test_botocore_presigns_the_start_call_from_source_region():
    """The module sends SourceRegion (see ``starts``) and relies on botocore to turn it into the
    PreSignedUrl the API takes; this fails if botocore stops doing that for this operation."""
    assert ("before-call.rds.StartDBInstanceAutomatedBackupsReplication",
            botocore.handlers.inject_presigned_url_rds) in botocore.handlers.BUILTIN_HANDLERS


def test_no_change_makes_no_write(rds, kms):
    listed(rds[1], backup(), backup("retained", 3, OTHER_KEY, NEW_BACKUPS_ARN))
    resolves(kms[1])
    failed, result = run(ARGS, rds, kms)
    assert not failed, result
    assert result["changed"] is False
    assert result["automated_backup"]["db_instance_automated_backups_arn"] == BACKUPS_ARN  # not the retained one
    assert result["diff"]["before"] == result["diff"]["after"]


def test_a_difference_is_refused_without_allow_replacement(rds, kms):
    listed(rds[1], backup(retention=7, key=OTHER_KEY))
    resolves(kms[1])
    failed, result = run(dict(ARGS, backup_retention_period=14), rds, kms)
    assert failed
    msg = result["msg"]
    assert "backup_retention_period is 7, wanted 14" in msg
    assert f"kms_key_id is '{OTHER_KEY}', wanted '{DR_KEY}'" in msg
    assert "allow_replacement=true" in msg


def test_replacement_stops_and_starts(rds, kms):
    listed(rds[1], backup(retention=7))
    resolves(kms[1])
    stops(rds[1])
    starts(rds[1], retention=14, arn=NEW_BACKUPS_ARN)
    listed(rds[1], backup("retained"), backup("pending", 14, arn=NEW_BACKUPS_ARN,
                                              earliest=EARLIEST + datetime.timedelta(hours=1)))
    failed, result = run(dict(ARGS, backup_retention_period=14, allow_replacement=True), rds, kms)
    assert not failed, result
    assert result["changed"] is True
    assert result["automated_backup"]["db_instance_automated_backups_arn"] == NEW_BACKUPS_ARN
    assert result["diff"]["before"]["backup_retention_period"] == 7
    assert result["diff"]["after"]["backup_retention_period"] == 14


def test_replacement_in_check_mode_writes_nothing(rds, kms):
    listed(rds[1], backup(retention=7))
    resolves(kms[1])
    failed, result = run(dict(ARGS, backup_retention_period=14, allow_replacement=True), rds, kms, check_mode=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["automated_backup"]["backup_retention_period"] == 14
    assert result["automated_backup"]["status"] == "pending"


def test_create_in_check_mode_writes_nothing(rds, kms):
    listed(rds[1])
    resolves(kms[1])
    failed, result = run(ARGS, rds, kms, check_mode=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["automated_backup"]["kms_key_id"] == DR_KEY
    assert result["diff"]["after"]["source_db_instance_arn"] == SOURCE_ARN


def test_absent_stops(rds, kms):
    listed(rds[1], backup())
    stops(rds[1])
    failed, result = run({"region": DR_REGION, "source_db_instance_arn": SOURCE_ARN, "state": "absent"}, rds, kms)
    assert not failed, result
    assert result["changed"] is True and result["automated_backup"] == {}
    assert result["diff"]["before"]["source_db_instance_arn"] == SOURCE_ARN and result["diff"]["after"] == {}


@pytest.mark.parametrize("check_mode", [True, False])
def test_absent_without_replication_or_in_check_mode_writes_nothing(rds, kms, check_mode):
    if check_mode:
        listed(rds[1], backup())
    else:
        listed(rds[1], backup("retained"))  # only backups of an ended replication
    failed, result = run({"region": DR_REGION, "source_db_instance_arn": SOURCE_ARN, "state": "absent"}, rds, kms,
                         check_mode=check_mode)
    assert not failed, result
    assert result["changed"] is check_mode


@pytest.mark.parametrize(
    "code, status, hint",
    [
        ("DBInstanceNotFound", 404, "source_db_instance_arn names no DB instance"),
        ("InvalidDBInstanceState", 400, "must be available and have automated backups"),
        ("KMSKeyNotAccessibleFault", 400, "kms_key_id must be a key of the destination Region"),
        ("StorageQuotaExceeded", 400, "storage quota is used up"),
        ("InvalidDBInstanceAutomatedBackupState", 400, "already replicates"),
        ("DBInstanceAutomatedBackupQuotaExceeded", 400, "maximum of replicated automated backups"),
    ],
)
def test_aws_errors_on_start_name_the_fix(rds, kms, code, status, hint):
    listed(rds[1])
    rds[1].add_client_error("start_db_instance_automated_backups_replication", service_error_code=code,
                            service_message="from AWS", http_status_code=status)
    failed, result = run(dict(ARGS, kms_key_id=DR_KEY), rds, kms)
    assert failed
    assert result["msg"].startswith(f"Failed to start replicating the automated backups of {SOURCE_ARN}")
    assert hint in result["msg"]
    assert result["error"]["code"] == code


def test_unknown_alias_fails_before_any_write(rds, kms):
    listed(rds[1])
    kms[1].add_client_error("describe_key", service_error_code="NotFoundException",
                            service_message=f"Alias arn:aws:kms:{DR_REGION}:{ACCOUNT}:{ALIAS} is not found.",
                            http_status_code=400)
    failed, result = run(ARGS, rds, kms)
    assert failed
    assert f"Failed to resolve the KMS key {ALIAS}" in result["msg"] and "create it or its alias there" in result["msg"]


def test_access_denied_on_describe_is_reported(rds, kms):
    rds[1].add_client_error("describe_db_instance_automated_backups", service_error_code="AccessDenied",
                            service_message="not allowed", http_status_code=403)
    failed, result = run(ARGS, rds, kms)
    assert failed
    assert result["msg"].startswith(f"Failed to list the automated backups replicated from {SOURCE_ARN}")


@pytest.mark.parametrize(
    "args, fragment",
    [
        ({"source_db_instance_arn": "medtech-prod-db"}, "is not the ARN of a DB instance"),
        ({"region": SOURCE_REGION}, "run it in the destination Region"),
        ({"backup_retention_period": 36}, "backup_retention_period=36: give 1 to 35 days"),
        ({"backup_retention_period": 0}, "backup_retention_period=0"),
        ({"kms_key_id": DR_KEY.replace(DR_REGION, SOURCE_REGION)}, f"give a key of {DR_REGION}"),
        ({"kms_key_id": " "}, "kms_key_id is empty"),
    ],
)
def test_bad_options_fail_before_any_aws_call(rds, kms, args, fragment):
    failed, result = run(dict(ARGS, **args), rds, kms)
    assert failed
    assert result["msg"].startswith("Invalid options: ") and fragment in result["msg"]
