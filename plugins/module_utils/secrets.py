# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Validation of the secrets role's settings (no AWS call), used by the ``secrets_errors`` filter."""

from __future__ import annotations

import re

NAME_PATTERN = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$")
# PostgreSQL identifiers the rotation function accepts; 57 leaves room for "_clone".
USERNAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,56}$")
DBNAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
SECRET_KEYS = {"name", "description", "database_user", "generate", "rotation"}
ROTATIONS = ("single_user", "alternating_users")
GENERATE_KEYS = {
    "length", "exclude_characters", "exclude_numbers", "exclude_punctuation", "exclude_uppercase",
    "exclude_lowercase", "include_space", "require_each_included_type",
}


def _int_in(value, low, high):
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _secret_errors(index, secret, seen):
    where = f"secrets_secrets[{index}]"
    if not isinstance(secret, dict):
        return [f"{where} is not a dictionary: give name, description and database_user, generate or neither."]
    name = secret.get("name")
    if isinstance(name, str) and name:
        where = f"{where} ({name})"
    errors = []
    unknown = sorted(set(secret) - SECRET_KEYS)
    if unknown:
        errors.append(f"{where} has unknown keys {', '.join(unknown)}: use only {', '.join(sorted(SECRET_KEYS))}.")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        errors.append(
            f"{where}: name {name!r} is not a secret name: use 1 to 512 characters out of letters, digits and "
            "/_+=.@-, e.g. prod/rds/admin."
        )
    elif name in seen:
        errors.append(f"{where}: the name {name} is listed twice: list each secret once.")
    seen.add(name)

    user, generate, rotation = secret.get("database_user"), secret.get("generate"), secret.get("rotation")
    if user is not None and generate is not None:
        errors.append(f"{where} has both database_user and generate: keep one (database_user generates the password).")
    if user is not None:
        if not isinstance(user, dict):
            errors.append(f"{where}: database_user must be a dictionary with username and dbname.")
        else:
            username, dbname = user.get("username"), user.get("dbname")
            if not isinstance(username, str) or not USERNAME_PATTERN.match(username):
                errors.append(
                    f"{where}: database_user.username {username!r} is not usable: use a PostgreSQL name of letters, "
                    "digits and _ (not starting with a digit), at most 57 characters, e.g. medtech_app."
                )
            if not isinstance(dbname, str) or not DBNAME_PATTERN.match(dbname):
                errors.append(
                    f"{where}: database_user.dbname {dbname!r} is not usable: use a PostgreSQL database name of "
                    "letters, digits and _, e.g. medtech."
                )
    if generate is not None:
        if not isinstance(generate, dict):
            errors.append(f"{where}: generate must be a dictionary, e.g. {{length: 64}}.")
        else:
            unknown = sorted(set(generate) - GENERATE_KEYS)
            if unknown:
                errors.append(f"{where}: generate has unknown keys {', '.join(unknown)}: use {', '.join(sorted(GENERATE_KEYS))}.")
            length = generate.get("length", 64)
            if not _int_in(length, 16, 4096):
                errors.append(f"{where}: generate.length is {length!r}: set a number of characters from 16 to 4096.")
    if rotation is not None:
        if rotation not in ROTATIONS:
            errors.append(f"{where}: rotation {rotation!r} is not known: use single_user or alternating_users.")
        elif user is None:
            errors.append(f"{where}: rotation needs database_user: only database credentials are rotated.")
    return errors


def secrets_errors(config):
    """Every problem in the secrets role's settings, before any AWS call.

    :param config: dict with ``state`` (present|absent), ``region``, ``dr_region``,
        ``kms_key_alias``, ``secrets`` (list of dicts: name, description, database_user
        {username, dbname} | generate {length, ...} | neither, rotation single_user |
        alternating_users), ``recovery_window_days`` (days), ``rotation_interval_days`` (days),
        ``confirm_delete``.
    :returns: list of messages, each naming the variable and the fix; empty when valid.
    """
    errors = []
    region, dr_region = config.get("region"), config.get("dr_region")
    if not isinstance(region, str) or not REGION_PATTERN.match(region):
        errors.append(f"secrets_region (aws_region) is {region!r}: set aws_region to a region code, e.g. eu-central-1.")
    if dr_region not in (None, "") and (not isinstance(dr_region, str) or not REGION_PATTERN.match(dr_region)):
        errors.append(f"secrets_dr_region (aws_dr_region) is {dr_region!r}: set a region code, e.g. eu-west-1, or '' for no replicas.")
    elif dr_region and dr_region == region:
        errors.append(f"secrets_dr_region (aws_dr_region) is the platform region {region}: set another region, e.g. eu-west-1.")

    window = config.get("recovery_window_days")
    if not _int_in(window, 7, 30):
        errors.append(
            f"secrets_recovery_window_days is {window!r}: set a number of days from 7 to 30 (a deleted secret is "
            "always restorable for that long)."
        )
    if config.get("state") == "absent":
        return errors

    alias = config.get("kms_key_alias")
    if not isinstance(alias, str) or not re.match(r"^alias/[A-Za-z0-9/_-]{1,250}$", alias) or alias.startswith("alias/aws/"):
        errors.append(
            f"secrets_kms_key_alias is {alias!r}: set an alias of the form alias/<name> (not alias/aws/..., which "
            "AWS reserves), e.g. alias/medtech-prod-platform."
        )
    interval = config.get("rotation_interval_days")
    if not _int_in(interval, 1, 365):
        errors.append(f"secrets_rotation_interval_days is {interval!r}: set a number of days from 1 to 365 (DOC 5: 30).")

    secrets = config.get("secrets")
    if not isinstance(secrets, list):
        return errors + [f"secrets_secrets is {type(secrets).__name__}: give a list of secrets (name, description, ...)."]
    seen = set()
    for index, secret in enumerate(secrets):
        errors.extend(_secret_errors(index, secret, seen))
    rotations = [secret.get("rotation") for secret in secrets if isinstance(secret, dict)]
    if "alternating_users" in rotations and rotations.count("single_user") != 1:
        errors.append(
            "secrets_secrets: alternating_users rotation needs exactly one secret with rotation single_user (the "
            f"database's master credentials, which create the users); found {rotations.count('single_user')}."
        )
    return errors
