# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real ecs_cluster module, run by ``ansible``, against the emulator.

Each call is ``ansible localhost -m medtech.aws_platform.ecs_cluster -a '<json>' --diff`` (the
``ansible_module`` fixture of conftest.py); what the module did is then read back from the
emulator with boto3. The amazon.aws pattern: create, modify and delete, each in check mode and
for real, each twice.

Where moto (5.2.5) does not answer as AWS does, the Stubber unit tests cover the path instead
(tests/unit/plugins/modules/test_ecs_cluster_stubbed.py):

* moto lacks UpdateClusterSettings, so Container Insights is changed on an existing cluster only
  in check mode here (which writes nothing); the write is a Stubber test. Creating a cluster with
  Container Insights works in moto and is tested here;
* moto omits ``base`` 0 from a strategy where AWS returns ``"base": 0``: both forms are compared
  as equal; AWS's form is a Stubber test;
* moto deletes a cluster that has services (AWS: ClusterContainsServicesException) and reports
  ``activeServicesCount`` 0 with a service; the module's refusal on active services and AWS's
  error answers are Stubber tests. moto does count the pending task of a service, which the
  module's refusal is tested with here.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.ecs_cluster"
REGION = "eu-central-1"
NAME = "medtech-prod-cluster"

PRODUCTION = {
    "name": NAME,
    "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
    "default_capacity_provider_strategy": [
        {"capacity_provider": "FARGATE_SPOT", "weight": 3},
        {"capacity_provider": "FARGATE", "weight": 1, "base": 2},
    ],
    "container_insights": "enabled",
    "tags": {"environment": "prod", "project": "medtech", "managed-by": "ansible"},
}


@pytest.fixture()
def run_module(ansible_module):
    """Run ecs_cluster once through ``ansible``; return the host's result dict."""

    def _run(args: dict, check: bool = False) -> dict:
        result = ansible_module(MODULE, dict(args, region=REGION), check=check)
        return result

    return _run


@pytest.fixture()
def ecs(aws):
    return aws.client("ecs", REGION)


def described(ecs, name=NAME):
    """The cluster as the emulator holds it, or None when it is missing or INACTIVE."""
    clusters = ecs.describe_clusters(clusters=[name], include=["SETTINGS", "TAGS"])["clusters"]
    if not clusters or clusters[0]["status"] == "INACTIVE":
        return None
    return clusters[0]


def tags_of(cluster):
    return {tag["key"]: tag["value"] for tag in cluster.get("tags") or []}


def strategy_of(cluster):
    return sorted(
        ((item["capacityProvider"], item.get("weight", 0), item.get("base", 0))
         for item in cluster.get("defaultCapacityProviderStrategy") or []),
    )


def ok(result):
    assert not result.get("failed"), result
    return result


# --- create ---------------------------------------------------------------------------------------
def test_create_check_mode_twice_then_for_real_twice(run_module, ecs):
    for attempt in range(2):
        result = ok(run_module(PRODUCTION, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["before"] == {}
        assert result["diff"]["after"] == {
            "cluster_name": NAME,
            "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
            "default_capacity_provider_strategy": [
                {"capacity_provider": "FARGATE", "weight": 1, "base": 2},
                {"capacity_provider": "FARGATE_SPOT", "weight": 3, "base": 0},
            ],
            "container_insights": "enabled",
            "tags": PRODUCTION["tags"],
        }
        assert result["cluster"]["cluster_name"] == NAME
        assert "cluster_arn" not in result["cluster"]
        assert described(ecs) is None  # check mode created nothing

    result = ok(run_module(PRODUCTION))
    assert result["changed"] is True
    cluster = described(ecs)
    assert cluster["status"] == "ACTIVE"
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert strategy_of(cluster) == [("FARGATE", 1, 2), ("FARGATE_SPOT", 3, 0)]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert tags_of(cluster) == PRODUCTION["tags"]
    returned = result["cluster"]
    assert returned["cluster_arn"] == cluster["clusterArn"]
    assert returned["status"] == "ACTIVE"
    assert returned["tags"] == PRODUCTION["tags"]  # a dict, keys not snake_cased
    assert returned["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert {"capacity_provider": "FARGATE", "weight": 1, "base": 2} in returned["default_capacity_provider_strategy"]

    # second real run and check mode on the result: nothing to do (strategy order, base 0 omitted by moto)
    for check in (False, True):
        result = ok(run_module(PRODUCTION, check=check))
        assert result["changed"] is False
        assert result["diff"]["before"] == result["diff"]["after"]


def test_create_minimal_leaves_unset_options_alone(run_module, ecs):
    result = ok(run_module({"name": "medtech-test-cluster"}))
    assert result["changed"] is True
    cluster = described(ecs, "medtech-test-cluster")
    assert cluster is not None
    assert not cluster.get("capacityProviders")
    assert not cluster.get("tags")
    assert ok(run_module({"name": "medtech-test-cluster"}))["changed"] is False


# --- modify ---------------------------------------------------------------------------------------
def test_modify_capacity_providers_strategy_and_tags(run_module, ecs):
    ok(run_module(PRODUCTION))
    modified = {
        "name": NAME,
        "capacity_providers": ["FARGATE"],
        "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1}],
        "tags": {"environment": "prod", "cost-centre": "platform"},
    }

    for attempt in range(2):
        result = ok(run_module(modified, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["after"]["capacity_providers"] == ["FARGATE"]
        assert result["diff"]["after"]["default_capacity_provider_strategy"] == [
            {"capacity_provider": "FARGATE", "weight": 1, "base": 0}
        ]
        assert result["diff"]["after"]["tags"] == {"environment": "prod", "cost-centre": "platform"}
        assert result["diff"]["after"]["container_insights"] == "enabled"  # not set: left alone
        cluster = described(ecs)
        assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]  # nothing written
        assert tags_of(cluster) == PRODUCTION["tags"]

    result = ok(run_module(modified))
    assert result["changed"] is True
    cluster = described(ecs)
    assert cluster["capacityProviders"] == ["FARGATE"]
    assert strategy_of(cluster) == [("FARGATE", 1, 0)]
    assert tags_of(cluster) == {"environment": "prod", "cost-centre": "platform"}
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert result["diff"]["before"]["capacity_providers"] == ["FARGATE", "FARGATE_SPOT"]

    for check in (False, True):
        assert ok(run_module(modified, check=check))["changed"] is False


def test_providers_added_without_purge_keep_the_strategy(run_module, ecs):
    ok(run_module({
        "name": NAME,
        "capacity_providers": ["FARGATE"],
        "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 1}],
    }))
    args = {"name": NAME, "capacity_providers": ["FARGATE_SPOT"], "purge_capacity_providers": False}

    result = ok(run_module(args))
    assert result["changed"] is True
    cluster = described(ecs)
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert strategy_of(cluster) == [("FARGATE", 1, 1)]  # the half not set was sent as it was
    assert ok(run_module(args))["changed"] is False

    # the strategy alone: the providers are kept
    strategy = {"name": NAME, "default_capacity_provider_strategy": [
        {"capacity_provider": "FARGATE_SPOT", "weight": 4}, {"capacity_provider": "FARGATE", "weight": 1}]}
    assert ok(run_module(strategy))["changed"] is True
    cluster = described(ecs)
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert strategy_of(cluster) == [("FARGATE", 1, 0), ("FARGATE_SPOT", 4, 0)]
    assert ok(run_module(strategy))["changed"] is False


def test_tags_added_without_purge(run_module, ecs):
    ok(run_module(PRODUCTION))
    args = {"name": NAME, "tags": {"owner": "platform-team"}, "purge_tags": False}
    assert ok(run_module(args))["changed"] is True
    assert tags_of(described(ecs)) == dict(PRODUCTION["tags"], owner="platform-team")
    assert ok(run_module(args))["changed"] is False


def test_container_insights_change_in_check_mode(run_module, ecs):
    # moto lacks UpdateClusterSettings: the real change is a Stubber test; check mode writes nothing.
    ok(run_module(PRODUCTION))
    for attempt in range(2):
        result = ok(run_module({"name": NAME, "container_insights": "enhanced"}, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["before"]["container_insights"] == "enabled"
        assert result["diff"]["after"]["container_insights"] == "enhanced"
        assert result["cluster"]["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    assert described(ecs)["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert ok(run_module({"name": NAME, "container_insights": "enabled"}))["changed"] is False


def test_removing_a_provider_that_the_kept_strategy_uses_fails_before_any_write(run_module, ecs):
    ok(run_module(PRODUCTION))
    result = run_module({"name": NAME, "capacity_providers": ["FARGATE"], "tags": {"x": "y"}})
    assert result.get("failed") is True, result
    assert "default_capacity_provider_strategy uses FARGATE_SPOT, which capacity_providers would remove" in result["msg"]
    cluster = described(ecs)
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert tags_of(cluster) == PRODUCTION["tags"]  # the tags were not changed either


# --- delete ---------------------------------------------------------------------------------------
def test_delete_check_mode_twice_then_for_real_twice(run_module, ecs):
    ok(run_module(PRODUCTION))
    absent = {"name": NAME, "state": "absent"}

    for attempt in range(2):
        result = ok(run_module(absent, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["after"] == {}
        assert result["diff"]["before"]["cluster_name"] == NAME
        assert described(ecs) is not None

    result = ok(run_module(absent))
    assert result["changed"] is True
    assert result["cluster"]["status"] == "INACTIVE"
    assert described(ecs) is None

    for check in (False, True):
        result = ok(run_module(absent, check=check))
        assert result["changed"] is False
        assert result["cluster"] == {}

    # an INACTIVE cluster counts as absent: present creates it again
    result = ok(run_module({"name": NAME}))
    assert result["changed"] is True
    assert described(ecs)["status"] == "ACTIVE"


def test_delete_refused_while_a_task_is_pending(run_module, ecs):
    ok(run_module({"name": NAME}))
    ecs.register_task_definition(family="api", containerDefinitions=[{"name": "api", "image": "nginx", "memory": 128}])
    ecs.create_service(cluster=NAME, serviceName="api-gateway", taskDefinition="api", desiredCount=1)

    for check in (True, False):
        result = run_module({"name": NAME, "state": "absent"}, check=check)
        assert result.get("failed") is True, result
        assert f"ECS cluster {NAME} cannot be deleted while it has 1 running or pending task(s)" in result["msg"]
    assert described(ecs) is not None


def test_invalid_options_fail_before_any_call(run_module, ecs):
    result = run_module({
        "name": NAME,
        "capacity_providers": ["FARGATE"],
        "default_capacity_provider_strategy": [
            {"capacity_provider": "FARGATE", "base": 1, "weight": 1},
            {"capacity_provider": "FARGATE_SPOT", "base": 2, "weight": 1001},
        ],
    })
    assert result.get("failed") is True, result
    assert "the weight of FARGATE_SPOT is 1001: set it from 0 to 1000" in result["msg"]
    assert "AWS allows a base on one capacity provider only" in result["msg"]
    assert "uses FARGATE_SPOT, which capacity_providers does not list" in result["msg"]
    assert described(ecs) is None
