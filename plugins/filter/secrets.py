# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters for the secrets role: settings validation."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.medtech.aws_platform.plugins.module_utils.secrets import secrets_errors


def _secrets_errors(config):
    """``config | medtech.aws_platform.secrets_errors`` -> list of messages (empty when valid)."""
    if not isinstance(config, dict):
        raise AnsibleFilterError("secrets_errors expects a dict with state, region, dr_region, kms_key_alias, secrets, ...")
    return secrets_errors(config)


class FilterModule:
    """Filters of the secrets role."""

    def filters(self):
        return {"secrets_errors": _secrets_errors}
