# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real codedeploy_application module, run by ``ansible``, against the emulator.

moto (5.2.5) has no DeleteApplication, so deleting is tested with the Stubber only
(tests/unit/plugins/modules/test_codedeploy_application_stubbed.py), as are AWS's error answers.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.codedeploy_application"
REGION = "eu-central-1"
NAME = "medtech-prod-api"
ARGS = {"name": NAME, "compute_platform": "ECS", "tags": {"environment": "prod", "managed-by": "ansible"}}


@pytest.fixture()
def run_module(ansible_module):
    def _run(args: dict, check: bool = False) -> dict:
        result = ansible_module(MODULE, dict(args, region=REGION), check=check)
        assert not result.get("failed"), result
        return result

    return _run


@pytest.fixture()
def codedeploy(aws):
    return aws.client("codedeploy", REGION)


def application(codedeploy):
    try:
        return codedeploy.get_application(applicationName=NAME)["application"]
    except codedeploy.exceptions.ApplicationDoesNotExistException:
        return None


def tags(codedeploy, arn):
    return {tag["Key"]: tag["Value"] for tag in codedeploy.list_tags_for_resource(ResourceArn=arn)["Tags"]}


def test_create_check_mode_then_real_then_no_change(run_module, codedeploy):
    result = run_module(ARGS, check=True)
    assert result["changed"] is True
    assert result["diff"] == {"before": {}, "after": {"application_name": NAME, "compute_platform": "ECS", "tags": ARGS["tags"]}}
    assert application(codedeploy) is None  # check mode created nothing

    result = run_module(ARGS)
    assert result["changed"] is True
    created = application(codedeploy)
    assert created["computePlatform"] == "ECS"
    returned = result["application"]
    assert returned["application_id"] == created["applicationId"]
    assert returned["arn"] == f"arn:aws:codedeploy:{REGION}:123456789012:application:{NAME}"
    assert tags(codedeploy, returned["arn"]) == ARGS["tags"]
    assert returned["tags"] == ARGS["tags"]

    for check in (True, False):
        again = run_module(ARGS, check=check)
        assert again["changed"] is False
        assert again["diff"]["before"] == again["diff"]["after"]
        assert again["application"]["application_id"] == created["applicationId"]


def test_tags_change_and_purge(run_module, codedeploy):
    arn = run_module(ARGS)["application"]["arn"]

    result = run_module(dict(ARGS, tags={"owner": "platform"}, purge_tags=False), check=True)
    assert result["changed"] is True
    assert result["diff"]["after"]["tags"] == dict(ARGS["tags"], owner="platform")
    assert tags(codedeploy, arn) == ARGS["tags"]

    result = run_module(dict(ARGS, tags={"owner": "platform"}, purge_tags=False))
    assert result["changed"] is True
    assert tags(codedeploy, arn) == dict(ARGS["tags"], owner="platform")

    result = run_module(dict(ARGS, tags={"environment": "prod"}))
    assert result["changed"] is True
    assert tags(codedeploy, arn) == {"environment": "prod"}
    assert result["application"]["tags"] == {"environment": "prod"}
    assert run_module(dict(ARGS, tags={"environment": "prod"}))["changed"] is False

    # tags not set: left alone
    assert run_module({"name": NAME})["changed"] is False
    assert tags(codedeploy, arn) == {"environment": "prod"}


def test_other_compute_platform_fails_before_writing(ansible_module, codedeploy):
    ansible_module(MODULE, dict(ARGS, region=REGION))
    result = ansible_module(MODULE, dict(ARGS, compute_platform="Server", tags={}, region=REGION))
    assert result.get("failed") is True
    assert "has the compute platform ECS, not Server" in result["msg"]
    assert "compute_platform: ECS" in result["msg"]
    arn = f"arn:aws:codedeploy:{REGION}:123456789012:application:{NAME}"
    assert tags(codedeploy, arn) == ARGS["tags"]  # tags={} would have purged them
    assert application(codedeploy)["computePlatform"] == "ECS"


def test_absent_when_missing_is_no_change(run_module, codedeploy):
    result = run_module({"name": NAME, "state": "absent"})
    assert result["changed"] is False
    assert result["application"] == {}
