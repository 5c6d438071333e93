"""The amazon.aws modules the dr role builds on, against the emulator (DOC-2025-003 section 7).

tests/integration/dr_building_blocks/converge.yml creates, one task each: a KMS key in
eu-central-1 and in eu-west-1, the backup vault of each region, the daily backup plan with its
copy to the DR vault, the selection of the database, a public hosted zone, the HTTPS health
check of the load balancer, the failover records (PRIMARY: alias to the load balancer with the
health check; SECONDARY: alias to the S3 website endpoint in eu-west-1) and the alarm on the
health check in us-east-1. Fake ARNs where only an ARN is needed; no network or database.

What is read back comes from the emulator through boto3, not from the modules' own output. A
second converge changes nothing; --check changes nothing but backup_plan, which reports a change
in check mode whenever the plan carries tags (amazon.aws 11.4 ``tag_backup_plan`` returns
"changed" in check mode before comparing the tags; a real run compares them and changes nothing).
"""

import re
from types import SimpleNamespace

import pytest

from conftest import playbook_runner

# `make pytest` runs xdist workers; this group keeps the file's tests on one, in order.
pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("dr_building_blocks")]

CONVERGE = "tests/integration/dr_building_blocks/converge.yml"
ALB_DNS = "medtech-prod-alb-1234567890.eu-central-1.elb.amazonaws.com"
ZONE = "medtech-demo.example.com."
DB = "arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-postgres"
ROLE = "arn:aws:iam::123456789012:role/medtech-prod-backup"
DR_VAULT_ARN = "arn:aws:backup:eu-west-1:123456789012:backup-vault:medtech-prod-backup-vault-dr"
PLAN_TASK = "Daily backup plan, copied to the DR vault"


def task_statuses(result):
    """{task name: set of statuses ('ok', 'changed', 'failed', ...)} from the default callback's output."""
    statuses, task = {}, None
    for line in result.stdout.splitlines():
        header = re.match(r"TASK \[(.*)\] \*+", line)
        if header:
            task = header.group(1)
            continue
        status = re.match(r"(ok|changed|fatal|failed|skipping): \[localhost\]", line)
        if status and task:
            statuses.setdefault(task, set()).add(status.group(1))
    return statuses


def changed_tasks(result):
    return sorted(task for task, found in task_statuses(result).items() if "changed" in found)


def the_plan(backup):
    [listed] = [p for p in backup.list_backup_plans()["BackupPlansList"] if p["BackupPlanName"] == "medtech-prod-daily"]
    return backup.get_backup_plan(BackupPlanId=listed["BackupPlanId"])


def health_check_id(route53):
    [check] = route53.list_health_checks()["HealthChecks"]
    return check["Id"]


@pytest.fixture(scope="module")
def built(moto_server):
    """The emulator after one converge, shared by the tests below: ``emulator``, ``run``, ``first``."""
    moto_server.reset()
    run = playbook_runner(moto_server.url)
    first = run(CONVERGE)
    assert first.rc == 0, first.output[-5000:]
    return SimpleNamespace(emulator=moto_server, run=run, first=first)


def test_the_first_converge_creates_every_block(built):
    statuses = task_statuses(built.first)
    reads = {"Plan as backup_plan_info reads it", "Records as route53_info reads them"}
    assert {task for task, found in statuses.items() if found != {"changed"}} == reads, statuses
    assert len(statuses) == 12


def test_vaults_are_in_their_regions_with_their_keys(built):
    for region, name in (("eu-central-1", "medtech-prod-backup-vault"), ("eu-west-1", "medtech-prod-backup-vault-dr")):
        backup, kms = built.emulator.client("backup", region), built.emulator.client("kms", region)
        key_arn = kms.describe_key(KeyId="alias/medtech-prod-backup")["KeyMetadata"]["Arn"]
        vault = backup.describe_backup_vault(BackupVaultName=name)
        assert vault["EncryptionKeyArn"] == key_arn
        assert f":{region}:" in key_arn
        assert backup.list_tags(ResourceArn=vault["BackupVaultArn"])["Tags"]["managed-by"] == "ansible"
    assert backup.describe_backup_vault(BackupVaultName="medtech-prod-backup-vault-dr")["BackupVaultArn"] == DR_VAULT_ARN


def test_the_plan_backs_up_daily_and_copies_to_the_dr_vault(built):
    backup = built.emulator.client("backup")
    [rule] = the_plan(backup)["BackupPlan"]["Rules"]
    assert rule["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert (rule["StartWindowMinutes"], rule["CompletionWindowMinutes"]) == (60, 480)
    assert rule["TargetBackupVaultName"] == "medtech-prod-backup-vault"
    assert rule["Lifecycle"] == {"DeleteAfterDays": 35}
    assert rule["CopyActions"] == [{"DestinationBackupVaultArn": DR_VAULT_ARN, "Lifecycle": {"DeleteAfterDays": 35}}]


def test_the_selection_puts_the_database_in_the_plan(built):
    backup = built.emulator.client("backup")
    plan_id = the_plan(backup)["BackupPlanId"]
    [listed] = backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]
    selection = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=listed["SelectionId"])["BackupSelection"]
    assert (selection["SelectionName"], selection["IamRoleArn"], selection["Resources"]) == (
        "medtech-prod-database", ROLE, [DB])


def test_failover_records_route_to_the_alb_while_its_health_check_passes(built):
    route53 = built.emulator.client("route53")
    check_id = health_check_id(route53)
    config = route53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]
    assert (config["Type"], config["FullyQualifiedDomainName"], config["Port"], config["ResourcePath"],
            config["RequestInterval"], config["FailureThreshold"]) == ("HTTPS", ALB_DNS, 443, "/health", 30, 3)

    [zone] = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == ZONE]
    assert zone["Config"]["PrivateZone"] is False
    records = route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
    failover = {r["Failover"]: r for r in records if r["Name"] == f"app.{ZONE}"}
    primary, secondary = failover["PRIMARY"], failover["SECONDARY"]
    assert (primary["Type"], primary["SetIdentifier"], primary["HealthCheckId"]) == ("A", "primary", check_id)
    assert primary["AliasTarget"] == {"HostedZoneId": "Z215JYRZR1TBD5", "DNSName": ALB_DNS, "EvaluateTargetHealth": True}
    assert (secondary["Type"], secondary["SetIdentifier"]) == ("A", "secondary")
    assert "HealthCheckId" not in secondary
    assert secondary["AliasTarget"]["DNSName"] == "s3-website-eu-west-1.amazonaws.com"

    # what a failover runbook reads
    observations = route53.get_health_check_status(HealthCheckId=check_id)["HealthCheckObservations"]
    assert {o["StatusReport"]["Status"] for o in observations} == {"Success: HTTP Status Code 200, OK"}


def test_the_alarm_watches_the_health_check_in_us_east_1(built):
    cloudwatch = built.emulator.client("cloudwatch", "us-east-1")
    [alarm] = cloudwatch.describe_alarms(AlarmNames=["medtech-prod-alb-health-check-failed"])["MetricAlarms"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"], alarm["Period"]) == (
        "AWS/Route53", "HealthCheckStatus", "Minimum", 60)
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 1.0)
    assert alarm["Dimensions"] == [{"Name": "HealthCheckId", "Value": health_check_id(built.emulator.client("route53"))}]
    # Route 53 publishes health-check metrics in us-east-1 only
    assert built.emulator.client("cloudwatch").describe_alarms(
        AlarmNames=["medtech-prod-alb-health-check-failed"])["MetricAlarms"] == []


def test_a_second_converge_changes_nothing(built):
    second = built.run(CONVERGE)
    assert second.rc == 0, second.output[-5000:]
    assert changed_tasks(second) == [], second.output[-5000:]
    assert second.recap()["changed"] == 0


def test_check_mode_changes_nothing_but_backup_plan_tags_and_writes_nothing(built):
    backup = built.emulator.client("backup")
    before = the_plan(backup)["VersionId"]
    checked = built.run(CONVERGE, "--check", "--diff")
    assert checked.rc == 0, checked.output[-5000:]
    # amazon.aws backup_plan: changed in check mode whenever the plan has tags (see the docstring)
    assert changed_tasks(checked) == [PLAN_TASK], checked.output[-5000:]
    assert the_plan(backup)["VersionId"] == before


def test_a_new_retention_updates_the_plan_in_place(built):
    backup = built.emulator.client("backup")
    before = the_plan(backup)
    updated = built.run(CONVERGE, extra_vars={"dr_test_retention_days": 42})
    assert updated.rc == 0, updated.output[-5000:]
    assert changed_tasks(updated) == [PLAN_TASK]
    after = the_plan(backup)
    assert after["BackupPlanId"] == before["BackupPlanId"]
    assert after["VersionId"] != before["VersionId"]
    [rule] = after["BackupPlan"]["Rules"]
    assert rule["Lifecycle"] == {"DeleteAfterDays": 42}
    assert rule["CopyActions"][0]["Lifecycle"] == {"DeleteAfterDays": 42}
    plan_id = after["BackupPlanId"]
    assert len(backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]) == 1
