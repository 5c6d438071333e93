#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: s3_bucket_replication
version_added: 0.1.0
short_description: Manage the replication configuration of an Amazon S3 bucket
description:
  - Set, converge and delete the replication configuration (S3 Cross-Region and Same-Region
    Replication) of one S3 bucket, O(bucket). M(amazon.aws.s3_bucket) cannot manage it.
  - The configuration is a whole; C(PutBucketReplication) replaces it, so rules of the bucket
    that O(rules) does not list are removed.
  - It is read with C(GetBucketReplication) and compared with the options after normalisation;
    the order of the rules does not count (they are matched by O(rules[].id)), a whole-bucket
    filter is equal whether AWS returns C(Filter {}) or C(Filter {Prefix ""}), and the
    C(Disabled) statuses AWS leaves out are filled in. A second run with the same options writes
    nothing.
  - Before anything is written, the source bucket and every destination bucket must have
    versioning C(Enabled) (C(GetBucketVersioning)); each destination is read in its own region
    (C(GetBucketLocation)). A bucket whose versioning is off or suspended fails the task, naming
    the bucket and the fix, and nothing is written.
  - Rules are always written in the current (V2) schema, with a C(Filter), a C(Priority) and a
    C(DeleteMarkerReplication) element. A rule in the earlier V1 schema (a C(Prefix) outside a
    C(Filter)) is rewritten in V2 and so reported as a change.
  - Replication copies only objects written after the rule is in place; existing objects need
    S3 Batch Replication, which this module does not start.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  bucket:
    description:
      - The name of the source bucket, e.g. V(medtech-prod-documents). Not its ARN.
      - 3 to 63 lower-case letters, digits, dots and hyphens.
    type: str
    required: true
  state:
    description:
      - V(present) sets the replication configuration to O(role) and O(rules) when it differs.
      - V(absent) deletes the bucket's replication configuration (C(DeleteBucketReplication));
        a bucket without one is no change. Objects already replicated stay in the destination.
    type: str
    choices: [present, absent]
    default: present
  role:
    description:
      - The ARN of the IAM role S3 assumes to replicate, e.g.
        V(arn:aws:iam::123456789012:role/medtech-prod-s3-replication).
      - Its trust policy must let C(s3.amazonaws.com) assume it; its permissions must allow
        C(s3:GetReplicationConfiguration) and C(s3:ListBucket) on the source bucket,
        C(s3:GetObjectVersionForReplication), C(s3:GetObjectVersionAcl) and
        C(s3:GetObjectVersionTagging) on its objects, C(s3:ReplicateObject),
        C(s3:ReplicateDelete) and C(s3:ReplicateTags) on the destination objects, and for
        encrypted objects C(kms:Decrypt) with the source key and C(kms:Encrypt) with
        O(rules[].replica_kms_key_id).
      - The caller needs C(iam:PassRole) on it. AWS does not check the role when the
        configuration is written; replication fails later (objects report C(FAILED)).
      - Required with O(state=present).
    type: str
  rules:
    description:
      - The replication rules; at least one with O(state=present). Ignored with O(state=absent).
      - The order does not matter; O(rules[].priority) decides between rules that match the same
        object.
    type: list
    elements: dict
    suboptions:
      id:
        description:
          - The unique ID of the rule, 1 to 255 characters. Rules are matched by it.
        type: str
        required: true
      priority:
        description:
          - The priority of the rule, an integer of 0 or more; when two rules with the same
            destination match an object, the higher number wins.
          - May be left out when there is only one rule (it is then V(0)); with several rules,
            each must have its own priority (AWS answers C(InvalidArgument) otherwise).
        type: int
      status:
        description: Whether the rule replicates (V(Enabled)) or is kept but idle (V(Disabled)).
        type: str
        choices: [Enabled, Disabled]
        default: Enabled
      prefix:
        description:
          - Replicate only objects whose key starts with this prefix, e.g. V(reports/).
          - Not set (and no O(rules[].tags)) means the whole bucket (C(Filter {})).
        type: str
      tags:
        description:
          - Replicate only objects that carry all of these tags (key and value).
          - Cannot be combined with O(rules[].delete_marker_replication=true) (AWS does not
            replicate delete markers for tag-based rules).
        type: dict
      destination_bucket:
        description:
          - The destination bucket, as a name (V(medtech-prod-documents-dr)) or an ARN
            (V(arn:aws:s3:::medtech-prod-documents-dr)); a name is written as its ARN.
          - It must exist and have versioning C(Enabled). Its region (e.g. V(eu-west-1) for
            cross-region replication) is read with C(GetBucketLocation).
        type: str
        required: true
      destination_storage_class:
        description:
          - The storage class of the replicas. Not set, replicas keep the storage class of the
            source object.
        type: str
        choices: [STANDARD, REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE, GLACIER_IR]
      replica_kms_key_id:
        description:
          - The ARN of the customer managed KMS key, in the destination bucket's region, that
            S3 encrypts replicas of SSE-KMS objects with, e.g.
            V(arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab)
            (a key ARN or an alias ARN, not a key ID, as the key lives in another region).
          - When set, the rule also replicates objects encrypted with SSE-KMS
            (C(SourceSelectionCriteria.SseKmsEncryptedObjects) C(Enabled)); when not set, such
            objects are not replicated.
        type: str
      delete_marker_replication:
        description:
          - Whether delete markers (a C(DELETE) without a version ID) are replicated
            (C(DeleteMarkerReplication)). Deletes of a specific version are never replicated.
          - The default V(false) is AWS's default for V2 rules. It keeps objects deleted in the
            source readable in the disaster recovery copy, so an accidental or malicious delete
            does not reach it; after a failover, objects deleted in the source before the
            outage are still visible in the replica and need a clean-up.
          - Must be V(false) with O(rules[].tags).
        type: bool
        default: false
      replication_time:
        description:
          - Whether S3 Replication Time Control (RTC) is on, with its metrics (99.99 % of objects
            replicated within 15 minutes, the only value AWS offers), and the
            C(ReplicationLatency), C(BytesPendingReplication) and C(OperationsPendingReplication)
            metrics in CloudWatch with a 15 minute threshold.
          - RTC is charged per GB replicated, on top of the replication transfer.
        type: bool
        default: false
      account:
        description:
          - The 12-digit ID of the AWS account that owns the destination bucket, when it is not
            the source bucket's account. Required with O(rules[].owner_override).
        type: str
      owner_override:
        description:
          - Whether the destination account becomes the owner of the replicas
            (C(AccessControlTranslation.Owner) C(Destination)). Needs O(rules[].account).
        type: bool
        default: false
notes:
  - "Calls: C(s3:GetBucketVersioning) (source and destinations), C(s3:GetBucketLocation)
    (destinations), C(s3:GetReplicationConfiguration) (GetBucketReplication),
    C(s3:PutReplicationConfiguration) with C(iam:PassRole) on O(role) (PutBucketReplication),
    and C(s3:PutReplicationConfiguration) for DeleteBucketReplication."
  - "Failures, all with AWS's code and message where AWS answered: invalid options (C(Invalid
    options: ...), before any AWS call, naming the option and the fix); versioning not
    C(Enabled) on the source or a destination (C(Versioning is not enabled on the S3 bucket
    <name>...), before any write); C(NoSuchBucket) when the source or a destination does not
    exist; C(AccessDenied) when the caller lacks a permission above (for a destination in
    another account, see O(rules[].account)); C(InvalidRequest) when AWS refuses the
    configuration, e.g. C(Versioning must be 'Enabled' on the bucket to apply a replication
    configuration), C(Destination bucket must have versioning enabled.), or a destination that
    does not exist; C(InvalidArgument) for a configuration AWS finds inconsistent (two rules
    with one priority); C(MalformedXML) for an element AWS does not accept."
  - When the versioning of a destination in another account cannot be read (C(AccessDenied)),
    the task warns and goes on; AWS itself refuses the configuration if that bucket's versioning
    is off.
  - Versioning cannot be suspended on a bucket that has a replication configuration; delete the
    configuration first.
seealso:
  - module: amazon.aws.s3_bucket
  - name: Replicating objects within and across Regions
    description: The replication configuration, its IAM role and what is and is not replicated.
    link: https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html
  - name: PutBucketReplication API
    description: The elements of a replication rule and the errors AWS returns.
    link: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketReplication.html
attributes:
  check_mode:
    support: full
    description:
      - Reads the configuration and the buckets' versioning and decides whether anything would
        change, but writes nothing. RV(replication_configuration) is the configuration as it
        would be.
  diff_mode:
    support: full
    description:
      - Returns the configuration (snake_case, rules sorted by priority) before and after the run.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Credentials, region and endpoint can be set once for the whole play with
# module_defaults: {group/medtech.aws_platform.aws: {region: eu-central-1}}.

- name: Replicate the documents bucket to eu-west-1, SSE-KMS objects too, within 15 minutes
  medtech.aws_platform.s3_bucket_replication:
    region: eu-central-1
    bucket: medtech-prod-documents
    role: arn:aws:iam::123456789012:role/medtech-prod-s3-replication
    rules:
      - id: dr-eu-west-1
        destination_bucket: medtech-prod-documents-dr
        destination_storage_class: STANDARD_IA
        replica_kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
        replication_time: true
  register: replication

- name: Two rules, by prefix, with their own priorities
  medtech.aws_platform.s3_bucket_replication:
    bucket: medtech-prod-uploads
    role: arn:aws:iam::123456789012:role/medtech-prod-s3-replication
    rules:
      - id: reports
        priority: 2
        prefix: reports/
        destination_bucket: arn:aws:s3:::medtech-prod-uploads-dr
      - id: audit-archive
        priority: 1
        tags:
          retention: audit
        destination_bucket: medtech-prod-audit-archive
        destination_storage_class: DEEP_ARCHIVE
        account: "210987654321"
        owner_override: true

- name: Stop replicating
  medtech.aws_platform.s3_bucket_replication:
    bucket: medtech-test-documents
    state: absent
"""

RETURN = r"""
replication_configuration:
  description:
    - The bucket's replication configuration after the run, as C(GetBucketReplication) returns
      it with snake_case keys (tag keys and values in filters are kept as they are) and the
      rules sorted by priority and ID; in check mode, as it would be.
    - C({}) when the bucket has none after the run.
  returned: always
  type: dict
  contains:
    role:
      description: The ARN of the IAM role S3 assumes.
      returned: when the bucket has a configuration
      type: str
      sample: arn:aws:iam::123456789012:role/medtech-prod-s3-replication
    rules:
      description: The rules, each with C(id), C(priority), C(status), C(filter),
        C(delete_marker_replication), C(destination) and, for SSE-KMS objects,
        C(source_selection_criteria).
      returned: when the bucket has a configuration
      type: list
      elements: dict
      sample:
        - id: dr-eu-west-1
          priority: 0
          status: Enabled
          filter: {}
          delete_marker_replication: {status: Disabled}
          source_selection_criteria: {sse_kms_encrypted_objects: {status: Enabled}}
          destination:
            bucket: arn:aws:s3:::medtech-prod-documents-dr
            storage_class: STANDARD_IA
            encryption_configuration:
              replica_kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
            replication_time: {status: Enabled, time: {minutes: 15}}
            metrics: {status: Enabled, event_threshold: {minutes: 15}}
changed:
  description: Whether the configuration was (or, in check mode, would be) written or deleted.
  returned: always
  type: bool
  sample: true
diff:
  description: RV(replication_configuration) before and after the run (C({}) for none).
  returned: in diff mode
  type: dict
  sample:
    before: {}
    after:
      role: arn:aws:iam::123456789012:role/medtech-prod-s3-replication
      rules: [{"id": "dr-eu-west-1", "priority": 0, "status": "Enabled"}]
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import make_diff
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import STORAGE_CLASSES
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import AnsibleS3ReplicationError
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import bucket_name
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import build_configuration
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import comparable_configuration
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import configuration_view
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import delete_bucket_replication
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import error_code
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import get_bucket_region
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import get_bucket_replication
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import get_versioning_status
from ansible_collections.medtech.aws_platform.plugins.module_utils.s3_replication import put_bucket_replication

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
BUCKET_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
MAX_RULE_ID = 255


# --- input ----------------------------------------------------------------------------------------
def _validate_rule(index, rule):
    option = f"rules[{index}]"
    errors = []
    rule_id = rule.get("id") or ""
    if not rule_id or len(rule_id) > MAX_RULE_ID:
        errors.append(f"{option}.id must be 1 to {MAX_RULE_ID} characters long: give the rule a short unique ID")
    destination = rule.get("destination_bucket") or ""
    if not (BUCKET_NAME.match(destination) or BUCKET_ARN.match(destination)):
        errors.append(
            f"{option}.destination_bucket {destination!r} is neither an S3 bucket name nor an S3 bucket ARN: "
            "give e.g. medtech-prod-documents-dr or arn:aws:s3:::medtech-prod-documents-dr"
        )
    if rule.get("priority") is not None and rule["priority"] < 0:
        errors.append(f"{option}.priority is {rule['priority']}: give 0 or more")
    kms = rule.get("replica_kms_key_id")
    if kms is not None and not KMS_ARN.match(kms):
        errors.append(
            f"{option}.replica_kms_key_id {kms!r} is not a KMS key or alias ARN: give the full ARN of the key in the "
            "destination bucket's region, e.g. arn:aws:kms:eu-west-1:123456789012:key/<key id>"
        )
    account = rule.get("account")
    if account is not None and not ACCOUNT_ID.match(account):
        errors.append(f"{option}.account {account!r} is not a 12-digit AWS account ID: quote it as a string of 12 digits")
    if rule.get("owner_override") and not account:
        errors.append(f"{option}.owner_override needs {option}.account: give the destination bucket's account ID")
    if rule.get("tags") and rule.get("delete_marker_replication"):
        errors.append(
            f"{option}.delete_marker_replication cannot be true with {option}.tags (AWS does not replicate delete "
            "markers for tag-based rules): drop the tags or set delete_marker_replication to false"
        )
    return errors


def validate_params(params):
    """Check the options before any AWS call and fill in the rules' priorities.

    :return: ``(rules, errors)``: the rules with ``priority`` set (0 for a single rule without
        one) and a list of messages, each naming the option and the fix.
    """
    errors = []
    if not BUCKET_NAME.match(params["bucket"] or ""):
        errors.append(
            f"bucket {params['bucket']!r} is not an S3 bucket name: give the source bucket's name (3 to 63 lower-case "
            "letters, digits, dots and hyphens), not its ARN"
        )
    if params["state"] == "absent":
        return [], errors
    role = params.get("role")
    if not role:
        errors.append("role is required with state=present: give the ARN of the IAM role S3 assumes to replicate")
    elif not ROLE_ARN.match(role):
        errors.append(f"role {role!r} is not an IAM role ARN: give e.g. arn:aws:iam::123456789012:role/medtech-prod-s3-replication")
    rules = [dict(rule) for rule in params.get("rules") or []]
    if not rules:
        errors.append("rules is empty: give at least one rule with state=present, or use state=absent to stop replicating")
    for index, rule in enumerate(rules):
        errors.extend(_validate_rule(index, rule))
    ids = [rule.get("id") for rule in rules]
    duplicated = sorted({rule_id for rule_id in ids if rule_id and ids.count(rule_id) > 1})
    if duplicated:
        errors.append(f"rules have the same id {', '.join(duplicated)}: give each rule its own id")
    if len(rules) == 1 and rules[0].get("priority") is None:
        rules[0]["priority"] = 0
    elif len(rules) > 1:
        missing = [rule.get("id") for rule in rules if rule.get("priority") is None]
        if missing:
            errors.append(
                f"rules {', '.join(str(item) for item in missing)} have no priority: with several rules, give each its own priority"
            )
        priorities = [rule["priority"] for rule in rules if rule.get("priority") is not None]
        repeated = sorted({value for value in priorities if priorities.count(value) > 1})
        if repeated:
            errors.append(
                f"rules share the priority {', '.join(str(value) for value in repeated)}: give each rule its own priority"
            )
    return rules, errors


# --- the buckets' versioning ----------------------------------------------------------------------
def versioning_problem(bucket, status, role_of_bucket):
    """The message for a bucket whose versioning is not Enabled, or None."""
    if status == "Enabled":
        return None
    state = "suspended" if status == "Suspended" else "not enabled"
    return (
        f"Versioning is {state} on the S3 bucket {bucket}, the {role_of_bucket} of the replication: S3 replicates only "
        "between versioned buckets. Enable it (amazon.aws.s3_bucket with versioning: true) and run again; nothing was "
        "written"
    )


def check_versioning(module, client, source, rules):
    """GetBucketVersioning on the source and on each destination (in its own region).

    :raises AnsibleS3ReplicationError: naming the bucket whose versioning is not Enabled, or the
        read that failed.
    """
    problem = versioning_problem(source, get_versioning_status(client, source), "source")
    if problem:
        raise AnsibleS3ReplicationError(message=problem)
    seen = set()
    for rule in rules:
        destination = bucket_name(rule["destination_bucket"])
        if destination in seen:
            continue
        seen.add(destination)
        try:
            region = get_bucket_region(client, destination)
            status = get_versioning_status(module.client("s3", region=region), destination)
        except AnsibleS3ReplicationError as e:
            if rule.get("account") and error_code(e) == "AccessDenied":
                module.warn(
                    f"The versioning of the destination bucket {destination} (account {rule['account']}) cannot be read "
                    "(AccessDenied); AWS refuses the configuration if it is not enabled"
                )
                continue
            raise
        problem = versioning_problem(destination, status, "destination")
        if problem:
            raise AnsibleS3ReplicationError(message=problem)


# --- compare and act ------------------------------------------------------------------------------
class ReplicationManager(ResourceManager):
    """The replication configuration of one bucket."""

    result_key = "replication_configuration"

    def __init__(self, module, client, rules):
        super().__init__(module, client)
        self.bucket = module.params["bucket"]
        self.rules = rules
        self.desired = build_configuration(module.params["role"], rules) if rules else None

    def read(self):
        return get_bucket_replication(self.client, self.bucket)

    def create(self):
        put_bucket_replication(self.client, self.bucket, self.desired)

    def update(self, current):
        if comparable_configuration(current) != comparable_configuration(self.desired):
            self.act(self.create)

    def delete(self, current):
        delete_bucket_replication(self.client, self.bucket)

    def expected(self, current):
        return self.desired

    def ensure_present(self):
        check_versioning(self.module, self.client, self.bucket, self.rules)
        return super().ensure_present()

    def result(self, before, after):
        after_view = configuration_view(after)
        result = {"changed": self.changed, "replication_configuration": after_view}
        if getattr(self.module, "_diff", False):
            result["diff"] = make_diff(configuration_view(before), after_view)
        return result


def main():
    rule_spec = dict(
        id=dict(type="str", required=True),
        priority=dict(type="int"),
        status=dict(type="str", default="Enabled", choices=["Enabled", "Disabled"]),
        prefix=dict(type="str"),
        tags=dict(type="dict"),
        destination_bucket=dict(type="str", required=True),
        destination_storage_class=dict(type="str", choices=STORAGE_CLASSES),
        replica_kms_key_id=dict(type="str"),
        delete_marker_replication=dict(type="bool", default=False),
        replication_time=dict(type="bool", default=False),
        account=dict(type="str"),
        owner_override=dict(type="bool", default=False),
    )
    argument_spec = dict(
        bucket=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        role=dict(type="str"),
        rules=dict(type="list", elements="dict", options=rule_spec),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    rules, errors = validate_params(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    run_manager(module, ReplicationManager(module, module.client("s3"), rules))


if __name__ == "__main__":
    main()
