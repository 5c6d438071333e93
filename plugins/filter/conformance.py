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

COMPARES = ("equal", "set", "subset", "at_least", "at_most")
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
        (numbers). ``found`` None (the resource or value is missing) is always a difference.
    :param deviations: the inventory's approved deviations ``{item or section: value}``: a check
        whose item (or else whose section) is listed is compared with that value instead, and a
        match is reported as ``DEVIATION``, never as OK; a found value that matches the document
        is OK all the same.
    :returns: ``{lines, summary}``: ``lines`` the checks in order, each with ``status`` (OK, DIFF
        or DEVIATION) and, for a deviation, ``approved`` (the inventory's value); ``summary``
        ``{total, ok, diff, deviation}`` (counts).
    :raises AnsibleFilterError: on a malformed check, an unknown ``compare``, an item checked
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


class FilterModule:
    """Conformance filter of medtech.aws_platform."""

    def filters(self):
        return {"conformance": conformance}
