# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the ecs_cluster module, against botocore's Stubber, and its pure functions.

The Stubber validates every request against the real ECS API model and answers with the
responses queued here, in order; an unexpected call fails the test. So "no write in check mode"
and "no call before validation" are asserted by queueing none, and the order of the queue
asserts the order of the calls. Each test runs the module's main() through AnsibleAWSModule,
with only ``AnsibleAWSModule.client`` patched to return the stubbed client.

Paths that moto (5.2.5) lacks or answers differently from AWS are tested here only:
UpdateClusterSettings (missing in moto) and its errors; DescribeClusters answers in AWS's form
(``"base": 0`` present); ``activeServicesCount`` (moto reports 0 with a service) and DeleteCluster's
ClusterContainsServicesException / ClusterContainsTasksException (moto deletes anyway); the
PROVISIONING and DEPROVISIONING states.
"""

from __future__ import annotations

from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.medtech.aws_platform.plugins.module_utils import ecs as ecs_utils
from ansible_collections.medtech.aws_platform.plugins.modules import ecs_cluster

REGION = "eu-central-1"
NAME = "medtech-prod-cluster"
ARN = f"arn:aws:ecs:{REGION}:123456789012:cluster/{NAME}"
INCLUDE = ["SETTINGS", "TAGS", "CONFIGURATIONS"]
BOTH = ["FARGATE", "FARGATE_SPOT"]
STRATEGY = [
    {"capacityProvider": "FARGATE", "weight": 1, "base": 2},
    {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
]


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def _exit_json(self, **kwargs):
    raise ExitJson(kwargs)


def _fail_json(self, **kwargs):
    raise FailJson(kwargs)


def cluster(status="ACTIVE", providers=None, strategy=None, insights="enabled", tags=None, **overrides):
    """A Cluster as AWS's DescribeClusters returns it with SETTINGS, TAGS, CONFIGURATIONS."""
    item = {
        "clusterArn": ARN,
        "clusterName": NAME,
        "status": status,
        "registeredContainerInstancesCount": 0,
        "runningTasksCount": 0,
        "pendingTasksCount": 0,
        "activeServicesCount": 0,
        "statistics": [],
        "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()],
        "settings": [{"name": "containerInsights", "value": insights}],
        "capacityProviders": list(BOTH if providers is None else providers),
        "defaultCapacityProviderStrategy": list(STRATEGY if strategy is None else strategy),
        "configuration": {"executeCommandConfiguration": {"logging": "DEFAULT"}},
    }
    item.update(overrides)
    return item


class Stubs:
    def __init__(self):
        self.ecs = boto3.client("ecs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        self.stub = Stubber(self.ecs)
        self.client_calls = []

    def client(self, service, retry_decorator=None, region=None):
        self.client_calls.append(service)
        assert service == "ecs"
        return self.ecs

    def describe(self, response):
        if response is None:
            answer = {"clusters": [], "failures": [{"arn": ARN, "reason": "MISSING"}]}
        else:
            answer = {"clusters": [response], "failures": []}
        self.stub.add_response("describe_clusters", answer, {"clusters": [NAME], "include": INCLUDE})

    def error(self, operation, code, message, expected=None):
        self.stub.add_client_error(
            operation, service_error_code=code, service_message=message, http_status_code=400, expected_params=expected
        )


@pytest.fixture()
def aws():
    stubs = Stubs()
    with stubs.stub:
        yield stubs
        stubs.stub.assert_no_pending_responses()  # the module made exactly the calls expected


@pytest.fixture(autouse=True)
def no_sleep():
    with mock.patch.object(ecs_utils.time, "sleep") as sleep:
        yield sleep


def run(aws, args, check_mode=False, diff=False):
    """Run main() with ``args``; return (failed, result)."""
    module_args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    module_args.setdefault("name", NAME)
    module_args.setdefault("region", REGION)
    with patch_module_args(module_args), mock.patch.object(
        AnsibleAWSModule, "client", autospec=True, side_effect=lambda _self, *a, **kw: aws.client(*a, **kw)
    ), mock.patch.object(basic.AnsibleModule, "exit_json", _exit_json), mock.patch.object(
        basic.AnsibleModule, "fail_json", _fail_json
    ):
        try:
            ecs_cluster.main()
        except ExitJson as e:
            return False, e.args[0]
        except FailJson as e:
            return True, e.args[0]
    raise AssertionError("main() neither exited nor failed")


PRODUCTION = {
    "capacity_providers": ["FARGATE_SPOT", "FARGATE"],
    "default_capacity_provider_strategy": [
        {"capacity_provider": "FARGATE_SPOT", "weight": 3},
        {"capacity_provider": "FARGATE", "weight": 1, "base": 2},
    ],
    "container_insights": "enabled",
    "tags": {"environment": "prod"},
}


# --- create ---------------------------------------------------------------------------------------
def test_create_sends_everything_in_one_call(aws):
    aws.describe(None)
    aws.stub.add_response(
        "create_cluster",
        {"cluster": cluster(tags={"environment": "prod"})},
        {
            "clusterName": NAME,
            "capacityProviders": ["FARGATE_SPOT", "FARGATE"],
            "defaultCapacityProviderStrategy": [
                {"capacityProvider": "FARGATE_SPOT", "weight": 3},
                {"capacityProvider": "FARGATE", "weight": 1, "base": 2},
            ],
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "tags": [{"key": "environment", "value": "prod"}],
        },
    )
    aws.describe(cluster(tags={"environment": "prod"}))

    failed, result = run(aws, PRODUCTION, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["cluster"]["cluster_arn"] == ARN
    assert result["cluster"]["tags"] == {"environment": "prod"}
    assert result["cluster"]["configuration"] == {"execute_command_configuration": {"logging": "DEFAULT"}}
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["default_capacity_provider_strategy"] == [
        {"capacity_provider": "FARGATE", "weight": 1, "base": 2},
        {"capacity_provider": "FARGATE_SPOT", "weight": 3, "base": 0},
    ]


def test_create_minimal_sends_only_the_name(aws):
    aws.describe(None)
    aws.stub.add_response(
        "create_cluster", {"cluster": cluster(providers=[], strategy=[], insights="disabled")}, {"clusterName": NAME}
    )
    aws.describe(cluster(providers=[], strategy=[], insights="disabled"))

    failed, result = run(aws, {})

    assert not failed, result
    assert result["changed"] is True


def test_create_in_check_mode_writes_nothing(aws):
    aws.describe(None)  # the only call

    failed, result = run(aws, PRODUCTION, check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["cluster"] == {
        "cluster_name": NAME,
        "status": "ACTIVE",
        "capacity_providers": ["FARGATE_SPOT", "FARGATE"],
        "default_capacity_provider_strategy": [
            {"capacity_provider": "FARGATE_SPOT", "weight": 3},
            {"capacity_provider": "FARGATE", "weight": 1, "base": 2},
        ],
        "settings": [{"name": "containerInsights", "value": "enabled"}],
        "tags": {"environment": "prod"},
    }
    assert result["diff"]["after"]["container_insights"] == "enabled"


def test_create_waits_while_provisioning(aws, no_sleep):
    aws.describe(None)
    aws.stub.add_response("create_cluster", {"cluster": cluster(status="PROVISIONING")}, {"clusterName": NAME})
    aws.describe(cluster(status="PROVISIONING"))
    aws.describe(cluster(status="ACTIVE"))

    failed, result = run(aws, {})

    assert not failed, result
    assert result["cluster"]["status"] == "ACTIVE"
    assert no_sleep.call_count == 1


def test_create_without_wait_reads_once(aws, no_sleep):
    aws.describe(None)
    aws.stub.add_response("create_cluster", {"cluster": cluster(status="PROVISIONING")}, {"clusterName": NAME})
    aws.describe(cluster(status="PROVISIONING"))

    failed, result = run(aws, {"wait": False})

    assert not failed, result
    assert result["cluster"]["status"] == "PROVISIONING"
    assert no_sleep.call_count == 0


def test_create_that_ends_failed_fails(aws):
    aws.describe(None)
    aws.stub.add_response("create_cluster", {"cluster": cluster(status="PROVISIONING")}, {"clusterName": NAME})
    aws.describe(cluster(status="FAILED"))

    failed, result = run(aws, {})

    assert failed
    assert f"ECS cluster {NAME} is FAILED" in result["msg"]


def test_strategy_provider_missing_on_a_new_cluster_fails_before_create(aws):
    aws.describe(None)  # no CreateCluster queued

    failed, result = run(aws, {"default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1}]})

    assert failed
    assert "default_capacity_provider_strategy uses FARGATE, which is not one of the cluster's capacity providers (none)" in result["msg"]


# --- no change: AWS's form compares equal -----------------------------------------------------------
def test_same_cluster_in_another_order_is_no_change(aws):
    aws.describe(cluster(tags={"environment": "prod", "aws:cloudformation:stack-name": "x"}))  # no write queued

    failed, result = run(aws, PRODUCTION, diff=True)

    assert not failed, result
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]


def test_weight_0_and_base_0_left_out_equal_aws_zeros(aws):
    aws.describe(cluster(providers=["FARGATE"], strategy=[{"capacityProvider": "FARGATE", "weight": 0, "base": 0}]))

    failed, result = run(aws, {"capacity_providers": ["FARGATE"],
                               "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE"}]})

    assert not failed, result
    assert result["changed"] is False


def test_unset_options_are_left_alone(aws):
    aws.describe(cluster(tags={"a": "b"}))

    failed, result = run(aws, {})

    assert not failed, result
    assert result["changed"] is False


# --- Container Insights (UpdateClusterSettings, missing in moto) ------------------------------------
def test_update_container_insights(aws):
    aws.describe(cluster(insights="enabled"))
    aws.stub.add_response(
        "update_cluster_settings",
        {"cluster": cluster(insights="enhanced")},
        {"cluster": NAME, "settings": [{"name": "containerInsights", "value": "enhanced"}]},
    )
    aws.describe(cluster(insights="enhanced"))

    failed, result = run(aws, {"container_insights": "enhanced"}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["container_insights"] == "enabled"
    assert result["diff"]["after"]["container_insights"] == "enhanced"
    assert result["cluster"]["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_update_container_insights_in_check_mode(aws):
    aws.describe(cluster(insights="disabled"))

    failed, result = run(aws, {"container_insights": "enabled"}, check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["cluster"]["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert result["diff"]["after"]["container_insights"] == "enabled"


def test_update_cluster_settings_error_names_the_action(aws):
    aws.describe(cluster(insights="disabled"))
    aws.error("update_cluster_settings", "ClusterNotFoundException", "Cluster not found.")

    failed, result = run(aws, {"container_insights": "enabled"})

    assert failed
    assert result["msg"].startswith(f"Failed to change the settings (Container Insights) of the ECS cluster {NAME}")
    assert "ClusterNotFoundException" in result["msg"]
    assert result["error"]["code"] == "ClusterNotFoundException"


def test_update_cluster_settings_invalid_parameter(aws):
    aws.describe(cluster(insights="disabled"))
    aws.error("update_cluster_settings", "InvalidParameterException", "Container Insights value is not valid.")

    failed, result = run(aws, {"container_insights": "enhanced"})

    assert failed
    assert "InvalidParameterException" in result["msg"]


def test_update_in_progress_is_retried(aws, no_sleep):
    aws.describe(cluster(insights="disabled"))
    aws.error("update_cluster_settings", "UpdateInProgressException", "The cluster is being updated.")
    aws.stub.add_response("update_cluster_settings", {"cluster": cluster(insights="enabled")})
    aws.describe(cluster(insights="enabled"))

    with mock.patch("time.sleep"):  # AWSRetry's backoff
        failed, result = run(aws, {"container_insights": "enabled"})

    assert not failed, result
    assert result["changed"] is True


# --- capacity providers (PutClusterCapacityProviders always gets both lists) ------------------------
def test_put_providers_keeps_the_current_strategy(aws):
    current = [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
    aws.describe(cluster(providers=["FARGATE"], strategy=current))
    aws.stub.add_response(
        "put_cluster_capacity_providers",
        {"cluster": cluster(providers=BOTH, strategy=current)},
        {"cluster": NAME, "capacityProviders": ["FARGATE", "FARGATE_SPOT"], "defaultCapacityProviderStrategy": current},
    )
    aws.describe(cluster(providers=BOTH, strategy=current))

    failed, result = run(aws, {"capacity_providers": ["FARGATE_SPOT"], "purge_capacity_providers": False})

    assert not failed, result
    assert result["changed"] is True


def test_put_strategy_keeps_the_current_providers(aws):
    aws.describe(cluster())
    new = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    aws.stub.add_response(
        "put_cluster_capacity_providers",
        {"cluster": cluster(strategy=new)},
        {"cluster": NAME, "capacityProviders": BOTH, "defaultCapacityProviderStrategy": new},
    )
    aws.describe(cluster(strategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]))

    failed, result = run(aws, {"default_capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1}]},
                         diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["after"]["default_capacity_provider_strategy"] == [
        {"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}
    ]
    assert result["diff"]["after"]["capacity_providers"] == BOTH


def test_remove_everything(aws):
    aws.describe(cluster())
    aws.stub.add_response(
        "put_cluster_capacity_providers",
        {"cluster": cluster(providers=[], strategy=[])},
        {"cluster": NAME, "capacityProviders": [], "defaultCapacityProviderStrategy": []},
    )
    aws.describe(cluster(providers=[], strategy=[]))

    failed, result = run(aws, {"capacity_providers": [], "default_capacity_provider_strategy": []})

    assert not failed, result
    assert result["changed"] is True


def test_purge_that_would_orphan_the_kept_strategy_fails_before_any_write(aws):
    aws.describe(cluster(insights="disabled"))  # no UpdateClusterSettings, no Put queued

    failed, result = run(aws, {"capacity_providers": ["FARGATE"], "container_insights": "enabled"})

    assert failed
    assert "its default_capacity_provider_strategy uses FARGATE_SPOT, which capacity_providers would remove" in result["msg"]


def test_provider_in_use_error_is_reported(aws):
    aws.describe(cluster(providers=["FARGATE", "medtech-asg"], strategy=[]))
    aws.error(
        "put_cluster_capacity_providers",
        "ResourceInUseException",
        "The specified capacity provider is in use and cannot be removed.",
    )

    failed, result = run(aws, {"capacity_providers": ["FARGATE"]})

    assert failed
    assert result["msg"].startswith(f"Failed to set the capacity providers of the ECS cluster {NAME}")
    assert "ResourceInUseException" in result["msg"]


def test_capacity_change_in_check_mode_writes_nothing(aws):
    aws.describe(cluster())

    failed, result = run(aws, {"capacity_providers": ["FARGATE"],
                               "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1}]},
                         check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["cluster"]["capacity_providers"] == ["FARGATE"]
    assert result["cluster"]["default_capacity_provider_strategy"] == [{"capacity_provider": "FARGATE", "weight": 1}]
    assert result["cluster"]["cluster_arn"] == ARN
    assert result["diff"]["before"]["capacity_providers"] == BOTH


# --- tags -----------------------------------------------------------------------------------------
def test_tags_added_and_removed(aws):
    aws.describe(cluster(tags={"environment": "test", "old": "x"}))
    aws.stub.add_response("untag_resource", {}, {"resourceArn": ARN, "tagKeys": ["old"]})
    aws.stub.add_response(
        "tag_resource",
        {},
        {"resourceArn": ARN, "tags": [{"key": "environment", "value": "prod"}, {"key": "port", "value": "8080"}]},
    )
    aws.describe(cluster(tags={"environment": "prod", "port": "8080"}))

    failed, result = run(aws, {"tags": {"environment": "prod", "port": 8080}}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["tags"] == {"environment": "test", "old": "x"}
    assert result["diff"]["after"]["tags"] == {"environment": "prod", "port": "8080"}


def test_tags_without_purge_only_add(aws):
    aws.describe(cluster(tags={"environment": "prod"}))
    aws.stub.add_response("tag_resource", {}, {"resourceArn": ARN, "tags": [{"key": "owner", "value": "platform"}]})
    aws.describe(cluster(tags={"environment": "prod", "owner": "platform"}))

    failed, result = run(aws, {"tags": {"owner": "platform"}, "purge_tags": False})

    assert not failed, result
    assert result["changed"] is True


def test_tags_in_check_mode(aws):
    aws.describe(cluster(tags={"environment": "test", "old": "x"}))

    failed, result = run(aws, {"tags": {"environment": "prod"}}, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["cluster"]["tags"] == {"environment": "prod"}


def test_everything_in_one_run_in_order(aws):
    aws.describe(cluster(providers=["FARGATE"], strategy=[], insights="disabled", tags={"old": "x"}))
    aws.stub.add_response("update_cluster_settings", {"cluster": cluster()})
    aws.stub.add_response("put_cluster_capacity_providers", {"cluster": cluster()})
    aws.stub.add_response("untag_resource", {})
    aws.stub.add_response("tag_resource", {})
    aws.describe(cluster(tags={"environment": "prod"}))

    failed, result = run(aws, PRODUCTION)

    assert not failed, result
    assert result["changed"] is True


# --- delete ---------------------------------------------------------------------------------------
def test_delete(aws):
    aws.describe(cluster())
    aws.stub.add_response("delete_cluster", {"cluster": cluster(status="INACTIVE")}, {"cluster": NAME})

    failed, result = run(aws, {"state": "absent"}, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["cluster"]["status"] == "INACTIVE"
    assert result["diff"]["before"]["cluster_name"] == NAME
    assert result["diff"]["after"] == {}


def test_delete_waits_while_deprovisioning(aws, no_sleep):
    aws.describe(cluster())
    aws.stub.add_response("delete_cluster", {"cluster": cluster(status="DEPROVISIONING")}, {"cluster": NAME})
    aws.describe(cluster(status="DEPROVISIONING"))
    aws.describe(cluster(status="INACTIVE"))

    failed, result = run(aws, {"state": "absent"})

    assert not failed, result
    assert result["cluster"]["status"] == "INACTIVE"
    assert no_sleep.call_count == 1


def test_delete_wait_times_out(aws):
    aws.describe(cluster())
    aws.stub.add_response("delete_cluster", {"cluster": cluster(status="DEPROVISIONING")}, {"cluster": NAME})
    aws.describe(cluster(status="DEPROVISIONING"))
    aws.describe(cluster(status="DEPROVISIONING"))

    clock = iter([0, 0, 100])
    with mock.patch.object(ecs_utils.time, "monotonic", side_effect=lambda: next(clock)):
        failed, result = run(aws, {"state": "absent", "timeout": 60})

    assert failed
    assert f"Timeout waiting 60 s for the ECS cluster {NAME}: its status is still DEPROVISIONING" in result["msg"]


def test_delete_in_check_mode_writes_nothing(aws):
    aws.describe(cluster())

    failed, result = run(aws, {"state": "absent"}, check_mode=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["cluster"]["status"] == "ACTIVE"


@pytest.mark.parametrize("status", [None, "INACTIVE", "DEPROVISIONING"])
def test_absent_when_gone_or_going(aws, status):
    aws.describe(None if status is None else cluster(status=status))

    failed, result = run(aws, {"state": "absent"})

    assert not failed, result
    assert result["changed"] is False
    assert result["cluster"] == {}


def test_present_while_deprovisioning_fails(aws):
    aws.describe(cluster(status="DEPROVISIONING"))

    failed, result = run(aws, {})

    assert failed
    assert "is being deleted (DEPROVISIONING): wait until it is INACTIVE and run again" in result["msg"]


def test_present_on_an_inactive_cluster_creates_it(aws):
    aws.describe(cluster(status="INACTIVE"))
    aws.stub.add_response("create_cluster", {"cluster": cluster(providers=[], strategy=[])}, {"clusterName": NAME})
    aws.describe(cluster(providers=[], strategy=[]))

    failed, result = run(aws, {})

    assert not failed, result
    assert result["changed"] is True


@pytest.mark.parametrize("check_mode", [False, True])
def test_delete_refused_with_active_services_before_any_write(aws, check_mode):
    aws.describe(cluster(activeServicesCount=3, runningTasksCount=7))  # no DeleteCluster queued

    failed, result = run(aws, {"state": "absent"}, check_mode=check_mode)

    assert failed
    assert result["msg"] == (
        f"ECS cluster {NAME} cannot be deleted while it has 3 active service(s): delete them first; "
        "7 running or pending task(s): stop them first"
    )
    assert result["cluster"]["active_services_count"] == 3


@pytest.mark.parametrize(
    "code, message, fragment",
    [
        ("ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.",
         "it still has active services: delete them first"),
        ("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.",
         "it still has running or pending tasks: stop them first"),
        ("ClusterContainsContainerInstancesException",
         "The Cluster cannot be deleted while Container Instances are active or draining.",
         "it still has registered container instances"),
    ],
)
def test_delete_refused_by_aws_is_reported_clearly(aws, code, message, fragment):
    # the counts said nothing (e.g. a service created since DescribeClusters): AWS refuses
    aws.describe(cluster())
    aws.error("delete_cluster", code, message, {"cluster": NAME})

    failed, result = run(aws, {"state": "absent"})

    assert failed
    assert result["msg"].startswith(f"ECS refused to delete the cluster {NAME}: {fragment}")
    assert message in result["msg"]
    assert result["error"]["code"] == code


def test_delete_of_a_cluster_gone_meanwhile_is_no_error(aws):
    aws.describe(cluster())
    aws.error("delete_cluster", "ClusterNotFoundException", "Cluster not found.", {"cluster": NAME})

    failed, result = run(aws, {"state": "absent"})

    assert not failed, result
    assert result["changed"] is True
    assert result["cluster"] == {}


# --- errors and validation ------------------------------------------------------------------------
def test_describe_failure_other_than_missing_is_an_error(aws):
    aws.stub.add_response(
        "describe_clusters",
        {"clusters": [], "failures": [{"arn": ARN, "reason": "ACCESS_DENIED", "detail": "no access"}]},
    )

    failed, result = run(aws, {})

    assert failed
    assert result["msg"] == f"Failed to describe the ECS cluster {NAME}: ECS reported ACCESS_DENIED: no access"


def test_describe_access_denied(aws):
    aws.error("describe_clusters", "AccessDeniedException", "User is not authorized to perform: ecs:DescribeClusters")

    failed, result = run(aws, {})

    assert failed
    assert result["msg"].startswith(f"Failed to describe the ECS cluster {NAME}")


@pytest.mark.parametrize(
    "args, fragment",
    [
        ({"name": "medtech prod"}, "name 'medtech prod' is not a cluster name: use 1 to 255 letters"),
        ({"name": ARN}, "it looks like an ARN"),
        ({"name": "x" * 256}, "is not a cluster name"),
        ({"timeout": 0}, "timeout is 0: set it to a number of seconds above 0"),
        ({"tags": {"aws:owner": "x"}}, "tags: the key 'aws:owner' starts with aws:"),
        ({"capacity_providers": ["FARGATE", "FARGATE"]}, "capacity_providers lists FARGATE more than once"),
        ({"capacity_providers": [""]}, "capacity_providers contains an empty name"),
        ({"default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": -1}]},
         "the weight of FARGATE is -1: set it from 0 to 1000"),
        ({"default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "base": 100001}]},
         "the base of FARGATE is 100001: set it from 0 to 100000"),
        ({"default_capacity_provider_strategy": [{"capacity_provider": "A", "base": 1, "weight": 1},
                                                 {"capacity_provider": "B", "base": 1}]},
         "A, B each have a base above 0: AWS allows a base on one capacity provider only"),
        ({"default_capacity_provider_strategy": [{"capacity_provider": "A"}, {"capacity_provider": "B", "weight": 0}]},
         "every weight is 0"),
        ({"default_capacity_provider_strategy": [{"capacity_provider": "A", "weight": 1}] * 2},
         "names A more than once"),
        ({"default_capacity_provider_strategy": [{"capacity_provider": f"P{i}", "weight": 1} for i in range(7)]},
         "has 7 entries: AWS allows at most 6"),
        ({"capacity_providers": ["FARGATE"],
          "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1}]},
         "uses FARGATE_SPOT, which capacity_providers does not list"),
    ],
)
def test_invalid_options_fail_before_any_aws_call(aws, args, fragment):
    failed, result = run(aws, args)

    assert failed
    assert result["msg"].startswith("Invalid options: ")
    assert fragment in result["msg"]
    assert aws.client_calls == []


# --- pure functions -------------------------------------------------------------------------------
def test_validate_strategy_accepts_what_aws_accepts():
    assert ecs_cluster.validate_strategy(None) == []
    assert ecs_cluster.validate_strategy([]) == []
    assert ecs_cluster.validate_strategy([{"capacity_provider": "FARGATE", "weight": None, "base": None}]) == []
    assert ecs_cluster.validate_strategy(
        [{"capacity_provider": "FARGATE", "weight": 0, "base": 100000},
         {"capacity_provider": "FARGATE_SPOT", "weight": 1000, "base": 0}],
        ["FARGATE", "FARGATE_SPOT"],
    ) == []
    # without purge the cluster's current providers count, so the list is not checked here
    assert ecs_cluster.validate_strategy([{"capacity_provider": "X", "weight": 1}], ["FARGATE"], purge=False) == []


def test_strategy_view_fills_zeros_and_sorts():
    assert ecs_cluster.strategy_view([
        {"capacityProvider": "FARGATE_SPOT", "weight": 3},
        {"capacityProvider": "FARGATE", "base": 2, "weight": 1},
    ]) == [
        {"capacity_provider": "FARGATE", "weight": 1, "base": 2},
        {"capacity_provider": "FARGATE_SPOT", "weight": 3, "base": 0},
    ]
    assert ecs_cluster.strategy_view(None) == []


def test_strategy_to_boto3_leaves_unset_out():
    assert ecs_cluster.strategy_to_boto3([
        {"capacity_provider": "FARGATE", "weight": None, "base": 2},
        {"capacity_provider": "FARGATE_SPOT", "weight": 0, "base": None},
    ]) == [{"capacityProvider": "FARGATE", "base": 2}, {"capacityProvider": "FARGATE_SPOT", "weight": 0}]


def test_cluster_view_keeps_tag_keys_and_settings_values():
    view = ecs_cluster.cluster_view(cluster(tags={"CostCentre": "Platform"}))
    assert view["tags"] == {"CostCentre": "Platform"}
    assert view["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert view["default_capacity_provider_strategy"][0] == {"capacity_provider": "FARGATE", "weight": 1, "base": 2}
    assert ecs_cluster.cluster_view({k: v for k, v in cluster().items() if k != "tags"})["tags"] == {}


def test_container_insights_of():
    assert ecs_cluster.container_insights_of({"settings": [{"name": "containerInsights", "value": "enhanced"}]}) == "enhanced"
    assert ecs_cluster.container_insights_of({"settings": []}) is None
    assert ecs_cluster.container_insights_of(None) is None


def test_diff_view_is_order_free():
    a = ecs_cluster.cluster_view(cluster())
    b = ecs_cluster.cluster_view(cluster(providers=list(reversed(BOTH)), strategy=list(reversed([
        {"capacityProvider": "FARGATE", "weight": 1, "base": 2},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3},
    ]))))
    assert ecs_cluster.diff_view(a) == ecs_cluster.diff_view(b)
    assert ecs_cluster.diff_view(None) == {}


def test_ecs_tags_are_lower_case_strings():
    assert ecs_utils.ecs_tags({"port": 8080}) == [{"key": "port", "value": "8080"}]
