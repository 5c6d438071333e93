# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: secretsmanager_secret_info against the emulator: metadata, never a value."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.secretsmanager_secret_info"
REGION = "eu-central-1"
VALUE = json.dumps({"username": "medtech_app", "password": "s3cr3t-Value-never-shown"})


def test_existing_secret_gives_full_arn_tags_and_value_state_without_value(aws, ansible_module):
    sm = aws.client("secretsmanager", REGION)
    created = sm.create_secret(Name="prod/rds/app", SecretString=VALUE, Tags=[{"Key": "Environment", "Value": "prod"}])
    sm.create_secret(Name="prod/external/stripe")

    result = ansible_module(MODULE, {"name": "prod/rds/app", "region": REGION})

    assert result["changed"] is False
    assert result["exists"] is True
    assert result["secret"]["arn"] == created["ARN"]
    assert result["secret"]["name"] == "prod/rds/app"
    assert result["secret"]["tags"] == {"Environment": "prod"}
    assert result["secret"]["value_state"] == "set"
    assert "s3cr3t-Value-never-shown" not in json.dumps(result)
    assert "version_ids_to_stages" not in result["secret"]

    empty = ansible_module(MODULE, {"name": "prod/external/stripe", "region": REGION})
    assert empty["secret"]["value_state"] == "missing"


def test_missing_secret_is_not_an_error(aws, ansible_module):
    result = ansible_module(MODULE, {"name": "prod/rds/none", "region": REGION}, check=True)

    assert result.get("failed") is not True
    assert result["exists"] is False
    assert result["secret"] == {}
