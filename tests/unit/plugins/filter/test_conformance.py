"""The verify role's comparison (plugins/filter/conformance.py)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.medtech.aws_platform.plugins.filter.conformance import (
    conformance,
    container_environment,
    listener_text,
    security_group_rule_texts,
    subnet_routing,
)


def check(item, expected, found, compare="equal", section="SPEC 6 / DOC 7.2"):
    return {"section": section, "item": item, "expected": expected, "found": found, "compare": compare}


def statuses(report):
    return [line["status"] for line in report["lines"]]


def test_equal_values_are_ok_and_a_changed_threshold_is_a_diff():
    report = conformance([
        check("api-error-rate threshold (%)", 1, 1.0),
        check("rds-cpu threshold (%)", 80, 90),
    ])
    assert statuses(report) == ["OK", "DIFF"]
    assert report["summary"] == {"total": 2, "ok": 1, "diff": 1, "deviation": 0}
    assert report["lines"][1]["found"] == 90 and report["lines"][1]["expected"] == 80


def test_numbers_compare_as_numbers_but_text_as_text():
    report = conformance([
        check("period (s)", 300, "300"),
        check("engine version", "15.4", "15.40"),
        check("multi-az", True, "True"),
    ])
    assert statuses(report) == ["OK", "OK", "DIFF"]


def test_set_ignores_order_but_not_a_missing_or_extra_element():
    report = conformance([
        check("AZs", ["eu-central-1a", "eu-central-1b"], ["eu-central-1b", "eu-central-1a"], "set"),
        check("ALB SG ingress", [{"port": 443}, {"port": 80}], [{"port": 80}], "set"),
        check("ECS SG egress", [{"port": 443}], [{"port": 443}, {"port": -1}], "set"),
    ])
    assert statuses(report) == ["OK", "DIFF", "DIFF"]


def test_equal_keeps_list_order():
    report = conformance([check("stages in order", ["Source", "Deploy"], ["Deploy", "Source"])])
    assert statuses(report) == ["DIFF"]


def test_subset_asks_only_for_the_expected_elements():
    report = conformance([
        check("dashboard metrics", ["CPUUtilization"], ["CPUUtilization", "MemoryUtilization"], "subset"),
        check("dashboard metrics 2", ["RequestCount"], ["CPUUtilization"], "subset"),
    ])
    assert statuses(report) == ["OK", "DIFF"]


@pytest.mark.parametrize("compare, expected, found, status", [
    ("at_least", 3000, 12000, "OK"),
    ("at_least", 3000, 3000, "OK"),
    ("at_least", 3000, 2999, "DIFF"),
    ("at_least", 3000, "n/a", "DIFF"),
    ("at_most", 80, 79, "OK"),
    ("at_most", 80, 81, "DIFF"),
])
def test_at_least_and_at_most(compare, expected, found, status):
    assert statuses(conformance([check("iops", expected, found, compare)])) == [status]


@pytest.mark.parametrize("found, status", [
    (2, "OK"), (6, "OK"), (10, "OK"), ("6", "OK"),  # where Auto Scaling may move a desired count (DOC 3.3)
    (1, "DIFF"), (11, "DIFF"), ("many", "DIFF"),
])
def test_between_includes_both_bounds(found, status):
    assert statuses(conformance([check("patient-service desired count", [2, 10], found, "between")])) == [status]


@pytest.mark.parametrize("expected", [3, [2], [10, 2], [2, "ten"]])
def test_between_needs_low_and_high(expected):
    with pytest.raises(AnsibleFilterError, match=r"its expected must be \[low, high\]"):
        conformance([check("patient-service desired count", expected, 3, "between")])


@pytest.mark.parametrize("compare", ["equal", "set", "subset", "at_least", "between"])
def test_a_missing_resource_is_a_diff_whatever_the_comparison(compare):
    expected = {"set": [], "subset": [], "between": [2, 10]}.get(compare, 0)
    report = conformance([check("billing-service desired count", expected, None, compare)])
    assert statuses(report) == ["DIFF"]
    assert report["lines"][0]["found"] is None


def test_an_approved_deviation_is_reported_as_such_never_as_ok():
    report = conformance(
        [check("api-gateway deployment controller", "CODE_DEPLOY", "ECS", section="SPEC 2 / DOC 6.3"),
         check("cluster", "medtech-staging-cluster", "medtech-staging-cluster", section="SPEC 2 / DOC 3.1")],
        {"api-gateway deployment controller": "ECS"})
    assert statuses(report) == ["DEVIATION", "OK"]
    assert report["lines"][0]["approved"] == "ECS"
    assert report["summary"] == {"total": 2, "ok": 1, "diff": 0, "deviation": 1}


def test_a_deviation_other_than_the_approved_one_is_a_diff():
    report = conformance([check("deployment controller", "CODE_DEPLOY", "EXTERNAL")],
                         {"deployment controller": "ECS"})
    assert statuses(report) == ["DIFF"]


def test_a_section_approved_as_absent_covers_its_missing_resources_only():
    section = "SPEC 5 / DOC 6.2"
    report = conformance(
        [check("pipeline stages", ["Source"], None, section=section),
         check("pipeline name", "p", "other", section=section)],
        {section: None})
    assert statuses(report) == ["DEVIATION", "DIFF"]


def test_a_stale_deviation_is_refused():
    with pytest.raises(AnsibleFilterError, match="names no check: gone"):
        conformance([check("a", 1, 1)], {"gone": 2})


def test_an_item_checked_twice_is_refused():
    with pytest.raises(AnsibleFilterError, match="checked twice"):
        conformance([check("a", 1, 1), check("a", 1, 1)])


def test_an_unknown_comparison_is_refused():
    with pytest.raises(AnsibleFilterError, match="compare 'about'"):
        conformance([check("a", 1, 1, "about")])


def test_a_malformed_input_is_refused():
    with pytest.raises(AnsibleFilterError, match="list of checks"):
        conformance({"a": 1})
    with pytest.raises(AnsibleFilterError, match="verify_deviations must be a dict"):
        conformance([], ["a"])


GROUP = {
    "ip_permissions": [{"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "ip_ranges": [{"cidr_ip": "0.0.0.0/0"}]}],
    "ip_permissions_egress": [
        {"ip_protocol": "tcp", "from_port": 8080, "to_port": 8080, "user_id_group_pairs": [{"group_id": "sg-1"}]},
        {"ip_protocol": "-1", "ip_ranges": [{"cidr_ip": "0.0.0.0/0"}]},
    ],
}


def test_security_group_rules_read_as_the_documents_tables_and_allow_all_egress_shows():
    assert security_group_rule_texts(GROUP, "ingress", {}) == ["443 from 0.0.0.0/0"]
    assert security_group_rule_texts(GROUP, "egress", {"sg-1": "ecs"}) == ["8080 to sg:ecs", "all to 0.0.0.0/0"]
    assert security_group_rule_texts(None, "egress", {}) is None
    with pytest.raises(AnsibleFilterError, match="ingress or egress"):
        security_group_rule_texts(GROUP, "out", {})


SUBNETS = [{"id": "subnet-pub-a", "availability_zone": "eu-central-1a"},
           {"id": "subnet-priv-a", "availability_zone": "eu-central-1a"},
           {"id": "subnet-priv-b", "availability_zone": "eu-central-1b"},
           {"id": "subnet-db-a", "availability_zone": "eu-central-1a"}]
LOCAL = {"destination_cidr_block": "10.0.0.0/16", "gateway_id": "local"}
TABLES = [
    {"associations": [{"subnet_id": "subnet-pub-a"}],
     "routes": [LOCAL, {"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}]},
    {"associations": [{"subnet_id": "subnet-priv-a"}, {"subnet_id": "subnet-priv-b"}],
     "routes": [LOCAL, {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-a"}]},
    {"associations": [{"subnet_id": "subnet-db-a"}], "routes": [LOCAL]},
]
NATS = [{"nat_gateway_id": "nat-a", "subnet_id": "subnet-pub-a"}]


@pytest.mark.parametrize("index, tier", [
    (0, "public"),
    (1, "private"),
    (2, "private (NAT gateway in another AZ)"),
    (3, "isolated"),
])
def test_subnet_routing_reads_the_tier_from_the_routes(index, tier):
    assert subnet_routing(SUBNETS[index], TABLES, NATS, SUBNETS) == tier


def test_an_isolated_subnet_with_a_route_out_is_named_by_its_routes():
    tables = [{"associations": [{"subnet_id": "subnet-db-a"}],
               "routes": [LOCAL, {"destination_cidr_block": "0.0.0.0/0", "gateway_id": "vgw-1"}]}]
    assert subnet_routing(SUBNETS[3], tables, NATS, SUBNETS) == "routes: 0.0.0.0/0 -> vgw-1"


def test_listener_text():
    assert listener_text({"protocol": "HTTP", "port": 80, "default_actions": [
        {"type": "redirect", "redirect_config": {"port": "443"}}]}) == "HTTP 80 redirect to 443"
    assert listener_text({"protocol": "HTTPS", "port": 443, "default_actions": [{"type": "forward"}]}) == "HTTPS 443 forward"


def test_container_environment_reads_plain_values_only():
    task = {"container_definitions": [
        {"name": "app", "environment": [], "secrets": [{"name": "POOL_MODE", "valueFrom": "arn"}]},
        {"name": "pgbouncer", "environment": [{"name": "POOL_MODE", "value": "transaction"}]},
    ]}
    assert container_environment(task, "POOL_MODE") == "transaction"
    assert container_environment(task, "MAX_CLIENT_CONN") is None
