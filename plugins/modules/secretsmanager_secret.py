#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: secretsmanager_secret
version_added: 0.1.0
short_description: Manage an AWS Secrets Manager secret without ever overwriting its value
description:
  - Create, describe, tag, replicate, restore and delete one AWS Secrets Manager secret,
    identified by O(name).
  - B(A value that is already set is never overwritten.) O(initial_value),
    O(initial_value_json) and O(generate_initial_value) are used only when the secret is
    created, or when it exists without any value. The result says what happened to the value
    in RV(value_state), and a warning says so when a value was kept or is missing.
  - Whether the secret holds a value is decided from C(DescribeSecret) (a version labelled
    C(AWSCURRENT) exists). The module calls C(GetSecretValue) only when O(managed_json_fields)
    is set and the secret already has a value (also in check mode), to compare those fields;
    otherwise never. It never returns, logs or shows a secret value, not even in check or diff
    mode.
  - A secret may be created without any value (no option of the three), for values that people
    put in later, e.g. with C(aws secretsmanager put-secret-value).
  - Options that are not set are left alone on an existing secret; this includes the rotation
    when O(rotation) is not set.
  - Unlike M(community.aws.secretsmanager_secret), which overwrites the value by default, this
    module never replaces a value. The one change it makes to an existing value is setting the
    non-secret O(managed_json_fields) of a JSON value, keeping every other key; use
    C(PutSecretValue) or a rotation for anything else.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  name:
    description:
      - The name of the secret, e.g. V(prod/rds/admin). Not its ARN.
      - 1 to 512 characters out of letters, digits and C(/_+=.@-).
    type: str
    required: true
  description:
    description:
      - The description of the secret.
      - V("") removes the description of an existing secret.
    type: str
  kms_key_id:
    description:
      - The KMS key that encrypts the secret's values, as key ID, key ARN, alias name
        (V(alias/medtech-platform)) or alias ARN.
      - When not set, a new secret uses the AWS managed key C(aws/secretsmanager) and an
        existing secret keeps its key. V("") or V(alias/aws/secretsmanager) means the AWS
        managed key.
      - AWS reports the key in the form it was given. The module compares the two forms as text
        first, so an alias name equals its alias ARN and a key ID equals its key ARN; only when
        one side names an alias and the other a key are both resolved with C(kms:DescribeKey)
        and compared by key ARN.
      - A different key is set with C(UpdateSecret). AWS encrypts new versions with it and
        re-encrypts the versions labelled C(AWSCURRENT), C(AWSPENDING) and C(AWSPREVIOUS) when
        the caller may use both keys; older versions stay encrypted with the previous key.
    type: str
  initial_value:
    description:
      - The first value of the secret, as a string.
      - Used only when the secret is created or has no value yet; an existing value is kept
        (RV(value_state=kept)) and a warning says so.
      - Mutually exclusive with O(initial_value_json) and O(generate_initial_value).
    type: str
  initial_value_json:
    description:
      - 'The first value of the secret, as a dictionary stored as JSON, e.g.
        V({"publishable_key": "...", "secret_key": "..."}).'
      - Used only when the secret is created or has no value yet, like O(initial_value).
      - Ansible hides every string of this dictionary in the task output; a short one such as
        a user name also hides where it appears in other text, e.g. in the secret's name.
      - Mutually exclusive with O(initial_value) and O(generate_initial_value).
    type: dict
  generate_initial_value:
    description:
      - Let Secrets Manager generate the first value (C(GetRandomPassword)), when the secret is
        created or has no value yet. The generated value goes only from C(GetRandomPassword)
        to C(CreateSecret) or C(PutSecretValue), in the module's memory; it is not returned.
      - Not called in check mode.
      - Mutually exclusive with O(initial_value) and O(initial_value_json).
    type: dict
    suboptions:
      length:
        description: The number of characters, 1 to 4096.
        type: int
        default: 64
      exclude_characters:
        description:
          - Characters the value must not contain, e.g. C(/), C(@), C(") and C(') and the space,
            which RDS does not accept in a master password.
        type: str
      exclude_numbers:
        description: No digits. AWS's default is V(false).
        type: bool
      exclude_punctuation:
        description: No punctuation characters. AWS's default is V(false).
        type: bool
      exclude_uppercase:
        description: No uppercase letters. AWS's default is V(false).
        type: bool
      exclude_lowercase:
        description: No lowercase letters. AWS's default is V(false).
        type: bool
      include_space:
        description: Allow the space character. AWS's default is V(false).
        type: bool
      require_each_included_type:
        description: At least one character of every type that is not excluded. AWS's default is V(true).
        type: bool
      json_key:
        description:
          - 'When set, the value is stored as JSON, V({"<json_key>": "<generated>"}), e.g.
            V(password).'
        type: str
      json_fields:
        description:
          - 'Further keys stored beside O(generate_initial_value.json_key) in the same JSON
            document, e.g. V({"username": "medtech_admin", "engine": "postgres", "port": 5432}),
            the fields rotation functions expect.'
          - Needs O(generate_initial_value.json_key), and must not contain it.
          - Part of the secret value, so Ansible hides its strings in the task output (see
            O(initial_value_json)).
        type: dict
  managed_json_fields:
    description:
      - 'Non-secret keys of a JSON secret value that the module keeps at the given values, e.g.
        V({"host": "<RDS endpoint>", "port": 5432, "dbname": "medtech", "masterarn": "<admin secret ARN>"}):
        the connection fields that rotation functions read, known only once the database exists.'
      - B(The values listed here must not be secret.) They are shown in the diff and are not
        hidden in the task output. Keys named C(password) or containing C(secret), C(token) or
        C(key) (in any case) are refused as a guard.
      - When the run stores the first value (O(initial_value_json), or O(generate_initial_value)
        with O(generate_initial_value.json_key)), these keys are merged into it; they win over
        the same keys of O(initial_value_json) and O(generate_initial_value.json_fields), and
        must not contain O(generate_initial_value.json_key). A plain string first value
        (O(initial_value), or O(generate_initial_value) without a C(json_key)) cannot be
        combined with this option.
      - When the secret already has a value, the module reads it with C(GetSecretValue)
        (version C(AWSCURRENT); also in check mode) and hides every string of it, except the
        values of the managed keys, from the task output. The value must be a JSON object,
        otherwise the module fails with a message that names the secret, not the value. When a
        managed key is missing or holds another value, C(PutSecretValue) stores the document
        with those keys set and every other key as it was, as a new version labelled
        C(AWSCURRENT) (AWS moves C(AWSPREVIOUS) to the version that was current). Check mode
        reads, but puts nothing.
      - Values are compared as JSON values, exactly; V(5432) and V("5432") differ, so give them
        with the type the consumers expect (rotation functions expect C(port) as a number).
      - While a rotation is in progress (a version labelled C(AWSPENDING) but not
        C(AWSCURRENT)) and a managed key would change, the module fails before any write.
      - A secret without a value stays without one; RV(value_state=missing) and a warning say so.
      - On a secret scheduled for deletion, AWS refuses C(GetSecretValue); the value is read after
        the restore, and check mode, which does not restore, warns that it could not compare.
      - RV(json_fields_changed) lists the keys that were (or would be) set, never a value.
    type: dict
  rotation:
    description:
      - The automatic rotation of the secret by a Lambda rotation function.
      - When not set, the rotation is left as it is.
      - Compared with what C(DescribeSecret) reports (C(RotationEnabled), C(RotationLambdaARN),
        C(RotationRules)), only for the suboptions that are set; C(RotateSecret) is called only
        when something differs (or rotation is off), C(CancelRotateSecret) when
        O(rotation.enabled=false) and rotation is on.
      - Configured after the value, in the same run. Rotation needs a value (version
        C(AWSCURRENT)); on a secret that has none, and gets none in this run, the module fails
        before any write.
    type: dict
    suboptions:
      lambda_arn:
        description:
          - The ARN of the rotation function (C(RotationLambdaARN)).
          - Required when O(rotation.enabled=true).
        type: str
      automatically_after_days:
        description:
          - Rotate every this many days, 1 to 1000 (C(RotationRules.AutomaticallyAfterDays)).
          - One of O(rotation.automatically_after_days) and O(rotation.schedule_expression) is
            required when O(rotation.enabled=true).
          - When AWS reports a C(ScheduleExpression), it may report C(AutomaticallyAfterDays)
            too; only the one that is set here is compared.
        type: int
      schedule_expression:
        description:
          - A schedule expression, for example "rate(30 days)" or "cron(0 4 ? * SUN *)" (C(RotationRules.ScheduleExpression)).
          - Mutually exclusive with O(rotation.automatically_after_days).
        type: str
      duration:
        description:
          - The length of the rotation window, e.g. V(3h) (C(RotationRules.Duration)). When not
            set, AWS's default applies and an existing window is not compared.
        type: str
      rotate_immediately:
        description:
          - C(RotateImmediately), sent only when the module (re)configures rotation
            (C(RotateSecret)).
          - V(true) - AWS rotates the secret at once, which creates a new value.
          - V(false) - AWS only runs the function's C(testSecret) step to test the configuration,
            and rotates at the next scheduled window.
        type: bool
        default: true
      enabled:
        description:
          - V(false) turns automatic rotation off (C(CancelRotateSecret)) when it is on; the
            other suboptions are then ignored.
        type: bool
        default: true
  replica_regions:
    description:
      - The regions the secret is replicated to, each with an optional KMS key of that region.
      - When not set, the replication is left alone.
      - A region that is missing is added (C(ReplicateSecretToRegions)); a replica whose KMS key
        differs from O(replica_regions[].kms_key_id) is removed and replicated again with that
        key, because AWS cannot change the key of a replica; a warning says so.
      - Regions that are replicated but not listed are removed when O(purge_replica_regions=true).
        Removing a replica deletes it at once, without a recovery window.
      - A replica that AWS reports as C(Failed) (e.g. a secret of the same name exists in that
        region) is reported in a warning and not retried.
    type: list
    elements: dict
    suboptions:
      region:
        description: The region code, e.g. V(eu-west-1). Not the secret's own region.
        type: str
        required: true
      kms_key_id:
        description:
          - The KMS key of the replica, in that region (key ID, key ARN, alias name or alias ARN).
          - When not set, a new replica uses C(aws/secretsmanager) of that region and an existing
            one keeps its key.
        type: str
  purge_replica_regions:
    description:
      - Whether replicas in regions that O(replica_regions) does not list are removed.
      - Ignored when O(replica_regions) is not set.
    type: bool
    default: true
  recovery_window_in_days:
    description:
      - With O(state=absent), the days (7 to 30) during which the deleted secret can be
        restored (C(RestoreSecret), or this module with O(state=present)).
      - The module always deletes with a recovery window; it has no way to delete a secret
        without one.
    type: int
    default: 30
  state:
    description:
      - V(present) creates the secret or brings its metadata in line; a secret that is scheduled
        for deletion is restored first, and a warning says so.
      - V(absent) schedules the deletion with O(recovery_window_in_days). AWS refuses to delete a
        replicated secret, so its replicas are removed first (at once, no recovery window); a
        converge with O(state=present) and O(replica_regions) adds them again after a restore.
        A secret that is already scheduled for deletion is left as it is.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The secret is managed in its primary region (the module's O(region)); pointing the module at
    a replica fails with a message that names the primary region.
  - "Calls: C(secretsmanager:DescribeSecret), C(CreateSecret), C(UpdateSecret),
    C(PutSecretValue), C(GetRandomPassword), C(TagResource), C(UntagResource),
    C(ReplicateSecretToRegions), C(RemoveRegionsFromReplication), C(DeleteSecret),
    C(RestoreSecret), with O(rotation) C(RotateSecret) and C(CancelRotateSecret) (and
    C(lambda:InvokeFunction) on the rotation function), and, only to compare a key alias with a
    key ID, C(kms:DescribeKey). C(GetSecretValue) only with O(managed_json_fields) on a secret
    that has a value. A customer managed key also needs C(kms:GenerateDataKey) and
    C(kms:Decrypt) (and C(kms:Encrypt) on replica keys)."
  - A first value is put only when DescribeSecret showed none. Someone who puts a value between that
    call and the module's C(PutSecretValue), a fraction of a second later, would see the module's
    value become current; their value stays as the previous version (C(AWSPREVIOUS)).
  - Each run that keeps a value although an initial value was given warns about it, so that a
    converge never silently skips a value.
seealso:
  - module: community.aws.secretsmanager_secret
  - name: AWS Secrets Manager secrets
    description: Creating, replicating, encrypting and deleting secrets.
    link: https://docs.aws.amazon.com/secretsmanager/latest/userguide/managing-secrets.html
attributes:
  check_mode:
    support: full
    description:
      - Decides everything without writing anything; no value is generated
        (C(GetRandomPassword) is not called). With O(managed_json_fields) the current value is
        read (C(GetSecretValue)) to compare the fields.
  diff_mode:
    support: full
    description:
      - Returns the secret's metadata before and after the run (name, description, KMS key,
        tags, replica regions, whether a value is set, the rotation and the values of the
        O(managed_json_fields)); never a secret value.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Credentials, region and endpoint can be set once for the whole play with
# module_defaults: {group/medtech.aws_platform.aws: {region: eu-central-1}}.

- name: Database admin credentials, password generated by AWS on creation only, replicated
  medtech.aws_platform.secretsmanager_secret:
    name: prod/rds/admin
    description: Master credentials of the medtech-prod PostgreSQL instance
    kms_key_id: alias/medtech-platform
    generate_initial_value:
      length: 32
      exclude_characters: "/@\"'\\ "
      json_key: password
      json_fields:
        engine: postgres
        username: medtech_admin
        port: 5432
        dbname: postgres
    replica_regions:
      - region: eu-west-1
        kms_key_id: alias/medtech-platform-dr
    tags:
      environment: prod
      project: medtech
      managed-by: ansible
      cost-centre: platform
  register: rds_admin_secret

- name: Connection fields of the admin secret, known once the database exists, and its rotation
  medtech.aws_platform.secretsmanager_secret:
    name: prod/rds/admin
    managed_json_fields:
      host: "{{ rds_instance.endpoint.address }}"
      port: 5432
      dbname: medtech
    rotation:
      lambda_arn: "{{ rotation_function_arn }}"
      automatically_after_days: 30
      rotate_immediately: false
  register: rds_admin_secret
  # rds_admin_secret.json_fields_changed lists the keys that were set, e.g. ["host"]

- name: Turn the rotation of a secret off
  medtech.aws_platform.secretsmanager_secret:
    name: prod/rds/app
    rotation:
      enabled: false

- name: JWT signing key, a random string generated on creation only
  medtech.aws_platform.secretsmanager_secret:
    name: prod/api/jwt-secret
    description: Signing key of the API's JSON web tokens
    kms_key_id: alias/medtech-platform
    generate_initial_value:
      length: 64
      exclude_punctuation: true
    replica_regions:
      - region: eu-west-1
        kms_key_id: alias/medtech-platform-dr

- name: Stripe API keys, created without a value (people put the keys in)
  medtech.aws_platform.secretsmanager_secret:
    name: prod/external/stripe
    description: Stripe API keys, put in by the payments team
    kms_key_id: alias/medtech-platform
    replica_regions:
      - region: eu-west-1
        kms_key_id: alias/medtech-platform-dr
  register: stripe_secret
  # value_state is "missing" until someone runs e.g.
  # aws secretsmanager put-secret-value --secret-id prod/external/stripe --secret-string file://stripe.json

- name: Fail the play when the Stripe keys are still missing
  ansible.builtin.assert:
    that: stripe_secret.value_state != "missing"
    fail_msg: Put the Stripe keys into prod/external/stripe first

- name: A secret with a known first value (kept on every later run)
  medtech.aws_platform.secretsmanager_secret:
    name: prod/external/partner-api
    initial_value_json:
      client_id: "{{ partner_client_id }}"
      client_secret: "{{ partner_client_secret }}"
  no_log: true

- name: Schedule the deletion, restorable for 7 days
  medtech.aws_platform.secretsmanager_secret:
    name: prod/external/partner-api
    state: absent
    recovery_window_in_days: 7
"""

RETURN = r"""
secret:
  description:
    - The secret's metadata as C(DescribeSecret) returns it after the run, in snake_case. It
      holds no value.
    - With O(state=absent) the secret scheduled for deletion (with RV(secret.deleted_date)), or
      C({}) when there is no secret of that name.
    - In check mode, what the secret would look like; keys AWS sets when it writes (ARN, dates,
      versions of a new secret) are missing.
  returned: always
  type: dict
  contains:
    arn:
      description: The ARN of the secret.
      returned: when the secret exists
      type: str
      sample: arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/rds/admin-AbCdEf
    name:
      description: The name of the secret.
      returned: when the secret exists
      type: str
      sample: prod/rds/admin
    description:
      description: The description.
      returned: when it has one
      type: str
      sample: Master credentials of the medtech-prod PostgreSQL instance
    kms_key_id:
      description: The KMS key as it was given; missing for the AWS managed key.
      returned: when a customer managed key is used
      type: str
      sample: alias/medtech-platform
    tags:
      description: The tags of the secret.
      returned: always
      type: dict
      sample: {"environment": "prod", "managed-by": "ansible"}
    version_ids_to_stages:
      description:
        - The secret's versions (IDs, not values) and their staging labels. A version labelled
          C(AWSCURRENT) means that the secret holds a value.
      returned: when the secret has a value
      type: dict
      sample: {"EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE": ["AWSCURRENT"]}
    replication_status:
      description: The replicas, with their region, KMS key and status.
      returned: when the secret is replicated
      type: list
      elements: dict
      sample: [{"region": "eu-west-1", "kms_key_id": "alias/medtech-platform-dr", "status": "InSync",
                "status_message": "Replication succeeded"}]
    primary_region:
      description: The region of the primary secret.
      returned: when AWS reports it
      type: str
      sample: eu-central-1
    created_date:
      description: When the secret was created (ISO 8601).
      returned: when the secret exists
      type: str
      sample: "2025-03-01T10:15:42.123000+00:00"
    last_changed_date:
      description: When the secret was last changed (ISO 8601).
      returned: when the secret exists
      type: str
      sample: "2025-03-01T10:15:42.123000+00:00"
    deleted_date:
      description: When a secret scheduled for deletion will be deleted for good (ISO 8601).
      returned: when the secret is scheduled for deletion
      type: str
      sample: "2025-03-31T10:15:42.123000+00:00"
    rotation_enabled:
      description: Whether automatic rotation is on (see O(rotation)).
      returned: when AWS reports it (the secret's rotation was configured once)
      type: bool
      sample: true
    rotation_lambda_arn:
      description: The ARN of the rotation function (C(RotationLambdaARN)).
      returned: when AWS reports it
      type: str
      sample: arn:aws:lambda:eu-central-1:123456789012:function:medtech-secret-rotation
    rotation_rules:
      description:
        - The rotation rules, in snake_case; AWS may report C(automatically_after_days) beside a
          C(schedule_expression).
      returned: when AWS reports them
      type: dict
      sample: {"automatically_after_days": 30}
    last_rotated_date:
      description: When the secret was last rotated (ISO 8601).
      returned: when AWS reports it
      type: str
      sample: "2025-03-01T10:15:42.123000+00:00"
    next_rotation_date:
      description: When the next rotation is scheduled (ISO 8601).
      returned: when AWS reports it
      type: str
      sample: "2025-03-31T00:00:00+00:00"
value_state:
  description:
    - What happened to the secret's value.
    - V(created) - this run stored the first value (in check mode - would store).
    - V(kept) - the secret already had a value, which was left untouched; an initial value, if
      given, was ignored and a warning says so.
    - V(missing) - the secret has no value and none was given; a warning says to put it in.
  returned: when O(state=present)
  type: str
  sample: kept
json_fields_changed:
  description:
    - The keys of O(managed_json_fields) that this run set (in check mode - would set), sorted;
      all of them when the run stored the first value. Keys only, never a value.
    - V([]) when nothing was set or O(managed_json_fields) is not given.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["host", "port"]
restored:
  description: Whether a secret scheduled for deletion was (or, in check mode, would be) restored.
  returned: when O(state=present)
  type: bool
  sample: false
changed:
  description: Whether anything was (or, in check mode, would be) created, changed, restored or deleted.
  returned: always
  type: bool
  sample: true
diff:
  description:
    - The secret's metadata before and after the run, C({}) for a secret that does not exist.
    - C(value_state) there is V(set) or V(missing), whether a value exists; never the value.
    - C(rotation) (C(enabled), C(lambda_arn), C(automatically_after_days) or
      C(schedule_expression), C(duration) when set) appears when O(rotation) is set or the
      secret's rotation is on.
    - C(managed_json_fields) appears when O(managed_json_fields) is set, with the values of the
      managed keys only (before - the keys the value held; C({}) without a value).
  returned: in diff mode
  type: dict
  sample:
    before: {}
    after:
      name: prod/external/stripe
      description: Stripe API keys
      kms_key_id: alias/medtech-platform
      tags: {}
      replica_regions: [{"region": "eu-west-1", "kms_key_id": "alias/medtech-platform-dr"}]
      value_state: missing
"""

import copy
import json
import re
import uuid

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.warnings import warn as core_warn

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import expected_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import AnsibleSecretsManagerError
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import cancel_rotate_secret
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import create_secret
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import delete_secret
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import describe_kms_key
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import describe_secret
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import error_code
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import get_random_password
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import get_secret_value
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import put_secret_value
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import remove_regions_from_replication
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import replicate_secret_to_regions
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import restore_secret
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import rotate_secret
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import tag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import untag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.secretsmanager import update_secret

DEFAULT_KMS_ALIAS = "alias/aws/secretsmanager"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
REGION_PATTERN = re.compile(r"^([a-z]+-)+\d+$")
MAX_VALUE_LENGTH = 65536  # SecretString's limit, in bytes

# generate_initial_value suboption -> GetRandomPassword parameter
GENERATE_PARAMETERS = {
    "length": "PasswordLength",
    "exclude_characters": "ExcludeCharacters",
    "exclude_numbers": "ExcludeNumbers",
    "exclude_punctuation": "ExcludePunctuation",
    "exclude_uppercase": "ExcludeUppercase",
    "exclude_lowercase": "ExcludeLowercase",
    "include_space": "IncludeSpace",
    "require_each_included_type": "RequireEachIncludedType",
}
VALUE_OPTIONS = ("initial_value", "initial_value_json", "generate_initial_value")
# managed_json_fields keys that look like secrets: refused, the option is for non-secret fields
SECRET_LIKE_KEY = re.compile(r"^password$|secret|token|key", re.IGNORECASE)
SCHEDULE_PATTERN = re.compile(r"^(rate|cron)\(.+\)$")
DURATION_PATTERN = re.compile(r"^\d{1,2}h$")


# --- pure helpers -----------------------------------------------------------------------
def kms_key_form(key):
    """The comparable form of a KMS key reference: ``("alias", name)`` or ``("key", id)``.

    None, "" and the AWS managed key's alias are ``("alias", "aws/secretsmanager")``; an alias
    ARN gives the same form as its alias name, a key ARN the same as its key ID.
    """
    if not key:
        return ("alias", DEFAULT_KMS_ALIAS[len("alias/"):])
    if key.startswith("arn:"):
        resource = key.split(":", 5)[-1]
        kind, _sep, name = resource.partition("/")
        return (kind, name) if kind in ("alias", "key") else ("other", key)
    if key.startswith("alias/"):
        return ("alias", key[len("alias/"):])
    return ("key", key)


def same_kms_key_text(current, wanted):
    """Compare two KMS key references as text.

    :return: True (same key), False (different key), or None when one names an alias and the
        other a key, which only KMS can tell.
    """
    have, want = kms_key_form(current), kms_key_form(wanted)
    if have == want:
        return True
    if have[0] == want[0]:
        return False
    return None


def has_value(version_ids_to_stages):
    """Whether a version labelled AWSCURRENT exists, i.e. the secret holds a value."""
    return any("AWSCURRENT" in (stages or []) for stages in (version_ids_to_stages or {}).values())


def secret_view(raw):
    """The module's ``secret``: DescribeSecret in snake_case, tags as a dict, no value-like key.

    Version IDs (keys of ``VersionIdsToStages``) are kept as AWS gives them.
    """
    if not raw:
        return None
    raw = {key: value for key, value in raw.items() if key not in ("SecretString", "SecretBinary")}
    return boto3_resource_to_ansible_dict(raw, ignore_list=["VersionIdsToStages"])


def replicas_of(secret):
    """``[{"region", "kms_key_id"}]`` of a ``secret`` view, sorted, AWS's default key spelled out."""
    replicas = [
        {"region": item.get("region"), "kms_key_id": item.get("kms_key_id") or DEFAULT_KMS_ALIAS}
        for item in (secret or {}).get("replication_status") or []
    ]
    return sorted(replicas, key=lambda item: item["region"] or "")


def metadata(secret, value_set, extra=None):
    """The ``diff`` side of a ``secret`` view: its metadata and whether a value is set, never a value.

    :param extra: further keys of the view (``rotation``, ``managed_json_fields``).
    """
    if not secret:
        return {}
    view = {
        "name": secret.get("name"),
        "description": secret.get("description") or "",
        "kms_key_id": secret.get("kms_key_id") or DEFAULT_KMS_ALIAS,
        "tags": dict(secret.get("tags") or {}),
        "replica_regions": replicas_of(secret),
        "value_state": "set" if value_set else "missing",
    }
    if secret.get("deleted_date"):
        view["deleted_date"] = secret["deleted_date"]
    view.update(extra or {})
    return view


def json_strings(value):
    """Every non-empty string among the values (not the keys) of a parsed JSON document."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [string for item in value for string in json_strings(item)]
    return []


def same_json(a, b):
    """Whether two JSON values are the same JSON: 5432 and "5432" differ, key order does not."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def fields_to_change(document, managed):
    """The sorted ``managed`` keys that ``document`` lacks or holds with another JSON value."""
    return sorted(key for key, value in managed.items() if key not in document or not same_json(document[key], value))


def pending_versions(version_ids_to_stages):
    """The version IDs labelled AWSPENDING but not AWSCURRENT: a rotation in progress."""
    return sorted(
        version
        for version, stages in (version_ids_to_stages or {}).items()
        if "AWSPENDING" in (stages or []) and "AWSCURRENT" not in (stages or [])
    )


def rotation_rules(rotation):
    """RotateSecret's RotationRules from the ``rotation`` option."""
    rules = {}
    if rotation.get("automatically_after_days") is not None:
        rules["AutomaticallyAfterDays"] = rotation["automatically_after_days"]
    if rotation.get("schedule_expression") is not None:
        rules["ScheduleExpression"] = rotation["schedule_expression"]
    if rotation.get("duration") is not None:
        rules["Duration"] = rotation["duration"]
    return rules


def rotation_differs(secret, rotation):
    """Whether an enabled ``rotation`` option differs from the ``secret`` view.

    Only what the user set is compared: AWS may report AutomaticallyAfterDays beside a
    ScheduleExpression, which then does not count.
    """
    if not secret.get("rotation_enabled"):
        return True
    if rotation["lambda_arn"] is not None and rotation["lambda_arn"] != secret.get("rotation_lambda_arn"):
        return True
    have = secret.get("rotation_rules") or {}
    for option in ("automatically_after_days", "schedule_expression", "duration"):
        if rotation.get(option) is not None and rotation[option] != have.get(option):
            return True
    return False


def rotation_view(secret, rotation=None):
    """The ``rotation`` of a diff side: enabled, function, and the rule the user uses."""
    have = secret.get("rotation_rules") or {}
    view = {"enabled": bool(secret.get("rotation_enabled")), "lambda_arn": secret.get("rotation_lambda_arn") or None}
    rotation = rotation or {}
    if rotation.get("schedule_expression") is not None or (
        rotation.get("automatically_after_days") is None and have.get("schedule_expression")
    ):
        view["schedule_expression"] = have.get("schedule_expression")
    else:
        view["automatically_after_days"] = have.get("automatically_after_days")
    if have.get("duration"):
        view["duration"] = have["duration"]
    return view


def _replica_option_view(item):
    """A ``replica_regions`` item as a (check mode) ``replication_status`` item."""
    view = {"region": item["region"]}
    if item.get("kms_key_id"):
        view["kms_key_id"] = item["kms_key_id"]
    return view


def boto3_replicas(replicas):
    """``replica_regions`` items as ReplicateSecretToRegions/CreateSecret's AddReplicaRegions."""
    result = []
    for item in replicas:
        entry = {"Region": item["region"]}
        if item.get("kms_key_id"):
            entry["KmsKeyId"] = item["kms_key_id"]
        result.append(entry)
    return result


def _value_length(value):
    return len(value.encode("utf-8"))


def validate_params(params, region):
    """Check the options before any AWS call.

    :param params: the module's params.
    :param region: the module's region (None when not known yet).
    :return: a list of error messages, each naming the option and the fix (empty when valid).
        No message contains a secret value.
    """
    errors = []
    name = params["name"]
    if not name or not name.strip():
        errors.append("name is empty: set it to the secret's name, e.g. prod/rds/admin")
    elif name.startswith("arn:"):
        errors.append("name is an ARN: set it to the secret's name (the part after ':secret:' without the "
                      "'-' and 6 random characters AWS appends), e.g. prod/rds/admin")
    elif not NAME_PATTERN.match(name):
        errors.append(
            f"name {name!r} is not a valid secret name: use 1 to 512 characters out of letters, digits and /_+=.@-"
        )

    window = params["recovery_window_in_days"]
    if window is None or not 7 <= window <= 30:
        errors.append(
            f"recovery_window_in_days is {window}: set it to a number of days from 7 to 30 "
            "(the module always deletes with a recovery window)"
        )

    if params.get("initial_value") is not None:
        if params["initial_value"] == "":
            errors.append("initial_value is empty: remove it to create the secret without a value, or set a value")
        elif _value_length(params["initial_value"]) > MAX_VALUE_LENGTH:
            errors.append(
                f"initial_value is longer than {MAX_VALUE_LENGTH} bytes, the limit of Secrets Manager: shorten it"
            )
    if params.get("initial_value_json") is not None:
        if not params["initial_value_json"]:
            errors.append(
                "initial_value_json is empty: remove it to create the secret without a value, or add keys"
            )
        elif _value_length(json.dumps(params["initial_value_json"])) > MAX_VALUE_LENGTH:
            errors.append(
                f"initial_value_json is longer than {MAX_VALUE_LENGTH} bytes as JSON, the limit of Secrets "
                "Manager: shorten it"
            )

    generate = params.get("generate_initial_value")
    if generate is not None:
        length = generate.get("length")
        if length is None or not 1 <= length <= 4096:
            errors.append(
                f"generate_initial_value.length is {length}: set it to a number of characters from 1 to 4096"
            )
        excluded = ("exclude_numbers", "exclude_punctuation", "exclude_uppercase", "exclude_lowercase")
        if all(generate.get(key) for key in excluded) and not generate.get("include_space"):
            errors.append(
                "generate_initial_value excludes numbers, punctuation, uppercase and lowercase letters: "
                "allow at least one of them"
            )
        json_key = generate.get("json_key")
        fields = generate.get("json_fields")
        if json_key is not None and not json_key.strip():
            errors.append(
                "generate_initial_value.json_key is empty: set the JSON key of the generated value, "
                "e.g. password, or remove it"
            )
        if fields is not None:
            if not json_key:
                errors.append(
                    "generate_initial_value.json_fields needs generate_initial_value.json_key: set the key of the "
                    "generated value, e.g. json_key: password"
                )
            elif json_key in fields:
                errors.append(
                    f"generate_initial_value.json_fields contains the key {json_key!r} of the generated value "
                    "(generate_initial_value.json_key): remove it from json_fields"
                )

    errors.extend(_validate_managed_json_fields(params))
    errors.extend(_validate_rotation(params.get("rotation")))

    replicas = params.get("replica_regions") or []
    seen = set()
    for item in replicas:
        replica_region = item.get("region") or ""
        if not REGION_PATTERN.match(replica_region):
            errors.append(f"replica_regions: {replica_region!r} is not a region code: use e.g. eu-west-1")
        elif region and replica_region == region:
            errors.append(
                f"replica_regions: {replica_region} is the secret's own region: list only other regions, e.g. eu-west-1"
            )
        if replica_region in seen:
            errors.append(f"replica_regions: {replica_region} is listed twice: list each region once")
        seen.add(replica_region)

    for key in (params.get("tags") or {}):
        if str(key).startswith("aws:"):
            errors.append(f"tags: the key {key!r} starts with aws:, which AWS reserves: rename or remove it")
    return errors


def _validate_managed_json_fields(params):
    managed = params.get("managed_json_fields")
    if managed is None:
        return []
    if not managed:
        return ["managed_json_fields is empty: remove it, or list the non-secret keys to keep, e.g. host and port"]
    errors = []
    for key in managed:
        if SECRET_LIKE_KEY.search(str(key)):
            errors.append(
                f"managed_json_fields: the key {key!r} looks like a secret (password, or a name containing secret, "
                "token or key): list only non-secret fields such as host, port, dbname; set secrets with "
                "initial_value_json or generate_initial_value"
            )
    generate = params.get("generate_initial_value")
    if params.get("initial_value") is not None:
        errors.append(
            "managed_json_fields needs a JSON value, but initial_value is a plain string: use initial_value_json"
        )
    elif generate is not None and not generate.get("json_key"):
        errors.append(
            "managed_json_fields needs a JSON value: set generate_initial_value.json_key, e.g. json_key: password"
        )
    elif generate is not None and generate["json_key"] in managed:
        errors.append(
            f"managed_json_fields contains the key {generate['json_key']!r} of the generated value "
            "(generate_initial_value.json_key): remove it from managed_json_fields"
        )
    return errors


def _validate_rotation(rotation):
    if rotation is None or not rotation.get("enabled"):
        return []
    errors = []
    if not rotation.get("lambda_arn"):
        errors.append(
            "rotation.lambda_arn is not set: set the ARN of the rotation function, or rotation.enabled: false "
            "to turn rotation off"
        )
    days = rotation.get("automatically_after_days")
    schedule = rotation.get("schedule_expression")
    if days is None and schedule is None:
        errors.append(
            "rotation needs automatically_after_days or schedule_expression: set one, e.g. "
            "automatically_after_days: 30"
        )
    if days is not None and not 1 <= days <= 1000:
        errors.append(f"rotation.automatically_after_days is {days}: set it to a number of days from 1 to 1000")
    if schedule is not None and not SCHEDULE_PATTERN.match(schedule):
        errors.append(
            f"rotation.schedule_expression {schedule!r} is not a schedule: use rate(...) or cron(...), "
            "e.g. rate(30 days)"
        )
    duration = rotation.get("duration")
    if duration is not None and not DURATION_PATTERN.match(duration):
        errors.append(f"rotation.duration {duration!r} is not a window in hours: use e.g. 3h (1h to 24h)")
    return errors


# --- KMS key comparison -----------------------------------------------------------------
class KmsKeyComparer:
    """Tells whether two KMS key references name the same key: as text when it can
    (``same_kms_key_text``), otherwise by the key ARNs KMS DescribeKey resolves them to."""

    def __init__(self, module):
        self.module = module
        self.clients = {}
        self.arns = {}

    def _client(self, region):
        if region not in self.clients:
            self.clients[region] = self.module.client("kms", region=region) if region else self.module.client("kms")
        return self.clients[region]

    def _arn(self, key, region):
        key = key or DEFAULT_KMS_ALIAS
        if (region, key) not in self.arns:
            found = describe_kms_key(self._client(region), key)
            self.arns[(region, key)] = (found or {}).get("Arn")
        return self.arns[(region, key)]

    def same(self, current, wanted, region=None):
        """:param region: the keys' region, None for the module's region."""
        by_text = same_kms_key_text(current, wanted)
        if by_text is not None:
            return by_text
        current_arn = self._arn(current, region)
        return current_arn is not None and current_arn == self._arn(wanted, region)


# --- compare and act --------------------------------------------------------------------
class SecretManager(ResourceManager):
    """One secret, identified by its name, in the module's region."""

    result_key = "secret"
    read_attempts = 5  # DescribeSecret may lag a CreateSecret
    read_delay = 2

    def __init__(self, module, client, kms):
        super().__init__(module, client)
        self.params = module.params
        self.name = self.params["name"]
        self.kms = kms
        self.token = str(uuid.uuid4())  # ClientRequestToken: a retried request stays one version
        self.value_state = None
        self.restored = False
        self.raced = False
        self.planned = {}  # what update() decided, for expected()
        self.removed_for_deletion = []
        self._value = None
        self.managed = self.params.get("managed_json_fields")
        self.fields_changed = []  # managed_json_fields keys the run sets (or would set)
        self.fields_before = {}  # managed keys' values before and after, for the diff
        self.fields_after = {}
        self._document = None  # the value with the managed keys set, to put (never returned)
        self._read_after_restore = False

    def warn(self, message):
        """A warning in the task output (no value is ever part of ``message``).

        ansible-core's own ``warn`` (what ``AnsibleModule.warn`` calls): amazon.aws 11's
        ``AnsibleAWSModule.warn`` also hands the warning to ``exit_json(warnings=...)``, which
        ansible-core 2.19+ reports with a deprecation warning on every run.
        """
        core_warn(message)

    # --- reading ---------------------------------------------------------------------------
    def read(self):
        secret = secret_view(describe_secret(self.client, self.name))
        self._refuse_replica(secret)
        return secret

    def _refuse_replica(self, secret):
        if not secret:
            return
        primary = secret.get("primary_region")
        own = (secret.get("arn") or "::::").split(":")[3]
        if primary and own and primary != own:
            raise AnsibleSecretsManagerError(
                message=f"Secret {self.name} in {own} is a replica of the secret in {primary}: manage it "
                f"there (set region: {primary}), and list {own} in its replica_regions"
            )

    @property
    def value_given(self):
        return any(self.params[key] is not None for key in VALUE_OPTIONS)

    # --- the value (never returned, never logged) ------------------------------------------
    def initial_value(self):
        """The first value to store, generated at most once per run. Never called in check mode."""
        if self._value is None:
            if self.params["initial_value"] is not None:
                value = self.params["initial_value"]
            elif self.params["initial_value_json"] is not None:
                value = json.dumps(dict(self.params["initial_value_json"], **(self.managed or {})))
            else:
                value = self._generate()
            # Ansible masks these strings wherever they might appear in the module's output.
            self.module.no_log_values.add(value)
            self._value = value
        return self._value

    def _generate(self):
        spec = self.params["generate_initial_value"]
        request = {param: spec[option] for option, param in GENERATE_PARAMETERS.items() if spec.get(option) is not None}
        generated = get_random_password(self.client, self.name, **request)
        self.module.no_log_values.add(generated)
        if not spec.get("json_key"):
            return generated
        document = dict(spec.get("json_fields") or {})
        document.update(self.managed or {})
        document[spec["json_key"]] = generated
        return json.dumps(document)

    def put_initial_value(self):
        put_secret_value(self.client, self.name, self.initial_value(), self.token, "the first value")

    # --- managed_json_fields (the one place a value is read) -------------------------------
    def plan_new_value(self):
        """The first value of this run carries the managed keys."""
        if self.managed:
            self.fields_changed = sorted(self.managed)
            self.fields_after = dict(self.managed)

    def read_document(self):
        """GetSecretValue (AWSCURRENT), hidden from the output at once, parsed as a JSON object."""
        string, binary = get_secret_value(self.client, self.name)
        if string:
            self.module.no_log_values.add(string)
        try:
            document = json.loads(string) if string is not None else None
        except ValueError:
            document = None
        if not isinstance(document, dict):
            kind = "a binary value" if binary else "a value that is not a JSON object"
            raise AnsibleSecretsManagerError(
                message=f"managed_json_fields: the secret {self.name} holds {kind}, so its fields cannot be "
                "managed: store a JSON object in it (aws secretsmanager put-secret-value) or remove "
                "managed_json_fields"
            )
        # The managed keys' values are declared non-secret (and shown in the diff); every other
        # string of the value is hidden wherever it might appear in the output.
        others = {key: value for key, value in document.items() if key not in self.managed}
        self.module.no_log_values.update(json_strings(others))
        return document

    def plan_managed_fields(self, current):
        """Compare the managed keys with the current value; prepare the new document.

        :raises AnsibleSecretsManagerError: the value is not a JSON object, or a rotation is in
            progress while a key would change (before any write).
        """
        document = self.read_document()
        self.fields_before = {key: document[key] for key in self.managed if key in document}
        self.fields_after = dict(self.fields_before, **self.managed)
        self.fields_changed = fields_to_change(document, self.managed)
        if not self.fields_changed:
            return
        pending = pending_versions(current.get("version_ids_to_stages"))
        if pending:
            raise AnsibleSecretsManagerError(
                message=f"Secret {self.name}: a rotation is in progress (version {', '.join(pending)} is labelled "
                f"AWSPENDING, not AWSCURRENT), so managed_json_fields cannot set {', '.join(self.fields_changed)} "
                "now: run again when the rotation has finished, or cancel it"
            )
        # Every other key stays as it was, where it was; new managed keys follow in the option's order.
        document.update({key: value for key, value in self.managed.items() if key in self.fields_changed})
        new_value = json.dumps(document)
        self.module.no_log_values.add(new_value)
        if _value_length(new_value) > MAX_VALUE_LENGTH:
            raise AnsibleSecretsManagerError(
                message=f"managed_json_fields: the value of the secret {self.name} would be longer than "
                f"{MAX_VALUE_LENGTH} bytes, the limit of Secrets Manager: shorten the fields"
            )
        self._document = new_value

    def put_document(self):
        # A fresh token: a new version, labelled AWSCURRENT (AWS moves AWSPREVIOUS).
        put_secret_value(self.client, self.name, self._document, str(uuid.uuid4()), "the managed_json_fields")

    # --- value -----------------------------------------------------------------------------
    def plan_value(self, current):
        """Decide ``value_state`` and, for managed_json_fields, what to put. Reads only."""
        self.fields_changed, self.fields_before, self.fields_after = [], {}, {}
        self._document, self._read_after_restore = None, False
        versions = current.get("version_ids_to_stages") or {}
        if has_value(versions):
            ours = "AWSCURRENT" in (versions.get(self.token) or [])  # our retried CreateSecret
            self.value_state = "created" if ours else "kept"
            if self.managed and current.get("deleted_date"):
                # AWS refuses GetSecretValue on a secret scheduled for deletion: after the restore.
                self._read_after_restore = True
            elif self.managed:
                self.plan_managed_fields(current)
        elif self.value_given:
            self.value_state = "created"
            self.plan_new_value()
        else:
            self.value_state = "missing"

    def update_value(self, current):
        if self._read_after_restore:
            if self.check_mode:
                self.warn(
                    f"Secret {self.name} is scheduled for deletion: managed_json_fields are compared after the "
                    "restore, which check mode does not do"
                )
            else:
                self.plan_managed_fields(current)
        if self.value_state == "created" and not has_value(current.get("version_ids_to_stages")):
            self.act(self.put_initial_value)
        elif self._document is not None:
            self.act(self.put_document)

    # --- rotation --------------------------------------------------------------------------
    def plan_rotation(self, current):
        """Decide the rotation call, before any write: ``("rotate", RotateSecret parameters)``,
        ``("cancel", {})`` or None.

        :raises AnsibleSecretsManagerError: RotateSecret on a secret that has, and gets, no value.
        """
        self.planned["rotation"] = None
        rotation = self.params["rotation"]
        if rotation is None:
            return
        current = current or {}
        if not rotation["enabled"]:
            if current.get("rotation_enabled"):
                self.planned["rotation"] = ("cancel", {})
            return
        if not rotation_differs(current, rotation):
            return
        if self.value_state == "missing":
            raise AnsibleSecretsManagerError(
                message=f"Secret {self.name} has no value, and rotation needs one (the rotation function starts "
                "from the version labelled AWSCURRENT): set initial_value, initial_value_json or "
                "generate_initial_value, or put a value in first, then run again"
            )
        params = {
            "RotationLambdaARN": rotation["lambda_arn"],
            "RotationRules": rotation_rules(rotation),
            "RotateImmediately": rotation["rotate_immediately"],
        }
        self.planned["rotation"] = ("rotate", params)

    def update_rotation(self):
        planned = self.planned.get("rotation")
        if planned is None:
            return
        kind, params = planned
        if kind == "cancel":
            self.act(cancel_rotate_secret, self.client, self.name)
        else:
            self.act(rotate_secret, self.client, self.name, str(uuid.uuid4()), **params)

    def expected_rotation(self, after):
        """Apply the planned rotation call to a (check mode) ``secret`` view."""
        planned = self.planned.get("rotation")
        if planned is None:
            return after
        kind, params = planned
        after["rotation_enabled"] = kind == "rotate"
        if kind == "rotate":
            after["rotation_lambda_arn"] = params["RotationLambdaARN"]
            after["rotation_rules"] = camel_dict_to_snake_dict(params["RotationRules"])
        return after

    # --- hooks -----------------------------------------------------------------------------
    def _create_params(self):
        params = {}
        if self.params["description"]:
            params["Description"] = self.params["description"]
        kms_key_id = self.params["kms_key_id"]
        if kms_key_id and kms_key_id != DEFAULT_KMS_ALIAS:
            params["KmsKeyId"] = kms_key_id
        if self.params["tags"]:
            params["Tags"] = ansible_dict_to_boto3_tag_list({k: str(v) for k, v in self.params["tags"].items()})
        if self.params["replica_regions"]:
            params["AddReplicaRegions"] = boto3_replicas(self.params["replica_regions"])
        if self.value_given:
            params["SecretString"] = self.initial_value()
        return params

    def create(self):
        try:
            create_secret(self.client, self.name, self.token, **self._create_params())
        except AnsibleSecretsManagerError as e:
            # Created by someone else since DescribeSecret (or by our own request that AWS
            # served before a retry): converge it like any existing secret.
            if error_code(e) != "ResourceExistsException":
                raise
            current = self.read()
            if current is None:
                raise
            self.raced = True
            self.update(current)

    def update(self, current):
        # Everything that may refuse the run is decided before the first write.
        self.plan_value(current)
        self.plan_rotation(current)
        if current.get("deleted_date"):
            self.restored = True
            self.act(restore_secret, self.client, self.name)

        changes = self.metadata_changes(current)
        self.planned["update"] = changes
        if changes:
            self.act(update_secret, self.client, self.name, **changes)

        self.update_tags(current)
        self.update_replicas(current)
        self.update_value(current)

    def metadata_changes(self, current):
        """UpdateSecret parameters for the description and KMS key the user set that differ."""
        changes = {}
        description = self.params["description"]
        if description is not None and description != (current.get("description") or ""):
            changes["Description"] = description
        kms_key_id = self.params["kms_key_id"]
        if kms_key_id is not None and not self.kms.same(current.get("kms_key_id"), kms_key_id):
            changes["KmsKeyId"] = kms_key_id
        return changes

    def update_tags(self, current):
        if self.params["tags"] is None:
            return
        to_set, to_unset = compare_aws_tags(current.get("tags") or {}, self.params["tags"], self.params["purge_tags"])
        if to_unset:
            self.act(untag_resource, self.client, self.name, sorted(to_unset))
        if to_set:
            self.act(tag_resource, self.client, self.name, {k: str(v) for k, v in to_set.items()})

    def replica_changes(self, current):
        """(to add, region codes to remove, to replace) for ``replica_regions``; items are options."""
        wanted = self.params["replica_regions"]
        if wanted is None:
            return [], [], []
        have = {item["region"]: item for item in current.get("replication_status") or []}
        add, replace = [], []
        for item in wanted:
            region = item["region"]
            if region not in have:
                add.append(item)
            elif item.get("kms_key_id") is not None and not self.kms.same(
                have[region].get("kms_key_id"), item["kms_key_id"], region
            ):
                replace.append(item)
        remove = []
        if self.params["purge_replica_regions"]:
            listed = {item["region"] for item in wanted}
            remove = sorted(region for region in have if region not in listed)
        return add, remove, replace

    def update_replicas(self, current):
        add, remove, replace = self.replica_changes(current)
        self.planned.update(add=add, remove=remove, replace=replace)
        if remove or replace:
            regions = remove + [item["region"] for item in replace]
            self.act(remove_regions_from_replication, self.client, self.name, regions)
        if add:
            regions = ", ".join(item["region"] for item in add)
            self.act(replicate_secret_to_regions, self.client, self.name, boto3_replicas(add), regions=regions)
        if replace:
            # The replica just removed may still be on its way out: overwrite it.
            regions = ", ".join(item["region"] for item in replace)
            self.act(
                replicate_secret_to_regions,
                self.client,
                self.name,
                boto3_replicas(replace),
                regions=regions,
                force_overwrite=True,
            )

    def expected(self, current):
        """The secret as the run would leave it (check mode)."""
        params = self.params
        if current is None:
            after = {"name": self.name, "tags": expected_tags({}, params["tags"], True)}
            if params["description"]:
                after["description"] = params["description"]
            if params["kms_key_id"] and params["kms_key_id"] != DEFAULT_KMS_ALIAS:
                after["kms_key_id"] = params["kms_key_id"]
            if params["replica_regions"]:
                after["replication_status"] = [_replica_option_view(item) for item in params["replica_regions"]]
            return self.expected_rotation(after)

        after = copy.deepcopy(current)
        after.pop("deleted_date", None)
        changes = self.planned.get("update") or {}
        if "Description" in changes:
            after["description"] = changes["Description"]
            if not changes["Description"]:
                after.pop("description")
        if "KmsKeyId" in changes:
            after["kms_key_id"] = changes["KmsKeyId"]
            if changes["KmsKeyId"] in ("", DEFAULT_KMS_ALIAS):
                after.pop("kms_key_id")
        after["tags"] = expected_tags(current.get("tags"), params["tags"], params["purge_tags"])
        gone = set(self.planned.get("remove") or []) | {item["region"] for item in self.planned.get("replace") or []}
        replicas = [item for item in current.get("replication_status") or [] if item.get("region") not in gone]
        for item in (self.planned.get("add") or []) + (self.planned.get("replace") or []):
            replicas.append(_replica_option_view(item))
        if replicas:
            after["replication_status"] = replicas
        else:
            after.pop("replication_status", None)
        return self.expected_rotation(after)

    def delete(self, current):
        delete_secret(self.client, self.name, self.params["recovery_window_in_days"])

    # --- the runs --------------------------------------------------------------------------
    def ensure_present(self):
        before = self.read()
        if before is None:
            self.value_state = "created" if self.value_given else "missing"
            if self.value_given:
                self.plan_new_value()
            self.plan_rotation(None)
            self.act(self.create)
        else:
            self.update(before)
        self.update_rotation()  # after the value: rotation starts from AWSCURRENT
        if not self.changed:
            after = before
        elif self.check_mode:
            after = self.expected(before)
        else:
            after = self.read_again()
        self.warn_present(after)
        result = self.result(before, after)
        result.update(value_state=self.value_state, restored=self.restored, json_fields_changed=self.fields_changed)
        return result

    def ensure_absent(self):
        before = self.read()
        after = before
        if before is not None and not before.get("deleted_date"):
            regions = [item["region"] for item in before.get("replication_status") or []]
            if regions:
                # AWS refuses to delete a secret that still has replicas.
                self.removed_for_deletion = regions
                self.act(remove_regions_from_replication, self.client, self.name, regions)
            self.act(self.delete, before)
            after = before if self.check_mode else self.read()
            if self.removed_for_deletion:
                self.warn(
                    f"Secret {self.name}: {'would remove' if self.check_mode else 'removed'} its replicas in "
                    f"{', '.join(regions)} before scheduling the deletion (AWS cannot delete a replicated "
                    "secret); replicas are deleted at once, without a recovery window"
                )
        result = {"changed": self.changed, "secret": after or {}}
        if getattr(self.module, "_diff", False):
            value_set = has_value((before or {}).get("version_ids_to_stages"))
            before_view = metadata(before, value_set)
            # A secret scheduled for deletion counts as absent afterwards.
            after_view = before_view if before is not None and before.get("deleted_date") else {}
            result["diff"] = {"before": before_view, "after": after_view}
        return result

    def result(self, before, after):
        result = {"changed": self.changed, "secret": after or {}}
        if getattr(self.module, "_diff", False):
            before_value = has_value((before or {}).get("version_ids_to_stages"))
            after_value = self.value_state in ("created", "kept")
            result["diff"] = {
                "before": metadata(before, before_value, self.diff_extra(before, self.fields_before)),
                "after": metadata(after, after_value, self.diff_extra(after, self.fields_after)),
            }
        return result

    def diff_extra(self, secret, fields):
        """The ``rotation`` and ``managed_json_fields`` of a diff side, when set or in use."""
        extra = {}
        rotation = self.params.get("rotation")
        if secret and (rotation is not None or secret.get("rotation_enabled")):
            extra["rotation"] = rotation_view(secret, rotation)
        if self.managed is not None:
            extra["managed_json_fields"] = dict(fields)
        return extra

    def warn_present(self, after):
        would = self.check_mode
        if self.restored:
            self.warn(
                f"Secret {self.name} was scheduled for deletion; {'would restore' if would else 'restored'} it "
                "because state=present"
            )
        if self.value_state == "kept" and self.value_given:
            given = [key for key in VALUE_OPTIONS if self.params[key] is not None][0]
            self.warn(
                f"Secret {self.name} already has a value, which was kept: {given} is used only when the "
                "secret has no value (this module never overwrites one)"
            )
        elif self.value_state == "missing":
            self.warn(
                f"Secret {self.name} has no value: put it in, e.g. with aws secretsmanager put-secret-value "
                f"--secret-id {self.name} --secret-string file://value.json (later converges keep it)"
            )
        for item in (self.planned.get("replace") or []):
            self.warn(
                f"Secret {self.name}: the replica in {item['region']} uses another KMS key; "
                f"{'would remove' if would else 'removed'} it and replicate again with {item['kms_key_id']} "
                "(AWS cannot change the key of a replica)"
            )
        for item in (after or {}).get("replication_status") or []:
            if item.get("status") == "Failed":
                self.warn(
                    f"Secret {self.name}: replication to {item.get('region')} failed: {item.get('status_message')}"
                )


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        kms_key_id=dict(type="str"),
        initial_value=dict(type="str", no_log=True),
        initial_value_json=dict(type="dict", no_log=True),
        generate_initial_value=dict(
            type="dict",
            options=dict(
                length=dict(type="int", default=64),
                exclude_characters=dict(type="str"),
                exclude_numbers=dict(type="bool"),
                exclude_punctuation=dict(type="bool"),
                exclude_uppercase=dict(type="bool"),
                exclude_lowercase=dict(type="bool"),
                include_space=dict(type="bool"),
                require_each_included_type=dict(type="bool"),
                json_key=dict(type="str", no_log=False),
                json_fields=dict(type="dict", no_log=True),
            ),
        ),
        replica_regions=dict(
            type="list",
            elements="dict",
            options=dict(region=dict(type="str", required=True), kms_key_id=dict(type="str")),
        ),
        purge_replica_regions=dict(type="bool", default=True),
        managed_json_fields=dict(type="dict"),
        rotation=dict(
            type="dict",
            options=dict(
                lambda_arn=dict(type="str"),
                automatically_after_days=dict(type="int"),
                schedule_expression=dict(type="str"),
                duration=dict(type="str"),
                rotate_immediately=dict(type="bool", default=True),
                enabled=dict(type="bool", default=True),
            ),
            mutually_exclusive=[("automatically_after_days", "schedule_expression")],
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        recovery_window_in_days=dict(type="int", default=30),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[VALUE_OPTIONS],
    )

    errors = validate_params(module.params, module.region)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    run_manager(module, SecretManager(module, module.client("secretsmanager"), KmsKeyComparer(module)))


if __name__ == "__main__":
    main()
