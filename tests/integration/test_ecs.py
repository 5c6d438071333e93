"""The ecs role with the local inventory against the emulator: the compute layer of DOC 3.

Covers the acceptance of the ecs issue: every bad input fails before any AWS call with a message
naming the variable, and nothing is created; a converge builds the layer; a second converge and
--check --diff report zero changes; after what Auto Scaling and CodeDeploy do to a service (its
desired count moved to 6, a new task definition revision with a new image, the listeners moved
to the green target groups) a converge changes none of it and reports zero changes.

The role runs through molecule/ecs/converge.yml; the network, the platform KMS key and the
secrets come from molecule/ecs/prepare.yml. Every value of SPEC section 2 is read back by the
molecule scenario's verify (tests/integration/test_molecule.py).
"""


import pytest
from conftest import flat

pytestmark = pytest.mark.emulator

CLUSTER = "medtech-prod-cluster"
CONVERGE = "molecule/ecs/converge.yml"
PREPARE = "molecule/ecs/prepare.yml"
DOC_SERVICES = [
    {"name": "api-gateway", "cpu": 512, "memory": 1024, "desired_count": 2},
    {"name": "patient-service", "cpu": 1024, "memory": 2048, "desired_count": 3, "path_patterns": ["/patients", "/patients/*"]},
    {"name": "billing-service", "cpu": 512, "memory": 1024, "desired_count": 2, "path_patterns": ["/billing", "/billing/*"]},
]


def services_with(name, **changes):
    return [dict(service, **changes) if service["name"] == name else service for service in DOC_SERVICES]


@pytest.mark.parametrize("extra_vars,message", [
    ({"ecs_services": services_with("api-gateway", memory=8192)},
     "ecs_services[api-gateway]: Fargate does not accept cpu 512 with memory 8192 MiB"),
    ({"ecs_services": services_with("patient-service", desired_count=11)},
     "ecs_services[patient-service].desired_count=11 is outside min_capacity..max_capacity (2..10)"),
    ({"ecs_services": services_with("billing-service", min_capacity=4, max_capacity=3, desired_count=3)},
     "ecs_services[billing-service]: min_capacity 4 is greater than max_capacity 3"),
    ({"ecs_pgbouncer": {"pool_mode": "pooled", "max_client_conn": 100, "default_pool_size": 20, "listen_port": 6432}},
     "ecs_pgbouncer.pool_mode='pooled' is not one of session, transaction, statement"),
    ({"ecs_pgbouncer": {"pool_mode": "transaction", "max_client_conn": 10, "default_pool_size": 20, "listen_port": 6432}},
     "ecs_pgbouncer.default_pool_size=20 is larger than max_client_conn=10"),
    ({"ecs_container_port": 9090}, "ecs_container_port=9090 is not admitted by the ALB security group"),
    ({"ecs_database_instance_class": "db.t3.medium"},
     "The services could open 600 database connections at full scale"),
], ids=["fargate-size", "desired-outside", "min-above-max", "pool-mode", "pool-size", "alb-port", "capacity"])
def test_bad_input_fails_before_any_aws_call(aws, run_playbook, extra_vars, message):
    result = run_playbook("playbooks/site.yml", extra_vars=extra_vars)
    assert result.rc != 0
    assert message in flat(result), result.output[-3000:]
    assert "nothing was created or changed" in flat(result)
    # site.yml validates every role before any role runs: not even the network exists
    assert aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["medtech-prod-vpc"]}])["Vpcs"] == []


@pytest.fixture()
def converged(aws, run_playbook):
    """The emulator after the prepare step and a first converge of the ecs role."""
    prepared = run_playbook(PREPARE)
    assert prepared.rc == 0, prepared.output[-3000:]
    first = run_playbook(CONVERGE)
    assert first.rc == 0, first.output[-3000:]
    assert first.recap()["changed"] > 0
    return aws


def service(aws, name):
    return aws.client("ecs").describe_services(cluster=CLUSTER, services=[name])["services"][0]


def test_converge_is_idempotent_and_publishes_the_capacity(converged, run_playbook):
    second = run_playbook(CONVERGE)
    assert second.rc == 0, second.output[-3000:]
    assert second.recap()["changed"] == 0, second.stdout[-5000:]
    # SPEC 3: the same figure the monitoring role's connections alarm uses
    assert "worst_case_connections: 600" in second.stdout
    assert "max_connections: 1802" in second.stdout

    check = run_playbook(CONVERGE, "--check", "--diff")
    assert check.rc == 0, check.output[-3000:]
    assert check.recap()["changed"] == 0, check.stdout[-5000:]


def test_what_auto_scaling_and_codedeploy_moved_is_left_alone(converged, run_playbook):
    ecs = converged.client("ecs")
    # Auto Scaling moves the desired count
    ecs.update_service(cluster=CLUSTER, service="patient-service", desiredCount=6)
    # CodeDeploy deploys a new revision with a new image (as the pipeline registers it: tagged)
    latest = ecs.describe_task_definition(taskDefinition="medtech-prod-patient-service", include=["TAGS"])
    definition = latest["taskDefinition"]
    containers = definition["containerDefinitions"]
    for container in containers:
        if container["name"] == "app":
            container["image"] = container["image"].rsplit(":", 1)[0] + ":v2"
    keys = ["family", "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu", "memory"]
    deployed = ecs.register_task_definition(
        containerDefinitions=containers, tags=latest["tags"], **{key: definition[key] for key in keys},
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=CLUSTER, service="patient-service", taskDefinition=deployed)

    result = run_playbook(CONVERGE)
    assert result.rc == 0, result.output[-3000:]
    assert result.recap()["changed"] == 0, result.stdout[-5000:]
    after = service(converged, "patient-service")
    assert after["desiredCount"] == 6
    assert after["taskDefinition"] == deployed
    # no revision registered that would take the deployed image back
    arns = ecs.list_task_definitions(familyPrefix="medtech-prod-patient-service")["taskDefinitionArns"]
    assert sorted(arns) == sorted([definition["taskDefinitionArn"], deployed])


def test_argument_spec_is_checked_before_any_role_changes_anything(aws, run_playbook):
    # site.yml's up-front validation (tasks_from: validate) runs the role's argument spec too
    result = run_playbook("playbooks/site.yml", extra_vars={"ecs_container_insights": "on"})
    assert result.rc != 0
    assert "value of ecs_container_insights must be one of: enabled, enhanced, disabled, got: on" in flat(result)
    assert aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["medtech-prod-vpc"]}])["Vpcs"] == []
