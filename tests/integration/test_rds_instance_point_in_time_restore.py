"""Integration tests: rds_instance_point_in_time_restore (and rds_event_info on its result), run
by ``ansible`` against the emulator.

Only the same-region restore from a source instance: moto 5.2.5 has no replicated automated
backups (a restore with SourceDBInstanceAutomatedBackupsArn "succeeds" there from whatever
instance it finds first), ignores RestoreTime and never fails a restore; those paths, the AWS
errors and the waiter's timeout are in the Stubber tests
(tests/unit/plugins/modules/test_rds_instance_point_in_time_restore_stubbed.py).
"""

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.rds_instance_point_in_time_restore"
EVENTS = "medtech.aws_platform.rds_event_info"
SOURCE = "medtech-test-db"
TARGET = "medtech-test-db-drill"
ARGS = {
    "db_instance_identifier": TARGET,
    "source_db_instance_identifier": SOURCE,
    "use_latest_restorable_time": True,
    "deletion_protection": False,
    "tags": {"purpose": "dr-drill"},
    "wait_timeout": 60,
}


@pytest.fixture()
def source(aws):
    """A minimal PostgreSQL instance with automated backups (no network, no secrets)."""
    rds = aws.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier=SOURCE, Engine="postgres", DBInstanceClass="db.t4g.micro", AllocatedStorage=20,
        MasterUsername="dbadmin", MasterUserPassword="not-a-real-password-1", BackupRetentionPeriod=7,
    )
    return rds


def identifiers(rds):
    return sorted(i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"])


def test_check_mode_then_restore_then_unchanged(ansible_module, source):
    checked = ansible_module(MODULE, ARGS, check=True)
    assert checked.get("failed") is not True, checked
    assert checked["changed"] is True
    assert checked["db_instance"] == {"db_instance_identifier": TARGET}
    assert identifiers(source) == [SOURCE]  # check mode restored nothing

    first = ansible_module(MODULE, ARGS)
    assert first.get("failed") is not True, first
    assert first["changed"] is True
    restored = first["db_instance"]
    assert restored["db_instance_identifier"] == TARGET
    assert restored["db_instance_status"] == "available"
    assert restored["endpoint"]["port"] == 5432
    assert restored["tags"] == {"purpose": "dr-drill"}
    assert restored["deletion_protection"] is False
    assert isinstance(first["restore_seconds"], float) and first["restore_seconds"] >= 0
    assert first["restore_started"] <= first["restore_completed"]
    assert first["restore_started"].endswith("+00:00")
    assert identifiers(source) == sorted([SOURCE, TARGET])
    assert source.describe_db_instances(DBInstanceIdentifier=TARGET)["DBInstances"][0]["DeletionProtection"] is False

    # second run: the target exists, nothing is restored, it is returned as it is
    second = ansible_module(MODULE, dict(ARGS, db_instance_class="db.r6g.large"))
    assert second.get("failed") is not True, second
    assert second["changed"] is False
    assert second["db_instance"]["db_instance_identifier"] == TARGET
    assert second["db_instance"]["db_instance_class"] == restored["db_instance_class"]
    assert "restore_seconds" not in second
    assert ansible_module(MODULE, ARGS, check=True)["changed"] is False
    assert identifiers(source) == sorted([SOURCE, TARGET])

    # the drill reads the restored instance's events (moto records its creation)
    events = ansible_module(EVENTS, {"source_identifier": TARGET})
    assert events.get("failed") is not True, events
    assert events["changed"] is False
    assert events["events"], events
    assert {e["source_identifier"] for e in events["events"]} == {TARGET}
    dates = [e["date"] for e in events["events"]]
    assert dates == sorted(dates)


def test_deletion_protection_is_on_by_default(ansible_module, source):
    result = ansible_module(MODULE, {key: value for key, value in ARGS.items() if key != "deletion_protection"})
    assert result["changed"] is True, result
    assert source.describe_db_instances(DBInstanceIdentifier=TARGET)["DBInstances"][0]["DeletionProtection"] is True
    source.modify_db_instance(DBInstanceIdentifier=TARGET, DeletionProtection=False, ApplyImmediately=True)


def test_check_mode_fails_for_a_missing_source(ansible_module, aws):
    result = ansible_module(MODULE, ARGS, check=True)
    assert result.get("failed") is True
    assert f"there is no DB instance {SOURCE} in eu-central-1" in result["msg"]


def test_the_source_as_target_is_refused(ansible_module, source):
    result = ansible_module(MODULE, dict(ARGS, db_instance_identifier=SOURCE))
    assert result.get("failed") is True
    assert "is the source instance itself" in result["msg"]
    assert identifiers(source) == [SOURCE]
