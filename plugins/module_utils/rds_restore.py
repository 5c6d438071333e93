# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS API calls of rds_instance_point_in_time_restore and rds_event_info, one function each,
and the pure helpers they share (time parsing, result shaping, the waiter's timing).

Each call is retried on throttling (AWSRetry; RDS throttles with ``Throttling``, which AWSRetry
already knows) and turns an API error into AnsibleRDSRestoreError, whose message names the
action (amazon.aws's AWSErrorHandler); AWS's error code and message stay in the exception.
"""

import datetime
import math

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

#: seconds between two DescribeDBInstances of the db_instance_available waiter (boto3's default)
WAITER_DELAY = 30


class AnsibleRDSRestoreError(AnsibleAWSError):
    pass


class RDSRestoreErrorHandler(AWSErrorHandler):
    """Errors as AnsibleRDSRestoreError; a missing DB instance or automated backup is "not found"
    for the read functions (``list_error_handler``)."""

    _CUSTOM_EXCEPTION = AnsibleRDSRestoreError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["DBInstanceNotFound", "DBInstanceAutomatedBackupNotFound"])


# --- pure helpers -----------------------------------------------------------------------------
def parse_utc_time(text):
    """Parse an ISO 8601 time with an explicit offset (``Z`` or ``+00:00`` ...) into a UTC datetime.

    :param text: e.g. ``2026-03-01T09:30:00Z``.
    :return: an aware ``datetime`` in UTC.
    :raises ValueError: when the text is not ISO 8601 or has no offset (the time zone would be a
        guess; a restore to the wrong hour is worse than an error).
    """
    value = str(text).strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("no time zone offset")
    return parsed.astimezone(datetime.timezone.utc)


def iso_utc(value):
    """A datetime as ISO 8601 text in UTC (``2026-03-01T09:30:00+00:00``); None stays None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc).isoformat()


def utc_now():
    """Now, as an aware UTC datetime (a function so tests can pin it)."""
    return datetime.datetime.now(datetime.timezone.utc)


def waiter_config(wait_timeout, delay=WAITER_DELAY):
    """The WaiterConfig that waits at most about ``wait_timeout`` seconds.

    :param wait_timeout: seconds, at least 1.
    :return: ``{"Delay": int, "MaxAttempts": int}``: the delay is 30 s (boto3's) or the timeout
        when that is shorter; attempts are enough to cover the timeout.
    """
    delay = max(1, min(delay, int(wait_timeout)))
    return {"Delay": delay, "MaxAttempts": max(1, int(math.ceil(wait_timeout / float(delay))))}


def instance_to_ansible(instance):
    """A DescribeDBInstances entry as the modules return it: snake_case, ``TagList`` as ``tags``
    (a dict), times as ISO 8601 text."""
    if not instance:
        return {}
    instance = dict(instance)
    tag_list = instance.pop("TagList", None)
    result = boto3_resource_to_ansible_dict(instance, transform_tags=False)
    result["tags"] = boto3_tag_list_to_ansible_dict(tag_list or [])
    return result


def event_to_ansible(event):
    """A DescribeEvents entry as rds_event_info returns it (snake_case, ``date`` as ISO 8601 UTC)."""
    return {
        "source_identifier": event.get("SourceIdentifier"),
        "source_type": event.get("SourceType"),
        "message": event.get("Message"),
        "event_categories": list(event.get("EventCategories") or []),
        "date": iso_utc(event.get("Date")),
        "source_arn": event.get("SourceArn"),
    }


# --- API calls --------------------------------------------------------------------------------
@RDSRestoreErrorHandler.list_error_handler("describe the DB instance {identifier}")
@throttling_retry()
def describe_db_instance(client, identifier):
    """DescribeDBInstances for one identifier: the boto3 DBInstance dict, or None when there is
    no such instance (DBInstanceNotFound)."""
    instances = client.describe_db_instances(DBInstanceIdentifier=identifier).get("DBInstances") or []
    return instances[0] if instances else None


@RDSRestoreErrorHandler.list_error_handler("describe the automated backups {arn}")
@throttling_retry()
def describe_automated_backup(client, arn):
    """DescribeDBInstanceAutomatedBackups by ARN (a replicated backup in this region): the boto3
    DBInstanceAutomatedBackup dict, or None (DBInstanceAutomatedBackupNotFound)."""
    found = client.describe_db_instance_automated_backups(DBInstanceAutomatedBackupsArn=arn)
    backups = found.get("DBInstanceAutomatedBackups") or []
    return backups[0] if backups else None


@RDSRestoreErrorHandler.common_error_handler("restore the DB instance {target} to a point in time")
@throttling_retry()
def restore_db_instance_to_point_in_time(client, target, **params):
    """RestoreDBInstanceToPointInTime: ``params`` are the API's (CamelCase) besides
    ``TargetDBInstanceIdentifier``; ``Tags`` may be a dict. Returns the boto3 DBInstance dict."""
    if isinstance(params.get("Tags"), dict):
        params["Tags"] = ansible_dict_to_boto3_tag_list({key: str(value) for key, value in params["Tags"].items()})
    return client.restore_db_instance_to_point_in_time(TargetDBInstanceIdentifier=target, **params)["DBInstance"]


@RDSRestoreErrorHandler.common_error_handler("wait for the DB instance {identifier} to become available")
def wait_db_instance_available(client, identifier, wait_timeout):
    """boto3's ``db_instance_available`` waiter, for at most about ``wait_timeout`` seconds.

    :raises AnsibleRDSRestoreError: ``Timeout trying to wait ...`` when it is not available in
        time or reaches a failed state (``failed``, ``incompatible-restore``, ...).
    """
    client.get_waiter("db_instance_available").wait(
        DBInstanceIdentifier=identifier, WaiterConfig=waiter_config(wait_timeout)
    )


@RDSRestoreErrorHandler.common_error_handler("describe the RDS events")
@throttling_retry()
def describe_events(client, **params):
    """DescribeEvents, all pages (boto3's paginator): the list of boto3 Event dicts.

    :param params: the API's parameters (``SourceIdentifier``, ``SourceType``, ``Duration``,
        ``StartTime``, ``EndTime``, ``EventCategories``).
    """
    paginator = client.get_paginator("describe_events")
    return paginator.paginate(**params).build_full_result().get("Events") or []
