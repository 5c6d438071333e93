# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters for the network role: layout validation and security-group rule translation."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.medtech.aws_platform.plugins.module_utils.network import named_security_groups
from ansible_collections.medtech.aws_platform.plugins.module_utils.network import nat_gateway_azs
from ansible_collections.medtech.aws_platform.plugins.module_utils.network import network_errors
from ansible_collections.medtech.aws_platform.plugins.module_utils.network import public_subnet_by_az
from ansible_collections.medtech.aws_platform.plugins.module_utils.network import route_tables
from ansible_collections.medtech.aws_platform.plugins.module_utils.network import security_group_rules
from ansible_collections.medtech.aws_platform.plugins.module_utils.network import subnet_ids_of_tier


def _network_errors(layout):
    """``layout | medtech.aws_platform.network_errors`` -> list of messages (empty when valid).

    ``layout`` is a dict with keys region, vpc_cidr, availability_zones, subnets,
    security_groups (and optionally region_var, the variable to cite for a missing region).
    """
    if not isinstance(layout, dict):
        raise AnsibleFilterError("network_errors expects a dict with region, vpc_cidr, availability_zones, subnets, security_groups")
    return network_errors(
        layout.get("region"),
        layout.get("vpc_cidr"),
        layout.get("availability_zones"),
        layout.get("subnets"),
        layout.get("security_groups"),
        region_var=layout.get("region_var", "aws_region"),
    )


def _security_group_rules(rules, groups, direction="ingress"):
    """``rules | medtech.aws_platform.security_group_rules(groups)`` -> amazon.aws rule list."""
    try:
        return security_group_rules(rules, groups, direction)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    """Network filters of medtech.aws_platform."""

    def filters(self):
        return {
            "network_errors": _network_errors,
            "security_group_rules": _security_group_rules,
            "named_security_groups": named_security_groups,
            "nat_gateway_azs": nat_gateway_azs,
            "public_subnet_by_az": public_subnet_by_az,
            "route_tables": route_tables,
            "subnet_ids_of_tier": subnet_ids_of_tier,
        }
