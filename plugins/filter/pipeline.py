# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters for the pipeline role and the deploy playbook: a task definition as
RegisterTaskDefinition takes it, from what community.aws.ecs_taskdefinition_info returns."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

# RegisterTaskDefinition's request members (ECS API reference) a template keeps; everything
# DescribeTaskDefinition adds (ARN, revision, status, requiresAttributes, compatibilities,
# registeredAt/By) is left out.
REGISTER_MEMBERS = (
    "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
    "placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
    "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform",
)
# Keys whose own keys are user data and were never snake_cased (the ECS modules' ignore list).
KEPT_AS_IS = ("options", "docker_labels", "dockerLabels")


def _camel(key):
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _to_camel(value):
    if isinstance(value, dict):
        return {
            _camel(key): (item if key in KEPT_AS_IS else _to_camel(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_to_camel(item) for item in value]
    return value


def task_definition_template(task_definition, images=None):
    """``info | medtech.aws_platform.task_definition_template({'app': image})`` -> dict.

    :param task_definition: a task definition as community.aws.ecs_taskdefinition_info (or
        DescribeTaskDefinition's ``taskDefinition``) returns it, snake_case or camelCase.
    :param images: container name -> image to put in place of the container's image, e.g.
        ``{"app": "<IMAGE1_NAME>"}`` for CodeDeploy's placeholder or an ECR image URI.
    :return: the RegisterTaskDefinition request (camelCase) for the same task: family, roles,
        network mode, size, containers (the PgBouncer sidecar included) with the images replaced.
    :raises AnsibleFilterError: when the input has no containers, or an image names a container
        the task does not have.

    Calls no AWS API.
    """
    if not isinstance(task_definition, dict):
        raise AnsibleFilterError("task_definition_template expects a task definition (dict)")
    camel = _to_camel(task_definition)
    containers = camel.get("containerDefinitions") or []
    if not containers:
        raise AnsibleFilterError(
            "task_definition_template: the task definition has no containers (does the family exist? "
            "converge the ecs role first)"
        )
    images = images or {}
    names = [container.get("name") for container in containers]
    unknown = sorted(set(images) - set(names))
    if unknown:
        raise AnsibleFilterError(
            f"task_definition_template: the task has no container {', '.join(unknown)} "
            f"(its containers: {', '.join(names)})"
        )
    result = {key: camel[key] for key in REGISTER_MEMBERS if camel.get(key) not in (None, [], {})}
    result["containerDefinitions"] = [
        dict(container, image=images.get(container["name"], container.get("image"))) for container in containers
    ]
    return result


class FilterModule:
    """Pipeline filters of medtech.aws_platform."""

    def filters(self):
        return {"task_definition_template": task_definition_template}
