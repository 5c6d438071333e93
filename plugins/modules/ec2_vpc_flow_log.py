#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_vpc_flow_log
version_added: 0.1.0
short_description: Manage a VPC flow log of a VPC, subnet or network interface
description:
  - Create, tag and delete one Amazon VPC flow log, delivered to CloudWatch Logs or to S3.
  - The flow log is identified by O(resource_id), O(traffic_type) and its destination
    (O(log_destination_type) with O(log_group_name) or O(log_destination)). Several flow logs
    may watch the same resource; the module manages only the one with that identity.
  - AWS cannot modify a flow log in place, except its tags. When O(deliver_logs_permission_arn),
    O(log_format) or O(max_aggregation_interval) differ from the existing flow log, the module
    fails and says which options differ, unless O(replace_on_change=true), in which case it
    deletes the flow log and creates it again (see O(replace_on_change)).
  - Options that are not set are left alone on an existing flow log, and are carried over when
    it is replaced (O(log_format), O(tags)).
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  resource_id:
    description:
      - The ID of the VPC, subnet or network interface whose traffic is logged, e.g. V(vpc-0a1b2c3d).
    type: str
    required: true
  resource_type:
    description:
      - The type of O(resource_id).
      - Used only when the flow log is created (AWS does not return it).
    type: str
    choices: [VPC, Subnet, NetworkInterface]
    default: VPC
  traffic_type:
    description:
      - The traffic to log, accepted, rejected or all traffic.
      - Part of the flow log's identity; a different value manages a different flow log.
    type: str
    choices: [ACCEPT, REJECT, ALL]
    default: ALL
  log_destination_type:
    description:
      - Where the flow log records are delivered.
      - Part of the flow log's identity.
    type: str
    choices: [cloud-watch-logs, s3]
    default: cloud-watch-logs
  log_group_name:
    description:
      - The name of the CloudWatch Logs log group the records go to, e.g. V(/aws/vpc/flow-logs).
      - Only with O(log_destination_type=cloud-watch-logs), which needs either this or
        O(log_destination).
      - AWS accepts a log group that does not exist yet, but then reports the delivery as
        V(FAILED) (RV(flow_log.deliver_logs_status)); create the group first.
      - Part of the flow log's identity.
    type: str
  log_destination:
    description:
      - The ARN of the destination.
      - With O(log_destination_type=cloud-watch-logs) the ARN of a log group,
        V(arn:aws:logs:<region>:<account>:log-group:<name>); alternatively use O(log_group_name).
      - With O(log_destination_type=s3) the ARN of a bucket with an optional folder,
        V(arn:aws:s3:::<bucket>/<folder>/). Required for V(s3). The bucket must exist.
      - Part of the flow log's identity.
    type: str
  deliver_logs_permission_arn:
    description:
      - The ARN of the IAM role that the flow logs service (V(vpc-flow-logs.amazonaws.com)) assumes
        to write to the log group.
      - Required with O(log_destination_type=cloud-watch-logs) and O(state=present).
      - Not allowed with O(log_destination_type=s3) (AWS rejects it; S3 delivery uses the bucket
        policy instead).
      - Immutable, see O(replace_on_change).
    type: str
  log_format:
    description:
      - The fields of a flow log record, in order, in the C(${field-id}) form separated by
        spaces, e.g. V(${version} ${interface-id} ${srcaddr} ${dstaddr} ${action}).
      - When not set, a new flow log gets AWS's default format and an existing one keeps its
        format.
      - Compared ignoring repeated spaces. Immutable, see O(replace_on_change).
    type: str
  max_aggregation_interval:
    description:
      - The longest time, in seconds, during which a flow of packets is aggregated into one
        record.
      - On network interfaces of Nitro-based instances AWS always aggregates over 60 seconds or
        less, whatever this says.
      - Immutable, see O(replace_on_change).
    type: int
    choices: [60, 600]
    default: 600
  replace_on_change:
    description:
      - What to do when O(deliver_logs_permission_arn), O(log_format) or
        O(max_aggregation_interval) differ from the existing flow log, which AWS cannot modify.
      - V(false) fails without changing anything and lists the differences.
      - V(true) deletes the flow log and creates a new one with a new ID, keeping its tags and
        format unless O(tags) or O(log_format) are set. Traffic of the few seconds in between
        is not logged.
    type: bool
    default: false
  state:
    description:
      - V(present) creates the flow log or brings its tags in line.
      - V(absent) deletes it; the records already delivered stay in the destination.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Only the VPC flow log API is called (C(ec2:DescribeFlowLogs), C(ec2:CreateFlowLogs),
    C(ec2:DeleteFlowLogs), C(ec2:DescribeTags), C(ec2:CreateTags), C(ec2:DeleteTags)); the
    caller also needs C(iam:PassRole) on O(deliver_logs_permission_arn). The log group, bucket
    and IAM role are created by other tasks.
  - Several flow logs may send the same resource's traffic to the same destination with
    different O(traffic_type); AWS refuses a second one with the same configuration
    (C(FlowLogAlreadyExists)).
seealso:
  - name: VPC flow logs
    description: The Amazon VPC user guide on flow logs, their record fields and IAM roles.
    link: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html
attributes:
  check_mode:
    support: full
    description: Decides whether anything would change without writing anything.
  diff_mode:
    support: full
    description: Returns the flow log before and after the run as C(diff.before) and C(diff.after).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Credentials, region and endpoint can be set once for the whole play with
# module_defaults: {group/medtech.aws_platform.aws: {region: eu-central-1}}.

- name: Log all traffic of the VPC to CloudWatch Logs
  medtech.aws_platform.ec2_vpc_flow_log:
    resource_id: "{{ vpc.vpc.id }}"
    traffic_type: ALL
    log_group_name: /medtech/prod/vpc-flow-logs
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/medtech-prod-vpc-flow-logs
    max_aggregation_interval: 60
    tags:
      environment: prod
      project: medtech
      managed-by: ansible
      cost-centre: platform
  register: flow_log

- name: Log rejected traffic of one subnet to S3, in a custom format
  medtech.aws_platform.ec2_vpc_flow_log:
    resource_id: subnet-0a1b2c3d4e5f60718
    resource_type: Subnet
    traffic_type: REJECT
    log_destination_type: s3
    log_destination: arn:aws:s3:::medtech-prod-flow-logs/db-subnets/
    log_format: "${version} ${interface-id} ${srcaddr} ${dstaddr} ${dstport} ${protocol} ${action}"

- name: Change the aggregation interval, which needs a new flow log
  medtech.aws_platform.ec2_vpc_flow_log:
    resource_id: "{{ vpc.vpc.id }}"
    log_group_name: /medtech/prod/vpc-flow-logs
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/medtech-prod-vpc-flow-logs
    max_aggregation_interval: 600
    replace_on_change: true

- name: Delete the flow log (the records already delivered stay in the log group)
  medtech.aws_platform.ec2_vpc_flow_log:
    resource_id: "{{ vpc.vpc.id }}"
    log_group_name: /medtech/prod/vpc-flow-logs
    state: absent
"""

RETURN = r"""
flow_log:
  description:
    - The flow log as AWS holds it after the run.
    - Empty when it does not exist (O(state=absent)).
    - In check mode, when the flow log would be created or replaced, only the keys known before
      AWS creates it (no RV(flow_log.flow_log_id), RV(flow_log.creation_time) or statuses).
  returned: always
  type: dict
  contains:
    flow_log_id:
      description: The ID of the flow log.
      returned: when the flow log exists
      type: str
      sample: fl-0a1b2c3d4e5f60718
    resource_id:
      description: The ID of the VPC, subnet or network interface it logs.
      returned: when the flow log exists
      type: str
      sample: vpc-0a1b2c3d4e5f60718
    traffic_type:
      description: The traffic it logs.
      returned: when the flow log exists
      type: str
      sample: ALL
    log_destination_type:
      description: Where the records go.
      returned: when the flow log exists
      type: str
      sample: cloud-watch-logs
    log_group_name:
      description: The CloudWatch Logs log group.
      returned: when the destination is CloudWatch Logs
      type: str
      sample: /medtech/prod/vpc-flow-logs
    log_destination:
      description: The ARN of the destination.
      returned: when AWS reports it (always for S3)
      type: str
      sample: arn:aws:s3:::medtech-prod-flow-logs/db-subnets/
    deliver_logs_permission_arn:
      description: The IAM role that delivers to CloudWatch Logs.
      returned: when the destination is CloudWatch Logs
      type: str
      sample: arn:aws:iam::123456789012:role/medtech-prod-vpc-flow-logs
    deliver_logs_status:
      description: Whether delivery works, V(SUCCESS) or V(FAILED).
      returned: when the flow log exists
      type: str
      sample: SUCCESS
    deliver_logs_error_message:
      description: Why delivery fails, e.g. C(Access error) when the role cannot write to the log group.
      returned: when delivery fails
      type: str
      sample: Access error
    flow_log_status:
      description: The status of the flow log.
      returned: when the flow log exists
      type: str
      sample: ACTIVE
    log_format:
      description: The fields of a record, in order.
      returned: when the flow log exists
      type: str
      sample: >-
        ${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport}
        ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}
    max_aggregation_interval:
      description: The aggregation interval, in seconds.
      returned: when the flow log exists
      type: int
      sample: 600
    creation_time:
      description: When the flow log was created (ISO 8601).
      returned: when the flow log exists
      type: str
      sample: "2025-03-01T10:15:42.123000+00:00"
    destination_options:
      description: The S3 file options (file format, Hive-compatible prefixes, hourly partitions).
      returned: when the destination is S3
      type: dict
      sample: {"file_format": "plain-text", "hive_compatible_partitions": false, "per_hour_partition": false}
    tags:
      description: The tags of the flow log.
      returned: always
      type: dict
      sample: {"environment": "prod", "managed-by": "ansible"}
changed:
  description: Whether the flow log was (or, in check mode, would be) created, re-tagged, replaced or deleted.
  returned: always
  type: bool
  sample: true
diff:
  description: The flow log before and after the run (C({}) when it does not exist).
  returned: in diff mode
  type: dict
  sample: {"before": {}, "after": {"resource_id": "vpc-0a1b2c3d4e5f60718", "traffic_type": "ALL", "tags": {}}}
"""

import uuid

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import ensure_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import expected_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import diff_changes
from ansible_collections.medtech.aws_platform.plugins.module_utils.ec2_flow_log import create_flow_log
from ansible_collections.medtech.aws_platform.plugins.module_utils.ec2_flow_log import delete_flow_log
from ansible_collections.medtech.aws_platform.plugins.module_utils.ec2_flow_log import describe_flow_logs

# The options AWS cannot change on an existing flow log (tags aside).
IMMUTABLE_OPTIONS = ("deliver_logs_permission_arn", "log_format", "max_aggregation_interval")

# The ID prefix of each resource type, to catch a resource_id/resource_type mismatch early.
RESOURCE_ID_PREFIXES = {"vpc-": "VPC", "subnet-": "Subnet", "eni-": "NetworkInterface"}


# --- pure helpers -----------------------------------------------------------------------
def _squash(text):
    """A log format with runs of whitespace made single spaces (None stays None)."""
    return " ".join(text.split()) if text else text


def _log_group_from_arn(arn):
    """The log group name in a CloudWatch Logs log group ARN, or None when it is not one."""
    details = parse_aws_arn(arn or "") or {}
    if details.get("service") != "logs" or details.get("resource_type") != "log-group":
        return None
    name = details["resource_id"]
    return name[:-2] if name.endswith(":*") else name


def destination_key(log_destination_type, log_group_name=None, log_destination=None):
    """A comparable destination: (type, log group name) or (type, ARN without trailing slash)."""
    if log_destination_type == "cloud-watch-logs":
        return (log_destination_type, log_group_name or _log_group_from_arn(log_destination))
    return (log_destination_type, (log_destination or "").rstrip("/"))


def validate_params(params):
    """Check the options before any AWS call.

    :param params: the module's params.
    :return: a list of error messages, each naming the option and the fix (empty when valid).
    """
    errors = []
    destination_type = params["log_destination_type"]
    group = params.get("log_group_name")
    destination = params.get("log_destination")
    role = params.get("deliver_logs_permission_arn")

    resource_id = params["resource_id"]
    for prefix, resource_type in RESOURCE_ID_PREFIXES.items():
        if resource_id.startswith(prefix) and params["resource_type"] != resource_type:
            errors.append(
                f"resource_id {resource_id} is a {resource_type} but resource_type is "
                f"{params['resource_type']}: set resource_type: {resource_type}"
            )

    if destination_type == "cloud-watch-logs":
        if not group and not destination:
            errors.append(
                "log_destination_type=cloud-watch-logs needs its log group: set log_group_name "
                "(e.g. /aws/vpc/flow-logs) or log_destination (the log group ARN, "
                "arn:aws:logs:<region>:<account>:log-group:<name>)"
            )
        if destination and not _log_group_from_arn(destination):
            errors.append(
                f"log_destination {destination!r} is not a CloudWatch Logs log group ARN "
                "(arn:aws:logs:<region>:<account>:log-group:<name>): fix it, or set "
                "log_group_name instead, or set log_destination_type: s3 for a bucket"
            )
        if params["state"] == "present" and not role:
            errors.append(
                "deliver_logs_permission_arn is required with log_destination_type="
                "cloud-watch-logs: set it to the ARN of an IAM role that "
                "vpc-flow-logs.amazonaws.com can assume and that may write to the log group"
            )
    else:
        if group:
            errors.append(
                "log_group_name applies only to log_destination_type=cloud-watch-logs: for s3 "
                "remove it and set log_destination to the bucket ARN (arn:aws:s3:::<bucket>/<folder>/)"
            )
        if not destination:
            errors.append(
                "log_destination_type=s3 needs log_destination: set it to the bucket ARN "
                "(arn:aws:s3:::<bucket>/<folder>/)"
            )
        elif (parse_aws_arn(destination) or {}).get("service") != "s3":
            errors.append(
                f"log_destination {destination!r} is not an S3 bucket ARN: set it to arn:aws:s3:::<bucket>/<folder>/"
            )
        if role:
            errors.append(
                "deliver_logs_permission_arn is not used with log_destination_type=s3 (AWS "
                "rejects it: S3 delivery is granted by the bucket policy): remove it"
            )
    if params.get("log_format") is not None and not params["log_format"].strip():
        errors.append("log_format is empty: remove it for AWS's default format, or list the fields")
    return errors


# --- compare and act --------------------------------------------------------------------
class FlowLogManager(ResourceManager):
    """One flow log, identified by (resource_id, traffic_type, destination)."""

    result_key = "flow_log"
    read_attempts = 10  # DescribeFlowLogs may lag a CreateFlowLogs by a few seconds
    read_delay = 3

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params = module.params
        self.created_id = None  # the flow log this run created, preferred by read()
        self.replacing = False
        self.current_raw = None  # the boto3 FlowLog read last

    def _desired_key(self):
        return destination_key(
            self.params["log_destination_type"], self.params["log_group_name"], self.params["log_destination"]
        )

    def _matches(self, flow_log):
        if flow_log.get("TrafficType") != self.params["traffic_type"]:
            return False
        key = destination_key(
            flow_log.get("LogDestinationType", "cloud-watch-logs"),
            flow_log.get("LogGroupName"),
            flow_log.get("LogDestination"),
        )
        return key == self._desired_key()

    def read(self):
        resource_id = self.params["resource_id"]
        matches = [fl for fl in describe_flow_logs(self.client, resource_id) if self._matches(fl)]
        if self.created_id:
            matches = [fl for fl in matches if fl["FlowLogId"] == self.created_id]
        if len(matches) > 1:
            ids = ", ".join(sorted(fl["FlowLogId"] for fl in matches))
            raise AnsibleEC2Error(
                message=f"{len(matches)} flow logs ({ids}) send the {self.params['traffic_type']} "
                f"traffic of {resource_id} to {self._desired_key()[1]}; the module manages one: "
                "delete the extra ones (ec2:DeleteFlowLogs) and run again"
            )
        if not matches:
            self.current_raw = None
            return None
        self.current_raw = matches[0]
        return boto3_resource_to_ansible_dict(matches[0])

    def immutable_changes(self, current):
        """{option: wanted} for the immutable options the user set that differ from ``current``."""
        have = {key: current.get(key) for key in IMMUTABLE_OPTIONS}
        have["log_format"] = _squash(have["log_format"])
        want = {key: self.params[key] for key in IMMUTABLE_OPTIONS}
        want["log_format"] = _squash(want["log_format"])
        return diff_changes(have, want)

    def update(self, current):
        changes = self.immutable_changes(current)
        if changes:
            if not self.params["replace_on_change"]:
                details = "; ".join(
                    f"{key}: is {current.get(key)!r}, wanted {value!r}" for key, value in changes.items()
                )
                raise AnsibleEC2Error(
                    message=f"Flow log {current['flow_log_id']} of {current['resource_id']} cannot be "
                    f"changed in place (AWS can only re-tag a flow log): {details}. Set "
                    "replace_on_change: true to delete it and create a new one, or set these "
                    "options to the current values",
                    flow_log=current,
                    immutable_changes=changes,
                )
            self.replacing = True
            self.act(self.replace, current)
            return
        self.changed |= ensure_ec2_tags(
            self.client,
            self.module,
            current["flow_log_id"],
            resource_type="vpc-flow-log",
            tags=self.params["tags"],
            purge_tags=self.params["purge_tags"],
        )

    def _create_params(self, base=None):
        """CreateFlowLogs parameters from the options, carrying over from ``base`` (a boto3
        FlowLog being replaced) what the user did not set."""
        base = base or {}
        params = {
            "ClientToken": str(uuid.uuid4()),  # one token across retries: no duplicate flow log
            "ResourceType": self.params["resource_type"],
            "TrafficType": self.params["traffic_type"],
            "LogDestinationType": self.params["log_destination_type"],
            "MaxAggregationInterval": self.params["max_aggregation_interval"],
        }
        optional = {
            "LogGroupName": self.params["log_group_name"],
            "LogDestination": self.params["log_destination"],
            "DeliverLogsPermissionArn": self.params["deliver_logs_permission_arn"],
            "LogFormat": self.params["log_format"] or base.get("LogFormat"),
            "DestinationOptions": base.get("DestinationOptions"),
        }
        params.update({key: value for key, value in optional.items() if value})
        tags = self.params["tags"]
        if tags is None:
            tags = {tag["Key"]: tag["Value"] for tag in base.get("Tags", []) if not tag["Key"].startswith("aws:")}
        if tags:
            params["TagSpecifications"] = boto3_tag_specifications(tags, types="vpc-flow-log")
        return params

    def create(self):
        self.created_id = create_flow_log(self.client, self.params["resource_id"], **self._create_params())

    def replace(self, current):
        base = self.current_raw
        delete_flow_log(self.client, current["flow_log_id"])
        self.created_id = create_flow_log(self.client, self.params["resource_id"], **self._create_params(base))

    def delete(self, current):
        delete_flow_log(self.client, current["flow_log_id"])

    def expected(self, current):
        tags = expected_tags((current or {}).get("tags"), self.params["tags"], self.params["purge_tags"])
        if current is not None and not self.replacing:
            after = dict(current)
            after["tags"] = tags
            return after
        if current is not None and self.params["tags"] is None:
            tags = {key: value for key, value in tags.items() if not key.startswith("aws:")}
        group = self._desired_key()[1] if self.params["log_destination_type"] == "cloud-watch-logs" else None
        after = {
            "resource_id": self.params["resource_id"],
            "traffic_type": self.params["traffic_type"],
            "log_destination_type": self.params["log_destination_type"],
            "log_group_name": group,
            "log_destination": self.params["log_destination"],
            "deliver_logs_permission_arn": self.params["deliver_logs_permission_arn"],
            "log_format": self.params["log_format"] or (current or {}).get("log_format"),
            "max_aggregation_interval": self.params["max_aggregation_interval"],
            "destination_options": (current or {}).get("destination_options"),
        }
        after = {key: value for key, value in after.items() if value is not None}
        after["tags"] = tags
        return after


def main():
    argument_spec = dict(
        resource_id=dict(type="str", required=True),
        resource_type=dict(type="str", default="VPC", choices=["VPC", "Subnet", "NetworkInterface"]),
        traffic_type=dict(type="str", default="ALL", choices=["ACCEPT", "REJECT", "ALL"]),
        log_destination_type=dict(type="str", default="cloud-watch-logs", choices=["cloud-watch-logs", "s3"]),
        log_group_name=dict(type="str"),
        log_destination=dict(type="str"),
        deliver_logs_permission_arn=dict(type="str"),
        log_format=dict(type="str"),
        max_aggregation_interval=dict(type="int", default=600, choices=[60, 600]),
        replace_on_change=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("log_group_name", "log_destination")],
    )

    errors = validate_params(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    run_manager(module, FlowLogManager(module, module.client("ec2")))


if __name__ == "__main__":
    main()
