# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CodeDeploy API calls of codedeploy_deployment, one function each.

Each is retried on throttling (AWSRetry, plus CodeDeploy's ThrottlingException) and turns an API
error into AnsibleCodeDeployError, whose message names the action (amazon.aws's AWSErrorHandler).
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

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
        return is_boto3_error_code("DeploymentDoesNotExistException")


@CodeDeployErrorHandler.common_error_handler("read the CodeDeploy deployment group {group} of {application}")
@throttling_retry()
def get_deployment_group(client, application, group):
    """GetDeploymentGroup.

    :return: the boto3 deploymentGroupInfo dict.
    :raises AnsibleCodeDeployError: also when the application or the group does not exist
        (ApplicationDoesNotExistException, DeploymentGroupDoesNotExistException).
    """
    return client.get_deployment_group(applicationName=application, deploymentGroupName=group)["deploymentGroupInfo"]


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
