# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure functions for the ecs role: settings validation and the database capacity check.

Nothing here calls AWS. The role ``ecs`` reaches these through the filters in
``plugins/filter/ecs.py`` and runs them before any AWS call.

Fargate task sizes (Amazon ECS Developer Guide, "Task CPU and memory", Linux): each CPU value
(CPU units, 1024 = 1 vCPU) allows a fixed set of memory values (MiB); any other pair is refused
by RegisterTaskDefinition.

RDS for PostgreSQL's default ``max_connections`` is ``LEAST({DBInstanceClassMemory/9531392}, 5000)``
(RDS User Guide, "Maximum number of database connections"). ``DBInstanceClassMemory`` is the
instance's memory less what RDS reserves for the operating system, so the figure computed here
from the nominal memory is an upper estimate of a few percent; the inventory may give the
exact value (``SHOW max_connections``) instead.
"""

from __future__ import annotations

import re

GIB = 1024 * 1024 * 1024
RDS_MAX_CONNECTIONS_DIVISOR = 9531392
RDS_MAX_CONNECTIONS_CAP = 5000


def _mib_range(start_gib, end_gib, step_gib=1):
    return [gib * 1024 for gib in range(start_gib, end_gib + 1, step_gib)]


# CPU units -> the memory values (MiB) Fargate accepts with it.
FARGATE_TASK_SIZES = {
    256: [512, 1024, 2048],
    512: _mib_range(1, 4),
    1024: _mib_range(2, 8),
    2048: _mib_range(4, 16),
    4096: _mib_range(8, 30),
    8192: _mib_range(16, 60, 4),
    16384: _mib_range(32, 120, 8),
}

# Nominal memory (GiB) of the RDS instance classes the platform may run on.
RDS_INSTANCE_MEMORY_GIB = {
    "db.t3.micro": 1, "db.t3.small": 2, "db.t3.medium": 4, "db.t3.large": 8, "db.t3.xlarge": 16, "db.t3.2xlarge": 32,
    "db.t4g.micro": 1, "db.t4g.small": 2, "db.t4g.medium": 4, "db.t4g.large": 8, "db.t4g.xlarge": 16,
    "db.t4g.2xlarge": 32,
}
for _family in ("m5", "m6g", "m6i", "m7g"):
    RDS_INSTANCE_MEMORY_GIB.update({
        f"db.{_family}.large": 8, f"db.{_family}.xlarge": 16, f"db.{_family}.2xlarge": 32,
        f"db.{_family}.4xlarge": 64, f"db.{_family}.8xlarge": 128, f"db.{_family}.12xlarge": 192,
        f"db.{_family}.16xlarge": 256,
    })
for _family in ("r5", "r6g", "r6i", "r7g"):
    RDS_INSTANCE_MEMORY_GIB.update({
        f"db.{_family}.large": 16, f"db.{_family}.xlarge": 32, f"db.{_family}.2xlarge": 64,
        f"db.{_family}.4xlarge": 128, f"db.{_family}.8xlarge": 256, f"db.{_family}.12xlarge": 384,
        f"db.{_family}.16xlarge": 512,
    })

POOL_MODES = ("session", "transaction", "statement")
SERVICE_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
# Target group names: at most 32 characters; the role names them <environment>-<service>-<blue|green>.
TARGET_GROUP_NAME_MAX = 32


def _as_int(value):
    """Return value as int, or None when it is not a whole number (bools are not numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def rds_max_connections(instance_class, max_connections=0):
    """The database's max_connections for the capacity check.

    :param instance_class: RDS instance class, e.g. ``db.r6g.large``.
    :param max_connections: an explicit figure (int > 0) wins; 0 or None derives it from the class.
    :returns: int, or None when the class is unknown and no figure is given.
    """
    explicit = _as_int(max_connections)
    if explicit:
        return explicit
    memory_gib = RDS_INSTANCE_MEMORY_GIB.get(str(instance_class or ""))
    if memory_gib is None:
        return None
    return min(memory_gib * GIB // RDS_MAX_CONNECTIONS_DIVISOR, RDS_MAX_CONNECTIONS_CAP)


def service_capacity(service, autoscaling):
    """Return ``(min_capacity, max_capacity)`` of a service: its own values, else the role's defaults."""
    min_capacity = service.get("min_capacity", autoscaling.get("min_capacity"))
    max_capacity = service.get("max_capacity", autoscaling.get("max_capacity"))
    return _as_int(min_capacity), _as_int(max_capacity)


def database_capacity(settings):
    """The worst case of database connections against the database's max_connections.

    :param settings: dict with ``services`` (list of dicts with ``name`` and optional
        ``min_capacity``/``max_capacity``), ``autoscaling`` (dict with ``min_capacity``,
        ``max_capacity``), ``pgbouncer`` (dict with ``default_pool_size``),
        ``database_instance_class`` (str) and ``database_max_connections`` (int, 0 = derive).
    :returns: dict ``{max_connections (int or None), worst_case_connections (int),
        per_service: {name: connections}, alarm_threshold (int, 80 % of max_connections, or None)}``.
        Each task's PgBouncer opens at most ``default_pool_size`` server connections (one
        database and user per task), so the worst case is the sum over services of
        ``max_capacity x default_pool_size``.
    """
    pool_size = _as_int((settings.get("pgbouncer") or {}).get("default_pool_size")) or 0
    autoscaling = settings.get("autoscaling") or {}
    per_service = {}
    for service in settings.get("services") or []:
        max_capacity = service_capacity(service, autoscaling)[1] or 0
        per_service[str(service.get("name"))] = max_capacity * pool_size
    max_connections = rds_max_connections(
        settings.get("database_instance_class"), settings.get("database_max_connections")
    )
    return {
        "max_connections": max_connections,
        "worst_case_connections": sum(per_service.values()),
        "per_service": per_service,
        "alarm_threshold": (max_connections * 80) // 100 if max_connections else None,
    }


def _fargate_size_errors(name, cpu, memory):
    cpu_value, memory_value = _as_int(cpu), _as_int(memory)
    if cpu_value not in FARGATE_TASK_SIZES:
        return [
            f"ecs_services[{name}].cpu={cpu!r} is not a Fargate CPU value: use one of "
            f"{', '.join(str(c) for c in FARGATE_TASK_SIZES)} (CPU units, 1024 = 1 vCPU)."
        ]
    allowed = FARGATE_TASK_SIZES[cpu_value]
    if memory_value not in allowed:
        return [
            f"ecs_services[{name}]: Fargate does not accept cpu {cpu_value} with memory {memory!r} MiB: with cpu "
            f"{cpu_value} use memory {allowed[0]} to {allowed[-1]} MiB ({', '.join(str(m) for m in allowed)})."
        ]
    return []


def _capacity_errors(name, service, autoscaling):
    errors = []
    min_capacity, max_capacity = service_capacity(service, autoscaling)
    desired = _as_int(service.get("desired_count"))
    if min_capacity is None or min_capacity < 0:
        errors.append(f"ecs_services[{name}].min_capacity (or ecs_autoscaling.min_capacity) must be a whole number >= 0.")
    if max_capacity is None or max_capacity < 1:
        errors.append(f"ecs_services[{name}].max_capacity (or ecs_autoscaling.max_capacity) must be a whole number >= 1.")
    if errors:
        return errors
    if min_capacity > max_capacity:
        errors.append(
            f"ecs_services[{name}]: min_capacity {min_capacity} is greater than max_capacity {max_capacity}: "
            "raise max_capacity or lower min_capacity."
        )
    if desired is None:
        errors.append(f"ecs_services[{name}].desired_count={service.get('desired_count')!r} is not a whole number.")
    elif not min_capacity <= desired <= max_capacity:
        errors.append(
            f"ecs_services[{name}].desired_count={desired} is outside min_capacity..max_capacity "
            f"({min_capacity}..{max_capacity}): Auto Scaling would move it at once; set it within the range."
        )
    return errors


def _autoscaling_errors(autoscaling):
    errors = []
    target = autoscaling.get("target_cpu_utilization")
    try:
        target_value = float(target)
    except (TypeError, ValueError):
        target_value = None
    if isinstance(target, bool) or target_value is None or not 0 < target_value <= 100:
        errors.append(f"ecs_autoscaling.target_cpu_utilization={target!r} is not a percentage above 0 up to 100: set e.g. 70.")
    for key in ("scale_out_cooldown", "scale_in_cooldown"):
        value = _as_int(autoscaling.get(key))
        if value is None or value < 0:
            errors.append(f"ecs_autoscaling.{key}={autoscaling.get(key)!r} is not a whole number of seconds >= 0.")
    return errors


def pool_errors(pgbouncer):
    """Problems of the PgBouncer pool settings (ecs_pgbouncer), one message each."""
    errors = []
    mode = pgbouncer.get("pool_mode")
    if mode not in POOL_MODES:
        errors.append(f"ecs_pgbouncer.pool_mode={mode!r} is not one of {', '.join(POOL_MODES)}: DOC 4.2 uses transaction.")
    max_client_conn = _as_int(pgbouncer.get("max_client_conn"))
    pool_size = _as_int(pgbouncer.get("default_pool_size"))
    if max_client_conn is None or max_client_conn < 1:
        errors.append(f"ecs_pgbouncer.max_client_conn={pgbouncer.get('max_client_conn')!r} must be a whole number >= 1 (DOC 4.2: 100).")
    if pool_size is None or pool_size < 1:
        errors.append(f"ecs_pgbouncer.default_pool_size={pgbouncer.get('default_pool_size')!r} must be a whole number >= 1 (DOC 4.2: 20).")
    if max_client_conn and pool_size and pool_size > max_client_conn:
        errors.append(
            f"ecs_pgbouncer.default_pool_size={pool_size} is larger than max_client_conn={max_client_conn}: a pool "
            "cannot use more server connections than it has clients; lower default_pool_size."
        )
    port = _as_int(pgbouncer.get("listen_port"))
    if port is None or not 1024 <= port <= 65535:
        errors.append(f"ecs_pgbouncer.listen_port={pgbouncer.get('listen_port')!r} must be 1024 to 65535 (e.g. 6432).")
    return errors


def _port_admitted(security_groups, container_port):
    """Errors when the network role's layout does not let the ALB reach the containers' port."""
    groups = {group.get("key"): group for group in security_groups or []}
    if "alb" not in groups or "ecs" not in groups:
        return [
            "network_security_groups has no 'alb' and 'ecs' entries (the network role's layout): the ALB could not "
            "reach the services; add them as DOC 2.3 defines."
        ]

    def has_rule(rules, port, group):
        return any(_as_int(rule.get("port")) == port and rule.get("group") == group for rule in rules or [])

    errors = []
    if not has_rule(groups["alb"].get("egress"), container_port, "ecs"):
        errors.append(
            f"ecs_container_port={container_port} is not admitted by the ALB security group (network_security_groups "
            "'alb' has no egress rule for that port to group 'ecs'): use the port DOC 2.3 opens (8080) or add the rule."
        )
    if not has_rule(groups["ecs"].get("ingress"), container_port, "alb"):
        errors.append(
            f"ecs_container_port={container_port} is not admitted by the ECS security group (network_security_groups "
            "'ecs' has no ingress rule for that port from group 'alb'): use the port DOC 2.3 opens (8080) or add the rule."
        )
    return errors


def ecs_errors(settings):
    """Every problem of the ecs role's settings, before any AWS call.

    :param settings: dict with ``cluster_name``, ``services`` (list of dicts: name, cpu (CPU units),
        memory (MiB), desired_count, optional min_capacity, max_capacity, path_patterns),
        ``autoscaling`` (dict), ``pgbouncer`` (dict), ``container_port`` (int),
        ``security_groups`` (the network role's ``network_security_groups``), ``environment``
        (platform_environment, for target group names), ``database_instance_class`` and
        ``database_max_connections``.
    :returns: list of messages, each naming the variable and the fix; empty when valid.
    """
    errors = []
    if not str(settings.get("cluster_name") or "").strip():
        errors.append("ecs_cluster_name is empty: set it (DOC 3.1: medtech-prod-cluster).")
    services = settings.get("services")
    autoscaling = settings.get("autoscaling") or {}
    pgbouncer = settings.get("pgbouncer") or {}
    if not isinstance(services, list) or not services:
        errors.append("ecs_services is empty: list the services (DOC 3.2: api-gateway, patient-service, billing-service).")
        services = []
    errors += _autoscaling_errors(autoscaling)
    errors += pool_errors(pgbouncer)
    seen = set()
    default_routes = []
    environment = str(settings.get("environment") or "")
    for index, service in enumerate(services):
        if not isinstance(service, dict):
            errors.append(f"ecs_services[{index}] is not a dict with name, cpu, memory, desired_count.")
            continue
        name = service.get("name")
        if not isinstance(name, str) or not SERVICE_NAME_RE.match(name):
            errors.append(
                f"ecs_services[{index}].name={name!r}: use lower-case letters, digits and '-', starting with a letter, "
                "at most 32 characters."
            )
            name = str(index)
        elif name in seen:
            errors.append(f"ecs_services: the name {name} appears twice; service names must be unique.")
        seen.add(name)
        longest = f"{environment}-{name}-green"
        if len(longest) > TARGET_GROUP_NAME_MAX:
            errors.append(
                f"ecs_services[{name}]: its target group name {longest} is longer than {TARGET_GROUP_NAME_MAX} "
                "characters (an ELB limit): shorten the service name."
            )
        errors += _fargate_size_errors(name, service.get("cpu"), service.get("memory"))
        errors += _capacity_errors(name, service, autoscaling)
        patterns = service.get("path_patterns") or []
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p.startswith("/") for p in patterns):
            errors.append(f"ecs_services[{name}].path_patterns must be a list of paths starting with '/', e.g. ['/patients*'].")
        elif not patterns:
            default_routes.append(name)
    if services and len(default_routes) != 1:
        errors.append(
            "ecs_services: exactly one service must have no path_patterns (the ALB's default route, DOC: api-gateway); "
            f"found {len(default_routes)}: {', '.join(default_routes) or 'none'}."
        )
    port = _as_int(settings.get("container_port"))
    if port is None or not 1 <= port <= 65535:
        errors.append(f"ecs_container_port={settings.get('container_port')!r} is not a port number (DOC: 8080).")
    else:
        errors += _port_admitted(settings.get("security_groups"), port)
    if not errors:
        errors += capacity_errors(settings)
    return errors


def capacity_errors(settings):
    """The capacity check of SPEC 3: the worst case must stay under the database's max_connections."""
    capacity = database_capacity(settings)
    if capacity["max_connections"] is None:
        return [
            f"ecs_database_instance_class={settings.get('database_instance_class')!r} is not an instance class the "
            "capacity check knows: set ecs_database_max_connections to the database's max_connections "
            "(SHOW max_connections)."
        ]
    if capacity["worst_case_connections"] > capacity["max_connections"]:
        detail = ", ".join(f"{name} {count}" for name, count in capacity["per_service"].items())
        return [
            f"The services could open {capacity['worst_case_connections']} database connections at full scale "
            f"({detail}: max_capacity x ecs_pgbouncer.default_pool_size), more than the database's max_connections "
            f"{capacity['max_connections']}: lower max_capacity or default_pool_size, or use a larger instance class."
        ]
    return []
