"""ecr_image_info against botocore's Stubber: DescribeImages answers ImageNotFoundException for
the whole call when one of the tags is missing (ECR API reference, Errors), and then each tag is
asked alone; a missing repository is RepositoryNotFoundException, named in the message."""

from datetime import datetime, timezone

import boto3
from botocore.stub import Stubber
from module_runner import consumed
from module_runner import run_main

from ansible_collections.medtech.aws_platform.plugins.modules import ecr_image_info

REPO = "medtech/api-gateway"
URI = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/medtech/api-gateway"
DIGEST = "sha256:" + "a" * 64
PUSHED = datetime(2026, 11, 30, 10, 15, 42, tzinfo=timezone.utc)


def client():
    return boto3.client("ecr", region_name="eu-central-1", aws_access_key_id="t", aws_secret_access_key="t")


def repository(stubber):
    stubber.add_response("describe_repositories",
                         {"repositories": [{"repositoryName": REPO, "repositoryUri": URI}]},
                         {"repositoryNames": [REPO]})


def image(tag):
    return {"registryId": "123456789012", "repositoryName": REPO, "imageDigest": DIGEST, "imageTags": [tag, "other"],
            "imagePushedAt": PUSHED, "imageSizeInBytes": 52428800}


def test_a_tag_that_exists_gives_its_image_and_uri():
    ecr = client()
    stubber = Stubber(ecr)
    repository(stubber)
    stubber.add_response("describe_images", {"imageDetails": [image("3f2c1e0")]},
                         {"repositoryName": REPO, "imageIds": [{"imageTag": "3f2c1e0"}]})
    with consumed(stubber):
        failed, result = run_main(ecr_image_info, {"repository_name": REPO, "image_tags": ["3f2c1e0"]}, ecr)
    assert not failed and result["changed"] is False
    assert result["missing_tags"] == []
    assert result["images"] == [{"image_digest": DIGEST, "image_tags": ["3f2c1e0", "other"],
                                 "image_pushed_at": "2026-11-30T10:15:42+00:00", "image_size_in_bytes": 52428800,
                                 "image_uri": URI + ":3f2c1e0"}]


def test_a_missing_tag_is_reported_by_name_not_as_a_failure():
    ecr = client()
    stubber = Stubber(ecr)
    repository(stubber)
    stubber.add_client_error("describe_images", "ImageNotFoundException",
                             "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the "
                             "repository with name 'medtech/api-gateway' in the registry with id '123456789012'",
                             expected_params={"repositoryName": REPO, "imageIds": [{"imageTag": "3f2c1e0"}, {"imageTag": "nope"}]})
    stubber.add_response("describe_images", {"imageDetails": [image("3f2c1e0")]},
                         {"repositoryName": REPO, "imageIds": [{"imageTag": "3f2c1e0"}]})
    stubber.add_client_error("describe_images", "ImageNotFoundException", "not found",
                             expected_params={"repositoryName": REPO, "imageIds": [{"imageTag": "nope"}]})
    with consumed(stubber):
        failed, result = run_main(ecr_image_info, {"repository_name": REPO, "image_tags": ["3f2c1e0", "nope"]}, ecr)
    assert not failed
    assert result["missing_tags"] == ["nope"]
    assert [i["image_uri"] for i in result["images"]] == [URI + ":3f2c1e0"]


def test_a_missing_repository_fails_naming_it():
    ecr = client()
    stubber = Stubber(ecr)
    stubber.add_client_error("describe_repositories", "RepositoryNotFoundException",
                             "The repository with name 'medtech/api-gateway' does not exist in the registry with id "
                             "'123456789012'", expected_params={"repositoryNames": [REPO]})
    with consumed(stubber):
        failed, result = run_main(ecr_image_info, {"repository_name": REPO, "image_tags": ["x"]}, ecr)
    assert failed
    assert "medtech/api-gateway does not exist" in result["msg"] and "ecs role" in result["msg"]


def test_an_empty_tag_fails_before_any_call():
    ecr = client()
    with consumed(Stubber(ecr)):
        failed, result = run_main(ecr_image_info, {"repository_name": REPO, "image_tags": [""]}, ecr)
    assert failed and "image_tags" in result["msg"]
