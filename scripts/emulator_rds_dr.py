"""RDS disaster-recovery emulation for moto 5.2.5: cross-Region automated-backup replication,
point-in-time restore from replicated backups, forced Multi-AZ failover, and the events of it.

``apply()`` patches moto in this process; ``scripts/moto_server.py`` calls it from
``apply_fixes()``. Each part follows the RDS API reference and User Guide and is checked by
tests/integration/test_emulator_rds_dr.py. moto keeps one RDS backend per account and Region
(``rds_backends[account][region]``), so a call in the destination Region reaches the source
instance through the backend of the Region named in its ARN.

* StartDBInstanceAutomatedBackupsReplication (missing in moto), called in the destination
  Region: creates a replicated ``DBInstanceAutomatedBackup`` there (``DBInstanceArn`` and
  ``Region`` of the source, ``DBInstanceAutomatedBackupsArn``
  ``arn:aws:rds:<destination>:<account>:auto-backup:ab-...``, ``KmsKeyId`` as the key ARN of the
  destination key the request names by id, ARN or alias, ``BackupRetentionPeriod``, default 7)
  and lists its ARN in the source instance's ``DBInstanceAutomatedBackupsReplications``. The
  answer shows ``Status: pending``; the next DescribeDBInstanceAutomatedBackups read shows
  ``replicating`` (the AWS CLI examples), with ``RestoreWindow`` from the start of the
  replication to the source's latest restorable time. Refused as AWS documents or as its error
  model names: an unknown source ``DBInstanceNotFound``; a source not ``available`` or without
  automated backups ``InvalidDBInstanceState``; a source that already replicates (AWS allows one
  destination Region) ``InvalidDBInstanceAutomatedBackupState``; a key that does not exist in
  the destination Region ``KMSKeyNotAccessibleFault``; an encrypted source without ``KmsKeyId``,
  or a key for an unencrypted source, ``InvalidParameterCombination``; more than 20 replicated
  backups in the destination Region ``DBInstanceAutomatedBackupQuotaExceeded``.
* StopDBInstanceAutomatedBackupsReplication (missing in moto), called in the destination
  Region with the source ARN: the replication ends and its backups are *retained* until their
  retention period runs out (User Guide, "Stopping automated backup replication": "Replicated
  backups are retained"); they are then listed with ``Status: retained`` and no longer in the
  source's ``DBInstanceAutomatedBackupsReplications``. The answer shows the backup as it was
  (the CLI example shows ``replicating``). Without a replication to this Region:
  ``InvalidDBInstanceState``; unknown source: ``DBInstanceNotFound``. A replication whose source
  instance was deleted is reported ``retained`` too.
* DescribeDBInstanceAutomatedBackups: also lists the replicated backups of the Region, and
  honours ``DBInstanceIdentifier``, ``DbiResourceId``, ``DBInstanceAutomatedBackupsArn`` and the
  ``status`` / ``db-instance-id`` / ``dbi-resource-id`` filters (identifiers or ARNs), as the
  API reference describes them; an unknown ``DBInstanceAutomatedBackupsArn`` is
  ``DBInstanceAutomatedBackupNotFound``.
* RestoreDBInstanceToPointInTime: moto needs ``SourceDBInstanceIdentifier`` and copies every
  attribute of the source (subnet group, security groups, Availability Zone, tags, Multi-AZ)
  while ignoring request values that are false. Here ``SourceDBInstanceAutomatedBackupsArn``
  restores in the replicated backup's Region (encrypted with the backup's KMS key: the API has
  no ``KmsKeyId`` for this call), ``RestoreTime`` must lie in the restore window and excludes
  ``UseLatestRestorableTime`` (``InvalidParameterCombination``), a source without automated
  backups is ``PointInTimeRestoreNotEnabled``; the restored instance takes the engine, storage,
  encryption and credentials of the source and everything else from the request
  (``DBSubnetGroupName``, ``MultiAZ``, ``DeletionProtection``, ``VpcSecurityGroupIds``,
  ``Tags``, ...) or AWS's defaults.
* DescribeDBInstances ``LatestRestorableTime``: AWS uploads transaction logs every 5 minutes, so
  it is the last 5-minute boundary (not before the instance was created), and absent for an
  instance without automated backups (moto: always "now").
* RebootDBInstance with ``ForceFailover``: on a Multi-AZ instance the primary moves to the
  standby's Availability Zone (``AvailabilityZone`` and ``SecondaryAvailabilityZone`` swap, as
  AWS reports a Multi-AZ instance with both); the answer shows ``rebooting``, and the next
  DescribeDBInstances read ``available`` (one step per read, like the CodeDeploy deployments in
  scripts/moto_server.py). The events "Multi-AZ instance failover started.", "DB instance
  restarted" and "Multi-AZ instance failover completed." (categories ``failover`` /
  ``availability``) are recorded for DescribeEvents. ForceFailover on a single-AZ instance is
  ``InvalidParameterCombination``; an instance not ``available`` is ``InvalidDBInstanceState``.
* DescribeEvents: honours ``EventCategories``, ``StartTime``, ``EndTime`` and ``Duration``
  (minutes; without a time the past hour, as AWS does); moto ignores them.
"""

import datetime
import random
import string

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.kms.models import kms_backends
from moto.rds import models as rds_models
from moto.rds import responses as rds_responses
from moto.rds.exceptions import RDSClientError

#: AWS: up to 20 replicated backups per destination Region and account (User Guide)
REPLICATED_BACKUP_QUOTA = 20
DEFAULT_REPLICATED_RETENTION = 7
#: how often AWS uploads transaction logs, which sets LatestRestorableTime
LOG_UPLOAD_MINUTES = 5
EVENTS = {
    "DB_INSTANCE_FAILOVER_START": {"Categories": ["failover"], "Message": "Multi-AZ instance failover started."},
    "DB_INSTANCE_FAILOVER_FINISH": {"Categories": ["failover"], "Message": "Multi-AZ instance failover completed."},
    "DB_INSTANCE_RESTARTED": {"Categories": ["availability"], "Message": "DB instance restarted"},
}
# RestoreDBInstanceToPointInTime request members (snake case, as moto parses them) that set the
# restored instance; the rest comes from the source or AWS's defaults.
RESTORE_MEMBERS = (
    "db_instance_class", "port", "availability_zone", "db_subnet_group_name", "multi_az", "publicly_accessible",
    "auto_minor_version_upgrade", "license_model", "db_name", "engine", "iops", "storage_throughput",
    "option_group_name", "copy_tags_to_snapshot", "tags", "storage_type", "vpc_security_group_ids",
    "enable_iam_database_authentication", "enable_cloudwatch_logs_exports", "db_parameter_group_name",
    "deletion_protection", "max_allocated_storage", "allocated_storage", "backup_retention_period",
    "preferred_backup_window", "ca_certificate_identifier", "manage_master_user_password",
    "master_user_secret_kms_key_id",
)
# Source attributes a restored instance keeps (constructor argument -> attribute of DBInstance).
RESTORE_FROM_SOURCE = {
    "engine": "engine", "engine_version": "_engine_version", "db_instance_class": "db_instance_class",
    "port": "port", "allocated_storage": "_allocated_storage", "storage_type": "_storage_type",
    "storage_throughput": "_storage_throughput", "master_username": "_master_username",
    "master_user_password": "_master_user_password", "db_name": "_db_name",
    "character_set_name": "_character_set_name", "license_model": "_license_model",
    "storage_encrypted": "_storage_encrypted", "kms_key_id": "_kms_key_id",
    "backup_retention_period": "_backup_retention_period", "preferred_backup_window": "_preferred_backup_window",
    "preferred_maintenance_window": "preferred_maintenance_window",
    "auto_minor_version_upgrade": "auto_minor_version_upgrade",
    "enable_iam_database_authentication": "enable_iam_database_authentication",
    "ca_certificate_identifier": "ca_certificate_identifier",
}


def _error(code, message):
    return RDSClientError(code, message)


def _naive_utc(value):
    """A datetime as naive UTC (moto's clock), from an aware or naive one."""
    if value is not None and value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def _split_arn(arn):
    """(region, account, identifier) of ``arn:<partition>:rds:<region>:<account>:db:<id>``, or None."""
    parts = str(arn or "").split(":")
    if len(parts) != 7 or parts[0] != "arn" or parts[2] != "rds" or parts[5] != "db" or not parts[6]:
        return None
    return parts[3], parts[4], parts[6]


def _replicated(backend):
    """The replicated backups kept in ``backend`` (its Region is their destination), by ARN."""
    return backend.__dict__.setdefault("medtech_replicated_backups", {})


def _replications(instance):
    """The ARNs of the replicated backups of ``instance`` (a source), in the order they began."""
    return instance.__dict__.setdefault("medtech_backup_replications", [])


def _source_instance(account_id, arn):
    """The DBInstance an RDS instance ARN names, or DBInstanceNotFound."""
    parsed = _split_arn(arn)
    if parsed is None:
        raise _error("InvalidParameterValue", f"The parameter SourceDBInstanceArn is not a valid DB instance ARN: {arn}")
    region, account, identifier = parsed
    backends = rds_models.rds_backends.get(account) if account == account_id else None
    instance = backends[region].databases.get(identifier) if backends is not None and region in backends else None
    if instance is None:
        raise _error("DBInstanceNotFound", f"DBInstance {arn} not found.")
    return instance


def _key_arn(account_id, region, key_id):
    """The ARN of the KMS key ``key_id`` (id, ARN, alias or alias ARN) in ``region``."""
    backend = kms_backends[account_id][region]
    try:
        return backend.describe_key(key_id).arn
    except Exception as e:  # moto raises KeyError or NotFoundException for an unknown key
        raise _error(
            "KMSKeyNotAccessibleFault", f"The specified KMS key [{key_id}] does not exist, is not enabled or you do "
            f"not have permissions to access it in the {region} Region."
        ) from e


def _latest_restorable_time(instance):
    """The last transaction-log upload (every 5 minutes), not before the instance was created;
    None without automated backups."""
    if not instance.__dict__.get("_backup_retention_period"):
        return None
    now = utcnow()
    upload = now.replace(minute=now.minute - now.minute % LOG_UPLOAD_MINUTES, second=0, microsecond=0)
    return max(upload, instance.created)


def _secondary_availability_zone(instance):
    """The standby's Availability Zone of a Multi-AZ instance (another zone of its subnet group,
    or of the Region); None for a single-AZ instance."""
    if not instance.multi_az:
        instance.__dict__.pop("medtech_secondary_az", None)
        return None
    secondary = instance.__dict__.get("medtech_secondary_az")
    if secondary and secondary != instance.availability_zone:
        return secondary
    zones = []
    group = instance.__dict__.get("db_subnet_group")
    for subnet in getattr(group, "subnets", None) or []:
        zone = getattr(subnet, "availability_zone", None)
        if zone and zone not in zones:
            zones.append(zone)
    zones += [f"{instance.region}{letter}" for letter in "abc"]
    secondary = next(zone for zone in zones if zone != instance.availability_zone)
    instance.__dict__["medtech_secondary_az"] = secondary
    return secondary


def _backup_view(record):
    """The DBInstanceAutomatedBackup answer for a stored record (a copy, without internals)."""
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _refresh(record):
    """Advance a replicated backup as AWS would have meanwhile (see the module docstring)."""
    if record["Status"] == "retained":
        return
    source = record["_source"]
    if source.db_instance_identifier not in source.backend.databases or source.backend.databases[
        source.db_instance_identifier
    ] is not source:
        record["Status"] = "retained"
        return
    record["Status"] = "replicating"
    latest = _latest_restorable_time(source) or utcnow()
    record["RestoreWindow"]["LatestTime"] = max(latest, record["RestoreWindow"]["EarliestTime"])


def _start_replication(self):
    """RDSResponse.start_db_instance_automated_backups_replication."""
    params = self.params
    source_arn = params.get("SourceDBInstanceArn")
    source = _source_instance(self.current_account, source_arn)
    destination = self.region
    if source.region == destination:
        raise _error("InvalidParameterValue", "The source DB instance must be in a different Region than the "
                     f"destination Region {destination}.")
    if source.status != "available":
        raise _error("InvalidDBInstanceState", f"DB instance {source.db_instance_identifier} is not in available "
                     f"state (it is {source.status}).")
    if not source.backup_retention_period:
        raise _error("InvalidDBInstanceState", f"Automated backups are not enabled for DB instance "
                     f"{source.db_instance_identifier}: set a backup retention period of 1 day or more.")
    retention = params.get("BackupRetentionPeriod")
    retention = DEFAULT_REPLICATED_RETENTION if retention is None else int(retention)
    if not 1 <= retention <= 35:
        raise _error("InvalidParameterValue", f"Invalid backup retention period {retention}: it must be 1 to 35 days.")
    key_id = params.get("KmsKeyId")
    if source.storage_encrypted and not key_id:
        raise _error("InvalidParameterCombination", "A KmsKeyId of the destination Region is required to replicate "
                     "the automated backups of an encrypted DB instance.")
    if key_id and not source.storage_encrypted:
        raise _error("InvalidParameterCombination", "KmsKeyId can only be specified for an encrypted DB instance.")
    if _replications(source):
        raise _error("InvalidDBInstanceAutomatedBackupState", f"Automated backups of DB instance "
                     f"{source.db_instance_identifier} are already replicated ({_replications(source)[0]}).")
    stored = _replicated(self.backend)
    for record in stored.values():
        _refresh(record)
    if len([r for r in stored.values() if r["Status"] != "retained"]) >= REPLICATED_BACKUP_QUOTA:
        raise _error("DBInstanceAutomatedBackupQuotaExceeded", f"At most {REPLICATED_BACKUP_QUOTA} automated "
                     f"backups can be replicated to {destination}.")
    suffix = "".join(random.choices(string.ascii_lowercase + string.digits, k=26))
    arn = f"arn:{self.backend.partition}:rds:{destination}:{self.current_account}:auto-backup:ab-{suffix}"
    now = utcnow()
    record = {
        "DBInstanceArn": source.db_instance_arn,
        "DbiResourceId": source.dbi_resource_id,
        "Region": source.region,
        "DBInstanceIdentifier": source.db_instance_identifier,
        "RestoreWindow": {"EarliestTime": now, "LatestTime": now},
        "AllocatedStorage": source.allocated_storage,
        "Status": "pending",
        "Port": source.port,
        "InstanceCreateTime": source.instance_create_time,
        "MasterUsername": source.master_username,
        "Engine": source.engine,
        "EngineVersion": source.engine_version,
        "LicenseModel": source.license_model,
        "Encrypted": bool(source.storage_encrypted),
        "StorageType": source.storage_type,
        "IAMDatabaseAuthenticationEnabled": bool(source.enable_iam_database_authentication),
        "BackupRetentionPeriod": retention,
        "DBInstanceAutomatedBackupsArn": arn,
        "TagList": [{"Key": tag["Key"], "Value": tag["Value"]} for tag in params.get("Tags") or []],
        "_source": source,
    }
    if key_id:
        record["KmsKeyId"] = _key_arn(self.current_account, destination, key_id)
    stored[arn] = record
    _replications(source).append(arn)
    return ActionResult({"DBInstanceAutomatedBackup": _backup_view(record)})


def _stop_replication(self):
    """RDSResponse.stop_db_instance_automated_backups_replication."""
    source = _source_instance(self.current_account, self.params.get("SourceDBInstanceArn"))
    for record in _replicated(self.backend).values():
        _refresh(record)
        if record["_source"] is source and record["Status"] != "retained":
            answer = _backup_view(record)
            record["Status"] = "retained"
            _replications(source).remove(record["DBInstanceAutomatedBackupsArn"])
            return ActionResult({"DBInstanceAutomatedBackup": answer})
    raise _error("InvalidDBInstanceState", f"Automated backups of DB instance {source.db_instance_identifier} are "
                 f"not replicated to {self.region}.")


def _matches(values, *candidates):
    wanted = {str(value).lower() for value in values}
    return any(str(candidate).lower() in wanted for candidate in candidates if candidate)


def _describe_automated_backups(original):
    def describe_db_instance_automated_backups(self):
        params = self.params
        filters = {item["Name"]: item["Values"] for item in params.get("Filters") or []}
        identifier, resource_id = params.get("DBInstanceIdentifier"), params.get("DbiResourceId")
        backups_arn = params.get("DBInstanceAutomatedBackupsArn")
        local = [] if backups_arn else list(original(self).result["DBInstanceAutomatedBackups"])
        if "status" in filters:
            local = [backup for backup in local if backup.status in filters["status"]]
        if "db-instance-id" in filters:
            local = [backup for backup in local if _matches(
                filters["db-instance-id"], backup.db_instance_identifier,
                f"arn:{self.backend.partition}:rds:{self.region}:{self.current_account}:db:{backup.db_instance_identifier}")]
        replicated = []
        for record in _replicated(self.backend).values():
            _refresh(record)
            checks = [
                identifier is None or _matches([identifier], record["DBInstanceIdentifier"]),
                resource_id is None or _matches([resource_id], record["DbiResourceId"]),
                backups_arn is None or backups_arn == record["DBInstanceAutomatedBackupsArn"],
                "status" not in filters or record["Status"] in filters["status"],
                "db-instance-id" not in filters or _matches(
                    filters["db-instance-id"], record["DBInstanceIdentifier"], record["DBInstanceArn"]),
                "dbi-resource-id" not in filters or _matches(
                    filters["dbi-resource-id"], record["DbiResourceId"], record["DBInstanceArn"]),
            ]
            if all(checks):
                replicated.append(_backup_view(record))
        if backups_arn and not replicated:
            raise _error("DBInstanceAutomatedBackupNotFound", f"Automated backup {backups_arn} not found.")
        return ActionResult({"DBInstanceAutomatedBackups": local + replicated})

    return describe_db_instance_automated_backups


def _restore_to_point_in_time(original):
    def restore_db_instance_to_point_in_time(self):
        params = self.params
        backups_arn = params.get("SourceDBInstanceAutomatedBackupsArn")
        identifier = params.get("SourceDBInstanceIdentifier")
        if not backups_arn and not identifier:
            return original(self)  # SourceDbiResourceId: moto's own handling
        restore_time, latest = _naive_utc(params.get("RestoreTime")), params.get("UseLatestRestorableTime")
        if restore_time is not None and latest:
            raise _error("InvalidParameterCombination", "Cannot specify both RestoreTime and UseLatestRestorableTime.")
        if backups_arn:
            record = _replicated(self.backend).get(backups_arn)
            if record is None:
                raise _error("DBInstanceAutomatedBackupNotFound", f"Automated backup {backups_arn} not found.")
            _refresh(record)
            source, window = record["_source"], record["RestoreWindow"]
            earliest, last = window["EarliestTime"], window["LatestTime"]
            key_arn = record.get("KmsKeyId")
        else:
            source = self.backend.describe_db_instances(db_instance_identifier=identifier)[0]
            if not source.backup_retention_period:
                raise _error("PointInTimeRestoreNotEnabled", f"DB instance {identifier} has no automated backups "
                             "(BackupRetentionPeriod 0).")
            earliest, last = source.created, _latest_restorable_time(source)
            key_arn = source.kms_key_id
        if restore_time is not None and not earliest <= restore_time <= last:
            raise _error("InvalidParameterValue", f"RestoreTime {restore_time.isoformat()}Z is outside the restore "
                         f"window {earliest.isoformat()}Z to {last.isoformat()}Z.")
        props = {arg: source.__dict__.get(attr) for arg, attr in RESTORE_FROM_SOURCE.items()}
        props["iops"] = source.__dict__.get("_reported_iops", source.__dict__.get("iops"))
        props["kms_key_id"] = key_arn
        props["multi_az"] = False
        for member in RESTORE_MEMBERS:
            value = params.get(member)
            if value is not None:
                props[member] = value
        props["db_instance_identifier"] = params.get("TargetDBInstanceIdentifier")
        instance = self.backend.create_db_instance({k: v for k, v in props.items() if v is not None})
        return ActionResult({"DBInstance": instance})

    return restore_db_instance_to_point_in_time


def _advance_instance(instance):
    """One step of a rebooting instance towards available, with the failover's last events."""
    if instance.status != "rebooting":
        return
    instance.status = "available"
    instance.add_event("DB_INSTANCE_RESTARTED")
    if instance.__dict__.pop("medtech_failing_over", False):
        instance.add_event("DB_INSTANCE_FAILOVER_FINISH")


def _describe_instances_advancing(original):
    def describe_db_instances(self):
        result = original(self)
        for instance in result.result["DBInstances"]:
            _advance_instance(instance)
        return result

    return describe_db_instances


def _reboot_db_instance(self):
    """RDSResponse.reboot_db_instance, with ForceFailover (see the module docstring)."""
    identifier = self.params.get("DBInstanceIdentifier")
    instance = self.backend.describe_db_instances(db_instance_identifier=identifier)[0]
    if instance.status != "available":
        raise _error("InvalidDBInstanceState", f"DB instance {instance.db_instance_identifier} is not in available "
                     f"state (it is {instance.status}).")
    if self.params.get("ForceFailover"):
        if not instance.multi_az:
            raise _error("InvalidParameterCombination", "ForceFailover can only be used with a Multi-AZ DB instance: "
                         f"{instance.db_instance_identifier} is not Multi-AZ.")
        primary, secondary = instance.availability_zone, _secondary_availability_zone(instance)
        instance.add_event("DB_INSTANCE_FAILOVER_START")
        instance.availability_zone = secondary
        instance.__dict__["medtech_secondary_az"] = primary
        instance.__dict__["medtech_failing_over"] = True
    instance.status = "rebooting"
    return ActionResult({"DBInstance": instance})


def _describe_events(original):
    def describe_events(self, *args, **kwargs):
        events = original(self, *args, **kwargs)
        categories = kwargs.get("event_categories")
        if categories:
            events = [event for event in events if set(event.event_categories) & set(categories)]
        start, end = _naive_utc(kwargs.get("start_time")), _naive_utc(kwargs.get("end_time"))
        duration = kwargs.get("duration")
        if start is None and end is None:
            end = utcnow()
            start = end - datetime.timedelta(minutes=int(duration or 60))
        elif start is None and duration:
            start = end - datetime.timedelta(minutes=int(duration))
        elif end is None and duration:
            end = start + datetime.timedelta(minutes=int(duration))
        return [event for event in events if (start is None or event.date >= start) and (end is None or event.date <= end)]

    return describe_events


def apply():
    """Patch moto's RDS in this process; see the module docstring."""
    response, instance = rds_responses.RDSResponse, rds_models.DBInstance
    rds_models.Event.EVENT_MAP.update(EVENTS)
    response.start_db_instance_automated_backups_replication = _start_replication
    response.stop_db_instance_automated_backups_replication = _stop_replication
    response.describe_db_instance_automated_backups = _describe_automated_backups(
        response.describe_db_instance_automated_backups)
    response.restore_db_instance_to_point_in_time = _restore_to_point_in_time(
        response.restore_db_instance_to_point_in_time)
    response.describe_db_instances = _describe_instances_advancing(response.describe_db_instances)
    response.reboot_db_instance = _reboot_db_instance
    rds_models.RDSBackend.describe_events = _describe_events(rds_models.RDSBackend.describe_events)
    instance.latest_restorable_time = property(_latest_restorable_time)
    instance.secondary_availability_zone = property(_secondary_availability_zone)
    instance.db_instance_automated_backups_replications = property(
        lambda self: [{"DBInstanceAutomatedBackupsArn": arn} for arn in _replications(self)] or None)
