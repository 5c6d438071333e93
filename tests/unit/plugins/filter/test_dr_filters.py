"""Filters of the failover runbook and the DR drill (plugins/filter/dr.py)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.medtech.aws_platform.plugins.filter.dr import (
    drill_differences,
    failover_window,
    health_check_verdict,
    seconds_between,
    subnets_in_region,
    unhealthy_target_groups,
    unsteady_services,
    utc_timestamp_problem,
)


def observations(successes, failures):
    return ([{"status_report": {"status": "Success: HTTP Status Code 200, OK"}}] * successes
            + [{"status_report": {"status": "Failure: Connection timed out."}}] * failures)


@pytest.mark.parametrize("successes, failures, verdict", [
    (16, 0, "healthy"),
    (3, 13, "healthy"),     # 18.75 % > 18 %: Route 53 still counts the endpoint healthy
    (2, 14, "unhealthy"),   # 12.5 %
    (0, 16, "unhealthy"),
    (0, 0, "unknown"),
])
def test_health_check_verdict_follows_route53s_18_percent_rule(successes, failures, verdict):
    assert health_check_verdict(observations(successes, failures)) == verdict


def test_health_check_verdict_refuses_a_non_list():
    with pytest.raises(AnsibleFilterError, match="health_check_observations"):
        health_check_verdict({"status": "Success"})


STARTED = {"message": "Multi-AZ instance failover started.", "date": "2026-12-01T03:14:05+00:00"}
COMPLETED = {"message": "Multi-AZ instance failover completed.", "date": "2026-12-01T03:15:12Z"}


def test_failover_window_pairs_the_last_start_with_its_completion_in_any_order():
    assert failover_window([COMPLETED, STARTED]) == {
        "started": "2026-12-01T03:14:05Z", "completed": "2026-12-01T03:15:12Z", "in_progress": False}


def test_failover_window_reports_a_failover_in_progress():
    earlier = [dict(STARTED, date="2026-12-01T01:00:00Z"), dict(COMPLETED, date="2026-12-01T01:01:00Z")]
    assert failover_window(earlier + [STARTED]) == {
        "started": "2026-12-01T03:14:05Z", "completed": "", "in_progress": True}


def test_failover_window_is_empty_without_failover_events():
    assert failover_window([{"message": "DB instance restarted", "date": "2026-12-01T03:00:00Z"}]) == {}


def test_failover_window_names_a_bad_date():
    with pytest.raises(AnsibleFilterError, match="not an ISO 8601"):
        failover_window([dict(STARTED, date="yesterday")])


def test_seconds_between_treats_naive_times_as_utc():
    assert seconds_between("2026-12-01T03:14:00", "2026-12-01T03:15:30+00:00") == 90.0
    assert seconds_between("2026-12-01T05:00:00+02:00", "2026-12-01T03:00:00Z") == 0.0


def test_subnets_in_region_keeps_the_az_letter_and_everything_else():
    subnets = [{"name": "db-1b", "cidr": "10.0.200.0/24", "az": "eu-central-1b", "tier": "isolated"}]
    assert subnets_in_region(subnets, "eu-central-1", "eu-west-1") == [
        {"name": "db-1b", "cidr": "10.0.200.0/24", "az": "eu-west-1b", "tier": "isolated"}]


def test_subnets_in_region_refuses_a_subnet_of_another_region():
    with pytest.raises(AnsibleFilterError, match="db-1a.*us-east-1a"):
        subnets_in_region([{"name": "db-1a", "az": "us-east-1a"}], "eu-central-1", "eu-west-1")


def test_unsteady_services_names_each_service_short_of_its_desired_count():
    services = [
        {"serviceName": "api-gateway", "status": "ACTIVE", "runningCount": 2, "desiredCount": 2},
        {"serviceName": "billing-service", "status": "ACTIVE", "runningCount": 1, "desiredCount": 2},
        {"serviceName": "patient-service", "status": "DRAINING", "runningCount": 3, "desiredCount": 3},
    ]
    assert unsteady_services(services) == [
        "service billing-service runs 1 of 2 tasks", "service patient-service is DRAINING"]


def group(name, *states):
    return {"target_group_name": name,
            "targets_health_description": [{"target": {"id": "10.0.10.5"}, "target_health": {"state": s}} for s in states]}


def test_unhealthy_target_groups_counts_the_live_group_of_each_service():
    groups = [group("prod-api-gateway-blue", "healthy", "healthy"), group("prod-api-gateway-green"),
              group("prod-billing-service-blue", "healthy", "unhealthy"), group("prod-billing-service-green")]
    assert unhealthy_target_groups(groups, ["api-gateway", "billing-service", "patient-service"], 2) == [
        "service billing-service has 1 unhealthy targets",
        "service billing-service has 1 healthy targets, needs 2",
        "service patient-service has no target group",
    ]
    assert unhealthy_target_groups(groups[:2], ["api-gateway"], 0) == []


def test_drill_differences_compares_as_text():
    checks = [{"check": "storage", "expected": 500, "found": "500"}, {"check": "public", "expected": "False", "found": "True"}]
    assert drill_differences(checks) == [checks[1]]


@pytest.mark.parametrize("text, problem", [
    ("2026-12-01T03:14:00Z", ""),
    ("2026-12-01 03:14", "is not UTC ISO 8601"),
    ("2026-02-30T03:14:00Z", "is not a real date and time"),
    ("2026-12-01T12:00:01Z", "lies in the future (now is 2026-12-01T12:00:00Z)"),
])
def test_utc_timestamp_problem_names_what_is_wrong(text, problem):
    found = utc_timestamp_problem(text, now="2026-12-01T12:00:00Z")
    assert (found == "") if problem == "" else found.startswith(problem)
