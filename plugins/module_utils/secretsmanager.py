# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Secrets Manager API calls of secretsmanager_secret, one function each.

Each is retried on throttling (AWSRetry, plus Secrets Manager's ThrottlingException) and turns
an API error into AnsibleSecretsManagerError, whose message names the action (amazon.aws's
AWSErrorHandler). None of the calls used here is
paginated. Whether a secret holds a value is decided from DescribeSecret's
``VersionIdsToStages``. One function reads a value, ``get_secret_value`` (AWSCURRENT only): the
module calls it only to compare the ``managed_json_fields`` with an existing JSON value.

The functions that send or read a value (CreateSecret, PutSecretValue, GetSecretValue) and
GetRandomPassword never put the value into an error message: error messages are built from the
secret's name only, and botocore's ClientError carries AWS's answer, never the request or a
value.

One KMS call is here too, DescribeKey, used only to compare a KMS key given as an alias with one
given as a key ID or ARN.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list


class AnsibleSecretsManagerError(AnsibleAWSError):
    pass


class SecretsManagerErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleSecretsManagerError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


class KMSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleSecretsManagerError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


def _retry():
    """AWSRetry's backoff, also on ThrottlingException, the code Secrets Manager and KMS use
    for "Rate exceeded" (AWSRetry's own list has EC2's codes)."""
    return AWSRetry.jittered_backoff(catch_extra_error_codes=["ThrottlingException"])


def error_code(error):
    """The AWS error code of an AnsibleAWSError raised by one of these functions, or None."""
    exception = getattr(error, "exception", None)
    response = getattr(exception, "response", None) or {}
    return (response.get("Error") or {}).get("Code")


def _strip(response):
    response = dict(response or {})
    response.pop("ResponseMetadata", None)
    return response


@SecretsManagerErrorHandler.list_error_handler("describe the secret {secret_id}", None)
@_retry()
def describe_secret(client, secret_id):
    """DescribeSecret: the secret's metadata (boto3 dict), or None when it does not exist.

    A secret scheduled for deletion is returned (with ``DeletedDate``).
    :raises AnsibleSecretsManagerError: on an API error other than throttling (retried).
    """
    return _strip(client.describe_secret(SecretId=secret_id))


@SecretsManagerErrorHandler.common_error_handler("create the secret {name}")
@_retry()
def create_secret(client, name, client_request_token, **params):
    """CreateSecret; ``params`` are CreateSecret's other parameters (Description, KmsKeyId, Tags,
    AddReplicaRegions and, when the secret gets a first value, SecretString).

    ``client_request_token`` is fixed by the caller, so a retried call that AWS already served
    is answered as the same request instead of creating a second version.
    :return: the response without ResponseMetadata (ARN, Name, VersionId, ReplicationStatus).
    """
    return _strip(client.create_secret(Name=name, ClientRequestToken=client_request_token, **params))


@SecretsManagerErrorHandler.common_error_handler("update the secret {secret_id}")
@_retry()
def update_secret(client, secret_id, **params):
    """UpdateSecret with metadata only (Description and/or KmsKeyId), never a value."""
    return _strip(client.update_secret(SecretId=secret_id, **params))


@SecretsManagerErrorHandler.common_error_handler("put {purpose} of the secret {secret_id}")
@_retry()
def put_secret_value(client, secret_id, secret_string, client_request_token, purpose):
    """PutSecretValue without VersionStages: AWS labels the new version AWSCURRENT and moves
    AWSPREVIOUS to the version that was current.

    :param purpose: only for the error message, e.g. ``"the first value"``.
    :return: the response without ResponseMetadata (ARN, Name, VersionId, VersionStages).
    """
    return _strip(
        client.put_secret_value(
            SecretId=secret_id, SecretString=secret_string, ClientRequestToken=client_request_token
        )
    )


@SecretsManagerErrorHandler.common_error_handler(
    "read the current value of the secret {secret_id}, to compare its managed_json_fields "
    "(needs secretsmanager:GetSecretValue and kms:Decrypt)"
)
@_retry()
def get_secret_value(client, secret_id):
    """GetSecretValue of the version labelled AWSCURRENT.

    The caller must add what it returns to ``module.no_log_values`` at once.
    :return: ``(SecretString, has_binary)``: the string, or None when the value is binary
        (SecretBinary, which is not returned).
    """
    response = client.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")
    return response.get("SecretString"), "SecretBinary" in response


@SecretsManagerErrorHandler.common_error_handler("configure the rotation of the secret {secret_id}")
@_retry()
def rotate_secret(client, secret_id, client_request_token, **params):
    """RotateSecret; ``params`` are RotationLambdaARN, RotationRules and RotateImmediately.

    :return: the response without ResponseMetadata (ARN, Name, VersionId).
    """
    return _strip(client.rotate_secret(SecretId=secret_id, ClientRequestToken=client_request_token, **params))


@SecretsManagerErrorHandler.common_error_handler("turn off the rotation of the secret {secret_id}")
@_retry()
def cancel_rotate_secret(client, secret_id):
    """CancelRotateSecret: automatic rotation off (the function and the rules stay recorded)."""
    return _strip(client.cancel_rotate_secret(SecretId=secret_id))


@SecretsManagerErrorHandler.common_error_handler("generate a random value for the secret {secret_name}")
@_retry()
def get_random_password(client, secret_name, **params):
    """GetRandomPassword; ``params`` are its parameters (PasswordLength, ExcludeCharacters, ...).

    :param secret_name: only for the error message.
    :return: the random string.
    """
    return client.get_random_password(**params)["RandomPassword"]


@SecretsManagerErrorHandler.common_error_handler("tag the secret {secret_id}")
@_retry()
def tag_resource(client, secret_id, tags):
    """TagResource; ``tags`` is a dict."""
    # sorted by key: the request does not depend on the order of the set compare_aws_tags uses
    client.tag_resource(SecretId=secret_id, Tags=ansible_dict_to_boto3_tag_list({key: tags[key] for key in sorted(tags)}))
    return True


@SecretsManagerErrorHandler.common_error_handler("remove tags from the secret {secret_id}")
@_retry()
def untag_resource(client, secret_id, tag_keys):
    """UntagResource; ``tag_keys`` is a list of keys."""
    client.untag_resource(SecretId=secret_id, TagKeys=list(tag_keys))
    return True


@SecretsManagerErrorHandler.common_error_handler("replicate the secret {secret_id} to {regions}")
@_retry()
def replicate_secret_to_regions(client, secret_id, replica_regions, regions=None, force_overwrite=False):
    """ReplicateSecretToRegions; ``replica_regions`` is a list of ``{"Region", "KmsKeyId"?}``.

    :param regions: only for the error message (defaults to the regions of ``replica_regions``).
    :param force_overwrite: ForceOverwriteReplicaSecret (overwrite a secret of the same name in
        the destination region).
    :return: the new ReplicationStatus list.
    """
    params = {"SecretId": secret_id, "AddReplicaRegions": list(replica_regions)}
    if force_overwrite:
        params["ForceOverwriteReplicaSecret"] = True
    return client.replicate_secret_to_regions(**params).get("ReplicationStatus", [])


@SecretsManagerErrorHandler.common_error_handler("remove the replicas of the secret {secret_id} in {regions}")
@_retry()
def remove_regions_from_replication(client, secret_id, regions):
    """RemoveRegionsFromReplication: deletes the replicas in ``regions`` (a list of region codes).

    :return: the remaining ReplicationStatus list.
    """
    return client.remove_regions_from_replication(SecretId=secret_id, RemoveReplicaRegions=list(regions)).get(
        "ReplicationStatus", []
    )


@SecretsManagerErrorHandler.deletion_error_handler("schedule the deletion of the secret {secret_id}")
@_retry()
def delete_secret(client, secret_id, recovery_window_in_days):
    """DeleteSecret with a recovery window (never ForceDeleteWithoutRecovery).

    :return: the response without ResponseMetadata (ARN, Name, DeletionDate), or False when the
        secret was already gone.
    """
    return _strip(client.delete_secret(SecretId=secret_id, RecoveryWindowInDays=recovery_window_in_days))


@SecretsManagerErrorHandler.common_error_handler("restore the secret {secret_id}, which is scheduled for deletion")
@_retry()
def restore_secret(client, secret_id):
    """RestoreSecret: cancels a scheduled deletion."""
    return _strip(client.restore_secret(SecretId=secret_id))


@KMSErrorHandler.list_error_handler(
    "describe the KMS key {key_id}, to compare it with the key the secret uses (needs kms:DescribeKey)", None
)
@_retry()
def describe_kms_key(client, key_id):
    """KMS DescribeKey: the KeyMetadata dict, or None when the key or alias does not exist."""
    return client.describe_key(KeyId=key_id)["KeyMetadata"]
