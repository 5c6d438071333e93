#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: secretsmanager_secret_info
version_added: 0.1.0
short_description: Read one Secrets Manager secret's metadata, never its value
description:
  - Reads a secret's metadata with C(secretsmanager:DescribeSecret) only, so it needs no permission on the value and
    cannot show one. The read side of M(medtech.aws_platform.secretsmanager_secret).
  - Other roles use it to find a secret's full ARN (with the random suffix AWS adds), which IAM policies and ECS
    container C(secrets) need.
  - A secret that does not exist gives RV(exists=false) and RV(secret={}), not an error.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  name:
    description:
      - The secret's name (e.g. V(prod/rds/app)) or ARN.
    type: str
    required: true
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find the application's database secret
  medtech.aws_platform.secretsmanager_secret_info:
    name: prod/rds/app
  register: app_secret

- name: Use its full ARN in a policy
  ansible.builtin.debug:
    msg: "{{ app_secret.secret.arn }}"
  when: app_secret.exists
"""

RETURN = r"""
exists:
  description: Whether a secret of that name exists (one scheduled for deletion counts, see RV(secret.deleted_date)).
  returned: always
  type: bool
  sample: true
secret:
  description:
    - The secret's metadata as C(DescribeSecret) returns it, in snake_case, tags as a dict; C({}) when it does not exist.
  returned: always
  type: dict
  contains:
    arn:
      description: The full ARN of the secret.
      returned: when the secret exists
      type: str
      sample: arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/rds/app-AbCdEf
    name:
      description: The name of the secret.
      returned: when the secret exists
      type: str
      sample: prod/rds/app
    kms_key_id:
      description: The KMS key that encrypts it; missing for the AWS managed key.
      returned: when a customer managed key is used
      type: str
      sample: alias/medtech-prod-platform
    tags:
      description: The tags of the secret.
      returned: when the secret exists
      type: dict
      sample: {"Environment": "prod"}
    value_state:
      description: V(set) when a version labelled C(AWSCURRENT) exists (the secret holds a value), else V(missing).
      returned: when the secret exists
      type: str
      sample: set
    rotation_enabled:
      description: Whether rotation is on.
      returned: when the secret exists
      type: bool
      sample: true
    replication_status:
      description:
        - The secret's replicas as C(DescribeSecret) reports them (C(region), C(kms_key_id), C(status) V(InSync),
          V(InProgress) or V(Failed), C(status_message)); the dr role checks the DR region's is V(InSync).
      returned: when the secret has replicas
      type: list
      elements: dict
      sample: [{"region": "eu-west-1", "kms_key_id": "alias/medtech-prod-platform", "status": "InSync"}]
    deleted_date:
      description: When the secret was scheduled for deletion.
      returned: when the secret is scheduled for deletion
      type: str
      sample: "2026-12-01T06:00:00+00:00"
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import describe_secret


def secret_info(raw):
    """DescribeSecret's answer as the module returns it: snake_case, tags as a dict, ``value_state``.

    :param raw: the boto3 DescribeSecret response (without ResponseMetadata), or None.
    :returns: dict, ``{}`` when ``raw`` is None. Version IDs and values never appear.
    """
    if not raw:
        return {}
    stages = raw.get("VersionIdsToStages") or {}
    raw = {key: value for key, value in raw.items() if key not in ("VersionIdsToStages", "SecretString", "SecretBinary")}
    info = boto3_resource_to_ansible_dict(raw)
    info["value_state"] = "set" if any("AWSCURRENT" in (labels or []) for labels in stages.values()) else "missing"
    return info


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    client = module.client("secretsmanager")
    try:
        raw = describe_secret(client, module.params["name"])
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    secret = secret_info(raw)
    module.exit_json(changed=False, exists=bool(secret), secret=secret)


if __name__ == "__main__":
    main()
