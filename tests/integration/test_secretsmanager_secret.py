# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real secretsmanager_secret module, run by ``ansible``, against the emulator.

Each call is ``ansible localhost -m medtech.aws_platform.secretsmanager_secret -a '<json>'`` with
the repo's ansible.cfg, the emulator's endpoint and fake credentials in the environment, and the
ansible.posix.json stdout callback so the module result can be read. What the module did is then
read back from the emulator with boto3 (the tests read values with GetSecretValue; the module
does so only for managed_json_fields).

Where moto does not answer as AWS does, the Stubber unit tests cover the path instead
(tests/unit/plugins/modules/test_secretsmanager_secret_stubbed.py):

* moto ignores the KMS key of a replica and reports every replica with
  ``alias/aws/secretsmanager``, so replicas here are created without ``kms_key_id``; replica keys,
  their comparison and the remove-and-replicate-again path are Stubber tests;
* KMS key resolution (alias vs key ARN) and AWS's error answers are Stubber tests;
* moto's RotateSecret ignores ``ScheduleExpression`` and, with ``RotateImmediately=false``, leaves
  an AWSPENDING version behind (AWS removes it after testSecret), so schedules and a rotation in
  progress are Stubber tests. Rotation here needs moto's Lambda without Docker (``lambda:
  use_docker: false``: invoking a function does nothing and succeeds); the ``lambda_without_docker``
  fixture sets it through ``/moto-api/config`` (scripts/moto_server.py may set it already).
"""

from __future__ import annotations

import io
import json
import subprocess
import urllib.request
import zipfile

import pytest

from conftest import REPO_ROOT, VENV_BIN, ansible_env

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.secretsmanager_secret"
REGION = "eu-central-1"
DR_REGION = "eu-west-1"


@pytest.fixture()
def run_module(ansible_module):
    """Run secretsmanager_secret once through ``ansible``; return the host's result dict."""

    def _run(args: dict, check: bool = False) -> dict:
        return ansible_module(MODULE, dict(args, region=REGION), check=check)

    return _run


@pytest.fixture()
def sm(aws):
    return aws.client("secretsmanager", REGION)


@pytest.fixture()
def platform_key(aws):
    """A customer managed key with the alias alias/medtech-test in the secret's region."""
    kms = aws.client("kms", REGION)
    key_id = kms.create_key(Description="medtech test")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/medtech-test", TargetKeyId=key_id)
    return "alias/medtech-test"


def describe(sm, name, region_client=None):
    return (region_client or sm).describe_secret(SecretId=name)


def current_value(sm, name):
    return sm.get_secret_value(SecretId=name)["SecretString"]


def warnings_of(result):
    return " | ".join(result.get("warnings") or [])


# --- create, second run, check mode -------------------------------------------------------------
def test_generated_json_value_created_once_then_kept(run_module, sm, platform_key):
    name = "prod/rds/admin"
    args = {
        "name": name,
        "description": "Master credentials",
        "kms_key_id": platform_key,
        "generate_initial_value": {
            "length": 32,
            "exclude_characters": "/@\"' ",
            "json_key": "password",
            "json_fields": {"username": "medtech_admin", "engine": "postgres", "port": 5432},
        },
        "tags": {"environment": "test", "managed-by": "ansible"},
    }

    result = run_module(args, check=True)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["value_state"] == "created"
    assert result["diff"]["before"] == {}
    assert sm.list_secrets()["SecretList"] == []  # check mode created nothing

    result = run_module(args)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["value_state"] == "created"
    secret = describe(sm, name)
    assert secret["Description"] == "Master credentials"
    assert secret["KmsKeyId"] == platform_key
    assert {t["Key"]: t["Value"] for t in secret["Tags"]} == {"environment": "test", "managed-by": "ansible"}
    assert result["secret"]["arn"] == secret["ARN"]
    value = json.loads(current_value(sm, name))
    assert value["username"] == "medtech_admin"
    assert value["engine"] == "postgres"
    assert value["port"] == 5432
    assert len(value["password"]) == 32
    assert not set("/@\"' ") & set(value["password"])
    assert value["password"] not in json.dumps(result)  # the generated value is never returned

    result = run_module(args)
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert result["value_state"] == "kept"
    assert "already has a value, which was kept" in warnings_of(result)
    assert json.loads(current_value(sm, name)) == value  # not regenerated
    assert result["diff"]["before"] == result["diff"]["after"]

    result = run_module(args, check=True)
    assert result["changed"] is False
    assert result["value_state"] == "kept"


def test_value_set_by_hand_is_never_overwritten(run_module, sm):
    name = "prod/api/jwt-secret"
    assert run_module({"name": name, "initial_value": "first-value-from-ansible"})["value_state"] == "created"
    assert current_value(sm, name) == "first-value-from-ansible"

    sm.put_secret_value(SecretId=name, SecretString="value-put-in-by-a-person")
    versions_before = describe(sm, name)["VersionIdsToStages"]

    for args in (
        {"name": name, "initial_value": "another-value-from-ansible"},
        {"name": name, "generate_initial_value": {"length": 40}},
        {"name": name, "initial_value_json": {"k": "v"}},
    ):
        result = run_module(args)
        assert not result.get("failed"), result
        assert result["changed"] is False
        assert result["value_state"] == "kept"
        assert f"Secret {name} already has a value, which was kept" in warnings_of(result)

    assert current_value(sm, name) == "value-put-in-by-a-person"
    assert describe(sm, name)["VersionIdsToStages"] == versions_before  # no new version at all


# --- no value -----------------------------------------------------------------------------------
def test_the_warning_reaches_the_result_also_after_the_controller_was_imported(run_module, monkeypatch):
    """The in-process module run (conftest.module_runner) runs the module as on a host, also in a test
    worker where Ansible's controller side is already imported (there a module's warning would
    go to the controller's display, and the result would have none: the last CI run's failures)."""
    from ansible.module_utils import _internal  # pylint: disable=import-outside-toplevel

    # what importing ansible._internal does, without leaving it set for the worker's later tests
    monkeypatch.setattr(_internal, "is_controller", True)
    result = run_module({"name": "prod/external/stripe", "description": "Stripe API keys"})
    assert "has no value: put it in" in warnings_of(result)
    assert _internal.is_controller is True  # put back after the run


def test_secret_without_value_until_a_person_puts_it_in(run_module, sm):
    name = "prod/external/stripe"
    args = {"name": name, "description": "Stripe API keys"}

    result = run_module(args)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["value_state"] == "missing"
    assert "has no value: put it in" in warnings_of(result)
    assert "put-secret-value" in warnings_of(result)
    assert "VersionIdsToStages" not in describe(sm, name)  # created without any version

    result = run_module(args)
    assert result["changed"] is False
    assert result["value_state"] == "missing"
    assert "has no value" in warnings_of(result)

    sm.put_secret_value(SecretId=name, SecretString=json.dumps({"secret_key": "sk_live_by_hand"}))
    result = run_module(args)
    assert result["changed"] is False
    assert result["value_state"] == "kept"
    assert not result.get("warnings")
    assert json.loads(current_value(sm, name)) == {"secret_key": "sk_live_by_hand"}


def test_existing_secret_without_value_gets_the_initial_value(run_module, sm):
    name = "prod/rds/app"
    sm.create_secret(Name=name)  # made elsewhere, empty

    result = run_module({"name": name, "initial_value_json": {"username": "app", "password": "first"}}, check=True)
    assert result["changed"] is True
    assert result["value_state"] == "created"
    assert "VersionIdsToStages" not in describe(sm, name)

    result = run_module({"name": name, "initial_value_json": {"username": "app", "password": "first"}})
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["value_state"] == "created"
    assert result["diff"]["before"]["value_state"] == "missing"
    assert result["diff"]["after"]["value_state"] == "set"
    assert json.loads(current_value(sm, name)) == {"username": "app", "password": "first"}

    result = run_module({"name": name, "initial_value_json": {"username": "app", "password": "second"}})
    assert result["changed"] is False
    assert result["value_state"] == "kept"
    assert json.loads(current_value(sm, name))["password"] == "first"


# --- metadata -----------------------------------------------------------------------------------
def test_description_kms_key_and_tags_change(run_module, sm, aws, platform_key):
    name = "prod/api/jwt-secret"
    assert run_module({"name": name, "description": "old", "tags": {"environment": "test", "old": "x"}})["changed"]
    kms = aws.client("kms", REGION)
    other_key = kms.create_key(Description="other")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/medtech-other", TargetKeyId=other_key)
    args = {
        "name": name,
        "description": "JWT signing key",
        "kms_key_id": "alias/medtech-other",
        "tags": {"environment": "prod", "cost-centre": "platform"},
    }

    result = run_module(args, check=True)
    assert result["changed"] is True
    assert result["diff"]["after"]["description"] == "JWT signing key"
    assert result["diff"]["after"]["kms_key_id"] == "alias/medtech-other"
    assert describe(sm, name)["Description"] == "old"  # check mode changed nothing

    result = run_module(args)
    assert not result.get("failed"), result
    assert result["changed"] is True
    secret = describe(sm, name)
    assert secret["Description"] == "JWT signing key"
    assert secret["KmsKeyId"] == "alias/medtech-other"
    assert {t["Key"]: t["Value"] for t in secret["Tags"]} == {"environment": "prod", "cost-centre": "platform"}
    assert result["diff"]["before"]["tags"] == {"environment": "test", "old": "x"}

    assert run_module(args)["changed"] is False
    assert run_module({"name": name})["changed"] is False  # unset options are left alone
    assert describe(sm, name)["Description"] == "JWT signing key"


# --- replication --------------------------------------------------------------------------------
def test_replica_to_eu_west_1(run_module, ansible_module, sm, aws):
    name = "prod/external/stripe"
    dr = aws.client("secretsmanager", DR_REGION)
    args = {"name": name, "replica_regions": [{"region": DR_REGION}]}

    result = run_module(args, check=True)
    assert result["changed"] is True
    assert result["diff"]["after"]["replica_regions"] == [
        {"region": DR_REGION, "kms_key_id": "alias/aws/secretsmanager"}
    ]

    result = run_module(args)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert [r["Region"] for r in describe(sm, name)["ReplicationStatus"]] == [DR_REGION]
    assert describe(sm, name, dr)["PrimaryRegion"] == REGION
    assert run_module(args)["changed"] is False

    # replication added to an existing secret, after the fact
    other = "prod/api/jwt-secret"
    assert run_module({"name": other, "initial_value": "jwt"})["changed"] is True
    assert run_module({"name": other, "replica_regions": [{"region": DR_REGION}]})["changed"] is True
    assert [r["Region"] for r in describe(sm, other)["ReplicationStatus"]] == [DR_REGION]
    assert current_value(dr, other) == "jwt"

    # the replica is not the place to manage the secret
    result = ansible_module(MODULE, {"name": name, "region": DR_REGION})
    assert result.get("failed") is True, result
    assert f"is a replica of the secret in {REGION}" in result["msg"]

    # purge
    result = run_module({"name": name, "replica_regions": []})
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert not describe(sm, name).get("ReplicationStatus")
    assert run_module({"name": name, "replica_regions": []})["changed"] is False


# --- delete and restore -------------------------------------------------------------------------
def test_delete_with_recovery_window_then_restore(run_module, sm):
    name = "prod/external/stripe"
    assert run_module({"name": name, "initial_value": "sk_test"})["changed"] is True
    absent = {"name": name, "state": "absent", "recovery_window_in_days": 7}

    result = run_module(absent, check=True)
    assert result["changed"] is True
    assert "DeletedDate" not in describe(sm, name)

    result = run_module(absent)
    assert not result.get("failed"), result
    assert result["changed"] is True
    secret = describe(sm, name)
    window = secret["DeletedDate"] - secret["LastChangedDate"]
    assert 6 <= window.days <= 7  # scheduled, not deleted at once
    assert result["secret"]["deleted_date"]
    assert result["diff"]["after"] == {}

    result = run_module(absent)
    assert result["changed"] is False  # already scheduled

    result = run_module({"name": name}, check=True)
    assert result["changed"] is True
    assert result["restored"] is True
    assert "DeletedDate" in describe(sm, name)

    result = run_module({"name": name, "initial_value": "another"})
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["restored"] is True
    assert f"Secret {name} was scheduled for deletion; restored it" in warnings_of(result)
    assert result["value_state"] == "kept"
    assert "DeletedDate" not in describe(sm, name)
    assert current_value(sm, name) == "sk_test"

    assert run_module({"name": name})["changed"] is False


def test_delete_of_a_replicated_secret_removes_the_replica_first(run_module, sm):
    name = "prod/rds/admin"
    assert run_module({"name": name, "replica_regions": [{"region": DR_REGION}]})["changed"] is True

    result = run_module({"name": name, "state": "absent"})
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert "removed its replicas in eu-west-1" in warnings_of(result)
    secret = describe(sm, name)
    assert "DeletedDate" in secret
    assert not secret.get("ReplicationStatus")


def test_absent_when_there_is_no_secret(run_module):
    result = run_module({"name": "prod/nothing", "state": "absent"})
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert result["secret"] == {}


def test_invalid_options_fail_before_any_change(run_module, sm):
    result = run_module({"name": "prod/x", "state": "absent", "recovery_window_in_days": 0})
    assert result.get("failed") is True
    assert "recovery_window_in_days is 0: set it to a number of days from 7 to 30" in result["msg"]

    result = run_module({"name": "prod/x", "generate_initial_value": {"length": 5000}})
    assert result.get("failed") is True
    assert "generate_initial_value.length is 5000" in result["msg"]
    assert sm.list_secrets()["SecretList"] == []


# --- managed_json_fields --------------------------------------------------------------------------
def test_managed_json_fields_merged_keeping_the_password(run_module, sm):
    name = "prod/rds/admin"
    password = "CANARY-rds-password-5e0d-must-stay"
    first = {"engine": "postgres", "username": "medtech_admin", "password": password, "host": "pending"}
    sm.create_secret(Name=name, SecretString=json.dumps(first))
    first_version = [v for v, stages in describe(sm, name)["VersionIdsToStages"].items() if "AWSCURRENT" in stages]
    managed = {"host": "medtech-prod.abc123.eu-central-1.rds.amazonaws.com", "port": 5432, "dbname": "medtech"}
    args = {"name": name, "managed_json_fields": managed}

    result = run_module(args, check=True)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["json_fields_changed"] == ["dbname", "host", "port"]
    assert json.loads(current_value(sm, name)) == first  # check mode put nothing

    result = run_module(args)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["value_state"] == "kept"
    assert result["json_fields_changed"] == ["dbname", "host", "port"]
    assert result["diff"]["before"]["managed_json_fields"] == {"host": "pending"}
    assert result["diff"]["after"]["managed_json_fields"] == managed
    assert password not in json.dumps(result)
    assert json.loads(current_value(sm, name)) == dict(first, **managed)  # every other key kept
    versions = describe(sm, name)["VersionIdsToStages"]
    assert versions[first_version[0]] == ["AWSPREVIOUS"]
    assert len([v for v, stages in versions.items() if "AWSCURRENT" in stages]) == 1

    result = run_module(args)
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert result["json_fields_changed"] == []
    assert describe(sm, name)["VersionIdsToStages"] == versions  # no new version

    result = run_module({"name": name, "managed_json_fields": {"port": "5432"}})
    assert result["changed"] is True  # a string is not the number
    assert json.loads(current_value(sm, name))["port"] == "5432"


def test_managed_json_fields_in_the_first_generated_value(run_module, sm):
    name = "prod/rds/app"
    args = {
        "name": name,
        "generate_initial_value": {"length": 24, "json_key": "password", "json_fields": {"username": "app"}},
        "managed_json_fields": {"host": "db.internal", "port": 5432},
    }

    result = run_module(args)
    assert not result.get("failed"), result
    assert result["value_state"] == "created"
    assert result["json_fields_changed"] == ["host", "port"]
    value = json.loads(current_value(sm, name))
    assert value["host"] == "db.internal" and value["port"] == 5432 and value["username"] == "app"
    assert len(value["password"]) == 24

    result = run_module(args)
    assert result["changed"] is False
    assert result["json_fields_changed"] == []
    assert json.loads(current_value(sm, name)) == value


def test_managed_json_fields_of_a_plain_value_fail_without_the_value(run_module, sm):
    name = "prod/api/jwt-secret"
    sm.create_secret(Name=name, SecretString="CANARY-plain-jwt-9a7c")

    result = run_module({"name": name, "managed_json_fields": {"host": "x"}})
    assert result.get("failed") is True, result
    assert f"managed_json_fields: the secret {name} holds a value that is not a JSON object" in result["msg"]
    assert "CANARY-plain-jwt-9a7c" not in json.dumps(result)
    assert current_value(sm, name) == "CANARY-plain-jwt-9a7c"


# --- rotation -----------------------------------------------------------------------------------
@pytest.fixture()
def lambda_without_docker(aws):
    """moto's Lambda without Docker: functions are kept, Invoke does nothing and succeeds."""
    request = urllib.request.Request(
        aws.url + "/moto-api/config",
        data=json.dumps({"lambda": {"use_docker": False}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["lambda"]["use_docker"] is False


@pytest.fixture()
def rotation_function(aws, lambda_without_docker):
    """A dummy rotation function (and its role): its ARN."""
    iam = aws.client("iam", REGION)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    role = iam.create_role(RoleName="medtech-test-rotation", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("lambda_function.py", "def lambda_handler(event, context):\n    return None\n")
    function = aws.client("lambda", REGION).create_function(
        FunctionName="medtech-test-rotation",
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="lambda_function.lambda_handler",
        Code={"ZipFile": package.getvalue()},
    )
    return function["FunctionArn"]


def test_rotation_configured_changed_and_turned_off(run_module, sm, rotation_function):
    name = "prod/rds/admin"
    rotation = {"lambda_arn": rotation_function, "automatically_after_days": 30, "rotate_immediately": False}
    args = {"name": name, "initial_value_json": {"username": "medtech_admin", "password": "first"}, "rotation": rotation}

    result = run_module(args, check=True)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["diff"]["after"]["rotation"] == {
        "enabled": True, "lambda_arn": rotation_function, "automatically_after_days": 30,
    }
    assert sm.list_secrets()["SecretList"] == []

    result = run_module(args)  # the value first, then the rotation
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["value_state"] == "created"
    secret = describe(sm, name)
    assert secret["RotationEnabled"] is True
    assert secret["RotationLambdaARN"] == rotation_function
    assert secret["RotationRules"]["AutomaticallyAfterDays"] == 30
    assert result["secret"]["rotation_enabled"] is True
    assert result["secret"]["rotation_lambda_arn"] == rotation_function
    assert json.loads(current_value(sm, name)) == {"username": "medtech_admin", "password": "first"}

    result = run_module(args)
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert result["diff"]["before"]["rotation"] == result["diff"]["after"]["rotation"]

    other = dict(args, rotation=dict(rotation, automatically_after_days=7))
    result = run_module(other, check=True)
    assert result["changed"] is True
    assert describe(sm, name)["RotationRules"]["AutomaticallyAfterDays"] == 30
    result = run_module(other)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert describe(sm, name)["RotationRules"]["AutomaticallyAfterDays"] == 7
    assert run_module(other)["changed"] is False

    off = {"name": name, "rotation": {"enabled": False}}
    result = run_module(off)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert describe(sm, name)["RotationEnabled"] is False
    assert run_module(off)["changed"] is False


def test_rotation_of_a_secret_without_value_is_refused(run_module, sm, rotation_function):
    name = "prod/external/stripe"
    sm.create_secret(Name=name, Description="empty")

    result = run_module({"name": name, "description": "Stripe", "rotation": {
        "lambda_arn": rotation_function, "automatically_after_days": 30}})
    assert result.get("failed") is True, result
    assert "has no value, and rotation needs one" in result["msg"]
    secret = describe(sm, name)
    assert secret["Description"] == "empty"  # refused before any write
    assert not secret.get("RotationEnabled")


# --- canary: no value in the output, even at -vvv -----------------------------------------------
def _ansible_verbose(aws, tmp_path, args, *extra):
    """Run the module with the default callback at -vvv --diff; return stdout + stderr."""
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={VENV_BIN / 'python'}\n")
    env = ansible_env(
        aws.url,
        # one module call: Ansible's own strategy (Mitogen's start-up costs more than it saves
        # here, and its connection does not print "ESTABLISH LOCAL CONNECTION" at -vvv)
        {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": REGION,
         "ANSIBLE_STRATEGY": "linear"},
    )
    cmd = [str(VENV_BIN / "ansible"), "localhost", "-i", str(inventory), "-m", MODULE, "-a", json.dumps(args),
           "--diff", "-vvv", *extra]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_canary_value_never_appears_in_verbose_output(aws, sm, tmp_path):
    canary = "CANARY-4f1c9e-value-must-stay-secret"
    canary_json = "CANARY-JSON-8d2b-secret-key"

    outputs = []
    args = {"name": "prod/canary/plain", "initial_value": canary, "region": REGION}
    outputs.append(_ansible_verbose(aws, tmp_path, args, "--check"))
    outputs.append(_ansible_verbose(aws, tmp_path, args))  # created
    outputs.append(_ansible_verbose(aws, tmp_path, args))  # kept
    assert current_value(sm, "prod/canary/plain") == canary

    args = {"name": "prod/canary/json", "initial_value_json": {"secret_key": canary_json}, "region": REGION}
    outputs.append(_ansible_verbose(aws, tmp_path, args))
    outputs.append(_ansible_verbose(aws, tmp_path, args))
    assert json.loads(current_value(sm, "prod/canary/json")) == {"secret_key": canary_json}
    # managed_json_fields reads the value (GetSecretValue) and puts it back with the field set
    args = {"name": "prod/canary/json", "managed_json_fields": {"host": "db.canary.example"}, "region": REGION}
    outputs.append(_ansible_verbose(aws, tmp_path, args, "--check"))
    outputs.append(_ansible_verbose(aws, tmp_path, args))
    outputs.append(_ansible_verbose(aws, tmp_path, args))
    assert json.loads(current_value(sm, "prod/canary/json")) == {"secret_key": canary_json, "host": "db.canary.example"}

    args = {
        "name": "prod/canary/generated",
        "generate_initial_value": {"length": 48, "json_key": "password"},
        "region": REGION,
    }
    outputs.append(_ansible_verbose(aws, tmp_path, args))
    outputs.append(_ansible_verbose(aws, tmp_path, args))
    generated = json.loads(current_value(sm, "prod/canary/generated"))["password"]

    output = "\n".join(outputs)
    assert "prod/canary/plain" in output and "value_state" in output  # the output is really there
    assert "<TASK" in output or "ESTABLISH LOCAL CONNECTION" in output  # and really verbose
    assert "json_fields_changed" in output and "db.canary.example" in output  # the managed field is shown
    for value in (canary, canary_json, generated):
        assert value not in output
