"""Read the disaster recovery back from the API with plain boto3 (not the modules under test).

Usage: read_back.py <platform region> <DR region> <name prefix> <hosted zone>
Prints one JSON object: the replicated automated backups in the DR region, the backup vaults, plan
and selection, each replicated bucket's replication configuration and its replica's settings, the
maintenance bucket's website, the health check, its alarm and topic in us-east-1, the failover
records and the secrets' replication status.
"""

import json
import sys

import boto3
from botocore.exceptions import ClientError


def optional(call, *errors):
    try:
        return call()
    except ClientError as error:
        if error.response["Error"]["Code"] in errors:
            return None
        raise


def main(region, dr_region, prefix, zone):
    account = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
    rds_dr = boto3.client("rds", region_name=dr_region)
    backup = boto3.client("backup", region_name=region)
    backup_dr = boto3.client("backup", region_name=dr_region)
    s3 = boto3.client("s3", region_name=region)
    s3_dr = boto3.client("s3", region_name=dr_region)
    route53 = boto3.client("route53", region_name="us-east-1")
    kms = {r: boto3.client("kms", region_name=r) for r in (region, dr_region)}
    out = {"account": account}

    out["keys"] = {r: kms[r].describe_key(KeyId=f"alias/{prefix}-platform")["KeyMetadata"]["Arn"] for r in kms}
    out["automated_backups"] = rds_dr.describe_db_instance_automated_backups()["DBInstanceAutomatedBackups"]

    out["vaults"] = {
        "primary": backup.describe_backup_vault(BackupVaultName=f"{prefix}-backup-vault"),
        "recovery": backup_dr.describe_backup_vault(BackupVaultName=f"{prefix}-backup-vault-dr"),
    }
    plans = [p for p in backup.list_backup_plans()["BackupPlansList"] if p["BackupPlanName"] == f"{prefix}-daily"]
    out["plan"] = backup.get_backup_plan(BackupPlanId=plans[0]["BackupPlanId"])["BackupPlan"] if plans else None
    out["selections"] = []
    if plans:
        for selection in backup.list_backup_selections(BackupPlanId=plans[0]["BackupPlanId"])["BackupSelectionsList"]:
            out["selections"].append(backup.get_backup_selection(
                BackupPlanId=plans[0]["BackupPlanId"], SelectionId=selection["SelectionId"])["BackupSelection"])

    out["buckets"] = {}
    for source in (f"{prefix}-documents-{account}", f"{prefix}-alb-logs-{account}"):
        replica = f"{source}-{dr_region}"
        out["buckets"][source] = {
            "versioning": s3.get_bucket_versioning(Bucket=source).get("Status"),
            "encryption": s3.get_bucket_encryption(Bucket=source)["ServerSideEncryptionConfiguration"],
            "public_access": s3.get_public_access_block(Bucket=source)["PublicAccessBlockConfiguration"],
            "replication": (optional(lambda: s3.get_bucket_replication(Bucket=source),
                                     "ReplicationConfigurationNotFoundError") or {}).get("ReplicationConfiguration"),
            "replica": {
                "name": replica,
                "region": s3_dr.get_bucket_location(Bucket=replica).get("LocationConstraint"),
                "versioning": s3_dr.get_bucket_versioning(Bucket=replica).get("Status"),
                "encryption": s3_dr.get_bucket_encryption(Bucket=replica)["ServerSideEncryptionConfiguration"],
                "public_access": s3_dr.get_public_access_block(Bucket=replica)["PublicAccessBlockConfiguration"],
            },
        }
    maintenance = f"api.{zone}"
    out["maintenance"] = {
        "region": s3_dr.get_bucket_location(Bucket=maintenance).get("LocationConstraint"),
        "website": s3_dr.get_bucket_website(Bucket=maintenance).get("IndexDocument"),
        "page": s3_dr.get_object(Bucket=maintenance, Key="index.html")["Body"].read().decode()[:200],
    }

    zones = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == zone + "."]
    out["zone"] = zones[0] if zones else None
    out["records"] = [
        r for r in route53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
        if r["Name"] == maintenance + "."
    ] if zones else []
    out["health_checks"] = route53.list_health_checks()["HealthChecks"]

    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    out["alarm"] = (cloudwatch.describe_alarms(AlarmNames=[f"{prefix}-api-health-check"])["MetricAlarms"] or [None])[0]
    sns = boto3.client("sns", region_name="us-east-1")
    out["topics_us_east_1"] = [t["TopicArn"] for t in sns.list_topics()["Topics"]]

    secrets = boto3.client("secretsmanager", region_name=region)
    out["secrets"] = {
        s["Name"]: secrets.describe_secret(SecretId=s["ARN"]).get("ReplicationStatus", [])
        for s in secrets.list_secrets()["SecretList"]
    }
    return out


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5]), default=str))
