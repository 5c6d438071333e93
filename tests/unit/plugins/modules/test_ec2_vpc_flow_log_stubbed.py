# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the ec2_vpc_flow_log module, against botocore's Stubber.

The Stubber validates every request against the real EC2 API model and answers with the
responses queued here, in order; an unexpected call fails the test, so "no write call" is
asserted by queueing none. Each test runs the module's main() with its arguments, through
AnsibleAWSModule, with only ``AnsibleAWSModule.client`` patched to return the stubbed client.
"""

from __future__ import annotations

import datetime
from unittest import mock

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.medtech.aws_platform.plugins.modules import ec2_vpc_flow_log

VPC = "vpc-0a1b2c3d4e5f60718"
FLOW_LOG = "fl-0123456789abcdef0"
NEW_FLOW_LOG = "fl-0fedcba9876543210"
GROUP = "/medtech/prod/vpc-flow-logs"
GROUP_ARN = f"arn:aws:logs:eu-central-1:123456789012:log-group:{GROUP}"
ROLE = "arn:aws:iam::123456789012:role/medtech-prod-vpc-flow-logs"
BUCKET = "arn:aws:s3:::medtech-prod-flow-logs/vpc/"
DEFAULT_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)
CREATED = datetime.datetime(2025, 3, 1, 10, 15, 42, tzinfo=datetime.timezone.utc)

CWL_ARGS = {
    "resource_id": VPC,
    "log_group_name": GROUP,
    "deliver_logs_permission_arn": ROLE,
    "region": "eu-central-1",
}


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def _exit_json(self, **kwargs):
    raise ExitJson(kwargs)


def _fail_json(self, **kwargs):
    raise FailJson(kwargs)


def flow_log(flow_log_id=FLOW_LOG, tags=None, **overrides):
    """A FlowLog as DescribeFlowLogs returns it for a CloudWatch Logs flow log."""
    item = {
        "CreationTime": CREATED,
        "DeliverLogsPermissionArn": ROLE,
        "DeliverLogsStatus": "SUCCESS",
        "FlowLogId": flow_log_id,
        "FlowLogStatus": "ACTIVE",
        "LogGroupName": GROUP,
        "ResourceId": VPC,
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogDestination": GROUP_ARN,
        "LogFormat": DEFAULT_FORMAT,
        "MaxAggregationInterval": 600,
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    }
    item.update(overrides)
    return {k: v for k, v in item.items() if v is not None}


class Ec2Stub:
    """A real boto3 EC2 client with a Stubber, and shortcuts for the calls the module makes."""

    def __init__(self):
        self.client = boto3.client(
            "ec2", region_name="eu-central-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self.stubber = Stubber(self.client)

    def describe(self, flow_logs, resource_id=VPC):
        self.stubber.add_response(
            "describe_flow_logs",
            {"FlowLogs": flow_logs},
            {"Filter": [{"Name": "resource-id", "Values": [resource_id]}]},
        )

    def describe_tags(self, resource_id, tags):
        self.stubber.add_response(
            "describe_tags",
            {
                "Tags": [
                    {"Key": k, "Value": v, "ResourceId": resource_id, "ResourceType": "vpc-flow-log"}
                    for k, v in tags.items()
                ]
            },
            {
                "Filters": [
                    {"Name": "resource-id", "Values": [resource_id]},
                    {"Name": "resource-type", "Values": ["vpc-flow-log"]},
                ]
            },
        )

    def create(self, expected, flow_log_id=NEW_FLOW_LOG):
        params = {"ClientToken": ANY, "ResourceIds": [VPC]}
        params.update(expected)
        self.stubber.add_response(
            "create_flow_logs", {"ClientToken": "token", "FlowLogIds": [flow_log_id], "Unsuccessful": []}, params
        )

    def delete(self, flow_log_id=FLOW_LOG, unsuccessful=None):
        self.stubber.add_response(
            "delete_flow_logs", {"Unsuccessful": unsuccessful or []}, {"FlowLogIds": [flow_log_id]}
        )


@pytest.fixture()
def ec2():
    stub = Ec2Stub()
    with stub.stubber:
        yield stub
        # every queued response was consumed: the module made exactly the calls expected
        stub.stubber.assert_no_pending_responses()


def run(ec2, args, check_mode=False, diff=False):
    """Run main() with ``args``; return (failed, result)."""
    module_args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(module_args), mock.patch.object(
        AnsibleAWSModule, "client", return_value=ec2.client
    ) as client, mock.patch.object(basic.AnsibleModule, "exit_json", _exit_json), mock.patch.object(
        basic.AnsibleModule, "fail_json", _fail_json
    ):
        try:
            ec2_vpc_flow_log.main()
        except ExitJson as e:
            return False, e.args[0]
        except FailJson as e:
            return True, e.args[0]
        finally:
            if client.called:
                client.assert_called_once_with("ec2")
    raise AssertionError("main() neither exited nor failed")


# --- create / no-op / tags ------------------------------------------------------------------
def test_create_with_tags(ec2):
    ec2.describe([])
    ec2.create(
        {
            "ResourceType": "VPC",
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogGroupName": GROUP,
            "DeliverLogsPermissionArn": ROLE,
            "MaxAggregationInterval": 60,
            "TagSpecifications": [{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "environment", "Value": "prod"}]}],
        }
    )
    ec2.describe([flow_log(NEW_FLOW_LOG, tags={"environment": "prod"}, MaxAggregationInterval=60)])

    failed, result = run(ec2, dict(CWL_ARGS, max_aggregation_interval=60, tags={"environment": "prod"}), diff=True)

    assert not failed, result
    assert result["changed"] is True
    fl = result["flow_log"]
    assert fl["flow_log_id"] == NEW_FLOW_LOG
    assert fl["tags"] == {"environment": "prod"}
    assert fl["max_aggregation_interval"] == 60
    assert fl["log_group_name"] == GROUP
    assert fl["creation_time"].startswith("2025-03-01T10:15:42")  # datetime made a string
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["flow_log_id"] == NEW_FLOW_LOG


def test_create_s3_with_log_format(ec2):
    fmt = "${version} ${srcaddr} ${dstaddr} ${action}"
    ec2.describe([])
    ec2.create(
        {
            "ResourceType": "VPC",
            "TrafficType": "REJECT",
            "LogDestinationType": "s3",
            "LogDestination": BUCKET,
            "LogFormat": fmt,
            "MaxAggregationInterval": 600,
        }
    )
    ec2.describe(
        [
            flow_log(
                NEW_FLOW_LOG,
                TrafficType="REJECT",
                LogDestinationType="s3",
                LogDestination=BUCKET,
                LogGroupName=None,
                DeliverLogsPermissionArn=None,
                LogFormat=fmt,
                DestinationOptions={
                    "FileFormat": "plain-text",
                    "HiveCompatiblePartitions": False,
                    "PerHourPartition": False,
                },
            )
        ]
    )

    failed, result = run(
        ec2,
        {
            "resource_id": VPC,
            "traffic_type": "REJECT",
            "log_destination_type": "s3",
            "log_destination": BUCKET,
            "log_format": fmt,
        },
    )

    assert not failed, result
    assert result["changed"] is True
    assert result["flow_log"]["destination_options"]["file_format"] == "plain-text"
    assert "diff" not in result  # only in diff mode


def test_no_op_when_everything_matches(ec2):
    ec2.describe([flow_log(tags={"environment": "prod"})])
    ec2.describe_tags(FLOW_LOG, {"environment": "prod"})

    failed, result = run(ec2, dict(CWL_ARGS, tags={"environment": "prod"}), diff=True)

    assert not failed, result
    assert result["changed"] is False
    assert result["flow_log"]["flow_log_id"] == FLOW_LOG
    assert result["diff"]["before"] == result["diff"]["after"]


def test_no_op_without_tags_option_leaves_tags_and_unset_options_alone(ec2):
    # log_format not set: the custom format stays; tags not set: no tag call at all
    ec2.describe([flow_log(tags={"owner": "someone"}, LogFormat="${version}   ${srcaddr}")])

    failed, result = run(ec2, CWL_ARGS)

    assert not failed, result
    assert result["changed"] is False
    assert result["flow_log"]["tags"] == {"owner": "someone"}


def test_log_format_compared_ignoring_repeated_spaces(ec2):
    ec2.describe([flow_log(LogFormat="${version} ${srcaddr}")])

    failed, result = run(ec2, dict(CWL_ARGS, log_format="${version}   ${srcaddr} "))

    assert not failed, result
    assert result["changed"] is False


def test_identity_matches_log_group_given_as_arn(ec2):
    # AWS reports the log group name; the user gave the ARN (with the ":*" suffix IAM uses)
    ec2.describe([flow_log(LogDestination=None)])
    args = dict(CWL_ARGS, log_destination=GROUP_ARN + ":*")
    del args["log_group_name"]

    failed, result = run(ec2, args)

    assert not failed, result
    assert result["changed"] is False


def test_flow_log_with_other_traffic_type_or_destination_is_not_ours(ec2):
    ec2.describe(
        [
            flow_log("fl-00000000000000001", TrafficType="REJECT"),
            flow_log("fl-00000000000000002", LogGroupName="/other", LogDestination=None),
        ]
    )
    failed, result = run(ec2, CWL_ARGS, check_mode=True)

    assert not failed, result
    assert result["changed"] is True  # ours does not exist yet


def test_tag_update_purges_and_sets(ec2):
    ec2.describe([flow_log(tags={"environment": "dev", "old": "x", "aws:cloudformation:stack-name": "s"})])
    ec2.describe_tags(FLOW_LOG, {"environment": "dev", "old": "x", "aws:cloudformation:stack-name": "s"})
    ec2.stubber.add_response("delete_tags", {}, {"Resources": [FLOW_LOG], "Tags": [{"Key": "old"}]})
    ec2.stubber.add_response(
        "create_tags", {}, {"Resources": [FLOW_LOG], "Tags": [{"Key": "environment", "Value": "prod"}]}
    )
    ec2.describe([flow_log(tags={"environment": "prod", "aws:cloudformation:stack-name": "s"})])

    failed, result = run(ec2, dict(CWL_ARGS, tags={"environment": "prod"}), diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["flow_log"]["tags"] == {"environment": "prod", "aws:cloudformation:stack-name": "s"}
    assert result["diff"]["before"]["tags"]["environment"] == "dev"
    assert result["diff"]["after"]["tags"] == {"environment": "prod", "aws:cloudformation:stack-name": "s"}


def test_tag_update_without_purge_keeps_other_tags(ec2):
    ec2.describe([flow_log(tags={"old": "x"})])
    ec2.describe_tags(FLOW_LOG, {"old": "x"})
    ec2.stubber.add_response("create_tags", {}, {"Resources": [FLOW_LOG], "Tags": [{"Key": "new", "Value": "y"}]})
    ec2.describe([flow_log(tags={"old": "x", "new": "y"})])

    failed, result = run(ec2, dict(CWL_ARGS, tags={"new": "y"}, purge_tags=False))

    assert not failed, result
    assert result["changed"] is True
    assert result["flow_log"]["tags"] == {"old": "x", "new": "y"}


def test_tag_update_in_check_mode_writes_nothing(ec2):
    ec2.describe([flow_log(tags={"environment": "dev"})])
    ec2.describe_tags(FLOW_LOG, {"environment": "dev"})

    failed, result = run(ec2, dict(CWL_ARGS, tags={"environment": "prod"}), check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["flow_log"]["tags"] == {"environment": "prod"}
    assert result["flow_log"]["flow_log_id"] == FLOW_LOG
    assert result["diff"]["before"]["tags"] == {"environment": "dev"}


# --- check mode create ----------------------------------------------------------------------
def test_check_mode_create_makes_no_write_call(ec2):
    ec2.describe([])  # the only call: no CreateFlowLogs is queued, so one would fail the test

    failed, result = run(ec2, dict(CWL_ARGS, tags={"environment": "prod"}), check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True
    fl = result["flow_log"]
    assert "flow_log_id" not in fl
    assert fl["resource_id"] == VPC
    assert fl["log_group_name"] == GROUP
    assert fl["max_aggregation_interval"] == 600
    assert fl["tags"] == {"environment": "prod"}
    assert result["diff"] == {"before": {}, "after": fl}


# --- immutable settings ---------------------------------------------------------------------
def test_immutable_difference_is_refused_by_default(ec2):
    ec2.describe([flow_log()])  # 600 s; no write call queued

    failed, result = run(ec2, dict(CWL_ARGS, max_aggregation_interval=60, log_format="${version} ${srcaddr}"))

    assert failed
    assert "cannot be changed in place" in result["msg"]
    assert "max_aggregation_interval: is 600, wanted 60" in result["msg"]
    assert "log_format" in result["msg"]
    assert "replace_on_change: true" in result["msg"]
    assert result["immutable_changes"] == {"max_aggregation_interval": 60, "log_format": "${version} ${srcaddr}"}
    assert result["flow_log"]["flow_log_id"] == FLOW_LOG


def test_immutable_difference_is_refused_in_check_mode_too(ec2):
    ec2.describe([flow_log(DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/old")])

    failed, result = run(ec2, CWL_ARGS, check_mode=True)

    assert failed
    assert "deliver_logs_permission_arn" in result["msg"]


def test_replace_on_change_deletes_and_recreates_keeping_unset_options(ec2):
    custom = "${version} ${srcaddr} ${dstaddr}"
    ec2.describe([flow_log(tags={"keep": "yes", "aws:internal": "x"}, LogFormat=custom)])
    ec2.delete(FLOW_LOG)
    ec2.create(
        {
            "ResourceType": "VPC",
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogGroupName": GROUP,
            "DeliverLogsPermissionArn": ROLE,
            "MaxAggregationInterval": 60,
            "LogFormat": custom,  # not set by the user: carried over
            "TagSpecifications": [{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "keep", "Value": "yes"}]}],
        }
    )
    # DescribeFlowLogs may still list the deleted one: the module picks the one it created
    ec2.describe(
        [
            flow_log(FLOW_LOG, tags={"keep": "yes"}, LogFormat=custom),
            flow_log(tags={"keep": "yes"}, LogFormat=custom, MaxAggregationInterval=60, FlowLogId=NEW_FLOW_LOG),
        ]
    )

    failed, result = run(ec2, dict(CWL_ARGS, max_aggregation_interval=60, replace_on_change=True), diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["flow_log"]["flow_log_id"] == NEW_FLOW_LOG
    assert result["flow_log"]["max_aggregation_interval"] == 60
    assert result["diff"]["before"]["flow_log_id"] == FLOW_LOG


def test_replace_on_change_in_check_mode_writes_nothing(ec2):
    ec2.describe([flow_log(tags={"keep": "yes"})])

    failed, result = run(
        ec2, dict(CWL_ARGS, max_aggregation_interval=60, replace_on_change=True), check_mode=True, diff=True
    )

    assert not failed, result
    assert result["changed"] is True
    assert "flow_log_id" not in result["flow_log"]  # a new one would be created
    assert result["flow_log"]["max_aggregation_interval"] == 60
    assert result["flow_log"]["log_format"] == DEFAULT_FORMAT
    assert result["flow_log"]["tags"] == {"keep": "yes"}


# --- delete ---------------------------------------------------------------------------------
def test_delete(ec2):
    ec2.describe([flow_log()])
    ec2.delete(FLOW_LOG)

    failed, result = run(ec2, {"resource_id": VPC, "log_group_name": GROUP, "state": "absent"}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["flow_log"] == {}
    assert result["diff"]["before"]["flow_log_id"] == FLOW_LOG
    assert result["diff"]["after"] == {}


def test_delete_in_check_mode_writes_nothing(ec2):
    ec2.describe([flow_log()])

    failed, result = run(ec2, {"resource_id": VPC, "log_group_name": GROUP, "state": "absent"}, check_mode=True)

    assert not failed, result
    assert result["changed"] is True


def test_delete_when_absent(ec2):
    ec2.describe([])

    failed, result = run(ec2, {"resource_id": VPC, "log_group_name": GROUP, "state": "absent"})

    assert not failed, result
    assert result == {"changed": False, "flow_log": {}}


def test_delete_of_a_flow_log_already_gone_is_not_an_error(ec2):
    # AWS reports an unknown ID of DeleteFlowLogs as an Unsuccessful item (HTTP 200)
    ec2.describe([flow_log()])
    ec2.delete(
        FLOW_LOG,
        unsuccessful=[
            {
                "Error": {
                    "Code": "InvalidFlowLogId.NotFound",
                    "Message": f"These flow log ids in the input list are not found: [TotalCount: 1] {FLOW_LOG}",
                },
                "ResourceId": FLOW_LOG,
            }
        ],
    )

    failed, result = run(ec2, {"resource_id": VPC, "log_group_name": GROUP, "state": "absent"})

    assert not failed, result


# --- AWS errors -----------------------------------------------------------------------------
def test_create_failure_reported_in_unsuccessful_fails_the_task(ec2):
    # AWS answers HTTP 200 and lists the failure, e.g. a bucket that does not exist
    ec2.describe([])
    ec2.stubber.add_response(
        "create_flow_logs",
        {
            "ClientToken": "token",
            "FlowLogIds": [],
            "Unsuccessful": [
                {
                    "Error": {"Code": "400", "Message": "LogDestination: medtech-prod-flow-logs does not exist"},
                    "ResourceId": VPC,
                }
            ],
        },
        {
            "ClientToken": ANY,
            "ResourceIds": [VPC],
            "ResourceType": "VPC",
            "TrafficType": "ALL",
            "LogDestinationType": "s3",
            "LogDestination": BUCKET,
            "MaxAggregationInterval": 600,
        },
    )

    failed, result = run(ec2, {"resource_id": VPC, "log_destination_type": "s3", "log_destination": BUCKET})

    assert failed
    assert result["msg"].startswith(f"Failed to create the flow log for {VPC}")
    assert "medtech-prod-flow-logs does not exist" in result["msg"]
    assert result["error"]["code"] == "400"


def test_create_failure_as_client_error_fails_the_task(ec2):
    ec2.describe([])
    ec2.stubber.add_client_error(
        "create_flow_logs",
        service_error_code="FlowLogAlreadyExists",
        service_message="Error. There is an existing Flow Log with the same configuration and log destination.",
        http_status_code=400,
    )

    failed, result = run(ec2, CWL_ARGS)

    assert failed
    assert result["msg"].startswith(f"Failed to create the flow log for {VPC}")
    assert "existing Flow Log" in result["msg"]
    assert result["error"]["code"] == "FlowLogAlreadyExists"


def test_describe_failure_names_the_action(ec2):
    ec2.stubber.add_client_error(
        "describe_flow_logs",
        service_error_code="UnauthorizedOperation",
        service_message="You are not authorized to perform this operation.",
        http_status_code=403,
    )

    failed, result = run(ec2, CWL_ARGS)

    assert failed
    assert result["msg"].startswith(f"Failed to describe the flow logs of {VPC}")
    assert result["error"]["code"] == "UnauthorizedOperation"


def test_two_matching_flow_logs_are_reported_not_guessed(ec2):
    ec2.describe([flow_log("fl-00000000000000001"), flow_log("fl-00000000000000002")])

    failed, result = run(ec2, CWL_ARGS)

    assert failed
    assert "fl-00000000000000001, fl-00000000000000002" in result["msg"]


# --- validation before any AWS call ---------------------------------------------------------
@pytest.mark.parametrize(
    "args, fragment",
    [
        ({"resource_id": VPC, "deliver_logs_permission_arn": ROLE}, "set log_group_name"),
        ({"resource_id": VPC, "log_group_name": GROUP}, "deliver_logs_permission_arn is required"),
        (
            {"resource_id": VPC, "log_destination": BUCKET, "deliver_logs_permission_arn": ROLE},
            "is not a CloudWatch Logs log group ARN",
        ),
        ({"resource_id": VPC, "log_destination_type": "s3"}, "log_destination_type=s3 needs log_destination"),
        (
            {"resource_id": VPC, "log_destination_type": "s3", "log_group_name": GROUP, "log_destination": BUCKET},
            "parameters are mutually exclusive",
        ),
        (
            {"resource_id": VPC, "log_destination_type": "s3", "log_destination": GROUP_ARN},
            "is not an S3 bucket ARN",
        ),
        (
            {
                "resource_id": VPC,
                "log_destination_type": "s3",
                "log_destination": BUCKET,
                "deliver_logs_permission_arn": ROLE,
            },
            "deliver_logs_permission_arn is not used with log_destination_type=s3",
        ),
        (dict(CWL_ARGS, resource_id="subnet-0a1b2c3d4e5f60718"), "set resource_type: Subnet"),
        (dict(CWL_ARGS, max_aggregation_interval=300), "max_aggregation_interval"),
        (dict(CWL_ARGS, log_format="  "), "log_format is empty"),
    ],
)
def test_invalid_options_fail_before_any_aws_call(ec2, args, fragment):
    failed, result = run(ec2, args)  # nothing queued: any AWS call would fail differently

    assert failed
    assert fragment in result["msg"]


def test_absent_does_not_need_the_role(ec2):
    ec2.describe([])
    failed, result = run(ec2, {"resource_id": VPC, "log_group_name": GROUP, "state": "absent"})
    assert not failed, result


# --- pure helpers ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, key",
    [
        (("cloud-watch-logs", GROUP, None), ("cloud-watch-logs", GROUP)),
        (("cloud-watch-logs", None, GROUP_ARN), ("cloud-watch-logs", GROUP)),
        (("cloud-watch-logs", None, GROUP_ARN + ":*"), ("cloud-watch-logs", GROUP)),
        (("s3", None, BUCKET), ("s3", "arn:aws:s3:::medtech-prod-flow-logs/vpc")),
        (("s3", None, "arn:aws:s3:::medtech-prod-flow-logs/vpc"), ("s3", "arn:aws:s3:::medtech-prod-flow-logs/vpc")),
    ],
)
def test_destination_key(args, key):
    assert ec2_vpc_flow_log.destination_key(*args) == key


def test_expected_tags():
    current = {"a": "1", "b": "2", "aws:x": "y"}
    assert ec2_vpc_flow_log.expected_tags(current, None, True) == current
    assert ec2_vpc_flow_log.expected_tags(current, {"a": 5}, True) == {"a": "5", "aws:x": "y"}
    assert ec2_vpc_flow_log.expected_tags(current, {"c": "3"}, False) == {"a": "1", "b": "2", "aws:x": "y", "c": "3"}
