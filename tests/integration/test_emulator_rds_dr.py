"""The RDS disaster-recovery emulation (scripts/emulator_rds_dr.py), with boto3 against the emulator.

Each test asserts what moto 5.2.5 alone answers differently (a missing action, a missing member,
a member it ignores), so it fails without the emulation.
"""

import datetime

import pytest
from botocore.exceptions import ClientError

SOURCE_REGION, DR_REGION = "eu-central-1", "eu-west-1"


def _instance(rds, name, **extra):
    params = dict(DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres",
                  EngineVersion="15.4", AllocatedStorage=20, MasterUsername="dbadmin",
                  MasterUserPassword="not-a-secret-1", BackupRetentionPeriod=7)
    params.update(extra)
    return rds.create_db_instance(**params)["DBInstance"]


def _key(aws, region):
    kms = aws.client("kms", region)
    key = kms.create_key(Description="dr")["KeyMetadata"]
    kms.create_alias(AliasName="alias/medtech-prod-platform", TargetKeyId=key["KeyId"])
    return key["Arn"]


def _code(excinfo):
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture()
def replicated(aws):
    """An encrypted source in eu-central-1 whose backups replicate to eu-west-1."""
    source_key = _key(aws, SOURCE_REGION)
    dr_key = _key(aws, DR_REGION)
    source_rds, dr_rds = aws.client("rds", SOURCE_REGION), aws.client("rds", DR_REGION)
    source = _instance(source_rds, "medtech-db", StorageEncrypted=True, KmsKeyId=source_key)
    started = dr_rds.start_db_instance_automated_backups_replication(
        SourceDBInstanceArn=source["DBInstanceArn"], KmsKeyId="alias/medtech-prod-platform",
        BackupRetentionPeriod=14, SourceRegion=SOURCE_REGION)["DBInstanceAutomatedBackup"]
    return dict(source=source, started=started, dr_key=dr_key, source_rds=source_rds, dr_rds=dr_rds)


def test_start_replication_creates_a_replicated_backup_in_the_destination_region(replicated):
    started, source = replicated["started"], replicated["source"]
    assert started["Status"] == "pending"
    assert started["DBInstanceArn"] == source["DBInstanceArn"]
    assert started["Region"] == SOURCE_REGION
    assert started["DBInstanceAutomatedBackupsArn"].startswith(f"arn:aws:rds:{DR_REGION}:")
    assert ":auto-backup:ab-" in started["DBInstanceAutomatedBackupsArn"]
    assert started["KmsKeyId"] == replicated["dr_key"]  # the alias, resolved to the destination key's ARN
    assert started["BackupRetentionPeriod"] == 14

    listed = replicated["dr_rds"].describe_db_instance_automated_backups(
        Filters=[{"Name": "db-instance-id", "Values": [source["DBInstanceArn"]]}])["DBInstanceAutomatedBackups"]
    assert [b["DBInstanceAutomatedBackupsArn"] for b in listed] == [started["DBInstanceAutomatedBackupsArn"]]
    assert listed[0]["Status"] == "replicating"
    window = listed[0]["RestoreWindow"]
    assert window["EarliestTime"] <= window["LatestTime"]

    by_arn = replicated["dr_rds"].describe_db_instance_automated_backups(
        DBInstanceAutomatedBackupsArn=started["DBInstanceAutomatedBackupsArn"])["DBInstanceAutomatedBackups"]
    assert len(by_arn) == 1
    # Nothing is listed in the source Region's replicated set, nor in a third Region.
    assert replicated["source_rds"].describe_db_instance_automated_backups(
        Filters=[{"Name": "status", "Values": ["replicating"]}])["DBInstanceAutomatedBackups"] == []

    shown = replicated["source_rds"].describe_db_instances(DBInstanceIdentifier="medtech-db")["DBInstances"][0]
    assert shown["DBInstanceAutomatedBackupsReplications"] == [
        {"DBInstanceAutomatedBackupsArn": started["DBInstanceAutomatedBackupsArn"]}]


def test_start_replication_refuses_as_aws(aws, replicated):
    dr_rds, source = replicated["dr_rds"], replicated["source"]
    with pytest.raises(ClientError) as excinfo:  # already replicating
        dr_rds.start_db_instance_automated_backups_replication(
            SourceDBInstanceArn=source["DBInstanceArn"], KmsKeyId=replicated["dr_key"])
    assert _code(excinfo) == "InvalidDBInstanceAutomatedBackupState"
    with pytest.raises(ClientError) as excinfo:
        dr_rds.start_db_instance_automated_backups_replication(
            SourceDBInstanceArn=source["DBInstanceArn"].replace("medtech-db", "nope"), KmsKeyId=replicated["dr_key"])
    assert _code(excinfo) == "DBInstanceNotFound"
    other = _instance(replicated["source_rds"], "medtech-other", StorageEncrypted=True)
    with pytest.raises(ClientError) as excinfo:
        dr_rds.start_db_instance_automated_backups_replication(SourceDBInstanceArn=other["DBInstanceArn"])
    assert _code(excinfo) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as excinfo:
        dr_rds.start_db_instance_automated_backups_replication(
            SourceDBInstanceArn=other["DBInstanceArn"], KmsKeyId="alias/does-not-exist")
    assert _code(excinfo) == "KMSKeyNotAccessibleFault"
    no_backups = _instance(replicated["source_rds"], "medtech-nobackups", BackupRetentionPeriod=0)
    with pytest.raises(ClientError) as excinfo:
        dr_rds.start_db_instance_automated_backups_replication(SourceDBInstanceArn=no_backups["DBInstanceArn"])
    assert _code(excinfo) == "InvalidDBInstanceState"
    with pytest.raises(ClientError) as excinfo:
        dr_rds.describe_db_instance_automated_backups(
            DBInstanceAutomatedBackupsArn=f"arn:aws:rds:{DR_REGION}:123456789012:auto-backup:ab-none")
    assert _code(excinfo) == "DBInstanceAutomatedBackupNotFound"


def test_stop_replication_retains_the_replicated_backups(replicated):
    dr_rds, source = replicated["dr_rds"], replicated["source"]
    stopped = dr_rds.stop_db_instance_automated_backups_replication(
        SourceDBInstanceArn=source["DBInstanceArn"])["DBInstanceAutomatedBackup"]
    assert stopped["DBInstanceAutomatedBackupsArn"] == replicated["started"]["DBInstanceAutomatedBackupsArn"]
    listed = dr_rds.describe_db_instance_automated_backups(
        DbiResourceId=source["DbiResourceId"])["DBInstanceAutomatedBackups"]
    assert [b["Status"] for b in listed] == ["retained"]
    shown = replicated["source_rds"].describe_db_instances(DBInstanceIdentifier="medtech-db")["DBInstances"][0]
    assert not shown.get("DBInstanceAutomatedBackupsReplications")
    with pytest.raises(ClientError) as excinfo:  # nothing left to stop
        dr_rds.stop_db_instance_automated_backups_replication(SourceDBInstanceArn=source["DBInstanceArn"])
    assert _code(excinfo) == "InvalidDBInstanceState"
    # A new replication can start afterwards; the retained backups stay listed beside it.
    dr_rds.start_db_instance_automated_backups_replication(
        SourceDBInstanceArn=source["DBInstanceArn"], KmsKeyId=replicated["dr_key"])
    statuses = sorted(b["Status"] for b in dr_rds.describe_db_instance_automated_backups(
        Filters=[{"Name": "db-instance-id", "Values": [source["DBInstanceArn"]]}])["DBInstanceAutomatedBackups"])
    assert statuses == ["replicating", "retained"]


def test_restore_in_the_dr_region_from_the_replicated_backups(aws, replicated):
    dr_rds = replicated["dr_rds"]
    ec2 = aws.client("ec2", DR_REGION)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{DR_REGION}{z}")
               ["Subnet"]["SubnetId"] for i, z in enumerate("ab")]
    dr_rds.create_db_subnet_group(DBSubnetGroupName="medtech-dr-db", DBSubnetGroupDescription="dr",
                                  SubnetIds=subnets)
    sg = ec2.create_security_group(GroupName="medtech-dr-rds", Description="rds", VpcId=vpc)["GroupId"]
    restored = dr_rds.restore_db_instance_to_point_in_time(
        SourceDBInstanceAutomatedBackupsArn=replicated["started"]["DBInstanceAutomatedBackupsArn"],
        TargetDBInstanceIdentifier="medtech-db-dr", UseLatestRestorableTime=True,
        DBSubnetGroupName="medtech-dr-db", MultiAZ=True, DeletionProtection=True, VpcSecurityGroupIds=[sg],
        Tags=[{"Key": "environment", "Value": "dr"}])["DBInstance"]
    assert restored["DBInstanceArn"].startswith(f"arn:aws:rds:{DR_REGION}:")
    assert restored["DBSubnetGroup"]["DBSubnetGroupName"] == "medtech-dr-db"
    assert restored["MultiAZ"] is True and restored["DeletionProtection"] is True
    assert [g["VpcSecurityGroupId"] for g in restored["VpcSecurityGroups"]] == [sg]
    assert restored["TagList"] == [{"Key": "environment", "Value": "dr"}]
    assert restored["StorageEncrypted"] is True and restored["KmsKeyId"] == replicated["dr_key"]
    assert restored["Engine"] == "postgres" and restored["EngineVersion"] == "15.4"

    with pytest.raises(ClientError) as excinfo:
        dr_rds.restore_db_instance_to_point_in_time(
            SourceDBInstanceAutomatedBackupsArn=replicated["started"]["DBInstanceAutomatedBackupsArn"],
            TargetDBInstanceIdentifier="medtech-db-dr2", UseLatestRestorableTime=True,
            RestoreTime=datetime.datetime.now(datetime.timezone.utc))
    assert _code(excinfo) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as excinfo:
        dr_rds.restore_db_instance_to_point_in_time(
            SourceDBInstanceAutomatedBackupsArn=replicated["started"]["DBInstanceAutomatedBackupsArn"],
            TargetDBInstanceIdentifier="medtech-db-dr2",
            RestoreTime=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2))
    assert _code(excinfo) == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        dr_rds.restore_db_instance_to_point_in_time(
            SourceDBInstanceAutomatedBackupsArn=f"arn:aws:rds:{DR_REGION}:123456789012:auto-backup:ab-none",
            TargetDBInstanceIdentifier="medtech-db-dr2", UseLatestRestorableTime=True)
    assert _code(excinfo) == "DBInstanceAutomatedBackupNotFound"


def test_restore_in_the_same_region_takes_the_request_not_the_source(aws):
    rds = aws.client("rds", SOURCE_REGION)
    source = _instance(rds, "medtech-src", MultiAZ=True, DeletionProtection=True,
                       Tags=[{"Key": "environment", "Value": "prod"}])
    latest = source.get("LatestRestorableTime") or rds.describe_db_instances(
        DBInstanceIdentifier="medtech-src")["DBInstances"][0]["LatestRestorableTime"]
    restored = rds.restore_db_instance_to_point_in_time(
        SourceDBInstanceIdentifier="medtech-src", TargetDBInstanceIdentifier="medtech-drill",
        RestoreTime=latest, MultiAZ=False, DeletionProtection=False)["DBInstance"]
    assert restored["MultiAZ"] is False and restored["DeletionProtection"] is False  # moto kept the source's
    assert restored.get("TagList", []) == []  # moto copied the source's tags
    no_backups = _instance(rds, "medtech-nobackups", BackupRetentionPeriod=0)
    assert "LatestRestorableTime" not in no_backups
    with pytest.raises(ClientError) as excinfo:
        rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="medtech-nobackups",
                                                 TargetDBInstanceIdentifier="x-restored", UseLatestRestorableTime=True)
    assert _code(excinfo) == "PointInTimeRestoreNotEnabled"


def test_latest_restorable_time_is_the_last_log_upload(aws):
    rds = aws.client("rds", SOURCE_REGION)
    _instance(rds, "medtech-rpo")
    shown = rds.describe_db_instances(DBInstanceIdentifier="medtech-rpo")["DBInstances"][0]
    latest = shown["LatestRestorableTime"]
    now = datetime.datetime.now(datetime.timezone.utc)
    assert latest <= now and now - latest < datetime.timedelta(minutes=5, seconds=5)
    assert latest >= shown["InstanceCreateTime"].replace(microsecond=0) - datetime.timedelta(seconds=1)


def test_forced_failover_swaps_zones_and_records_events(aws):
    rds = aws.client("rds", SOURCE_REGION)
    _instance(rds, "medtech-maz", MultiAZ=True)
    before = rds.describe_db_instances(DBInstanceIdentifier="medtech-maz")["DBInstances"][0]
    primary, standby = before["AvailabilityZone"], before["SecondaryAvailabilityZone"]
    assert standby and standby != primary

    rebooting = rds.reboot_db_instance(DBInstanceIdentifier="medtech-maz", ForceFailover=True)["DBInstance"]
    assert rebooting["DBInstanceStatus"] == "rebooting"
    with pytest.raises(ClientError) as excinfo:  # not available while rebooting
        rds.reboot_db_instance(DBInstanceIdentifier="medtech-maz")
    assert _code(excinfo) == "InvalidDBInstanceState"
    after = rds.describe_db_instances(DBInstanceIdentifier="medtech-maz")["DBInstances"][0]
    assert after["DBInstanceStatus"] == "available"
    assert (after["AvailabilityZone"], after["SecondaryAvailabilityZone"]) == (standby, primary)

    events = rds.describe_events(SourceIdentifier="medtech-maz", SourceType="db-instance",
                                 EventCategories=["failover"])["Events"]
    expected = ["Multi-AZ instance failover started.", "Multi-AZ instance failover completed."]
    assert [e["Message"] for e in events] == expected
    assert all(e["EventCategories"] == ["failover"] and e["Date"] for e in events)
    assert events[0]["Date"] <= events[1]["Date"]
    assert rds.describe_events(SourceIdentifier="medtech-maz", SourceType="db-instance", EventCategories=["failover"],
                               StartTime=datetime.datetime.now(datetime.timezone.utc)
                               + datetime.timedelta(minutes=1))["Events"] == []


def test_forced_failover_of_a_single_az_instance_is_refused(aws):
    rds = aws.client("rds", SOURCE_REGION)
    single = _instance(rds, "medtech-single")
    assert "SecondaryAvailabilityZone" not in single
    with pytest.raises(ClientError) as excinfo:
        rds.reboot_db_instance(DBInstanceIdentifier="medtech-single", ForceFailover=True)
    assert _code(excinfo) == "InvalidParameterCombination"
    assert rds.reboot_db_instance(DBInstanceIdentifier="medtech-single")["DBInstance"]["DBInstanceStatus"] == "rebooting"
    with pytest.raises(ClientError) as excinfo:
        rds.reboot_db_instance(DBInstanceIdentifier="nope", ForceFailover=True)
    assert _code(excinfo) == "DBInstanceNotFound"
