#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_event_info
version_added: 0.1.0
short_description: List Amazon RDS events, e.g. the failovers of a DB instance
description:
  - Lists the RDS events of the module's region with C(DescribeEvents) (all pages), oldest first,
    for example the C(failover) events a failover runbook checks after a Multi-AZ failover.
  - RDS keeps events for 14 days; older ones cannot be listed.
  - The window is the last O(duration) minutes, or O(start_time) to O(end_time).
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  source_identifier:
    description:
      - Only the events of this source, e.g. the DB instance V(medtech-prod-db) (with
        O(source_type=db-instance)).
      - AWS requires O(source_type) with it; the default V(db-instance) serves.
    type: str
  source_type:
    description: Only events of this type of source.
    type: str
    default: db-instance
    choices:
      - db-instance
      - db-parameter-group
      - db-security-group
      - db-snapshot
      - db-cluster
      - db-cluster-snapshot
      - custom-engine-version
      - db-proxy
      - blue-green-deployment
      - db-shard-group
      - zero-etl
  event_categories:
    description:
      - Only events in these categories, e.g. V([failover]), V([failure, notification]).
        C(DescribeEventCategories) lists the categories of each source type.
    type: list
    elements: str
  duration:
    description:
      - The window, in minutes back from now, 1 to 20160 (14 days, the time RDS keeps events).
      - Used when neither O(start_time) nor O(end_time) is set; defaults to 60 then.
    type: int
  start_time:
    description:
      - The start of the window, ISO 8601 with a time zone, e.g. V(2026-03-01T09:00:00Z).
      - Not with O(duration). AWS ends the window at O(end_time), or now.
    type: str
  end_time:
    description:
      - The end of the window, ISO 8601 with a time zone. Not with O(duration); must be after O(start_time).
    type: str
notes:
  - "Calls: C(rds:DescribeEvents)."
  - "Failures: invalid options (C(Invalid options: ...)) before any AWS call; AWS errors as
    C(Failed to describe the RDS events) with AWS's code and message (e.g. C(InvalidParameterValue),
    C(InvalidParameterCombination), C(AccessDenied))."
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The failover events of the prod database in the last hour
  medtech.aws_platform.rds_event_info:
    source_identifier: medtech-prod-db
    event_categories:
      - failover
  register: failover_events

- name: Confirm that a failover completed
  ansible.builtin.assert:
    that:
      - failover_events.events | selectattr('message', 'search', 'completed') | list | length > 0
    fail_msg: RDS reports no completed failover of medtech-prod-db in the last hour

- name: Every event of the last day, for the incident report
  medtech.aws_platform.rds_event_info:
    duration: 1440

- name: Events of a DR drill's time window
  medtech.aws_platform.rds_event_info:
    source_identifier: medtech-prod-db-drill
    start_time: "2026-03-01T09:00:00Z"
    end_time: "2026-03-01T11:00:00Z"
"""

RETURN = r"""
events:
  description: The events found, oldest first.
  returned: always
  type: list
  elements: dict
  contains:
    source_identifier:
      description: The source of the event.
      type: str
      sample: medtech-prod-db
    source_type:
      description: The type of the source.
      type: str
      sample: db-instance
    message:
      description: The event's text.
      type: str
      sample: Multi-AZ instance failover completed.
    event_categories:
      description: The categories of the event.
      type: list
      elements: str
      sample: [failover]
    date:
      description: When it happened (UTC, ISO 8601).
      type: str
      sample: "2026-03-01T09:41:07.512000+00:00"
    source_arn:
      description: The ARN of the source.
      type: str
      sample: arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-db
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import describe_events
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import event_to_ansible
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import parse_utc_time

SOURCE_TYPES = [
    "db-instance",
    "db-parameter-group",
    "db-security-group",
    "db-snapshot",
    "db-cluster",
    "db-cluster-snapshot",
    "custom-engine-version",
    "db-proxy",
    "blue-green-deployment",
    "db-shard-group",
    "zero-etl",
]
DEFAULT_DURATION = 60
MAX_DURATION = 20160


def request_parameters(params):
    """Check the options and build the DescribeEvents parameters, before any AWS call.

    :return: ``(errors, parameters)``: a list of messages naming the option and the fix, and the
        API parameters (meaningful only without errors).
    """
    errors = []
    request = {"SourceType": params["source_type"]}
    if params["source_identifier"] is not None:
        request["SourceIdentifier"] = params["source_identifier"]
    if params["event_categories"]:
        request["EventCategories"] = list(params["event_categories"])
    times = {}
    for option, name in (("start_time", "StartTime"), ("end_time", "EndTime")):
        if params[option] is None:
            continue
        try:
            times[option] = request[name] = parse_utc_time(params[option])
        except ValueError:
            errors.append(
                f"{option}: {params[option]!r} is not an ISO 8601 time with a time zone: write it like 2026-03-01T09:00:00Z"
            )
    duration = params["duration"]
    if duration is not None and (params["start_time"] is not None or params["end_time"] is not None):
        errors.append("duration cannot be combined with start_time or end_time: give a duration or a time window")
    elif duration is not None and not 1 <= duration <= MAX_DURATION:
        errors.append(f"duration: {duration} is out of range: give 1 to {MAX_DURATION} minutes (RDS keeps events 14 days)")
    elif params["start_time"] is None and params["end_time"] is None:
        request["Duration"] = DEFAULT_DURATION if duration is None else duration
    if "start_time" in times and "end_time" in times and times["start_time"] >= times["end_time"]:
        errors.append("end_time must be after start_time")
    return errors, request


def main():
    argument_spec = dict(
        source_identifier=dict(type="str"),
        source_type=dict(type="str", default="db-instance", choices=SOURCE_TYPES),
        event_categories=dict(type="list", elements="str"),
        duration=dict(type="int"),
        start_time=dict(type="str"),
        end_time=dict(type="str"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors, request = request_parameters(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))
    client = module.client("rds")
    try:
        found = describe_events(client, **request)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    events = sorted((event_to_ansible(event) for event in found), key=lambda event: event["date"] or "")
    module.exit_json(changed=False, events=events)


if __name__ == "__main__":
    main()
