#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_instance_automated_backups_info
version_added: 0.1.0
short_description: List the automated backups of an RDS DB instance in a region, e.g. those replicated to a DR region
description:
  - Lists with C(DescribeDBInstanceAutomatedBackups) (all pages) the automated backups in the module's region whose
    source is the DB instance O(source_db_instance_arn) - in a DR region, the backups replicated there by
    M(medtech.aws_platform.rds_instance_automated_backups_replication).
  - Reads the module's region only, so it answers while the source's region is down (a region failover's first question,
    "is there a restore point?").
  - Newest restorable time first.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  source_db_instance_arn:
    description:
      - ARN of the source DB instance, e.g. V(arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-db). It need not exist
        any more (backups of a deleted instance are listed while they are retained).
    type: str
    required: true
notes:
  - "Errors: AccessDenied without C(rds:DescribeDBInstanceAutomatedBackups); an ARN that is not a DB instance ARN is
    refused before any AWS call."
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Is there a restore point in the DR region?
  medtech.aws_platform.rds_instance_automated_backups_info:
    source_db_instance_arn: arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-db
    region: eu-west-1
  register: replicated
"""

RETURN = r"""
automated_backups:
  description:
    - The automated backups, newest latest restorable time first, as C(DescribeDBInstanceAutomatedBackups) returns them in
      snake_case (times ISO 8601), C(tags) as a dict. Empty when there is none.
  returned: always
  type: list
  elements: dict
  contains:
    db_instance_automated_backups_arn:
      description: ARN of the automated backups, what a restore in this region takes as its source.
      type: str
      sample: arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-abcdefghijklmnopqrstuvwxyz0
    db_instance_arn:
      description: ARN of the source DB instance.
      type: str
    status:
      description: V(active), V(pending), V(replicating) or V(retained) (the replication or the source has ended).
      type: str
    restore_window:
      description: The times a point-in-time restore can reach (C(earliest_time), C(latest_time), ISO 8601).
      type: dict
    kms_key_id:
      description: The key that encrypts the backups (and a restore from them).
      type: str
    backup_retention_period:
      description: Days the backups are kept.
      type: int
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import SOURCE_ARN_PATTERN
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import backup_view
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds_backups import list_replicated_backups


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(source_db_instance_arn=dict(type="str", required=True)),
        supports_check_mode=True,
    )
    source_arn = module.params["source_db_instance_arn"]
    if not SOURCE_ARN_PATTERN.match(source_arn):
        module.fail_json(msg=f"source_db_instance_arn must be a DB instance ARN such as "
                             f"arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-db, not '{source_arn}'")
    try:
        found = list_replicated_backups(module.client("rds"), source_arn)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    backups = [backup_view(item) for item in found]
    backups.sort(key=lambda item: str((item.get("restore_window") or {}).get("latest_time") or ""), reverse=True)
    module.exit_json(changed=False, automated_backups=backups)


if __name__ == "__main__":
    main()
