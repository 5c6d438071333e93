#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_instance_point_in_time_restore
version_added: 0.1.0
short_description: Restore an RDS DB instance to a point in time, as a new instance
description:
  - Creates the DB instance O(db_instance_identifier) with C(RestoreDBInstanceToPointInTime),
    from the automated backups of a DB instance in the same region
    (O(source_db_instance_identifier)) or from automated backups replicated to this region
    (O(source_db_instance_automated_backups_arn), the restore of a disaster recovery region).
  - The database as it was at O(restore_time), or at the latest restorable time
    (O(use_latest_restorable_time)); the source instance is not changed.
  - Idempotent by the target's identifier only. When O(db_instance_identifier) already exists, the
    module returns it with RV(changed=false) and calls nothing else; its settings are not compared
    with the options, and an existing target is never modified, restored over or replaced. Delete it
    first (for example with M(amazon.aws.rds_instance)) to restore again.
  - With O(wait=true) the module waits for the new instance to be C(available) and reports the
    time the restore took (RV(restore_seconds)), so a DR drill can report its restore time.
  - The restored instance is encrypted as the backups are, with the source's KMS key (same region)
    or with the key the backups were replicated with (C(StartDBInstanceAutomatedBackupsReplication)'s
    C(KmsKeyId)); C(RestoreDBInstanceToPointInTime) takes no KMS key, so there is no option for it.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  db_instance_identifier:
    description:
      - The identifier of the new (target) DB instance, e.g. V(medtech-prod-db-restored).
      - 1 to 63 letters, digits and hyphens; starts with a letter; no two hyphens in a row and no
        hyphen at the end (AWS stores it in lower case).
      - Must differ from O(source_db_instance_identifier).
    type: str
    required: true
    aliases: [target_db_instance_identifier]
  source_db_instance_identifier:
    description:
      - The DB instance, in the module's region, whose automated backups are restored.
      - Exactly one of O(source_db_instance_identifier) and O(source_db_instance_automated_backups_arn).
    type: str
  source_db_instance_automated_backups_arn:
    description:
      - The ARN of replicated automated backups in the module's region
        (C(arn:aws:rds:<region>:<account>:auto-backup:ab-...)), as C(DescribeDBInstanceAutomatedBackups)
        lists them in the DR region; used when the source region is down.
      - Exactly one of O(source_db_instance_identifier) and O(source_db_instance_automated_backups_arn).
    type: str
  restore_time:
    description:
      - The time to restore to, ISO 8601 with a time zone, e.g. V(2026-03-01T09:30:00Z); converted
        to UTC. A time without an offset is refused (it would be a guess).
      - Must lie between the backups' earliest and latest restorable times, else AWS answers
        C(InvalidRestoreFault).
      - Exactly one of O(restore_time) and O(use_latest_restorable_time=true).
    type: str
  use_latest_restorable_time:
    description:
      - Restore to the latest restorable time (for RDS typically less than 5 minutes ago).
      - Exactly one of O(restore_time) and O(use_latest_restorable_time=true).
    type: bool
  db_instance_class:
    description: The instance class of the new instance, e.g. V(db.r6g.large). When not set, the source's.
    type: str
  db_subnet_group_name:
    description:
      - The DB subnet group of the new instance. When not set, AWS uses the default VPC's (there
        may be none), so set it for a restore into the platform's isolated db subnets.
    type: str
  vpc_security_group_ids:
    description: The VPC security groups of the new instance. When not set, the VPC's default group.
    type: list
    elements: str
  multi_az:
    description: Whether the new instance is Multi-AZ. When not set, AWS's default (single AZ).
    type: bool
  publicly_accessible:
    description: Whether the new instance gets a public address.
    type: bool
    default: false
  deletion_protection:
    description:
      - Whether the new instance has deletion protection.
      - On by default, as for every platform database; a throwaway DR drill instance passes
        V(false) so that it can be deleted afterwards.
    type: bool
    default: true
  db_parameter_group_name:
    description: The DB parameter group of the new instance. When not set, the engine's default group.
    type: str
  storage_type:
    description: The storage type of the new instance, e.g. V(gp3). When not set, the source's.
    type: str
  tags:
    description: Tags for the new instance, as a dict. Only sent with the restore; never compared or changed later.
    type: dict
  copy_tags_to_snapshot:
    description: Whether the new instance copies its tags to its snapshots. When not set, AWS's default (false).
    type: bool
  wait:
    description: Whether to wait until the new instance is C(available) (boto3's C(db_instance_available) waiter).
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait at most, in seconds (1 to 86400). The waiter polls every 30 seconds (or
        every O(wait_timeout) seconds when that is shorter).
      - When it runs out, the module fails with C(Timeout trying to wait for the DB instance ...);
        the restore goes on in AWS, and a later run returns the instance unchanged.
    type: int
    default: 3600
notes:
  - "Calls: C(rds:DescribeDBInstances), C(rds:RestoreDBInstanceToPointInTime) and, in check mode
    only, C(rds:DescribeDBInstanceAutomatedBackups). C(rds:AddTagsToResource) is needed for O(tags)."
  - "Failures: invalid options (C(Invalid options: ...)), including a target identifier equal to
    the source's, before any AWS call. AWS errors as C(Failed to restore the DB instance <target>
    to a point in time) with AWS's code and message, e.g. C(DBInstanceAlreadyExists) (created by
    someone else meanwhile), C(DBInstanceNotFound) (no such source instance),
    C(DBInstanceAutomatedBackupNotFound) (no such replicated backups ARN),
    C(PointInTimeRestoreNotEnabled) (the source keeps no backups, retention 0),
    C(InvalidRestoreFault) (O(restore_time) outside the restorable window),
    C(StorageQuotaExceeded), C(InstanceQuotaExceeded), C(InsufficientDBInstanceCapacity),
    C(DBSubnetGroupNotFoundFault), C(DBParameterGroupNotFound), C(KMSKeyNotAccessibleFault),
    C(AccessDenied). While waiting, C(Timeout trying to wait for the DB instance <target> to
    become available) when O(wait_timeout) runs out or the instance reaches a failed state
    (C(failed), C(incompatible-restore), C(incompatible-parameters), C(deleting), C(deleted))."
seealso:
  - module: amazon.aws.rds_instance
  - module: medtech.aws_platform.rds_event_info
  - name: Restoring a DB instance to a specified time
    description: The RDS User Guide on point-in-time recovery.
    link: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIT.html
  - name: Replicating automated backups to another AWS Region
    description: Restoring from replicated backups in the DR region.
    link: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html
attributes:
  check_mode:
    support: full
    description:
      - Reads the target and the source (the source instance, or the replicated backups) and fails
        as the restore would when the source does not exist; never calls the restore.
        RV(changed) is true when the restore would run.
  diff_mode:
    support: none
    description: The module creates an instance or does nothing; it returns no diff.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: DR drill - restore prod to its latest restorable time, as a throwaway instance
  medtech.aws_platform.rds_instance_point_in_time_restore:
    db_instance_identifier: medtech-prod-db-drill
    source_db_instance_identifier: medtech-prod-db
    use_latest_restorable_time: true
    db_instance_class: db.r6g.large
    db_subnet_group_name: medtech-prod-db
    vpc_security_group_ids:
      - sg-0a1b2c3d4e5f60718
    deletion_protection: false
    tags:
      environment: prod
      purpose: dr-drill
  register: drill_restore

- name: Report the restore time against the 4 hour RTO
  ansible.builtin.debug:
    msg: "Restored in {{ drill_restore.restore_seconds | round(0) }} s"

- name: Regional outage - restore from the backups replicated to eu-west-1
  medtech.aws_platform.rds_instance_point_in_time_restore:
    region: eu-west-1
    db_instance_identifier: medtech-prod-db
    source_db_instance_automated_backups_arn: arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-4f6b2c7d9e1a3b5c7d9e1f3a5b
    restore_time: "2026-03-01T09:30:00Z"
    multi_az: true
    db_subnet_group_name: medtech-prod-db
    wait_timeout: 7200
"""

RETURN = r"""
db_instance:
  description:
    - The target DB instance as C(DescribeDBInstances) (or, right after a restore without
      O(wait), C(RestoreDBInstanceToPointInTime)) returns it, in snake_case, with C(tags) as a dict.
    - In check mode, when the restore would run, only RV(db_instance.db_instance_identifier).
  returned: always
  type: dict
  contains:
    db_instance_identifier:
      description: The identifier of the target instance.
      type: str
      sample: medtech-prod-db-drill
    db_instance_status:
      description: Its status, V(available) after a restore with O(wait).
      type: str
      sample: available
    availability_zone:
      description: Its availability zone.
      type: str
      sample: eu-central-1a
    endpoint:
      description: Its endpoint, C(address) and C(port); absent while it is being created.
      type: dict
      sample: {"address": "medtech-prod-db-drill.c1a2b3c4d5e6.eu-central-1.rds.amazonaws.com", "port": 5432}
    latest_restorable_time:
      description: The latest time it can itself be restored to (ISO 8601).
      type: str
      sample: "2026-03-01T10:05:00+00:00"
    multi_az:
      description: Whether it is Multi-AZ.
      type: bool
      sample: false
    deletion_protection:
      description: Whether it has deletion protection.
      type: bool
      sample: false
    tags:
      description: Its tags.
      type: dict
      sample: {"purpose": "dr-drill"}
changed:
  description: Whether the restore was started (in check mode, would be).
  returned: always
  type: bool
  sample: true
restore_started:
  description: When the module called C(RestoreDBInstanceToPointInTime) (UTC, ISO 8601).
  returned: when the module restored (not in check mode)
  type: str
  sample: "2026-03-01T10:00:00.123456+00:00"
restore_completed:
  description: When the waiter saw the instance C(available) (UTC, ISO 8601).
  returned: when the module restored with O(wait=true) (not in check mode); absent with O(wait=false), the restore is still running then
  type: str
  sample: "2026-03-01T10:21:30.654321+00:00"
restore_seconds:
  description:
    - Seconds from RV(restore_started) to RV(restore_completed), the restore time a drill reports.
      Up to one waiter delay (30 s) more than AWS's own time.
  returned: when the module restored with O(wait=true) (not in check mode); absent with O(wait=false)
  type: float
  sample: 1290.53
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import describe_automated_backup
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import describe_db_instance
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import instance_to_ansible
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import iso_utc
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import parse_utc_time
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import restore_db_instance_to_point_in_time
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import utc_now
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_restore import wait_db_instance_available

IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$")
AUTO_BACKUP_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:auto-backup:[A-Za-z0-9-]+$")
MAX_WAIT_TIMEOUT = 86400
#: option -> RestoreDBInstanceToPointInTime parameter, sent only when set
OPTIONAL_PARAMETERS = {
    "db_instance_class": "DBInstanceClass",
    "db_subnet_group_name": "DBSubnetGroupName",
    "vpc_security_group_ids": "VpcSecurityGroupIds",
    "multi_az": "MultiAZ",
    "publicly_accessible": "PubliclyAccessible",
    "deletion_protection": "DeletionProtection",
    "db_parameter_group_name": "DBParameterGroupName",
    "storage_type": "StorageType",
    "tags": "Tags",
    "copy_tags_to_snapshot": "CopyTagsToSnapshot",
}


def validate_params(params):
    """Check the options before any AWS call.

    :return: list of messages, each naming the option and the fix.
    """
    errors = []
    target = params["db_instance_identifier"] or ""
    if not IDENTIFIER_PATTERN.match(target):
        errors.append(
            f"db_instance_identifier: {target!r} is not a DB instance identifier: use 1 to 63 letters, digits and "
            "hyphens, starting with a letter, without two hyphens in a row or a hyphen at the end"
        )
    source = params["source_db_instance_identifier"]
    arn = params["source_db_instance_automated_backups_arn"]
    if (source is None) == (arn is None):
        errors.append(
            "give exactly one of source_db_instance_identifier (a DB instance in this region) and "
            "source_db_instance_automated_backups_arn (backups replicated to this region)"
        )
    if source is not None and source.lower() == target.lower():
        errors.append(
            f"db_instance_identifier {target!r} is the source instance itself: a point-in-time restore creates a "
            "new instance, give the target another identifier"
        )
    if arn is not None and not AUTO_BACKUP_ARN_PATTERN.match(arn):
        errors.append(
            f"source_db_instance_automated_backups_arn: {arn!r} is not an automated backups ARN "
            "(arn:aws:rds:<region>:<account>:auto-backup:ab-...): copy it from DescribeDBInstanceAutomatedBackups"
        )
    restore_time = params["restore_time"]
    if (restore_time is None) == (not params["use_latest_restorable_time"]):
        errors.append("give exactly one of restore_time and use_latest_restorable_time: true")
    if restore_time is not None:
        try:
            parse_utc_time(restore_time)
        except ValueError:
            errors.append(
                f"restore_time: {restore_time!r} is not an ISO 8601 time with a time zone: write it like "
                "2026-03-01T09:30:00Z"
            )
    if not 1 <= params["wait_timeout"] <= MAX_WAIT_TIMEOUT:
        errors.append(f"wait_timeout: {params['wait_timeout']} is out of range: give 1 to {MAX_WAIT_TIMEOUT} seconds")
    return errors


def restore_parameters(params):
    """The RestoreDBInstanceToPointInTime parameters (without the target) from the options."""
    request = {}
    if params["source_db_instance_identifier"] is not None:
        request["SourceDBInstanceIdentifier"] = params["source_db_instance_identifier"]
    else:
        request["SourceDBInstanceAutomatedBackupsArn"] = params["source_db_instance_automated_backups_arn"]
    if params["restore_time"] is not None:
        request["RestoreTime"] = parse_utc_time(params["restore_time"])
    else:
        request["UseLatestRestorableTime"] = True
    for option, name in OPTIONAL_PARAMETERS.items():
        if params[option] is not None:
            request[name] = params[option]
    return request


def check_source(client, params, region):
    """Check mode: the message of the error the restore would meet for a missing source, or None."""
    source = params["source_db_instance_identifier"]
    if source is not None:
        if describe_db_instance(client, source) is None:
            return (
                f"source_db_instance_identifier: there is no DB instance {source} in {region} (the restore would "
                "fail with DBInstanceNotFound): check the identifier and the region"
            )
        return None
    arn = params["source_db_instance_automated_backups_arn"]
    if describe_automated_backup(client, arn) is None:
        return (
            f"source_db_instance_automated_backups_arn: there are no automated backups {arn} in {region} (the "
            "restore would fail with DBInstanceAutomatedBackupNotFound): check that backup replication to this "
            "region is running and the ARN"
        )
    return None


def run(module, client):
    """Restore unless the target exists; return the module result."""
    params = module.params
    target = params["db_instance_identifier"]
    existing = describe_db_instance(client, target)
    if existing is not None:
        return {"changed": False, "db_instance": instance_to_ansible(existing)}
    if module.check_mode:
        problem = check_source(client, params, client.meta.region_name)
        if problem:
            module.fail_json(msg=problem)
        return {"changed": True, "db_instance": {"db_instance_identifier": target.lower()}}

    started = utc_now()
    instance = restore_db_instance_to_point_in_time(client, target, **restore_parameters(params))
    result = {"changed": True, "restore_started": iso_utc(started)}
    if params["wait"]:
        wait_db_instance_available(client, target, params["wait_timeout"])
        completed = utc_now()
        result.update(restore_completed=iso_utc(completed), restore_seconds=round((completed - started).total_seconds(), 3))
        instance = describe_db_instance(client, target) or instance
    result["db_instance"] = instance_to_ansible(instance)
    return result


def main():
    argument_spec = dict(
        db_instance_identifier=dict(type="str", required=True, aliases=["target_db_instance_identifier"]),
        source_db_instance_identifier=dict(type="str"),
        source_db_instance_automated_backups_arn=dict(type="str"),
        restore_time=dict(type="str"),
        use_latest_restorable_time=dict(type="bool"),
        db_instance_class=dict(type="str"),
        db_subnet_group_name=dict(type="str"),
        vpc_security_group_ids=dict(type="list", elements="str"),
        multi_az=dict(type="bool"),
        publicly_accessible=dict(type="bool", default=False),
        deletion_protection=dict(type="bool", default=True),
        db_parameter_group_name=dict(type="str"),
        storage_type=dict(type="str"),
        tags=dict(type="dict"),
        copy_tags_to_snapshot=dict(type="bool"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=3600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors = validate_params(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))
    client = module.client("rds")
    try:
        result = run(module, client)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
