"""The rds role with the local inventory against the emulator: the database of DOC 4.

Covers the acceptance of the rds issue: check mode creates nothing; a converge builds the
instance without reading the admin secret again later; a second converge and --check --diff
report zero changes; no secret value in the output; every bad input fails before any AWS call
with a message naming the variable, and nothing is created; a delete needs the confirmation and
leaves a final snapshot; a change that would replace the instance is refused without the opt-in.

The role runs through molecule/rds/converge.yml (the role, then tasks_from wait); the network,
the platform KMS key and the admin secret come from molecule/rds/prepare.yml.
"""

import re

import pytest

from conftest import flat, playbook_runner

# The prepared emulator is built once (module fixtures below): the tests run on one worker, in file order.
pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("rds")]

DB_ID = "medtech-prod-db"
CONVERGE = "molecule/rds/converge.yml"
PREPARE = "molecule/rds/prepare.yml"
SECRET = "prod/rds/admin"


def rds_resources(aws):
    """Every RDS resource the role could create, by name (RDS's own default.* parameter groups,
    which RDS adds with the first instance of an engine family, are not the role's)."""
    rds = aws.client("rds")
    return {
        "instances": [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]],
        "subnet_groups": [g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]],
        "parameter_groups": [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]
                             if not g["DBParameterGroupName"].startswith("default.")],
    }


NOTHING = {"instances": [], "subnet_groups": [], "parameter_groups": []}


def instance(aws, db_id=DB_ID):
    return aws.client("rds").describe_db_instances(DBInstanceIdentifier=db_id)["DBInstances"][0]


def platform_key_arn(aws):
    return aws.client("kms").describe_key(KeyId="alias/medtech-prod-platform")["KeyMetadata"]["Arn"]


def delete_admin_secret(aws):
    """Delete the admin secret for good (its replica first, as AWS requires), so any read of it fails;
    nothing to do when an earlier test deleted it."""
    sm = aws.client("secretsmanager")
    try:
        sm.describe_secret(SecretId=SECRET)
    except sm.exceptions.ResourceNotFoundException:
        return
    regions = [r["Region"] for r in sm.describe_secret(SecretId=SECRET).get("ReplicationStatus", [])]
    if regions:
        sm.remove_regions_from_replication(SecretId=SECRET, RemoveReplicaRegions=regions)
    sm.delete_secret(SecretId=SECRET, ForceDeleteWithoutRecovery=True)
    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.get_secret_value(SecretId=SECRET)


def test_check_mode_on_an_empty_emulator_reports_and_creates_nothing(aws, run_playbook):
    result = run_playbook(CONVERGE, "--check", "--diff")
    assert result.rc == 0, result.output[-3000:]
    assert result.recap()["changed"] >= 1
    assert "Check mode: the database cannot be planned yet: KMS key alias/medtech-prod-platform not found" in flat(result)
    assert rds_resources(aws) == NOTHING


BAD_INPUTS = {
    "engine version not 15": ({"rds_engine_version": "16.1"}, "rds_engine_version='16.1' is not a PostgreSQL 15 minor version"),
    "IOPS above the fixed gp3 baseline below 400 GiB": (
        {"rds_allocated_storage": 300, "rds_iops": 4000},
        "rds_iops=4000 with rds_allocated_storage=300: gp3 below 400 GiB has a fixed 3000 IOPS"),
    "storage below the gp3 minimum": ({"rds_allocated_storage": 10}, "rds_allocated_storage=10: gp3 storage must be 20 to 65536 GiB"),
    "maintenance window format": ({"rds_maintenance_window": "Sun 03:00-04:00"},
                                  "rds_maintenance_window='Sun 03:00-04:00' is not in the format ddd:hh24:mi-ddd:hh24:mi"),
    "backup window overlapping maintenance": (
        {"rds_backup_window": "03:30-04:00"},
        "rds_backup_window='03:30-04:00' (daily) overlaps rds_maintenance_window='sun:03:00-sun:04:00'"),
    "backup retention 0": ({"rds_backup_retention_period": 0}, "rds_backup_retention_period='0' is not 1 to 35 days"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_fails_before_any_aws_call(aws, run_short_playbook, case):
    # On an empty emulator: validation comes before any AWS call, so nothing need be prepared (the
    # role would otherwise fail on the missing network and key, with other messages).
    extra_vars, message = BAD_INPUTS[case]
    result = run_short_playbook(CONVERGE, extra_vars=extra_vars)
    assert result.rc != 0
    assert "The database settings are not valid; nothing was created or changed:" in flat(result)
    assert message in flat(result)
    assert "run the network role first" not in flat(result)
    assert rds_resources(aws) == NOTHING


def test_missing_network_and_key_fail_with_what_to_run_first(aws, run_short_playbook):
    result = run_short_playbook(CONVERGE)
    assert result.rc != 0
    assert "KMS key alias/medtech-prod-platform not found: run the secrets role first" in flat(result)
    assert "VPC medtech-prod-vpc not found: run the network role first" in flat(result)
    assert rds_resources(aws) == NOTHING


def test_wait_fails_at_once_when_the_instance_does_not_exist(aws, run_short_playbook, tmp_path):
    playbook = tmp_path / "wait.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  environment: \"{{ aws_environment }}\"\n  tasks:\n"
        "    - ansible.builtin.include_role:\n        name: medtech.aws_platform.rds\n        tasks_from: wait\n"
    )
    result = run_short_playbook(str(playbook))
    assert result.rc != 0
    assert f"Database instance {DB_ID} does not exist: converge the rds role (rds_state: present) first." in flat(result)
    assert "FAILED - RETRYING" not in result.output


# The tests below run on the network, the platform KMS key and the admin secret that PREPARE
# builds once, in file order: the replacement refusals (no database of the role's yet), the
# first converge and what follows it, the delete, check mode with neither database nor secret.


def delete_databases(aws):
    """Delete every DB instance, DB snapshot, DB subnet group and custom DB parameter group, so that
    the next test finds the prepared emulator without anything of the rds role's (or a foreign one)."""
    rds = aws.client("rds")
    for db in rds.describe_db_instances()["DBInstances"]:
        identifier = db["DBInstanceIdentifier"]
        if db.get("DeletionProtection"):
            rds.modify_db_instance(DBInstanceIdentifier=identifier, DeletionProtection=False, ApplyImmediately=True)
        rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)
    for snapshot in rds.describe_db_snapshots()["DBSnapshots"]:
        rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"])
    for group in rds.describe_db_subnet_groups()["DBSubnetGroups"]:
        rds.delete_db_subnet_group(DBSubnetGroupName=group["DBSubnetGroupName"])
    for group in rds.describe_db_parameter_groups()["DBParameterGroups"]:
        if not group["DBParameterGroupName"].startswith("default."):
            rds.delete_db_parameter_group(DBParameterGroupName=group["DBParameterGroupName"])
    assert rds_resources(aws) == NOTHING


@pytest.fixture(scope="module")
def prepared_once(moto_server):
    """The emulator with the network, the platform KMS key and the admin secret, built once."""
    moto_server.reset()
    result = playbook_runner(moto_server.url)(PREPARE)
    assert result.rc == 0, result.output[-3000:]
    return moto_server


@pytest.fixture()
def prepared(prepared_once):
    """The prepared emulator without any RDS resource (what an earlier test left is deleted)."""
    delete_databases(prepared_once)
    return prepared_once


@pytest.fixture(scope="module")
def converged(prepared_once):
    """The prepared emulator after a first converge of the rds role at -vvv (``first_converge``),
    shared by the tests below that use it, in file order."""
    delete_databases(prepared_once)
    result = playbook_runner(prepared_once.url)(CONVERGE, "-vvv")
    assert result.rc == 0, result.output[-3000:]
    assert result.recap()["changed"] > 0
    prepared_once.first_converge = result
    return prepared_once


def create_foreign_instance(aws, db_id=DB_ID, **overrides):
    params = dict(DBInstanceIdentifier=db_id, Engine="postgres", EngineVersion="15.4", DBInstanceClass="db.r6g.large",
                  AllocatedStorage=500, StorageType="gp3", MasterUsername="someone", MasterUserPassword="not-a-secret-1",
                  StorageEncrypted=True, KmsKeyId=aws.client("kms").create_key()["KeyMetadata"]["Arn"],
                  Tags=[{"Key": "Project", "Value": "medtech-platform"}, {"Key": "Environment", "Value": "prod"}])
    params.update(overrides)
    aws.client("rds").create_db_instance(**params)


@pytest.mark.parametrize("case", ["kms key", "engine", "identifier"])
def test_a_change_that_would_replace_the_instance_is_refused(prepared, run_playbook, case):
    if case == "engine":
        create_foreign_instance(prepared, Engine="mysql", EngineVersion="8.0.35")
        reason = "engine mysql -> postgres"
    elif case == "kms key":
        create_foreign_instance(prepared)
        reason = "KMS key arn:aws:kms:eu-central-1:123456789012:key/"
    else:
        create_foreign_instance(prepared, db_id="medtech-prod-database", KmsKeyId=platform_key_arn(prepared))
        reason = "identifier medtech-prod-database -> medtech-prod-db"
    before = rds_resources(prepared)
    result = run_playbook(CONVERGE)
    assert result.rc != 0
    assert reason in flat(result)
    assert f"set rds_allow_replacement={DB_ID}" in flat(result)
    assert rds_resources(prepared) == before


def test_an_allowed_replacement_keeps_a_final_snapshot_of_the_old_instance(prepared, run_playbook):
    create_foreign_instance(prepared)
    result = run_playbook(CONVERGE, extra_vars={"rds_allow_replacement": DB_ID})
    assert result.rc == 0, result.output[-3000:]
    assert instance(prepared)["KmsKeyId"] == platform_key_arn(prepared)
    snapshots = prepared.client("rds").describe_db_snapshots(DBInstanceIdentifier=DB_ID)["DBSnapshots"]
    assert any(s["DBSnapshotIdentifier"].startswith(f"{DB_ID}-final-") for s in snapshots)


def test_converge_builds_the_documented_instance_without_showing_the_secret(converged):
    db = instance(converged)
    assert (db["Engine"], db["EngineVersion"], db["DBInstanceClass"], db["MultiAZ"]) == ("postgres", "15.4", "db.r6g.large", True)
    assert (db["AllocatedStorage"], db["StorageType"]) == (500, "gp3")
    # 3000 IOPS is below the 12000 baseline at 500 GiB: the role sends none and RDS reports the baseline
    assert db["Iops"] == 12000
    assert db["StorageEncrypted"] is True and db["KmsKeyId"] == platform_key_arn(converged)
    assert (db["BackupRetentionPeriod"], db["PreferredBackupWindow"], db["PreferredMaintenanceWindow"]) == (
        35, "01:00-01:30", "sun:03:00-sun:04:00")
    assert db["PubliclyAccessible"] is False and db["DeletionProtection"] is True and db["CopyTagsToSnapshot"] is True
    assert sorted(db["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
    rds_sg = converged.client("ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["medtech-prod-rds-sg"]}])["SecurityGroups"][0]["GroupId"]
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [rds_sg]
    db_subnets = converged.client("ec2").describe_subnets(
        Filters=[{"Name": "tag:Name", "Values": ["medtech-prod-db-1a", "medtech-prod-db-1b"]}])["Subnets"]
    assert sorted(s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]) == sorted(s["SubnetId"] for s in db_subnets)
    params = converged.client("rds").describe_db_parameters(DBParameterGroupName="medtech-prod-postgres15")["Parameters"]
    assert {p["ParameterName"]: p.get("ParameterValue") for p in params}["rds.force_ssl"] == "1"
    assert {t["Key"]: t["Value"] for t in db["TagList"]}["Project"] == "medtech-platform"

    secret = converged.client("secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"]
    password = re.search(r'"password": "([^"]+)"', secret).group(1)
    assert db["MasterUsername"] == "medtech_admin"
    assert password not in converged.first_converge.output
    # tasks_from wait published the instance
    assert "endpoint_address: medtech-prod-db." in converged.first_converge.stdout


def test_drift_is_reported_in_check_mode_and_taken_back(converged, run_playbook):
    converged.client("rds").modify_db_instance(DBInstanceIdentifier=DB_ID, BackupRetentionPeriod=7, ApplyImmediately=True)
    check = run_playbook(CONVERGE, "--check")
    assert check.recap()["changed"] == 1, check.stdout[-5000:]
    assert instance(converged)["BackupRetentionPeriod"] == 7
    fix = run_playbook(CONVERGE)
    assert fix.rc == 0 and fix.recap()["changed"] == 1, fix.stdout[-5000:]
    assert instance(converged)["BackupRetentionPeriod"] == 35


def test_second_converge_and_check_change_nothing_and_read_no_secret(converged, run_playbook):
    # the secret is gone: a second converge that read it would fail
    delete_admin_secret(converged)
    second = run_playbook(CONVERGE)
    assert second.rc == 0, second.output[-3000:]
    assert second.recap()["changed"] == 0, second.stdout[-5000:]

    check = run_playbook(CONVERGE, "--check", "--diff")
    assert check.rc == 0, check.output[-3000:]
    assert check.recap()["changed"] == 0, check.stdout[-5000:]


def test_delete_needs_the_confirmation_and_keeps_a_final_snapshot(converged, run_playbook):
    refused = run_playbook(CONVERGE, extra_vars={"rds_state": "absent"})
    assert refused.rc != 0
    assert f"Confirm with rds_confirm_delete={DB_ID}. Nothing was deleted." in flat(refused)
    wrong = run_playbook(CONVERGE, extra_vars={"rds_state": "absent", "rds_confirm_delete": "yes"})
    assert wrong.rc != 0
    assert instance(converged)["DeletionProtection"] is True

    deleted = run_playbook(CONVERGE, extra_vars={"rds_state": "absent", "rds_confirm_delete": DB_ID})
    assert deleted.rc == 0, deleted.output[-3000:]
    assert rds_resources(converged) == NOTHING
    snapshots = converged.client("rds").describe_db_snapshots(DBInstanceIdentifier=DB_ID)["DBSnapshots"]
    assert [s["DBSnapshotIdentifier"] for s in snapshots if re.fullmatch(rf"{DB_ID}-final-\d{{8}}-\d{{6}}", s["DBSnapshotIdentifier"])]

    again = run_playbook(CONVERGE, extra_vars={"rds_state": "absent", "rds_confirm_delete": DB_ID})
    assert again.rc == 0 and again.recap()["changed"] == 0, again.stdout[-3000:]


def test_check_mode_before_the_first_converge_creates_nothing_and_reads_no_secret(prepared, run_playbook):
    # without the secret, a read would fail the run: check mode must not read it
    delete_admin_secret(prepared)
    result = run_playbook(CONVERGE, "--check", "--diff")
    assert result.rc == 0, result.output[-3000:]
    assert result.recap()["changed"] >= 3  # subnet group, parameter group, instance
    assert f"Check mode: database instance {DB_ID} does not exist yet and would be created" in flat(result)
    assert rds_resources(prepared) == NOTHING
