# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ECR reads for the deploy playbook (module ecr_image_info)."""

try:
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore to the user.

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

# DescribeImages takes at most 100 image ids per call.
PAGE = 100


@throttling_retry()
def _describe_images(client, **params):
    return client.describe_images(**params)


@throttling_retry()
def _describe_repositories(client, **params):
    return client.describe_repositories(**params)


def _describe_tag(client, repository_name, registry_id, tag):
    """One tag: its image, or None when the repository has no such tag."""
    params = {"repositoryName": repository_name, "imageIds": [{"imageTag": tag}]}
    if registry_id:
        params["registryId"] = registry_id
    try:
        return _describe_images(client, **params)["imageDetails"][0]
    except is_boto3_error_code("ImageNotFoundException"):
        return None


def find_images_by_tag(client, repository_name, tags, registry_id=None):
    """Which of ``tags`` the repository has, and their images.

    :param client: a boto3 ECR client.
    :param repository_name: e.g. ``medtech/api-gateway``.
    :param tags: list of image tags (str).
    :param registry_id: the registry's account id, or None for the caller's.
    :return: dict ``{"images": [{image_digest, image_tags, image_pushed_at (ISO 8601),
        image_size_in_bytes (bytes), image_uri}], "missing_tags": [str], "repository_uri": str}``.
    :raises AnsibleAWSError: when the repository does not exist (RepositoryNotFoundException,
        named in the message) or ECR answers another error.

    Calls ``ecr:DescribeRepositories`` (the URI; a missing repository) and ``ecr:DescribeImages`` with all tags at once (100 per call); AWS answers
    ``ImageNotFoundException`` for the whole call when one tag is missing, and then each tag is
    asked alone to tell which.
    """
    params = {"repositoryName": repository_name}
    if registry_id:
        params["registryId"] = registry_id
    details = []
    missing = []
    try:
        repository_uri = _describe_repositories(
            client, repositoryNames=[repository_name], **({"registryId": registry_id} if registry_id else {})
        )["repositories"][0]["repositoryUri"]
        for start in range(0, len(tags), PAGE):
            page = tags[start:start + PAGE]
            try:
                details.extend(_describe_images(client, imageIds=[{"imageTag": t} for t in page], **params)["imageDetails"])
            except is_boto3_error_code("ImageNotFoundException"):
                for tag in page:
                    found = _describe_tag(client, repository_name, registry_id, tag)
                    if found is None:
                        missing.append(tag)
                    else:
                        details.append(found)
    except is_boto3_error_code("RepositoryNotFoundException") as e:
        raise AnsibleAWSError(
            message=f"The ECR repository {repository_name} does not exist: converge the ecs role first "
                    "(it creates one repository per service).",
            exception=e,
        )
    except ClientError as e:  # pylint: disable=duplicate-except
        raise AnsibleAWSError(message=f"Could not describe the images of {repository_name}", exception=e)
    images = {}
    for detail in details:
        digest = detail["imageDigest"]
        if digest in images:
            continue
        image_tags = detail.get("imageTags", [])
        tag = next((t for t in tags if t in image_tags), image_tags[0] if image_tags else "")
        pushed = detail.get("imagePushedAt")
        images[digest] = {
            "image_digest": digest,
            "image_tags": image_tags,
            "image_pushed_at": pushed.isoformat() if hasattr(pushed, "isoformat") else pushed,
            "image_size_in_bytes": detail.get("imageSizeInBytes"),
            "image_uri": f"{repository_uri}:{tag}" if tag else f"{repository_uri}@{digest}",
        }
    return {"images": list(images.values()), "missing_tags": missing, "repository_uri": repository_uri}
