"""The ecs role's entry point against the emulator: ECR, certificate, access-log bucket and ALB.

tests/integration/ecs_alb/converge.yml runs the role's lookup, then ecr, certificate, alb_logs
and alb (what present.yml runs before the cluster), after molecule/ecs/prepare.yml built the
network, the platform KMS key and the secrets. One converge per module; the read-back tests
share it, the later tests change what CodeDeploy would change and converge again.

Where the emulator is more lenient than AWS (not tested here): AWS refuses to enable access
logs when the bucket policy does not let Elastic Load Balancing write; moto does not check.
"""

import json
import subprocess
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from conftest import REPO_ROOT, VENV_BIN, PlaybookResult, ansible_env

# `make pytest` runs two xdist workers; this group keeps the file's tests on one, in order.
pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("ecs_alb")]

PREPARE = "molecule/ecs/prepare.yml"
CONVERGE = "tests/integration/ecs_alb/converge.yml"
ALB = "medtech-prod-alb"
SERVICES = ["api-gateway", "patient-service", "billing-service"]
BUCKET = "medtech-prod-alb-logs-123456789012"
CERT_NAME = "medtech-prod-alb-self-signed"
TEST_PORT = 8443


def run(emulator, playbook, *args, extra_vars=None):
    """ansible-playbook PLAYBOOK -i inventories/local against the emulator (module-scoped, unlike run_playbook)."""
    cmd = [str(VENV_BIN / "ansible-playbook"), playbook, "-i", "inventories/local", *args]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=ansible_env(emulator.url), capture_output=True, text=True,
                          timeout=1200, check=False)
    return PlaybookResult(proc.returncode, proc.stdout, proc.stderr)


@dataclass
class State:
    """What the emulator holds, read through boto3."""

    aws: object

    @property
    def elbv2(self):
        return self.aws.client("elbv2")

    def alb(self):
        return self.elbv2.describe_load_balancers(Names=[ALB])["LoadBalancers"][0]

    def listeners(self):
        listeners = self.elbv2.describe_listeners(LoadBalancerArn=self.alb()["LoadBalancerArn"])["Listeners"]
        return {listener["Port"]: listener for listener in listeners}

    def rules(self, port):
        rules = self.elbv2.describe_rules(ListenerArn=self.listeners()[port]["ListenerArn"])["Rules"]
        return {rule["Priority"]: rule for rule in rules}

    def target_group(self, name):
        return self.elbv2.describe_target_groups(Names=[name])["TargetGroups"][0]

    def tg_arn(self, service, colour):
        return self.target_group(f"prod-{service}-{colour}")["TargetGroupArn"]

    def certificates(self):
        acm = self.aws.client("acm")
        found = []
        for summary in acm.list_certificates()["CertificateSummaryList"]:
            tags = acm.list_tags_for_certificate(CertificateArn=summary["CertificateArn"])["Tags"]
            if {"Key": "Name", "Value": CERT_NAME} in tags:
                found.append(summary["CertificateArn"])
        return found


def forwarded_to(action):
    """The target group ARNs an action forwards to (plain or weighted), with their weights."""
    if "ForwardConfig" in action:
        return {tg["TargetGroupArn"]: tg.get("Weight", 1) for tg in action["ForwardConfig"]["TargetGroups"]}
    return {action["TargetGroupArn"]: 1}


@pytest.fixture(scope="module")
def converged(moto_server):
    """An emulator with the network and secrets, checked once (--check) and converged once."""
    moto_server.reset()
    prepare = run(moto_server, PREPARE)
    assert prepare.rc == 0, prepare.output[-3000:]
    check = run(moto_server, CONVERGE, "--check", "--diff")
    before = {
        "repositories": moto_server.client("ecr").describe_repositories()["repositories"],
        "load_balancers": moto_server.client("elbv2").describe_load_balancers()["LoadBalancers"],
        "target_groups": moto_server.client("elbv2").describe_target_groups()["TargetGroups"],
        "buckets": moto_server.client("s3").list_buckets()["Buckets"],
        "certificates": moto_server.client("acm").list_certificates()["CertificateSummaryList"],
    }
    first = run(moto_server, CONVERGE, "--diff")
    assert first.rc == 0, first.output[-4000:]
    return SimpleNamespace(aws=moto_server, state=State(moto_server), check=check, before=before, first=first)


def test_check_mode_before_anything_exists_creates_nothing(converged):
    check = converged.check
    assert check.rc == 0, check.output[-4000:]
    assert check.recap()["changed"] > 0
    assert f"Check mode: {ALB} cannot be compared yet" in check.stdout
    assert "Check mode: a self-signed certificate" in check.stdout
    assert converged.before == {"repositories": [], "load_balancers": [], "target_groups": [], "buckets": [],
                                "certificates": []}


def test_alb_is_internet_facing_in_the_public_subnets_with_the_alb_group_only(converged):
    ec2 = converged.aws.client("ec2")
    alb = converged.state.alb()
    assert alb["Scheme"] == "internet-facing"
    groups = ec2.describe_security_groups(GroupIds=alb["SecurityGroups"])["SecurityGroups"]
    assert [group["GroupName"] for group in groups] == ["medtech-prod-alb-sg"]
    subnets = ec2.describe_subnets(SubnetIds=[az["SubnetId"] for az in alb["AvailabilityZones"]])["Subnets"]
    assert sorted({tag["Value"] for subnet in subnets for tag in subnet["Tags"] if tag["Key"] == "Tier"}) == ["public"]
    assert sorted(subnet["CidrBlock"] for subnet in subnets) == ["10.0.1.0/24", "10.0.2.0/24"]


def test_alb_attributes_drop_invalid_headers_access_logs_and_deletion_protection(converged):
    elbv2 = converged.state.elbv2
    attributes = {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(
        LoadBalancerArn=converged.state.alb()["LoadBalancerArn"])["Attributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == BUCKET
    assert attributes["access_logs.s3.prefix"] == "alb"
    assert attributes["deletion_protection.enabled"] == "true"
    assert attributes["idle_timeout.timeout_seconds"] == "60"


def test_http_answers_301_to_https(converged):
    listeners = converged.state.listeners()
    assert sorted(listeners) == [80, 443, TEST_PORT]
    http = listeners[80]
    assert http["Protocol"] == "HTTP"
    assert http["DefaultActions"] == [{
        "Type": "redirect", "Order": 1,
        "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "Host": "#{host}", "Path": "/#{path}",
                           "Query": "#{query}", "StatusCode": "HTTP_301"},
    }]


@pytest.mark.parametrize("port", [443, TEST_PORT])
def test_https_listeners_route_by_path_with_the_certificate_and_tls_policy(converged, port):
    state = converged.state
    listener = state.listeners()[port]
    assert listener["Protocol"] == "HTTPS"
    assert listener["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert [c["CertificateArn"] for c in listener["Certificates"]] == state.certificates()
    assert forwarded_to(listener["DefaultActions"][0]) == {state.tg_arn("api-gateway", "blue"): 1}
    rules = state.rules(port)
    assert sorted(rules) == ["20", "30", "default"]
    for priority, service, paths in [("20", "patient-service", ["/patients", "/patients/*"]),
                                     ("30", "billing-service", ["/billing", "/billing/*"])]:
        assert rules[priority]["Conditions"][0]["Field"] == "path-pattern"
        assert sorted(rules[priority]["Conditions"][0]["PathPatternConfig"]["Values"]) == paths
        assert forwarded_to(rules[priority]["Actions"][0]) == {state.tg_arn(service, "blue"): 1}


def test_two_target_groups_per_service_ip_http_8080_with_the_health_check(converged):
    state = converged.state
    vpc = converged.aws.client("ec2").describe_vpcs(
        Filters=[{"Name": "tag:Name", "Values": ["medtech-prod-vpc"]}])["Vpcs"][0]["VpcId"]
    for service in SERVICES:
        for colour in ("blue", "green"):
            group = state.target_group(f"prod-{service}-{colour}")
            assert (group["TargetType"], group["Protocol"], group["Port"], group["VpcId"]) == ("ip", "HTTP", 8080, vpc)
            assert (group["HealthCheckPath"], group["Matcher"]["HttpCode"]) == ("/health", "200")
            assert (group["HealthCheckIntervalSeconds"], group["HealthyThresholdCount"]) == (15, 2)
            attributes = {a["Key"]: a["Value"] for a in state.elbv2.describe_target_group_attributes(
                TargetGroupArn=group["TargetGroupArn"])["Attributes"]}
            assert attributes["deregistration_delay.timeout_seconds"] == "30"
            tags = {t["Key"]: t["Value"] for t in state.elbv2.describe_tags(
                ResourceArns=[group["TargetGroupArn"]])["TagDescriptions"][0]["Tags"]}
            assert tags["Service"] == service and tags["Environment"] == "prod"


def test_access_log_bucket_sse_s3_private_owner_enforced_versioned_tls_only(converged):
    s3 = converged.aws.client("s3")
    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    deny = statements["DenyInsecureTransport"]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    delivery = statements["ElbAccessLogDelivery"]
    # eu-central-1 is a region from before August 2022: Elastic Load Balancing's account there
    assert delivery["Principal"] == {"AWS": "arn:aws:iam::054676820928:root"}
    assert delivery["Action"] == "s3:PutObject"
    assert delivery["Resource"] == f"arn:aws:s3:::{BUCKET}/alb/AWSLogs/123456789012/*"
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert [(r["Status"], r["Expiration"]["Days"], r["NoncurrentVersionExpiration"]["NoncurrentDays"])
            for r in lifecycle] == [("Enabled", 365, 1)]


def test_ecr_repositories_immutable_scanned_kms_with_lifecycle(converged):
    ecr = converged.aws.client("ecr")
    key_arn = converged.aws.client("kms").describe_key(KeyId="alias/medtech-prod-platform")["KeyMetadata"]["Arn"]
    repositories = {r["repositoryName"]: r for r in ecr.describe_repositories()["repositories"]}
    assert sorted(repositories) == sorted(f"medtech/{service}" for service in SERVICES)
    for name, repository in repositories.items():
        assert repository["imageTagMutability"] == "IMMUTABLE"
        assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repository["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": key_arn}
        rules = json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])["rules"]
        assert [(r["selection"]["tagStatus"], r["selection"]["countType"], r["selection"]["countNumber"])
                for r in rules] == [("untagged", "sinceImagePushed", 14), ("any", "imageCountMoreThan", 30)]


def test_facts_for_the_cluster_and_services(converged):
    out = converged.first.stdout
    state = converged.state
    assert f"production: {state.listeners()[443]['ListenerArn']}" in out
    assert f"test: {state.listeners()[TEST_PORT]['ListenerArn']}" in out
    assert f"dns_name: {state.alb()['DNSName']}" in out
    assert f"green: {state.tg_arn('billing-service', 'green')}" in out
    assert "patient-service: 123456789012.dkr.ecr.eu-central-1.amazonaws.com/medtech/patient-service" in out
    assert f"name: {BUCKET}" in out


def test_self_signed_certificate_imported_once_and_its_key_never_shown(converged):
    assert len(converged.state.certificates()) == 1
    assert "PRIVATE KEY" not in converged.first.output


def test_second_converge_and_check_change_nothing(converged):
    second = run(converged.aws, CONVERGE, "--diff")
    assert second.rc == 0, second.output[-4000:]
    assert second.recap()["changed"] == 0, second.stdout[-6000:]
    check = run(converged.aws, CONVERGE, "--check", "--diff")
    assert check.rc == 0, check.output[-4000:]
    assert check.recap()["changed"] == 0, check.stdout[-6000:]
    assert len(converged.state.certificates()) == 1
    assert "PRIVATE KEY" not in second.output + check.output


def test_check_mode_reports_drift_of_what_cannot_run_in_check_mode_and_a_converge_repairs_it(converged):
    """elb_target_group, s3_bucket and s3_lifecycle have no check mode: the role compares them itself."""
    state = converged.state
    group = state.target_group("prod-billing-service-green")["TargetGroupArn"]
    state.elbv2.modify_target_group(TargetGroupArn=group, HealthCheckPath="/other")
    converged.aws.client("s3").delete_public_access_block(Bucket=BUCKET)

    check = run(converged.aws, CONVERGE, "--check", "--diff")
    assert check.rc == 0, check.output[-4000:]
    assert check.recap()["changed"] == 2, check.stdout[-6000:]
    flat = " ".join(check.stdout.split())
    assert 'target group prod-billing-service-green would change: {"health_check_path": "/health"}' in flat
    assert f"bucket {BUCKET} would change: {{\"public_access\"" in flat
    assert state.target_group("prod-billing-service-green")["HealthCheckPath"] == "/other"

    fix = run(converged.aws, CONVERGE)
    assert fix.rc == 0, fix.output[-4000:]
    assert fix.recap()["changed"] == 2, fix.stdout[-6000:]
    assert state.target_group("prod-billing-service-green")["HealthCheckPath"] == "/health"
    assert converged.aws.client("s3").get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"][
        "BlockPublicPolicy"] is True


def test_a_converge_keeps_the_target_groups_codedeploy_switched_to(converged):
    """After a deployment CodeDeploy leaves the listeners on the other target group of the pair."""
    state, elbv2 = converged.state, converged.state.elbv2
    patients_green, gateway_green = state.tg_arn("patient-service", "green"), state.tg_arn("api-gateway", "green")
    billing_green = state.tg_arn("billing-service", "green")
    elbv2.modify_rule(RuleArn=state.rules(443)["20"]["RuleArn"],
                      Actions=[{"Type": "forward", "Order": 1, "TargetGroupArn": patients_green}])
    elbv2.modify_listener(ListenerArn=state.listeners()[443]["ListenerArn"],
                          DefaultActions=[{"Type": "forward", "Order": 1, "TargetGroupArn": gateway_green}])
    elbv2.modify_rule(RuleArn=state.rules(TEST_PORT)["30"]["RuleArn"],
                      Actions=[{"Type": "forward", "Order": 1, "TargetGroupArn": billing_green}])

    result = run(converged.aws, CONVERGE, "--diff")
    assert result.rc == 0, result.output[-4000:]
    assert result.recap()["changed"] == 0, result.stdout[-6000:]
    assert forwarded_to(state.rules(443)["20"]["Actions"][0]) == {patients_green: 1}
    assert forwarded_to(state.listeners()[443]["DefaultActions"][0]) == {gateway_green: 1}
    assert forwarded_to(state.rules(TEST_PORT)["30"]["Actions"][0]) == {billing_green: 1}
    # the services CodeDeploy did not touch stay on blue
    assert forwarded_to(state.rules(443)["30"]["Actions"][0]) == {state.tg_arn("billing-service", "blue"): 1}
    assert f"green: {patients_green}" in result.stdout


def weigh_billing_rule(state, blue_weight, green_weight):
    """Make billing-service's rule on 443 forward to both its target groups, weighted, as CodeDeploy does."""
    blue, green = state.tg_arn("billing-service", "blue"), state.tg_arn("billing-service", "green")
    state.elbv2.modify_rule(RuleArn=state.rules(443)["30"]["RuleArn"], Actions=[{
        "Type": "forward", "Order": 1, "ForwardConfig": {"TargetGroups": [
            {"TargetGroupArn": blue, "Weight": blue_weight}, {"TargetGroupArn": green, "Weight": green_weight}]}}])
    return blue, green


def test_a_converge_during_a_traffic_shift_leaves_the_listeners_alone(converged):
    """While CodeDeploy shifts traffic a rule forwards to both target groups, weighted."""
    state = converged.state
    blue, green = weigh_billing_rule(state, blue_weight=90, green_weight=10)

    result = run(converged.aws, CONVERGE, "--diff")
    assert result.rc == 0, result.output[-4000:]
    assert result.recap()["changed"] == 0, result.stdout[-6000:]
    assert "CodeDeploy is shifting traffic" in " ".join(result.stdout.split())
    assert forwarded_to(state.rules(443)["30"]["Actions"][0]) == {blue: 90, green: 10}
    assert sorted(state.listeners()) == [80, 443, TEST_PORT]
    assert f"production: {state.listeners()[443]['ListenerArn']}" in result.stdout


def test_a_shift_that_ended_weighted_becomes_a_plain_forward_to_the_group_with_the_traffic(converged):
    """A rule left at weights 0/100 routes like a plain forward to the group with weight 100."""
    state = converged.state
    green = weigh_billing_rule(state, blue_weight=0, green_weight=100)[1]

    result = run(converged.aws, CONVERGE)
    assert result.rc == 0, result.output[-4000:]
    assert result.recap()["changed"] == 1, result.stdout[-6000:]
    assert forwarded_to(state.rules(443)["30"]["Actions"][0]) == {green: 1}
    again = run(converged.aws, CONVERGE)
    assert again.recap()["changed"] == 0, again.stdout[-6000:]


BAD_SETTINGS = {
    "no certificate in production": (
        {"ecs_alb_self_signed_certificate": False},
        "ecs_alb_certificate_arn is empty: set it to the ACM certificate of the platform domain",
    ),
    "certificate of another region": (
        {"ecs_alb_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"},
        "is not an ACM certificate ARN of region eu-central-1",
    ),
    "test listener on 443": ({"ecs_alb_test_listener_port": 443}, "ecs_alb_test_listener_port=443 must be a port"),
    "log prefix with a slash": ({"ecs_alb_logs_prefix": "/alb"}, "ecs_alb_logs_prefix=/alb must not start or end"),
}


@pytest.mark.parametrize("case", list(BAD_SETTINGS), ids=list(BAD_SETTINGS))
def test_bad_settings_fail_before_any_change(converged, case):
    extra_vars, message = BAD_SETTINGS[case]
    result = run(converged.aws, CONVERGE, extra_vars={**extra_vars, "ecs_ecr_repository_prefix": "other"})
    assert result.rc != 0
    assert message in " ".join(result.output.split())
    # the first task of the load balancer files refused: not even the ECR repositories changed
    names = [r["repositoryName"] for r in converged.aws.client("ecr").describe_repositories()["repositories"]]
    assert not any(name.startswith("other/") for name in names)
