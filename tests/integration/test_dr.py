"""The dr role, playbooks/failover.yml and playbooks/dr_drill.yml against the emulator.

The module fixture runs the molecule scenario molecule/dr (prepare: network, secrets, rds and the
load balancer; converge; idempotence: zero changes; verify: every SPEC 7 value read back with
boto3) once, and the runbook and drill tests then run on what it built, in file order:
refusals first (nothing changes), then an az failover end to end, a second run that must not fail
over again, a run without confirmation, the region scope to the restore in eu-west-1, the drill.
The emulator's RDS fails over, replicates and restores as scripts/emulator_rds_dr.py describes;
the modules' AWS error paths are Stubber-tested.
"""

import json
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import PlaybookResult, flat, playbook_runner, run_job_template, run_molecule

pytestmark = [pytest.mark.emulator, pytest.mark.molecule, pytest.mark.xdist_group("dr")]

DB = "medtech-prod-db"
SINGLE = "medtech-prod-single-az"
STEPS = ["check", "failover", "page", "confirm", "verify"]


def when(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def reports(directory, kind):
    """The reports of one kind in ``directory``, oldest first, as (json dict, markdown text)."""
    found = []
    for path in sorted(Path(directory).glob(f"{kind}-*.json")):
        found.append((json.loads(path.read_text()), path.with_suffix(".md").read_text()))
    return found


@pytest.mark.parametrize("extra_vars,message", [
    ({"scope": "everything"}, 'scope (dr_failover_scope) must be az (Multi-AZ standby) or region'),
    ({"incident_started": "yesterday"}, 'incident_started (dr_failover_incident_started) "yesterday" is not UTC ISO 8601'),
    ({"incident_started": "2026-02-30T03:14:00Z"}, '"2026-02-30T03:14:00Z" is not a real date and time'),
    ({"incident_started": "2999-01-01T00:00:00Z"}, '"2999-01-01T00:00:00Z" lies in the future'),
    ({"confirmed": "maybe"}, "confirmed (dr_failover_confirmed) must be true or false"),
], ids=["scope", "incident-started", "impossible-date", "future", "confirmed"])
def test_bad_runbook_input_is_named_before_any_aws_call(run_short_playbook, tmp_path, extra_vars, message):
    result = run_short_playbook("playbooks/failover.yml", extra_vars={**extra_vars, "dr_report_dir": str(tmp_path)})
    assert result.rc != 0
    assert message in flat(result), result.output[-3000:]
    assert "nothing was read or changed" in flat(result)
    assert reports(tmp_path, "failover") == []


@pytest.mark.parametrize("extra_vars,message", [
    ({"dr_hosted_zone": ""}, "dr_hosted_zone must name the public hosted zone"),
    ({"dr_recovery_region": "eu-central-1"}, "dr_recovery_region must differ from dr_region"),
    ({"dr_rds_backup_replication_retention_period": 36}, "dr_rds_backup_replication_retention_period must be 1-35 days"),
    ({"dr_health_check_request_interval": 15}, "dr_health_check_request_interval must be 10 or 30"),
    ({"dr_s3_replicated_buckets": ["documents", "photos"]}, 'unknown bucket "photos"'),
    ({"dr_s3_replicated_buckets": '["photos"]'}, "dr_s3_replicated_buckets must be a list, not the text"),
], ids=["no-zone", "same-region", "retention", "interval", "unknown-bucket", "list-as-text"])
def test_bad_dr_settings_fail_site_before_any_aws_call(aws, run_short_playbook, extra_vars, message):
    result = run_short_playbook("playbooks/site.yml", extra_vars=extra_vars)
    assert result.rc != 0
    assert message in flat(result), result.output[-3000:]
    assert aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["medtech-prod-vpc"]}])["Vpcs"] == []


@pytest.fixture(scope="module")
def protected(moto_server, tmp_path_factory):
    """The emulator after `molecule test -s dr` (the scenario's every step must pass), plus a
    single-AZ instance without replicated backups; ``emulator``, ``run`` (reports go to ``reports``)."""
    moto_server.reset()
    output = run_molecule(moto_server.url, "dr", "test")
    assert "idempotence" in output.lower()
    moto_server.client("rds").create_db_instance(
        DBInstanceIdentifier=SINGLE, DBInstanceClass="db.t4g.micro", Engine="postgres", EngineVersion="15.4",
        AllocatedStorage=20, MasterUsername="single", MasterUserPassword="not-a-secret-1", MultiAZ=False,
        BackupRetentionPeriod=7, StorageEncrypted=True)
    directory = tmp_path_factory.mktemp("reports")
    runner = playbook_runner(moto_server.url)

    def run(playbook, **extra_vars):
        return runner(playbook, extra_vars={"dr_report_dir": str(directory), **extra_vars})

    def job(name, **answers):
        """An AWX job template of playbooks/awx_configure.yml, run as AWX runs it (ansible-runner)."""
        result = run_job_template(name, answers, moto_server.url, tmp_path_factory.mktemp("awx-job"),
                                  inventory_vars={"dr_report_dir": str(directory)})
        return PlaybookResult(result.rc, result.stdout, "")

    return SimpleNamespace(emulator=moto_server, run=run, job=job, reports=directory)


def instance(protected, identifier=DB, region="eu-central-1"):
    return protected.emulator.client("rds", region).describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def test_the_runbook_refuses_a_database_without_a_standby_and_changes_nothing(protected):
    before = instance(protected, SINGLE)
    result = protected.run("playbooks/failover.yml", confirmed=True, dr_rds_instance_identifier=SINGLE)
    assert result.rc != 0
    assert "The database is not Multi-AZ: there is no standby to fail over to" in flat(result)
    report, markdown = reports(protected.reports, "failover")[-1]
    assert report["outcome"] == "refused" and [s["name"] for s in report["steps"]] == ["check"]
    assert report["recovery_time_seconds"] is None and "NOT met / not measured" in markdown
    after = instance(protected, SINGLE)
    assert (after["DBInstanceStatus"], after["AvailabilityZone"]) == (before["DBInstanceStatus"], before["AvailabilityZone"])


def test_the_region_scope_refuses_without_a_restore_point_in_the_dr_region(protected):
    result = protected.run("playbooks/failover.yml", scope="region", confirmed=True, dr_rds_instance_identifier=SINGLE)
    assert result.rc != 0
    assert "No restore point in eu-west-1" in flat(result)
    assert protected.emulator.client("rds", "eu-west-1").describe_db_instances()["DBInstances"] == []


def test_a_healthy_platform_is_not_failed_over_without_force(protected):
    before = instance(protected)
    result = protected.run("playbooks/failover.yml", confirmed=True)
    assert result.rc != 0
    assert "The platform looks healthy: health check healthy, database available in " + before["AvailabilityZone"] in flat(result)
    assert "run again with -e force=true" in flat(result)
    report = reports(protected.reports, "failover")[-1][0]
    assert report["outcome"] == "refused" and [s["name"] for s in report["steps"]] == ["check"]
    assert instance(protected)["AvailabilityZone"] == before["AvailabilityZone"]
    events = protected.emulator.client("rds").describe_events(
        SourceIdentifier=DB, SourceType="db-instance", EventCategories=["failover"])["Events"]
    assert events == []


def test_the_az_failover_runs_every_step_in_order_and_reports_measured_figures(protected):
    """The AWX failover workflow's job nodes as AWX runs them (ansible-runner): the platform status,
    then (after the approval node) the runbook with confirmed=true and the survey's force=true."""
    before = instance(protected)
    assert before["MultiAZ"] and before["SecondaryAvailabilityZone"]
    status = protected.job("Platform status")
    assert status.rc == 0 and "medtech-prod-db available" in status.stdout, status.output[-4000:]
    assert instance(protected)["AvailabilityZone"] == before["AvailabilityZone"]
    result = protected.job("Failover runbook (approved)", scope="az", force="true")
    assert result.rc == 0, result.output[-4000:]
    report, markdown = reports(protected.reports, "failover")[-1]
    assert report["outcome"] == "completed" and report["scope"] == "az"
    assert [s["name"] for s in report["steps"]] == STEPS
    assert all(s["status"] == "ok" for s in report["steps"])
    times = [when(t) for s in report["steps"] for t in (s["started"], s["ended"])]
    assert times == sorted(times), "each step starts after the one before it ended"
    assert "forced failover (RebootDBInstance ForceFailover) from " + before["AvailabilityZone"] in report["steps"][1]["detail"]
    assert report["failover_performed_by_runbook"] is True and report["failover_by"] == "this runbook (forced failover)"
    # the recovery time is the measured span from the incident start (the run's start) to the verification's end
    assert report["incident_started"] == report["started"]
    assert report["recovered_at"] == report["steps"][-1]["ended"]
    assert report["recovery_time_seconds"] == (when(report["recovered_at"]) - when(report["started"])).total_seconds()
    assert report["rto_met"] is True and report["data_loss_window_seconds"] == 0 and report["rpo_met"] is True
    assert "| 5 | verify |" in markdown and "against the RTO of 14400 s: met" in markdown
    after = instance(protected)
    assert after["DBInstanceStatus"] == "available"
    assert after["AvailabilityZone"] == before["SecondaryAvailabilityZone"]
    assert after["SecondaryAvailabilityZone"] == before["AvailabilityZone"]


def test_a_second_run_within_the_lookback_does_not_fail_over_again(protected):
    before = instance(protected)
    result = protected.run("playbooks/failover.yml", confirmed=True, incident_started="2026-01-01T00:00:00Z")
    assert result.rc == 0, result.output[-4000:]
    report = reports(protected.reports, "failover")[-1][0]
    assert "no second failover" in report["steps"][1]["detail"]
    assert report["failover_performed_by_runbook"] is False
    assert report["failover_by"].startswith("an earlier failover, completed ")
    assert report["incident_started"] == "2026-01-01T00:00:00Z"
    assert report["recovery_time_seconds"] > report["rto_seconds"] and report["rto_met"] is False
    assert instance(protected)["AvailabilityZone"] == before["AvailabilityZone"]


def test_without_a_terminal_or_confirmed_the_runbook_stops_at_the_confirmation(protected):
    result = protected.run("playbooks/failover.yml")
    assert result.rc != 0
    assert "The failover was not confirmed" in flat(result)
    report = reports(protected.reports, "failover")[-1][0]
    assert [s["name"] for s in report["steps"]] == STEPS[:4]
    assert report["steps"][-1]["status"] == "stopped" and "no terminal to ask on" in report["steps"][-1]["detail"]
    assert report["outcome"] == "failed" and report["recovered_at"] == ""


def test_the_region_scope_restores_the_database_in_the_dr_region(protected):
    result = protected.run("playbooks/failover.yml", scope="region", confirmed=True)
    assert result.rc == 0, result.output[-4000:]
    report = reports(protected.reports, "failover")[-1][0]
    assert report["outcome"] == "completed" and report["scope"] == "region"
    assert [s["name"] for s in report["steps"]] == STEPS
    assert isinstance(report["data_loss_window_seconds"], (int, float)) and report["data_loss_window_seconds"] >= 0
    restored = instance(protected, DB, "eu-west-1")
    dr_key = protected.emulator.client("kms", "eu-west-1").describe_key(KeyId="alias/medtech-prod-platform")["KeyMetadata"]["Arn"]
    assert restored["DBInstanceStatus"] == "available" and restored["KmsKeyId"] == dr_key
    assert restored["MultiAZ"] and restored["DeletionProtection"] and not restored["PubliclyAccessible"]
    assert restored["DBSubnetGroup"]["DBSubnetGroupName"] == "medtech-prod-db-subnets"
    assert instance(protected)["DBInstanceStatus"] == "available", "the platform region's database is untouched"
    assert report["failover_by"] == "this runbook (restore in eu-west-1)"
    # a second run finds the instance restored: no second restore, and no data-loss figure it cannot know
    again = protected.run("playbooks/failover.yml", scope="region", confirmed=True)
    assert again.rc == 0, again.output[-4000:]
    report = reports(protected.reports, "failover")[-1][0]
    assert "already restored (instance existed)" in report["steps"][1]["detail"]
    assert report["data_loss_window_seconds"] is None and report["rpo_met"] is False
    assert report["data_loss_basis"].startswith("not measured: the instance in eu-west-1 existed before this run")


def test_the_drill_refuses_a_throwaway_name_rds_would_reject(protected):
    for prefix, problem in (("x" * 49, "at most 48 characters"), ("Bad_Name", "must be lower-case letters, digits")):
        result = protected.run("playbooks/dr_drill.yml", dr_drill_instance_prefix=prefix)
        assert result.rc != 0
        message = flat(result)
        assert f'dr_drill_instance_prefix "{prefix}" must be' in message and problem in message
        assert "nothing was created" in message
    assert reports(protected.reports, "dr-drill") == []


def test_the_drill_restores_checks_measures_and_deletes_its_throwaway(protected):
    before = instance(protected)
    result = protected.job("DR drill")
    assert result.rc == 0, result.output[-4000:]
    report, markdown = reports(protected.reports, "dr-drill")[-1]
    assert report["outcome"] == "passed", report
    assert report["throwaway_instance"].startswith("medtech-prod-drill-") and report["throwaway_instance"] != DB
    assert report["checks"] and all(str(c["expected"]) == str(c["found"]) for c in report["checks"])
    assert "DIFF" not in markdown and "| engine and version | postgres 15.4 | postgres 15.4 | OK |" in markdown
    # measured, not made up: the RPO is the latest restorable time's age during the drill, the restore
    # time the span between the restore's own timestamps (rounded to seconds in the report)
    age_at_end = (when(report["ended"]) - when(report["latest_restorable_time"])).total_seconds()
    assert 0 <= report["rpo_measured_seconds"] <= age_at_end and report["rpo_met"] is (report["rpo_measured_seconds"] <= 3600)
    span = (when(report["restore_completed"]) - when(report["restore_started"])).total_seconds()
    assert report["restore_seconds"] > 0 and abs(report["restore_seconds"] - span) < 1.5
    assert report["throwaway_deleted"]
    names = [i["DBInstanceIdentifier"] for i in protected.emulator.client("rds").describe_db_instances()["DBInstances"]]
    assert report["throwaway_instance"] not in names and DB in names
    after = instance(protected)
    assert (after["DBInstanceStatus"], after["AvailabilityZone"]) == (before["DBInstanceStatus"], before["AvailabilityZone"])
