"""task_definition_template: from ecs_taskdefinition_info's snake_case to RegisterTaskDefinition's request."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.medtech.aws_platform.plugins.filter.pipeline import task_definition_template

INFO = {
    "task_definition_arn": "arn:aws:ecs:eu-central-1:123456789012:task-definition/medtech-prod-api-gateway:3",
    "family": "medtech-prod-api-gateway",
    "revision": 3,
    "status": "ACTIVE",
    "task_role_arn": "arn:aws:iam::123456789012:role/medtech-prod-api-gateway-task",
    "execution_role_arn": "arn:aws:iam::123456789012:role/medtech-prod-ecs-task-execution",
    "network_mode": "awsvpc",
    "requires_compatibilities": ["FARGATE"],
    "compatibilities": ["EC2", "FARGATE"],
    "requires_attributes": [{"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"}],
    "cpu": "512",
    "memory": "1024",
    "container_definitions": [
        {
            "name": "app",
            "image": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/medtech/api-gateway:abc",
            "port_mappings": [{"container_port": 8080, "protocol": "tcp"}],
            "depends_on": [{"container_name": "pgbouncer", "condition": "HEALTHY"}],
            "log_configuration": {
                "log_driver": "awslogs",
                "options": {"awslogs-group": "/ecs/api-gateway", "awslogs_odd_key": "x"},
            },
        },
        {
            "name": "pgbouncer",
            "image": "bitnami/pgbouncer:1.22.1",
            "secrets": [{"name": "POSTGRESQL_PASSWORD", "value_from": "arn:aws:secretsmanager:...:password::"}],
            "health_check": {"command": ["CMD-SHELL", "true"], "start_period": 10},
        },
    ],
}


def test_the_template_is_the_register_request_with_the_placeholder_image():
    template = task_definition_template(INFO, {"app": "<IMAGE1_NAME>"})
    assert set(template) == {"family", "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities",
                             "cpu", "memory", "containerDefinitions"}
    app, sidecar = template["containerDefinitions"]
    assert app["image"] == "<IMAGE1_NAME>"
    assert app["portMappings"] == [{"containerPort": 8080, "protocol": "tcp"}]
    assert app["dependsOn"] == [{"containerName": "pgbouncer", "condition": "HEALTHY"}]
    # The log driver's option keys are data, kept as they are.
    assert app["logConfiguration"] == {"logDriver": "awslogs",
                                       "options": {"awslogs-group": "/ecs/api-gateway", "awslogs_odd_key": "x"}}
    assert sidecar["image"] == "bitnami/pgbouncer:1.22.1"
    assert sidecar["secrets"] == [{"name": "POSTGRESQL_PASSWORD", "valueFrom": "arn:aws:secretsmanager:...:password::"}]
    assert sidecar["healthCheck"]["startPeriod"] == 10


def test_camel_case_input_gives_the_same_template():
    camel = task_definition_template(task_definition_template(INFO))
    assert camel == task_definition_template(INFO)
    assert camel["containerDefinitions"][0]["image"].endswith(":abc")


@pytest.mark.parametrize("bad, images, message", [
    ({"family": "x", "container_definitions": []}, {}, "has no containers"),
    (INFO, {"web": "nginx"}, "has no container web"),
    ("not a dict", {}, "expects a task definition"),
])
def test_bad_input_is_named(bad, images, message):
    with pytest.raises(AnsibleFilterError, match=message):
        task_definition_template(bad, images)
