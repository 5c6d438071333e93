# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters for the rds role: settings validation, the gp3 IOPS decision, the replacement guard."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.medtech.aws_platform.plugins.module_utils.rds import gp3_iops_to_send
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds import rds_errors
from ansible_collections.medtech.aws_platform.plugins.module_utils.rds import rds_replacement_errors


def _rds_errors(settings):
    """``settings | medtech.aws_platform.rds_errors`` -> list of messages (empty when valid)."""
    if not isinstance(settings, dict):
        raise AnsibleFilterError(
            "rds_errors expects a dict with engine_version, instance_class, allocated_storage, iops, backup_window, "
            "maintenance_window, backup_retention_period"
        )
    return rds_errors(settings)


def _rds_replacement_errors(instances, wanted, identity_tags=None, allow_replacement=""):
    """``instances | medtech.aws_platform.rds_replacement_errors(wanted, identity_tags, allow)`` -> messages."""
    if not isinstance(wanted, dict):
        raise AnsibleFilterError("rds_replacement_errors expects the wanted values as a dict")
    return rds_replacement_errors(instances or [], wanted, identity_tags or {}, allow_replacement or "")


class FilterModule:
    """RDS filters of medtech.aws_platform."""

    def filters(self):
        return {
            "rds_errors": _rds_errors,
            "rds_replacement_errors": _rds_replacement_errors,
            "rds_gp3_iops": gp3_iops_to_send,
        }
