#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ecs_taskdefinition
version_added: 0.1.0
short_description: Register an ECS task definition only when it changed, with an optional PgBouncer sidecar
description:
  - Registers a revision of the ECS task definition family O(family) B(only when the wanted
    definition differs) from the latest C(ACTIVE) revision of that family, so a converge that
    changes nothing registers nothing (unlike M(community.aws.ecs_taskdefinition), which
    registers a new revision on every run).
  - Both sides are normalised before they are compared; the defaults AWS fills in count as
    unset; per container C(cpu=0), C(essential=true), empty lists (C(environment),
    C(mountPoints), C(volumesFrom), C(systemControls), ...), C(portMappings[].protocol=tcp),
    C(hostPort) equal to C(containerPort) in C(awsvpc) and C(host) mode, C(healthCheck)
    C(interval=30), C(timeout=5), C(retries=3), C(startPeriod=0); per task C(volumes=[]),
    C(placementConstraints=[]), C(enableFaultInjection=false). C(cpu) and C(memory) compare as
    units (V(0.5 vCPU) equals V(512), V(1 GB) equals V(1024)). The order of containers,
    C(environment), C(secrets), C(dependsOn) and of keys does not count.
  - A task definition is compared as a whole; an option left out means AWS's default, so
    e.g. removing O(task_role_arn) registers a revision without a task role.
  - With O(pgbouncer) the module adds a PgBouncer sidecar container to the definition, wires the
    application container to it (startup order and connection settings) and reads the database
    credentials from Secrets Manager; see O(pgbouncer).
  - Tags are set on the revision that is registered; when nothing else changed they are
    converged on the latest revision with C(TagResource)/C(UntagResource).
  - No secret value can be part of the definition given to this module; credentials are passed
    to containers only as C(secrets) with C(valueFrom) ARNs. The module refuses a plain
    C(environment) entry whose name contains C(PASSWORD), C(SECRET), C(TOKEN), C(API_KEY) or
    C(PRIVATE_KEY) (in any case).
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  family:
    description:
      - The task definition family, e.g. V(api-gateway). 1 to 255 letters, digits, C(-) and C(_).
    type: str
    required: true
  state:
    description:
      - V(present) registers a revision when the wanted definition differs from the latest
        C(ACTIVE) revision (or none exists).
      - V(absent) deregisters B(every) C(ACTIVE) revision of O(family) (they become C(INACTIVE);
        tasks and services already running keep running, but no new task can start from them).
        Older C(INACTIVE) revisions are left as they are. The other options are then ignored.
    type: str
    choices: [present, absent]
    default: present
  cpu:
    description:
      - The task's CPU units (V(1024) is one vCPU), e.g. V(512); also V(0.5 vCPU).
      - Required by Fargate; one of the Fargate sizes (V(256), V(512), V(1024), V(2048), V(4096), ...).
    type: str
  memory:
    description:
      - The task's memory in MiB, e.g. V(1024); also V(1 GB).
    type: str
  execution_role_arn:
    description:
      - The role the ECS agent uses to pull images, write logs and read C(secrets)
        (needs C(secretsmanager:GetSecretValue) on the secrets, and C(kms:Decrypt) for a customer
        managed key).
      - Required when any container has C(secrets) (also those O(pgbouncer) adds).
    type: str
  task_role_arn:
    description: The role the containers' code runs as.
    type: str
  network_mode:
    description:
      - The Docker network mode. Fargate needs V(awsvpc), and O(pgbouncer) needs V(awsvpc) or
        V(host) (the containers of a task share C(127.0.0.1)).
    type: str
    choices: [awsvpc, bridge, host, none]
    default: awsvpc
  requires_compatibilities:
    description: The launch types the definition is validated for.
    type: list
    elements: str
    choices: [EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES]
    default: [FARGATE]
  runtime_platform:
    description:
      - 'C(runtimePlatform) as AWS names it, e.g. V({"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}).'
    type: dict
  volumes:
    description: C(volumes) as AWS names them (camelCase), passed through.
    type: list
    elements: dict
  containers:
    description:
      - The container definitions, each a dict as C(RegisterTaskDefinition) takes it, in AWS's
        camelCase (C(name), C(image), C(portMappings), C(environment), C(secrets),
        C(healthCheck), C(dependsOn), C(logConfiguration), ...), passed through.
      - Each needs C(name) (unique) and C(image).
      - Required with O(state=present).
    type: list
    elements: dict
  log_configuration:
    description:
      - The CloudWatch Logs destination (C(awslogs) driver) for every container that sets no
        C(logConfiguration) of its own, the PgBouncer sidecar included. A container's own
        C(logConfiguration) is kept as it is.
      - The log group is not created; it must exist (the C(ecs) role creates one per service).
      - When not set, containers without C(logConfiguration) have none.
    type: dict
    suboptions:
      group:
        description: The log group, e.g. V(/ecs/medtech-prod).
        type: str
        required: true
      region:
        description: The region of the log group; defaults to the module's region.
        type: str
      stream_prefix:
        description:
          - C(awslogs-stream-prefix); streams are named C(<prefix>/<container name>/<task id>),
            so each container has its own streams.
          - Defaults to O(family).
        type: str
  pgbouncer:
    description:
      - Adds a PgBouncer sidecar to the task, so the application reaches the database through a
        connection pool on C(127.0.0.1).
      - 'The sidecar container runs O(pgbouncer.image), configured by environment variables
        (the image writes its C(pgbouncer.ini) from them): C(DB_HOST), C(DB_PORT), C(DB_NAME),
        C(LISTEN_ADDR=127.0.0.1), C(LISTEN_PORT), C(AUTH_TYPE), C(AUTH_FILE), C(POOL_MODE),
        C(MAX_CLIENT_CONN), C(DEFAULT_POOL_SIZE), C(SERVER_TLS_SSLMODE) (and
        C(SERVER_TLS_CA_FILE)), C(IGNORE_STARTUP_PARAMETERS); C(DB_USER) and C(DB_PASSWORD) are
        C(secrets) read by ECS from C(<credentials_secret_arn>:username::) and C(:password::).
        Its health check runs C(pg_isready) on the listen port; it is C(essential).'
      - 'The application container O(pgbouncer.app_container) gets C(dependsOn) the sidecar with
        condition C(HEALTHY) (it starts once PgBouncer accepts connections), the environment
        C(DATABASE_HOST=127.0.0.1), C(DATABASE_PORT=<listen_port>), C(DATABASE_NAME=<dbname>) and
        the secrets C(DATABASE_USER) and C(DATABASE_PASSWORD) from the same secret keys. If the
        container already sets one of these names to something else, the module fails.'
      - Give the application container its own C(healthCheck) (on its health path) in
        O(containers); the module does not invent one, as it cannot know the image's tools.
    type: dict
    suboptions:
      app_container:
        description: The name of the container in O(containers) that uses the database.
        type: str
        required: true
      container_name:
        description: The sidecar's container name.
        type: str
        default: pgbouncer
      image:
        description:
          - 'The PgBouncer image; its entrypoint must read the variables above (as
            C(edoburu/pgbouncer) does) and it must contain C(pg_isready). Pin a version; a
            digest (C(edoburu/pgbouncer@sha256:...)) pins it for good.'
        type: str
        default: edoburu/pgbouncer:1.23.1
      credentials_secret_arn:
        description:
          - The full ARN of the Secrets Manager secret with the application's credentials, a
            JSON value with the keys O(pgbouncer.username_key) and O(pgbouncer.password_key)
            (e.g. C(prod/rds/app)). Not its name (ECS needs the full ARN to select a JSON key).
        type: str
        required: true
      username_key:
        description: The JSON key of the user name in the secret.
        type: str
        default: username
      password_key:
        description: The JSON key of the password in the secret.
        type: str
        default: password
      server_host:
        description:
          - The database endpoint address (the RDS endpoint).
          - One of O(pgbouncer.server_host) and O(pgbouncer.host_key) is required.
        type: str
      host_key:
        description:
          - Instead of O(pgbouncer.server_host), the JSON key of the database address in the secret
            O(pgbouncer.credentials_secret_arn) (e.g. V(host)); ECS sets C(DB_HOST) from it with
            C(valueFrom). The task definition then does not change when the database's address
            does, and it can be registered before the database exists.
        type: str
      server_port:
        description: The database port.
        type: int
        default: 5432
      dbname:
        description: The database name.
        type: str
        required: true
      pool_mode:
        description: C(pool_mode); the platform uses V(transaction).
        type: str
        choices: [session, transaction, statement]
        default: transaction
      max_client_conn:
        description: C(max_client_conn), the most client connections PgBouncer accepts.
        type: int
        default: 100
      default_pool_size:
        description: C(default_pool_size), the most server connections per database and user; at most O(pgbouncer.max_client_conn).
        type: int
        default: 20
      listen_port:
        description: The port PgBouncer listens on, on C(127.0.0.1).
        type: int
        default: 6432
      server_tls_sslmode:
        description:
          - C(server_tls_sslmode) towards the database. RDS forces TLS (C(rds.force_ssl=1)), so
            only modes that encrypt are accepted.
          - Defaults to V(verify-full) when O(pgbouncer.server_tls_ca_file) is set, else V(require).
        type: str
        choices: [require, verify-ca, verify-full]
      server_tls_ca_file:
        description: The path of the RDS CA bundle inside the sidecar image, for V(verify-ca)/V(verify-full).
        type: str
      auth_type:
        description:
          - How clients authenticate to PgBouncer. V(scram-sha-256) (default) and V(plain) make the
            image keep the password usable for a SCRAM login to the database; V(md5) stores only
            an MD5 hash, which cannot log in to a database that uses SCRAM.
        type: str
        choices: [scram-sha-256, md5, plain]
        default: scram-sha-256
      cpu:
        description: The sidecar's CPU units (counted within the task's O(cpu)).
        type: int
      memory:
        description: The sidecar's hard memory limit in MiB.
        type: int
      memory_reservation:
        description: The sidecar's soft memory limit in MiB.
        type: int
notes:
  - "Calls: C(ecs:ListTaskDefinitions), C(ecs:DescribeTaskDefinition), C(ecs:RegisterTaskDefinition),
    C(ecs:DeregisterTaskDefinition), C(ecs:TagResource), C(ecs:UntagResource), and
    C(iam:PassRole) on the roles."
  - The latest C(ACTIVE) revision is found with C(ListTaskDefinitions) (newest first); its
    C(familyPrefix) filter matches prefixes, so revisions of other families are filtered out.
  - Invalid options fail before any AWS call, with a message that names the option and the fix.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description:
      - Reads the family's revisions and reports whether a revision would be registered;
        registers, tags and deregisters nothing.
  diff_mode:
    support: full
    description:
      - C(before) and C(after) are the compared (normalised, camelCase) definitions with their C(tags).
"""

EXAMPLES = r"""
- name: Task definition of the api-gateway service with its PgBouncer sidecar
  medtech.aws_platform.ecs_taskdefinition:
    family: api-gateway
    cpu: "512"
    memory: "1024"
    execution_role_arn: arn:aws:iam::123456789012:role/medtech-ecs-execution
    task_role_arn: arn:aws:iam::123456789012:role/medtech-api-gateway
    containers:
      - name: app
        image: 123456789012.dkr.ecr.eu-central-1.amazonaws.com/api-gateway:1.4.2
        portMappings:
          - containerPort: 8080
        healthCheck:
          command: ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/health || exit 1"]
          startPeriod: 30
    log_configuration:
      group: /ecs/medtech-prod
    pgbouncer:
      app_container: app
      credentials_secret_arn: arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/rds/app-AbCdEf
      server_host: medtech-prod.abcdefghijkl.eu-central-1.rds.amazonaws.com
      dbname: medtech
    tags:
      environment: prod
      service: api-gateway
  register: api_gateway_taskdef

- name: Deregister every active revision of a family
  medtech.aws_platform.ecs_taskdefinition:
    family: old-service
    state: absent
"""

RETURN = r"""
registered:
  description: Whether a new revision was registered (in check mode, would be).
  returned: always
  type: bool
  sample: false
deregistered:
  description: The ARNs of the revisions deregistered (in check mode, that would be), with O(state=absent).
  returned: when O(state=absent)
  type: list
  elements: str
  sample: ["arn:aws:ecs:eu-central-1:123456789012:task-definition/old-service:3"]
task_definition:
  description:
    - The latest ACTIVE revision after the run, as DescribeTaskDefinition returns it, in
      snake_case (the keys of C(log_configuration.options) and C(docker_labels) are kept as they are).
    - In check mode, when a revision would be registered, the definition that would be
      registered (without C(task_definition_arn) and C(revision)).
    - C({}) when the family has no ACTIVE revision.
  returned: always
  type: dict
  contains:
    task_definition_arn:
      description: The ARN of the revision.
      type: str
      sample: arn:aws:ecs:eu-central-1:123456789012:task-definition/api-gateway:7
    family:
      description: The family.
      type: str
      sample: api-gateway
    revision:
      description: The revision number.
      type: int
      sample: 7
    status:
      description: C(ACTIVE) or C(INACTIVE).
      type: str
      sample: ACTIVE
    cpu:
      description: CPU units.
      type: str
      sample: "512"
    memory:
      description: Memory in MiB.
      type: str
      sample: "1024"
    container_definitions:
      description: The containers, as AWS holds them (with the defaults AWS filled in).
      type: list
      elements: dict
      sample: [{"name": "pgbouncer", "image": "edoburu/pgbouncer:1.23.1", "essential": true}]
    tags:
      description: The revision's tags.
      type: dict
      sample: {"environment": "prod"}
"""

import copy
import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import expected_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_taskdefinition import comparable
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_taskdefinition import deregister_task_definition
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_taskdefinition import describe_task_definition
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_taskdefinition import list_active_revisions
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_taskdefinition import register_task_definition
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_taskdefinition import tag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_taskdefinition import task_size
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_taskdefinition import untag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.pgbouncer import pgbouncer_errors
from ansible_collections.medtech.aws_platform.plugins.module_utils.pgbouncer import render_pgbouncer

SECRET_LOOKING = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE_KEY", re.IGNORECASE)
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^:]+$")
FAMILY = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
PGBOUNCER_SETTINGS = (
    "pool_mode", "max_client_conn", "default_pool_size", "listen_port", "server_host", "server_port",
    "dbname", "server_tls_sslmode", "server_tls_ca_file", "auth_type", "credentials_secret_arn",
    "username_key", "password_key", "host_key",
)
# What the application container gets: environment, then secrets (keys of the same secret).
APP_ENVIRONMENT = ("DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME")
APP_SECRETS = {"DATABASE_USER": "username_key", "DATABASE_PASSWORD": "password_key"}


def _named(items):
    return {item.get("name"): item for item in items or []}


def validate_params(params):
    """Messages for invalid options (empty when valid); no AWS call."""
    errors = []
    if not FAMILY.match(params["family"] or ""):
        errors.append(f"family {params['family']!r}: use 1 to 255 letters, digits, '-' and '_'")
    if params["state"] == "absent":
        return errors
    containers = params["containers"]
    if not containers:
        return errors + ["containers is required with state=present: list the container definitions"]
    names = []
    for index, container in enumerate(containers):
        name = container.get("name")
        if not name or not container.get("image"):
            errors.append(f"containers[{index}] needs 'name' and 'image' (AWS's camelCase container definition)")
        names.append(name)
        for entry in container.get("environment") or []:
            if SECRET_LOOKING.search(str(entry.get("name", ""))):
                errors.append(
                    f"containers[{index}] ({name}) sets environment {entry.get('name')} in plain text: pass "
                    "credentials as 'secrets' with 'valueFrom' (a Secrets Manager or SSM ARN), never as a value"
                )
    duplicates = sorted({name for name in names if name and names.count(name) > 1})
    if duplicates:
        errors.append(f"containers: container names must be unique, {', '.join(duplicates)} repeats")
    for key in ("cpu", "memory"):
        if params[key] is not None and not task_size(params[key]).isdigit():
            errors.append(f"{key} {params[key]!r}: give whole units, e.g. 512 (or '0.5 vCPU' / '1 GB')")
    if "FARGATE" in params["requires_compatibilities"] and params["network_mode"] != "awsvpc":
        errors.append("network_mode must be awsvpc for FARGATE (requires_compatibilities)")
    pgbouncer = params["pgbouncer"]
    if pgbouncer:
        if pgbouncer["app_container"] not in names:
            errors.append(f"pgbouncer.app_container {pgbouncer['app_container']!r} is not in containers; name one of {', '.join(map(str, names))}")
        if pgbouncer["container_name"] in names:
            errors.append(f"pgbouncer.container_name {pgbouncer['container_name']!r} is already a container in containers; choose another name")
        if params["network_mode"] not in ("awsvpc", "host"):
            errors.append("pgbouncer needs network_mode awsvpc or host (the app reaches PgBouncer on 127.0.0.1)")
        if not SECRET_ARN.match(pgbouncer["credentials_secret_arn"] or ""):
            errors.append(
                "pgbouncer.credentials_secret_arn must be the full ARN of the Secrets Manager secret "
                "(arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>), without a JSON key"
            )
        errors.extend(pgbouncer_errors({key: pgbouncer[key] for key in PGBOUNCER_SETTINGS}))
    has_secrets = bool(pgbouncer) or any(container.get("secrets") for container in containers)
    if has_secrets and not params["execution_role_arn"]:
        errors.append(
            "execution_role_arn is required: containers read secrets (ECS fetches them with the execution "
            "role, which needs secretsmanager:GetSecretValue on them)"
        )
    return errors


def _log_configuration(options, family, region):
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": options["group"],
            "awslogs-region": options["region"] or region,
            "awslogs-stream-prefix": options["stream_prefix"] or family,
        },
    }


def add_pgbouncer(containers, pgbouncer):
    """The container list with the sidecar added and the application container wired to it.

    :return: ``(containers, errors)``; errors when the app container sets a name the module
        sets to something else.
    """
    rendered = render_pgbouncer(
        dict({key: pgbouncer[key] for key in PGBOUNCER_SETTINGS}, listen_addr="127.0.0.1")
    )
    sidecar = {
        "name": pgbouncer["container_name"],
        "image": pgbouncer["image"],
        "essential": True,
        "environment": rendered["environment"],
        "secrets": rendered["secrets"],
        "healthCheck": {
            "command": rendered["health_check_command"],
            "interval": 10,
            "timeout": 5,
            "retries": 3,
            "startPeriod": 10,
        },
    }
    for key, aws_key in (("cpu", "cpu"), ("memory", "memory"), ("memory_reservation", "memoryReservation")):
        if pgbouncer[key] is not None:
            sidecar[aws_key] = pgbouncer[key]

    arn = pgbouncer["credentials_secret_arn"]
    wanted_env = {
        "DATABASE_HOST": "127.0.0.1",
        "DATABASE_PORT": str(pgbouncer["listen_port"]),
        "DATABASE_NAME": pgbouncer["dbname"],
    }
    wanted_secrets = {name: f"{arn}:{pgbouncer[key]}::" for name, key in APP_SECRETS.items()}
    errors = []
    result = []
    for container in containers:
        container = copy.deepcopy(container)
        if container["name"] == pgbouncer["app_container"]:
            environment = _named(container.get("environment"))
            secrets = _named(container.get("secrets"))
            for name, value in wanted_env.items():
                if (name in environment and str(environment[name].get("value")) != value) or name in secrets:
                    errors.append(f"containers: {container['name']} sets {name}, which pgbouncer sets to {value}; remove it")
                environment[name] = {"name": name, "value": value}
            for name, value_from in wanted_secrets.items():
                if name in environment or (name in secrets and secrets[name].get("valueFrom") != value_from):
                    errors.append(f"containers: {container['name']} sets {name}, which pgbouncer reads from {value_from}; remove it")
                secrets[name] = {"name": name, "valueFrom": value_from}
            container["environment"] = list(environment.values())
            container["secrets"] = list(secrets.values())
            depends = [d for d in container.get("dependsOn") or [] if d.get("containerName") != sidecar["name"]]
            container["dependsOn"] = depends + [{"containerName": sidecar["name"], "condition": "HEALTHY"}]
        result.append(container)
    return result + [sidecar], errors


def wanted_definition(params, region):
    """RegisterTaskDefinition parameters (without family and tags) from the options, and errors."""
    containers = [dict(container) for container in params["containers"]]
    errors = []
    if params["pgbouncer"]:
        containers, errors = add_pgbouncer(containers, params["pgbouncer"])
    if params["log_configuration"]:
        for container in containers:
            container.setdefault(
                "logConfiguration", _log_configuration(params["log_configuration"], params["family"], region)
            )
    definition = {
        "containerDefinitions": containers,
        "networkMode": params["network_mode"],
        "requiresCompatibilities": params["requires_compatibilities"],
    }
    optional = {
        "cpu": task_size(params["cpu"]),
        "memory": task_size(params["memory"]),
        "executionRoleArn": params["execution_role_arn"],
        "taskRoleArn": params["task_role_arn"],
        "runtimePlatform": params["runtime_platform"],
        "volumes": params["volumes"],
    }
    definition.update({key: value for key, value in optional.items() if value is not None})
    return definition, errors


def snake(definition, tags):
    """The result form of a task definition: snake_case, log options and labels as they are."""
    result = camel_dict_to_snake_dict(definition, ignore_list=["options", "dockerLabels"])
    result["tags"] = tags
    return result


class TaskDefinitionManager:
    """Compare the wanted definition with the family's latest ACTIVE revision; act only on a difference."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.family = module.params["family"]
        self.check_mode = module.check_mode
        self.changed = False

    def latest(self):
        """(taskDefinition, tags dict) of the latest ACTIVE revision, or (None, {})."""
        for arn in list_active_revisions(self.client, self.family):
            found = describe_task_definition(self.client, arn)
            if found is not None:
                definition, tags = found
                return definition, boto3_tag_list_to_ansible_dict(tags, "key", "value")
        return None, {}

    def ensure_present(self, wanted):
        current, current_tags = self.latest()
        wanted_full = dict(wanted, family=self.family)
        differs = comparable(current) != comparable(wanted_full)
        tags = self.params["tags"]
        after_tags = expected_tags(current_tags if current else {}, tags, self.params["purge_tags"] if current else True)
        after, registered = current, False
        if current is None or differs:
            registered = self.changed = True
            if self.check_mode:
                after = wanted_full
            else:
                after, tag_list = register_task_definition(self.client, self.family, wanted, after_tags)
                after_tags = boto3_tag_list_to_ansible_dict(tag_list, "key", "value") if tag_list else after_tags
        elif tags is not None:
            to_set, to_unset = compare_aws_tags(current_tags, tags, self.params["purge_tags"])
            arn = current["taskDefinitionArn"]
            if to_unset:
                self.changed = True
                if not self.check_mode:
                    untag_resource(self.client, arn, sorted(to_unset))
            if to_set:
                self.changed = True
                if not self.check_mode:
                    tag_resource(self.client, arn, {key: str(value) for key, value in to_set.items()})
        result = {
            "changed": self.changed,
            "registered": registered,
            "task_definition": snake(after, after_tags),
        }
        if getattr(self.module, "_diff", False):
            result["diff"] = {
                "before": dict(comparable(current), tags=current_tags) if current else {},
                "after": dict(comparable(wanted_full), tags=after_tags),
            }
        return result

    def ensure_absent(self):
        arns = list_active_revisions(self.client, self.family)
        before = {}
        if arns:
            found = describe_task_definition(self.client, arns[0])
            if found is not None:
                before = dict(comparable(found[0]), tags=boto3_tag_list_to_ansible_dict(found[1], "key", "value"))
            self.changed = True
            if not self.check_mode:
                for arn in arns:
                    deregister_task_definition(self.client, arn)
        result = {"changed": self.changed, "registered": False, "deregistered": arns, "task_definition": {}}
        if getattr(self.module, "_diff", False):
            result["diff"] = {"before": before, "after": {}}
        return result


def main():
    argument_spec = dict(
        family=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        cpu=dict(type="str"),
        memory=dict(type="str"),
        execution_role_arn=dict(type="str"),
        task_role_arn=dict(type="str"),
        network_mode=dict(type="str", default="awsvpc", choices=["awsvpc", "bridge", "host", "none"]),
        requires_compatibilities=dict(
            type="list", elements="str", default=["FARGATE"], choices=["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"]
        ),
        runtime_platform=dict(type="dict"),
        volumes=dict(type="list", elements="dict"),
        containers=dict(type="list", elements="dict"),
        log_configuration=dict(
            type="dict",
            options=dict(group=dict(type="str", required=True), region=dict(type="str"), stream_prefix=dict(type="str")),
        ),
        pgbouncer=dict(
            type="dict",
            options=dict(
                app_container=dict(type="str", required=True),
                container_name=dict(type="str", default="pgbouncer"),
                image=dict(type="str", default="edoburu/pgbouncer:1.23.1"),
                credentials_secret_arn=dict(type="str", required=True, no_log=False),
                username_key=dict(type="str", default="username", no_log=False),
                password_key=dict(type="str", default="password", no_log=False),
                server_host=dict(type="str"),
                host_key=dict(type="str", no_log=False),
                server_port=dict(type="int", default=5432),
                dbname=dict(type="str", required=True),
                pool_mode=dict(type="str", default="transaction", choices=["session", "transaction", "statement"]),
                max_client_conn=dict(type="int", default=100),
                default_pool_size=dict(type="int", default=20),
                listen_port=dict(type="int", default=6432),
                server_tls_sslmode=dict(type="str", choices=["require", "verify-ca", "verify-full"]),
                server_tls_ca_file=dict(type="str"),
                auth_type=dict(type="str", default="scram-sha-256", choices=["scram-sha-256", "md5", "plain"]),
                cpu=dict(type="int"),
                memory=dict(type="int"),
                memory_reservation=dict(type="int"),
            ),
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    errors = validate_params(module.params)
    wanted = None
    if not errors and module.params["state"] == "present":
        wanted, errors = wanted_definition(module.params, module.region)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    manager = TaskDefinitionManager(module, module.client("ecs"))
    try:
        if module.params["state"] == "present":
            result = manager.ensure_present(wanted)
        else:
            result = manager.ensure_absent()
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    module.exit_json(**result)


if __name__ == "__main__":
    main()
