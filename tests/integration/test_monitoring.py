"""The monitoring role with the local inventory against the emulator: DOC-2025-003 section 7.

Covers the acceptance of the monitoring issue: every bad input the issue names fails before any
AWS call with a message naming the variable, and nothing is created; a converge builds the
topics, the PagerDuty subscriptions, the rule, the five alarms and the three dashboards without
printing an integration key (-vvv --diff); a second converge and --check report zero changes
(metric-math and dimensioned alarms included); an alarm threshold changed by hand is reported by
--check --diff and put back by a converge; a dashboard body stored with other key order and
whitespace is no change; a priority without a key warns and keeps its topic; monitoring_state
absent deletes it and keeps the PagerDuty secret.

The module fixture runs the molecule scenario molecule/monitoring once at -vvv with diffs:
prepare (network, secrets, compute layer, PagerDuty keys), converge, idempotence (the second
converge, zero changes), verify (every alarm and dashboard value read back); the tests below run
on what it built, and the last runs the scenario's cleanup.
"""

import copy
import json
from types import SimpleNamespace

import pytest
import yaml

from conftest import REPO_ROOT, flat, playbook_runner, run_molecule

# `make pytest` runs two xdist workers; this group keeps the file's tests on one, in order.
pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("monitoring")]

CONVERGE = "molecule/monitoring/converge.yml"
PLATFORM = yaml.safe_load((REPO_ROOT / "inventories/production/group_vars/all/platform.yml").read_text())
KEYS = {"P1": "moleculetestkeyp1", "P2": "moleculetestkeyp2", "P3": "moleculetestkeyp3"}
RULE = "medtech-prod-ecs-task-failed"


def alarms_with(key, **changes):
    alarms = copy.deepcopy(PLATFORM["monitoring_alarms"])
    alarms[key].update(changes)
    return {"monitoring_alarms": alarms}


@pytest.mark.parametrize("extra_vars,message", [
    (alarms_with("api_error_rate", priority="P4"), "monitoring_alarms.api_error_rate.priority='P4' has no topic"),
    (alarms_with("rds_cpu", threshold=120),
     "monitoring_alarms.rds_cpu.threshold=120 is a percentage: it must be from 0 to 100"),
    (alarms_with("rds_connections", period=90),
     "monitoring_alarms.rds_connections.period=90 is not a period CloudWatch accepts: use 10, 30 or a multiple of 60"),
    (alarms_with("rds_cpu", period=3600, evaluation_periods=25),
     "monitoring_alarms.rds_cpu: period x evaluation_periods = 90000 s is longer than one day (86400 s)"),
], ids=["priority-without-topic", "threshold-over-100", "period", "window-over-a-day"])
def test_bad_input_fails_before_any_aws_call(aws, run_short_playbook, extra_vars, message):
    result = run_short_playbook("playbooks/site.yml", extra_vars=extra_vars)
    assert result.rc != 0
    assert message in flat(result), result.output[-3000:]
    assert "nothing was created or changed" in flat(result)
    # site.yml validates every role before any role runs: not even the network exists
    assert aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["medtech-prod-vpc"]}])["Vpcs"] == []


def test_a_wrong_type_fails_at_the_argument_spec_before_any_aws_call(aws, run_short_playbook):
    result = run_short_playbook("playbooks/site.yml", extra_vars={"monitoring_pagerduty_priorities": "P1"})
    assert result.rc != 0
    assert "monitoring_pagerduty_priorities" in flat(result), result.output[-3000:]
    assert aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["medtech-prod-vpc"]}])["Vpcs"] == []


@pytest.fixture(scope="module")
def monitored(moto_server):
    """The emulator after `molecule test -s monitoring` at -vvv with diffs (prepare, converge,
    idempotence: zero changes, verify: every alarm and dashboard value read back), shared by the
    tests below (each leaves it converged): ``emulator``, ``run`` (a playbook runner) and
    ``output`` (what molecule printed)."""
    moto_server.reset()
    output = run_molecule(moto_server.url, "monitoring", "test", env={"ANSIBLE_VERBOSITY": "3", "ANSIBLE_DIFF_ALWAYS": "1"})
    assert "idempotence" in output.lower()
    return SimpleNamespace(emulator=moto_server, run=playbook_runner(moto_server.url), output=output)


def test_the_scenario_builds_topics_and_subscriptions_and_prints_no_key(monitored):
    emulator, output = monitored.emulator, monitored.output
    assert "task path:" in output  # Ansible prints it from -vv on: the scenario ran verbose
    for key in KEYS.values():
        assert key not in output
    sns = emulator.client("sns")
    for priority, key in KEYS.items():
        arn = f"arn:aws:sns:eu-central-1:123456789012:medtech-prod-pagerduty-{priority.lower()}"
        assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["KmsMasterKeyId"] == "alias/medtech-prod-platform"
        endpoints = [s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]]
        assert endpoints == [f"https://events.pagerduty.com/integration/{key}/enqueue"]


def test_check_after_converge_and_idempotence_reports_zero_changes(monitored):
    check = monitored.run(CONVERGE, "--check", "--diff")
    assert check.rc == 0, check.output[-3000:]
    assert check.recap()["changed"] == 0, check.stdout[-5000:]


def test_the_rule_matches_failed_tasks_of_the_services_and_only_it_publishes_to_its_topic(monitored):
    emulator = monitored.emulator
    events = emulator.client("events")
    pattern = json.loads(events.describe_rule(Name=RULE)["EventPattern"])
    assert pattern["detail-type"] == ["ECS Task State Change"]
    assert pattern["detail"]["clusterArn"] == ["arn:aws:ecs:eu-central-1:123456789012:cluster/medtech-prod-cluster"]
    assert sorted(pattern["detail"]["group"]) == ["service:api-gateway", "service:billing-service",
                                                  "service:patient-service"]
    topic = "arn:aws:sns:eu-central-1:123456789012:medtech-prod-ecs-task-events"
    assert [t["Arn"] for t in events.list_targets_by_rule(Rule=RULE)["Targets"]] == [topic]
    policy = json.loads(emulator.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    publisher = [s for s in policy["Statement"] if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    assert publisher[0]["Condition"] == {
        "ArnEquals": {"aws:SourceArn": f"arn:aws:events:eu-central-1:123456789012:rule/{RULE}"}}


def test_an_alarm_changed_by_hand_is_reported_and_put_back(monitored):
    emulator, run = monitored.emulator, monitored.run
    cloudwatch = emulator.client("cloudwatch")
    alarm = cloudwatch.describe_alarms(AlarmNames=["medtech-prod-rds-cpu"])["MetricAlarms"][0]
    keys = ("AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "MetricName",
            "Namespace", "Statistic", "Dimensions", "Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm",
            "ComparisonOperator", "TreatMissingData")
    cloudwatch.put_metric_alarm(**{k: alarm[k] for k in keys if k in alarm}, Threshold=95.0)

    check = run(CONVERGE, "--check", "--diff")
    assert check.rc == 0, check.output[-3000:]
    assert check.recap()["changed"] == 1, check.stdout[-5000:]
    assert "medtech-prod-rds-cpu" in check.stdout and "95" in check.stdout
    assert cloudwatch.describe_alarms(AlarmNames=["medtech-prod-rds-cpu"])["MetricAlarms"][0]["Threshold"] == 95.0

    fixed = run(CONVERGE)
    assert fixed.rc == 0 and fixed.recap()["changed"] == 1, fixed.stdout[-5000:]
    assert cloudwatch.describe_alarms(AlarmNames=["medtech-prod-rds-cpu"])["MetricAlarms"][0]["Threshold"] == 80.0


def test_a_dashboard_stored_with_other_key_order_and_whitespace_is_no_change(monitored):
    emulator, run = monitored.emulator, monitored.run
    cloudwatch = emulator.client("cloudwatch")
    name = "medtech-prod-api-metrics"
    body = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
    cloudwatch.put_dashboard(DashboardName=name, DashboardBody=json.dumps(body, sort_keys=True, indent=4))
    assert cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"] != json.dumps(body)
    again = run(CONVERGE)
    assert again.rc == 0 and again.recap()["changed"] == 0, again.stdout[-5000:]


def test_a_priority_without_a_usable_key_warns_by_name_and_keeps_its_topic_and_subscription(monitored):
    emulator, run = monitored.emulator, monitored.run
    emulator.client("secretsmanager").put_secret_value(
        SecretId="prod/monitoring/pagerduty",
        SecretString=json.dumps({"P1": KEYS["P1"], "P2": 5, "p3": "lowercasedkeyvalue"}))
    result = run(CONVERGE)
    assert result.rc == 0 and result.recap()["changed"] == 0, result.stdout[-5000:]
    assert "has entries that are not used: p3, P2" in flat(result)
    assert "PagerDuty priorities without an integration key in the secret prod/monitoring/pagerduty: P2, P3" in flat(result)
    assert "lowercasedkeyvalue" not in result.output
    sns = emulator.client("sns")
    arn = "arn:aws:sns:eu-central-1:123456789012:medtech-prod-pagerduty-p2"
    assert len(sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]) == 1


def test_molecule_cleanup_deletes_the_monitoring_and_keeps_the_pagerduty_secret(monitored):
    run_molecule(monitored.emulator.url, "monitoring", "cleanup")
    emulator = monitored.emulator
    assert emulator.client("cloudwatch").describe_alarms(AlarmNamePrefix="medtech-prod-")["MetricAlarms"] == []
    topics = [t["TopicArn"] for t in emulator.client("sns").list_topics()["Topics"]]
    assert not [t for t in topics if "pagerduty" in t], topics
    assert emulator.client("secretsmanager").describe_secret(SecretId="prod/monitoring/pagerduty")["Name"]
