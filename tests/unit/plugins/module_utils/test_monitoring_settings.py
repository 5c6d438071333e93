"""Unit tests for plugins/module_utils/monitoring.py: the monitoring role's validation, alarms,
dashboards and the "ECS task failed" event pattern."""

import copy
import json

import pytest
import yaml

from ansible_collections.medtech.aws_platform.plugins.module_utils import monitoring

from conftest import REPO_ROOT

PLATFORM = yaml.safe_load((REPO_ROOT / "inventories/production/group_vars/all/platform.yml").read_text())
ROLE_DEFAULTS = yaml.safe_load((REPO_ROOT / "roles/monitoring/defaults/main.yml").read_text())
ALB = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/medtech-prod-alb/50dc6c495c0c9188"
TG = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/prod-{}-{}/943f017f100becff"
TOPIC = "arn:aws:sns:eu-central-1:123456789012:medtech-prod-pagerduty-{}"


def doc_settings():
    """The settings of DOC-2025-003 7 as the production inventory holds them, resolved as the role does."""
    services = [service["name"] for service in PLATFORM["ecs_services"]]
    return {
        "alarms": copy.deepcopy(PLATFORM["monitoring_alarms"]),
        "priorities": ["P1", "P2", "P3"],
        "services": services,
        "database_instance_class": PLATFORM["rds_instance_class"],
        "database_max_connections": 0,
        "name_prefix": "medtech-prod",
        "region": "eu-central-1",
        "cluster_name": "medtech-prod-cluster",
        "db_instance_identifier": "medtech-prod-db",
        "event_rule_name": "medtech-prod-ecs-task-failed",
        "topics": {p: TOPIC.format(p.lower()) for p in ("P1", "P2", "P3")},
        "load_balancer_arn": ALB,
        "target_groups": {name: [TG.format(name, "blue"), TG.format(name, "green")] for name in services},
    }


def alarms_by_key(settings):
    return {alarm["key"]: alarm for alarm in monitoring.alarm_definitions(settings)}


def test_the_inventory_and_the_role_defaults_hold_the_same_document_table():
    assert PLATFORM["monitoring_alarms"] == ROLE_DEFAULTS["monitoring_alarms"]


def test_the_document_settings_are_valid():
    assert monitoring.monitoring_errors(doc_settings()) == []


@pytest.mark.parametrize("key, field, value, expected", [
    ("api_error_rate", "priority", "P4", "monitoring_alarms.api_error_rate.priority='P4' has no topic"),
    ("rds_cpu", "threshold", 101, "monitoring_alarms.rds_cpu.threshold=101 is a percentage: it must be from 0 to 100"),
    ("rds_connections", "threshold", -1, "monitoring_alarms.rds_connections.threshold=-1 is a percentage"),
    ("api_error_rate", "threshold", "lots", "monitoring_alarms.api_error_rate.threshold='lots' must be a number"),
    ("api_latency_p99", "threshold", 0, "monitoring_alarms.api_latency_p99.threshold=0 must be greater than 0"),
    ("rds_cpu", "period", 90, "monitoring_alarms.rds_cpu.period=90 is not a period CloudWatch accepts"),
    ("ecs_task_failed", "period", 45, "monitoring_alarms.ecs_task_failed.period=45 is not a period"),
    ("rds_cpu", "period", 0, "monitoring_alarms.rds_cpu.period=0 is not a period"),
    ("rds_cpu", "evaluation_periods", 0, "monitoring_alarms.rds_cpu.evaluation_periods=0 must be a whole number >= 1"),
    ("rds_cpu", "evaluation_periods", 289, "period x evaluation_periods = 86700 s is longer than one day"),
    ("rds_cpu", "datapoints_to_alarm", 4, "monitoring_alarms.rds_cpu.datapoints_to_alarm=4 must be from 1 to"),
    ("rds_cpu", "statistic", "Maximum", "monitoring_alarms.rds_cpu has unknown fields statistic"),
    ("ecs_task_failed", "threshold", 5, "monitoring_alarms.ecs_task_failed has unknown fields threshold"),
    ("rds_cpu", "priority", None, "monitoring_alarms.rds_cpu lacks priority"),
])
def test_a_bad_alarm_setting_is_named_with_its_fix(key, field, value, expected):
    settings = doc_settings()
    settings["alarms"][key][field] = value
    errors = monitoring.monitoring_errors(settings)
    assert len(errors) == 1 and expected in errors[0], errors


@pytest.mark.parametrize("key, field, value", [
    ("rds_cpu", "threshold", 0), ("rds_cpu", "threshold", 100), ("api_error_rate", "threshold", 0.5),
    ("rds_cpu", "period", 10), ("rds_cpu", "period", 30), ("rds_cpu", "period", 3600),
    ("rds_cpu", "evaluation_periods", 288),  # 300 s x 288 = exactly one day
    ("rds_cpu", "datapoints_to_alarm", 2),
])
def test_the_limits_themselves_are_accepted(key, field, value):
    settings = doc_settings()
    settings["alarms"][key][field] = value
    assert monitoring.monitoring_errors(settings) == []


def test_missing_and_unknown_alarms_are_named():
    settings = doc_settings()
    del settings["alarms"]["rds_cpu"]
    settings["alarms"]["disk_full"] = {"threshold": 90, "period": 60, "evaluation_periods": 1, "priority": "P3"}
    errors = monitoring.monitoring_errors(settings)
    assert any("monitoring_alarms lacks rds_cpu" in e for e in errors)
    assert any("unknown alarms disk_full" in e for e in errors)


def test_unknown_instance_class_without_max_connections_is_an_error_and_a_given_figure_fixes_it():
    settings = doc_settings()
    settings["database_instance_class"] = "db.x99.huge"
    assert any("set monitoring_database_max_connections" in e for e in monitoring.monitoring_errors(settings))
    settings["database_max_connections"] = 500
    assert monitoring.monitoring_errors(settings) == []


def test_priorities_must_be_a_list_of_names():
    settings = doc_settings()
    settings["priorities"] = []
    assert any("monitoring_pagerduty_priorities must be a non-empty list" in e
               for e in monitoring.monitoring_errors(settings))
    settings["priorities"] = ["P1", "P1", "P2", "P3"]
    assert any("twice" in e for e in monitoring.monitoring_errors(settings))


def test_the_five_alarms_have_the_document_values_and_alarm_and_ok_actions():
    alarms = alarms_by_key(doc_settings())
    assert list(alarms) == list(monitoring.ALARM_KEYS)
    expected = {  # key: (priority, threshold in the metric's unit, period x evaluation periods in seconds)
        "api_error_rate": ("P2", 1.0, 300),
        "api_latency_p99": ("P3", 0.5, 300),
        "rds_cpu": ("P3", 80.0, 900),
        "rds_connections": ("P2", 1441.0, 300),
        "ecs_task_failed": ("P1", 1.0, 60),
    }
    for key, (priority, threshold, window) in expected.items():
        definition = alarms[key]["definition"]
        period = definition.get("period") or definition["metrics"][0]["metric_stat"]["period"]
        assert alarms[key]["priority"] == priority
        assert definition["alarm_name"] == "medtech-prod-" + key.replace("_", "-")
        assert definition["threshold"] == threshold
        assert period * definition["evaluation_periods"] == window
        assert definition["datapoints_to_alarm"] == definition["evaluation_periods"]
        assert definition["alarm_actions"] == definition["ok_actions"] == [TOPIC.format(priority.lower())]
        assert definition["treat_missing_data"] == "notBreaching"


def test_the_error_rate_is_metric_math_on_the_alb_in_percent():
    definition = alarms_by_key(doc_settings())["api_error_rate"]["definition"]
    assert "metric_name" not in definition and "statistic" not in definition
    stats = {q["id"]: q["metric_stat"] for q in definition["metrics"] if "metric_stat" in q}
    assert {s["metric"]["metric_name"] for s in stats.values()} == {
        "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count", "RequestCount"}
    assert {s["stat"] for s in stats.values()} == {"Sum"}
    assert {s["metric"]["dimensions"]["LoadBalancer"] for s in stats.values()} == {"app/medtech-prod-alb/50dc6c495c0c9188"}
    returned = [q for q in definition["metrics"] if q.get("return_data")]
    assert len(returned) == 1
    assert returned[0]["expression"] == "100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / requests"


def test_the_connections_threshold_follows_max_connections_of_the_capacity_check():
    settings = doc_settings()
    assert alarms_by_key(settings)["rds_connections"]["definition"]["threshold"] == 1441.0  # 80 % of 1802
    settings["database_instance_class"] = "db.r6g.xlarge"  # 32 GiB: 3604
    assert alarms_by_key(settings)["rds_connections"]["definition"]["threshold"] == 2883.0
    settings["database_max_connections"] = 1000
    assert alarms_by_key(settings)["rds_connections"]["definition"]["threshold"] == 800.0


def test_the_latency_threshold_is_given_in_ms_and_sent_in_seconds():
    definition = alarms_by_key(doc_settings())["api_latency_p99"]["definition"]
    assert (definition["metric_name"], definition["extended_statistic"], definition["unit"]) == (
        "TargetResponseTime", "p99", "Seconds")
    assert "statistic" not in definition


def test_the_task_failed_alarm_counts_the_rule():
    definition = alarms_by_key(doc_settings())["ecs_task_failed"]["definition"]
    assert (definition["namespace"], definition["metric_name"], definition["statistic"]) == (
        "AWS/Events", "TriggeredRules", "Sum")
    assert definition["dimensions"] == {"RuleName": "medtech-prod-ecs-task-failed"}
    assert definition["comparison_operator"] == "GreaterThanOrEqualToThreshold"


def test_the_task_failed_pattern_matches_failures_of_the_services_only():
    pattern = monitoring.task_failed_event_pattern(
        {"cluster_arn": "arn:aws:ecs:eu-central-1:123456789012:cluster/medtech-prod-cluster",
         "services": ["api-gateway", "billing-service"]})
    detail = pattern["detail"]
    assert pattern["detail-type"] == ["ECS Task State Change"]
    assert detail["group"] == ["service:api-gateway", "service:billing-service"]
    assert detail["lastStatus"] == ["STOPPED"]
    codes = detail["$or"][0]["stopCode"]
    assert "EssentialContainerExited" in codes and "TaskFailedToStart" in codes
    # deployments, scale-in and Spot interruptions are not failures
    assert "ServiceSchedulerInitiated" not in codes and "SpotInterruption" not in codes
    assert detail["$or"][1] == {"stoppedReason": [{"prefix": "Task failed"}]}


def test_the_three_dashboards():
    dashboards = monitoring.dashboard_bodies(doc_settings())
    assert [(d["name"], d["title"]) for d in dashboards] == [
        ("medtech-prod-production-overview", "Production Overview"),
        ("medtech-prod-api-metrics", "API Metrics"),
        ("medtech-prod-rds-health", "RDS Health")]
    text = [json.dumps(d["body"]) for d in dashboards]
    for name in ("api-gateway", "patient-service", "billing-service"):
        assert text[0].count(f'"ServiceName", "{name}"') == 2  # CPU and memory
    requests = dashboards[0]["body"]["widgets"][3]["properties"]["metrics"]
    # CloudWatch's dimension values: targetgroup/<name>/<id> and app/<name>/<id>, never the ARN
    assert [line[3] for line in requests if len(line) > 1][:2] == [
        "targetgroup/prod-api-gateway-blue/943f017f100becff", "targetgroup/prod-api-gateway-green/943f017f100becff"]
    assert {line[5] for line in requests if len(line) > 1} == {"app/medtech-prod-alb/50dc6c495c0c9188"}
    assert [line[0]["label"] for line in requests if len(line) == 1] == ["api-gateway", "patient-service", "billing-service"]
    for stat in ("p50", "p90", "p99"):
        assert f'"stat": "{stat}"' in text[1]
    for metric in ("HTTPCode_Target_4XX_Count", "HTTPCode_ELB_4XX_Count", "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"):
        assert metric in text[1]
    connections = dashboards[2]["body"]["widgets"][1]["properties"]
    assert connections["metrics"][0][:4] == ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", "medtech-prod-db"]
    assert connections["annotations"]["horizontal"][0]["value"] == 1441
    for dashboard in dashboards:
        for widget in dashboard["body"]["widgets"]:
            if widget["type"] == "metric":
                assert widget["properties"]["region"] == "eu-central-1"


def test_arn_suffix():
    assert monitoring.arn_suffix(ALB, "loadbalancer/") == "app/medtech-prod-alb/50dc6c495c0c9188"
    assert monitoring.arn_suffix(TG.format("api-gateway", "blue"), ":") == "targetgroup/prod-api-gateway-blue/943f017f100becff"
    assert monitoring.arn_suffix("", ":") == ""


@pytest.mark.parametrize("field, value, expected", [
    ("database_max_connections", -1, "monitoring_database_max_connections=-1 must be a whole number >= 0"),
    ("name_prefix", "Medtech Prod!", "monitoring_name_prefix='Medtech Prod!' may hold only letters, digits, - and _"),
    ("region", "eu-centrl", "monitoring_region='eu-centrl' is not an AWS region code"),
    ("kms_key_alias", "platform", "monitoring_kms_key_alias='platform' is not a KMS key alias"),
    ("pagerduty_secret_name", "", "monitoring_pagerduty_secret_name is empty"),
    ("priorities", [1, "P2", "P3"], "monitoring_pagerduty_priorities: [1] are not names"),
])
def test_a_bad_name_or_figure_is_named_with_its_fix(field, value, expected):
    settings = dict(doc_settings(), kms_key_alias="alias/medtech-prod-platform",
                    pagerduty_secret_name="prod/monitoring/pagerduty")
    assert monitoring.monitoring_errors(settings) == []
    settings[field] = value
    errors = monitoring.monitoring_errors(settings)
    assert any(expected in e for e in errors), errors


def test_a_typo_in_a_field_names_the_typo_and_the_missing_field():
    settings = doc_settings()
    settings["alarms"]["rds_cpu"]["treshold"] = settings["alarms"]["rds_cpu"].pop("threshold")
    errors = monitoring.monitoring_errors(settings)
    assert any("unknown fields treshold" in e for e in errors)
    assert any("monitoring_alarms.rds_cpu lacks threshold" in e for e in errors)


def test_an_invalid_priority_list_is_reported_once_not_per_alarm():
    settings = doc_settings()
    settings["priorities"] = "P1"
    errors = monitoring.monitoring_errors(settings)
    assert errors == ["monitoring_pagerduty_priorities must be a non-empty list, e.g. [P1, P2, P3]."]
