# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS CodePipeline API calls of the codepipeline module, one function each.

Each is retried on throttling (AWSRetry, plus ``ThrottlingException``) and turns an API error
into AnsibleCodePipelineError, whose message names the action (amazon.aws's AWSErrorHandler).
``PipelineNotFoundException`` (and ``ResourceNotFoundException`` of the tag calls) counts as
"missing": ``get_pipeline`` then returns None and ``delete_pipeline`` False.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

#: GetPipeline(version=N) right after UpdatePipeline may not see version N yet; read it again
#: this often (short waits: the new version shows within seconds).
VERSION_READ_RETRIES = 5


class AnsibleCodePipelineError(AnsibleAWSError):
    pass


class CodePipelineErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleCodePipelineError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["PipelineNotFoundException", "ResourceNotFoundException"])


def codepipeline_tags(tags):
    """A tag dict as CodePipeline wants it (``[{"key", "value"}]``), values as strings, sorted."""
    return ansible_dict_to_boto3_tag_list({key: str(tags[key]) for key in sorted(tags)}, "key", "value")


@CodePipelineErrorHandler.list_error_handler("read the pipeline {name}")
@throttling_retry()
def get_pipeline(client, name):
    """GetPipeline (latest version): ``{"pipeline": ..., "metadata": ...}``, or None when the
    pipeline does not exist (PipelineNotFoundException)."""
    response = client.get_pipeline(name=name)
    return {"pipeline": response["pipeline"], "metadata": response.get("metadata") or {}}


@CodePipelineErrorHandler.common_error_handler("read version {version} of the pipeline {name}")
@AWSRetry.jittered_backoff(
    retries=VERSION_READ_RETRIES,
    delay=1,
    max_delay=4,
    catch_extra_error_codes=["ThrottlingException", "PipelineVersionNotFoundException"],
)
def get_pipeline_version(client, name, version):
    """GetPipeline of one version (the read after UpdatePipeline), retried while AWS answers
    PipelineVersionNotFoundException (the version is not visible yet)."""
    response = client.get_pipeline(name=name, version=version)
    return {"pipeline": response["pipeline"], "metadata": response.get("metadata") or {}}


@CodePipelineErrorHandler.common_error_handler("create the pipeline {name}")
@throttling_retry()
def create_pipeline(client, name, pipeline, tags):
    """CreatePipeline with the PipelineDeclaration ``pipeline`` and ``tags`` (dict)."""
    params = {"pipeline": pipeline}
    if tags:
        params["tags"] = codepipeline_tags(tags)
    return client.create_pipeline(**params)["pipeline"]


@CodePipelineErrorHandler.common_error_handler("update the pipeline {name}")
@throttling_retry()
def update_pipeline(client, name, pipeline):
    """UpdatePipeline with the PipelineDeclaration ``pipeline``; return the new declaration
    (its ``version`` is the new version)."""
    return client.update_pipeline(pipeline=pipeline)["pipeline"]


@CodePipelineErrorHandler.deletion_error_handler("delete the pipeline {name}")
@throttling_retry()
def delete_pipeline(client, name):
    """DeletePipeline; True, or False when it was already gone."""
    client.delete_pipeline(name=name)
    return True


@CodePipelineErrorHandler.list_error_handler("list the tags of the pipeline {arn}", default_value={})
@throttling_retry()
def list_tags(client, arn):
    """ListTagsForResource (paginated): the tags as a dict."""
    paginator = client.get_paginator("list_tags_for_resource")
    tags = []
    for page in paginator.paginate(resourceArn=arn):
        tags.extend(page.get("tags") or [])
    return boto3_tag_list_to_ansible_dict(tags, "key", "value")


@CodePipelineErrorHandler.common_error_handler("tag the pipeline {arn}")
@throttling_retry()
def tag_resource(client, arn, tags):
    """TagResource; ``tags`` is a dict."""
    client.tag_resource(resourceArn=arn, tags=codepipeline_tags(tags))
    return True


@CodePipelineErrorHandler.common_error_handler("remove tags from the pipeline {arn}")
@throttling_retry()
def untag_resource(client, arn, tag_keys):
    """UntagResource; ``tag_keys`` is a list of keys."""
    client.untag_resource(resourceArn=arn, tagKeys=list(tag_keys))
    return True
