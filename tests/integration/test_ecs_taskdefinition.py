# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real ecs_taskdefinition module, run by ``ansible``, against the emulator.

What the module registered is read back from the emulator with boto3. moto fills in fewer
defaults than AWS (no ``hostPort``/``protocol`` in port mappings, no health check defaults);
the Stubber tests (tests/unit/plugins/modules/test_ecs_taskdefinition_stubbed.py) replay an
AWS-shaped answer with every default AWS fills in. moto 5.2.5 also ignores ``sort=DESC`` in
ListTaskDefinitions and matches ``familyPrefix`` exactly (AWS: as a prefix); the module orders the
revisions itself and filters the family exactly, which the Stubber tests check with AWS's answers.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.ecs_taskdefinition"
REGION = "eu-central-1"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:prod/rds/app-AbCdEf"
ARGS = {
    "family": "api-gateway",
    "cpu": "512",
    "memory": "1024",
    "execution_role_arn": "arn:aws:iam::123456789012:role/medtech-ecs-execution",
    "containers": [
        {
            "name": "app",
            "image": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/api-gateway:1.0.0",
            "portMappings": [{"containerPort": 8080}],
            "environment": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "APP_PORT", "value": "8080"}],
            "healthCheck": {"command": ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/health || exit 1"]},
        }
    ],
    "log_configuration": {"group": "/ecs/medtech-prod"},
    "pgbouncer": {
        "app_container": "app",
        "credentials_secret_arn": SECRET_ARN,
        "server_host": "medtech-prod.abc.eu-central-1.rds.amazonaws.com",
        "dbname": "medtech",
    },
    "tags": {"environment": "prod"},
}


@pytest.fixture()
def run_module(ansible_module):
    def _run(args: dict, check: bool = False) -> dict:
        return ansible_module(MODULE, dict(args, region=REGION), check=check)

    return _run


def active(ecs, family="api-gateway"):
    return ecs.list_task_definitions(familyPrefix=family, status="ACTIVE", sort="DESC")["taskDefinitionArns"]


def test_register_once_then_no_churn_then_change_then_absent(aws, run_module):
    ecs = aws.client("ecs", REGION)

    check = run_module(ARGS, check=True)
    assert check["changed"] is True and check["registered"] is True, check
    assert active(ecs) == []  # check mode registered nothing
    assert check["diff"]["before"] == {}

    first = run_module(ARGS)
    assert first["changed"] is True and first["registered"] is True, first
    assert first["task_definition"]["revision"] == 1
    assert first["task_definition"]["tags"] == {"environment": "prod"}
    described = ecs.describe_task_definition(taskDefinition="api-gateway:1")["taskDefinition"]
    containers = {c["name"]: c for c in described["containerDefinitions"]}
    assert set(containers) == {"app", "pgbouncer"}
    assert containers["app"]["dependsOn"] == [{"containerName": "pgbouncer", "condition": "HEALTHY"}]
    app_env = {e["name"]: e["value"] for e in containers["app"]["environment"]}
    assert app_env["DATABASE_HOST"] == "127.0.0.1" and app_env["DATABASE_PORT"] == "6432"
    pgb_env = {e["name"]: e["value"] for e in containers["pgbouncer"]["environment"]}
    assert (pgb_env["POOL_MODE"], pgb_env["MAX_CLIENT_CONN"], pgb_env["DEFAULT_POOL_SIZE"]) == ("transaction", "100", "20")
    assert pgb_env["SERVER_TLS_SSLMODE"] == "require"
    assert {s["name"]: s["valueFrom"] for s in containers["pgbouncer"]["secrets"]} == {
        "DB_USER": f"{SECRET_ARN}:username::",
        "DB_PASSWORD": f"{SECRET_ARN}:password::",
    }
    assert containers["pgbouncer"]["logConfiguration"]["options"] == {
        "awslogs-group": "/ecs/medtech-prod",
        "awslogs-region": REGION,
        "awslogs-stream-prefix": "api-gateway",
    }

    # The same options, containers listed with the environment in another order: nothing to do.
    reordered = dict(ARGS, containers=[dict(ARGS["containers"][0], environment=ARGS["containers"][0]["environment"][::-1])])
    second = run_module(reordered)
    assert second["changed"] is False and second["registered"] is False, second
    assert len(active(ecs)) == 1

    # A real change (cpu) registers revision 2, check mode first.
    bigger = dict(ARGS, cpu="1024", memory="2048")
    check = run_module(bigger, check=True)
    assert check["changed"] is True and check["registered"] is True
    assert check["diff"]["before"]["cpu"] == "512" and check["diff"]["after"]["cpu"] == "1024"
    assert len(active(ecs)) == 1
    changed = run_module(bigger)
    assert changed["registered"] is True and changed["task_definition"]["revision"] == 2
    assert run_module(bigger)["changed"] is False

    # Only a tag differs: no new revision, the latest one is tagged.
    retagged = run_module(dict(bigger, tags={"environment": "prod", "service": "api-gateway"}))
    assert retagged["changed"] is True and retagged["registered"] is False
    assert len(active(ecs)) == 2
    assert retagged["task_definition"]["revision"] == 2
    tags = ecs.list_tags_for_resource(resourceArn=retagged["task_definition"]["task_definition_arn"])["tags"]
    assert {t["key"]: t["value"] for t in tags} == {"environment": "prod", "service": "api-gateway"}

    # absent: check mode deregisters nothing, then every active revision goes, then nothing to do.
    gone_check = run_module({"family": "api-gateway", "state": "absent"}, check=True)
    assert gone_check["changed"] is True and len(gone_check["deregistered"]) == 2
    assert len(active(ecs)) == 2
    gone = run_module({"family": "api-gateway", "state": "absent"})
    assert gone["changed"] is True and active(ecs) == []
    assert run_module({"family": "api-gateway", "state": "absent"})["changed"] is False


def test_plain_password_in_environment_is_refused_before_any_call(aws, run_module):
    ecs = aws.client("ecs", REGION)
    leaky = dict(ARGS, containers=[dict(ARGS["containers"][0], environment=[{"name": "DB_PASSWORD", "value": "x"}])])
    result = run_module(leaky)
    assert result.get("failed") is True
    assert "DB_PASSWORD in plain text" in result["msg"] and "valueFrom" in result["msg"]
    assert active(ecs) == []


def test_family_prefix_does_not_match_other_families(aws, run_module):
    ecs = aws.client("ecs", REGION)
    other = dict(ARGS, family="api-gateway-canary")
    assert run_module(other)["registered"] is True
    first = run_module(ARGS)
    assert first["registered"] is True and first["task_definition"]["family"] == "api-gateway"
    gone = run_module({"family": "api-gateway", "state": "absent"})
    assert gone["deregistered"] == [first["task_definition"]["task_definition_arn"]]
    assert len(active(ecs, "api-gateway-canary")) == 1
