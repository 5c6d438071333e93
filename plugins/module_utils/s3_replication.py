# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The S3 API calls of s3_bucket_replication, one function each, and the pure functions that
build and compare a bucket's replication configuration.

Each API function is retried on throttling (AWSRetry, plus S3's ``SlowDown``) and turns an API
error into AnsibleS3ReplicationError, whose message names the action and the bucket
(amazon.aws's AWSErrorHandler). amazon.aws's own ``get_s3_bucket_versioning`` is not used: it
retries ``NoSuchBucket`` for up to two minutes and then answers ``{}``, which reads as
"versioning never enabled" for a bucket that does not exist.

What AWS returns (GetBucketReplication), and what ``comparable_configuration`` therefore treats
as equal:

* a rule for the whole bucket sent as ``Filter: {}`` (botocore writes ``<Filter />``) is
  returned as ``Filter: {}``; other clients write ``Filter: {Prefix: ""}``; both mean the whole
  bucket;
* ``Priority`` is returned as an int; ``Status`` members left out mean ``Disabled``
  (``DeleteMarkerReplication``, ``SourceSelectionCriteria``, ``ExistingObjectReplication``,
  ``ReplicationTime``, ``Metrics``);
* the order of the rules is kept but does not matter (``Priority`` decides), so rules are
  compared by ``ID``.
"""

import copy
import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

#: the error code of a bucket without a replication configuration (HTTP 404)
NOT_FOUND_CODE = "ReplicationConfigurationNotFoundError"
#: the storage classes a replica can be written in (botocore's StorageClass enum, less those that
#: are not S3 Regional buckets: OUTPOSTS, SNOW, EXPRESS_ONEZONE, FSx and AWS Backup classes)
STORAGE_CLASSES = [
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "GLACIER_IR",
]
#: S3 Replication Time Control: replicate 99.99 % of objects within 15 minutes, the only value AWS accepts
RTC_MINUTES = 15
BUCKET_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::(?P<name>[^/:]+)$")


class AnsibleS3ReplicationError(AnsibleAWSError):
    pass


class S3ReplicationErrorHandler(AWSErrorHandler):
    """Only "this bucket has no replication configuration" counts as missing; ``NoSuchBucket``
    is an error the user must see."""

    _CUSTOM_EXCEPTION = AnsibleS3ReplicationError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(NOT_FOUND_CODE)


def error_code(error):
    """The AWS error code behind an AnsibleAWSError (None when it wraps no AWS error)."""
    response = getattr(error.exception, "response", None) or {}
    return (response.get("Error") or {}).get("Code")


# --- API calls ------------------------------------------------------------------------------------
@S3ReplicationErrorHandler.list_error_handler("get the replication configuration of the S3 bucket {bucket}", None)
@throttling_retry("SlowDown")
def get_bucket_replication(client, bucket):
    """GetBucketReplication.

    :return: the ``ReplicationConfiguration`` dict (``{"Role": str, "Rules": [...]}``), or None
        when the bucket has none (``ReplicationConfigurationNotFoundError``).
    :raises AnsibleS3ReplicationError: on any other error (``NoSuchBucket``, ``AccessDenied``).
    """
    return client.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]


@S3ReplicationErrorHandler.common_error_handler("put the replication configuration of the S3 bucket {bucket}")
@throttling_retry("SlowDown")
def put_bucket_replication(client, bucket, configuration):
    """PutBucketReplication: replaces the whole configuration with ``configuration``.

    :raises AnsibleS3ReplicationError: e.g. ``InvalidRequest`` (versioning off on either bucket,
        a destination that does not exist, a KMS rule without a replica key), ``InvalidArgument``
        (two rules with one priority), ``AccessDenied`` (no ``s3:PutReplicationConfiguration``, or
        no ``iam:PassRole`` on the role).
    """
    client.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=configuration)
    return True


@S3ReplicationErrorHandler.deletion_error_handler("delete the replication configuration of the S3 bucket {bucket}")
@throttling_retry("SlowDown")
def delete_bucket_replication(client, bucket):
    """DeleteBucketReplication; False when there was none."""
    client.delete_bucket_replication(Bucket=bucket)
    return True


@S3ReplicationErrorHandler.common_error_handler("get the versioning state of the S3 bucket {bucket}")
@throttling_retry("SlowDown")
def get_versioning_status(client, bucket):
    """GetBucketVersioning.

    :return: ``"Enabled"``, ``"Suspended"``, or None for a bucket on which versioning was never
        enabled (AWS then returns no ``Status``).
    :raises AnsibleS3ReplicationError: ``NoSuchBucket``, ``AccessDenied``, ...
    """
    return client.get_bucket_versioning(Bucket=bucket).get("Status")


@S3ReplicationErrorHandler.common_error_handler("get the region of the S3 bucket {bucket}")
@throttling_retry("SlowDown")
def get_bucket_region(client, bucket):
    """GetBucketLocation: the bucket's region (``us-east-1`` for an empty LocationConstraint,
    ``eu-west-1`` for the legacy ``EU``)."""
    location = client.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    if not location:
        return "us-east-1"
    if location == "EU":
        return "eu-west-1"
    return location


# --- building -------------------------------------------------------------------------------------
def bucket_arn(name_or_arn):
    """``arn:aws:s3:::<name>`` for a bucket name; an S3 bucket ARN is returned as it is."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    return f"arn:aws:s3:::{name_or_arn}"


def bucket_name(name_or_arn):
    """The bucket name of a bucket name or ARN."""
    match = BUCKET_ARN.match(name_or_arn)
    return match.group("name") if match else name_or_arn


def rule_filter(prefix, tags):
    """The ``Filter`` of a rule: ``{}`` (the whole bucket), ``{"Prefix"}``, ``{"Tag"}`` or ``{"And"}``."""
    tags = tags or {}
    tag_list = [{"Key": key, "Value": str(value)} for key, value in sorted(tags.items())]
    if not tag_list:
        return {"Prefix": prefix} if prefix else {}
    if not prefix and len(tag_list) == 1:
        return {"Tag": tag_list[0]}
    conditions = {"Tags": tag_list}
    if prefix:
        conditions["Prefix"] = prefix
    return {"And": conditions}


def build_rule(rule):
    """One rule option (validated, with its defaults) as the API's ReplicationRule."""
    destination = {"Bucket": bucket_arn(rule["destination_bucket"])}
    if rule.get("destination_storage_class"):
        destination["StorageClass"] = rule["destination_storage_class"]
    if rule.get("account"):
        destination["Account"] = rule["account"]
    if rule.get("owner_override"):
        destination["AccessControlTranslation"] = {"Owner": "Destination"}
    if rule.get("replica_kms_key_id"):
        destination["EncryptionConfiguration"] = {"ReplicaKmsKeyID": rule["replica_kms_key_id"]}
    if rule.get("replication_time"):
        destination["ReplicationTime"] = {"Status": "Enabled", "Time": {"Minutes": RTC_MINUTES}}
        destination["Metrics"] = {"Status": "Enabled", "EventThreshold": {"Minutes": RTC_MINUTES}}
    result = {
        "ID": rule["id"],
        "Priority": rule["priority"],
        "Status": rule["status"],
        "Filter": rule_filter(rule.get("prefix"), rule.get("tags")),
        "DeleteMarkerReplication": {"Status": "Enabled" if rule.get("delete_marker_replication") else "Disabled"},
        "Destination": destination,
    }
    if rule.get("replica_kms_key_id"):
        result["SourceSelectionCriteria"] = {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    return result


def build_configuration(role, rules):
    """The ``ReplicationConfiguration`` for PutBucketReplication, rules ordered by priority."""
    built = [build_rule(rule) for rule in rules]
    return {"Role": role, "Rules": sorted(built, key=lambda item: (item["Priority"], item["ID"]))}


# --- comparing ------------------------------------------------------------------------------------
def _status(container, key):
    return ((container or {}).get(key) or {}).get("Status") or "Disabled"


def _comparable_filter(rule):
    """``{"version", "prefix", "tags"}``: a V1 rule (``Prefix`` beside, not in, a ``Filter``)
    never equals a V2 rule, which this module always writes."""
    if "Filter" not in rule:
        return {"version": 1, "prefix": rule.get("Prefix") or "", "tags": {}}
    flt = rule.get("Filter") or {}
    conditions = flt.get("And") or {}
    tags = list(conditions.get("Tags") or [])
    if flt.get("Tag"):
        tags.append(flt["Tag"])
    prefix = flt.get("Prefix") or conditions.get("Prefix") or ""
    return {"version": 2, "prefix": prefix, "tags": {tag["Key"]: tag.get("Value", "") for tag in tags}}


def comparable_rule(rule):
    """A ReplicationRule in a flat form where equal rules compare equal (defaults filled in)."""
    destination = rule.get("Destination") or {}
    replication_time = destination.get("ReplicationTime") or {}
    metrics = destination.get("Metrics") or {}
    rtc_enabled = replication_time.get("Status") == "Enabled"
    metrics_enabled = metrics.get("Status") == "Enabled"
    return {
        "priority": int(rule.get("Priority") or 0),
        "status": rule.get("Status"),
        "filter": _comparable_filter(rule),
        "delete_marker_replication": _status(rule, "DeleteMarkerReplication"),
        "existing_object_replication": _status(rule, "ExistingObjectReplication"),
        "sse_kms_encrypted_objects": _status(rule.get("SourceSelectionCriteria"), "SseKmsEncryptedObjects"),
        "replica_modifications": _status(rule.get("SourceSelectionCriteria"), "ReplicaModifications"),
        "bucket": destination.get("Bucket"),
        "account": destination.get("Account"),
        "storage_class": destination.get("StorageClass"),
        "owner": (destination.get("AccessControlTranslation") or {}).get("Owner"),
        "replica_kms_key_id": (destination.get("EncryptionConfiguration") or {}).get("ReplicaKmsKeyID"),
        "replication_time": int((replication_time.get("Time") or {}).get("Minutes") or 0) if rtc_enabled else None,
        "metrics": int((metrics.get("EventThreshold") or {}).get("Minutes") or 0) if metrics_enabled else None,
    }


def comparable_configuration(configuration):
    """A ReplicationConfiguration as ``{"role", "rules": {id: comparable rule}}``; None stays None.

    Rules without an ``ID`` (AWS gives them a random one) are keyed by their position.
    """
    if configuration is None:
        return None
    rules = {}
    for index, rule in enumerate(configuration.get("Rules") or []):
        rules[rule.get("ID") or f"#{index}"] = comparable_rule(rule)
    return {"role": configuration.get("Role"), "rules": rules}


def configuration_view(configuration):
    """A ReplicationConfiguration as the module returns it: snake_case keys, rules sorted by
    priority and ID (tag keys and values are data, not renamed); ``{}`` for None."""
    if not configuration:
        return {}
    view = copy.deepcopy(configuration)
    view["Rules"] = sorted(view.get("Rules") or [], key=lambda rule: (int(rule.get("Priority") or 0), rule.get("ID") or ""))
    return camel_dict_to_snake_dict(view)
