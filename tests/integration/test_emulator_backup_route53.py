"""The AWS Backup and Route 53 fixes of scripts/emulator_backup_route53.py: each answer as AWS gives it."""

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulator

ROLE = "arn:aws:iam::123456789012:role/medtech-prod-backup"
DB = "arn:aws:rds:eu-central-1:123456789012:db:medtech-prod-postgres"
EMPTY_CONDITIONS = {"StringEquals": [], "StringNotEquals": [], "StringLike": [], "StringNotLike": []}


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response


def plan(backup, name="medtech-prod-daily", **rule):
    backup.create_backup_vault(BackupVaultName="vault")
    rules = [{"RuleName": "daily", "TargetBackupVaultName": "vault", **rule}]
    return backup.create_backup_plan(BackupPlan={"BackupPlanName": name, "Rules": rules})


def test_a_vault_that_does_not_exist_is_access_denied_as_aws_answers(aws):
    backup = aws.client("backup")
    for call, kwargs in ((backup.describe_backup_vault, {"BackupVaultName": "missing"}),
                         (backup.list_recovery_points_by_backup_vault, {"BackupVaultName": "missing"})):
        response = error_of(call, **kwargs)
        assert response["Error"]["Code"] == "AccessDeniedException"
        assert response["Error"]["Message"] == "Insufficient privileges to perform this action."
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    backup.create_backup_vault(BackupVaultName="vault")
    vault = backup.describe_backup_vault(BackupVaultName="vault")
    assert (vault["BackupVaultName"], vault["NumberOfRecoveryPoints"], vault["VaultType"], vault["VaultState"]) == (
        "vault", 0, "BACKUP_VAULT", "AVAILABLE")
    assert backup.list_recovery_points_by_backup_vault(BackupVaultName="vault")["RecoveryPoints"] == []


def test_update_backup_plan_replaces_the_rules_with_aws_defaults_and_a_new_version(aws):
    backup = aws.client("backup")
    created = plan(backup, ScheduleExpression="cron(0 2 * * ? *)", Lifecycle={"DeleteAfterDays": 35})
    rules = [{"RuleName": "hourly", "TargetBackupVaultName": "vault", "Lifecycle": {"DeleteAfterDays": 7},
              "CopyActions": [{"DestinationBackupVaultArn": "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr",
                               "Lifecycle": {"DeleteAfterDays": 7}}]}]
    updated = backup.update_backup_plan(BackupPlanId=created["BackupPlanId"],
                                        BackupPlan={"BackupPlanName": "medtech-prod-daily", "Rules": rules})
    assert updated["BackupPlanId"] == created["BackupPlanId"]
    assert updated["VersionId"] != created["VersionId"]
    read = backup.get_backup_plan(BackupPlanId=created["BackupPlanId"])
    assert read["VersionId"] == updated["VersionId"]
    [rule] = read["BackupPlan"]["Rules"]
    assert rule["RuleName"] == "hourly"
    assert rule["Lifecycle"] == {"DeleteAfterDays": 7}
    assert rule["CopyActions"][0]["DestinationBackupVaultArn"].endswith(":backup-vault:dr")
    # the defaults CreateBackupPlan fills in, and a rule id
    assert (rule["ScheduleExpression"], rule["StartWindowMinutes"], rule["CompletionWindowMinutes"],
            rule["ScheduleExpressionTimezone"]) == ("cron(0 5 ? * * *)", 480, 10080, "Etc/UTC")
    assert rule["RuleId"]
    response = error_of(backup.update_backup_plan, BackupPlanId="00000000-0000-0000-0000-000000000000",
                        BackupPlan={"BackupPlanName": "x", "Rules": rules})
    assert response["Error"]["Code"] == "ResourceNotFoundException"


def test_backup_selections_are_kept_read_listed_and_deleted_as_aws_does(aws):
    backup = aws.client("backup")
    plan_id = plan(backup)["BackupPlanId"]
    created = backup.create_backup_selection(
        BackupPlanId=plan_id, BackupSelection={"SelectionName": "database", "IamRoleArn": ROLE, "Resources": [DB]})
    assert created["BackupPlanId"] == plan_id
    read = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert read["SelectionId"] == created["SelectionId"]
    # AWS reports the members not given as empty: ListOfTags, NotResources, the four Conditions
    assert read["BackupSelection"] == {"SelectionName": "database", "IamRoleArn": ROLE, "Resources": [DB],
                                       "ListOfTags": [], "NotResources": [], "Conditions": EMPTY_CONDITIONS}
    [listed] = backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]
    assert (listed["SelectionId"], listed["SelectionName"], listed["IamRoleArn"]) == (created["SelectionId"], "database", ROLE)

    refused = error_of(backup.delete_backup_plan, BackupPlanId=plan_id)
    assert refused["Error"]["Code"] == "InvalidRequestException"

    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"] == []
    gone = error_of(backup.get_backup_selection, BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert gone["Error"]["Code"] == "ResourceNotFoundException"
    backup.delete_backup_plan(BackupPlanId=plan_id)  # without selections it goes


def test_a_selection_needs_resources_or_tags_and_an_existing_plan(aws):
    backup = aws.client("backup")
    plan_id = plan(backup)["BackupPlanId"]
    empty = error_of(backup.create_backup_selection, BackupPlanId=plan_id,
                     BackupSelection={"SelectionName": "nothing", "IamRoleArn": ROLE})
    assert empty["Error"]["Code"] == "InvalidParameterValueException"
    unknown = error_of(backup.create_backup_selection, BackupPlanId="00000000-0000-0000-0000-000000000000",
                       BackupSelection={"SelectionName": "database", "IamRoleArn": ROLE, "Resources": [DB]})
    assert unknown["Error"]["Code"] == "ResourceNotFoundException"
    assert backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"] == []


def test_health_check_status_is_reported_per_checker_region_in_aws_words(aws):
    route53 = aws.client("route53")
    config = {"Type": "HTTPS", "FullyQualifiedDomainName": "alb.example.com", "Port": 443, "ResourcePath": "/health",
              "RequestInterval": 30, "FailureThreshold": 3}
    default = route53.create_health_check(CallerReference="a", HealthCheckConfig=config)["HealthCheck"]["Id"]
    chosen = route53.create_health_check(
        CallerReference="b", HealthCheckConfig={**config, "Regions": ["us-east-1", "eu-west-1", "ap-southeast-1"]},
    )["HealthCheck"]["Id"]

    observations = route53.get_health_check_status(HealthCheckId=default)["HealthCheckObservations"]
    assert {o["Region"] for o in observations} == {"us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1",
                                                   "ap-southeast-2", "ap-northeast-1", "sa-east-1"}
    assert {o["StatusReport"]["Status"] for o in observations} == {"Success: HTTP Status Code 200, OK"}
    assert all(o["IPAddress"].startswith("54.") and o["StatusReport"]["CheckedTime"] for o in observations)
    chosen_regions = [o["Region"] for o in route53.get_health_check_status(HealthCheckId=chosen)["HealthCheckObservations"]]
    assert chosen_regions == ["us-east-1", "eu-west-1", "ap-southeast-1"]


def test_a_new_zone_has_the_soa_record_aws_creates(aws):
    route53 = aws.client("route53")
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="zone")
    first_name_server = zone["DelegationSet"]["NameServers"][0].rstrip(".")
    records = route53.list_resource_record_sets(HostedZoneId=zone["HostedZone"]["Id"])["ResourceRecordSets"]
    [soa] = [r for r in records if r["Type"] == "SOA"]
    assert soa["ResourceRecords"] == [
        {"Value": f"{first_name_server}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}]
