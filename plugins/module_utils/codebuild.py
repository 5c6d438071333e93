# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS CodeBuild API calls of the codebuild_project module, one function each.

Each is retried on throttling (AWSRetry, plus ``ThrottlingException``) and turns an API error
into AnsibleCodeBuildError, whose message names the action (amazon.aws's AWSErrorHandler).
CodeBuild has no TagResource / UntagResource: a project's tags are set by CreateProject and
replaced as a whole by UpdateProject's ``tags``.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry


class AnsibleCodeBuildError(AnsibleAWSError):
    pass


class CodeBuildErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleCodeBuildError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


def codebuild_tags(tags):
    """A tag dict as CodeBuild wants it (``[{"key", "value"}]``), values as strings, sorted."""
    return ansible_dict_to_boto3_tag_list({key: str(tags[key]) for key in sorted(tags)}, "key", "value")


def project_tags(project):
    """The tags of a project (as BatchGetProjects returns it) as a dict."""
    return boto3_tag_list_to_ansible_dict(project.get("tags") or [], "key", "value")


@CodeBuildErrorHandler.common_error_handler("read the CodeBuild project {name}")
@throttling_retry()
def get_project(client, name):
    """BatchGetProjects of one name: the Project (camelCase, as AWS returns it), or None when
    AWS lists the name under ``projectsNotFound``."""
    response = client.batch_get_projects(names=[name])
    for project in response.get("projects") or []:
        if project.get("name") == name:
            return project
    return None


@CodeBuildErrorHandler.common_error_handler("create the CodeBuild project {name}")
@throttling_retry()
def create_project(client, name, settings):
    """CreateProject; ``settings`` are the request members besides ``name`` (camelCase, ``tags``
    already a list). Returns the new Project."""
    return client.create_project(name=name, **settings)["project"]


@CodeBuildErrorHandler.common_error_handler("update the CodeBuild project {name}")
@throttling_retry()
def update_project(client, name, changes):
    """UpdateProject with only the members in ``changes`` (AWS leaves the others as they are;
    a member that is sent replaces the project's whole member). Returns the updated Project."""
    return client.update_project(name=name, **changes)["project"]


@CodeBuildErrorHandler.deletion_error_handler("delete the CodeBuild project {name}")
@throttling_retry()
def delete_project(client, name):
    """DeleteProject; True (False when it was already gone)."""
    client.delete_project(name=name)
    return True
