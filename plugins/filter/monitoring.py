# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters for the monitoring role: settings validation, the alarms, the dashboards and the
EventBridge pattern of the "ECS task failed" alarm (see module_utils/monitoring.py)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.medtech.aws_platform.plugins.module_utils import monitoring


def _settings(settings, name):
    if not isinstance(settings, dict):
        raise AnsibleFilterError(f"{name} expects a dict of the monitoring settings (see its documentation)")
    return settings


def _require(settings, name, keys):
    missing = [key for key in keys if key not in settings]
    if missing:
        raise AnsibleFilterError(f"{name}: the settings lack {', '.join(missing)}")
    return settings


def _monitoring_errors(settings):
    """``settings | medtech.aws_platform.monitoring_errors`` -> list of messages (empty when valid)."""
    return monitoring.monitoring_errors(_settings(settings, "monitoring_errors"))


def _monitoring_alarms(settings):
    """``settings | medtech.aws_platform.monitoring_alarms`` -> list of {key, priority, definition}."""
    name = "monitoring_alarms"
    _require(_settings(settings, name), name, ("name_prefix", "alarms", "topics", "load_balancer_arn",
                                               "db_instance_identifier", "event_rule_name"))
    return monitoring.alarm_definitions(settings)


def _monitoring_dashboards(settings):
    """``settings | medtech.aws_platform.monitoring_dashboards`` -> list of {name, title, body}."""
    name = "monitoring_dashboards"
    _require(_settings(settings, name), name, ("name_prefix", "alarms", "region", "load_balancer_arn",
                                               "db_instance_identifier", "cluster_name", "services"))
    return monitoring.dashboard_bodies(settings)


def _monitoring_task_failed_pattern(settings):
    """``settings | medtech.aws_platform.monitoring_task_failed_pattern`` -> EventBridge pattern (dict)."""
    name = "monitoring_task_failed_pattern"
    _require(_settings(settings, name), name, ("cluster_arn", "services"))
    return monitoring.task_failed_event_pattern(settings)


class FilterModule:
    """Monitoring filters of medtech.aws_platform."""

    def filters(self):
        return {
            "monitoring_errors": _monitoring_errors,
            "monitoring_alarms": _monitoring_alarms,
            "monitoring_dashboards": _monitoring_dashboards,
            "monitoring_task_failed_pattern": _monitoring_task_failed_pattern,
        }
