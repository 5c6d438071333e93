# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real ec2_vpc_flow_log module, run by ``ansible``, against the emulator.

Each call is ``ansible localhost -m medtech.aws_platform.ec2_vpc_flow_log -a '<json>'`` with the
repo's ansible.cfg (so the FQCN resolves through collections/), the emulator's endpoint and fake
credentials in the environment, and the ansible.posix.json stdout callback so the module result
can be read. What the module did is then read back from the emulator with boto3.

Paths moto does not answer as AWS does are covered by the Stubber unit tests instead
(tests/unit/plugins/modules/test_ec2_vpc_flow_log_stubbed.py).
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.ec2_vpc_flow_log"
REGION = "eu-central-1"
GROUP = "/medtech/test/vpc-flow-logs"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


@pytest.fixture()
def run_module(ansible_module):
    """Run ec2_vpc_flow_log once through ``ansible``; return the host's result dict."""

    def _run(args: dict, check: bool = False) -> dict:
        return ansible_module(MODULE, dict(args, region=REGION), check=check)

    return _run


@pytest.fixture()
def ec2(aws):
    return aws.client("ec2", REGION)


@pytest.fixture()
def cwl_args(aws, ec2):
    """Module arguments for a CloudWatch Logs flow log on a new VPC, with its log group and role."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    aws.client("logs", REGION).create_log_group(logGroupName=GROUP)
    role = aws.client("iam", REGION).create_role(
        RoleName="medtech-test-vpc-flow-logs", AssumeRolePolicyDocument=json.dumps(TRUST)
    )["Role"]["Arn"]
    return {"resource_id": vpc_id, "log_group_name": GROUP, "deliver_logs_permission_arn": role}


def flow_logs(ec2, vpc_id):
    return ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]


def tags_of(flow_log):
    return {tag["Key"]: tag["Value"] for tag in flow_log.get("Tags", [])}


def test_create_check_mode_then_create_then_no_change(run_module, ec2, cwl_args):
    vpc_id = cwl_args["resource_id"]
    args = dict(cwl_args, max_aggregation_interval=60, tags={"environment": "test", "managed-by": "ansible"})

    result = run_module(args, check=True)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["flow_log"]["resource_id"] == vpc_id
    assert flow_logs(ec2, vpc_id) == []  # check mode created nothing

    result = run_module(args)
    assert not result.get("failed"), result
    assert result["changed"] is True
    [created] = flow_logs(ec2, vpc_id)
    assert result["flow_log"]["flow_log_id"] == created["FlowLogId"]
    assert created["TrafficType"] == "ALL"
    assert created["LogDestinationType"] == "cloud-watch-logs"
    assert created["LogGroupName"] == GROUP
    assert created["DeliverLogsPermissionArn"] == cwl_args["deliver_logs_permission_arn"]
    assert created["MaxAggregationInterval"] == 60
    assert created["DeliverLogsStatus"] == "SUCCESS"  # the log group exists
    assert tags_of(created) == {"environment": "test", "managed-by": "ansible"}
    assert result["flow_log"]["tags"] == {"environment": "test", "managed-by": "ansible"}

    result = run_module(args)
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert result["flow_log"]["flow_log_id"] == created["FlowLogId"]
    assert len(flow_logs(ec2, vpc_id)) == 1

    result = run_module(args, check=True)
    assert result["changed"] is False


def test_tag_change(run_module, ec2, cwl_args):
    vpc_id = cwl_args["resource_id"]
    assert run_module(dict(cwl_args, tags={"environment": "test", "old": "x"}))["changed"] is True
    new_tags = {"environment": "prod", "cost-centre": "platform"}

    result = run_module(dict(cwl_args, tags=new_tags), check=True)
    assert result["changed"] is True
    assert result["diff"]["after"]["tags"] == new_tags
    assert tags_of(flow_logs(ec2, vpc_id)[0]) == {"environment": "test", "old": "x"}  # unchanged

    result = run_module(dict(cwl_args, tags=new_tags))
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["diff"]["before"]["tags"] == {"environment": "test", "old": "x"}
    assert tags_of(flow_logs(ec2, vpc_id)[0]) == new_tags
    assert result["flow_log"]["tags"] == new_tags

    assert run_module(dict(cwl_args, tags=new_tags))["changed"] is False
    # tags not given: left alone
    assert run_module(cwl_args)["changed"] is False
    assert tags_of(flow_logs(ec2, vpc_id)[0]) == new_tags


def test_delete_check_mode_then_delete_then_delete_again(run_module, ec2, cwl_args):
    vpc_id = cwl_args["resource_id"]
    assert run_module(cwl_args)["changed"] is True
    absent = {"resource_id": vpc_id, "log_group_name": GROUP, "state": "absent"}

    result = run_module(absent, check=True)
    assert result["changed"] is True
    assert len(flow_logs(ec2, vpc_id)) == 1  # check mode deleted nothing

    result = run_module(absent)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["flow_log"] == {}
    assert flow_logs(ec2, vpc_id) == []

    result = run_module(absent)
    assert not result.get("failed"), result
    assert result["changed"] is False


def test_immutable_change_refused_then_replaced_on_request(run_module, ec2, cwl_args):
    vpc_id = cwl_args["resource_id"]
    assert run_module(dict(cwl_args, tags={"keep": "me"}))["changed"] is True
    [original] = flow_logs(ec2, vpc_id)

    result = run_module(dict(cwl_args, max_aggregation_interval=60))
    assert result.get("failed") is True
    assert "cannot be changed in place" in result["msg"]
    assert "replace_on_change" in result["msg"]
    assert [fl["FlowLogId"] for fl in flow_logs(ec2, vpc_id)] == [original["FlowLogId"]]

    result = run_module(dict(cwl_args, max_aggregation_interval=60, replace_on_change=True), check=True)
    assert result["changed"] is True
    assert [fl["FlowLogId"] for fl in flow_logs(ec2, vpc_id)] == [original["FlowLogId"]]

    result = run_module(dict(cwl_args, max_aggregation_interval=60, replace_on_change=True))
    assert not result.get("failed"), result
    assert result["changed"] is True
    [replaced] = flow_logs(ec2, vpc_id)
    assert replaced["FlowLogId"] != original["FlowLogId"]
    assert replaced["MaxAggregationInterval"] == 60
    assert tags_of(replaced) == {"keep": "me"}  # carried over
    assert result["flow_log"]["flow_log_id"] == replaced["FlowLogId"]

    assert run_module(dict(cwl_args, max_aggregation_interval=60, replace_on_change=True))["changed"] is False


def test_s3_destination(run_module, aws, ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    aws.client("s3", REGION).create_bucket(
        Bucket="medtech-test-flow-logs", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    args = {
        "resource_id": vpc_id,
        "traffic_type": "REJECT",
        "log_destination_type": "s3",
        "log_destination": "arn:aws:s3:::medtech-test-flow-logs",
    }
    result = run_module(args)
    assert not result.get("failed"), result
    assert result["changed"] is True
    [created] = flow_logs(ec2, vpc_id)
    assert created["LogDestination"] == "arn:aws:s3:::medtech-test-flow-logs"
    assert created["TrafficType"] == "REJECT"
    assert run_module(args)["changed"] is False


def test_missing_bucket_fails_with_the_aws_reason(run_module, ec2):
    # CreateFlowLogs answers HTTP 200 and reports the failure under Unsuccessful
    vpc_id = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    result = run_module(
        {"resource_id": vpc_id, "log_destination_type": "s3", "log_destination": "arn:aws:s3:::medtech-no-such-bucket"}
    )
    assert result.get("failed") is True
    assert result["msg"].startswith(f"Failed to create the flow log for {vpc_id}")
    assert "does not exist" in result["msg"]
    assert flow_logs(ec2, vpc_id) == []


def test_invalid_options_fail_before_any_change(run_module, ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    result = run_module({"resource_id": vpc_id, "log_group_name": GROUP})
    assert result.get("failed") is True
    assert "deliver_logs_permission_arn is required" in result["msg"]
    assert flow_logs(ec2, vpc_id) == []
