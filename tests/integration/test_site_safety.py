"""playbooks/site.yml refuses bad input and foreign resources before it changes anything."""

import pytest

pytestmark = pytest.mark.emulator


def nothing_created(aws):
    ec2, sm = aws.client("ec2"), aws.client("secretsmanager")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["medtech-prod-vpc"]}])["Vpcs"]
    return vpcs == [] and sm.list_secrets()["SecretList"] == []


@pytest.mark.parametrize("extra_vars, message", [
    ({"rds_engine_version": "14.9"}, "rds_engine_version"),
    ({"aws_dr_region": "eu-central-1"}, "secrets_dr_region (aws_dr_region) is the platform region eu-central-1"),
    ({"secrets_rotation_interval_days": 400}, "secrets_rotation_interval_days is 400"),
])
def test_a_bad_value_for_a_later_role_fails_before_any_change(aws, run_short_playbook, extra_vars, message):
    result = run_short_playbook("playbooks/site.yml", extra_vars=extra_vars)
    assert result.rc != 0
    assert message in " ".join(result.output.split())
    assert "nothing was created or changed" in result.output
    assert nothing_created(aws)


def test_a_null_region_is_named_with_the_fix(aws, run_short_playbook):
    result = run_short_playbook("playbooks/site.yml", extra_vars={"aws_region": None})
    assert result.rc != 0
    assert "set aws_region in the inventory" in " ".join(result.output.split())
    assert "NoneType" not in result.output
    assert nothing_created(aws)


def test_a_foreign_kms_key_under_the_platform_alias_is_not_taken_over(aws, run_playbook):
    kms = aws.client("kms")
    key = kms.create_key(Description="someone else's key")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/medtech-prod-platform", TargetKeyId=key)

    result = run_playbook("playbooks/site.yml")

    assert result.rc != 0
    assert "was not created by this role" in result.output
    assert "secrets_kms_key_adopt=alias/medtech-prod-platform" in " ".join(result.output.split())
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["Description"] == "someone else's key"
    assert kms.list_resource_tags(KeyId=key)["Tags"] == []
    assert aws.client("secretsmanager").list_secrets()["SecretList"] == []


@pytest.mark.parametrize("playbook", ["playbooks/site.yml", "playbooks/verify.yml", "playbooks/failover.yml"])
def test_a_mistyped_inventory_fails_instead_of_matching_no_host(aws, run_short_playbook, playbook):
    result = run_short_playbook(playbook, inventory="inventories/prodution")
    assert result.rc != 0, result.output[-3000:]
    assert "inventories/prodution" in result.output and "No inventory was parsed" in result.output
    assert "PLAY RECAP" not in result.output
