"""Unit tests for plugins/module_utils/secrets.py: the secrets role's validation."""

import copy

import pytest
import yaml

from conftest import REPO_ROOT

from ansible_collections.medtech.aws_platform.plugins.module_utils.secrets import secrets_errors

SECRETS = [
    {"name": "prod/rds/admin", "description": "admin", "database_user": {"username": "medtech_admin", "dbname": "postgres"},
     "rotation": "single_user"},
    {"name": "prod/rds/app", "description": "app", "database_user": {"username": "medtech_app", "dbname": "medtech"},
     "rotation": "alternating_users"},
    {"name": "prod/api/jwt-secret", "description": "jwt", "generate": {"length": 64, "exclude_punctuation": True}},
    {"name": "prod/external/stripe", "description": "stripe"},
]


def errors(**overrides):
    config = {"state": "present", "region": "eu-central-1", "dr_region": "eu-west-1",
              "kms_key_alias": "alias/medtech-prod-platform", "secrets": copy.deepcopy(SECRETS),
              "recovery_window_days": 30, "rotation_interval_days": 30, "confirm_delete": ""}
    config.update(overrides)
    return secrets_errors(config)


def with_secret(index, **changes):
    secrets = copy.deepcopy(SECRETS)
    secrets[index].update(changes)
    for key, value in changes.items():
        if value is None:
            del secrets[index][key]
    return secrets


def test_the_documented_secrets_are_valid():
    assert errors() == []


def test_the_inventory_secrets_are_valid():
    """The production inventory's secrets, as written (names rendered for prod)."""
    platform = yaml.safe_load((REPO_ROOT / "inventories/production/group_vars/all/platform.yml").read_text())
    rendered = yaml.safe_dump(platform["secrets_secrets"]).replace("{{ platform_environment }}", "prod")
    secrets = yaml.safe_load(rendered.replace("{{ rds_db_name }}", platform["rds_db_name"]))
    assert [s["name"] for s in secrets] == ["prod/rds/admin", "prod/rds/app", "prod/api/jwt-secret", "prod/external/stripe"]
    assert errors(secrets=secrets, rotation_interval_days=platform["secrets_rotation_interval_days"]) == []


@pytest.mark.parametrize("days", [0, 366, -1, "30", True, None, 3.5])
def test_rotation_interval_outside_1_to_365_days(days):
    assert errors(rotation_interval_days=days) == [
        f"secrets_rotation_interval_days is {days!r}: set a number of days from 1 to 365 (DOC 5: 30)."
    ]


@pytest.mark.parametrize("days", [1, 365])
def test_rotation_interval_bounds(days):
    assert errors(rotation_interval_days=days) == []


@pytest.mark.parametrize("days", [0, 6, 31, None])
def test_recovery_window_outside_7_to_30_days(days):
    assert len(errors(recovery_window_days=days)) == 1
    assert errors(recovery_window_days=days)[0].startswith(f"secrets_recovery_window_days is {days!r}")
    # also checked when deleting
    assert errors(state="absent", recovery_window_days=days, rotation_interval_days=0)[0].startswith(
        "secrets_recovery_window_days")


@pytest.mark.parametrize("region, dr_region, message", [
    ("", "eu-west-1", "secrets_region (aws_region) is ''"),
    ("Frankfurt", "eu-west-1", "secrets_region (aws_region) is 'Frankfurt'"),
    ("eu-central-1", "eu-central-1", "secrets_dr_region (aws_dr_region) is the platform region eu-central-1"),
    ("eu-central-1", "ireland", "secrets_dr_region (aws_dr_region) is 'ireland'"),
])
def test_regions(region, dr_region, message):
    found = errors(region=region, dr_region=dr_region)
    assert len(found) == 1 and found[0].startswith(message), found


def test_no_dr_region_means_no_replicas():
    assert errors(dr_region="") == []


@pytest.mark.parametrize("alias", ["medtech-prod-platform", "alias/aws/secretsmanager", "", None, "alias/has space"])
def test_kms_alias(alias):
    found = errors(kms_key_alias=alias)
    assert len(found) == 1 and found[0].startswith(f"secrets_kms_key_alias is {alias!r}"), found


@pytest.mark.parametrize("secrets, message", [
    (with_secret(0, name="arn:aws:secretsmanager:x"), "secrets_secrets[0] (arn:aws:secretsmanager:x): name"),
    (with_secret(1, name="prod/rds/admin"), "secrets_secrets[1] (prod/rds/admin): the name prod/rds/admin is listed twice"),
    (with_secret(2, value="s3cr3t"), "secrets_secrets[2] (prod/api/jwt-secret) has unknown keys value"),
    (with_secret(2, database_user={"username": "u", "dbname": "d"}), "secrets_secrets[2] (prod/api/jwt-secret) has both"),
    (with_secret(2, generate={"length": 8}), "secrets_secrets[2] (prod/api/jwt-secret): generate.length is 8"),
    (with_secret(2, generate={"lenght": 64}), "secrets_secrets[2] (prod/api/jwt-secret): generate has unknown keys lenght"),
    (with_secret(1, database_user={"username": "1app", "dbname": "medtech"}), "secrets_secrets[1] (prod/rds/app): database_user.username '1app'"),
    (with_secret(1, database_user={"username": "a" * 58, "dbname": "medtech"}), "secrets_secrets[1] (prod/rds/app): database_user.username"),
    (with_secret(1, database_user={"username": "app", "dbname": "my-db"}), "secrets_secrets[1] (prod/rds/app): database_user.dbname 'my-db'"),
    (with_secret(3, rotation="single_user"), "secrets_secrets[3] (prod/external/stripe): rotation needs database_user"),
    (with_secret(1, rotation="daily"), "secrets_secrets[1] (prod/rds/app): rotation 'daily' is not known"),
    (with_secret(0, rotation=None), "secrets_secrets: alternating_users rotation needs exactly one secret with rotation single_user"),
    ("prod/rds/admin", "secrets_secrets is str"),
])
def test_bad_secrets(secrets, message):
    found = errors(secrets=secrets)
    assert any(m.startswith(message) for m in found), found


def test_every_problem_is_reported_at_once():
    found = errors(region="", rotation_interval_days=0, secrets=with_secret(2, generate={"length": 1}))
    assert len(found) == 3
