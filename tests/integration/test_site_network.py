"""playbooks/site.yml with the local inventory against the emulator: the network of DOC 2.

Covers the acceptance of the network issue: check mode on an empty emulator creates nothing;
a converge builds the network; a second converge and --check --diff report zero changes; a
rule added by hand is removed by the next converge; every bad input fails before any AWS call
with a message naming the variable, and nothing is created.
"""

import pytest

pytestmark = pytest.mark.emulator

VPC_NAME = "medtech-prod-vpc"


def platform_vpcs(aws):
    ec2 = aws.client("ec2")
    return ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [VPC_NAME]}])["Vpcs"]


def test_check_mode_on_an_empty_emulator_reports_and_creates_nothing(aws, run_playbook):
    result = run_playbook("playbooks/site.yml", "--check", "--diff")
    assert result.rc == 0, result.output[-3000:]
    assert result.recap()["changed"] >= 1
    assert f"Check mode: VPC {VPC_NAME} (10.0.0.0/16) does not exist yet" in result.stdout
    assert platform_vpcs(aws) == []
    assert aws.client("ec2").describe_nat_gateways()["NatGateways"] == []


def test_converge_then_second_converge_and_check_change_nothing(aws, run_playbook):
    first = run_playbook("playbooks/site.yml")
    assert first.rc == 0, first.output[-3000:]
    assert first.recap()["changed"] > 0
    assert len(platform_vpcs(aws)) == 1

    second = run_playbook("playbooks/site.yml")
    assert second.rc == 0, second.output[-3000:]
    assert second.recap()["changed"] == 0, second.stdout[-5000:]

    check = run_playbook("playbooks/site.yml", "--check", "--diff")
    assert check.rc == 0, check.output[-3000:]
    assert check.recap()["changed"] == 0, check.stdout[-5000:]

    # what `make demo` prints after the converge: read back from the API, names not IDs
    show = run_playbook("playbooks/show.yml")
    assert show.rc == 0, show.output[-3000:]
    for line in [
        "medtech-prod-db-1b         10.0.200.0/24   eu-central-1b  isolated",
        "medtech-prod-isolated-rt",
        "no route out of the VPC",
        "0.0.0.0/0 -> medtech-prod-nat-eu-central-1a",
        "0.0.0.0/0 -> medtech-prod-nat-eu-central-1b",
        "out tcp 8080 to medtech-prod-ecs-sg",
        "default sg-",
        "medtech-prod-db available: postgres 15.4, db.r6g.large, Multi-AZ, 500 GiB gp3 (12000 IOPS), encrypted (KMS)",
        "database medtech, not public, deletion protection on",
        "backups 35 days at 01:00-01:30 UTC, maintenance sun:03:00-sun:04:00 UTC",
        "prod/rds/app               value set, key alias/medtech-prod-platform, replicas eu-west-1, rotation every 30 days",
        "prod/external/stripe       value MISSING (put it in)",
    ]:
        assert line in show.stdout, show.stdout[-4000:]
    assert "(no rules)" in show.stdout.split("default sg-", 1)[1].splitlines()[0]
    # the database admits the ECS tasks and the rotation function, nothing else
    rds_in = [line for line in show.stdout.split("  medtech-prod-rds-sg sg-", 1)[1].splitlines()[1:3] if " in " in f" {line}"]
    assert len(rds_in) == 1 and "in  tcp 5432 from " in rds_in[0], rds_in
    assert sorted(rds_in[0].split(" from ", 1)[1].strip().split(", ")) == ["medtech-prod-ecs-sg", "medtech-prod-rotation-sg"]

    # drift: someone opens the database group to the world; the next converge takes it back
    ec2 = aws.client("ec2")
    rds_sg = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["medtech-prod-rds-sg"]}])[
        "SecurityGroups"][0]
    ec2.authorize_security_group_egress(
        GroupId=rds_sg["GroupId"], IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    drift = run_playbook("playbooks/site.yml", "--check", "--diff")
    assert drift.recap()["changed"] == 1, drift.stdout[-5000:]
    assert "medtech-prod-rds-sg" in drift.stdout
    fix = run_playbook("playbooks/site.yml")
    assert fix.recap()["changed"] == 1, fix.stdout[-5000:]
    rds_sg = ec2.describe_security_groups(GroupIds=[rds_sg["GroupId"]])["SecurityGroups"][0]
    assert rds_sg["IpPermissionsEgress"] == []


GOOD_SUBNETS = [
    {"name": "public-1a", "cidr": "10.0.1.0/24", "az": "eu-central-1a", "tier": "public"},
    {"name": "public-1b", "cidr": "10.0.2.0/24", "az": "eu-central-1b", "tier": "public"},
    {"name": "private-1a", "cidr": "10.0.10.0/24", "az": "eu-central-1a", "tier": "private"},
    {"name": "private-1b", "cidr": "10.0.20.0/24", "az": "eu-central-1b", "tier": "private"},
]


def with_subnet(index, **change):
    subnets = [dict(s) for s in GOOD_SUBNETS]
    subnets[index].update(change)
    return {"network_subnets": subnets}


BAD_INPUTS = {
    "malformed VPC CIDR": ({"network_vpc_cidr": "10.0.0.0/33"}, "network_vpc_cidr='10.0.0.0/33' is not a valid IPv4 CIDR block"),
    "subnet outside the VPC": (with_subnet(3, cidr="10.9.20.0/24"), "cidr='10.9.20.0/24' is outside network_vpc_cidr=10.0.0.0/16"),
    "overlapping subnets": (with_subnet(3, cidr="10.0.10.0/25"), "overlaps network_subnets[2] (private-1a)"),
    "AZ not in the list": (with_subnet(1, az="eu-central-1c"), "az='eu-central-1c' is not in network_availability_zones"),
    "unknown source group": (
        {"network_security_groups": [
            {"key": "rds", "description": "db", "ingress": [{"port": 5432, "group": "ecs"}], "egress": []}]},
        "group='ecs' is not a security group in network_security_groups",
    ),
    "missing region": ({"aws_region": ""}, "network_region (aws_region) is not set: set aws_region in the inventory"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_fails_before_any_aws_call(aws, run_playbook, case):
    extra_vars, message = BAD_INPUTS[case]
    result = run_playbook("playbooks/site.yml", extra_vars=extra_vars)
    assert result.rc != 0
    assert message in result.output
    assert platform_vpcs(aws) == []


def test_local_inventory_refuses_a_non_loopback_endpoint(aws, run_playbook):
    result = run_playbook("playbooks/site.yml", env={"AWS_ENDPOINT_URL": "https://ec2.eu-central-1.amazonaws.com"})
    assert result.rc != 0
    assert "AWS_ENDPOINT_URL='https://ec2.eu-central-1.amazonaws.com' is not a loopback endpoint" in result.output
    assert platform_vpcs(aws) == []


def test_local_inventory_ignores_older_endpoint_variables_in_the_shell(aws, run_playbook):
    """amazon.aws modules take AWS_URL / EC2_URL as their endpoint before AWS_ENDPOINT_URL; one left
    in the shell must not send a task elsewhere (here: a TEST-NET address that answers nothing)."""
    result = run_playbook("playbooks/site.yml", "--check",
                          env={"AWS_URL": "http://192.0.2.1:9", "EC2_URL": "http://192.0.2.1:9"}, timeout=600)
    assert result.rc == 0, result.output[-3000:]
    assert "192.0.2.1" not in result.output


def test_local_inventory_refuses_credentials_of_another_account(aws, run_playbook):
    result = run_playbook("playbooks/site.yml", extra_vars={"platform_account_id": "210987654321"})
    assert result.rc != 0
    assert "The credentials belong to account 123456789012, but the inventory names" in result.output
    assert platform_vpcs(aws) == []


NETWORK_ONLY = """\
- hosts: all
  gather_facts: false
  environment: "{{ aws_environment }}"
  roles:
    - role: medtech.aws_platform.network
"""


def test_absent_deletes_every_subnet_also_of_an_earlier_layout(aws, run_playbook, tmp_path):
    playbook = tmp_path / "network.yml"
    playbook.write_text(NETWORK_ONLY)
    assert run_playbook(str(playbook)).rc == 0
    vpc_id = platform_vpcs(aws)[0]["VpcId"]
    # a subnet an earlier layout had, no longer in network_subnets
    aws.client("ec2").create_subnet(VpcId=vpc_id, CidrBlock="10.0.50.0/24", AvailabilityZone="eu-central-1a")

    refused = run_playbook(str(playbook), extra_vars={"network_state": "absent"})
    assert refused.rc != 0 and "Confirm with" in refused.output
    assert len(platform_vpcs(aws)) == 1

    deleted = run_playbook(str(playbook), extra_vars={"network_state": "absent", "network_confirm_delete": VPC_NAME})
    assert deleted.rc == 0, deleted.output[-3000:]
    assert platform_vpcs(aws) == []
    assert aws.client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"] == []
