"""scripts/aws_calls.py: moto's recorded requests turned into (service, operation, read/write).

The classifier is checked on requests boto3 really sends: a moto server of its own (recording
to this test's tmp dir) records a set of calls over every protocol the platform's services use
(ec2, query, json, smithy-rpc-v2-cbor, rest-xml, rest-json), and each record must come back as
the call that made it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import urllib.request

import boto3
import botocore.session
import pytest

from conftest import REPO_ROOT, _free_port, emulator

_spec = importlib.util.spec_from_file_location("aws_calls", REPO_ROOT / "scripts" / "aws_calls.py")
aws_calls = importlib.util.module_from_spec(_spec)
sys.modules["aws_calls"] = aws_calls  # dataclasses look their module up there
_spec.loader.exec_module(aws_calls)


@pytest.mark.parametrize("service,operation,read", [
    ("ec2", "DescribeVpcs", True),
    ("rds", "ListTagsForResource", True),
    ("s3", "HeadBucket", True),
    ("codedeploy", "BatchGetDeploymentGroups", True),
    ("secretsmanager", "GetSecretValue", True),
    ("sts", "AssumeRole", True),  # exception: a write verb that changes nothing
    ("kms", "Decrypt", True),
    ("ec2", "CreateTags", False),
    ("ecs", "UpdateService", False),
    ("rds", "ModifyDBInstance", False),
    ("secretsmanager", "PutSecretValue", False),
    ("ec2", aws_calls.UNKNOWN, False),  # a classifier gap counts as a write
])
def test_read_or_write_by_verb_and_exceptions(service, operation, read):
    assert aws_calls.is_read(service, operation) is read


def test_signing_aliases_are_what_botocore_models_say():
    session = botocore.session.get_session()
    for signing_name, services in aws_calls.SIGNING_ALIASES.items():
        for name in services:
            meta = session.get_service_model(name).metadata
            assert (meta.get("signingName") or meta.get("endpointPrefix")) == signing_name, name


def test_unsigned_request_is_no_aws_call():
    assert aws_calls.classify({"method": "POST", "url": "http://127.0.0.1:5000/moto-api/reset",
                               "headers": {}, "body": ""}) is None


def test_signed_request_naming_no_operation_is_unknown_and_a_write():
    record = {"method": "GET", "url": "http://127.0.0.1:5000/nothing-here", "body": "",
              "headers": {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20250101/eu-west-1/ecs/"
                                           "aws4_request, SignedHeaders=host, Signature=0"}}
    call = aws_calls.classify(record)
    assert (call.service, call.operation, call.region, call.read) == ("ecs", aws_calls.UNKNOWN, "eu-west-1", False)


def test_recording_read_as_a_stream_of_json_values():
    # moto writes a long record and its newline separately: another record can come between.
    text = '{"a": 1}{"b": 2}\n\n{"c": [1, 2]}\n'
    assert list(aws_calls.read_recording(text)) == [{"a": 1}, {"b": 2}, {"c": [1, 2]}]


def test_summary_counts_and_lists_writes_in_order():
    calls = [aws_calls.ApiCall("ec2", "DescribeVpcs", "eu-central-1", "POST", "/"),
             aws_calls.ApiCall("ec2", "CreateTags", "eu-central-1", "POST", "/"),
             aws_calls.ApiCall("s3", "GetBucketTagging", "eu-west-1", "GET", "/b"),
             aws_calls.ApiCall("ec2", "DescribeVpcs", "eu-central-1", "POST", "/")]
    summary = aws_calls.summarise(calls)
    assert summary["total"] == 4 and summary["reads"] == 3 and summary["writes"] == 1
    assert summary["by_service"] == {"ec2": 3, "s3": 1}
    assert summary["by_operation"]["ec2:DescribeVpcs"] == 2
    assert summary["writes_list"] == [{"service": "ec2", "operation": "CreateTags", "region": "eu-central-1",
                                       "amz_date": ""}]


@pytest.fixture(scope="module")
def recording_server(tmp_path_factory):
    """A moto server of this module's own that records to a file in the tmp dir."""
    state_dir = tmp_path_factory.mktemp("recorder")
    port = _free_port()
    old = os.environ.get("MOTO_RECORDER_FILEPATH")
    os.environ["MOTO_RECORDER_FILEPATH"] = str(state_dir / "recording.jsonl")
    try:
        emulator.start(port, state_dir)
    finally:
        if old is None:
            del os.environ["MOTO_RECORDER_FILEPATH"]
        else:
            os.environ["MOTO_RECORDER_FILEPATH"] = old
    try:
        yield emulator.endpoint_url(port)
    finally:
        emulator.stop(port, state_dir)


def _recorder(url: str, action: str) -> str:
    req = urllib.request.Request(f"{url}/moto-api/recorder/{action}", data=b"" if action != "download-recording" else None,
                                 method="GET" if action == "download-recording" else "POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.read().decode()


def _client(url: str, service: str, region: str = "eu-central-1"):
    return boto3.client(service, region_name=region, endpoint_url=url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _make_calls(url: str) -> list[tuple[str, str, str]]:
    """Calls over every protocol; returns the (service, operation, region) each one is."""
    expected = []

    def call(service, operation, region="eu-central-1", **kwargs):
        client = _client(url, service, region)
        getattr(client, _snake(client, operation))(**kwargs)
        expected.append((service, operation, region))

    call("ec2", "DescribeVpcs")                                                    # ec2
    call("ec2", "CreateVpc", CidrBlock="10.9.0.0/16")
    call("sts", "GetCallerIdentity")                                               # query
    call("iam", "ListRoles", region="us-east-1")
    call("elbv2", "DescribeLoadBalancers")                                         # query, shared signing name
    call("elb", "DescribeLoadBalancers")
    call("rds", "DescribeDBInstances")
    call("sns", "CreateTopic", Name="bench-t")
    call("ecs", "ListClusters")                                                    # json
    call("ecs", "CreateCluster", clusterName="bench-c")
    call("secretsmanager", "ListSecrets", region="eu-west-1")
    call("logs", "DescribeLogGroups")
    call("cloudwatch", "DescribeAlarms")                                           # smithy-rpc-v2-cbor
    call("cloudwatch", "PutMetricAlarm", AlarmName="bench-a", MetricName="m", Namespace="n", Statistic="Average",
         Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")
    call("codedeploy", "ListApplications")
    call("s3", "CreateBucket", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"},
         Bucket="bench-b")                                                         # rest-xml
    call("s3", "PutBucketTagging", Bucket="bench-b", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    call("s3", "GetBucketTagging", Bucket="bench-b")
    call("s3", "PutObject", Bucket="bench-b", Key="dir/a b.txt", Body=b"x")
    call("s3", "GetObject", Bucket="bench-b", Key="dir/a b.txt")
    call("s3", "HeadBucket", Bucket="bench-b")
    call("s3", "ListObjectsV2", Bucket="bench-b")
    call("route53", "ListHostedZones", region="us-east-1")
    call("route53", "CreateHostedZone", region="us-east-1", Name="bench.example.", CallerReference="r1")
    call("backup", "ListBackupVaults")                                             # rest-json
    call("backup", "CreateBackupVault", BackupVaultName="bench-v")
    call("lambda", "ListFunctions")
    return expected


def _snake(client, operation):
    for snake, api in client.meta.method_to_api_mapping.items():
        if api == operation:
            return snake
    raise KeyError(operation)


@pytest.mark.emulator
def test_real_boto3_requests_recorded_by_moto_are_classified(recording_server):
    url = recording_server
    _recorder(url, "reset-recording")
    _recorder(url, "start-recording")
    try:
        expected = _make_calls(url)
    finally:
        _recorder(url, "stop-recording")
    records = list(aws_calls.read_recording(_recorder(url, "download-recording")))
    calls = [aws_calls.classify(r) for r in records]
    assert None not in calls, "every boto3 request is signed"
    assert [(c.service, c.operation, c.region) for c in calls] == expected
    reads = {c.key for c in calls if c.read}
    writes = {c.key for c in calls if not c.read}
    assert writes == {"ec2:CreateVpc", "sns:CreateTopic", "ecs:CreateCluster", "cloudwatch:PutMetricAlarm",
                      "s3:CreateBucket", "s3:PutBucketTagging", "s3:PutObject", "route53:CreateHostedZone",
                      "backup:CreateBackupVault"}
    assert "s3:HeadBucket" in reads and "sts:GetCallerIdentity" in reads


@pytest.mark.emulator
def test_recorder_leaves_out_its_own_endpoints_and_the_cli_summarises(recording_server, tmp_path, capsys):
    url = recording_server
    _recorder(url, "reset-recording")
    _recorder(url, "start-recording")
    try:
        ec2 = _client(url, "ec2")
        ec2.describe_vpcs()
        vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "a", "Value": "b"}])
    finally:
        _recorder(url, "stop-recording")
    path = tmp_path / "rec.jsonl"
    path.write_text(_recorder(url, "download-recording"))
    assert aws_calls.main([str(path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["by_operation"] == {"ec2:CreateTags": 1, "ec2:CreateVpc": 1, "ec2:DescribeVpcs": 1}
    assert summary["total"] == 3, "the recorder's own endpoints are not recorded"
    assert [(w["service"], w["operation"], w["region"]) for w in summary["writes_list"]] == [
        ("ec2", "CreateVpc", "eu-central-1"), ("ec2", "CreateTags", "eu-central-1")]
    assert all(re.fullmatch(r"\d{8}T\d{6}Z", w["amz_date"]) for w in summary["writes_list"])
