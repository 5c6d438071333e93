# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real cloudwatch_dashboard module, run by ``ansible``, against the emulator.

Each call is ``ansible localhost -m medtech.aws_platform.cloudwatch_dashboard -a '<json>' --diff``
(the ``ansible_module`` fixture of conftest.py); what the module did is then read back from the
emulator with boto3. The amazon.aws pattern: create, modify and delete, each in check mode and
for real, each twice.

moto (5.2.5) stores the body as it was sent and does not validate widgets (it refuses only a body
that is not JSON), so AWS's refusal of a body and the validation warnings of an accepted one are
Stubber tests (tests/unit/plugins/modules/test_cloudwatch_dashboard_stubbed.py).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.cloudwatch_dashboard"
REGION = "eu-central-1"
NAME = "medtech-test-overview"
BODY = {
    "widgets": [
        {
            "type": "text",
            "x": 0,
            "y": 0,
            "width": 24,
            "height": 2,
            "properties": {"markdown": "Managed by Ansible"},
        },
        {
            "type": "metric",
            "x": 0,
            "y": 2,
            "width": 12,
            "height": 6,
            "properties": {
                "region": REGION,
                "stat": "Average",
                "period": 300,
                "metrics": [["AWS/ECS", "CPUUtilization", "ClusterName", "medtech-test-cluster"]],
            },
        },
    ]
}
# The same body as a JSON string: keys in another order, indented, 300.0 for 300.
REORDERED = """{
  "widgets": [
    {"properties": {"markdown": "Managed by Ansible"}, "height": 2, "width": 24, "y": 0, "x": 0, "type": "text"},
    {"properties": {"metrics": [["AWS/ECS", "CPUUtilization", "ClusterName", "medtech-test-cluster"]],
                    "period": 300.0, "stat": "Average", "region": "eu-central-1"},
     "height": 6, "width": 12, "y": 2, "x": 0, "type": "metric"}
  ]
}"""
PRESENT = {"dashboard_name": NAME, "dashboard_body": BODY}
ABSENT = {"dashboard_name": NAME, "state": "absent"}


@pytest.fixture()
def run_module(ansible_module):
    """Run cloudwatch_dashboard once through ``ansible``; return the host's result dict."""

    def _run(args: dict, check: bool = False) -> dict:
        return ansible_module(MODULE, dict(args, region=REGION), check=check)

    return _run


@pytest.fixture()
def cloudwatch(aws):
    return aws.client("cloudwatch", REGION)


def stored_body(cloudwatch, name=NAME):
    """The body the emulator holds, parsed, or None when there is no such dashboard."""
    try:
        return json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
    except ClientError as e:
        if e.response["Error"]["Code"] == "ResourceNotFound":
            return None
        raise


def ok(result):
    assert not result.get("failed"), result
    return result


def test_create_check_mode_then_for_real_then_unchanged(run_module, cloudwatch):
    for attempt in range(2):
        result = ok(run_module(PRESENT, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"] == {"before": {}, "after": {"dashboard_name": NAME, "dashboard_body": BODY}}
        assert result["dashboard"] == {"dashboard_name": NAME, "dashboard_body": BODY}
        assert stored_body(cloudwatch) is None  # check mode created nothing

    result = ok(run_module(PRESENT))
    assert result["changed"] is True
    assert stored_body(cloudwatch) == BODY
    dashboard = result["dashboard"]
    assert dashboard["dashboard_arn"] == cloudwatch.get_dashboard(DashboardName=NAME)["DashboardArn"]
    assert dashboard["dashboard_body"] == BODY  # parsed, not a string
    assert dashboard["last_modified"]
    assert result["diff"]["after"] == {"dashboard_name": NAME, "dashboard_body": BODY}

    for check in (False, True):
        result = ok(run_module(PRESENT, check=check))
        assert result["changed"] is False
        assert result["diff"]["before"] == result["diff"]["after"]


def test_reordered_json_string_is_no_change(run_module, cloudwatch):
    ok(run_module(PRESENT))
    before = cloudwatch.get_dashboard(DashboardName=NAME)["DashboardBody"]

    for check in (True, False):
        result = ok(run_module({"name": NAME, "dashboard_body": REORDERED}, check=check))
        assert result["changed"] is False
    assert cloudwatch.get_dashboard(DashboardName=NAME)["DashboardBody"] == before  # not rewritten


def test_changed_body_is_changed_with_a_diff(run_module, cloudwatch):
    ok(run_module(PRESENT))
    changed = json.loads(json.dumps(BODY))
    changed["widgets"][1]["properties"]["stat"] = "Maximum"
    changed["widgets"].append(
        {"type": "text", "x": 12, "y": 2, "width": 12, "height": 6, "properties": {"markdown": "Runbook"}}
    )
    args = {"dashboard_name": NAME, "dashboard_body": changed}

    for attempt in range(2):
        result = ok(run_module(args, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["before"]["dashboard_body"] == BODY
        assert result["diff"]["after"]["dashboard_body"] == changed
        assert stored_body(cloudwatch) == BODY  # nothing written

    result = ok(run_module(args))
    assert result["changed"] is True
    assert result["diff"]["before"]["dashboard_body"] == BODY
    assert result["diff"]["after"]["dashboard_body"] == changed
    assert stored_body(cloudwatch) == changed

    for check in (False, True):
        assert ok(run_module(args, check=check))["changed"] is False

    # the widgets in another order are another layout: a change
    swapped = {"dashboard_name": NAME, "dashboard_body": {"widgets": list(reversed(changed["widgets"]))}}
    assert ok(run_module(swapped))["changed"] is True
    assert stored_body(cloudwatch)["widgets"][0]["properties"] == {"markdown": "Runbook"}


def test_delete_check_mode_then_for_real_then_unchanged(run_module, cloudwatch):
    ok(run_module(PRESENT))

    for attempt in range(2):
        result = ok(run_module(ABSENT, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"] == {"before": {"dashboard_name": NAME, "dashboard_body": BODY}, "after": {}}
        assert stored_body(cloudwatch) == BODY  # check mode deleted nothing

    result = ok(run_module(ABSENT))
    assert result["changed"] is True
    assert result["dashboard"] == {}
    assert stored_body(cloudwatch) is None

    for check in (False, True):
        result = ok(run_module(ABSENT, check=check))
        assert result["changed"] is False
        assert result["dashboard"] == {}


def test_other_dashboards_are_left_alone(run_module, cloudwatch):
    # ListDashboards is asked with the name as prefix: a longer name must not be taken for it.
    cloudwatch.put_dashboard(DashboardName=NAME + "-old", DashboardBody=json.dumps({"widgets": []}))
    result = ok(run_module(PRESENT))
    assert result["dashboard"]["size"] == len(cloudwatch.get_dashboard(DashboardName=NAME)["DashboardBody"])

    ok(run_module(ABSENT))
    assert stored_body(cloudwatch, NAME + "-old") == {"widgets": []}


def test_invalid_body_fails_before_any_call(run_module, cloudwatch):
    result = run_module({"dashboard_name": NAME, "dashboard_body": '{"widgets": [}'})
    assert result.get("failed") is True, result
    assert "dashboard_body is not valid JSON" in result["msg"]
    assert stored_body(cloudwatch) is None
