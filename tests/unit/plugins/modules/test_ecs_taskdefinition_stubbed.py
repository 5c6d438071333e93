# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the ecs_taskdefinition module, against botocore's Stubber, with AWS's answers.

moto fills in fewer defaults than AWS, ignores ``sort=DESC`` and matches ``familyPrefix``
exactly; here DescribeTaskDefinition answers as AWS does (every default AWS fills in, keys and
lists in another order) and ListTaskDefinitions lists a family that merely shares the prefix. The
Stubber validates each request against the real ECS API model; an unexpected call (e.g. a
RegisterTaskDefinition when nothing changed, or any write in check mode) finds no queued answer
and fails the test.
"""

from __future__ import annotations

import copy
import datetime
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_taskdefinition import comparable
from ansible_collections.medtech.aws_platform.plugins.modules import ecs_taskdefinition

REGION = "eu-central-1"
ACCOUNT = "123456789012"
FAMILY = "api-gateway"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/rds/app-AbCdEf"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/medtech-ecs-execution"
HOST = "medtech-prod.abcdefghijkl.eu-central-1.rds.amazonaws.com"
REGISTERED = datetime.datetime(2025, 3, 1, 10, 15, 42, tzinfo=datetime.timezone.utc)
ARGS = {
    "family": FAMILY,
    "cpu": "0.5 vCPU",
    "memory": "1 GB",
    "execution_role_arn": EXECUTION_ROLE,
    "containers": [
        {
            "name": "app",
            "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api-gateway:1.4.2",
            "portMappings": [{"containerPort": 8080}],
            "environment": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "APP_PORT", "value": "8080"}],
            "healthCheck": {"command": ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/health || exit 1"], "startPeriod": 30},
        }
    ],
    "log_configuration": {"group": "/ecs/medtech-prod"},
    "pgbouncer": {"app_container": "app", "credentials_secret_arn": SECRET, "server_host": HOST, "dbname": "medtech"},
    "tags": {"environment": "prod"},
    "region": REGION,
}


def arn(revision, family=FAMILY):
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{revision}"


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def wanted(args=None):
    """The RegisterTaskDefinition parameters the module builds from ``args``."""
    params = module_params(args or ARGS)
    definition, errors = ecs_taskdefinition.wanted_definition(params, REGION)
    assert not errors
    return definition


def module_params(args):
    """The module's params with its defaults, as AnsibleAWSModule would fill them."""
    captured = {}

    def _exit(self, **kwargs):
        raise ExitJson(kwargs)

    with patch_module_args(dict(args)), mock.patch.object(
        ecs_taskdefinition.TaskDefinitionManager, "ensure_present",
        autospec=True, side_effect=lambda self, w: captured.setdefault("params", self.params) and {},
    ), mock.patch.object(AnsibleAWSModule, "client"), mock.patch.object(basic.AnsibleModule, "exit_json", _exit):
        with pytest.raises(ExitJson):
            ecs_taskdefinition.main()
    return captured["params"]


def aws_shaped(definition, revision=3):
    """``definition`` as AWS's DescribeTaskDefinition returns it: every default filled in,
    environment, secrets and containers in another order, read-only keys added."""
    containers = []
    for container in reversed(copy.deepcopy(definition["containerDefinitions"])):
        container.setdefault("cpu", 0)
        container.setdefault("essential", True)
        container["portMappings"] = [
            dict(mapping, hostPort=mapping["containerPort"], protocol="tcp") for mapping in container.get("portMappings", [])
        ]
        container["environment"] = list(reversed(container.get("environment", [])))
        if "secrets" in container:
            container["secrets"] = list(reversed(container["secrets"]))
        container.update(mountPoints=[], volumesFrom=[], systemControls=[])
        check = container.get("healthCheck")
        if check:
            for key, value in (("interval", 30), ("timeout", 5), ("retries", 3)):
                check.setdefault(key, value)
        container["logConfiguration"]["secretOptions"] = []
        containers.append(dict(reversed(list(container.items()))))
    return {
        "taskDefinitionArn": arn(revision),
        "containerDefinitions": containers,
        "family": FAMILY,
        "executionRoleArn": definition["executionRoleArn"],
        "networkMode": "awsvpc",
        "revision": revision,
        "volumes": [],
        "status": "ACTIVE",
        "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"}],
        "placementConstraints": [],
        "compatibilities": ["EC2", "FARGATE"],
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "512",
        "memory": "1024",
        "registeredAt": REGISTERED,
        "registeredBy": f"arn:aws:sts::{ACCOUNT}:assumed-role/medtech-deploy/ansible",
        "enableFaultInjection": False,
    }


class Ecs:
    def __init__(self):
        self.client = boto3.client("ecs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        self.stub = Stubber(self.client)

    def lists(self, revisions):
        # AWS lists by prefix: api-gateway-canary shares it and must be ignored.
        arns = [arn(9, "api-gateway-canary")] + [arn(revision) for revision in revisions]
        self.stub.add_response(
            "list_task_definitions", {"taskDefinitionArns": arns}, {"familyPrefix": FAMILY, "status": "ACTIVE", "sort": "DESC"}
        )

    def describes(self, definition, tags=None):
        tag_list = [{"key": key, "value": value} for key, value in (tags or {}).items()]
        self.stub.add_response(
            "describe_task_definition",
            {"taskDefinition": definition, "tags": tag_list},
            {"taskDefinition": definition["taskDefinitionArn"], "include": ["TAGS"]},
        )

    def registers(self, expected, revision, tags):
        seen = {}

        class Capture:
            def __eq__(self, other):
                seen["containerDefinitions"] = other
                return True

        params = dict(expected, family=FAMILY, containerDefinitions=Capture(), tags=tags)
        response = aws_shaped(dict(expected, containerDefinitions=expected["containerDefinitions"]), revision)
        self.stub.add_response("register_task_definition", {"taskDefinition": response, "tags": tags}, params)
        return seen


@pytest.fixture()
def ecs():
    stubs = Ecs()
    with stubs.stub:
        yield stubs
        stubs.stub.assert_no_pending_responses()


def run(ecs, args, check_mode=False, diff=False):
    """Run main() with ``args`` against the stubbed client; return (failed, result)."""
    outcome = {}

    def _exit(self, **kwargs):
        outcome.update(failed=False, result=kwargs)
        raise ExitJson()

    def _fail(self, **kwargs):
        outcome.update(failed=True, result=kwargs)
        raise FailJson()

    module_args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(module_args), mock.patch.object(AnsibleAWSModule, "client", return_value=ecs.client), \
            mock.patch.object(basic.AnsibleModule, "exit_json", _exit), mock.patch.object(basic.AnsibleModule, "fail_json", _fail):
        with pytest.raises((ExitJson, FailJson)):
            ecs_taskdefinition.main()
    return outcome["failed"], outcome["result"]


# --- no churn -----------------------------------------------------------------------------------
def test_aws_shaped_latest_revision_equal_to_the_options_registers_nothing(ecs):
    ecs.lists([3, 2])
    ecs.describes(aws_shaped(wanted()), {"environment": "prod"})  # only revision 3 is read

    failed, result = run(ecs, ARGS, diff=True)

    assert not failed, result
    assert result["changed"] is False and result["registered"] is False
    assert result["task_definition"]["revision"] == 3
    assert result["task_definition"]["tags"] == {"environment": "prod"}
    assert result["diff"]["before"] == result["diff"]["after"]


def test_the_newest_revision_is_compared_whatever_the_list_order(ecs):
    ecs.lists([2, 3])
    ecs.describes(aws_shaped(wanted(), revision=3), {"environment": "prod"})

    failed, result = run(ecs, ARGS)

    assert not failed, result
    assert result["changed"] is False


# --- real changes -------------------------------------------------------------------------------
def test_new_image_registers_a_revision_with_tags(ecs):
    ecs.lists([3])
    ecs.describes(aws_shaped(wanted()), {"environment": "prod"})
    args = copy.deepcopy(ARGS)
    args["containers"][0]["image"] = args["containers"][0]["image"].replace("1.4.2", "1.5.0")
    sent = ecs.registers(wanted(args), 4, [{"key": "environment", "value": "prod"}])

    failed, result = run(ecs, args, diff=True)

    assert not failed, result
    assert result["changed"] is True and result["registered"] is True
    assert result["task_definition"]["revision"] == 4
    containers = {c["name"]: c for c in sent["containerDefinitions"]}
    assert containers["app"]["image"].endswith("api-gateway:1.5.0")
    assert containers["app"]["dependsOn"] == [{"containerName": "pgbouncer", "condition": "HEALTHY"}]
    assert {s["name"]: s["valueFrom"] for s in containers["pgbouncer"]["secrets"]} == {
        "DB_USER": f"{SECRET}:username::",
        "DB_PASSWORD": f"{SECRET}:password::",
    }
    before = {c["name"]: c for c in result["diff"]["before"]["containerDefinitions"]}
    after = {c["name"]: c for c in result["diff"]["after"]["containerDefinitions"]}
    assert before["app"]["image"].endswith("1.4.2") and after["app"]["image"].endswith("1.5.0")


def test_pool_size_change_registers_a_revision(ecs):
    ecs.lists([3])
    ecs.describes(aws_shaped(wanted()), {"environment": "prod"})
    args = copy.deepcopy(ARGS)
    args["pgbouncer"]["default_pool_size"] = 10
    sent = ecs.registers(wanted(args), 4, [{"key": "environment", "value": "prod"}])

    failed, result = run(ecs, args)

    assert not failed, result
    assert result["registered"] is True
    pgbouncer = [c for c in sent["containerDefinitions"] if c["name"] == "pgbouncer"][0]
    assert {"name": "DEFAULT_POOL_SIZE", "value": "10"} in pgbouncer["environment"]


def test_check_mode_reports_the_change_and_registers_nothing(ecs):
    ecs.lists([3])
    ecs.describes(aws_shaped(wanted()), {"environment": "prod"})  # no RegisterTaskDefinition queued

    failed, result = run(ecs, dict(ARGS, cpu="1024", memory="2048"), check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True and result["registered"] is True
    assert result["diff"]["before"]["cpu"] == "512" and result["diff"]["after"]["cpu"] == "1024"
    assert "revision" not in result["task_definition"]


def test_first_revision_of_a_new_family(ecs):
    ecs.stub.add_response(
        "list_task_definitions", {"taskDefinitionArns": []}, {"familyPrefix": FAMILY, "status": "ACTIVE", "sort": "DESC"}
    )
    ecs.registers(wanted(), 1, [{"key": "environment", "value": "prod"}])

    failed, result = run(ecs, ARGS, diff=True)

    assert not failed, result
    assert result["registered"] is True and result["diff"]["before"] == {}


def test_only_tags_differ_tags_the_latest_revision(ecs):
    ecs.lists([3])
    ecs.describes(aws_shaped(wanted()), {"environment": "prod", "owner": "someone"})
    ecs.stub.add_response("untag_resource", {}, {"resourceArn": arn(3), "tagKeys": ["owner"]})
    ecs.stub.add_response(
        "tag_resource", {}, {"resourceArn": arn(3), "tags": [{"key": "service", "value": "api-gateway"}]}
    )

    failed, result = run(ecs, dict(ARGS, tags={"environment": "prod", "service": "api-gateway"}))

    assert not failed, result
    assert result["changed"] is True and result["registered"] is False
    assert result["task_definition"]["tags"] == {"environment": "prod", "service": "api-gateway"}


# --- absent -------------------------------------------------------------------------------------
def test_absent_deregisters_every_active_revision(ecs):
    ecs.lists([3, 2])
    ecs.describes(aws_shaped(wanted()))
    for revision in (3, 2):
        ecs.stub.add_response(
            "deregister_task_definition",
            {"taskDefinition": dict(aws_shaped(wanted(), revision), status="INACTIVE")},
            {"taskDefinition": arn(revision)},
        )

    failed, result = run(ecs, {"family": FAMILY, "state": "absent", "region": REGION}, diff=True)

    assert not failed, result
    assert result["changed"] is True and result["deregistered"] == [arn(3), arn(2)]
    assert result["diff"]["after"] == {} and result["diff"]["before"]["family"] == FAMILY


def test_absent_in_check_mode_deregisters_nothing(ecs):
    ecs.lists([3])
    ecs.describes(aws_shaped(wanted()))

    failed, result = run(ecs, {"family": FAMILY, "state": "absent", "region": REGION}, check_mode=True)

    assert not failed, result
    assert result["changed"] is True and result["deregistered"] == [arn(3)]


# --- errors -------------------------------------------------------------------------------------
def test_aws_error_names_the_action(ecs):
    ecs.stub.add_client_error(
        "list_task_definitions", service_error_code="AccessDeniedException",
        service_message="User is not authorized to perform: ecs:ListTaskDefinitions", http_status_code=400,
    )

    failed, result = run(ecs, ARGS)

    assert failed
    assert "list the ACTIVE revisions of the task definition family api-gateway" in result["msg"]


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"pgbouncer": dict(ARGS["pgbouncer"], default_pool_size=200)}, "pgbouncer.default_pool_size (200) is larger"),
        ({"pgbouncer": dict(ARGS["pgbouncer"], app_container="web")}, "pgbouncer.app_container 'web' is not in containers"),
        ({"pgbouncer": dict(ARGS["pgbouncer"], credentials_secret_arn="prod/rds/app")}, "full ARN of the Secrets Manager secret"),
        ({"execution_role_arn": None}, "execution_role_arn is required"),
        ({"network_mode": "bridge"}, "network_mode must be awsvpc for FARGATE"),
        ({"cpu": "half"}, "cpu 'half': give whole units"),
        ({"containers": [dict(ARGS["containers"][0], secrets=[], environment=[{"name": "STRIPE_API_KEY", "value": "x"}])]},
         "STRIPE_API_KEY in plain text"),
        ({"containers": [dict(ARGS["containers"][0], environment=[{"name": "DATABASE_PORT", "value": "5432"}])]},
         "app sets DATABASE_PORT, which pgbouncer sets to 6432"),
    ],
)
def test_bad_options_fail_before_any_call(ecs, change, fragment):
    failed, result = run(ecs, dict(ARGS, **change))  # nothing queued: any AWS call would fail the test

    assert failed
    assert fragment in result["msg"], result["msg"]


# --- the normaliser -----------------------------------------------------------------------------
def test_comparable_removes_what_aws_fills_in():
    assert comparable(aws_shaped(wanted())) == comparable(dict(wanted(), family=FAMILY))


def test_comparable_sees_real_differences():
    base = dict(wanted(), family=FAMILY)
    other = copy.deepcopy(base)
    other["containerDefinitions"][0]["portMappings"] = [{"containerPort": 8080, "protocol": "udp"}]
    assert comparable(other) != comparable(base)
    other = copy.deepcopy(base)
    other["containerDefinitions"][0]["essential"] = False
    assert comparable(other) != comparable(base)
    other = copy.deepcopy(base)
    other["containerDefinitions"][0]["healthCheck"]["interval"] = 31
    assert comparable(other) != comparable(base)


def test_comparable_host_port_default_depends_on_network_mode():
    def one(mode, mapping):
        return comparable({"family": "f", "networkMode": mode, "containerDefinitions": [{"name": "a", "portMappings": [mapping]}]})

    assert one("awsvpc", {"containerPort": 80, "hostPort": 80}) == one("awsvpc", {"containerPort": 80})
    assert one("bridge", {"containerPort": 80, "hostPort": 0}) == one("bridge", {"containerPort": 80})
    assert one("bridge", {"containerPort": 80, "hostPort": 80}) != one("bridge", {"containerPort": 80})
