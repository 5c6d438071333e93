# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verify role's comparison: each value the architecture document states against the value
read back from AWS, one line per value, with the status OK, DIFF or DEVIATION (a difference the
inventory approves)."""

from __future__ import annotations

import json
import re

from ansible.errors import AnsibleFilterError

COMPARES = ("equal", "set", "subset", "at_least", "at_most", "between")
STATUSES = ("OK", "DIFF", "DEVIATION")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _number(value):
    """``value`` as a float when it is a number or a number's text (not a bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value.strip())
    return None


def _canonical(value):
    """A form in which equal values compare equal: numbers as floats (1 == 1.0 == "1"), text
    stripped, dicts by key, lists in their order."""
    if isinstance(value, bool) or value is None:
        return value
    number = _number(value)
    if number is not None and not isinstance(value, str):
        return number
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    return str(value)


def _equal(expected, found):
    left, right = _number(expected), _number(found)
    if left is not None and right is not None:
        return left == right
    return _canonical(expected) == _canonical(found)


def _multiset(values):
    return sorted(json.dumps(_canonical(value), sort_keys=True) for value in values)


def _matches(compare, expected, found):
    """Whether ``found`` satisfies ``expected`` under ``compare``; ``found`` None never does."""
    if found is None:
        return False
    if compare == "equal":
        return _equal(expected, found)
    if compare in ("set", "subset"):
        if not isinstance(found, (list, tuple)) or not isinstance(expected, (list, tuple)):
            return False
        if compare == "set":
            return _multiset(expected) == _multiset(found)
        wanted, present = _multiset(expected), _multiset(found)
        return all(present.count(item) >= wanted.count(item) for item in set(wanted))
    if compare == "between":
        value = _number(found)
        low, high = (_number(bound) for bound in expected)
        return value is not None and low <= value <= high
    left, right = _number(expected), _number(found)
    if left is None or right is None:
        return False
    return right >= left if compare == "at_least" else right <= left


def _check_input(checks, deviations):
    if not isinstance(checks, list):
        raise AnsibleFilterError("conformance expects a list of checks {section, item, expected, found, compare}")
    if deviations is None:
        deviations = {}
    if not isinstance(deviations, dict):
        raise AnsibleFilterError(
            "conformance: verify_deviations must be a dict {item or section: approved value}, "
            f"not {type(deviations).__name__}")
    items = set()
    sections = set()
    for index, check in enumerate(checks):
        if not isinstance(check, dict) or not {"section", "item", "expected"} <= set(check):
            raise AnsibleFilterError(
                f"conformance: check {index} must be a dict with section, item, expected and found; got {check!r}")
        compare = check.get("compare", "equal")
        if compare not in COMPARES:
            raise AnsibleFilterError(
                f"conformance: check '{check['item']}' has compare '{compare}'; use one of {', '.join(COMPARES)}")
        if check["item"] in items:
            raise AnsibleFilterError(
                f"conformance: the item '{check['item']}' is checked twice; each value is checked once")
        if compare == "between" and not (
                isinstance(check["expected"], (list, tuple)) and len(check["expected"]) == 2
                and all(_number(bound) is not None for bound in check["expected"])
                and _number(check["expected"][0]) <= _number(check["expected"][1])):
            raise AnsibleFilterError(
                f"conformance: check '{check['item']}' compares between; its expected must be [low, high] (numbers, low <= high)")
        items.add(check["item"])
        sections.add(check["section"])
    unknown = sorted(set(deviations) - items - sections)
    if unknown:
        raise AnsibleFilterError(
            "conformance: verify_deviations names no check: " + ", ".join(unknown)
            + " (use an item or a section of the report, as written there)")
    return deviations


def conformance(checks, deviations=None):
    """Compare each value the document states with the value found on the platform.

    :param checks: list of dicts ``{section, item, expected, found, compare}``. ``compare`` is
        ``equal`` (default; numbers compare as numbers, 1 == "1"), ``set`` (lists, order ignored),
        ``subset`` (every expected element is in the found list), ``at_least`` / ``at_most``
        (numbers), ``between`` (expected ``[low, high]``, a number found within, bounds included).
        ``found`` None (the resource or value is missing) is always a difference.
    :param deviations: the inventory's approved deviations ``{item or section: value}``: a check
        whose item (or else whose section) is listed is compared with that value instead, and a
        match is reported as ``DEVIATION``, never as OK; a found value that matches the document
        is OK all the same.
    :returns: ``{lines, summary}``: ``lines`` the checks in order, each with ``status`` (OK, DIFF
        or DEVIATION) and, for a deviation, ``approved`` (the inventory's value); ``summary``
        ``{total, ok, diff, deviation}`` (counts).
    :raises AnsibleFilterError: on a malformed check (also a ``between`` without ``[low, high]``), an unknown ``compare``, an item checked
        twice, or a deviation that names no item or section.
    """
    deviations = _check_input(checks, deviations)
    lines = []
    for check in checks:
        compare = check.get("compare", "equal")
        line = {
            "section": check["section"],
            "item": check["item"],
            "expected": check["expected"],
            "found": check.get("found"),
            "compare": compare,
        }
        if _matches(compare, check["expected"], line["found"]):
            line["status"] = "OK"
        else:
            key = check["item"] if check["item"] in deviations else check["section"]
            if key in deviations:
                line["approved"] = deviations[key]
                approved = deviations[key]
                if approved is None:
                    found_matches = line["found"] is None
                else:
                    found_matches = _matches(compare, approved, line["found"])
                line["status"] = "DEVIATION" if found_matches else "DIFF"
            else:
                line["status"] = "DIFF"
        lines.append(line)
    summary = {"total": len(lines)}
    for status in STATUSES:
        summary[status.lower()] = sum(1 for line in lines if line["status"] == status)
    return {"lines": lines, "summary": summary}


def _peer_texts(permission, group_keys):
    peers = [str(item.get("cidr_ip")) for item in permission.get("ip_ranges") or []]
    peers += [str(item.get("cidr_ipv6")) for item in permission.get("ipv6_ranges") or []]
    peers += ["sg:" + str(group_keys.get(item.get("group_id"), item.get("group_id")))
              for item in permission.get("user_id_group_pairs") or []]
    peers += [str(item.get("prefix_list_id")) for item in permission.get("prefix_list_ids") or []]
    return peers


def security_group_rule_texts(group, direction, group_keys=None):
    """The rules of one direction of a security group (amazon.aws.ec2_security_group_info, snake_case)
    as texts like the document's tables: ``443 from 0.0.0.0/0``, ``8080 to sg:ecs``.

    :param group: one entry of ``security_groups``; None (a missing group) gives None.
    :param direction: ``ingress`` or ``egress``.
    :param group_keys: ``{group_id: key}`` to name peer groups; an unknown peer keeps its ID.
    :returns: list of texts, one per port and peer; a protocol other than tcp is named
        (``udp 53 to ...``), all traffic is ``all to 0.0.0.0/0``.
    """
    if group is None:
        return None
    if direction not in ("ingress", "egress"):
        raise AnsibleFilterError(f"security_group_rule_texts: direction must be ingress or egress, not {direction!r}")
    permissions = group.get("ip_permissions" if direction == "ingress" else "ip_permissions_egress") or []
    word = "from" if direction == "ingress" else "to"
    texts = []
    for permission in permissions:
        protocol = str(permission.get("ip_protocol"))
        if protocol == "-1":
            port = "all"
        else:
            low, high = permission.get("from_port"), permission.get("to_port")
            port = str(low) if low == high else f"{low}-{high}"
            if protocol != "tcp":
                port = f"{protocol} {port}"
        texts += [f"{port} {word} {peer}" for peer in _peer_texts(permission, group_keys or {})]
    return texts


def subnet_routing(subnet, route_tables, nat_gateways, subnets=None):
    """How a subnet reaches the internet, read from its route table (amazon.aws.ec2_vpc_route_table_info
    and ec2_vpc_nat_gateway_info, snake_case): ``public`` (0.0.0.0/0 to an internet gateway),
    ``private`` (0.0.0.0/0 to a NAT gateway in the subnet's AZ), ``isolated`` (no route but the
    VPC's local one), else a text that names the routes.

    :param subnet: one entry of ``subnets`` (``id``, ``availability_zone``); None gives None.
    :param route_tables: the VPC's route tables; a subnet without an association uses the main one.
    :param nat_gateways: the VPC's NAT gateways (``nat_gateway_id``, ``subnet_id``).
    :param subnets: the VPC's subnets, to find the AZ of a NAT gateway's subnet.
    """
    if subnet is None:
        return None
    tables = [table for table in route_tables
              if any(item.get("subnet_id") == subnet.get("id") for item in table.get("associations") or [])]
    if not tables:
        tables = [table for table in route_tables
                  if any(item.get("main") for item in table.get("associations") or [])]
    if not tables:
        return "no route table"
    routes = [route for route in tables[0].get("routes") or [] if route.get("gateway_id") != "local"]
    if not routes:
        return "isolated"
    nat_subnets = {nat.get("nat_gateway_id"): nat.get("subnet_id") for nat in nat_gateways}
    default = [route for route in routes if route.get("destination_cidr_block") == "0.0.0.0/0"]
    if default and str(default[0].get("gateway_id") or "").startswith("igw-"):
        return "public"
    if default and default[0].get("nat_gateway_id"):
        nat_subnet = nat_subnets.get(default[0]["nat_gateway_id"])
        zone = {item.get("id"): item.get("availability_zone") for item in subnets or []}
        return "private" if zone.get(nat_subnet) == subnet.get("availability_zone") else "private (NAT gateway in another AZ)"
    return "routes: " + ", ".join(
        f"{route.get('destination_cidr_block') or route.get('destination_prefix_list_id')} -> "
        f"{route.get('gateway_id') or route.get('nat_gateway_id') or '?'}" for route in routes)


def listener_text(listener):
    """A load balancer listener (amazon.aws.elb_application_lb_info, snake_case) as text:
    ``HTTPS 443 forward``, ``HTTP 80 redirect to 443``."""
    actions = listener.get("default_actions") or [{}]
    action = actions[0]
    text = f"{listener.get('protocol')} {listener.get('port')} {action.get('type')}"
    redirect = action.get("redirect_config")
    if action.get("type") == "redirect" and redirect:
        text += f" to {redirect.get('port')}"
    return text


def container_environment(task_definition, variable):
    """The value of an environment ``variable`` in the first container of a task definition
    (community.aws.ecs_taskdefinition_info) that sets it, else None. Environment values only:
    secrets are references (``valueFrom``) and never read."""
    for container in (task_definition or {}).get("container_definitions") or []:
        for entry in container.get("environment") or []:
            if entry.get("name") == variable:
                return entry.get("value")
    return None


class FilterModule:
    """Conformance filter of medtech.aws_platform."""

    def filters(self):
        return {
            "conformance": conformance,
            "security_group_rule_texts": security_group_rule_texts,
            "subnet_routing": subnet_routing,
            "listener_text": listener_text,
            "container_environment": container_environment,
        }
