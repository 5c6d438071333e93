"""Unit tests for plugins/module_utils/ecs_settings.py: the ecs role's validation and capacity check."""

import copy

import pytest
import yaml

from ansible_collections.medtech.aws_platform.plugins.module_utils import ecs_settings

from conftest import REPO_ROOT

PLATFORM = yaml.safe_load((REPO_ROOT / "inventories/production/group_vars/all/platform.yml").read_text())


def doc_settings():
    """The settings of DOC-2025-003 as the production inventory holds them."""
    return {
        "cluster_name": "medtech-prod-cluster",
        "services": copy.deepcopy(PLATFORM["ecs_services"]),
        "autoscaling": dict(PLATFORM["ecs_autoscaling"]),
        "pgbouncer": dict(PLATFORM["ecs_pgbouncer"]),
        "container_port": PLATFORM["ecs_container_port"],
        "security_groups": copy.deepcopy(PLATFORM["network_security_groups"]),
        "environment": "prod",
        "database_instance_class": PLATFORM["rds_instance_class"],
        "database_max_connections": 0,
    }


def service(settings, name):
    return next(item for item in settings["services"] if item["name"] == name)


def test_the_documented_settings_are_valid():
    assert ecs_settings.ecs_errors(doc_settings()) == []


def test_a_cpu_memory_pair_fargate_refuses():
    settings = doc_settings()
    service(settings, "api-gateway")["memory"] = 8192
    found = ecs_settings.ecs_errors(settings)
    assert found == [
        "ecs_services[api-gateway]: Fargate does not accept cpu 512 with memory 8192 MiB: with cpu 512 use memory "
        "1024 to 4096 MiB (1024, 2048, 3072, 4096)."
    ]


@pytest.mark.parametrize("cpu", [300, 0, "lots", None, 32768])
def test_a_cpu_value_fargate_does_not_have(cpu):
    settings = doc_settings()
    service(settings, "billing-service")["cpu"] = cpu
    found = ecs_settings.ecs_errors(settings)
    assert len(found) == 1 and found[0].startswith(f"ecs_services[billing-service].cpu={cpu!r} is not a Fargate CPU value")


@pytest.mark.parametrize("cpu,memory", [(256, 512), (1024, 8192), (4096, 30720), (8192, 61440), (16384, 122880)])
def test_fargate_pairs_at_the_edges_are_accepted(cpu, memory):
    settings = doc_settings()
    service(settings, "api-gateway").update(cpu=cpu, memory=memory)
    assert ecs_settings.ecs_errors(settings) == []


@pytest.mark.parametrize("desired", [1, 11])
def test_desired_count_outside_min_max(desired):
    settings = doc_settings()
    service(settings, "patient-service")["desired_count"] = desired
    found = ecs_settings.ecs_errors(settings)
    assert found == [
        f"ecs_services[patient-service].desired_count={desired} is outside min_capacity..max_capacity (2..10): "
        "Auto Scaling would move it at once; set it within the range."
    ]


def test_min_greater_than_max():
    settings = doc_settings()
    service(settings, "api-gateway").update(min_capacity=5, max_capacity=3, desired_count=4)
    found = ecs_settings.ecs_errors(settings)
    assert found[0] == (
        "ecs_services[api-gateway]: min_capacity 5 is greater than max_capacity 3: raise max_capacity or lower min_capacity."
    )


@pytest.mark.parametrize("mode", ["Transaction", "pooled", "", None])
def test_pool_mode_other_than_the_three(mode):
    settings = doc_settings()
    settings["pgbouncer"]["pool_mode"] = mode
    found = ecs_settings.ecs_errors(settings)
    assert found == [f"ecs_pgbouncer.pool_mode={mode!r} is not one of session, transaction, statement: DOC 4.2 uses transaction."]


def test_pool_size_larger_than_max_client_connections():
    settings = doc_settings()
    settings["pgbouncer"]["default_pool_size"] = 101
    found = ecs_settings.ecs_errors(settings)
    assert found == [
        "ecs_pgbouncer.default_pool_size=101 is larger than max_client_conn=100: a pool cannot use more server "
        "connections than it has clients; lower default_pool_size."
    ]


def test_container_port_the_alb_security_group_does_not_admit():
    settings = doc_settings()
    settings["container_port"] = 9090
    found = ecs_settings.ecs_errors(settings)
    assert len(found) == 2
    assert found[0].startswith("ecs_container_port=9090 is not admitted by the ALB security group")
    assert found[1].startswith("ecs_container_port=9090 is not admitted by the ECS security group")


def test_container_port_follows_the_network_layout():
    settings = doc_settings()
    settings["container_port"] = 9090
    for group in settings["security_groups"]:
        for rule in group["ingress"] + group["egress"]:
            if rule.get("port") == 8080:
                rule["port"] = 9090
    assert ecs_settings.ecs_errors(settings) == []


def test_exactly_one_default_route():
    settings = doc_settings()
    service(settings, "billing-service")["path_patterns"] = []
    found = ecs_settings.ecs_errors(settings)
    assert found == [
        "ecs_services: exactly one service must have no path_patterns (the ALB's default route, DOC: api-gateway); "
        "found 2: api-gateway, billing-service."
    ]


def test_duplicate_and_bad_names():
    settings = doc_settings()
    service(settings, "billing-service")["name"] = "api-gateway"
    settings["services"].append({"name": "Bad_Name", "cpu": 512, "memory": 1024, "desired_count": 2, "path_patterns": ["/x"]})
    found = ecs_settings.ecs_errors(settings)
    assert "ecs_services: the name api-gateway appears twice; service names must be unique." in found
    assert any(message.startswith("ecs_services[3].name='Bad_Name'") for message in found)


def test_target_group_names_longer_than_32_characters():
    settings = doc_settings()
    settings["environment"] = "production-eu"
    found = ecs_settings.ecs_errors(settings)
    assert found == [
        f"ecs_services[{name}]: its target group name production-eu-{name}-green is longer than 32 "
        "characters (an ELB limit): shorten the service name."
        for name in ("patient-service", "billing-service")
    ]


@pytest.mark.parametrize("target", [0, 101, "high", True])
def test_autoscaling_target_must_be_a_percentage(target):
    settings = doc_settings()
    settings["autoscaling"]["target_cpu_utilization"] = target
    assert ecs_settings.ecs_errors(settings)[0].startswith(f"ecs_autoscaling.target_cpu_utilization={target!r}")


def test_capacity_of_the_document_on_db_r6g_large():
    capacity = ecs_settings.database_capacity(doc_settings())
    # 16 GiB / 9531392 bytes per connection, RDS's default formula.
    assert capacity == {
        "max_connections": 1802,
        "worst_case_connections": 600,
        "per_service": {"api-gateway": 200, "patient-service": 200, "billing-service": 200},
        "alarm_threshold": 1441,
    }


def test_capacity_follows_the_settings():
    settings = doc_settings()
    service(settings, "patient-service")["max_capacity"] = 30
    settings["pgbouncer"]["default_pool_size"] = 10
    settings["database_max_connections"] = 500
    capacity = ecs_settings.database_capacity(settings)
    assert capacity["worst_case_connections"] == 100 + 300 + 100
    assert capacity["max_connections"] == 500
    assert capacity["alarm_threshold"] == 400


def test_worst_case_above_max_connections_is_refused():
    settings = doc_settings()
    settings["database_instance_class"] = "db.t3.medium"  # 4 GiB -> 450 connections < 600
    found = ecs_settings.ecs_errors(settings)
    assert found == [
        "The services could open 600 database connections at full scale (api-gateway 200, patient-service 200, "
        "billing-service 200: max_capacity x ecs_pgbouncer.default_pool_size), more than the database's "
        "max_connections 450: lower max_capacity or default_pool_size, or use a larger instance class."
    ]


def test_unknown_instance_class_asks_for_the_figure():
    settings = doc_settings()
    settings["database_instance_class"] = "db.x99.huge"
    assert ecs_settings.ecs_errors(settings)[0].startswith("ecs_database_instance_class='db.x99.huge' is not an instance class")
    settings["database_max_connections"] = 1000
    assert ecs_settings.ecs_errors(settings) == []
