# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure functions for the monitoring role: settings validation, the alarms of DOC-2025-003 7.2,
the dashboards of 7.1 and the EventBridge pattern of the "ECS task failed" alarm.

Nothing here calls AWS. The role ``monitoring`` reaches these through the filters in
``plugins/filter/monitoring.py``: ``monitoring_errors`` runs before any AWS call; the others
build the definitions the role's modules converge, once the role has looked up the ARNs.

The alarms (key: what it watches):

* ``api_error_rate``: metric math on the ALB, ``100 * (HTTPCode_Target_5XX_Count +
  HTTPCode_ELB_5XX_Count) / RequestCount`` (percent, Sum over the period); a period without
  requests has no data point, which counts as not breaching.
* ``api_latency_p99``: ``TargetResponseTime`` p99 of the ALB; the threshold is given in
  milliseconds and sent in seconds (the metric's unit).
* ``rds_cpu``: ``CPUUtilization`` (percent, Average) of the instance.
* ``rds_connections``: ``DatabaseConnections`` (Maximum) of the instance; the threshold is given
  in percent of the database's ``max_connections`` - the figure the ecs role's capacity check
  uses (``ecs_settings.rds_max_connections``) - and sent as a number of connections.
* ``ecs_task_failed``: ``TriggeredRules`` (Sum) of the EventBridge rule that matches a task of
  one of the services stopping unexpectedly (see ``task_failed_event_pattern``).
"""

from __future__ import annotations

import re

from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_settings import rds_max_connections

ALARM_KEYS = ("api_error_rate", "api_latency_p99", "rds_cpu", "rds_connections", "ecs_task_failed")
# What the inventory sets per alarm; the metric and statistic are fixed by the alarm's key.
ALARM_FIELDS = ("threshold", "period", "evaluation_periods", "priority", "datapoints_to_alarm")
# What the names of topics, alarms and dashboards may hold (SNS topics and dashboards are the strictest).
NAME_PREFIX_RE = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
REGION_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
KMS_KEY_RE = re.compile(r"^(alias/[A-Za-z0-9/_-]+|arn:aws[a-z-]*:kms:.+|[0-9a-f-]{36}|mrk-[0-9a-f]{32})$")
# Thresholds in percent: 0 to 100.
PERCENT_ALARMS = ("api_error_rate", "rds_cpu", "rds_connections")
# CloudWatch's limit: period x evaluation periods of an alarm is at most one day.
MAX_EVALUATION_WINDOW = 86400
PRIORITY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Why ECS stopped a task, for the "ECS task failed" rule: the essential container exited or
# the task never started, or the scheduler replaced it after failed health checks. Deployments
# and scale-in stop tasks with ServiceSchedulerInitiated and a "Scaling activity ..." reason;
# Fargate Spot interruptions with SpotInterruption: neither matches.
TASK_FAILED_STOP_CODES = ["TaskFailedToStart", "EssentialContainerExited"]
TASK_FAILED_REASON_PREFIX = "Task failed"

_UNITS = {
    "api_error_rate": "percent of requests",
    "api_latency_p99": "milliseconds",
    "rds_cpu": "percent",
    "rds_connections": "percent of max_connections",
}


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def _whole(value):
    number = _number(value)
    if number is None or number != int(number):
        return None
    return int(number)


def period_error(name, period):
    """The message for a period CloudWatch does not accept, or None.

    :param name: the variable's name for the message, e.g. ``monitoring_alarms.rds_cpu.period``.
    :param period: seconds; CloudWatch accepts 10, 30 and any multiple of 60.
    """
    value = _whole(period)
    if value is None or value <= 0 or (value not in (10, 30) and value % 60 != 0):
        return (f"{name}={period!r} is not a period CloudWatch accepts: use 10, 30 or a multiple of 60 "
                "seconds (e.g. 300 for 5 minutes).")
    return None


def _alarm_errors(key, alarm, priorities, database_max_connections):
    name = f"monitoring_alarms.{key}"
    fields = ALARM_FIELDS if key != "ecs_task_failed" else tuple(f for f in ALARM_FIELDS if f != "threshold")
    if not isinstance(alarm, dict):
        return [f"{name} must be a dict with {', '.join(fields)}."]
    errors = []
    unknown = sorted(str(field) for field in alarm if field not in fields)
    if unknown:
        errors.append(f"{name} has unknown fields {', '.join(unknown)}: its fields are {', '.join(fields)} "
                      "(the metric and statistic are the role's, see roles/monitoring/README.md).")
    missing = [field for field in fields if field != "datapoints_to_alarm" and alarm.get(field) is None]
    if missing:
        errors.append(f"{name} lacks {', '.join(missing)}: give each alarm {', '.join(fields[:-1])} "
                      "(and optionally datapoints_to_alarm).")
    priority = alarm.get("priority")
    if priority is not None and priority not in priorities:
        errors.append(
            f"{name}.priority={priority!r} has no topic: monitoring_pagerduty_priorities are "
            f"{', '.join(map(str, priorities)) or 'empty'}; use one of them or add the priority there."
        )
    if key != "ecs_task_failed" and alarm.get("threshold") is not None:
        threshold = _number(alarm.get("threshold"))
        if threshold is None:
            errors.append(f"{name}.threshold={alarm.get('threshold')!r} must be a number ({_UNITS[key]}).")
        elif key in PERCENT_ALARMS and not 0 <= threshold <= 100:
            errors.append(f"{name}.threshold={alarm.get('threshold')!r} is a percentage: it must be from 0 to 100.")
        elif key not in PERCENT_ALARMS and threshold <= 0:
            errors.append(f"{name}.threshold={alarm.get('threshold')!r} must be greater than 0 ({_UNITS[key]}).")
    period_message = period_error(f"{name}.period", alarm.get("period")) if alarm.get("period") is not None else None
    if period_message:
        errors.append(period_message)
    evaluation_periods = _whole(alarm.get("evaluation_periods", 1))
    if alarm.get("evaluation_periods") is None:
        evaluation_periods = None
    elif evaluation_periods is None or evaluation_periods < 1:
        errors.append(f"{name}.evaluation_periods={alarm.get('evaluation_periods')!r} must be a whole number >= 1.")
    elif not period_message and alarm.get("period") is not None \
            and _whole(alarm.get("period")) * evaluation_periods > MAX_EVALUATION_WINDOW:
        errors.append(
            f"{name}: period x evaluation_periods = {_whole(alarm.get('period')) * evaluation_periods} s is longer "
            f"than one day ({MAX_EVALUATION_WINDOW} s), CloudWatch's limit for an alarm: shorten the period or "
            "evaluate fewer periods."
        )
    if "datapoints_to_alarm" in alarm and evaluation_periods:
        datapoints = _whole(alarm.get("datapoints_to_alarm"))
        if datapoints is None or not 1 <= datapoints <= evaluation_periods:
            errors.append(f"{name}.datapoints_to_alarm={alarm.get('datapoints_to_alarm')!r} must be from 1 to "
                          f"evaluation_periods ({evaluation_periods}).")
    if key == "rds_connections" and database_max_connections is None and alarm.get("threshold") is not None:
        errors.append(
            f"{name}: the database's max_connections is unknown for this instance class: set "
            "monitoring_database_max_connections (the figure of SHOW max_connections)."
        )
    return errors


def monitoring_errors(settings):
    """Every problem in the monitoring settings, before any AWS call.

    :param settings: dict with ``alarms`` (dict alarm key -> {threshold, period (seconds),
        evaluation_periods, datapoints_to_alarm (optional), priority}), ``priorities`` (list of
        PagerDuty priorities that get a topic), ``services`` (list of service names),
        ``database_instance_class`` (str) and ``database_max_connections`` (int, 0 = derive);
        optionally ``name_prefix``, ``region``, ``kms_key_alias`` and ``pagerduty_secret_name``,
        checked when given.
    :returns: list of messages, each naming the variable and the fix; empty when valid.
    """
    errors = _name_errors(settings)
    priorities = settings.get("priorities")
    if not isinstance(priorities, list) or not priorities:
        errors.append("monitoring_pagerduty_priorities must be a non-empty list, e.g. [P1, P2, P3].")
        priorities = None
    else:
        bad = [p for p in priorities if not isinstance(p, str) or not PRIORITY_RE.match(p)]
        if bad:
            errors.append(f"monitoring_pagerduty_priorities: {bad!r} are not names of letters, digits, - and _ "
                          "(they name the topics).")
        if len(set(map(str, priorities))) != len(priorities):
            errors.append("monitoring_pagerduty_priorities lists a priority twice.")
    max_connections_given = _whole(settings.get("database_max_connections", 0))
    if max_connections_given is None or max_connections_given < 0:
        errors.append(f"monitoring_database_max_connections={settings.get('database_max_connections')!r} must be a "
                      "whole number >= 0 (the figure of SHOW max_connections; 0 derives it from the instance class).")
    services = settings.get("services")
    if not isinstance(services, list) or not services or not all(isinstance(s, str) and s for s in services):
        errors.append("monitoring_services must be the list of the ECS services' names (ecs_services).")
    alarms = settings.get("alarms")
    if not isinstance(alarms, dict):
        return errors + [f"monitoring_alarms must be a dict with the keys {', '.join(ALARM_KEYS)}."]
    missing = [key for key in ALARM_KEYS if key not in alarms]
    unknown = sorted(str(key) for key in alarms if key not in ALARM_KEYS)
    if missing:
        errors.append(f"monitoring_alarms lacks {', '.join(missing)}: DOC 7.2 has five alarms; give each its "
                      "threshold, period, evaluation_periods and priority.")
    if unknown:
        errors.append(f"monitoring_alarms has unknown alarms {', '.join(unknown)}: the keys are {', '.join(ALARM_KEYS)}.")
    max_connections = None
    if max_connections_given is not None and max_connections_given >= 0:
        max_connections = rds_max_connections(settings.get("database_instance_class"), max_connections_given)
    for key in ALARM_KEYS:
        if key in alarms:
            alarm = alarms[key]
            # Without a valid priority list only that list's own error is reported, not one per alarm.
            known = priorities if priorities is not None else [alarm.get("priority") if isinstance(alarm, dict) else None]
            errors.extend(_alarm_errors(key, alarm, known, max_connections))
    return errors


def _name_errors(settings):
    """The names the role builds from: prefix, region, KMS key, secret; only those given are checked."""
    errors = []
    if "name_prefix" in settings and not NAME_PREFIX_RE.match(str(settings["name_prefix"] or "")):
        errors.append(f"monitoring_name_prefix={settings['name_prefix']!r} may hold only letters, digits, - and _ "
                      "(it starts the names of the topics, alarms and dashboards), e.g. medtech-prod.")
    if "region" in settings and not REGION_RE.match(str(settings["region"] or "")):
        errors.append(f"monitoring_region={settings['region']!r} is not an AWS region code: set aws_region, "
                      "e.g. eu-central-1.")
    if "kms_key_alias" in settings and not KMS_KEY_RE.match(str(settings["kms_key_alias"] or "")):
        errors.append(f"monitoring_kms_key_alias={settings['kms_key_alias']!r} is not a KMS key alias "
                      "(alias/<name>, e.g. alias/medtech-prod-platform), key ID or key ARN.")
    if "pagerduty_secret_name" in settings and not str(settings["pagerduty_secret_name"] or "").strip():
        errors.append("monitoring_pagerduty_secret_name is empty: name the secret with the PagerDuty integration "
                      "keys, e.g. prod/monitoring/pagerduty.")
    return errors


def arn_suffix(arn, marker):
    """The part of an ELB ARN CloudWatch uses as a dimension value.

    ``arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/medtech-prod-alb/50dc6c495c0c9188``
    with marker ``loadbalancer/`` -> ``app/medtech-prod-alb/50dc6c495c0c9188``; a target group ARN with
    marker ``:`` taken from its last ``:`` -> ``targetgroup/prod-api-gateway-blue/943f017f100becff``.
    """
    if not arn:
        return ""
    if marker == ":":
        return arn.rsplit(":", 1)[-1]
    return arn.split(marker, 1)[-1]


def database_threshold(settings, percent):
    """The connection count that is ``percent`` of the database's max_connections, rounded down.

    :returns: int, or None when max_connections is unknown.
    """
    max_connections = rds_max_connections(settings.get("database_instance_class"),
                                          settings.get("database_max_connections"))
    if max_connections is None:
        return None
    return int(max_connections * float(percent) // 100)


def task_failed_event_pattern(settings):
    """The EventBridge pattern of the "ECS task failed" alarm's rule.

    :param settings: dict with ``cluster_arn`` and ``services`` (names).
    :returns: dict: a task of one of the services in the cluster reached STOPPED because its essential
        container exited, it failed to start, or it failed its health checks.
    """
    return {
        "source": ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        "detail": {
            "clusterArn": [settings["cluster_arn"]],
            "group": [f"service:{name}" for name in settings["services"]],
            "lastStatus": ["STOPPED"],
            "$or": [
                {"stopCode": list(TASK_FAILED_STOP_CODES)},
                {"stoppedReason": [{"prefix": TASK_FAILED_REASON_PREFIX}]},
            ],
        },
    }


def _alarm(settings, key, description, **definition):
    alarm = settings["alarms"][key]
    topic = settings["topics"][alarm["priority"]]
    evaluation_periods = int(_whole(alarm.get("evaluation_periods", 1)))
    result = {
        "alarm_name": f"{settings['name_prefix']}-{key.replace('_', '-')}",
        "alarm_description": f"DOC-2025-003 7.2: {description} -> PagerDuty {alarm['priority']}",
        "actions_enabled": True,
        "alarm_actions": [topic],
        "ok_actions": [topic],
        "insufficient_data_actions": [],
        "evaluation_periods": evaluation_periods,
        "datapoints_to_alarm": int(_whole(alarm.get("datapoints_to_alarm", evaluation_periods))),
        "treat_missing_data": "notBreaching",
    }
    result.update(definition)
    return {"key": key, "priority": alarm["priority"], "definition": result}


def alarm_definitions(settings):
    """The five alarms of DOC-2025-003 7.2 as arguments of ``medtech.aws_platform.cloudwatch_metric_alarm``.

    :param settings: the dict of ``monitoring_errors`` (valid) plus ``name_prefix``, ``topics``
        (priority -> SNS topic ARN), ``load_balancer_arn`` (the ALB),
        ``db_instance_identifier`` and ``event_rule_name``.
    :returns: list of ``{key, priority, definition}``; each definition has alarm and OK actions on the
        priority's topic and treats missing data as not breaching (no requests, no tasks stopping).
    """
    alarms = settings["alarms"]
    lb = {"LoadBalancer": arn_suffix(settings["load_balancer_arn"], "loadbalancer/")}
    db = {"DBInstanceIdentifier": settings["db_instance_identifier"]}

    def period(key):
        return int(_whole(alarms[key]["period"]))

    def elb_metric(query_id, metric_name, key):
        return {
            "id": query_id,
            "return_data": False,
            "metric_stat": {
                "metric": {"namespace": "AWS/ApplicationELB", "metric_name": metric_name, "dimensions": lb},
                "period": period(key),
                "stat": "Sum",
            },
        }

    error_rate = alarms["api_error_rate"]
    latency = alarms["api_latency_p99"]
    cpu = alarms["rds_cpu"]
    connections = alarms["rds_connections"]
    return [
        _alarm(
            settings, "api_error_rate",
            f"API error rate > {error_rate['threshold']} % (5xx of target and load balancer over requests)",
            metrics=[
                elb_metric("target_5xx", "HTTPCode_Target_5XX_Count", "api_error_rate"),
                elb_metric("elb_5xx", "HTTPCode_ELB_5XX_Count", "api_error_rate"),
                elb_metric("requests", "RequestCount", "api_error_rate"),
                {
                    "id": "error_rate",
                    "expression": "100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / requests",
                    "label": "API error rate (percent)",
                    "return_data": True,
                },
            ],
            threshold=float(error_rate["threshold"]),
            comparison_operator="GreaterThanThreshold",
        ),
        _alarm(
            settings, "api_latency_p99", f"API latency p99 > {latency['threshold']} ms",
            namespace="AWS/ApplicationELB", metric_name="TargetResponseTime", dimensions=lb,
            extended_statistic="p99", period=period("api_latency_p99"),
            threshold=float(latency["threshold"]) / 1000.0, unit="Seconds",
            comparison_operator="GreaterThanThreshold",
        ),
        _alarm(
            settings, "rds_cpu", f"RDS CPU > {cpu['threshold']} %",
            namespace="AWS/RDS", metric_name="CPUUtilization", dimensions=db, statistic="Average",
            period=period("rds_cpu"), threshold=float(cpu["threshold"]), unit="Percent",
            comparison_operator="GreaterThanThreshold",
        ),
        _alarm(
            settings, "rds_connections",
            f"RDS connections > {connections['threshold']} % of max_connections "
            f"{rds_max_connections(settings.get('database_instance_class'), settings.get('database_max_connections'))}",
            namespace="AWS/RDS", metric_name="DatabaseConnections", dimensions=db, statistic="Maximum",
            period=period("rds_connections"),
            threshold=float(database_threshold(settings, connections["threshold"])),
            unit="Count", comparison_operator="GreaterThanThreshold",
        ),
        _alarm(
            settings, "ecs_task_failed",
            "ECS task failed (a task of a service stopped: essential container exited, failed to start or failed "
            "its health checks)",
            namespace="AWS/Events", metric_name="TriggeredRules",
            dimensions={"RuleName": settings["event_rule_name"]}, statistic="Sum",
            period=period("ecs_task_failed"), threshold=1.0,
            comparison_operator="GreaterThanOrEqualToThreshold",
        ),
    ]


def _widget(x, y, title, metrics, stat="Sum", period=300, width=12, height=6, annotations=None, **properties):
    body = {
        "type": "metric",
        "x": x,
        "y": y,
        "width": width,
        "height": height,
        "properties": dict({
            "title": title,
            "region": None,  # set by dashboard_bodies
            "view": "timeSeries",
            "stacked": False,
            "stat": stat,
            "period": period,
            "metrics": metrics,
        }, **properties),
    }
    if annotations:
        body["properties"]["annotations"] = annotations
    return body


def _header(y, text):
    return {"type": "text", "x": 0, "y": y, "width": 24, "height": 1, "properties": {"markdown": text}}


def dashboard_bodies(settings):
    """The three dashboards of DOC-2025-003 7.1 as CloudWatch dashboard bodies.

    :param settings: the alarm settings (see ``alarm_definitions``) plus ``region``, ``cluster_name``,
        ``target_groups`` (service -> list of its target group ARNs, blue and green).
    :returns: list of ``{name, title, body}``: Production Overview (CPU and memory per service,
        requests per service), API Metrics (latency p50/p90/p99, error rate, 4xx/5xx), RDS Health
        (connections against the alarm line, CPU, free storage).
    """
    region = settings["region"]
    prefix = settings["name_prefix"]
    lb = arn_suffix(settings["load_balancer_arn"], "loadbalancer/")
    db = settings["db_instance_identifier"]
    cluster = settings["cluster_name"]
    services = settings["services"]
    target_groups = settings.get("target_groups") or {}
    connections_line = database_threshold(settings, settings["alarms"]["rds_connections"]["threshold"])

    cpu = [["AWS/ECS", "CPUUtilization", "ClusterName", cluster, "ServiceName", name, {"label": name}]
           for name in services]
    memory = [["AWS/ECS", "MemoryUtilization", "ClusterName", cluster, "ServiceName", name, {"label": name}]
              for name in services]
    requests = []
    for index, name in enumerate(services):
        ids = []
        for colour_index, target_group_arn in enumerate(target_groups.get(name, [])):
            target_group = arn_suffix(target_group_arn, ":")
            query_id = f"r{index}_{colour_index}"
            ids.append(query_id)
            requests.append(["AWS/ApplicationELB", "RequestCount", "TargetGroup", target_group, "LoadBalancer", lb,
                             {"id": query_id, "visible": False}])
        if ids:
            requests.append([{"expression": " + ".join(f"FILL({i}, 0)" for i in ids), "label": name,
                              "id": f"service{index}"}])
    overview = [
        _header(0, f"# Production Overview ({prefix})\nCPU and memory per ECS service (percent), requests per "
                   "service (sum of its blue and green target groups, per 5 minutes)."),
        _widget(0, 1, "ECS CPU utilization per service (%)", cpu, stat="Average", period=60),
        _widget(12, 1, "ECS memory utilization per service (%)", memory, stat="Average", period=60),
        _widget(0, 7, "Requests per service", requests, width=24),
    ]

    def elb(metric, label, **options):
        return ["AWS/ApplicationELB", metric, "LoadBalancer", lb, dict({"label": label}, **options)]

    api = [
        _header(0, f"# API Metrics ({prefix})\nLatency of the targets (seconds), error rate (percent of requests: "
                   "5xx of targets and load balancer), 4xx and 5xx counts."),
        _widget(0, 1, "API latency (s)", [
            elb("TargetResponseTime", "p50", stat="p50"),
            elb("TargetResponseTime", "p90", stat="p90"),
            elb("TargetResponseTime", "p99", stat="p99"),
        ], stat="p99", annotations={"horizontal": [{
            "label": "p99 alarm", "value": float(settings["alarms"]["api_latency_p99"]["threshold"]) / 1000.0}]}),
        _widget(12, 1, "API error rate (%)", [
            elb("HTTPCode_Target_5XX_Count", "target 5xx", id="t5", visible=False),
            elb("HTTPCode_ELB_5XX_Count", "load balancer 5xx", id="e5", visible=False),
            elb("RequestCount", "requests", id="rq", visible=False),
            [{"expression": "100 * (FILL(t5, 0) + FILL(e5, 0)) / rq", "label": "error rate", "id": "rate"}],
        ], annotations={"horizontal": [{
            "label": "error rate alarm", "value": float(settings["alarms"]["api_error_rate"]["threshold"])}]}),
        _widget(0, 7, "4xx and 5xx responses", [
            elb("HTTPCode_Target_4XX_Count", "target 4xx"),
            elb("HTTPCode_Target_5XX_Count", "target 5xx"),
            elb("HTTPCode_ELB_4XX_Count", "load balancer 4xx"),
            elb("HTTPCode_ELB_5XX_Count", "load balancer 5xx"),
        ], width=24),
    ]

    def rds(metric, label):
        return ["AWS/RDS", metric, "DBInstanceIdentifier", db, {"label": label}]

    rds_health = [
        _header(0, f"# RDS Health ({prefix})\nConnections against the alarm line "
                   f"({settings['alarms']['rds_connections']['threshold']} % of max_connections), CPU (percent), "
                   "free storage (bytes)."),
        _widget(0, 1, "Database connections", [rds("DatabaseConnections", "connections")], stat="Maximum",
                annotations={"horizontal": [{"label": "alarm line", "value": connections_line}]}),
        _widget(12, 1, "Database CPU (%)", [rds("CPUUtilization", "CPU")], stat="Average",
                annotations={"horizontal": [{
                    "label": "alarm line", "value": float(settings["alarms"]["rds_cpu"]["threshold"])}]}),
        _widget(0, 7, "Free storage (bytes)", [rds("FreeStorageSpace", "free storage")], stat="Minimum", width=24),
    ]
    dashboards = [
        {"name": f"{prefix}-production-overview", "title": "Production Overview", "widgets": overview},
        {"name": f"{prefix}-api-metrics", "title": "API Metrics", "widgets": api},
        {"name": f"{prefix}-rds-health", "title": "RDS Health", "widgets": rds_health},
    ]
    result = []
    for dashboard in dashboards:
        for widget in dashboard["widgets"]:
            if widget["type"] == "metric":
                widget["properties"]["region"] = region
        result.append({"name": dashboard["name"], "title": dashboard["title"],
                       "body": {"widgets": dashboard["widgets"]}})
    return result
