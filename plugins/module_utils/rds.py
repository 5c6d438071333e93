# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure functions for the rds role: validation before any AWS call, the gp3 IOPS decision,
and the check that refuses a change which would replace the database instance.

Nothing here calls AWS. The role ``rds`` reaches these through the filters in
``plugins/filter/rds.py``.

gp3 on RDS for PostgreSQL (RDS User Guide, "gp3 storage"): below 400 GiB the baseline is a fixed
3000 IOPS and 125 MiB/s and cannot be changed; from 400 GiB the baseline is 12000 IOPS and
500 MiB/s, and more (up to 64000 IOPS, at most 500 IOPS per GiB) can be provisioned. AWS refuses
an explicit ``Iops`` below the baseline (InvalidParameterCombination). So the IOPS a setting asks
for is the least the database must get: it is sent only when it exceeds the baseline.
"""

from __future__ import annotations

import re

GP3_MIN_GIB = 20
GP3_MAX_GIB = 65536
GP3_MAX_IOPS = 64000
GP3_MAX_IOPS_PER_GIB = 500
GP3_LARGE_FROM_GIB = 400
GP3_BASELINE_SMALL = 3000
GP3_BASELINE_LARGE = 12000

BACKUP_RETENTION_DAYS = (1, 35)
MIN_WINDOW_MINUTES = 30
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
BACKUP_WINDOW_RE = re.compile(rf"^{_TIME}-{_TIME}$")
MAINTENANCE_WINDOW_RE = re.compile(rf"^([a-z]{{3}}):{_TIME}-([a-z]{{3}}):{_TIME}$", re.IGNORECASE)
ENGINE_VERSION_RE = re.compile(r"^15\.\d+$")
INSTANCE_CLASS_RE = re.compile(r"^db\.[a-z0-9-]+\.[a-z0-9]+$")


def _as_int(value):
    """Return value as int, or None when it is not a whole number (bools are not numbers)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number


def gp3_baseline_iops(allocated_storage):
    """The IOPS gp3 gives a PostgreSQL instance of ``allocated_storage`` GiB without provisioning."""
    return GP3_BASELINE_LARGE if allocated_storage >= GP3_LARGE_FROM_GIB else GP3_BASELINE_SMALL


def gp3_iops_to_send(allocated_storage, iops):
    """Return the ``Iops`` to send to RDS, or None when the baseline already delivers ``iops``.

    :param allocated_storage: storage in GiB (already validated).
    :param iops: the IOPS the database must get (already validated).
    """
    storage, wanted = _as_int(allocated_storage), _as_int(iops)
    if storage is None or wanted is None:
        return None
    return wanted if wanted > gp3_baseline_iops(storage) else None


def _storage_errors(allocated_storage, iops):
    storage, wanted = _as_int(allocated_storage), _as_int(iops)
    if storage is None:
        return [f"rds_allocated_storage='{allocated_storage}' is not a whole number of GiB: set e.g. 500."]
    if not GP3_MIN_GIB <= storage <= GP3_MAX_GIB:
        return [
            f"rds_allocated_storage={storage}: gp3 storage must be {GP3_MIN_GIB} to {GP3_MAX_GIB} GiB: "
            "choose a size in that range."
        ]
    if wanted is None or wanted <= 0:
        return [f"rds_iops='{iops}' is not a positive whole number: set the IOPS the database must get, e.g. 3000."]
    errors = []
    if storage < GP3_LARGE_FROM_GIB and wanted > GP3_BASELINE_SMALL:
        errors.append(
            f"rds_iops={wanted} with rds_allocated_storage={storage}: gp3 below {GP3_LARGE_FROM_GIB} GiB has a "
            f"fixed {GP3_BASELINE_SMALL} IOPS: lower rds_iops to {GP3_BASELINE_SMALL} or raise rds_allocated_storage "
            f"to at least {GP3_LARGE_FROM_GIB}."
        )
    if wanted > GP3_MAX_IOPS:
        errors.append(f"rds_iops={wanted}: gp3 delivers at most {GP3_MAX_IOPS} IOPS: lower rds_iops.")
    if wanted > GP3_MAX_IOPS_PER_GIB * storage:
        errors.append(
            f"rds_iops={wanted} with rds_allocated_storage={storage}: gp3 allows at most {GP3_MAX_IOPS_PER_GIB} IOPS "
            f"per GiB ({GP3_MAX_IOPS_PER_GIB * storage} here): lower rds_iops or raise rds_allocated_storage."
        )
    return errors


def _minutes(hours, minutes):
    return int(hours) * 60 + int(minutes)


def parse_backup_window(window):
    """Return (start, end) in minutes after midnight UTC for ``hh24:mi-hh24:mi``, or None."""
    match = BACKUP_WINDOW_RE.match(str(window or ""))
    if not match:
        return None
    return _minutes(match.group(1), match.group(2)), _minutes(match.group(3), match.group(4))


def parse_maintenance_window(window):
    """Return (start, end) in minutes after Monday 00:00 UTC for ``ddd:hh24:mi-ddd:hh24:mi``, or None."""
    match = MAINTENANCE_WINDOW_RE.match(str(window or ""))
    if not match or match.group(1).lower() not in DAYS or match.group(4).lower() not in DAYS:
        return None
    start = DAYS.index(match.group(1).lower()) * MINUTES_PER_DAY + _minutes(match.group(2), match.group(3))
    end = DAYS.index(match.group(4).lower()) * MINUTES_PER_DAY + _minutes(match.group(5), match.group(6))
    return start, end


def _length(start, end, period):
    """Length of a window that may wrap around the end of its period (a day or a week)."""
    return (end - start) % period


def _intervals(start, end, period):
    """The window as half-open intervals within [0, period), split where it wraps."""
    if end > start:
        return [(start, end)]
    return [(start, period), (0, end)]


def windows_overlap(backup, maintenance):
    """True when the daily backup window meets the weekly maintenance window on any day.

    :param backup: (start, end) minutes after midnight, as parse_backup_window returns.
    :param maintenance: (start, end) minutes after Monday 00:00, as parse_maintenance_window returns.
    Windows are half-open: a backup window ending at 03:00 does not overlap maintenance from 03:00.
    """
    weekly_backups = []
    for day in range(7):
        offset = day * MINUTES_PER_DAY
        start = (offset + backup[0]) % MINUTES_PER_WEEK
        end = (start + _length(*backup, MINUTES_PER_DAY)) % MINUTES_PER_WEEK
        weekly_backups += _intervals(start, end, MINUTES_PER_WEEK)
    for m_start, m_end in _intervals(maintenance[0], maintenance[1], MINUTES_PER_WEEK):
        for b_start, b_end in weekly_backups:
            if b_start < m_end and m_start < b_end:
                return True
    return False


def _window_errors(backup_window, maintenance_window):
    errors = []
    backup = parse_backup_window(backup_window)
    if backup is None:
        errors.append(
            f"rds_backup_window='{backup_window}' is not in the format hh24:mi-hh24:mi (UTC): set e.g. 01:00-01:30."
        )
    elif _length(*backup, MINUTES_PER_DAY) < MIN_WINDOW_MINUTES:
        errors.append(f"rds_backup_window='{backup_window}' is shorter than {MIN_WINDOW_MINUTES} minutes: widen it.")
    maintenance = parse_maintenance_window(maintenance_window)
    if maintenance is None:
        errors.append(
            f"rds_maintenance_window='{maintenance_window}' is not in the format ddd:hh24:mi-ddd:hh24:mi (UTC, ddd one "
            "of mon..sun): set e.g. sun:03:00-sun:04:00."
        )
    elif _length(*maintenance, MINUTES_PER_WEEK) < MIN_WINDOW_MINUTES:
        errors.append(
            f"rds_maintenance_window='{maintenance_window}' is shorter than {MIN_WINDOW_MINUTES} minutes: widen it."
        )
    if not errors and windows_overlap(backup, maintenance):
        errors.append(
            f"rds_backup_window='{backup_window}' (daily) overlaps rds_maintenance_window='{maintenance_window}': "
            "move the backup window, e.g. to 01:00-01:30."
        )
    return errors


def rds_errors(settings):
    """Return every problem in the database settings, as messages naming the variable and the fix.

    :param settings: dict with ``engine_version``, ``instance_class``, ``allocated_storage`` (GiB), ``iops``,
        ``backup_window`` (``hh24:mi-hh24:mi``), ``maintenance_window``
        (``ddd:hh24:mi-ddd:hh24:mi``) and ``backup_retention_period`` (days); a missing key counts
        as a missing value.
    :returns: list of str, empty when the settings are valid. Makes no AWS call.
    """
    errors = []
    version = settings.get("engine_version")
    if not ENGINE_VERSION_RE.match(str(version or "")):
        errors.append(
            f"rds_engine_version='{version}' is not a PostgreSQL 15 minor version: the platform runs "
            "PostgreSQL 15 (parameter group family postgres15): set e.g. 15.4."
        )
    instance_class = settings.get("instance_class")
    if not INSTANCE_CLASS_RE.match(str(instance_class or "")):
        errors.append(
            f"rds_instance_class='{instance_class}' is not an RDS instance class: set e.g. db.r6g.large."
        )
    errors += _storage_errors(settings.get("allocated_storage"), settings.get("iops"))
    errors += _window_errors(settings.get("backup_window"), settings.get("maintenance_window"))
    retention = _as_int(settings.get("backup_retention_period"))
    low, high = BACKUP_RETENTION_DAYS
    if retention is None or not low <= retention <= high:
        errors.append(
            f"rds_backup_retention_period='{settings.get('backup_retention_period')}' is not {low} to {high} days: "
            f"RDS keeps automated backups (and point-in-time recovery) for {low} to {high} days: set e.g. {high}."
        )
    return errors


def rds_replacement_errors(instances, wanted, identity_tags=None, allow_replacement=""):
    """Return why converging would replace the database, unless the replacement is allowed.

    RDS cannot change an instance's engine or its storage encryption key in place; the only
    way is a new instance. amazon.aws.rds_instance does not say so: it leaves the key as it is
    and reports success. This makes the difference explicit.

    :param instances: the account's instances as amazon.aws.rds_instance_info returns them
        (snake_case keys ``db_instance_identifier``, ``engine``, ``storage_encrypted``,
        ``kms_key_id``, ``tags``).
    :param wanted: dict with ``identifier``, ``engine``, ``storage_encrypted`` and ``kms_key_id``
        (the key ARN).
    :param identity_tags: tags that mark the platform's database (e.g. Project and Environment).
        When the configured identifier does not exist but another instance carries all of them,
        the change is a rename, which replaces the instance too. Empty: no rename check.
    :param allow_replacement: the value of ``rds_allow_replacement``; equal to the identifier
        means the replacement is allowed and no message is returned.
    :returns: list of str, empty when nothing would be replaced or the replacement is allowed.
    """
    identifier = wanted.get("identifier")
    if allow_replacement and allow_replacement == identifier:
        return []
    instances = list(instances or [])
    current = next((i for i in instances if i.get("db_instance_identifier") == identifier), {})
    reasons = []
    if current:
        if current.get("engine") != wanted.get("engine"):
            reasons.append(f"engine {current.get('engine')} -> {wanted.get('engine')}")
        if bool(current.get("storage_encrypted")) != bool(wanted.get("storage_encrypted")):
            reasons.append(
                f"storage_encrypted {bool(current.get('storage_encrypted'))} -> {bool(wanted.get('storage_encrypted'))}"
            )
        elif wanted.get("kms_key_id") and current.get("kms_key_id") != wanted.get("kms_key_id"):
            reasons.append(f"KMS key {current.get('kms_key_id')} -> {wanted.get('kms_key_id')}")
    elif identity_tags:
        others = sorted(
            i.get("db_instance_identifier") for i in instances
            if all((i.get("tags") or {}).get(key) == value for key, value in identity_tags.items())
        )
        if others:
            reasons.append(
                f"identifier {', '.join(others)} -> {identifier} (the platform's database exists under another name)"
            )
    if not reasons:
        return []
    return [
        f"Converging would replace database instance {identifier}: {'; '.join(reasons)}. RDS cannot change this "
        f"in place. Nothing was changed. To replace it (a final snapshot is taken, the data is not copied), set "
        f"rds_allow_replacement={identifier}; otherwise restore the previous value."
    ]
