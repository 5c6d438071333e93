#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatch_dashboard
version_added: 0.1.0
short_description: Manage an Amazon CloudWatch dashboard
description:
  - Create, replace and delete one Amazon CloudWatch dashboard, identified by O(dashboard_name).
    Neither amazon.aws nor community.aws has a module for dashboards.
  - The current dashboard is read with C(GetDashboard) (C(ResourceNotFound) means absent) and
    C(ListDashboards) (for its last modification time and size); it is written with
    C(PutDashboard), which replaces the whole body, and deleted with C(DeleteDashboards).
  - The current body and O(dashboard_body) are compared as parsed JSON, so a body that differs
    only in key order, whitespace or the form of a number (V(1) and V(1.0)) is not a change.
    The order of the widgets (and of every other list) is significant.
  - Dashboards are global to the account; the region only selects the endpoint.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  dashboard_name:
    description:
      - The name of the dashboard, e.g. V(medtech-prod-overview).
      - 1 to 255 characters, only letters C(A-Z) and C(a-z), digits, C(-) and C(_).
    type: str
    required: true
    aliases: [name]
  dashboard_body:
    description:
      - The dashboard body, as a dictionary (written in YAML) or as a JSON string (e.g. a JSON
        file read with the C(ansible.builtin.file) lookup). The widgets are described in the
        Dashboard Body Structure reference (see below).
      - It must be a JSON object with a C(widgets) list; each widget is placed by its C(x),
        C(y), C(width) and C(height) (in grid units, 24 columns wide).
      - The whole body is replaced when it differs; widgets not listed are removed.
      - Required with O(state=present); ignored with O(state=absent).
    type: raw
  state:
    description:
      - V(present) creates the dashboard or replaces its body when it differs from
        O(dashboard_body).
      - V(absent) deletes it; a dashboard that does not exist is not a change.
    type: str
    choices: [present, absent]
    default: present
notes:
  - "Calls: C(cloudwatch:GetDashboard), C(cloudwatch:ListDashboards), C(cloudwatch:PutDashboard),
    C(cloudwatch:DeleteDashboards)."
  - AWS validates the body when it is written. A body it refuses (C(InvalidParameterInput),
    also named C(DashboardInvalidInputError)) fails the task with AWS's validation messages; in
    check mode nothing is sent, so check mode cannot find these errors.
  - Validation messages of a body AWS accepted (widgets that might not render) are shown as
    warnings.
  - "Failures: an invalid O(dashboard_name), an O(dashboard_body) that is not valid JSON or has
    no C(widgets) list, or a missing O(dashboard_body) with O(state=present) (all before any AWS
    call); a body AWS refuses (C(CloudWatch refused the dashboard_body of the dashboard <name>));
    any other API error as C(Failed to <action> the CloudWatch dashboard <name>) with AWS's code
    and message."
seealso:
  - name: CloudWatch dashboard body structure and syntax
    description: The widgets, their properties and the layout grid.
    link: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
  - name: PutDashboard API
    description: What PutDashboard validates and the validation messages it returns.
    link: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html
attributes:
  check_mode:
    support: full
    description:
      - Reads the dashboard and decides whether it would change, but writes nothing.
        RV(dashboard) is the dashboard as it would be (a new one has no ARN yet).
  diff_mode:
    support: full
    description:
      - Returns the dashboard's name and parsed body before and after the run.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Credentials, region and endpoint can be set once for the whole play with
# module_defaults: {group/medtech.aws_platform.aws: {region: eu-central-1}}.

- name: The production overview dashboard, written in YAML
  medtech.aws_platform.cloudwatch_dashboard:
    dashboard_name: medtech-prod-overview
    dashboard_body:
      widgets:
        - type: text
          x: 0
          y: 0
          width: 24
          height: 2
          properties:
            markdown: "Managed by Ansible (medtech.aws_platform): changes in the console are overwritten."
        - type: metric
          x: 0
          y: 2
          width: 12
          height: 6
          properties:
            title: api-gateway CPU
            region: eu-central-1
            stat: Average
            period: 300
            metrics:
              - ["AWS/ECS", "CPUUtilization", "ClusterName", "medtech-prod-cluster", "ServiceName", "api-gateway"]
  register: dashboard

- name: A dashboard kept as a JSON file beside the playbook
  medtech.aws_platform.cloudwatch_dashboard:
    name: medtech-prod-database
    dashboard_body: "{{ lookup('ansible.builtin.file', 'dashboards/database.json') }}"

- name: Delete a dashboard
  medtech.aws_platform.cloudwatch_dashboard:
    dashboard_name: medtech-test-overview
    state: absent
"""

RETURN = r"""
dashboard:
  description:
    - The dashboard after the run, as C(GetDashboard) and C(ListDashboards) return it.
    - In check mode, the dashboard as it would be; a dashboard that would be created has only
      RV(dashboard.dashboard_name) and RV(dashboard.dashboard_body).
    - C({}) when the dashboard does not exist after the run (with O(state=absent), also in check
      mode).
  returned: always
  type: dict
  contains:
    dashboard_name:
      description: The name of the dashboard.
      returned: when the dashboard exists
      type: str
      sample: medtech-prod-overview
    dashboard_arn:
      description: The ARN of the dashboard (dashboards are global, so it has no region).
      returned: when the dashboard exists (not for one that check mode would create)
      type: str
      sample: arn:aws:cloudwatch::123456789012:dashboard/medtech-prod-overview
    dashboard_body:
      description: The body of the dashboard, parsed from the JSON that AWS holds.
      returned: when the dashboard exists
      type: dict
      sample: {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {"markdown": "Managed by Ansible"}}]}
    last_modified:
      description: When the dashboard was last changed, ISO 8601.
      returned: when C(ListDashboards) reports the dashboard
      type: str
      sample: "2025-03-01T10:15:42+00:00"
    size:
      description: The size of the body in bytes.
      returned: when C(ListDashboards) reports the dashboard
      type: int
      sample: 1834
changed:
  description: Whether the dashboard was (or, in check mode, would be) created, replaced or deleted.
  returned: always
  type: bool
  sample: true
diff:
  description:
    - The name and parsed body of the dashboard before and after the run (C({}) when it does
      not exist).
  returned: in diff mode
  type: dict
  sample:
    before: {}
    after:
      dashboard_name: medtech-prod-overview
      dashboard_body: {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {"markdown": "Hi"}}]}
"""

import copy
import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch import delete_dashboard
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch import find_dashboard_entry
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch import get_dashboard
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch import put_dashboard
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch import validation_messages_text
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager

MAX_NAME_LENGTH = 255
NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_-]")


# --- input ------------------------------------------------------------------------------
def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def json_type(value):
    """The JSON name of a parsed value's type (object, array, string, number, boolean, null)."""
    if isinstance(value, bool):
        return "boolean"
    names = {dict: "object", list: "array", str: "string", int: "number", float: "number"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


def parse_body(body):
    """The dashboard body option as (parsed dict, JSON text to send).

    :param body: a dict (or list) structure, or a JSON string.
    :return: ``(dict, str)``: a string is sent as the user wrote it; a structure as compact JSON.
    :raises ValueError: with a message naming ``dashboard_body``, when it is not valid JSON (or
        holds NaN/Infinity, which JSON lacks), or not an object with a ``widgets`` list.
    """
    if isinstance(body, str):
        text = body
        try:
            parsed = json.loads(body, parse_constant=_reject_constant)
        except ValueError as e:
            raise ValueError(
                f"dashboard_body is not valid JSON ({e}): give a JSON object such as "
                '{"widgets": [...]}, or the body as a YAML dictionary'
            ) from None
    else:
        try:
            text = json.dumps(body, allow_nan=False, separators=(",", ":"))
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"dashboard_body cannot be written as JSON ({e}): use only dictionaries, lists, "
                "strings, numbers, booleans and null"
            ) from None
        parsed = json.loads(text)  # keys as strings, tuples as lists: what AWS will hold
    if not isinstance(parsed, dict):
        problem = f"is a JSON {json_type(parsed)}"
    elif "widgets" not in parsed:
        problem = "has no widgets key"
    elif not isinstance(parsed["widgets"], list):
        problem = f"has widgets as a JSON {json_type(parsed['widgets'])}"
    else:
        return parsed, text
    raise ValueError(
        f"dashboard_body {problem}: it must be a JSON object with a widgets list, e.g. "
        '{"widgets": [{"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {"markdown": "..."}}]}'
    )


def validate_name(name):
    """The problems of a dashboard name, as a list of messages (empty when it is valid)."""
    errors = []
    if not name:
        errors.append("dashboard_name is empty: give 1 to 255 letters, digits, - or _")
    elif len(name) > MAX_NAME_LENGTH:
        errors.append(f"dashboard_name is {len(name)} characters long: shorten it to at most {MAX_NAME_LENGTH}")
    bad = sorted(set(NAME_CHARACTERS.findall(name or "")))
    if bad:
        errors.append(
            f"dashboard_name {name!r} has the characters {' '.join(repr(c) for c in bad)}, which AWS does not "
            "allow: use only A-Z, a-z, 0-9, - and _"
        )
    return errors


# --- compare ----------------------------------------------------------------------------
def _integral(value):
    """``value`` with every float that holds a whole number turned into an int (1.0 -> 1)."""
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def comparable_body(body):
    """A dashboard body as text that is equal exactly when the bodies mean the same.

    Key order and whitespace do not count, numbers compare by value (1 == 1.0), and list order
    (the widget layout) counts. Unlike ``common.normalize``, strings that look like JSON (a
    markdown text widget's ``[link](url)``) stay strings, null stays null, and ``true`` differs
    from ``1``.
    """
    return json.dumps(_integral(body), sort_keys=True, separators=(",", ":"))


def dashboard_view(raw, entry):
    """The dashboard as the module returns it: GetDashboard's answer, its body parsed, and the
    ListDashboards entry's last modification time and size when there is one."""
    body = raw.get("DashboardBody")
    try:
        body = json.loads(body) if isinstance(body, str) else body
    except ValueError:
        pass  # AWS holds only bodies it validated; keep the text if not
    view = {"dashboard_name": raw.get("DashboardName"), "dashboard_arn": raw.get("DashboardArn"), "dashboard_body": body}
    if entry:
        if entry.get("LastModified") is not None:
            view["last_modified"] = entry["LastModified"].isoformat()
        if entry.get("Size") is not None:
            view["size"] = entry["Size"]
    return view


def diff_view(dashboard):
    """The managed parts of a dashboard (name and parsed body), for ``diff``."""
    if not dashboard:
        return {}
    return {"dashboard_name": dashboard.get("dashboard_name"), "dashboard_body": dashboard.get("dashboard_body")}


# --- compare and act --------------------------------------------------------------------
class DashboardManager(ResourceManager):
    """One CloudWatch dashboard, identified by its name."""

    result_key = "dashboard"
    read_attempts = 5  # a new dashboard may take a moment to be readable

    def __init__(self, module, client, body=None, body_text=None):
        """:param body: the parsed dashboard_body (state=present); :param body_text: the JSON to send."""
        super().__init__(module, client)
        self.name = module.params["dashboard_name"]
        self.body = body
        self.body_text = body_text

    def read(self):
        raw = get_dashboard(self.client, self.name)
        if raw is None:
            return None
        return dashboard_view(raw, find_dashboard_entry(self.client, self.name))

    def put(self):
        messages = put_dashboard(self.client, self.name, self.body_text)
        for item in messages:
            self.module.warn(
                f"CloudWatch accepted the dashboard {self.name} with a validation message: "
                f"{validation_messages_text([item])}"
            )

    def create(self):
        self.put()

    def update(self, current):
        if comparable_body(current.get("dashboard_body")) != comparable_body(self.body):
            self.act(self.put)

    def delete(self, current):
        delete_dashboard(self.client, self.name)

    def expected(self, current):
        after = copy.deepcopy(current) if current else {"dashboard_name": self.name}
        after["dashboard_body"] = copy.deepcopy(self.body)
        return after

    diff_view = staticmethod(diff_view)


def main():
    argument_spec = dict(
        dashboard_name=dict(type="str", required=True, aliases=["name"]),
        dashboard_body=dict(type="raw"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", ["dashboard_body"])],
        supports_check_mode=True,
    )

    errors = validate_name(module.params["dashboard_name"])
    body = body_text = None
    if module.params["state"] == "present":
        try:
            body, body_text = parse_body(module.params["dashboard_body"])
        except ValueError as e:
            errors.append(str(e))
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    run_manager(module, DashboardManager(module, module.client("cloudwatch"), body, body_text))


if __name__ == "__main__":
    main()
