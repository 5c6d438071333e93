"""Unit tests for plugins/module_utils/network.py: layout validation and rule translation."""

import copy

import pytest

from ansible_collections.medtech.aws_platform.plugins.module_utils import network

SUBNETS = [
    {"name": "public-1a", "cidr": "10.0.1.0/24", "az": "eu-central-1a", "tier": "public"},
    {"name": "public-1b", "cidr": "10.0.2.0/24", "az": "eu-central-1b", "tier": "public"},
    {"name": "private-1a", "cidr": "10.0.10.0/24", "az": "eu-central-1a", "tier": "private"},
    {"name": "private-1b", "cidr": "10.0.20.0/24", "az": "eu-central-1b", "tier": "private"},
    {"name": "db-1a", "cidr": "10.0.100.0/24", "az": "eu-central-1a", "tier": "isolated"},
    {"name": "db-1b", "cidr": "10.0.200.0/24", "az": "eu-central-1b", "tier": "isolated"},
]
GROUPS = [
    {"key": "alb", "description": "alb", "ingress": [{"port": 443, "cidr": "0.0.0.0/0"}], "egress": [{"port": 8080, "group": "ecs"}]},
    {"key": "ecs", "description": "ecs", "ingress": [{"port": 8080, "group": "alb"}],
     "egress": [{"port": 5432, "group": "rds"}, {"port": 443, "cidr": "0.0.0.0/0", "description": "AWS APIs"}]},
    {"key": "rds", "description": "rds", "ingress": [{"port": 5432, "group": "ecs"}], "egress": []},
]
AZS = ["eu-central-1a", "eu-central-1b"]


def errors(**overrides):
    layout = {"region": "eu-central-1", "vpc_cidr": "10.0.0.0/16", "availability_zones": AZS,
              "subnets": copy.deepcopy(SUBNETS), "security_groups": copy.deepcopy(GROUPS)}
    layout.update(overrides)
    return network.network_errors(layout["region"], layout["vpc_cidr"], layout["availability_zones"],
                                  layout["subnets"], layout["security_groups"])


def test_the_documented_layout_is_valid():
    assert errors() == []


@pytest.mark.parametrize("cidr", ["10.0.0.0/33", "10.0.0.300/16", "10.0.0.1/16", "10.0.0.0", "", None, "10.0.0.0/8"])
def test_malformed_vpc_cidr_is_refused(cidr):
    found = errors(vpc_cidr=cidr)
    assert len(found) == 1 and found[0].startswith(f"network_vpc_cidr='{cidr}'")


def test_subnet_outside_the_vpc_is_refused():
    subnets = copy.deepcopy(SUBNETS)
    subnets[5]["cidr"] = "10.1.200.0/24"
    assert errors(subnets=subnets) == [
        "network_subnets[5] (db-1b): cidr='10.1.200.0/24' is outside network_vpc_cidr=10.0.0.0/16: choose a block inside the VPC."
    ]


def test_malformed_subnet_cidr_is_refused():
    subnets = copy.deepcopy(SUBNETS)
    subnets[0]["cidr"] = "10.0.1.0/24x"
    assert errors(subnets=subnets) == [
        "network_subnets[0] (public-1a): cidr='10.0.1.0/24x' is not a valid IPv4 CIDR block, e.g. 10.0.1.0/24."
    ]


def test_overlapping_subnets_are_refused():
    subnets = copy.deepcopy(SUBNETS)
    subnets[3]["cidr"] = "10.0.10.128/25"  # inside private-1a's 10.0.10.0/24
    found = errors(subnets=subnets)
    assert found == [
        "network_subnets[3] (private-1b): cidr='10.0.10.128/25' overlaps network_subnets[2] (private-1a) "
        "(10.0.10.0/24): subnets must not overlap."
    ]


def test_subnet_in_an_az_outside_the_list_is_refused():
    subnets = copy.deepcopy(SUBNETS)
    subnets[1]["az"] = "eu-central-1c"
    found = errors(subnets=subnets)
    assert found[0] == (
        "network_subnets[1] (public-1b): az='eu-central-1c' is not in network_availability_zones "
        "(eu-central-1a, eu-central-1b): use one of those or add the zone there."
    )


def test_az_of_another_region_is_refused():
    found = errors(availability_zones=["eu-central-1a", "eu-west-1b"])
    assert "network_availability_zones: 'eu-west-1b' is not an availability zone of region 'eu-central-1'" in found[0]


def test_private_subnet_without_public_subnet_in_its_az_is_refused():
    subnets = [s for s in SUBNETS if s["name"] != "public-1b"]
    assert errors(subnets=subnets) == [
        "network_subnets: availability zone 'eu-central-1b' has a private subnet but no public subnet for its "
        "NAT gateway: add a public subnet in that zone."
    ]


def test_rule_with_unknown_source_group_is_refused():
    groups = copy.deepcopy(GROUPS)
    groups[2]["ingress"][0]["group"] = "ecs-tasks"
    assert errors(security_groups=groups) == [
        "network_security_groups[2] (rds).ingress[0]: group='ecs-tasks' is not a security group in "
        "network_security_groups (known keys: alb, ecs, rds): fix the name or add that group."
    ]


@pytest.mark.parametrize("region", ["", None])
def test_missing_region_is_refused(region):
    found = errors(region=region)
    assert found[0] == "aws_region is not set: set aws_region in the inventory (e.g. aws_region: eu-central-1)."


def test_malformed_region_is_refused():
    assert errors(region="Frankfurt")[0] == "aws_region='Frankfurt' is not an AWS region name: use e.g. eu-central-1."


@pytest.mark.parametrize(
    "rule, fragment",
    [
        ({"port": 443}, "give exactly one of cidr"),
        ({"port": 443, "cidr": "0.0.0.0/0", "group": "alb"}, "give exactly one of cidr"),
        ({"port": 70000, "cidr": "0.0.0.0/0"}, "give port (0-65535)"),
        ({"cidr": "0.0.0.0/0"}, "give port (0-65535)"),
        ({"port": 443, "cidr": "0.0.0.0/0", "proto": "http"}, "proto='http' is not one of"),
        ({"from_port": 9000, "to_port": 8000, "cidr": "0.0.0.0/0"}, "from_port <= to_port"),
    ],
)
def test_malformed_rules_are_refused(rule, fragment):
    groups = copy.deepcopy(GROUPS)
    groups[0]["ingress"] = [rule]
    found = errors(security_groups=groups)
    assert len(found) == 1 and found[0].startswith("network_security_groups[0] (alb).ingress[0]:") and fragment in found[0]


def test_group_without_egress_list_is_refused_so_no_default_rule_stays():
    groups = copy.deepcopy(GROUPS)
    del groups[2]["egress"]
    assert errors(security_groups=groups) == [
        "network_security_groups[2] (rds) has no egress list: give one (egress: [] for none), so that no default rule is left in place."
    ]


def test_every_problem_is_reported_at_once():
    subnets = copy.deepcopy(SUBNETS)
    subnets[0]["cidr"] = "192.168.0.0/24"
    subnets[1]["az"] = "eu-central-1c"
    assert len(errors(subnets=subnets, region="")) >= 3


def test_security_group_rules_translate_to_amazon_aws_format():
    groups = network.named_security_groups(GROUPS, "medtech-prod")
    assert network.security_group_rules(groups[1]["egress"], groups, "egress") == [
        {"proto": "tcp", "from_port": 5432, "to_port": 5432, "group_name": "medtech-prod-rds-sg", "group_desc": "rds"},
        {"proto": "tcp", "from_port": 443, "to_port": 443, "cidr_ip": "0.0.0.0/0", "rule_desc": "AWS APIs"},
    ]
    assert network.security_group_rules([], groups) == []


def test_security_group_rules_refuse_an_unknown_group():
    groups = network.named_security_groups(GROUPS, "p")
    with pytest.raises(ValueError, match="unknown security group key 'nope'"):
        network.security_group_rules([{"port": 1, "group": "nope"}], groups)


def test_named_security_groups_keeps_an_explicit_name_and_does_not_modify_input():
    groups = [{"key": "alb", "name": "legacy-alb"}, {"key": "ecs"}]
    assert [g["name"] for g in network.named_security_groups(groups, "medtech-prod")] == ["legacy-alb", "medtech-prod-ecs-sg"]
    assert "name" not in groups[1]


def test_route_tables_follow_the_tiers():
    tables = network.route_tables(SUBNETS, AZS, "medtech-prod", "igw-1", {"eu-central-1a": "nat-a", "eu-central-1b": "nat-b"})
    assert tables == [
        {"name": "medtech-prod-public-rt", "tier": "public", "subnets": ["public-1a", "public-1b"],
         "routes": [{"dest": "0.0.0.0/0", "gateway_id": "igw-1"}]},
        {"name": "medtech-prod-private-rt-eu-central-1a", "tier": "private", "subnets": ["private-1a"],
         "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-a"}]},
        {"name": "medtech-prod-private-rt-eu-central-1b", "tier": "private", "subnets": ["private-1b"],
         "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-b"}]},
        {"name": "medtech-prod-isolated-rt", "tier": "isolated", "subnets": ["db-1a", "db-1b"], "routes": []},
    ]


def test_route_tables_leave_out_routes_to_gateways_not_known_yet():
    tables = network.route_tables(SUBNETS, AZS, "p", "", {"eu-central-1a": ""})
    assert all(t["routes"] == [] for t in tables)


def test_nat_gateway_azs_and_public_subnets():
    assert network.nat_gateway_azs(SUBNETS, ["eu-central-1b", "eu-central-1a"]) == ["eu-central-1b", "eu-central-1a"]
    assert network.nat_gateway_azs([s for s in SUBNETS if s["tier"] != "private"], AZS) == []
    assert network.public_subnet_by_az(SUBNETS) == {"eu-central-1a": "public-1a", "eu-central-1b": "public-1b"}


def test_subnet_ids_of_tier_skips_unknown_ids():
    ids = {"db-1a": "subnet-1", "db-1b": "", "public-1a": "subnet-3"}
    assert network.subnet_ids_of_tier("isolated", SUBNETS, ids) == ["subnet-1"]
