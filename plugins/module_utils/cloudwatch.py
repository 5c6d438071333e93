# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CloudWatch dashboard API calls of cloudwatch_dashboard, one function each.

Each is retried on throttling (AWSRetry, plus ThrottlingException) and turns an API error into
AnsibleCloudWatchError, whose message names the action (amazon.aws's AWSErrorHandler).

CloudWatch names its errors differently depending on the protocol botocore speaks with it: the
query protocol gives the code (``ResourceNotFound``, ``InvalidParameterInput``), the JSON/CBOR
protocols may give the shape name (``DashboardNotFoundError``, ``DashboardInvalidInputError``).
Both are handled.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

#: the error codes of a dashboard that does not exist
NOT_FOUND_CODES = ["ResourceNotFound", "DashboardNotFoundError"]
#: the error codes PutDashboard answers an invalid body with
INVALID_INPUT_CODES = ["InvalidParameterInput", "DashboardInvalidInputError"]


class AnsibleCloudWatchError(AnsibleAWSError):
    pass


class CloudWatchErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleCloudWatchError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(NOT_FOUND_CODES)


def validation_messages_text(messages):
    """``[{"DataPath": str, "Message": str}]`` as one line: ``"/widgets/0/properties: Should ...; ..."``."""
    parts = []
    for item in messages or []:
        path = item.get("DataPath") or item.get("dataPath")
        message = item.get("Message") or item.get("message") or "no message"
        parts.append(f"{path}: {message}" if path else message)
    return "; ".join(parts)


@CloudWatchErrorHandler.list_error_handler("get the CloudWatch dashboard {name}", None)
@throttling_retry()
def get_dashboard(client, name):
    """GetDashboard.

    :return: ``{"DashboardName", "DashboardArn", "DashboardBody" (a JSON string)}``, or None when
        the dashboard does not exist.
    :raises AnsibleCloudWatchError: on any other API error.
    """
    response = client.get_dashboard(DashboardName=name)
    return {key: response[key] for key in ("DashboardName", "DashboardArn", "DashboardBody") if key in response}


@CloudWatchErrorHandler.common_error_handler("list the CloudWatch dashboards named {name}")
@throttling_retry()
def find_dashboard_entry(client, name):
    """ListDashboards with ``name`` as prefix, all pages: the entry of exactly ``name``.

    :return: ``{"DashboardName", "DashboardArn", "LastModified" (datetime), "Size" (bytes)}``, or
        None when no dashboard has that name.
    :raises AnsibleCloudWatchError: on an API error.
    """
    paginator = client.get_paginator("list_dashboards")
    for page in paginator.paginate(DashboardNamePrefix=name):
        for entry in page.get("DashboardEntries") or []:
            if entry.get("DashboardName") == name:
                return entry
    return None


@CloudWatchErrorHandler.common_error_handler("put the CloudWatch dashboard {name}")
@throttling_retry()
def put_dashboard(client, name, body):
    """PutDashboard (creates the dashboard or replaces its whole body).

    :param body: the dashboard body as a JSON string.
    :return: the validation messages of an accepted body (warnings: AWS accepted the body but
        some widgets may not render), ``[{"DataPath": str, "Message": str}]``.
    :raises AnsibleCloudWatchError: when AWS refuses the body (``InvalidParameterInput``), with
        a message that names ``dashboard_body`` and AWS's validation messages; on any other API
        error, ``Failed to put the CloudWatch dashboard <name>``.
    """
    try:
        response = client.put_dashboard(DashboardName=name, DashboardBody=body)
    except is_boto3_error_code(INVALID_INPUT_CODES) as e:
        details = validation_messages_text(e.response.get("dashboardValidationMessages"))
        message = f"CloudWatch refused the dashboard_body of the dashboard {name}"
        if details:
            message += f" ({details})"
        message += "; fix the widgets it names (see the Dashboard Body Structure reference) and run again"
        raise AnsibleCloudWatchError(message=message, exception=e) from e
    return response.get("DashboardValidationMessages") or []


@CloudWatchErrorHandler.deletion_error_handler("delete the CloudWatch dashboard {name}")
@throttling_retry()
def delete_dashboard(client, name):
    """DeleteDashboards for one name; True when deleted, False when it was already gone."""
    client.delete_dashboards(DashboardNames=[name])
    return True
