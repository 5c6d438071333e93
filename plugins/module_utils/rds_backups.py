# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""RDS automated-backup replication: the API calls of rds_instance_automated_backups_replication,
its input checks and views, shared with the dr role's other RDS building blocks.

Each API function is retried on throttling (AWSRetry) and turns an API error into
``AnsibleRDSBackupsError``, whose message names the action (amazon.aws's AWSErrorHandler);
``with_hint`` adds what to do for the error codes the RDS API model names for these calls.

The replication is a resource of the *destination* Region: StartDBInstanceAutomatedBackupsReplication
and StopDBInstanceAutomatedBackupsReplication are called there with the source instance's ARN, and
DescribeDBInstanceAutomatedBackups there lists the replicated backups (``DBInstanceArn`` and
``Region`` are the source's). A replication that was stopped leaves its backups ``retained``.
"""

import re

try:
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore to the user.

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

#: AWS's range for a replication's BackupRetentionPeriod (days)
RETENTION_DAYS = (1, 35)
#: the Status of replicated backups whose replication has ended (or whose source was deleted)
RETAINED = "retained"
SOURCE_ARN_PATTERN = re.compile(r"^arn:(aws[a-z-]*):rds:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):db:([A-Za-z][A-Za-z0-9-]{0,62})$")
KEY_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)/.+$")
#: what to do, for the error codes the RDS API model lists for these calls
HINTS = {
    "DBInstanceNotFound": "source_db_instance_arn names no DB instance: check its account, Region and identifier",
    "InvalidDBInstanceState": "the source DB instance must be available and have automated backups "
                              "(backup retention of 1 day or more); wait for it or enable its backups",
    "InvalidDBInstanceAutomatedBackupState": "the source already replicates its automated backups (AWS allows one "
                                             "destination Region per instance): stop that replication first",
    "DBInstanceAutomatedBackupQuotaExceeded": "the destination Region holds its maximum of replicated automated "
                                              "backups: stop a replication there or ask AWS for a higher quota",
    "KMSKeyNotAccessibleFault": "kms_key_id must be a key of the destination Region that is enabled and whose "
                                "key policy lets RDS use it",
    "StorageTypeNotSupported": "the source's storage type cannot be replicated to the destination Region",
    "StorageQuotaExceeded": "the destination Region's RDS storage quota is used up: free storage or raise the quota",
    "InvalidParameterCombination": "an encrypted source needs kms_key_id (a key of the destination Region); an "
                                   "unencrypted one takes none",
    "NotFoundException": "kms_key_id names no KMS key in the destination Region: create it or its alias there",
}


class AnsibleRDSBackupsError(AnsibleAWSError):
    pass


class RDSBackupsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleRDSBackupsError


def error_code(error):
    """The AWS error code behind an AnsibleAWSError, or None."""
    exception = getattr(error, "exception", None)
    if isinstance(exception, ClientError):
        return exception.response.get("Error", {}).get("Code")
    return None


def with_hint(error):
    """``error`` with what to do appended to its message when its AWS error code has a hint."""
    hint = HINTS.get(error_code(error))
    if not hint:
        return error
    return AnsibleRDSBackupsError(message=f"{error.message} ({hint})", exception=error.exception)


# --- input --------------------------------------------------------------------------------------
def parse_source_arn(arn):
    """``{partition, region, account, identifier}`` of an RDS DB instance ARN, or None."""
    match = SOURCE_ARN_PATTERN.match(arn or "")
    if not match:
        return None
    partition, region, account, identifier = match.groups()
    return {"partition": partition, "region": region, "account": account, "identifier": identifier}


def validate_params(params, region):
    """Check the options before any AWS call.

    :param params: the module's params.
    :param region: the module's (destination) Region, or None when none is configured.
    :return: list of messages, each naming the option and the fix.
    """
    errors = []
    source = parse_source_arn(params.get("source_db_instance_arn"))
    if source is None:
        errors.append(
            f"source_db_instance_arn {params.get('source_db_instance_arn')!r} is not the ARN of a DB instance: give "
            "arn:aws:rds:<source region>:<account>:db:<identifier>, e.g. "
            "arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-db"
        )
    if not region:
        errors.append("region is not set: set region (or AWS_REGION) to the destination Region, e.g. eu-west-1")
    elif source is not None and source["region"] == region:
        errors.append(
            f"source_db_instance_arn is in {region}, the Region this task runs in: run it in the destination "
            "Region (set region to e.g. eu-west-1), as StartDBInstanceAutomatedBackupsReplication requires"
        )
    retention = params.get("backup_retention_period")
    if retention is not None and not RETENTION_DAYS[0] <= retention <= RETENTION_DAYS[1]:
        errors.append(f"backup_retention_period={retention}: give {RETENTION_DAYS[0]} to {RETENTION_DAYS[1]} days")
    key = params.get("kms_key_id")
    if key is not None:
        match = KEY_ARN_PATTERN.match(key)
        if not key.strip():
            errors.append("kms_key_id is empty: give a key of the destination Region (ARN, id or alias/<name>)")
        elif match and region and match.group(1) != region:
            errors.append(
                f"kms_key_id {key!r} is a key of {match.group(1)}: the replicated backups are encrypted in the "
                f"destination Region, so give a key of {region} (e.g. alias/medtech-prod-platform)"
            )
    return errors


def is_key_arn(key):
    """Whether ``key`` is a key ARN (not an alias, alias ARN or bare key id)."""
    match = KEY_ARN_PATTERN.match(key or "")
    return bool(match) and match.group(3) == "key"


# --- views --------------------------------------------------------------------------------------
def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def backup_view(raw):
    """A DBInstanceAutomatedBackup as the module returns it: snake_case, times as ISO 8601 text,
    ``tags`` as a dict (``TagList`` dropped)."""
    raw = dict(raw)
    tags = boto3_tag_list_to_ansible_dict(raw.pop("TagList", None) or [])
    window = raw.pop("RestoreWindow", None)
    for key in ("InstanceCreateTime",):
        if key in raw:
            raw[key] = _iso(raw[key])
    view = camel_dict_to_snake_dict(raw)
    if window is not None:
        view["restore_window"] = {
            "earliest_time": _iso(window.get("EarliestTime")),
            "latest_time": _iso(window.get("LatestTime")),
        }
    view["tags"] = tags
    return view


def diff_view(backup):
    """The managed parts of a backup view, for ``diff`` (``{}`` when there is none)."""
    if not backup:
        return {}
    return {
        "source_db_instance_arn": backup.get("db_instance_arn"),
        "kms_key_id": backup.get("kms_key_id"),
        "backup_retention_period": backup.get("backup_retention_period"),
    }


# --- API calls ----------------------------------------------------------------------------------
@RDSBackupsErrorHandler.common_error_handler("list the automated backups replicated from {source_arn}")
@throttling_retry()
def list_replicated_backups(client, source_arn):
    """DescribeDBInstanceAutomatedBackups (paginated) with the ``db-instance-id`` filter: every
    automated backup in the client's Region whose ``DBInstanceArn`` is ``source_arn``, any status."""
    paginator = client.get_paginator("describe_db_instance_automated_backups")
    found = []
    for page in paginator.paginate(Filters=[{"Name": "db-instance-id", "Values": [source_arn]}]):
        found += [item for item in page.get("DBInstanceAutomatedBackups") or [] if item.get("DBInstanceArn") == source_arn]
    return found


def current_replication(backups):
    """The replication that is under way (any status but ``retained``), the most recent one when
    AWS lists several; None when there is none."""
    live = [item for item in backups if item.get("Status") != RETAINED]
    if not live:
        return None
    return max(live, key=lambda item: str((item.get("RestoreWindow") or {}).get("EarliestTime") or ""))


@RDSBackupsErrorHandler.common_error_handler("resolve the KMS key {key_id}")
@throttling_retry()
def resolve_key_arn(client, key_id):
    """KMS DescribeKey: the ARN of the key ``key_id`` names (alias, alias ARN, key id or ARN)."""
    return client.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]


@RDSBackupsErrorHandler.common_error_handler("start replicating the automated backups of {source_arn} to this Region")
@throttling_retry()
def start_replication(client, source_arn, source_region, retention, key_arn=None):
    """StartDBInstanceAutomatedBackupsReplication in the client's (destination) Region.

    ``SourceRegion`` makes botocore generate the ``PreSignedUrl`` (only AWS GovCloud uses it) and
    is not sent itself. :return: the DBInstanceAutomatedBackup AWS answers.
    """
    params = {"SourceDBInstanceArn": source_arn, "BackupRetentionPeriod": retention, "SourceRegion": source_region}
    if key_arn:
        params["KmsKeyId"] = key_arn
    return client.start_db_instance_automated_backups_replication(**params)["DBInstanceAutomatedBackup"]


@RDSBackupsErrorHandler.common_error_handler("stop replicating the automated backups of {source_arn} to this Region")
@throttling_retry()
def stop_replication(client, source_arn):
    """StopDBInstanceAutomatedBackupsReplication in the client's (destination) Region. The
    replicated backups are retained (status ``retained``) until their retention period ends."""
    return client.stop_db_instance_automated_backups_replication(SourceDBInstanceArn=source_arn)[
        "DBInstanceAutomatedBackup"
    ]
