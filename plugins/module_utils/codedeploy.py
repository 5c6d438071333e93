# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CodeDeploy API calls of codedeploy_application, codedeploy_deployment_group and
codedeploy_deployment, one function each, and the small pure helpers both modules share.

Each call is retried on throttling (AWSRetry, plus CodeDeploy's ``ThrottlingException``) and turns
an API error into AnsibleCodeDeployError, whose message names the action (amazon.aws's
AWSErrorHandler). The reads return None where CodeDeploy answers that the resource does not exist.

CodeDeploy's Get calls return no ARN, and its tagging calls need one; ``resource_arn`` builds it as
AWS documents it (``arn:<partition>:codedeploy:<region>:<account>:application:<name>`` and
``...:deploymentgroup:<application>/<group>``) from the caller's account (STS GetCallerIdentity,
through amazon.aws's ``get_aws_account_info``).
"""

try:
    import botocore  # pylint: disable=unused-import
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore to the user.

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import normalize
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

APPLICATION_MISSING = "ApplicationDoesNotExistException"
GROUP_MISSING = "DeploymentGroupDoesNotExistException"
#: the statuses of a deployment that has not completed (ListDeployments includeOnlyStatuses)
IN_FLIGHT_STATUSES = ["Created", "Queued", "InProgress", "Baking", "Ready"]
#: the statuses a deployment ends in
DONE_STATUSES = ("Succeeded", "Failed", "Stopped")


class AnsibleCodeDeployError(AnsibleAWSError):
    pass


class CodeDeployErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleCodeDeployError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code([APPLICATION_MISSING, GROUP_MISSING])


def codedeploy_tags(tags):
    """A tag dict as CodeDeploy wants it (``[{"Key", "Value"}]``), values as strings, sorted by key."""
    return ansible_dict_to_boto3_tag_list({key: str(tags[key]) for key in sorted(tags)})


def resource_arn(module, resource):
    """The ARN of a CodeDeploy resource of the caller's account in the module's region.

    :param module: the AnsibleAWSModule (its region and credentials are used).
    :param resource: ``application:<name>`` or ``deploymentgroup:<application>/<group>``.
    :return: ``arn:<partition>:codedeploy:<region>:<account>:<resource>``.
    Calls sts:GetCallerIdentity (or iam:GetUser) once per module run.
    """
    cached = getattr(module, "_codedeploy_account", None)
    if cached is None:
        cached = get_aws_account_info(module)
        module._codedeploy_account = cached
    account_id, partition = cached
    return f"arn:{partition}:codedeploy:{module.region}:{account_id}:{resource}"


def missing_code(error):
    """The CodeDeploy 'does not exist' code of an AnsibleCodeDeployError's exception, or None."""
    response = getattr(error.exception, "response", None) or {}
    code = (response.get("Error") or {}).get("Code")
    return code if code in (APPLICATION_MISSING, GROUP_MISSING) else None


# --- applications -------------------------------------------------------------------------
@CodeDeployErrorHandler.list_error_handler("read the CodeDeploy application {name}")
@throttling_retry()
def get_application(client, name):
    """GetApplication: the ApplicationInfo dict, or None (ApplicationDoesNotExistException)."""
    return client.get_application(applicationName=name)["application"]


@CodeDeployErrorHandler.common_error_handler("create the CodeDeploy application {name}")
@throttling_retry()
def create_application(client, name, compute_platform, tags):
    """CreateApplication; return the application id."""
    params = {"applicationName": name, "computePlatform": compute_platform}
    if tags:
        params["tags"] = codedeploy_tags(tags)
    return client.create_application(**params)["applicationId"]


@CodeDeployErrorHandler.common_error_handler("delete the CodeDeploy application {name}")
@throttling_retry()
def delete_application(client, name):
    """DeleteApplication (also deletes its deployment groups). CodeDeploy answers success for an
    application that does not exist."""
    client.delete_application(applicationName=name)
    return True


# --- deployment groups --------------------------------------------------------------------
@CodeDeployErrorHandler.common_error_handler("read the CodeDeploy deployment group {group} of the application {application}")
@throttling_retry()
def get_deployment_group(client, application, group):
    """GetDeploymentGroup: the DeploymentGroupInfo dict.

    :raises AnsibleCodeDeployError: also when the group or its application does not exist; the
        caller tells those apart with ``missing_code``.
    """
    return client.get_deployment_group(applicationName=application, deploymentGroupName=group)["deploymentGroupInfo"]


@CodeDeployErrorHandler.common_error_handler("create the CodeDeploy deployment group {group} of the application {application}")
@throttling_retry()
def create_deployment_group(client, application, group, settings, tags):
    """CreateDeploymentGroup with ``settings`` (CreateDeploymentGroup's members, camelCase) and
    ``tags`` (dict); return the deployment group id."""
    params = dict(settings, applicationName=application, deploymentGroupName=group)
    if tags:
        params["tags"] = codedeploy_tags(tags)
    return client.create_deployment_group(**params)["deploymentGroupId"]


@CodeDeployErrorHandler.common_error_handler("update the CodeDeploy deployment group {group} of the application {application}")
@throttling_retry()
def update_deployment_group(client, application, group, settings):
    """UpdateDeploymentGroup with only the members in ``settings`` (the others stay as they are)."""
    client.update_deployment_group(applicationName=application, currentDeploymentGroupName=group, **settings)
    return True


@CodeDeployErrorHandler.common_error_handler("delete the CodeDeploy deployment group {group} of the application {application}")
@throttling_retry()
def delete_deployment_group(client, application, group):
    """DeleteDeploymentGroup; return ``hooksNotCleanedUp`` (Auto Scaling groups whose lifecycle
    hooks CodeDeploy could not remove; always empty for ECS)."""
    return client.delete_deployment_group(applicationName=application, deploymentGroupName=group).get("hooksNotCleanedUp") or []


# --- tags ---------------------------------------------------------------------------------
@CodeDeployErrorHandler.common_error_handler("list the tags of {arn}")
@throttling_retry()
def list_tags(client, arn):
    """ListTagsForResource (all pages): the tags as a dict."""
    tags = []
    params = {"ResourceArn": arn}
    while True:
        page = client.list_tags_for_resource(**params)
        tags.extend(page.get("Tags") or [])
        if not page.get("NextToken"):
            return boto3_tag_list_to_ansible_dict(tags)
        params["NextToken"] = page["NextToken"]


@CodeDeployErrorHandler.common_error_handler("tag {arn}")
@throttling_retry()
def tag_resource(client, arn, tags):
    """TagResource; ``tags`` is a dict."""
    client.tag_resource(ResourceArn=arn, Tags=codedeploy_tags(tags))
    return True


@CodeDeployErrorHandler.common_error_handler("remove tags from {arn}")
@throttling_retry()
def untag_resource(client, arn, tag_keys):
    """UntagResource; ``tag_keys`` is a list of keys."""
    client.untag_resource(ResourceArn=arn, TagKeys=sorted(tag_keys))
    return True


# --- comparing ----------------------------------------------------------------------------
def covers(current, desired):
    """Whether ``current`` (what AWS holds) already is what ``desired`` asks for.

    A dict covers another when every key the desired one sets (not None) is covered (keys the
    user left out are not compared; a missing list or dict counts as empty). Lists are compared
    without regard to order: lists of scalars as sorted lists, lists of dicts item by item, each
    desired item covered by a different current item. Scalars are compared after ``normalize``.
    Calls no AWS API.

    >>> covers({"alarms": [{"name": "b"}, {"name": "a"}], "enabled": True}, {"alarms": [{"name": "a"}, {"name": "b"}]})
    True
    """
    if isinstance(desired, dict):
        current = current if isinstance(current, dict) else {}
        return all(covers(current.get(key), value) for key, value in desired.items() if value is not None)
    if isinstance(desired, (list, tuple)):
        current = list(current or [])
        if len(current) != len(desired):
            return False
        if not any(isinstance(item, dict) for item in desired):
            return normalize(list(desired), sort_lists=True) == normalize(current, sort_lists=True)
        remaining = list(current)
        for item in desired:
            match = next((index for index, have in enumerate(remaining) if covers(have, item)), None)
            if match is None:
                return False
            remaining.pop(match)
        return True
    return normalize(desired) == normalize(current)


def sorted_view(value):
    """A copy of ``value`` with every list sorted (for a stable diff); None values dropped."""
    return normalize(value, sort_lists=True)


# ---- Deployments (codedeploy_deployment) ----


@CodeDeployErrorHandler.common_error_handler("list the deployments in progress of {group} of {application}")
@throttling_retry()
def list_in_flight_deployments(client, application, group):
    """ListDeployments of the group whose status is one of IN_FLIGHT_STATUSES (paginated).

    :return: list of deployment ids.
    """
    paginator = client.get_paginator("list_deployments")
    pages = paginator.paginate(applicationName=application, deploymentGroupName=group,
                               includeOnlyStatuses=IN_FLIGHT_STATUSES)
    return pages.build_full_result().get("deployments") or []


@CodeDeployErrorHandler.common_error_handler("read the CodeDeploy deployment {deployment_id}")
@throttling_retry()
def get_deployment(client, deployment_id):
    """GetDeployment.

    :return: the boto3 deploymentInfo dict.
    :raises AnsibleCodeDeployError: on an API error, DeploymentDoesNotExistException included.
    """
    return client.get_deployment(deploymentId=deployment_id)["deploymentInfo"]


@CodeDeployErrorHandler.common_error_handler("create a CodeDeploy deployment for {group} of {application}")
@throttling_retry()
def create_deployment(client, application, group, **params):
    """CreateDeployment; ``params`` are its other parameters (revision, description,
    deploymentConfigName).

    :return: the new deployment's id.
    """
    return client.create_deployment(applicationName=application, deploymentGroupName=group, **params)["deploymentId"]


@CodeDeployErrorHandler.common_error_handler("stop the CodeDeploy deployment {deployment_id}")
@throttling_retry()
def stop_deployment(client, deployment_id, auto_rollback=True):
    """StopDeployment, with autoRollbackEnabled as given.

    :return: the answer, ``{"status": "Pending"|"Succeeded", "statusMessage": str}``.
    :raises AnsibleCodeDeployError: also for DeploymentAlreadyCompletedException (the caller
        checks ``is_boto3_error_code`` on ``.exception``).
    """
    response = client.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=auto_rollback)
    return {"status": response.get("status"), "statusMessage": response.get("statusMessage")}
