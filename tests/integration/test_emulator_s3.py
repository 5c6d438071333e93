"""The emulator's S3 replication fixes (scripts/emulator_s3.py): GetBucketReplication returns what
PutBucketReplication stored, and a missing or unversioned destination is refused as AWS does."""

import pytest
from botocore.exceptions import ClientError

pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("emulator_s3")]

REGION = "eu-central-1"
ROLE = "arn:aws:iam::123456789012:role/emulator-s3-replication"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def s3(moto_server):
    """The buckets, made once for the module (a reset of the emulator takes seconds); no test
    leaves a replication configuration behind."""
    moto_server.reset()
    client = moto_server.client("s3", REGION)
    for name, status in (("emu-source", "Enabled"), ("emu-destination", "Enabled"), ("emu-suspended", "Suspended")):
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    client.create_bucket(Bucket="emu-unversioned", CreateBucketConfiguration={"LocationConstraint": REGION})
    return client


def put(s3, *rules):
    s3.put_bucket_replication(Bucket="emu-source", ReplicationConfiguration={"Role": ROLE, "Rules": list(rules)})


def rule(rule_id, priority, **members):
    return {"ID": rule_id, "Priority": priority, "Status": "Enabled",
            "Destination": {"Bucket": "arn:aws:s3:::emu-destination"}, **members}


def test_get_bucket_replication_returns_the_rules_as_written(s3):
    rules = [
        rule("whole-bucket", 0, Filter={}, DeleteMarkerReplication={"Status": "Disabled"}),
        rule("prefix", 1, Filter={"Prefix": "reports/"}, DeleteMarkerReplication={"Status": "Enabled"}),
        rule("tag", 2, Filter={"Tag": {"Key": "dr", "Value": "yes"}}, DeleteMarkerReplication={"Status": "Disabled"}),
        rule("and", 3, Filter={"And": {"Prefix": "a/", "Tags": [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}]}},
             DeleteMarkerReplication={"Status": "Disabled"}),
        rule("kms", 4, Filter={"Prefix": ""}, DeleteMarkerReplication={"Status": "Disabled"},
             SourceSelectionCriteria={"SseKmsEncryptedObjects": {"Status": "Enabled"}},
             ExistingObjectReplication={"Status": "Enabled"},
             Destination={"Bucket": "arn:aws:s3:::emu-destination", "StorageClass": "STANDARD_IA",
                          "EncryptionConfiguration": {"ReplicaKmsKeyID": KEY},
                          "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
                          "Metrics": {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}}),
    ]
    put(s3, *rules)
    try:
        assert s3.get_bucket_replication(Bucket="emu-source")["ReplicationConfiguration"] == {"Role": ROLE, "Rules": rules}
    finally:
        s3.delete_bucket_replication(Bucket="emu-source")


def test_get_bucket_replication_of_a_bucket_without_one_is_not_found(s3):
    with pytest.raises(ClientError) as error:
        s3.get_bucket_replication(Bucket="emu-source")
    assert error.value.response["Error"]["Code"] == "ReplicationConfigurationNotFoundError"

    put(s3, rule("r", 1, Filter={}, DeleteMarkerReplication={"Status": "Disabled"}))
    s3.delete_bucket_replication(Bucket="emu-source")
    with pytest.raises(ClientError) as error:
        s3.get_bucket_replication(Bucket="emu-source")
    assert error.value.response["Error"]["Code"] == "ReplicationConfigurationNotFoundError"


@pytest.mark.parametrize("destination, message", [
    ("emu-unversioned", "Destination bucket must have versioning enabled."),
    ("emu-suspended", "Destination bucket must have versioning enabled."),
    ("emu-no-such-bucket", "Destination bucket must exist."),
])
def test_put_bucket_replication_refuses_a_destination_as_aws_does(s3, destination, message):
    good = rule("good", 1, Filter={}, DeleteMarkerReplication={"Status": "Disabled"})
    bad = rule("bad", 2, Filter={"Prefix": "x/"}, DeleteMarkerReplication={"Status": "Disabled"},
               Destination={"Bucket": f"arn:aws:s3:::{destination}"})
    with pytest.raises(ClientError) as error:
        put(s3, good, bad)
    assert error.value.response["Error"]["Code"] == "InvalidRequest"
    assert error.value.response["Error"]["Message"] == message
    with pytest.raises(ClientError):  # nothing was stored
        s3.get_bucket_replication(Bucket="emu-source")


def test_put_bucket_replication_still_refuses_an_unversioned_source(s3):
    with pytest.raises(ClientError) as error:
        s3.put_bucket_replication(Bucket="emu-unversioned", ReplicationConfiguration={
            "Role": ROLE, "Rules": [rule("r", 1, Filter={}, DeleteMarkerReplication={"Status": "Disabled"})]})
    assert error.value.response["Error"]["Code"] == "InvalidRequest"
    assert "Versioning must be 'Enabled'" in error.value.response["Error"]["Message"]
