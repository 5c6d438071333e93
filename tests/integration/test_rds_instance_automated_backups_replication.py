"""rds_instance_automated_backups_replication against the emulator (scripts/emulator_rds_dr.py
emulates the replication API moto lacks): an encrypted instance in eu-central-1, its backups
replicated to eu-west-1 with the key behind alias/medtech-prod-platform there."""

import pytest

MODULE = "medtech.aws_platform.rds_instance_automated_backups_replication"
SOURCE_REGION, DR_REGION = "eu-central-1", "eu-west-1"


@pytest.fixture()
def source(aws):
    """A minimal encrypted PostgreSQL instance in eu-central-1 and the DR key in eu-west-1."""
    keys = {}
    for region in (SOURCE_REGION, DR_REGION):
        kms = aws.client("kms", region)
        key = kms.create_key(Description="medtech platform")["KeyMetadata"]
        kms.create_alias(AliasName="alias/medtech-prod-platform", TargetKeyId=key["KeyId"])
        keys[region] = key["Arn"]
    instance = aws.client("rds", SOURCE_REGION).create_db_instance(
        DBInstanceIdentifier="medtech-prod-db", DBInstanceClass="db.t3.micro", Engine="postgres",
        EngineVersion="15.4", AllocatedStorage=20, MasterUsername="dbadmin", MasterUserPassword="not-a-secret-1",
        BackupRetentionPeriod=7, StorageEncrypted=True, KmsKeyId=keys[SOURCE_REGION])["DBInstance"]
    return {"arn": instance["DBInstanceArn"], "dr_key": keys[DR_REGION], "rds": aws.client("rds", DR_REGION)}


def _replicated(source):
    return source["rds"].describe_db_instance_automated_backups(
        Filters=[{"Name": "db-instance-id", "Values": [source["arn"]]}])["DBInstanceAutomatedBackups"]


def test_start_check_mode_idempotence_and_stop(ansible_module, source):
    args = {"region": DR_REGION, "source_db_instance_arn": source["arn"], "kms_key_id": "alias/medtech-prod-platform"}

    check = ansible_module(MODULE, args, check=True)
    assert check["changed"] is True, check
    assert check["automated_backup"]["kms_key_id"] == source["dr_key"]
    assert check["diff"]["before"] == {}
    assert _replicated(source) == []  # check mode wrote nothing

    created = ansible_module(MODULE, args)
    assert created["changed"] is True, created
    backup = created["automated_backup"]
    assert backup["db_instance_arn"] == source["arn"] and backup["region"] == SOURCE_REGION
    assert backup["db_instance_automated_backups_arn"].startswith(f"arn:aws:rds:{DR_REGION}:")
    assert backup["kms_key_id"] == source["dr_key"] and backup["backup_retention_period"] == 7
    assert backup["status"] in ("pending", "replicating")
    assert set(backup["restore_window"]) == {"earliest_time", "latest_time"}
    assert [b["DBInstanceAutomatedBackupsArn"] for b in _replicated(source)] == [backup["db_instance_automated_backups_arn"]]

    again = ansible_module(MODULE, args)
    assert again["changed"] is False, again
    assert again["automated_backup"]["db_instance_automated_backups_arn"] == backup["db_instance_automated_backups_arn"]
    assert ansible_module(MODULE, dict(args, kms_key_id=source["dr_key"]))["changed"] is False  # ARN == alias

    refused = ansible_module(MODULE, dict(args, backup_retention_period=14))
    assert refused.get("failed") is True
    assert "backup_retention_period is 7, wanted 14" in refused["msg"] and "allow_replacement" in refused["msg"]

    absent = {"region": DR_REGION, "source_db_instance_arn": source["arn"], "state": "absent"}
    check_absent = ansible_module(MODULE, absent, check=True)
    assert check_absent["changed"] is True and check_absent["diff"]["after"] == {}
    assert [b["Status"] for b in _replicated(source)] == ["replicating"]

    stopped = ansible_module(MODULE, absent)
    assert stopped["changed"] is True and stopped["automated_backup"] == {}
    assert [b["Status"] for b in _replicated(source)] == ["retained"]  # AWS keeps what was replicated
    assert ansible_module(MODULE, absent)["changed"] is False


def test_replacement_with_allow_replacement(ansible_module, source):
    args = {"region": DR_REGION, "source_db_instance_arn": source["arn"], "kms_key_id": "alias/medtech-prod-platform"}
    first = ansible_module(MODULE, args)["automated_backup"]
    replaced = ansible_module(MODULE, dict(args, backup_retention_period=14, allow_replacement=True))
    assert replaced["changed"] is True, replaced
    assert replaced["automated_backup"]["backup_retention_period"] == 14
    assert replaced["automated_backup"]["db_instance_automated_backups_arn"] != first["db_instance_automated_backups_arn"]
    assert replaced["diff"]["before"]["backup_retention_period"] == 7
    assert sorted(b["Status"] for b in _replicated(source)) == ["replicating", "retained"]
    assert ansible_module(MODULE, dict(args, backup_retention_period=14))["changed"] is False


def test_errors_name_the_fix(ansible_module, source):
    same_region = ansible_module(MODULE, {"region": SOURCE_REGION, "source_db_instance_arn": source["arn"],
                                          "kms_key_id": "alias/medtech-prod-platform"})
    assert same_region.get("failed") is True and "destination Region" in same_region["msg"]
    missing = ansible_module(MODULE, {"region": DR_REGION, "kms_key_id": "alias/medtech-prod-platform",
                                      "source_db_instance_arn": source["arn"].replace("medtech-prod-db", "nope")})
    assert missing.get("failed") is True
    assert "DBInstanceNotFound" in str(missing) and "source_db_instance_arn names no DB instance" in missing["msg"]
    no_key = ansible_module(MODULE, {"region": DR_REGION, "source_db_instance_arn": source["arn"]})
    assert no_key.get("failed") is True and "kms_key_id" in no_key["msg"]
