#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_vpc_flow_log_info
version_added: 0.1.0
short_description: List VPC flow logs
description:
  - Lists VPC flow logs, all of them or those matching O(flow_log_ids) and O(filters).
  - The read side of M(medtech.aws_platform.ec2_vpc_flow_log); calls only C(ec2:DescribeFlowLogs).
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  flow_log_ids:
    description:
      - Only these flow logs. An ID that does not exist gives an empty list, not an error.
    type: list
    elements: str
    default: []
  filters:
    description:
      - 'DescribeFlowLogs filters as a dict, e.g. C({"resource-id": "vpc-0a1b2c3d", "traffic-type": "ALL"}).'
      - See U(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFlowLogs.html) for the names
        (C(deliver-log-status), C(log-destination-type), C(flow-log-id), C(log-group-name), C(resource-id),
        C(traffic-type), C(tag:<key>), C(tag-key)).
    type: dict
    default: {}
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
- name: The flow logs of a VPC
  medtech.aws_platform.ec2_vpc_flow_log_info:
    filters:
      resource-id: vpc-0a1b2c3d4e5f60718
  register: vpc_flow_logs

- name: One flow log by ID
  medtech.aws_platform.ec2_vpc_flow_log_info:
    flow_log_ids:
      - fl-0a1b2c3d4e5f60718
"""

RETURN = r"""
flow_logs:
  description: The flow logs found, each as M(medtech.aws_platform.ec2_vpc_flow_log) returns RV(ignore:flow_log).
  returned: always
  type: list
  elements: dict
  contains:
    flow_log_id:
      description: The ID of the flow log.
      type: str
      sample: fl-0a1b2c3d4e5f60718
    resource_id:
      description: The ID of the VPC, subnet or network interface it logs.
      type: str
      sample: vpc-0a1b2c3d4e5f60718
    traffic_type:
      description: The traffic it logs, V(ACCEPT), V(REJECT) or V(ALL).
      type: str
      sample: ALL
    log_destination_type:
      description: Where the records go, V(cloud-watch-logs), V(s3) or V(kinesis-data-firehose).
      type: str
      sample: cloud-watch-logs
    log_group_name:
      description: The CloudWatch Logs log group.
      returned: when the destination is CloudWatch Logs
      type: str
      sample: /medtech/prod/vpc-flow-logs
    log_destination:
      description: The ARN of the destination.
      returned: when AWS reports it
      type: str
      sample: arn:aws:s3:::medtech-prod-flow-logs/
    deliver_logs_permission_arn:
      description: The IAM role that delivers to CloudWatch Logs.
      returned: when the destination is CloudWatch Logs
      type: str
      sample: arn:aws:iam::123456789012:role/medtech-prod-vpc-flow-logs
    deliver_logs_status:
      description: Whether delivery works, V(SUCCESS) or V(FAILED).
      type: str
      sample: SUCCESS
    flow_log_status:
      description: The status of the flow log.
      type: str
      sample: ACTIVE
    log_format:
      description: The fields of a record, in order.
      type: str
      sample: "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${action} ${log-status}"
    max_aggregation_interval:
      description: The aggregation interval, in seconds.
      type: int
      sample: 600
    creation_time:
      description: When the flow log was created (ISO 8601).
      type: str
      sample: "2025-03-01T10:15:42.123000+00:00"
    tags:
      description: The tags, as a dict.
      type: dict
      sample: {"Name": "medtech-prod-vpc-flow-log"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.ec2_flow_log import list_flow_logs


def main():
    argument_spec = dict(
        flow_log_ids=dict(type="list", elements="str", default=[]),
        filters=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("ec2")
    try:
        found = list_flow_logs(client, filters=module.params["filters"], flow_log_ids=module.params["flow_log_ids"])
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, flow_logs=[boto3_resource_to_ansible_dict(fl) for fl in found])


if __name__ == "__main__":
    main()
