"""Unit tests for plugins/module_utils/rds.py: settings validation, gp3 IOPS, replacement guard."""

import pytest

from ansible_collections.medtech.aws_platform.plugins.module_utils import rds

DOC = {"engine_version": "15.4", "instance_class": "db.r6g.large", "allocated_storage": 500, "iops": 3000, "backup_window": "01:00-01:30",
       "maintenance_window": "sun:03:00-sun:04:00", "backup_retention_period": 35}


def errors(**overrides):
    return rds.rds_errors(dict(DOC, **overrides))


def test_the_documented_settings_are_valid():
    assert errors() == []


@pytest.mark.parametrize("version", ["14.9", "16.1", "15", "15.4.1", "", None, "postgres15"])
def test_engine_version_other_than_15_is_refused(version):
    found = errors(engine_version=version)
    assert len(found) == 1 and found[0].startswith(f"rds_engine_version='{version}' is not a PostgreSQL 15")


@pytest.mark.parametrize("version", ["15.4", "15.10"])
def test_any_15_minor_version_is_accepted(version):
    assert errors(engine_version=version) == []


@pytest.mark.parametrize("storage", [19, 0, 65537, "lots", None])
def test_storage_outside_gp3_limits_is_refused(storage):
    found = errors(allocated_storage=storage)
    assert len(found) == 1 and found[0].startswith(f"rds_allocated_storage={storage}") or \
        found[0].startswith(f"rds_allocated_storage='{storage}'")


@pytest.mark.parametrize("storage", [20, 399, 400, 65536])
def test_storage_at_the_gp3_limits_is_accepted(storage):
    assert errors(allocated_storage=storage) == []


def test_more_than_3000_iops_below_400_gib_is_refused():
    assert errors(allocated_storage=399, iops=3001) == [
        "rds_iops=3001 with rds_allocated_storage=399: gp3 below 400 GiB has a fixed 3000 IOPS: lower rds_iops to "
        "3000 or raise rds_allocated_storage to at least 400."
    ]


def test_more_than_64000_iops_is_refused():
    assert errors(allocated_storage=1000, iops=64001) == ["rds_iops=64001: gp3 delivers at most 64000 IOPS: lower rds_iops."]


def test_more_than_500_iops_per_gib_is_refused():
    # below 400 GiB the fixed baseline refuses it first; the ratio is reported too
    found = errors(allocated_storage=20, iops=10001)
    assert any("at most 500 IOPS per GiB (10000 here)" in e for e in found)


@pytest.mark.parametrize("iops", [0, -1, "many", None])
def test_iops_that_is_not_a_positive_number_is_refused(iops):
    found = errors(iops=iops)
    assert len(found) == 1 and found[0].startswith(f"rds_iops='{iops}' is not a positive whole number")


@pytest.mark.parametrize("storage, iops, sent", [(500, 3000, None), (500, 12000, None), (500, 12001, 12001),
                                                 (100, 3000, None), (100, 1000, None), (1000, 64000, 64000)])
def test_iops_is_sent_only_above_the_baseline(storage, iops, sent):
    assert rds.gp3_iops_to_send(storage, iops) == sent


@pytest.mark.parametrize("window", ["1:00-1:30", "01:00-0130", "25:00-01:00", "01:60-02:30", "", None, "mon:01:00-mon:01:30"])
def test_malformed_backup_window_is_refused(window):
    found = errors(backup_window=window)
    assert found == [f"rds_backup_window='{window}' is not in the format hh24:mi-hh24:mi (UTC): set e.g. 01:00-01:30."]


@pytest.mark.parametrize("window", ["sun:03:00-04:00", "sunday:03:00-sunday:04:00", "xyz:03:00-xyz:04:00",
                                    "sun:24:00-mon:00:30", "", None, "03:00-04:00"])
def test_malformed_maintenance_window_is_refused(window):
    found = errors(maintenance_window=window)
    assert len(found) == 1 and found[0].startswith(f"rds_maintenance_window='{window}' is not in the format")


def test_windows_shorter_than_30_minutes_are_refused():
    assert errors(backup_window="01:00-01:29") == [
        "rds_backup_window='01:00-01:29' is shorter than 30 minutes: widen it."]
    assert errors(maintenance_window="sun:03:00-sun:03:15") == [
        "rds_maintenance_window='sun:03:00-sun:03:15' is shorter than 30 minutes: widen it."]


@pytest.mark.parametrize("backup", ["03:30-04:00", "02:45-03:15", "03:59-04:30", "02:00-05:00", "23:00-03:30"])
def test_backup_window_overlapping_maintenance_is_refused(backup):
    assert errors(backup_window=backup) == [
        f"rds_backup_window='{backup}' (daily) overlaps rds_maintenance_window='sun:03:00-sun:04:00': move the "
        "backup window, e.g. to 01:00-01:30."
    ]


@pytest.mark.parametrize("backup", ["02:30-03:00", "04:00-04:30", "01:00-01:30", "23:30-00:30"])
def test_backup_window_next_to_maintenance_is_accepted(backup):
    assert errors(backup_window=backup) == []


def test_overlap_is_checked_on_the_weekly_timeline_across_midnight_and_week_end():
    # maintenance Sun 23:30 - Mon 00:30 wraps the week; a daily backup at 00:00-00:30 meets it on Monday
    assert errors(maintenance_window="sun:23:30-mon:00:30", backup_window="00:00-00:30") != []
    assert errors(maintenance_window="sun:23:30-mon:00:30", backup_window="01:00-01:30") == []
    # case of the day names does not matter (AWS accepts Sun)
    assert errors(maintenance_window="Sun:03:00-Sun:04:00") == []


@pytest.mark.parametrize("days", [0, 36, -1, "", None, "a month"])
def test_backup_retention_outside_1_to_35_days_is_refused(days):
    found = errors(backup_retention_period=days)
    assert len(found) == 1 and found[0].startswith(f"rds_backup_retention_period='{days}' is not 1 to 35 days")


def test_every_problem_is_reported_at_once():
    found = rds.rds_errors({})
    assert [e.split("=", maxsplit=1)[0] for e in found] == [
        "rds_engine_version", "rds_instance_class", "rds_allocated_storage", "rds_backup_window", "rds_maintenance_window",
        "rds_backup_retention_period"]


@pytest.mark.parametrize("instance_class", ["", None, "r6g.large", "db.r6g", "large"])
def test_missing_or_malformed_instance_class_is_refused(instance_class):
    assert errors(instance_class=instance_class) == [
        f"rds_instance_class='{instance_class}' is not an RDS instance class: set e.g. db.r6g.large."]


KEY = "arn:aws:kms:eu-central-1:123456789012:key/aaaa"
WANTED = {"identifier": "medtech-prod-db", "engine": "postgres", "storage_encrypted": True, "kms_key_id": KEY}
PLATFORM = {"Project": "medtech-platform", "Environment": "prod"}
CURRENT = {"db_instance_identifier": "medtech-prod-db", "engine": "postgres", "storage_encrypted": True,
           "kms_key_id": KEY, "tags": dict(PLATFORM)}
UNRELATED = {"db_instance_identifier": "other-team-db", "engine": "mysql", "storage_encrypted": False,
             "tags": {"Project": "billing"}}


def test_nothing_to_replace_when_engine_and_key_match_or_the_instance_is_new():
    assert rds.rds_replacement_errors([CURRENT, UNRELATED], WANTED, PLATFORM) == []
    assert rds.rds_replacement_errors([UNRELATED], WANTED, PLATFORM) == []
    assert rds.rds_replacement_errors([], WANTED, PLATFORM) == []


@pytest.mark.parametrize("current, reason", [
    (dict(CURRENT, engine="mysql"), "engine mysql -> postgres"),
    (dict(CURRENT, kms_key_id="arn:aws:kms:eu-central-1:123456789012:key/bbbb"),
     "KMS key arn:aws:kms:eu-central-1:123456789012:key/bbbb -> " + KEY),
    (dict(CURRENT, storage_encrypted=False, kms_key_id=None), "storage_encrypted False -> True"),
])
def test_a_change_that_replaces_the_instance_is_refused_naming_the_opt_in(current, reason):
    found = rds.rds_replacement_errors([current], WANTED, PLATFORM)
    assert len(found) == 1
    assert reason in found[0]
    assert "set rds_allow_replacement=medtech-prod-db" in found[0]


def test_a_rename_is_refused_when_another_platform_instance_exists():
    renamed = dict(CURRENT, db_instance_identifier="medtech-prod-database")
    found = rds.rds_replacement_errors([renamed, UNRELATED], WANTED, PLATFORM)
    assert len(found) == 1 and "identifier medtech-prod-database -> medtech-prod-db" in found[0]
    # without identity tags there is no rename check
    assert rds.rds_replacement_errors([renamed], WANTED, {}) == []


def test_the_opt_in_must_name_the_instance():
    current = dict(CURRENT, engine="mysql")
    assert rds.rds_replacement_errors([current], WANTED, PLATFORM, allow_replacement="medtech-prod-db") == []
    assert rds.rds_replacement_errors([current], WANTED, PLATFORM, allow_replacement="yes") != []
