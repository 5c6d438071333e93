# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters for the ecs role: settings validation and the database capacity figure."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_settings import database_capacity
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs_settings import ecs_errors


def _settings(settings, name):
    if not isinstance(settings, dict):
        raise AnsibleFilterError(
            f"{name} expects a dict with services, autoscaling, pgbouncer, container_port, security_groups, "
            "database_instance_class, database_max_connections"
        )
    return settings


def _ecs_errors(settings):
    """``settings | medtech.aws_platform.ecs_errors`` -> list of messages (empty when valid)."""
    return ecs_errors(_settings(settings, "ecs_errors"))


def _ecs_database_capacity(settings):
    """``settings | medtech.aws_platform.ecs_database_capacity`` -> dict (see module_utils.ecs_settings)."""
    return database_capacity(_settings(settings, "ecs_database_capacity"))


class FilterModule:
    """ECS filters of medtech.aws_platform."""

    def filters(self):
        return {
            "ecs_errors": _ecs_errors,
            "ecs_database_capacity": _ecs_database_capacity,
        }
