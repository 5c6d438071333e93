# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for rds_event_info, against botocore's Stubber.

moto 5.2.5 has DescribeEvents but ignores Duration, StartTime, EndTime and EventCategories and
never records a failover, so the requests the module sends and AWS's answers (two pages, a
failover's events, errors) are checked here: the Stubber validates each request against the
RDS API model, and a test that queues no response proves that bad input makes no call.
"""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.modules import rds_event_info as module_under_test

REGION = "eu-central-1"
DB = "medtech-prod-db"
DB_ARN = f"arn:aws:rds:{REGION}:123456789012:db:{DB}"


def event(message, minute, categories=("failover",)):
    return {
        "SourceIdentifier": DB,
        "SourceType": "db-instance",
        "Message": message,
        "EventCategories": list(categories),
        "Date": datetime.datetime(2026, 3, 1, 9, minute, 7, 512000, tzinfo=datetime.timezone.utc),
        "SourceArn": DB_ARN,
    }


STARTED = event("Multi-AZ instance failover started.", 40)
COMPLETED = event("Multi-AZ instance failover completed.", 41)
REBOOTED = event("DB instance restarted", 42, categories=("availability",))


@pytest.fixture()
def rds():
    client = boto3.client("rds", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    stubber = Stubber(client)
    with consumed(stubber):
        yield client, stubber


def run(rds, args, check_mode=False):
    return run_main(module_under_test, dict(args, region=REGION), rds[0], check_mode=check_mode)


def test_defaults_list_the_last_hour_of_db_instance_events_over_all_pages_oldest_first(rds):
    _client, stubber = rds
    # AWS pages with Marker; the answer is not necessarily in time order
    stubber.add_response("describe_events", {"Events": [COMPLETED], "Marker": "page-2"},
                         {"SourceType": "db-instance", "Duration": 60})
    stubber.add_response("describe_events", {"Events": [REBOOTED, STARTED]},
                         {"SourceType": "db-instance", "Duration": 60, "Marker": "page-2"})
    failed, result = run(rds, {})
    assert failed is False, result
    assert result["changed"] is False
    assert [e["message"] for e in result["events"]] == [
        "Multi-AZ instance failover started.", "Multi-AZ instance failover completed.", "DB instance restarted",
    ]
    dates = [e["date"] for e in result["events"]]
    assert dates == sorted(dates) and dates[0] == "2026-03-01T09:40:07.512000+00:00"
    assert result["events"][0] == {
        "source_identifier": DB,
        "source_type": "db-instance",
        "message": "Multi-AZ instance failover started.",
        "event_categories": ["failover"],
        "date": "2026-03-01T09:40:07.512000+00:00",
        "source_arn": DB_ARN,
    }


def test_source_categories_and_duration_are_sent(rds):
    _client, stubber = rds
    stubber.add_response(
        "describe_events", {"Events": [STARTED, COMPLETED]},
        {"SourceType": "db-instance", "SourceIdentifier": DB, "EventCategories": ["failover"], "Duration": 20160},
    )
    failed, result = run(rds, {"source_identifier": DB, "event_categories": ["failover"], "duration": 20160})
    assert failed is False, result
    assert [e["message"] for e in result["events"]] == [STARTED["Message"], COMPLETED["Message"]]


def test_a_time_window_is_sent_as_utc_without_duration(rds):
    _client, stubber = rds
    stubber.add_response(
        "describe_events", {"Events": []},
        {"SourceType": "db-snapshot",
         "StartTime": datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.timezone.utc),
         "EndTime": datetime.datetime(2026, 3, 1, 11, 0, tzinfo=datetime.timezone.utc)},
    )
    failed, result = run(rds, {"source_type": "db-snapshot", "start_time": "2026-03-01T09:00:00+01:00",
                               "end_time": "2026-03-01T11:00:00Z"})
    assert failed is False, result
    assert result["events"] == []


def test_only_a_start_time_is_sent_alone(rds):
    _client, stubber = rds
    stubber.add_response(
        "describe_events", {"Events": [STARTED]},
        {"SourceType": "db-instance", "StartTime": datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.timezone.utc)},
    )
    failed, result = run(rds, {"start_time": "2026-03-01T09:00:00Z"})
    assert failed is False and len(result["events"]) == 1


def test_check_mode_reads_as_usual(rds):
    _client, stubber = rds
    stubber.add_response("describe_events", {"Events": [STARTED]}, {"SourceType": "db-instance", "Duration": 60})
    failed, result = run(rds, {}, check_mode=True)
    assert failed is False and result["changed"] is False and len(result["events"]) == 1


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"duration": 20161}, "duration: 20161 is out of range: give 1 to 20160 minutes"),
        ({"duration": 0}, "duration: 0 is out of range"),
        ({"duration": 60, "start_time": "2026-03-01T09:00:00Z"}, "duration cannot be combined with start_time or end_time"),
        ({"start_time": "2026-03-01T09:00:00"}, "start_time: '2026-03-01T09:00:00' is not an ISO 8601 time with a time zone"),
        ({"end_time": "soon"}, "end_time: 'soon' is not an ISO 8601 time"),
        ({"start_time": "2026-03-01T11:00:00Z", "end_time": "2026-03-01T10:00:00Z"}, "end_time must be after start_time"),
    ],
)
def test_invalid_options_fail_before_any_call(rds, args, expected):
    failed, result = run(rds, args)
    assert failed is True
    assert result["msg"].startswith("Invalid options: ")
    assert expected in result["msg"]


@pytest.mark.parametrize(
    "code, status, message",
    [
        ("AccessDenied", 403, "User: arn:aws:sts::123456789012:assumed-role/runbook/ci is not authorized to perform: "
                              "rds:DescribeEvents"),
        ("InvalidParameterValue", 400, "Invalid event category: failovers"),
    ],
)
def test_aws_errors_fail_naming_the_action(rds, code, status, message):
    _client, stubber = rds
    stubber.add_client_error("describe_events", service_error_code=code, service_message=message, http_status_code=status)
    failed, result = run(rds, {"event_categories": ["failovers"]})
    assert failed is True
    assert result["msg"].startswith("Failed to describe the RDS events")
    assert result["error"]["code"] == code
