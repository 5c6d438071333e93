"""Integration tests: ec2_vpc_flow_log_info, run by ``ansible``, against the emulator."""

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.ec2_vpc_flow_log_info"


@pytest.fixture()
def two_flow_logs(aws):
    """Two VPCs, each with a tagged flow log to its own log group; returns [(vpc_id, flow_log_id)]."""
    ec2 = aws.client("ec2")
    role = aws.client("iam").create_role(RoleName="fl", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    result = []
    for index in (1, 2):
        vpc = ec2.create_vpc(CidrBlock=f"10.{index}.0.0/16")["Vpc"]["VpcId"]
        response = ec2.create_flow_logs(
            ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogDestinationType="cloud-watch-logs",
            LogGroupName=f"/test/{index}", DeliverLogsPermissionArn=role,
            TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "Name", "Value": f"fl-{index}"}]}],
        )
        result.append((vpc, response["FlowLogIds"][0]))
    return result


def test_filters_by_resource_and_returns_snake_case_with_tag_dict(ansible_module, two_flow_logs):
    vpc, flow_log_id = two_flow_logs[1]
    result = ansible_module(MODULE, {"filters": {"resource-id": vpc}})
    assert result["changed"] is False
    assert [fl["flow_log_id"] for fl in result["flow_logs"]] == [flow_log_id]
    found = result["flow_logs"][0]
    assert found["resource_id"] == vpc
    assert found["traffic_type"] == "ALL"
    assert found["log_group_name"] == "/test/2"
    assert found["tags"] == {"Name": "fl-2"}


def test_by_id_all_and_unknown_id(ansible_module, two_flow_logs):
    ids = [flow_log_id for _vpc, flow_log_id in two_flow_logs]
    assert [f["flow_log_id"] for f in ansible_module(MODULE, {"flow_log_ids": [ids[0]]})["flow_logs"]] == [ids[0]]
    assert sorted(f["flow_log_id"] for f in ansible_module(MODULE, {"filters": {}})["flow_logs"]) == sorted(ids)
    assert ansible_module(MODULE, {"filters": {"resource-id": "vpc-00000000000000000"}})["flow_logs"] == []


def test_works_in_check_mode(ansible_module, two_flow_logs):
    result = ansible_module(MODULE, {"filters": {"log-group-name": "/test/1"}}, check=True)
    assert [f["log_group_name"] for f in result["flow_logs"]] == ["/test/1"]
