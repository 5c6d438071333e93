# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the cloudwatch_dashboard module, against botocore's Stubber, and its pure functions.

The Stubber validates every request against the real CloudWatch API model and answers with the
responses queued here, in order; an unexpected call fails the test. So "no write in check mode"
and "no call before validation" are asserted by queueing none, and the order of the queue
asserts the order of the calls. Each test runs the module's main() through AnsibleAWSModule,
with only ``AnsibleAWSModule.client`` patched to return the stubbed client.

Paths tested only here: AWS's refusal of a body (``InvalidParameterInput``, which newer protocols
name ``DashboardInvalidInputError``, with its ``dashboardValidationMessages``), the validation
messages of an accepted body (warnings), and a body that AWS returns formatted differently from
what was sent.
"""

from __future__ import annotations

import datetime
import json

import boto3
import pytest
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.modules import cloudwatch_dashboard as module_under_test

REGION = "eu-central-1"
NAME = "medtech-prod-overview"
ARN = f"arn:aws:cloudwatch::123456789012:dashboard/{NAME}"
MODIFIED = datetime.datetime(2025, 3, 1, 10, 15, 42, tzinfo=datetime.timezone.utc)
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
                "metrics": [["AWS/ECS", "CPUUtilization", "ClusterName", "medtech-prod-cluster"]],
            },
        },
    ]
}
# BODY as the console stores it: other key order, indentation, a float where BODY has an int.
STORED = """{
    "widgets": [
        {"properties": {"markdown": "Managed by Ansible"}, "height": 2, "width": 24, "y": 0, "x": 0, "type": "text"},
        {
            "height": 6.0, "width": 12, "y": 2, "x": 0, "type": "metric",
            "properties": {
                "metrics": [["AWS/ECS", "CPUUtilization", "ClusterName", "medtech-prod-cluster"]],
                "period": 300, "stat": "Average", "region": "eu-central-1"
            }
        }
    ]
}"""
COMPACT = json.dumps(BODY, separators=(",", ":"))
ARGS = {"dashboard_name": NAME, "dashboard_body": BODY, "region": REGION}
ABSENT = {"dashboard_name": NAME, "state": "absent", "region": REGION}


def changed_body():
    body = json.loads(json.dumps(BODY))
    body["widgets"][1]["properties"]["stat"] = "Maximum"
    return body


class Stub:
    """A real boto3 cloudwatch client with a Stubber, and shortcuts for its calls."""

    def __init__(self):
        self.client = boto3.client(
            "cloudwatch", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self.stubber = Stubber(self.client)

    def get(self, body):
        """GetDashboard (and the ListDashboards that follows it) finding the dashboard with ``body``."""
        text = body if isinstance(body, str) else json.dumps(body)
        self.stubber.add_response(
            "get_dashboard",
            {"DashboardArn": ARN, "DashboardBody": text, "DashboardName": NAME},
            {"DashboardName": NAME},
        )
        self.stubber.add_response(
            "list_dashboards",
            {"DashboardEntries": [
                {"DashboardName": NAME + "-old", "DashboardArn": ARN + "-old", "LastModified": MODIFIED, "Size": 10},
                {"DashboardName": NAME, "DashboardArn": ARN, "LastModified": MODIFIED, "Size": len(text)},
            ]},
            {"DashboardNamePrefix": NAME},
        )

    def missing(self, operation="get_dashboard", code="ResourceNotFound"):
        self.stubber.add_client_error(
            operation, service_error_code=code, service_message="Dashboard does not exist", http_status_code=404
        )

    def put(self, text, messages=None):
        self.stubber.add_response(
            "put_dashboard",
            {"DashboardValidationMessages": messages or []},
            {"DashboardName": NAME, "DashboardBody": text},
        )

    def delete(self):
        self.stubber.add_response("delete_dashboards", {}, {"DashboardNames": [NAME]})


@pytest.fixture()
def cw():
    stub = Stub()
    with consumed(stub.stubber):
        yield stub


def run(cw, args, check_mode=False, diff=True):
    return run_main(module_under_test, args, cw.client, check_mode=check_mode, diff=diff)


# --- create -------------------------------------------------------------------------------------
def test_create_puts_the_body_and_returns_the_dashboard(cw):
    cw.missing()
    cw.put(COMPACT)
    cw.get(COMPACT)

    failed, result = run(cw, ARGS)

    assert not failed, result
    assert result["changed"] is True
    assert result["dashboard"] == {
        "dashboard_name": NAME,
        "dashboard_arn": ARN,
        "dashboard_body": BODY,
        "last_modified": "2025-03-01T10:15:42+00:00",
        "size": len(COMPACT),
    }
    assert result["diff"] == {"before": {}, "after": {"dashboard_name": NAME, "dashboard_body": BODY}}


def test_create_from_a_json_string_sends_it_as_written(cw):
    cw.missing(code="DashboardNotFoundError")  # the name newer protocols give ResourceNotFound
    cw.put(STORED)
    cw.get(STORED)

    failed, result = run(cw, {"name": NAME, "dashboard_body": STORED, "region": REGION})  # the alias

    assert not failed, result
    assert result["changed"] is True
    assert result["dashboard"]["dashboard_body"]["widgets"][0]["properties"] == {"markdown": "Managed by Ansible"}


def test_create_in_check_mode_writes_nothing(cw):
    cw.missing()  # no put_dashboard queued: a write would fail the test

    failed, result = run(cw, ARGS, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["dashboard"] == {"dashboard_name": NAME, "dashboard_body": BODY}
    assert result["diff"]["after"] == {"dashboard_name": NAME, "dashboard_body": BODY}


# --- no change ----------------------------------------------------------------------------------
@pytest.mark.parametrize("desired", [BODY, STORED, COMPACT], ids=["dict", "reordered-json", "compact-json"])
def test_no_change_when_the_body_differs_only_in_format(cw, desired):
    cw.get(STORED)  # other key order, whitespace, 6.0 for 6

    failed, result = run(cw, dict(ARGS, dashboard_body=desired))

    assert not failed, result
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["dashboard"]["dashboard_arn"] == ARN


# --- update -------------------------------------------------------------------------------------
def test_changed_body_is_put_and_shown_in_the_diff(cw):
    new = changed_body()
    cw.get(BODY)
    cw.put(json.dumps(new, separators=(",", ":")))
    cw.get(new)

    failed, result = run(cw, dict(ARGS, dashboard_body=new))

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["dashboard_body"] == BODY
    assert result["diff"]["after"]["dashboard_body"] == new
    assert result["dashboard"]["dashboard_body"]["widgets"][1]["properties"]["stat"] == "Maximum"


def test_widget_order_is_a_change(cw):
    swapped = {"widgets": list(reversed(BODY["widgets"]))}
    cw.get(BODY)
    cw.put(json.dumps(swapped, separators=(",", ":")))
    cw.get(swapped)

    failed, result = run(cw, dict(ARGS, dashboard_body=swapped))

    assert not failed, result
    assert result["changed"] is True


def test_boolean_and_number_differ(cw):
    # Python says True == 1; the dashboard does not.
    stored = {"widgets": [dict(BODY["widgets"][1], properties={"stacked": 1})]}
    wanted = {"widgets": [dict(BODY["widgets"][1], properties={"stacked": True})]}
    cw.get(stored)

    failed, result = run(cw, dict(ARGS, dashboard_body=wanted), check_mode=True)

    assert not failed, result
    assert result["changed"] is True


def test_update_in_check_mode_writes_nothing(cw):
    cw.get(BODY)

    failed, result = run(cw, dict(ARGS, dashboard_body=changed_body()), check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["dashboard"]["dashboard_body"] == changed_body()
    assert result["dashboard"]["dashboard_arn"] == ARN
    assert result["diff"]["before"]["dashboard_body"] == BODY


# --- AWS's validation -------------------------------------------------------------------------------
AWS_REFUSAL = (
    "The dashboard body is invalid, there are 1 validation errors:\n[\n  {\n    \"dataPath\": "
    "\"/widgets/1/properties\",\n    \"message\": \"Should have required property 'region'\"\n  }\n]"
)


def test_body_refused_by_aws_fails_with_its_messages(cw):
    # As botocore parses AWS's answer: the query-compatible code, the shape's modeled fields.
    cw.missing()
    cw.stubber.add_client_error(
        "put_dashboard",
        service_error_code="InvalidParameterInput",
        service_message=AWS_REFUSAL,
        http_status_code=400,
        service_error_meta={"QueryErrorCode": "DashboardInvalidInputError", "Type": "Sender"},
        modeled_fields={
            "message": AWS_REFUSAL,
            "dashboardValidationMessages": [
                {"DataPath": "/widgets/1/properties", "Message": "Should have required property 'region'"}
            ],
        },
    )

    failed, result = run(cw, ARGS)

    assert failed
    assert result["msg"].startswith(
        f"CloudWatch refused the dashboard_body of the dashboard {NAME} "
        "(/widgets/1/properties: Should have required property 'region'); fix the widgets"
    )
    assert result["error"]["code"] == "InvalidParameterInput"
    assert result["dashboard_validation_messages"] == [
        {"data_path": "/widgets/1/properties", "message": "Should have required property 'region'"}
    ]


@pytest.mark.parametrize("code", ["InvalidParameterInput", "DashboardInvalidInputError"])
def test_refusal_without_modeled_messages_keeps_aws_message(cw, code):
    # DashboardInvalidInputError: the code when the answer lacks the query-compatible header.
    cw.get(BODY)
    cw.stubber.add_client_error(
        "put_dashboard", service_error_code=code, service_message=AWS_REFUSAL, http_status_code=400
    )

    failed, result = run(cw, dict(ARGS, dashboard_body=changed_body()))

    assert failed
    assert result["msg"].startswith(f"CloudWatch refused the dashboard_body of the dashboard {NAME}; fix")
    assert "Should have required property 'region'" in result["msg"]  # AWS's own message follows
    assert result["error"]["code"] == code


def test_validation_messages_of_an_accepted_body_are_warnings(cw):
    cw.missing()
    cw.put(COMPACT, messages=[{"DataPath": "/widgets/1/properties/metrics/0", "Message": "Metric not found"}])
    cw.get(COMPACT)

    warnings = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module_under_test.AnsibleAWSModule, "warn", lambda self, text: warnings.append(text))
        failed, result = run(cw, ARGS)

    assert not failed, result
    assert result["changed"] is True
    assert warnings == [
        f"CloudWatch accepted the dashboard {NAME} with a validation message: "
        "/widgets/1/properties/metrics/0: Metric not found"
    ]


def test_other_aws_error_names_the_action(cw):
    cw.stubber.add_client_error(
        "get_dashboard", service_error_code="AccessDenied", service_message="not authorized", http_status_code=403
    )

    failed, result = run(cw, ARGS)

    assert failed
    assert result["msg"] == f"Failed to get the CloudWatch dashboard {NAME}: An error occurred (AccessDenied) " \
        "when calling the GetDashboard operation: not authorized"


# --- delete -------------------------------------------------------------------------------------
def test_delete(cw):
    cw.get(BODY)
    cw.delete()

    failed, result = run(cw, ABSENT)

    assert not failed, result
    assert result["changed"] is True
    assert result["dashboard"] == {}
    assert result["diff"] == {"before": {"dashboard_name": NAME, "dashboard_body": BODY}, "after": {}}


def test_delete_in_check_mode_writes_nothing(cw):
    cw.get(BODY)  # no delete_dashboards queued

    failed, result = run(cw, ABSENT, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["dashboard"] == {}


def test_delete_absent_is_no_change(cw):
    cw.missing()

    failed, result = run(cw, ABSENT)

    assert not failed, result
    assert result["changed"] is False
    assert result["diff"] == {"before": {}, "after": {}}


def test_delete_that_finds_it_already_gone_is_not_an_error(cw):
    cw.get(BODY)
    cw.missing("delete_dashboards")  # deleted by someone else between the read and the delete

    failed, result = run(cw, ABSENT)

    assert not failed, result
    assert result["changed"] is True


# --- input errors, before any call ---------------------------------------------------------------
@pytest.mark.parametrize(
    "args, expected",
    [
        ({"dashboard_body": '{"widgets": [}'}, "dashboard_body is not valid JSON"),
        ({"dashboard_body": ""}, "dashboard_body is not valid JSON"),
        ({"dashboard_body": '{"widgets": [{"x": NaN}]}'}, "dashboard_body is not valid JSON (NaN is not JSON)"),
        ({"dashboard_body": {"widgets": [{"y": float("nan")}]}}, "dashboard_body cannot be written as JSON"),
        ({"dashboard_body": '{"start": "-PT3H"}'}, "dashboard_body has no widgets key"),
        ({"dashboard_body": {"widgets": {"type": "text"}}}, "dashboard_body has widgets as a JSON object"),
        ({"dashboard_body": [{"type": "text"}]}, "dashboard_body is a JSON array"),
        ({"dashboard_body": '"widgets"'}, "dashboard_body is a JSON string"),
        ({"dashboard_name": "medtech prod/overview"}, "has the characters ' ' '/', which AWS does not allow"),
        ({"dashboard_name": "x" * 256}, "dashboard_name is 256 characters long: shorten it to at most 255"),
        ({"dashboard_name": ""}, "dashboard_name is empty"),
    ],
)
def test_invalid_input_fails_before_any_call(cw, args, expected):
    failed, result = run(cw, dict(ARGS, **args))  # no response queued: any call would fail the test

    assert failed
    assert result["msg"].startswith("Invalid options: ")
    assert expected in result["msg"]


def test_body_is_required_with_state_present(cw):
    failed, result = run(cw, {"dashboard_name": NAME, "region": REGION})

    assert failed
    assert "dashboard_body" in result["msg"]


def test_name_is_checked_with_state_absent_too(cw):
    failed, result = run(cw, dict(ABSENT, dashboard_name="a.b"))

    assert failed
    assert "'.'" in result["msg"]


# --- pure functions -----------------------------------------------------------------------------
def test_comparable_body():
    compare = module_under_test.comparable_body
    assert compare({"a": 1, "b": [1.0, {"c": None}]}) == compare({"b": [1, {"c": None}], "a": 1.0})
    assert compare({"a": [1, 2]}) != compare({"a": [2, 1]})
    assert compare({"a": True}) != compare({"a": 1})
    assert compare({"a": None}) != compare({})
    assert compare({"a": 1.5}) != compare({"a": 1})
    assert compare({"markdown": "[1, 2]"}) != compare({"markdown": [1, 2]})
