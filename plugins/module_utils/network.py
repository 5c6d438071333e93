# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure functions for the network layout: validation before any AWS call, and the translation
of our security-group rule format into the one amazon.aws.ec2_security_group takes.

Nothing here calls AWS. The role ``network`` reaches these through the filters in
``plugins/filter/network.py``.

Shapes used below:

* a subnet: ``{"name": "public-1a", "cidr": "10.0.1.0/24", "az": "eu-central-1a",
  "tier": "public" | "private" | "isolated"}``
* a security group: ``{"key": "alb", "name": "medtech-prod-alb-sg", "description": "...",
  "ingress": [RULE, ...], "egress": [RULE, ...]}``
* a rule: ``{"port": 443, "proto": "tcp", "cidr": "0.0.0.0/0" | "group": "ecs",
  "description": "..."}`` (exactly one of ``cidr`` and ``group``; ``group`` is another group's
  ``key``; ``port`` is one port or ``from_port``/``to_port`` a range; ``proto`` defaults to tcp).
"""

from __future__ import annotations

import ipaddress
import re

TIERS = ("public", "private", "isolated")
PROTOCOLS = ("tcp", "udp", "icmp", "-1")
REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$")


def _network(value):
    """Return an IPv4Network for a CIDR string, or None when it is not a valid CIDR block.

    ``strict`` parsing: host bits must be zero (``10.0.1.5/24`` is refused, as AWS refuses it).
    """
    if not isinstance(value, str) or "/" not in value:
        return None
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError):
        return None


def _check_region(region, region_var):
    if not region:
        return [f"{region_var} is not set: set aws_region in the inventory (e.g. aws_region: eu-central-1)."]
    if not REGION_RE.match(str(region)):
        return [f"{region_var}='{region}' is not an AWS region name: use e.g. eu-central-1."]
    return []


def _check_vpc(vpc_cidr):
    vpc = _network(vpc_cidr)
    if vpc is None:
        return None, [
            f"network_vpc_cidr='{vpc_cidr}' is not a valid IPv4 CIDR block: use network address and prefix, "
            "e.g. 10.0.0.0/16."
        ]
    if not 16 <= vpc.prefixlen <= 28:
        return None, [f"network_vpc_cidr='{vpc_cidr}': a VPC's prefix must be /16 to /28 (AWS limit)."]
    return vpc, []


def _check_azs(region, azs):
    errors = []
    for az in azs:
        if region and not (isinstance(az, str) and re.fullmatch(re.escape(str(region)) + r"[a-z]", az)):
            errors.append(
                f"network_availability_zones: '{az}' is not an availability zone of region '{region}': "
                f"use names like {region}a."
            )
    return errors


def _check_subnets(subnets, vpc, azs):
    errors = []
    parsed = []
    names = set()
    for index, subnet in enumerate(subnets):
        label = f"network_subnets[{index}] ({subnet.get('name', '?')})"
        name = subnet.get("name")
        if not name:
            errors.append(f"network_subnets[{index}] has no name: give every subnet a name, e.g. public-1a.")
        elif name in names:
            errors.append(f"{label}: the name is used twice: subnet names must be unique.")
        names.add(name)
        if subnet.get("tier") not in TIERS:
            errors.append(f"{label}: tier='{subnet.get('tier')}' is not one of {', '.join(TIERS)}.")
        if subnet.get("az") not in azs:
            errors.append(
                f"{label}: az='{subnet.get('az')}' is not in network_availability_zones ({', '.join(azs)}): "
                "use one of those or add the zone there."
            )
        net = _network(subnet.get("cidr"))
        if net is None:
            errors.append(f"{label}: cidr='{subnet.get('cidr')}' is not a valid IPv4 CIDR block, e.g. 10.0.1.0/24.")
            continue
        if not 16 <= net.prefixlen <= 28:
            errors.append(f"{label}: cidr='{subnet.get('cidr')}': a subnet's prefix must be /16 to /28 (AWS limit).")
        if vpc is not None and not net.subnet_of(vpc):
            errors.append(
                f"{label}: cidr='{net}' is outside network_vpc_cidr={vpc}: choose a block inside the VPC."
            )
        for other_label, other in parsed:
            if net.overlaps(other):
                errors.append(f"{label}: cidr='{net}' overlaps {other_label} ({other}): subnets must not overlap.")
        parsed.append((label, net))
    return errors


def _check_nat_placement(subnets):
    """Each AZ with a private subnet needs a public subnet there for its NAT gateway."""
    public_azs = {s.get("az") for s in subnets if s.get("tier") == "public"}
    errors = []
    for az in sorted({s.get("az") for s in subnets if s.get("tier") == "private"} - public_azs, key=str):
        errors.append(
            f"network_subnets: availability zone '{az}' has a private subnet but no public subnet for its NAT "
            "gateway: add a public subnet in that zone."
        )
    return errors


def _check_rule(label, rule, keys):
    errors = []
    has_cidr, has_group = bool(rule.get("cidr")), bool(rule.get("group"))
    if has_cidr == has_group:
        errors.append(f"{label}: give exactly one of cidr (e.g. 0.0.0.0/0) or group (a security group key).")
    if has_group and rule["group"] not in keys:
        errors.append(
            f"{label}: group='{rule['group']}' is not a security group in network_security_groups "
            f"(known keys: {', '.join(sorted(keys)) or 'none'}): fix the name or add that group."
        )
    if has_cidr and _network(rule["cidr"]) is None:
        errors.append(f"{label}: cidr='{rule['cidr']}' is not a valid IPv4 CIDR block.")
    proto = str(rule.get("proto", "tcp"))
    if proto not in PROTOCOLS:
        errors.append(f"{label}: proto='{proto}' is not one of {', '.join(PROTOCOLS)}.")
    if proto in ("tcp", "udp"):
        ports = _ports(rule)
        if ports is None or not all(isinstance(p, int) and 0 <= p <= 65535 for p in ports) or ports[0] > ports[1]:
            errors.append(f"{label}: give port (0-65535) or from_port <= to_port for a {proto} rule.")
    return errors


def _ports(rule):
    """Return (from_port, to_port) of a rule, or None when neither port nor a range is given."""
    if rule.get("port") is not None:
        return (_as_int(rule["port"]), _as_int(rule["port"]))
    if rule.get("from_port") is not None and rule.get("to_port") is not None:
        return (_as_int(rule["from_port"]), _as_int(rule["to_port"]))
    return None


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _check_security_groups(groups):
    errors = []
    keys = [g.get("key") for g in groups]
    for index, group in enumerate(groups):
        key = group.get("key")
        if not key:
            errors.append(f"network_security_groups[{index}] has no key: give it a short key such as alb.")
            continue
        if keys.count(key) > 1:
            errors.append(f"network_security_groups[{index}]: key '{key}' is used twice: keys must be unique.")
        if not group.get("description"):
            errors.append(
                f"network_security_groups[{index}] ({key}) has no description: AWS requires one, "
                "and it cannot be changed later."
            )
        for direction in ("ingress", "egress"):
            rules = group.get(direction)
            if rules is None:
                errors.append(
                    f"network_security_groups[{index}] ({key}) has no {direction} list: give one "
                    f"({direction}: [] for none), so that no default rule is left in place."
                )
                continue
            for rule_index, rule in enumerate(rules):
                errors.extend(_check_rule(f"network_security_groups[{index}] ({key}).{direction}[{rule_index}]", rule, keys))
    return errors


def network_errors(region, vpc_cidr, availability_zones, subnets, security_groups, region_var="aws_region"):
    """Return every problem in a network layout, as messages naming the variable and the fix.

    :param region: the AWS region name, e.g. ``eu-central-1``; empty or None counts as missing.
    :param vpc_cidr: the VPC's IPv4 CIDR block, e.g. ``10.0.0.0/16``.
    :param availability_zones: list of AZ names, each ``<region><letter>``.
    :param subnets: list of subnet dicts (see the module docstring).
    :param security_groups: list of security-group dicts (see the module docstring).
    :param region_var: the variable name to cite for a missing region.
    :returns: list of str, empty when the layout is valid. Makes no AWS call.
    """
    errors = _check_region(region, region_var)
    vpc, vpc_errors = _check_vpc(vpc_cidr)
    errors += vpc_errors
    azs = list(availability_zones or [])
    if not azs:
        errors.append("network_availability_zones is empty: list the zones to use, e.g. [eu-central-1a, eu-central-1b].")
    errors += _check_azs(region if not _check_region(region, region_var) else None, azs)
    if not subnets:
        errors.append("network_subnets is empty: list the subnets (name, cidr, az, tier).")
    errors += _check_subnets(list(subnets or []), vpc, azs)
    errors += _check_nat_placement(list(subnets or []))
    errors += _check_security_groups(list(security_groups or []))
    return errors


def security_group_rules(rules, groups, direction="ingress"):
    """Translate our rules into amazon.aws.ec2_security_group's ``rules``/``rules_egress`` list.

    :param rules: list of rule dicts (see the module docstring), already validated.
    :param groups: the list of all security-group dicts, to turn a ``group`` key into the
        target group's name and description (ec2_security_group creates a missing target group
        with that description, which is why it must be the group's own).
    :param direction: ``ingress`` or ``egress``; only used in error messages.
    :returns: list of dicts with ``proto``, ``from_port``/``to_port``, ``cidr_ip`` or
        ``group_name`` + ``group_desc``, and ``rule_desc``.
    :raises ValueError: a rule names a group key that is not in ``groups``.
    """
    by_key = {g["key"]: g for g in groups}
    result = []
    for rule in rules or []:
        out = {"proto": str(rule.get("proto", "tcp"))}
        ports = _ports(rule)
        if ports is not None:
            out["from_port"], out["to_port"] = ports
        if rule.get("group"):
            target = by_key.get(rule["group"])
            if target is None:
                raise ValueError(f"{direction} rule names unknown security group key '{rule['group']}'")
            out["group_name"] = target["name"]
            out["group_desc"] = target["description"]
        else:
            out["cidr_ip"] = rule["cidr"]
        if rule.get("description"):
            out["rule_desc"] = rule["description"]
        result.append(out)
    return result


def named_security_groups(groups, name_prefix):
    """Return copies of the security-group dicts with ``name`` filled in.

    A group without ``name`` is named ``<name_prefix>-<key>-sg`` (e.g. ``medtech-prod-alb-sg``).

    :param groups: list of security-group dicts.
    :param name_prefix: e.g. ``medtech-prod``.
    :returns: list of dicts; the input is not modified.
    """
    return [dict(g, name=g.get("name") or f"{name_prefix}-{g['key']}-sg") for g in groups or []]


def nat_gateway_azs(subnets, availability_zones):
    """Return the AZs that need a NAT gateway (those with a private subnet), in zone order.

    :param subnets: list of subnet dicts.
    :param availability_zones: list of AZ names, giving the order.
    :returns: list of AZ names.
    """
    wanted = {s["az"] for s in subnets or [] if s.get("tier") == "private"}
    return [az for az in availability_zones or [] if az in wanted]


def public_subnet_by_az(subnets):
    """Return ``{az: name of the first public subnet in that az}`` (where NAT gateways go)."""
    result = {}
    for subnet in subnets or []:
        if subnet.get("tier") == "public":
            result.setdefault(subnet["az"], subnet["name"])
    return result


def route_tables(subnets, availability_zones, name_prefix, internet_gateway_id="", nat_gateway_ids=None):
    """Return the route tables the layout needs, in amazon.aws.ec2_vpc_route_table's terms.

    * ``<prefix>-public-rt``: the public subnets, 0.0.0.0/0 to the internet gateway;
    * ``<prefix>-private-rt-<az>`` per AZ: that AZ's private subnets, 0.0.0.0/0 to its NAT gateway;
    * ``<prefix>-isolated-rt``: the isolated subnets, no route out of the VPC.

    A route whose target ID is not known yet (empty, as in check mode before the gateway
    exists) is left out.

    :param subnets: list of subnet dicts.
    :param availability_zones: list of AZ names (the order of the private tables).
    :param name_prefix: e.g. ``medtech-prod``.
    :param internet_gateway_id: ``igw-...`` or empty.
    :param nat_gateway_ids: ``{az: "nat-..."}``; missing or empty values mean not known yet.
    :returns: list of ``{"name", "tier", "subnets": [subnet names], "routes": [route dicts]}``;
        a table with no subnet is left out.
    """
    nat_gateway_ids = nat_gateway_ids or {}
    by_tier = {tier: [s for s in subnets or [] if s.get("tier") == tier] for tier in TIERS}
    tables = []
    if by_tier["public"]:
        routes = [{"dest": "0.0.0.0/0", "gateway_id": internet_gateway_id}] if internet_gateway_id else []
        tables.append(
            {"name": f"{name_prefix}-public-rt", "tier": "public", "subnets": [s["name"] for s in by_tier["public"]], "routes": routes}
        )
    for az in availability_zones or []:
        names = [s["name"] for s in by_tier["private"] if s["az"] == az]
        if not names:
            continue
        nat = nat_gateway_ids.get(az)
        routes = [{"dest": "0.0.0.0/0", "nat_gateway_id": nat}] if nat else []
        tables.append({"name": f"{name_prefix}-private-rt-{az}", "tier": "private", "subnets": names, "routes": routes})
    if by_tier["isolated"]:
        tables.append(
            {"name": f"{name_prefix}-isolated-rt", "tier": "isolated", "subnets": [s["name"] for s in by_tier["isolated"]], "routes": []}
        )
    return tables


def subnet_ids_of_tier(tier, subnets, subnet_ids):
    """Return the IDs of the subnets of one tier, in layout order, skipping unknown ones.

    :param tier: ``public``, ``private`` or ``isolated``.
    :param subnets: list of subnet dicts.
    :param subnet_ids: ``{subnet name: "subnet-..."}``.
    :returns: list of subnet IDs.
    """
    return [subnet_ids[s["name"]] for s in subnets or [] if s.get("tier") == tier and subnet_ids.get(s["name"])]
