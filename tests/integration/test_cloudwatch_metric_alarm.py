# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real cloudwatch_metric_alarm module, run by ``ansible``, against the emulator.

Each call is ``ansible localhost -m medtech.aws_platform.cloudwatch_metric_alarm -a '<json>' --diff``
(the ``ansible_module`` fixture of conftest.py); what the module did is read back with boto3.

What moto (5.2.5) returns and the module must see as no change: ``Threshold`` as a float,
``Dimensions: []`` and no ``TreatMissingData`` on a metric math alarm, ``Metrics: []`` on a
single-metric alarm, ``Dimensions: []`` in a query's metric without dimensions, no ``ReturnData``
on a query that was sent without it. The error answers of AWS (e.g. ``LimitExceededFault``) are
Stubber tests (tests/unit/plugins/modules/test_cloudwatch_metric_alarm_stubbed.py).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.cloudwatch_metric_alarm"
REGION = "eu-central-1"
TOPIC = "arn:aws:sns:eu-central-1:123456789012:medtech-prod-alerts"
PAGER = "arn:aws:sns:eu-central-1:123456789012:medtech-prod-pager"
LB = "app/medtech-prod-alb/50dc6c495c0c9188"

CPU = {
    "alarm_name": "medtech-prod-api-cpu-high",
    "alarm_description": "API service CPU above 80 %",
    "namespace": "AWS/ECS",
    "metric_name": "CPUUtilization",
    "statistic": "Average",
    "dimensions": {"ServiceName": "api-gateway", "ClusterName": "medtech-prod-cluster"},
    "period": 60,
    "evaluation_periods": 3,
    "datapoints_to_alarm": 2,
    "threshold": 80,
    "comparison_operator": "GreaterThanThreshold",
    "alarm_actions": [TOPIC, PAGER],
    "ok_actions": [TOPIC],
    "tags": {"environment": "prod", "managed-by": "ansible"},
}


def _stat(metric_name, dimensions):
    return {
        "metric": {"namespace": "AWS/ApplicationELB", "metric_name": metric_name, "dimensions": dimensions},
        "period": 60,
        "stat": "Sum",
    }


MATH = {
    "alarm_name": "medtech-prod-alb-5xx-rate",
    "evaluation_periods": 5,
    "threshold": 5,
    "comparison_operator": "GreaterThanThreshold",
    "metrics": [
        {"id": "rate", "expression": "100 * errors / requests", "label": "5xx rate (%)"},
        {
            "id": "errors",
            "return_data": False,
            "metric_stat": _stat("HTTPCode_Target_5XX_Count", {"TargetGroup": "targetgroup/api/1", "LoadBalancer": LB}),
        },
        {"id": "requests", "return_data": False, "metric_stat": _stat("RequestCount", {"LoadBalancer": LB})},
    ],
    "alarm_actions": [TOPIC],
}


@pytest.fixture()
def run_module(ansible_module):
    def _run(args: dict, check: bool = False) -> dict:
        return ansible_module(MODULE, dict(args, region=REGION), check=check)

    return _run


@pytest.fixture()
def cloudwatch(aws):
    return aws.client("cloudwatch", REGION)


def described(cloudwatch, name):
    alarms = cloudwatch.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm"])["MetricAlarms"]
    return alarms[0] if alarms else None


def tags_of(cloudwatch, alarm):
    tags = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
    return {tag["Key"]: tag["Value"] for tag in tags}


def ok(result):
    assert not result.get("failed"), result
    return result


def test_single_metric_alarm_check_mode_create_and_second_run_unchanged(run_module, cloudwatch):
    result = ok(run_module(CPU, check=True))
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["dimensions"] == CPU["dimensions"]
    assert result["diff"]["after"]["tags"] == CPU["tags"]
    assert described(cloudwatch, CPU["alarm_name"]) is None  # check mode created nothing

    result = ok(run_module(CPU))
    assert result["changed"] is True
    alarm = described(cloudwatch, CPU["alarm_name"])
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == CPU["dimensions"]
    assert alarm["Threshold"] == 80.0
    assert alarm["DatapointsToAlarm"] == 2
    assert sorted(alarm["AlarmActions"]) == sorted([TOPIC, PAGER])
    assert alarm["TreatMissingData"] == "missing"
    assert tags_of(cloudwatch, alarm) == CPU["tags"]
    returned = result["alarm"]
    assert returned["alarm_arn"] == alarm["AlarmArn"]
    assert returned["state_value"] == alarm["StateValue"]
    assert returned["threshold"] == 80
    assert returned["tags"] == CPU["tags"]
    updated = alarm["AlarmConfigurationUpdatedTimestamp"]

    # The same alarm with dimensions and actions in another order, the threshold as a float.
    reordered = dict(
        CPU,
        dimensions={"ClusterName": "medtech-prod-cluster", "ServiceName": "api-gateway"},
        alarm_actions=[PAGER, TOPIC],
        threshold=80.0,
    )
    for args in (CPU, reordered):
        for check in (True, False):
            result = ok(run_module(args, check=check))
            assert result["changed"] is False, (check, result["diff"])
            assert result["diff"]["before"] == result["diff"]["after"]
    assert described(cloudwatch, CPU["alarm_name"])["AlarmConfigurationUpdatedTimestamp"] == updated


def test_metric_math_alarm_second_run_unchanged(run_module, cloudwatch):
    result = ok(run_module(MATH))
    assert result["changed"] is True
    alarm = described(cloudwatch, MATH["alarm_name"])
    assert [query["Id"] for query in alarm["Metrics"]] == ["rate", "errors", "requests"]
    errors = alarm["Metrics"][1]["MetricStat"]["Metric"]
    assert {d["Name"]: d["Value"] for d in errors["Dimensions"]} == {"TargetGroup": "targetgroup/api/1", "LoadBalancer": LB}
    assert [query.get("ReturnData") for query in alarm["Metrics"]] == [True, False, False]
    assert result["alarm"]["metrics"][0] == {
        "id": "rate", "expression": "100 * errors / requests", "label": "5xx rate (%)", "return_data": True,
    }
    updated = alarm["AlarmConfigurationUpdatedTimestamp"]

    # amazon.aws.cloudwatch_metric_alarm reports this as changed on every run.
    for check in (True, False):
        result = ok(run_module(MATH, check=check))
        assert result["changed"] is False, (check, result["diff"])
    assert described(cloudwatch, MATH["alarm_name"])["AlarmConfigurationUpdatedTimestamp"] == updated


def test_metric_math_drift_in_a_query_is_put_back(run_module, cloudwatch):
    ok(run_module(MATH))
    alarm = described(cloudwatch, MATH["alarm_name"])
    drifted = [dict(query) for query in alarm["Metrics"]]
    drifted[2] = dict(drifted[2], MetricStat=dict(drifted[2]["MetricStat"], Stat="Average"))
    cloudwatch.put_metric_alarm(
        AlarmName=MATH["alarm_name"], EvaluationPeriods=5, Threshold=5.0,
        ComparisonOperator="GreaterThanThreshold", AlarmActions=[TOPIC], Metrics=drifted,
    )

    result = ok(run_module(MATH))
    assert result["changed"] is True
    before = {query["id"]: query for query in result["diff"]["before"]["metrics"]}
    after = {query["id"]: query for query in result["diff"]["after"]["metrics"]}
    assert before["requests"]["metric_stat"]["stat"] == "Average"
    assert after["requests"]["metric_stat"]["stat"] == "Sum"
    assert described(cloudwatch, MATH["alarm_name"])["Metrics"][2]["MetricStat"]["Stat"] == "Sum"


def test_threshold_changed_behind_the_module_is_reported_and_put_back(run_module, cloudwatch):
    ok(run_module(CPU))
    alarm = described(cloudwatch, CPU["alarm_name"])
    request = {
        key: alarm[key]
        for key in (
            "AlarmName", "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions",
            "MetricName", "Namespace", "Statistic", "Dimensions", "Period", "EvaluationPeriods",
            "DatapointsToAlarm", "ComparisonOperator", "TreatMissingData",
        )
    }
    cloudwatch.put_metric_alarm(Threshold=95.0, **request)

    result = ok(run_module(CPU, check=True))
    assert result["changed"] is True
    assert described(cloudwatch, CPU["alarm_name"])["Threshold"] == 95.0  # check mode wrote nothing

    result = ok(run_module(CPU))
    assert result["changed"] is True
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert before["threshold"] == 95 and after["threshold"] == 80
    assert {k: v for k, v in before.items() if k != "threshold"} == {k: v for k, v in after.items() if k != "threshold"}
    assert described(cloudwatch, CPU["alarm_name"])["Threshold"] == 80.0
    assert ok(run_module(CPU))["changed"] is False


def test_tags_added_and_removed(run_module, cloudwatch):
    ok(run_module(CPU))
    new_tags = {"environment": "prod", "owner": "platform"}
    result = ok(run_module(dict(CPU, tags=new_tags), check=True))
    assert result["changed"] is True
    assert result["diff"]["after"]["tags"] == new_tags
    assert tags_of(cloudwatch, described(cloudwatch, CPU["alarm_name"])) == CPU["tags"]

    result = ok(run_module(dict(CPU, tags=new_tags)))
    assert result["changed"] is True
    assert result["alarm"]["tags"] == new_tags
    assert tags_of(cloudwatch, described(cloudwatch, CPU["alarm_name"])) == new_tags
    assert ok(run_module(dict(CPU, tags=new_tags)))["changed"] is False


def test_delete_check_mode_then_twice(run_module, cloudwatch):
    ok(run_module(MATH))
    absent = {"alarm_name": MATH["alarm_name"], "state": "absent"}

    result = ok(run_module(absent, check=True))
    assert result["changed"] is True
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["alarm_name"] == MATH["alarm_name"]
    assert described(cloudwatch, MATH["alarm_name"]) is not None

    result = ok(run_module(absent))
    assert result["changed"] is True
    assert result["alarm"] == {}
    assert described(cloudwatch, MATH["alarm_name"]) is None

    result = ok(run_module(absent))
    assert result["changed"] is False
