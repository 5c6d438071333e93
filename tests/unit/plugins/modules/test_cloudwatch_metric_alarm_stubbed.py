# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the cloudwatch_metric_alarm module, against botocore's Stubber.

The Stubber validates every request against the real CloudWatch API model and answers with the
responses queued here, in order; an unexpected call fails the test, so "no write" (no change,
check mode, bad input) is asserted by queueing none. The responses are shaped as AWS answers:
``Threshold`` a float, dimensions and actions in an order of AWS's choosing, ``ReturnData`` on
every query, the state and timestamps.
"""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.modules import cloudwatch_metric_alarm as module_under_test

REGION = "eu-central-1"
NAME = "medtech-prod-api-cpu-high"
MATH_NAME = "medtech-prod-alb-5xx-rate"
TOPIC = "arn:aws:sns:eu-central-1:123456789012:medtech-prod-alerts"
PAGER = "arn:aws:sns:eu-central-1:123456789012:medtech-prod-pager"
LB = "app/medtech-prod-alb/50dc6c495c0c9188"
UPDATED = datetime.datetime(2025, 3, 1, 10, 15, 42, tzinfo=datetime.timezone.utc)


def arn(name):
    return f"arn:aws:cloudwatch:{REGION}:123456789012:alarm:{name}"


ARGS = {
    "alarm_name": NAME,
    "namespace": "AWS/ECS",
    "metric_name": "CPUUtilization",
    "statistic": "Average",
    "dimensions": {"ClusterName": "medtech-prod-cluster", "ServiceName": "api-gateway"},
    "period": 60,
    "evaluation_periods": 3,
    "datapoints_to_alarm": 2,
    "threshold": 80,
    "comparison_operator": "GreaterThanThreshold",
    "alarm_actions": [TOPIC, PAGER],
    "region": REGION,
}
# The PutMetricAlarm request the module sends for ARGS: complete, dimensions sorted by name.
REQUEST = {
    "AlarmName": NAME,
    "ActionsEnabled": True,
    "AlarmActions": [TOPIC, PAGER],
    "OKActions": [],
    "InsufficientDataActions": [],
    "EvaluationPeriods": 3,
    "DatapointsToAlarm": 2,
    "Threshold": 80.0,
    "ComparisonOperator": "GreaterThanThreshold",
    "TreatMissingData": "missing",
    "MetricName": "CPUUtilization",
    "Namespace": "AWS/ECS",
    "Statistic": "Average",
    "Dimensions": [{"Name": "ClusterName", "Value": "medtech-prod-cluster"}, {"Name": "ServiceName", "Value": "api-gateway"}],
    "Period": 60,
}

MATH_ARGS = {
    "alarm_name": MATH_NAME,
    "evaluation_periods": 5,
    "threshold": 5,
    "comparison_operator": "GreaterThanThreshold",
    "metrics": [
        {"id": "rate", "expression": "100 * errors / requests", "label": "5xx rate (%)"},
        {
            "id": "errors",
            "return_data": False,
            "metric_stat": {
                "metric": {
                    "namespace": "AWS/ApplicationELB",
                    "metric_name": "HTTPCode_Target_5XX_Count",
                    "dimensions": {"LoadBalancer": LB, "TargetGroup": "targetgroup/api/1"},
                },
                "period": 60,
                "stat": "Sum",
            },
        },
    ],
    "region": REGION,
}
ERRORS_METRIC = {
    "Namespace": "AWS/ApplicationELB",
    "MetricName": "HTTPCode_Target_5XX_Count",
    "Dimensions": [{"Name": "LoadBalancer", "Value": LB}, {"Name": "TargetGroup", "Value": "targetgroup/api/1"}],
}
MATH_REQUEST = {
    "AlarmName": MATH_NAME,
    "ActionsEnabled": True,
    "AlarmActions": [],
    "OKActions": [],
    "InsufficientDataActions": [],
    "EvaluationPeriods": 5,
    "Threshold": 5.0,
    "ComparisonOperator": "GreaterThanThreshold",
    "TreatMissingData": "missing",
    "Metrics": [
        {"Id": "rate", "ReturnData": True, "Expression": "100 * errors / requests", "Label": "5xx rate (%)"},
        {"Id": "errors", "ReturnData": False, "MetricStat": {"Metric": ERRORS_METRIC, "Period": 60, "Stat": "Sum"}},
    ],
}


def as_aws(request, **changes):
    """A MetricAlarm as DescribeAlarms returns it for ``request``."""
    alarm = dict(
        request,
        AlarmArn=arn(request["AlarmName"]),
        AlarmConfigurationUpdatedTimestamp=UPDATED,
        StateValue="INSUFFICIENT_DATA",
        StateReason="Unchecked: Initial alarm creation",
        StateUpdatedTimestamp=UPDATED,
    )
    alarm.pop("Tags", None)
    alarm.update(changes)
    return alarm


# AWS's answer for ARGS, in its own order: dimensions and actions reversed, no DatapointsToAlarm
# order issue, the threshold a float.
AWS_ALARM = as_aws(
    REQUEST,
    Dimensions=list(reversed(REQUEST["Dimensions"])),
    AlarmActions=[PAGER, TOPIC],
)
AWS_MATH_ALARM = as_aws(
    MATH_REQUEST,
    Dimensions=[],
    Metrics=[
        MATH_REQUEST["Metrics"][0],
        {
            "Id": "errors",
            "ReturnData": False,
            "MetricStat": {
                "Metric": dict(ERRORS_METRIC, Dimensions=list(reversed(ERRORS_METRIC["Dimensions"]))),
                "Period": 60,
                "Stat": "Sum",
            },
        },
    ],
)


class Stub:
    """A real boto3 cloudwatch client with a Stubber, and shortcuts for its calls."""

    def __init__(self):
        self.client = boto3.client(
            "cloudwatch", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self.stubber = Stubber(self.client)

    def describe(self, alarm, name=NAME):
        self.stubber.add_response(
            "describe_alarms",
            {"MetricAlarms": [alarm] if alarm else [], "CompositeAlarms": []},
            {"AlarmNames": [name], "AlarmTypes": ["MetricAlarm"]},
        )

    def list_tags(self, tags, name=NAME):
        self.stubber.add_response(
            "list_tags_for_resource",
            {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]},
            {"ResourceARN": arn(name)},
        )

    def read(self, alarm, tags=None, name=NAME):
        self.describe(alarm, name)
        if alarm:
            self.list_tags(tags or {}, name)

    def put(self, request):
        self.stubber.add_response("put_metric_alarm", {}, request)

    def tag(self, tags):
        self.stubber.add_response(
            "tag_resource", {}, {"ResourceARN": arn(NAME), "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        )

    def untag(self, keys):
        self.stubber.add_response("untag_resource", {}, {"ResourceARN": arn(NAME), "TagKeys": keys})

    def delete(self, name=NAME):
        self.stubber.add_response("delete_alarms", {}, {"AlarmNames": [name]})

    def error(self, operation, code, message, status=400):
        self.stubber.add_client_error(
            operation, service_error_code=code, service_message=message, http_status_code=status
        )


@pytest.fixture()
def cw():
    stub = Stub()
    with consumed(stub.stubber):
        yield stub


def run(cw, args, check_mode=False, diff=True):
    return run_main(module_under_test, args, cw.client, check_mode=check_mode, diff=diff)


def ok(outcome):
    failed, result = outcome
    assert not failed, result
    return result


# --- create -----------------------------------------------------------------------------------
def test_create_metric_alarm_with_dimensions_and_tags(cw):
    tags = {"environment": "prod", "managed-by": "ansible"}
    cw.read(None)
    cw.put(dict(REQUEST, Tags=[{"Key": "environment", "Value": "prod"}, {"Key": "managed-by", "Value": "ansible"}]))
    cw.read(AWS_ALARM, tags)

    result = ok(run(cw, dict(ARGS, tags=tags)))

    assert result["changed"] is True
    assert result["alarm"]["alarm_arn"] == arn(NAME)
    assert result["alarm"]["state_value"] == "INSUFFICIENT_DATA"
    assert result["alarm"]["dimensions"] == ARGS["dimensions"]
    assert result["alarm"]["tags"] == tags
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["threshold"] == 80
    assert "alarm_arn" not in result["diff"]["after"]


def test_create_metric_math_alarm(cw):
    cw.read(None, name=MATH_NAME)
    cw.put(MATH_REQUEST)  # ReturnData sent on every query, dimensions sorted
    cw.read(AWS_MATH_ALARM, name=MATH_NAME)

    result = ok(run(cw, MATH_ARGS))

    assert result["changed"] is True
    assert [query["id"] for query in result["alarm"]["metrics"]] == ["rate", "errors"]
    assert result["alarm"]["metrics"][1]["metric_stat"]["metric"]["dimensions"] == {
        "LoadBalancer": LB, "TargetGroup": "targetgroup/api/1",
    }


def test_create_in_check_mode_writes_nothing(cw):
    cw.read(None)

    result = ok(run(cw, ARGS, check_mode=True))

    assert result["changed"] is True
    assert result["alarm"]["alarm_name"] == NAME
    assert "alarm_arn" not in result["alarm"]
    assert result["diff"]["after"]["dimensions"] == ARGS["dimensions"]


# --- no change --------------------------------------------------------------------------------
def test_no_change_when_aws_returns_dimensions_and_actions_in_another_order_and_a_float(cw):
    cw.read(AWS_ALARM)

    result = ok(run(cw, ARGS))  # threshold 80 (int); AWS holds 80.0

    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]


def test_no_change_for_metric_math_alarm(cw):
    cw.read(AWS_MATH_ALARM, name=MATH_NAME)

    result = ok(run(cw, MATH_ARGS))

    assert result["changed"] is False


def test_no_change_when_treat_missing_data_and_datapoints_are_left_to_aws(cw):
    # An alarm read without TreatMissingData and without DatapointsToAlarm equals the options
    # treat_missing_data: missing (default) and datapoints_to_alarm == evaluation_periods.
    alarm = as_aws(REQUEST, DatapointsToAlarm=3)
    del alarm["TreatMissingData"]
    cw.read(alarm)

    result = ok(run(cw, dict(ARGS, datapoints_to_alarm=None)))

    assert result["changed"] is False


# --- update -----------------------------------------------------------------------------------
def test_threshold_update_puts_the_complete_definition_and_diffs_only_the_threshold(cw):
    cw.read(AWS_ALARM)
    cw.put(dict(REQUEST, Threshold=90.0))
    cw.read(as_aws(REQUEST, Threshold=90.0))

    result = ok(run(cw, dict(ARGS, threshold=90)))

    assert result["changed"] is True
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert (before["threshold"], after["threshold"]) == (80, 90)
    assert {k: v for k, v in before.items() if k != "threshold"} == {k: v for k, v in after.items() if k != "threshold"}


def test_threshold_update_in_check_mode_writes_nothing(cw):
    cw.read(AWS_ALARM)

    result = ok(run(cw, dict(ARGS, threshold=90), check_mode=True))

    assert result["changed"] is True
    assert result["alarm"]["threshold"] == 90
    assert result["alarm"]["alarm_arn"] == arn(NAME)
    assert result["diff"]["before"]["threshold"] == 80


def test_drift_in_a_metric_math_query_is_seen(cw):
    drifted = as_aws(
        MATH_REQUEST,
        Metrics=[MATH_REQUEST["Metrics"][0], dict(MATH_REQUEST["Metrics"][1], MetricStat=dict(
            MATH_REQUEST["Metrics"][1]["MetricStat"], Stat="Average"))],
    )
    cw.read(drifted, name=MATH_NAME)
    cw.put(MATH_REQUEST)
    cw.read(AWS_MATH_ALARM, name=MATH_NAME)

    result = ok(run(cw, MATH_ARGS))

    assert result["changed"] is True
    assert result["diff"]["before"]["metrics"][1]["metric_stat"]["stat"] == "Average"
    assert result["diff"]["after"]["metrics"][1]["metric_stat"]["stat"] == "Sum"


def test_tags_added_and_removed_without_put_metric_alarm(cw):
    cw.read(AWS_ALARM, {"environment": "prod", "old": "x"})
    cw.untag(["old"])
    cw.tag({"owner": "platform"})
    cw.read(AWS_ALARM, {"environment": "prod", "owner": "platform"})

    result = ok(run(cw, dict(ARGS, tags={"environment": "prod", "owner": "platform"})))

    assert result["changed"] is True
    assert result["diff"]["before"]["tags"] == {"environment": "prod", "old": "x"}
    assert result["diff"]["after"]["tags"] == {"environment": "prod", "owner": "platform"}


def test_tags_kept_without_purge_and_left_alone_when_unset(cw):
    cw.read(AWS_ALARM, {"environment": "prod", "old": "x"})
    cw.read(AWS_ALARM, {"environment": "prod", "old": "x"})

    assert ok(run(cw, dict(ARGS, tags={"environment": "prod"}, purge_tags=False)))["changed"] is False
    assert ok(run(cw, ARGS))["changed"] is False


# --- delete -----------------------------------------------------------------------------------
def test_delete(cw):
    cw.read(AWS_ALARM)
    cw.delete()

    result = ok(run(cw, {"alarm_name": NAME, "state": "absent", "region": REGION}))

    assert result["changed"] is True
    assert result["alarm"] == {}
    assert result["diff"]["before"]["alarm_name"] == NAME
    assert result["diff"]["after"] == {}


def test_delete_in_check_mode_and_of_a_missing_alarm_write_nothing(cw):
    cw.read(AWS_ALARM)
    cw.read(None)

    assert ok(run(cw, {"name": NAME, "state": "absent", "region": REGION}, check_mode=True))["changed"] is True
    assert ok(run(cw, {"name": NAME, "state": "absent", "region": REGION}))["changed"] is False


# --- bad input: no AWS call (nothing queued) --------------------------------------------------
MATH_QUERIES = MATH_ARGS["metrics"]


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"period": 45}, "period is 45: CloudWatch accepts 10, 20 or 30 seconds"),
        ({"period": 3600, "evaluation_periods": 25}, "period x evaluation_periods is 3600 x 25 = 90000 seconds"),
        ({"datapoints_to_alarm": 4}, "datapoints_to_alarm is 4 but evaluation_periods is 3"),
        ({"extended_statistic": "p99"}, "statistic and extended_statistic are both set"),
        ({"metrics": MATH_QUERIES}, "metrics cannot be combined with metric_name, namespace, statistic, dimensions, period"),
        ({"metric_name": None}, "set metric_name (with namespace, statistic and period), or metrics"),
        ({"evaluation_periods": None}, "evaluation_periods is required with state=present"),
    ],
)
def test_bad_input_fails_before_any_aws_call(cw, changes, expected):
    args = {key: value for key, value in dict(ARGS, **changes).items() if value is not None}
    failed, result = run(cw, args)

    assert failed
    assert result["msg"].startswith("Invalid options: ")
    assert expected in result["msg"]


@pytest.mark.parametrize(
    "queries, expected",
    [
        ([dict(MATH_QUERIES[0]), dict(MATH_QUERIES[1], return_data=None)], "metrics: 2 queries return data (rate, errors)"),
        ([dict(MATH_QUERIES[0], return_data=False), MATH_QUERIES[1]], "metrics: 0 queries return data (none)"),
        ([MATH_QUERIES[0], dict(MATH_QUERIES[1], metric_stat=dict(MATH_QUERIES[1]["metric_stat"], period=90))],
         "metrics[id=errors].metric_stat.period is 90"),
        ([MATH_QUERIES[0], dict(MATH_QUERIES[1], expression="rate * 2")],
         "metrics[id=errors]: set exactly one of expression and metric_stat"),
    ],
)
def test_bad_metrics_fail_before_any_aws_call(cw, queries, expected):
    failed, result = run(cw, dict(MATH_ARGS, metrics=queries))

    assert failed
    assert expected in result["msg"]


def test_period_of_20_seconds_is_accepted_as_aws_does(cw):
    request = dict(REQUEST, Period=20)
    cw.read(None)
    cw.put(request)
    cw.read(as_aws(request))

    assert ok(run(cw, dict(ARGS, period=20)))["changed"] is True


# --- AWS errors -------------------------------------------------------------------------------
def test_limit_exceeded_is_a_clear_failure(cw):
    cw.read(None)
    cw.error("put_metric_alarm", "LimitExceededFault", "The maximum number of alarms for this account has been reached.")

    failed, result = run(cw, ARGS)

    assert failed
    assert result["msg"].startswith(f"Failed to put the metric alarm {NAME}")
    assert "maximum number of alarms" in result["msg"]
    assert result["error"]["code"] == "LimitExceededFault"


def test_access_denied_on_read_is_a_clear_failure(cw):
    cw.error("describe_alarms", "AccessDenied", "User is not authorized to perform: cloudwatch:DescribeAlarms", 403)

    failed, result = run(cw, ARGS)

    assert failed
    assert result["msg"].startswith(f"Failed to describe the metric alarm {NAME}")
    assert result["error"]["code"] == "AccessDenied"
