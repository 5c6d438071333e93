# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters for the dr role's failover runbook and DR drill: what Route 53's checkers say, when
AWS failed the database over by itself, and the seconds between two UTC timestamps."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ansible.errors import AnsibleFilterError

# Route 53 "considers an endpoint healthy if more than 18% of health checkers report that it is
# healthy" (Route 53 Developer Guide, "How Amazon Route 53 determines whether a health check is
# healthy").
HEALTHY_SHARE = 0.18
# RDS event messages of a Multi-AZ failover (RDS User Guide, "Amazon RDS event categories and
# event messages", category failover: RDS-EVENT-0013 started, RDS-EVENT-0015 / -0049 completed).
FAILOVER_STARTED = re.compile(r"failover started|failover .*has started", re.IGNORECASE)
FAILOVER_COMPLETED = re.compile(r"failover (to standby )?complete", re.IGNORECASE)


def _status_of(observation):
    report = observation.get("status_report") or observation.get("StatusReport") or {}
    return str(report.get("status") or report.get("Status") or "")


def health_check_verdict(observations):
    """Route 53's verdict from GetHealthCheckStatus's observations (route53_info, snake_case).

    :param observations: list of dicts ``{region, ip_address, status_report: {status, checked_time}}``;
        ``status`` starts with ``Success`` or ``Failure`` as Route 53 formats it.
    :returns: ``healthy`` when more than 18 % of the checkers report success, ``unhealthy`` when
        checkers report and no more than 18 % succeed, ``unknown`` when there is no observation.
    :raises AnsibleFilterError: when the input is not a list.
    """
    if not isinstance(observations, list):
        raise AnsibleFilterError("health_check_verdict expects the list health_check_observations of route53_info")
    if not observations:
        return "unknown"
    healthy = sum(1 for observation in observations if _status_of(observation).startswith("Success"))
    return "healthy" if healthy / len(observations) > HEALTHY_SHARE else "unhealthy"


def _parse(value, what):
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as error:
            raise AnsibleFilterError(f"{what}: '{value}' is not an ISO 8601 timestamp") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _utc_text(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_timestamp_problem(text, now=None):
    """What is wrong with ``text`` as a past UTC timestamp ``YYYY-MM-DDTHH:MM:SSZ``.

    :param text: the timestamp (e.g. the runbook's ``incident_started``).
    :param now: the present (ISO 8601); the machine's clock when omitted.
    :returns: ``""`` when it is a real date and time not after ``now``, else the problem in words.
    """
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(text)):
        return "is not UTC ISO 8601 like 2026-12-01T03:14:00Z"
    try:
        moment = datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError as error:
        return f"is not a real date and time ({error})"
    present = _parse(now, "utc_timestamp_problem") if now else datetime.now(timezone.utc)
    if moment > present:
        return f"lies in the future (now is {_utc_text(present)})"
    return ""


def failover_window(events):
    """The last Multi-AZ failover in RDS events (medtech.aws_platform.rds_event_info ``events``).

    :param events: list of dicts with ``message`` and ``date`` (ISO 8601), any order.
    :returns: ``{}`` when no failover event is listed, else ``{started, completed, in_progress}``:
        the last "failover started" event's time (UTC, ``YYYY-MM-DDTHH:MM:SSZ``, ``""`` if only a
        completion is listed), the completion after it (``""`` if none) and whether it is still
        running (started, not completed).
    :raises AnsibleFilterError: when an event's date is not ISO 8601.
    """
    if not isinstance(events, list):
        raise AnsibleFilterError("failover_window expects the list events of medtech.aws_platform.rds_event_info")
    timeline = sorted(
        ((_parse(event.get("date"), "failover_window"), str(event.get("message", ""))) for event in events),
        key=lambda item: item[0],
    )
    started = completed = None
    for moment, message in timeline:
        if FAILOVER_STARTED.search(message):
            started, completed = moment, None
        elif FAILOVER_COMPLETED.search(message):
            completed = moment
    if started is None and completed is None:
        return {}
    return {
        "started": _utc_text(started) if started else "",
        "completed": _utc_text(completed) if completed else "",
        "in_progress": started is not None and completed is None,
    }


def seconds_between(start, end):
    """Seconds from ``start`` to ``end`` (ISO 8601 timestamps; naive ones are UTC), as a float.

    :raises AnsibleFilterError: when either is not ISO 8601.
    """
    return (_parse(end, "seconds_between") - _parse(start, "seconds_between")).total_seconds()


def subnets_in_region(subnets, region, recovery_region):
    """The network role's subnets moved to another region: each ``az`` of ``region`` becomes the
    same AZ letter in ``recovery_region`` (``eu-central-1a`` -> ``eu-west-1a``); the rest is kept.

    :param subnets: list of dicts ``{name, cidr, az, tier}`` (network_subnets).
    :raises AnsibleFilterError: when a subnet's AZ is not in ``region``.
    """
    if not isinstance(subnets, list):
        raise AnsibleFilterError("subnets_in_region expects the list network_subnets")
    moved = []
    for subnet in subnets:
        zone = str(subnet.get("az", ""))
        if not zone.startswith(region) or len(zone) != len(region) + 1:
            raise AnsibleFilterError(
                f"subnets_in_region: subnet {subnet.get('name')} is in '{zone}', not in an AZ of {region}"
            )
        moved.append(dict(subnet, az=recovery_region + zone[len(region):]))
    return moved


def unsteady_services(services):
    """Problems of ECS services that do not run their desired count (community.aws.ecs_service_info
    ``services``, DescribeServices' camelCase).

    :param services: list of dicts with ``serviceName``, ``status``, ``runningCount``, ``desiredCount``.
    :returns: list of problem texts, ``[]`` when every service is ACTIVE and runs its desired count.
    """
    if not isinstance(services, list):
        raise AnsibleFilterError("unsteady_services expects the list services of community.aws.ecs_service_info")
    problems = []
    for service in services:
        name = service.get("serviceName", "?")
        if service.get("status", "ACTIVE") != "ACTIVE":
            problems.append(f"service {name} is {service.get('status')}")
        elif int(service.get("runningCount", 0)) < int(service.get("desiredCount", 0)):
            problems.append(
                f"service {name} runs {service.get('runningCount', 0)} of {service.get('desiredCount', 0)} tasks"
            )
    return problems


def unhealthy_target_groups(target_groups, services, minimum):
    """Problems of the services' target groups (community.aws.elb_target_group_info with
    ``collect_targets_health``): any target ``unhealthy``, or fewer than ``minimum`` healthy
    targets over a service's groups (``<env>-<service>-blue`` and ``-green``; the live one has them).

    :param target_groups: list of dicts with ``target_group_name`` and ``targets_health_description``
        (each ``{target: {id, port}, target_health: {state}}``).
    :param services: the service names.
    :param minimum: healthy targets each service needs (count).
    :returns: list of problem texts, ``[]`` when all is well.
    """
    if not isinstance(target_groups, list) or not isinstance(services, list):
        raise AnsibleFilterError("unhealthy_target_groups expects target groups and service names as lists")
    problems = []
    for service in services:
        groups = [group for group in target_groups
                  if str(group.get("target_group_name", "")).rsplit("-", 1)[0].endswith("-" + service)
                  and str(group.get("target_group_name", "")).rsplit("-", 1)[-1] in ("blue", "green")]
        states = [str((target.get("target_health") or {}).get("state", ""))
                  for group in groups for target in group.get("targets_health_description") or []]
        if not groups:
            problems.append(f"service {service} has no target group")
            continue
        unhealthy = states.count("unhealthy")
        if unhealthy:
            problems.append(f"service {service} has {unhealthy} unhealthy targets")
        if states.count("healthy") < int(minimum):
            problems.append(f"service {service} has {states.count('healthy')} healthy targets, needs {minimum}")
    return problems


def drill_differences(checks):
    """The checks of a DR drill whose found value differs from the expected one.

    :param checks: list of dicts ``{check, expected, found}`` (compared as text).
    :returns: the differing checks, in order.
    """
    if not isinstance(checks, list):
        raise AnsibleFilterError("drill_differences expects a list of {check, expected, found}")
    return [check for check in checks if str(check.get("expected")) != str(check.get("found"))]


class FilterModule:
    """Disaster recovery filters of medtech.aws_platform."""

    def filters(self):
        return {
            "health_check_verdict": health_check_verdict,
            "failover_window": failover_window,
            "seconds_between": seconds_between,
            "subnets_in_region": subnets_in_region,
            "unsteady_services": unsteady_services,
            "unhealthy_target_groups": unhealthy_target_groups,
            "drill_differences": drill_differences,
            "utc_timestamp_problem": utc_timestamp_problem,
        }
