"""Unit tests for ec2_vpc_flow_log_info against botocore's Stubber (errors as AWS returns them)."""

from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber

from ansible.module_utils.testing import patch_module_args

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.medtech.aws_platform.plugins.modules import ec2_vpc_flow_log_info


class Done(Exception):
    pass


def run(stubber_setup, args):
    client = boto3.client("ec2", region_name="eu-central-1", aws_access_key_id="t", aws_secret_access_key="t")
    stubber = Stubber(client)
    stubber_setup(stubber)
    result = {}

    def _exit(self, **kwargs):
        result.update(kwargs, failed=False)
        raise Done()

    def _fail(self, **kwargs):
        result.update(kwargs, failed=True)
        raise Done()

    with stubber, patch_module_args(dict(args, region="eu-central-1")), \
            mock.patch.object(AnsibleAWSModule, "client", return_value=client), \
            mock.patch.object(AnsibleAWSModule, "exit_json", _exit), \
            mock.patch.object(AnsibleAWSModule, "fail_json", _fail):
        with pytest.raises(Done):
            ec2_vpc_flow_log_info.main()
        stubber.assert_no_pending_responses()
    return result


def test_passes_filters_and_ids_to_aws_and_converts_the_answer():
    def setup(stubber):
        stubber.add_response(
            "describe_flow_logs",
            {"FlowLogs": [{"FlowLogId": "fl-1", "ResourceId": "vpc-1", "TrafficType": "ALL",
                           "Tags": [{"Key": "Name", "Value": "x"}], "MaxAggregationInterval": 600}]},
            {"Filter": [{"Name": "resource-id", "Values": ["vpc-1"]}], "FlowLogIds": ["fl-1"]},
        )

    result = run(setup, {"filters": {"resource-id": "vpc-1"}, "flow_log_ids": ["fl-1"]})
    assert result["failed"] is False and result["changed"] is False
    assert result["flow_logs"] == [
        {"flow_log_id": "fl-1", "resource_id": "vpc-1", "traffic_type": "ALL", "tags": {"Name": "x"},
         "max_aggregation_interval": 600}
    ]


def test_an_unknown_id_is_an_empty_list_not_an_error():
    def setup(stubber):
        stubber.add_client_error("describe_flow_logs", service_error_code="InvalidFlowLogId.NotFound",
                                 service_message="The flow log ID 'fl-9' does not exist", http_status_code=400)

    assert run(setup, {"flow_log_ids": ["fl-9"]})["flow_logs"] == []


def test_access_denied_fails_naming_the_action():
    def setup(stubber):
        stubber.add_client_error("describe_flow_logs", service_error_code="UnauthorizedOperation",
                                 service_message="You are not authorized to perform this operation.", http_status_code=403)

    result = run(setup, {})
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to list flow logs")
