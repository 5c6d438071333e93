# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ECS task definitions for ecs_taskdefinition: the API calls (one small retried function each)
and ``comparable``, which puts a task definition into a form where what AWS returns equals what
was registered.

AWS (and moto) fill in defaults when a definition is registered: per container ``cpu: 0``,
``essential: true``, empty ``environment``/``mountPoints``/``volumesFrom``/``systemControls``,
``portMappings`` with ``protocol: tcp`` and, in awsvpc/host mode, ``hostPort`` equal to the
``containerPort``, ``healthCheck`` with ``interval: 30``, ``timeout: 5``, ``retries: 3``; per task
``volumes: []``, ``placementConstraints: []``, ``enableFaultInjection: false``, and read-only keys
(``taskDefinitionArn``, ``revision``, ``status``, ``compatibilities``, ``requiresAttributes``,
``registeredAt``, ``registeredBy``). ``cpu`` and ``memory`` come back as strings of units
(``"1 vCPU"`` is returned as ``"1024"``). Order of ``environment``, ``secrets`` and the keys is
not significant.
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs import ecs_tags

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import normalize
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

# The RegisterTaskDefinition parameters a definition is compared on (tags apart).
REGISTER_KEYS = (
    "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
    "placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
    "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform",
    "enableFaultInjection",
)
CONTAINER_DEFAULTS = {"cpu": 0, "essential": True, "versionConsistency": "enabled"}
HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0}
TASK_DEFAULTS = {"enableFaultInjection": False}
_SORT_BY = {"environment": "name", "secrets": "name", "dependsOn": "containerName", "environmentFiles": "value"}


class AnsibleECSTaskDefinitionError(AnsibleAWSError):
    pass


class ECSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleECSTaskDefinitionError

    @classmethod
    def _is_missing(cls):
        # DescribeTaskDefinition of an unknown family answers ClientException.
        return is_boto3_error_code("ClientException")


@ECSErrorHandler.common_error_handler("list the ACTIVE revisions of the task definition family {family}")
@throttling_retry()
def list_active_revisions(client, family):
    """ListTaskDefinitions (paginated, status ACTIVE, newest first), exact family only.

    ``familyPrefix`` matches prefixes (``api`` also lists ``api-gateway``), so the ARNs are
    filtered on ``task-definition/<family>:<revision>``; they are ordered by revision number here
    too (AWS sorts them, but the order is what the module depends on).
    :return: list of ARNs, newest revision first.
    """
    paginator = client.get_paginator("list_task_definitions")
    arns = []
    for page in paginator.paginate(familyPrefix=family, status="ACTIVE", sort="DESC"):
        arns.extend(page.get("taskDefinitionArns", []))
    suffix = re.compile(r":task-definition/" + re.escape(family) + r":\d+$")
    mine = [arn for arn in arns if suffix.search(arn)]
    return sorted(mine, key=lambda arn: int(arn.rsplit(":", 1)[1]), reverse=True)


@ECSErrorHandler.list_error_handler("describe the task definition {task_definition}", None)
@throttling_retry()
def describe_task_definition(client, task_definition):
    """DescribeTaskDefinition with its tags.

    :return: ``(taskDefinition dict, tags list)``, or None when it does not exist.
    """
    response = client.describe_task_definition(taskDefinition=task_definition, include=["TAGS"])
    return response["taskDefinition"], response.get("tags", [])


@ECSErrorHandler.common_error_handler("register a revision of the task definition family {family}")
@throttling_retry()
def register_task_definition(client, family, params, tags):
    """RegisterTaskDefinition; ``params`` are its parameters without family and tags.

    :return: ``(taskDefinition dict, tags list)`` from the response.
    """
    request = dict(params, family=family)
    if tags:
        request["tags"] = ecs_tags(tags)
    response = client.register_task_definition(**request)
    return response["taskDefinition"], response.get("tags", [])


@ECSErrorHandler.common_error_handler("deregister the task definition {arn}")
@throttling_retry()
def deregister_task_definition(client, arn):
    """DeregisterTaskDefinition (the revision becomes INACTIVE; running tasks keep running)."""
    return client.deregister_task_definition(taskDefinition=arn)["taskDefinition"]


@ECSErrorHandler.common_error_handler("tag the task definition {arn}")
@throttling_retry()
def tag_resource(client, arn, tags):
    """TagResource; ``tags`` is a dict."""
    client.tag_resource(
        resourceArn=arn, tags=ecs_tags(tags)
    )
    return True


@ECSErrorHandler.common_error_handler("remove tags from the task definition {arn}")
@throttling_retry()
def untag_resource(client, arn, tag_keys):
    """UntagResource; ``tag_keys`` is a list of keys."""
    client.untag_resource(resourceArn=arn, tagKeys=list(tag_keys))
    return True


def task_size(value):
    """CPU or memory units as a string of a whole number: ``512``, ``"512"``, ``"0.5 vCPU"`` and
    ``"1 GB"`` become ``"512"``, ``"512"``, ``"512"`` and ``"1024"``. None stays None; a value in
    no known form is returned as given (AWS will refuse it)."""
    if value is None:
        return None
    text = str(value).strip()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(vcpu|gb)?", text, re.IGNORECASE)
    if not match:
        return text
    number = float(match.group(1))
    if match.group(2):
        number *= 1024
    return str(int(number)) if number.is_integer() else text


def _drop_empty(item):
    return {key: value for key, value in item.items() if value not in (None, [], {})}


def _port_mapping(mapping, network_mode):
    mapping = dict(mapping)
    if mapping.get("protocol") == "tcp":
        mapping.pop("protocol")
    host_port = mapping.get("hostPort")
    if network_mode in ("awsvpc", "host") and host_port == mapping.get("containerPort"):
        mapping.pop("hostPort")
    elif host_port == 0:
        mapping.pop("hostPort")
    return mapping


def _container(container, network_mode):
    item = _drop_empty(container)
    for key, default in CONTAINER_DEFAULTS.items():
        if item.get(key) == default:
            item.pop(key)
    for key, sort_key in _SORT_BY.items():
        if key in item:
            item[key] = sorted(item[key], key=lambda entry, k=sort_key: str(entry.get(k)))
    if "portMappings" in item:
        mappings = [_port_mapping(mapping, network_mode) for mapping in item["portMappings"]]
        item["portMappings"] = sorted(mappings, key=lambda m: (m.get("containerPort", 0), str(m.get("protocol"))))
    if "healthCheck" in item:
        check = dict(item["healthCheck"])
        for key, default in HEALTH_CHECK_DEFAULTS.items():
            if check.get(key) == default:
                check.pop(key)
        item["healthCheck"] = check
    if "logConfiguration" in item:
        item["logConfiguration"] = _drop_empty(item["logConfiguration"])
    return item


def comparable(definition):
    """The parts of a task definition that RegisterTaskDefinition sets, with AWS's defaults removed.

    :param definition: a task definition in AWS's camelCase, either RegisterTaskDefinition's
        parameters or DescribeTaskDefinition's ``taskDefinition`` (AWS or moto); None for none.
    :return: a dict to compare (and to show in a diff); never send it to AWS. ``{}`` for None.
    :raises: nothing. No AWS call.
    """
    if not definition:
        return {}
    network_mode = definition.get("networkMode") or "bridge"
    item = _drop_empty({key: definition.get(key) for key in REGISTER_KEYS})
    for key, default in TASK_DEFAULTS.items():
        if item.get(key) == default:
            item.pop(key)
    for key in ("cpu", "memory"):
        if key in item:
            item[key] = task_size(item[key])
    containers = [_container(container, network_mode) for container in item.get("containerDefinitions", [])]
    item["containerDefinitions"] = sorted(containers, key=lambda c: str(c.get("name")))
    return normalize(item)
