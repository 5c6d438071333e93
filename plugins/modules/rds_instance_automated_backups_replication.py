#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_instance_automated_backups_replication
version_added: 0.1.0
short_description: Replicate the automated backups of an RDS DB instance to another AWS Region
description:
  - Starts, keeps and stops the cross-Region replication of the automated backups (daily
    snapshots and transaction logs) of one RDS DB instance, so that a restore point exists in
    the destination Region when the source Region fails. Neither amazon.aws nor community.aws has
    a module for it.
  - Runs in the B(destination) Region (O(region)), as the API requires; the source instance is
    named by its ARN (O(source_db_instance_arn)), which also tells its Region.
  - The replication is found with C(DescribeDBInstanceAutomatedBackups) in the destination Region
    (the backup whose C(DBInstanceArn) is the source ARN and whose status is not C(retained)).
  - AWS cannot change a running replication. When its retention period or KMS key differs from the
    options, the module fails and names the difference, unless O(allow_replacement=true), with
    which it stops the replication and starts a new one.
  - Every option is checked before any AWS call.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  source_db_instance_arn:
    description:
      - The ARN of the source DB instance, e.g.
        V(arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-db). Its Region must differ from
        O(region).
    type: str
    required: true
  kms_key_id:
    description:
      - The KMS key of the B(destination) Region that encrypts the replicated backups, given as a
        key ARN, key id, alias name (V(alias/medtech-prod-platform)) or alias ARN. An alias or id is
        resolved to the key's ARN with KMS C(DescribeKey) in O(region), which is what RDS reports,
        so an alias and its key compare equal.
      - Required by AWS when the source instance is encrypted; an unencrypted source takes none.
      - When not set, the key of an existing replication is left as it is.
    type: str
  backup_retention_period:
    description:
      - How many days the replicated backups are kept in the destination Region, 1 to 35. AWS's
        default is 7.
    type: int
    default: 7
  state:
    description:
      - V(present) starts the replication if none is under way.
      - V(absent) stops it (C(StopDBInstanceAutomatedBackupsReplication)). AWS keeps the backups
        replicated so far (status C(retained)) until their retention period ends; they can still
        be restored from, and are deleted with C(DeleteDBInstanceAutomatedBackup) (not done here).
    type: str
    choices: [present, absent]
    default: present
  allow_replacement:
    description:
      - Whether a replication whose O(backup_retention_period) or O(kms_key_id) differs may be
        stopped and started anew, the only way AWS allows to change it.
      - The new replication's restore window starts at the time it starts; the old one's backups
        stay C(retained) until their retention ends, so point-in-time restores across the change
        need the old backups' ARN.
    type: bool
    default: false
notes:
  - "Calls, in the destination Region: C(rds:DescribeDBInstanceAutomatedBackups),
    C(rds:StartDBInstanceAutomatedBackupsReplication), C(rds:StopDBInstanceAutomatedBackupsReplication),
    and C(kms:DescribeKey) when O(kms_key_id) is not a key ARN. AWS also needs
    C(kms:CreateGrant) and C(kms:DescribeKey) on the key for RDS."
  - The source Region is sent as C(SourceRegion); botocore turns it into the C(PreSignedUrl) the
    API asks for (used only in AWS GovCloud).
  - "Failures: invalid options (C(Invalid options: ...), before any AWS call, naming the option);
    a replication that differs without O(allow_replacement); any API error as C(Failed to <action>)
    with AWS's code and message, with what to do for those the RDS API names:
    C(DBInstanceNotFound) (no such source), C(InvalidDBInstanceState) (source not available or
    without automated backups), C(InvalidDBInstanceAutomatedBackupState) (the source already
    replicates to another Region), C(DBInstanceAutomatedBackupQuotaExceeded) (20 replicated
    backups per Region), C(KMSKeyNotAccessibleFault), C(StorageTypeNotSupported),
    C(StorageQuotaExceeded), C(InvalidParameterCombination) (an encrypted source without
    O(kms_key_id)); C(NotFoundException) from KMS for a key that does not exist."
seealso:
  - name: Replicating automated backups to another AWS Region
    description: The RDS User Guide on cross-Region automated backups.
    link: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html
attributes:
  check_mode:
    support: full
    description:
      - Reads the replication, resolves the key and decides every change, but writes nothing.
        RV(automated_backup) is the replication as it would be (without the ARN AWS would give it).
  diff_mode:
    support: full
    description:
      - Returns the source ARN, KMS key and retention period before and after the run.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Replicate the production database's backups to the DR Region
  medtech.aws_platform.rds_instance_automated_backups_replication:
    region: eu-west-1
    source_db_instance_arn: arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-db
    kms_key_id: alias/medtech-prod-platform
    backup_retention_period: 7
  register: dr_backups

- name: Show the DR restore point (its latest time measures the recovery point)
  ansible.builtin.debug:
    msg: >-
      {{ dr_backups.automated_backup.db_instance_automated_backups_arn }} restores up to
      {{ dr_backups.automated_backup.restore_window.latest_time | default('(not yet)') }}

- name: Keep the replicated backups 14 days (stops the replication and starts a new one)
  medtech.aws_platform.rds_instance_automated_backups_replication:
    region: eu-west-1
    source_db_instance_arn: arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-db
    kms_key_id: alias/medtech-prod-platform
    backup_retention_period: 14
    allow_replacement: true

- name: Stop replicating (the backups replicated so far are retained)
  medtech.aws_platform.rds_instance_automated_backups_replication:
    region: eu-west-1
    source_db_instance_arn: arn:aws:rds:eu-central-1:123456789012:db:medtech-test-db
    state: absent
"""

RETURN = r"""
automated_backup:
  description:
    - The replicated automated backup in the destination Region after the run (in check mode, as
      it would be), as C(DescribeDBInstanceAutomatedBackups) returns it, in snake_case.
    - C({}) with O(state=absent) (the replication as it was is the C(before) side of RV(diff)).
  returned: always
  type: dict
  contains:
    db_instance_automated_backups_arn:
      description: The ARN of the replicated backups, for C(SourceDBInstanceAutomatedBackupsArn) of a restore.
      returned: when it exists (not in check mode for one that would be started)
      type: str
      sample: arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-l2ijcexjp7xq7hoj4siexample
    db_instance_arn:
      description: The ARN of the source DB instance.
      returned: when it exists
      type: str
      sample: arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-db
    db_instance_identifier:
      description: The identifier of the source DB instance.
      returned: when it exists (not in check mode for one that would be started)
      type: str
      sample: medtech-prod-db
    dbi_resource_id:
      description: The resource id of the source DB instance.
      returned: when it exists (not in check mode for one that would be started)
      type: str
      sample: db-JKIB2GFQ5RV7REPLZA4EXAMPLE
    region:
      description: The Region of the source DB instance.
      returned: when it exists
      type: str
      sample: eu-central-1
    status:
      description:
        - C(pending) right after the start, then C(replicating); C(retained) once the replication
          has ended or its source was deleted (not returned by this module for O(state=present)).
      returned: when it exists
      type: str
      sample: replicating
    restore_window:
      description: The times a point-in-time restore from these backups can restore to (ISO 8601).
      returned: when it exists (not in check mode for one that would be started)
      type: dict
      contains:
        earliest_time:
          description: The earliest restorable time.
          type: str
          sample: "2025-03-01T10:15:42+00:00"
        latest_time:
          description: The latest restorable time; the recovery point objective is measured from it.
          type: str
          sample: "2025-03-01T11:10:00+00:00"
    kms_key_id:
      description: The ARN of the destination Region's KMS key that encrypts the backups.
      returned: when the backups are encrypted
      type: str
      sample: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    backup_retention_period:
      description: Days the replicated backups are kept.
      returned: when it exists
      type: int
      sample: 7
    encrypted:
      description: Whether the backups are encrypted.
      returned: when it exists (not in check mode for one that would be started)
      type: bool
      sample: true
    engine:
      description: The engine of the source instance.
      returned: when it exists (not in check mode for one that would be started)
      type: str
      sample: postgres
    engine_version:
      description: The engine version of the source instance.
      returned: when it exists (not in check mode for one that would be started)
      type: str
      sample: "15.4"
    allocated_storage:
      description: The source instance's storage, in GiB.
      returned: when it exists (not in check mode for one that would be started)
      type: int
      sample: 500
    tags:
      description: The tags of the replicated backups.
      returned: when it exists
      type: dict
      sample: {}
changed:
  description: Whether the replication was (or, in check mode, would be) started, replaced or stopped.
  returned: always
  type: bool
  sample: true
diff:
  description: The source ARN, KMS key ARN and retention period before and after the run (C({}) when none).
  returned: in diff mode
  type: dict
  sample:
    before: {}
    after:
      source_db_instance_arn: arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-db
      kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
      backup_retention_period: 7
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import AnsibleRDSBackupsError
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import backup_view
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import current_replication
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import diff_view
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import is_key_arn
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import list_replicated_backups
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import parse_source_arn
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import resolve_key_arn
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import start_replication
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import stop_replication
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import validate_params
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import with_hint


class ReplicationManager(ResourceManager):
    """The replication of one source instance's automated backups into the module's Region."""

    result_key = "automated_backup"
    #: a replication just started may take a moment to be listed
    read_attempts = 5
    read_delay = 2

    def __init__(self, module, client, kms_client):
        super().__init__(module, client)
        self.kms = kms_client
        self.params = module.params
        self.source_arn = self.params["source_db_instance_arn"]
        self.source_region = parse_source_arn(self.source_arn)["region"]
        self.region = module.region
        self._key_arn = None

    def key_arn(self):
        """The ARN of O(kms_key_id) (resolved once), or None when it is not set."""
        key = self.params["kms_key_id"]
        if key is None:
            return None
        if self._key_arn is None:
            try:
                self._key_arn = key if is_key_arn(key) else resolve_key_arn(self.kms, key)
            except AnsibleRDSBackupsError as e:
                raise with_hint(e) from e
        return self._key_arn

    def differences(self, current):
        """Option -> (current, wanted) for every managed setting that differs."""
        found = {}
        retention = self.params["backup_retention_period"]
        if current.get("backup_retention_period") != retention:
            found["backup_retention_period"] = (current.get("backup_retention_period"), retention)
        wanted_key = self.key_arn()
        if wanted_key is not None and current.get("kms_key_id") != wanted_key:
            found["kms_key_id"] = (current.get("kms_key_id"), wanted_key)
        return found

    # --- hooks -----------------------------------------------------------------------------
    def read(self):
        found = current_replication(list_replicated_backups(self.client, self.source_arn))
        return backup_view(found) if found is not None else None

    def create(self):
        try:
            start_replication(self.client, self.source_arn, self.source_region,
                              self.params["backup_retention_period"], self.key_arn())
        except AnsibleRDSBackupsError as e:
            raise with_hint(e) from e

    def update(self, current):
        found = self.differences(current)
        if not found:
            return
        if not self.params["allow_replacement"]:
            described = "; ".join(f"{option} is {have!r}, wanted {want!r}" for option, (have, want) in found.items())
            raise AnsibleRDSBackupsError(
                message=f"The replication of the automated backups of {self.source_arn} to {self.region} differs: "
                f"{described}. AWS cannot change a running replication: set allow_replacement=true to stop it "
                "and start a new one (the backups replicated so far are retained until their retention ends, and "
                "the new restore window starts then), or set the options to the current values"
            )
        self.act(self.delete, current)
        self.act(self.create)

    def delete(self, current):
        try:
            stop_replication(self.client, self.source_arn)
        except AnsibleRDSBackupsError as e:
            raise with_hint(e) from e

    def expected(self, current):
        after = {
            "db_instance_arn": self.source_arn,
            "region": self.source_region,
            "status": "pending",
            "backup_retention_period": self.params["backup_retention_period"],
            "tags": {},
        }
        key = self.key_arn() or (current or {}).get("kms_key_id")
        if key:
            after["kms_key_id"] = key
        return after

    diff_view = staticmethod(diff_view)


def main():
    argument_spec = dict(
        source_db_instance_arn=dict(type="str", required=True),
        kms_key_id=dict(type="str"),
        backup_retention_period=dict(type="int", default=7),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        allow_replacement=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    errors = validate_params(module.params, module.region)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    manager = ReplicationManager(module, module.client("rds"), module.client("kms"))
    run_manager(module, manager)


if __name__ == "__main__":
    main()
