# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The EC2 flow log API calls, one function each, for ec2_vpc_flow_log and ec2_vpc_flow_log_info.

Each is retried on throttling (AWSRetry) and turns an API error into AnsibleEC2Error naming the
action (amazon.aws's AWSErrorHandler).
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import raise_for_unsuccessful


class EC2FlowLogErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("InvalidFlowLogId.NotFound")


def _describe_all(client, filters, flow_log_ids):
    params = {}
    if filters:
        params["Filter"] = ansible_dict_to_boto3_filter_list(filters)
    if flow_log_ids:
        params["FlowLogIds"] = list(flow_log_ids)
    return client.get_paginator("describe_flow_logs").paginate(**params).build_full_result().get("FlowLogs", [])


@EC2FlowLogErrorHandler.common_error_handler("describe the flow logs of {resource_id}")
@AWSRetry.jittered_backoff()
def describe_flow_logs(client, resource_id):
    """DescribeFlowLogs filtered by resource-id, all pages: a list of boto3 FlowLog dicts.

    :raises AnsibleEC2Error: on an API error other than throttling (retried).
    """
    return _describe_all(client, {"resource-id": resource_id}, None)


@EC2FlowLogErrorHandler.list_error_handler("list flow logs", [])
@AWSRetry.jittered_backoff()
def list_flow_logs(client, filters=None, flow_log_ids=None):
    """DescribeFlowLogs with any filters and IDs, all pages: a list of boto3 FlowLog dicts.

    :param filters: DescribeFlowLogs filters as a dict, e.g. ``{"traffic-type": "ALL"}``.
    :param flow_log_ids: only these IDs; one that does not exist gives ``[]``.
    :raises AnsibleEC2Error: on an API error other than throttling (retried) or a missing ID.
    """
    return _describe_all(client, filters, flow_log_ids)


@EC2FlowLogErrorHandler.common_error_handler("create the flow log for {resource_id}")
@AWSRetry.jittered_backoff()
def create_flow_log(client, resource_id, **params):
    """CreateFlowLogs for one resource; returns the new flow log ID.

    A failure AWS reports in ``Unsuccessful`` (HTTP 200) is raised like an API error.
    """
    response = client.create_flow_logs(ResourceIds=[resource_id], **params)
    raise_for_unsuccessful(response, "CreateFlowLogs")
    return response["FlowLogIds"][0]


@EC2FlowLogErrorHandler.deletion_error_handler("delete the flow log {flow_log_id}")
@AWSRetry.jittered_backoff()
def delete_flow_log(client, flow_log_id):
    """DeleteFlowLogs for one ID; True when deleted, False when it was already gone."""
    response = client.delete_flow_logs(FlowLogIds=[flow_log_id])
    # A missing ID comes back either as an InvalidFlowLogId.NotFound error or as an
    # Unsuccessful item with that code; both end in the handler's "already gone" (False).
    raise_for_unsuccessful(response, "DeleteFlowLogs")
    return True
