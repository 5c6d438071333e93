"""The ecs role with the local inventory against the emulator: the compute layer of DOC 3.

Covers the acceptance of the ecs issue: every bad input fails before any AWS call with a message
naming the variable, and nothing is created; a converge builds the layer; a second converge and
--check --diff report zero changes; after what Auto Scaling and CodeDeploy do to a service (its
desired count moved to 6, a new task definition revision with a new image, the listeners moved
to the green target groups) a converge changes none of it and reports zero changes; ecs_state
absent deletes the layer and keeps the image repositories.

The module fixture runs the molecule scenario molecule/ecs once: prepare (network, platform KMS
key, secrets), converge, idempotence (the second converge, zero changes), verify (every value of
SPEC section 2 read back); the tests below run on what it built, the last runs its cleanup.
"""


import re
from types import SimpleNamespace

import pytest

from conftest import flat, run_molecule

# The module fixture runs the molecule scenario once; its tests run on one worker, in file order.
pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("ecs")]

CLUSTER = "medtech-prod-cluster"
CONVERGE = "molecule/ecs/converge.yml"
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
def test_bad_input_fails_before_any_aws_call(aws, run_short_playbook, extra_vars, message):
    result = run_short_playbook("playbooks/site.yml", extra_vars=extra_vars)
    assert result.rc != 0
    assert message in flat(result), result.output[-3000:]
    assert "nothing was created or changed" in flat(result)
    # site.yml validates every role before any role runs: not even the network exists
    assert aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["medtech-prod-vpc"]}])["Vpcs"] == []


def test_argument_spec_is_checked_before_any_role_changes_anything(aws, run_short_playbook):
    # site.yml's up-front validation (tasks_from: validate) runs the role's argument spec too
    result = run_short_playbook("playbooks/site.yml", extra_vars={"ecs_container_insights": "on"})
    assert result.rc != 0
    assert "value of ecs_container_insights must be one of: enabled, enhanced, disabled, got: on" in flat(result)
    assert aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["medtech-prod-vpc"]}])["Vpcs"] == []


@pytest.fixture(scope="module")
def converged(moto_server):
    """The emulator after `molecule test -s ecs` (prepare: network, secrets; converge; idempotence:
    zero changes; verify: every value of SPEC 2 read back), shared by the tests below, in order:
    ``aws`` (the emulator), ``output`` (what molecule printed)."""
    moto_server.reset()
    output = run_molecule(moto_server.url, "ecs", "test")
    assert "idempotence" in output.lower()
    return SimpleNamespace(aws=moto_server, output=output)


def service(aws, name):
    return aws.client("ecs").describe_services(cluster=CLUSTER, services=[name])["services"][0]


def test_the_capacity_is_published_and_check_mode_changes_nothing(converged, run_playbook):
    # SPEC 3: the same figure the monitoring role's connections alarm uses (printed by converge.yml;
    # molecule's own ansible.cfg prints results as JSON)
    assert re.search(r'"?worst_case_connections"?: 600\b', converged.output), converged.output[-3000:]
    assert re.search(r'"?max_connections"?: 1802\b', converged.output)

    check = run_playbook(CONVERGE, "--check", "--diff")
    assert check.rc == 0, check.output[-3000:]
    assert check.recap()["changed"] == 0, check.stdout[-5000:]


def test_what_auto_scaling_and_codedeploy_moved_is_left_alone(converged, run_playbook):
    ecs = converged.aws.client("ecs")
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
    after = service(converged.aws, "patient-service")
    assert after["desiredCount"] == 6
    assert after["taskDefinition"] == deployed
    # no revision registered that would take the deployed image back
    arns = ecs.list_task_definitions(familyPrefix="medtech-prod-patient-service")["taskDefinitionArns"]
    assert sorted(arns) == sorted([definition["taskDefinitionArn"], deployed])


def test_molecule_cleanup_deletes_the_compute_layer_and_keeps_the_repositories(converged):
    run_molecule(converged.aws.url, "ecs", "cleanup")
    clusters = converged.aws.client("ecs").describe_clusters(clusters=[CLUSTER])["clusters"]
    assert all(cluster["status"] == "INACTIVE" for cluster in clusters), clusters
    balancers = converged.aws.client("elbv2").describe_load_balancers()["LoadBalancers"]
    assert "medtech-prod-alb" not in [b["LoadBalancerName"] for b in balancers]
    repositories = converged.aws.client("ecr").describe_repositories()["repositories"]
    assert sorted(r["repositoryName"] for r in repositories) == [
        "medtech/api-gateway", "medtech/billing-service", "medtech/patient-service"]
