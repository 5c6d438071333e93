# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for rds_instance_automated_backups_info, against botocore's Stubber: the request it
sends (the db-instance-id filter, all pages), the order of its answer (newest restore point
first), only the source's backups, and a bad ARN refused without any call."""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.modules import rds_instance_automated_backups_info as module_under_test

REGION = "eu-west-1"
SOURCE = "arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-db"
FILTER = {"Filters": [{"Name": "db-instance-id", "Values": [SOURCE]}]}


def backup(suffix, latest_hour, status="replicating", source=SOURCE):
    return {
        "DBInstanceArn": source,
        "DBInstanceAutomatedBackupsArn": f"arn:aws:rds:{REGION}:123456789012:auto-backup:ab-{suffix}",
        "Region": "eu-central-1",
        "DBInstanceIdentifier": "medtech-prod-db",
        "Status": status,
        "KmsKeyId": f"arn:aws:kms:{REGION}:123456789012:key/dr",
        "BackupRetentionPeriod": 35,
        "RestoreWindow": {
            "EarliestTime": datetime.datetime(2026, 12, 1, 0, 0, tzinfo=datetime.timezone.utc),
            "LatestTime": datetime.datetime(2026, 12, 1, latest_hour, 55, tzinfo=datetime.timezone.utc),
        },
    }


@pytest.fixture()
def rds():
    client = boto3.client("rds", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    stubber = Stubber(client)
    with consumed(stubber):
        yield client, stubber


def run(rds, args):
    return run_main(module_under_test, dict(args, region=REGION), rds[0], check_mode=True)


def test_lists_the_sources_backups_over_all_pages_newest_restore_point_first(rds):
    _client, stubber = rds
    stubber.add_response("describe_db_instance_automated_backups",
                         {"DBInstanceAutomatedBackups": [backup("old", 3, "retained")], "Marker": "next"}, FILTER)
    stubber.add_response("describe_db_instance_automated_backups",
                         {"DBInstanceAutomatedBackups": [backup("new", 9),
                                                         backup("other", 10, source=SOURCE.replace("prod-db", "x"))]},
                         dict(FILTER, Marker="next"))
    failed, result = run(rds, {"source_db_instance_arn": SOURCE})
    assert failed is False, result
    assert result["changed"] is False
    assert [b["db_instance_automated_backups_arn"].rsplit("-", 1)[-1] for b in result["automated_backups"]] == ["new", "old"]
    assert result["automated_backups"][0]["restore_window"] == {
        "earliest_time": "2026-12-01T00:00:00+00:00", "latest_time": "2026-12-01T09:55:00+00:00"}
    assert result["automated_backups"][1]["status"] == "retained"


def test_no_backup_is_an_empty_list(rds):
    _client, stubber = rds
    stubber.add_response("describe_db_instance_automated_backups", {"DBInstanceAutomatedBackups": []}, FILTER)
    failed, result = run(rds, {"source_db_instance_arn": SOURCE})
    assert failed is False and result["automated_backups"] == []


def test_an_arn_that_is_no_db_instance_is_refused_without_a_call(rds):
    failed, result = run(rds, {"source_db_instance_arn": "medtech-prod-db"})
    assert failed is True
    assert "source_db_instance_arn must be a DB instance ARN" in result["msg"]


def test_access_denied_is_reported_naming_the_action(rds):
    _client, stubber = rds
    stubber.add_client_error("describe_db_instance_automated_backups", "AccessDenied",
                             "User is not authorized to perform: rds:DescribeDBInstanceAutomatedBackups", 403,
                             expected_params=FILTER)
    failed, result = run(rds, {"source_db_instance_arn": SOURCE})
    assert failed is True
    assert "list the automated backups replicated from " + SOURCE in result["msg"]
