#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ecs_cluster
version_added: 0.1.0
short_description: Manage an Amazon ECS cluster, its capacity providers, Container Insights and tags
description:
  - Create, converge and delete one Amazon ECS cluster, identified by O(name).
  - Manages the cluster's capacity providers and default capacity provider strategy, its
    Container Insights setting and its tags, which M(community.aws.ecs_cluster) cannot set.
  - Options that are not set are left alone on an existing cluster.
  - The current state is read with C(DescribeClusters) (with C(SETTINGS), C(TAGS) and
    C(CONFIGURATIONS)); a cluster whose status is C(INACTIVE) counts as absent (ECS keeps
    deleted clusters visible for a while).
  - Everything that could refuse the run is decided before the first write.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  name:
    description:
      - The name of the cluster, e.g. V(medtech-prod-cluster). Not its ARN.
      - 1 to 255 letters, digits, hyphens and underscores.
    type: str
    required: true
  state:
    description:
      - V(present) creates the cluster or brings it in line with the options.
      - V(absent) deletes it. ECS refuses to delete a cluster that still has active services,
        running or pending tasks or registered container instances; the module checks the
        counts C(DescribeClusters) reports first and fails before any write (also in check
        mode) with a message that says what to remove.
    type: str
    choices: [present, absent]
    default: present
  capacity_providers:
    description:
      - The capacity providers of the cluster, e.g. V([FARGATE, FARGATE_SPOT]), or the names of
        Auto Scaling group capacity providers, which must exist.
      - Compared as a set (the order does not matter).
      - V([]) removes every capacity provider (with O(purge_capacity_providers=true)).
      - When not set, the capacity providers are left as they are.
    type: list
    elements: str
  purge_capacity_providers:
    description:
      - Whether capacity providers of the cluster that O(capacity_providers) does not list are
        removed. With V(false) the listed ones are added and the others kept.
      - Ignored when O(capacity_providers) is not set.
    type: bool
    default: true
  default_capacity_provider_strategy:
    description:
      - The default capacity provider strategy of the cluster, used by services and tasks that
        name neither a launch type nor a strategy.
      - Compared without regard to order; a missing O(default_capacity_provider_strategy[].weight)
        or O(default_capacity_provider_strategy[].base) counts as V(0), as at AWS.
      - Every capacity provider named here must be one of the cluster's capacity providers after
        the run (O(capacity_providers), or the current ones when that is not set).
      - At most 6 entries; at most one with a O(default_capacity_provider_strategy[].base)
        above 0; with more than one entry, at least one weight above 0 (AWS cannot place tasks
        otherwise).
      - V([]) removes the default strategy. When not set, it is left as it is.
      - C(PutClusterCapacityProviders) always sets the capacity providers and the default strategy
        together; the one that is not set is sent as it is now.
    type: list
    elements: dict
    suboptions:
      capacity_provider:
        description: The name of the capacity provider, e.g. V(FARGATE).
        type: str
        required: true
      weight:
        description:
          - The relative share of the tasks placed on this capacity provider once every base is
            satisfied, 0 to 1000. AWS's default is V(0).
        type: int
      base:
        description:
          - The number of tasks, 0 to 100000, that run on this capacity provider at least. AWS's
            default is V(0).
        type: int
  container_insights:
    description:
      - The Container Insights setting of the cluster (cluster setting C(containerInsights)).
      - V(enhanced) is Container Insights with enhanced observability, V(enabled) the standard
        one, V(disabled) off.
      - When not set, a new cluster gets the account's default (C(PutAccountSetting)) and an
        existing one keeps its setting.
      - Changed on an existing cluster with C(UpdateClusterSettings).
    type: str
    choices: [enabled, disabled, enhanced]
  wait:
    description:
      - Whether to wait until a created or changed cluster is no longer C(PROVISIONING), and
        until a deleted one is no longer C(DEPROVISIONING) (both happen when capacity provider
        resources are set up or removed; a Fargate cluster is ready at once).
    type: bool
    default: true
  timeout:
    description:
      - How long to wait, in seconds, with O(wait=true).
    type: int
    default: 600
notes:
  - "Calls: C(ecs:DescribeClusters), C(ecs:CreateCluster), C(ecs:UpdateClusterSettings),
    C(ecs:PutClusterCapacityProviders), C(ecs:TagResource), C(ecs:UntagResource),
    C(ecs:DeleteCluster). Creating the first cluster of an account may also need
    C(iam:CreateServiceLinkedRole) for C(AWSServiceRoleForECS)."
  - A capacity provider that a service uses cannot be removed; AWS refuses with
    C(ResourceInUseException), reported as the module's failure.
  - Writes on a cluster are retried while ECS answers C(UpdateInProgressException) (an earlier
    change of the cluster is still being applied).
  - "Failures: invalid options (C(Invalid options: ...), before any AWS call); a strategy that
    would use a capacity provider the cluster would not have, a cluster that is C(DEPROVISIONING)
    with O(state=present), and a delete while the counts show services, tasks or container
    instances (before any write); AWS's refusals of C(DeleteCluster)
    (C(ClusterContainsServicesException), C(ClusterContainsTasksException),
    C(ClusterContainsContainerInstancesException), C(ClusterContainsCapacityProviderException))
    with what to remove; any other API error as C(Failed to <action> the ECS cluster <name>)
    with AWS's code and message; a wait that times out, or a cluster that ends C(FAILED)."
seealso:
  - module: community.aws.ecs_cluster
  - name: Amazon ECS clusters
    description: Capacity providers, strategies and cluster settings.
    link: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/clusters.html
attributes:
  check_mode:
    support: full
    description:
      - Reads the cluster, decides every change and fails where a real run would fail before
        writing, but writes nothing. RV(cluster) is the cluster as it would be.
  diff_mode:
    support: full
    description:
      - Returns the cluster's name, capacity providers (sorted), default strategy (sorted, with
        weight and base filled in), Container Insights and tags before and after the run.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Credentials, region and endpoint can be set once for the whole play with
# module_defaults: {group/medtech.aws_platform.aws: {region: eu-central-1}}.

- name: The production cluster, Fargate and Fargate Spot, Container Insights on
  medtech.aws_platform.ecs_cluster:
    name: medtech-prod-cluster
    capacity_providers:
      - FARGATE
      - FARGATE_SPOT
    default_capacity_provider_strategy:
      - capacity_provider: FARGATE
        weight: 1
        base: 2
      - capacity_provider: FARGATE_SPOT
        weight: 3
    container_insights: enabled
    tags:
      environment: prod
      project: medtech
      managed-by: ansible
      cost-centre: platform
  register: ecs_cluster

- name: Add a capacity provider and keep the others and the default strategy
  medtech.aws_platform.ecs_cluster:
    name: medtech-prod-cluster
    capacity_providers:
      - medtech-prod-asg-provider
    purge_capacity_providers: false

- name: Add one tag, keep the others
  medtech.aws_platform.ecs_cluster:
    name: medtech-prod-cluster
    tags:
      owner: platform-team
    purge_tags: false

- name: Delete the cluster (fails while services or tasks are active)
  medtech.aws_platform.ecs_cluster:
    name: medtech-test-cluster
    state: absent
"""

RETURN = r"""
cluster:
  description:
    - The cluster as C(DescribeClusters) returns it after the run, in snake_case, with its tags
      as a dictionary.
    - With O(state=absent), the cluster as C(DeleteCluster) returned it (status V(INACTIVE), or
      V(DEPROVISIONING) with O(wait=false)); in check mode the cluster as it is; C({}) when there
      was none.
    - In check mode with O(state=present), the cluster as it would be; a cluster that would be
      created has only the keys known before AWS creates it (no ARN, no counts).
  returned: always
  type: dict
  contains:
    cluster_arn:
      description: The ARN of the cluster.
      returned: when the cluster exists
      type: str
      sample: arn:aws:ecs:eu-central-1:123456789012:cluster/medtech-prod-cluster
    cluster_name:
      description: The name of the cluster.
      returned: when the cluster exists
      type: str
      sample: medtech-prod-cluster
    status:
      description: V(ACTIVE), V(PROVISIONING), V(DEPROVISIONING), V(FAILED) or V(INACTIVE).
      returned: when the cluster exists
      type: str
      sample: ACTIVE
    capacity_providers:
      description: The capacity providers of the cluster.
      returned: when the cluster exists
      type: list
      elements: str
      sample: ["FARGATE", "FARGATE_SPOT"]
    default_capacity_provider_strategy:
      description: The default capacity provider strategy (C(base) may be missing when it is 0).
      returned: when the cluster has one
      type: list
      elements: dict
      sample: [{"capacity_provider": "FARGATE", "weight": 1, "base": 2}, {"capacity_provider": "FARGATE_SPOT", "weight": 3, "base": 0}]
    settings:
      description: The cluster settings; C(containerInsights) is V(enabled), V(enhanced) or V(disabled).
      returned: when the cluster exists
      type: list
      elements: dict
      sample: [{"name": "containerInsights", "value": "enabled"}]
    tags:
      description: The tags of the cluster.
      returned: always when the cluster exists
      type: dict
      sample: {"environment": "prod", "managed-by": "ansible"}
    active_services_count:
      description: The number of services in the cluster whose status is C(ACTIVE).
      returned: when the cluster exists
      type: int
      sample: 3
    running_tasks_count:
      description: The number of tasks in the C(RUNNING) state.
      returned: when the cluster exists
      type: int
      sample: 7
    pending_tasks_count:
      description: The number of tasks in the C(PENDING) state.
      returned: when the cluster exists
      type: int
      sample: 0
    registered_container_instances_count:
      description: The number of registered container instances (EC2 capacity).
      returned: when the cluster exists
      type: int
      sample: 0
    configuration:
      description: The execute-command and managed-storage configuration.
      returned: when the cluster has one
      type: dict
      sample: {"execute_command_configuration": {"logging": "DEFAULT"}}
    attachments_status:
      description: The status of the capacity provider attachments, e.g. C(UPDATE_COMPLETE).
      returned: when the cluster has capacity provider attachments
      type: str
      sample: UPDATE_COMPLETE
changed:
  description: Whether the cluster was (or, in check mode, would be) created, changed or deleted.
  returned: always
  type: bool
  sample: true
diff:
  description:
    - The managed parts of the cluster before and after the run (C({}) when it does not exist).
  returned: in diff mode
  type: dict
  sample:
    before: {}
    after:
      cluster_name: medtech-prod-cluster
      capacity_providers: ["FARGATE", "FARGATE_SPOT"]
      default_capacity_provider_strategy: [{"capacity_provider": "FARGATE", "weight": 1, "base": 2}]
      container_insights: enabled
      tags: {"environment": "prod"}
"""

import copy
import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import expected_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import make_diff
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import normalize
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs import AnsibleECSError
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs import create_cluster
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs import delete_cluster
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs import describe_cluster
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs import ecs_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs import put_cluster_capacity_providers
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs import tag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs import untag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs import update_cluster_settings
from ansible_collections.medtech.aws_platform.plugins.module_utils.ecs import wait_for_cluster

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
INSIGHTS = "containerInsights"
MAX_STRATEGY_ITEMS = 6
MAX_WEIGHT = 1000
MAX_BASE = 100000

# DeleteCluster's refusals, and what the user has to do about each.
DELETE_REFUSALS = {
    "ClusterContainsServicesException": "it still has active services: delete them first "
    "(e.g. community.aws.ecs_service with state: absent and force_deletion: true)",
    "ClusterContainsTasksException": "it still has running or pending tasks: stop them first "
    "(ecs:StopTask), or wait until their services have drained",
    "ClusterContainsContainerInstancesException": "it still has registered container instances: "
    "deregister them first (ecs:DeregisterContainerInstance)",
    "ClusterContainsCapacityProviderException": "it still has capacity providers that block the deletion "
    "(e.g. Amazon ECS Managed Instances capacity providers): delete them first",
}


# --- pure helpers -----------------------------------------------------------------------
def validate_params(params):
    """Check the options before any AWS call.

    :param params: the module's params.
    :return: a list of error messages, each naming the option and the fix (empty when valid).
    """
    errors = []
    name = params["name"]
    if not NAME_PATTERN.match(name):
        hint = " (it looks like an ARN: give the name after cluster/)" if name.startswith("arn:") else ""
        errors.append(
            f"name {name!r} is not a cluster name{hint}: use 1 to 255 letters, digits, hyphens and underscores"
        )
    if params["timeout"] is not None and params["timeout"] < 1:
        errors.append(f"timeout is {params['timeout']}: set it to a number of seconds above 0")
    for key in (params.get("tags") or {}):
        if str(key).lower().startswith("aws:"):
            errors.append(f"tags: the key {key!r} starts with aws:, which AWS reserves: rename or remove it")

    providers = params.get("capacity_providers")
    if providers is not None:
        if any(not provider for provider in providers):
            errors.append("capacity_providers contains an empty name: remove it")
        doubles = sorted({provider for provider in providers if providers.count(provider) > 1})
        if doubles:
            errors.append(f"capacity_providers lists {', '.join(doubles)} more than once: list each once")
    errors.extend(validate_strategy(params.get("default_capacity_provider_strategy"), providers,
                                    params.get("purge_capacity_providers", True)))
    return errors


def validate_strategy(strategy, providers=None, purge=True):
    """Check ``default_capacity_provider_strategy`` as AWS would, and against the providers.

    :param strategy: the option's list of dicts (None when not set).
    :param providers: the ``capacity_providers`` option (None when not set); only checked when
        ``purge`` is true, since the cluster's current providers count otherwise.
    :return: a list of error messages.
    """
    if strategy is None:
        return []
    errors = []
    option = "default_capacity_provider_strategy"
    if len(strategy) > MAX_STRATEGY_ITEMS:
        errors.append(f"{option} has {len(strategy)} entries: AWS allows at most {MAX_STRATEGY_ITEMS}")
    names = [item["capacity_provider"] for item in strategy]
    doubles = sorted({name for name in names if names.count(name) > 1})
    if doubles:
        errors.append(f"{option} names {', '.join(doubles)} more than once: give each capacity provider once")
    for item in strategy:
        name = item["capacity_provider"]
        weight, base = item.get("weight"), item.get("base")
        if weight is not None and not 0 <= weight <= MAX_WEIGHT:
            errors.append(f"{option}: the weight of {name} is {weight}: set it from 0 to {MAX_WEIGHT}")
        if base is not None and not 0 <= base <= MAX_BASE:
            errors.append(f"{option}: the base of {name} is {base}: set it from 0 to {MAX_BASE}")
    with_base = [item["capacity_provider"] for item in strategy if (item.get("base") or 0) > 0]
    if len(with_base) > 1:
        errors.append(
            f"{option}: {', '.join(with_base)} each have a base above 0: AWS allows a base on one "
            "capacity provider only; set the others to 0"
        )
    if len(strategy) > 1 and not any((item.get("weight") or 0) > 0 for item in strategy):
        errors.append(
            f"{option}: every weight is 0, so AWS could place no task: give at least one capacity provider a weight above 0"
        )
    if providers is not None and purge:
        missing = [name for name in names if name not in providers]
        if missing:
            errors.append(
                f"{option} uses {', '.join(missing)}, which capacity_providers does not list: add "
                "it to capacity_providers, or remove it from the strategy"
            )
    return errors


def strategy_to_boto3(strategy):
    """The option's strategy as PutClusterCapacityProviders wants it (unset weight/base left out)."""
    result = []
    for item in strategy:
        boto = {"capacityProvider": item["capacity_provider"]}
        if item.get("weight") is not None:
            boto["weight"] = item["weight"]
        if item.get("base") is not None:
            boto["base"] = item["base"]
        result.append(boto)
    return result


def strategy_view(strategy):
    """A comparable strategy from a boto3 list: sorted by capacity provider, weight and base 0
    where AWS (or the user) left them out. Used to compare and in the diff."""
    items = [
        {
            "capacity_provider": item["capacityProvider"],
            "weight": item.get("weight") or 0,
            "base": item.get("base") or 0,
        }
        for item in strategy or []
    ]
    return sorted(items, key=lambda item: item["capacity_provider"])


def container_insights_of(cluster):
    """The containerInsights value in a snake_case cluster's settings, or None."""
    for setting in (cluster or {}).get("settings") or []:
        if setting.get("name") == INSIGHTS:
            return setting.get("value")
    return None


def cluster_view(raw):
    """The boto3 Cluster as the module returns it: snake_case, tags as a dict (always present)."""
    view = boto3_resource_to_ansible_dict(
        raw,
        transform_tags=False,
        force_tags=False,
        nested_transforms={"tags": lambda tags: boto3_tag_list_to_ansible_dict(tags, "key", "value")},
    )
    view.setdefault("tags", {})
    return view


def snake_strategy(boto_strategy):
    """A boto3 strategy list in the snake_case of RV(cluster)."""
    return [
        {("capacity_provider" if key == "capacityProvider" else key): value for key, value in item.items()}
        for item in boto_strategy
    ]


def diff_view(cluster):
    """The managed parts of a snake_case cluster, comparable, for ``diff``."""
    if not cluster:
        return {}
    view = {
        "cluster_name": cluster.get("cluster_name"),
        "capacity_providers": sorted(cluster.get("capacity_providers") or []),
        "default_capacity_provider_strategy": strategy_view(
            [
                {"capacityProvider": item["capacity_provider"], "weight": item.get("weight"), "base": item.get("base")}
                for item in cluster.get("default_capacity_provider_strategy") or []
            ]
        ),
        "tags": dict(cluster.get("tags") or {}),
    }
    insights = container_insights_of(cluster)
    if insights is not None:
        view["container_insights"] = insights
    return view


# --- compare and act --------------------------------------------------------------------
class ClusterManager(ResourceManager):
    """One ECS cluster, identified by its name."""

    result_key = "cluster"

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params = module.params
        self.name = self.params["name"]
        self.raw = None  # the boto3 Cluster read last (also INACTIVE)
        self.planned = {}

    def read(self):
        self.raw = describe_cluster(self.client, self.name)
        status = (self.raw or {}).get("status")
        if status == "DEPROVISIONING" and self.params["state"] == "present":
            raise AnsibleECSError(
                message=f"ECS cluster {self.name} is being deleted (DEPROVISIONING): wait until it is INACTIVE "
                "and run again"
            )
        if self.raw is None or status in ("INACTIVE", "DEPROVISIONING"):
            return None  # deleted, or (state=absent) being deleted
        return cluster_view(self.raw)

    # --- plan ------------------------------------------------------------------------------
    def wanted_providers(self, current_providers):
        """The capacity providers after the run (a list, current order first)."""
        wanted = self.params["capacity_providers"]
        if wanted is None:
            return list(current_providers)
        if self.params["purge_capacity_providers"]:
            return list(wanted)
        return list(current_providers) + [name for name in wanted if name not in current_providers]

    def plan_capacity(self, current_providers, current_strategy):
        """(providers, boto3 strategy) to put, or None when both are as wanted.

        :raises AnsibleECSError: when the strategy would use a provider the cluster would not
            have (before any write).
        """
        providers = self.wanted_providers(current_providers)
        option = self.params["default_capacity_provider_strategy"]
        strategy = current_strategy if option is None else strategy_to_boto3(option)
        strategy = [
            {key: item[key] for key in ("capacityProvider", "weight", "base") if key in item} for item in strategy
        ]
        unknown = [item["capacityProvider"] for item in strategy if item["capacityProvider"] not in providers]
        if unknown:
            if option is None:
                fix = (f"its default_capacity_provider_strategy uses {', '.join(unknown)}, which "
                       "capacity_providers would remove: set default_capacity_provider_strategy too, or keep "
                       "these capacity providers")
            else:
                fix = (f"default_capacity_provider_strategy uses {', '.join(unknown)}, which is not one of the "
                       f"cluster's capacity providers ({', '.join(providers) or 'none'}): add it to capacity_providers")
            raise AnsibleECSError(message=f"ECS cluster {self.name}: {fix}")
        same_providers = normalize(providers, sort_lists=True) == normalize(list(current_providers), sort_lists=True)
        if same_providers and strategy_view(strategy) == strategy_view(current_strategy):
            return None
        return providers, strategy

    def plan(self, current):
        """Decide every change of an existing cluster (``current`` is its snake_case view)."""
        raw = self.raw or {}
        insights = self.params["container_insights"]
        self.planned["settings"] = None
        if insights is not None and insights != container_insights_of(current):
            self.planned["settings"] = [{"name": INSIGHTS, "value": insights}]
        self.planned["capacity"] = self.plan_capacity(
            raw.get("capacityProviders") or [], raw.get("defaultCapacityProviderStrategy") or []
        )
        to_set, to_unset = {}, []
        if self.params["tags"] is not None:
            to_set, to_unset = compare_aws_tags(current.get("tags") or {}, self.params["tags"], self.params["purge_tags"])
        self.planned["tags"] = (to_set, to_unset)

    # --- hooks -----------------------------------------------------------------------------
    def plan_new(self):
        """Decide what a new cluster gets (capacity providers and strategy, settings)."""
        self.planned["capacity"] = self.plan_capacity([], [])
        self.planned["settings"] = None
        if self.params["container_insights"] is not None:
            self.planned["settings"] = [{"name": INSIGHTS, "value": self.params["container_insights"]}]

    def create(self):
        self.plan_new()
        params = {}
        providers, strategy = self.planned["capacity"] or ([], [])
        if providers:
            params["capacityProviders"] = providers
        if strategy:
            params["defaultCapacityProviderStrategy"] = strategy
        if self.planned.get("settings"):
            params["settings"] = self.planned["settings"]
        if self.params["tags"]:
            params["tags"] = ecs_tags(self.params["tags"])
        create_cluster(self.client, self.name, **params)

    def update(self, current):
        self.plan(current)
        if self.planned["settings"]:
            self.act(update_cluster_settings, self.client, self.name, self.planned["settings"])
        if self.planned["capacity"]:
            providers, strategy = self.planned["capacity"]
            self.act(put_cluster_capacity_providers, self.client, self.name, providers, strategy)
        to_set, to_unset = self.planned["tags"]
        if to_unset:
            self.act(untag_resource, self.client, current["cluster_arn"], sorted(to_unset))
        if to_set:
            self.act(tag_resource, self.client, current["cluster_arn"], to_set)

    def expected(self, current):
        """The cluster as the run would leave it (check mode)."""
        if current is None:
            self.plan_new()
            after = {"cluster_name": self.name, "status": "ACTIVE"}
        else:
            after = copy.deepcopy(current)
        if self.planned.get("settings"):
            others = [item for item in after.get("settings") or [] if item.get("name") != INSIGHTS]
            after["settings"] = others + [{"name": INSIGHTS, "value": self.params["container_insights"]}]
        if self.planned.get("capacity"):
            providers, strategy = self.planned["capacity"]
            after["capacity_providers"] = list(providers)
            after["default_capacity_provider_strategy"] = snake_strategy(strategy)
        after["tags"] = expected_tags((current or {}).get("tags"), self.params["tags"], current is None or self.params["purge_tags"])
        return after

    def delete(self, current):
        try:
            return delete_cluster(self.client, self.name)
        except AnsibleECSError as e:
            code = ((getattr(e.exception, "response", None) or {}).get("Error") or {}).get("Code")
            if code not in DELETE_REFUSALS:
                raise
            raise AnsibleECSError(
                message=f"ECS refused to delete the cluster {self.name}: {DELETE_REFUSALS[code]}", exception=e.exception
            ) from e

    # --- the runs --------------------------------------------------------------------------
    def read_again(self):
        """After a write: with ``wait``, describe until the cluster is there and no longer
        PROVISIONING (fail when FAILED); without, read it once."""
        if not self.params["wait"]:
            return super().read_again()
        raw = wait_for_cluster(
            self.client,
            self.name,
            lambda c: c is not None and c.get("status") != "PROVISIONING",
            self.params["timeout"],
        )
        if raw.get("status") == "FAILED":
            raise AnsibleECSError(
                message=f"ECS cluster {self.name} is FAILED: its capacity provider resources could not be set up; "
                "see the cluster's attachments (aws ecs describe-clusters --include ATTACHMENTS)"
            )
        self.raw = raw
        return cluster_view(raw)

    def refuse_delete(self, current):
        """Fail before DeleteCluster when the counts show that ECS would refuse it."""
        reasons = []
        if current.get("active_services_count"):
            reasons.append(f"{current['active_services_count']} active service(s): delete them first")
        tasks = (current.get("running_tasks_count") or 0) + (current.get("pending_tasks_count") or 0)
        if tasks:
            reasons.append(f"{tasks} running or pending task(s): stop them first")
        if current.get("registered_container_instances_count"):
            reasons.append(
                f"{current['registered_container_instances_count']} registered container instance(s): "
                "deregister them first"
            )
        if reasons:
            raise AnsibleECSError(
                message=f"ECS cluster {self.name} cannot be deleted while it has {'; '.join(reasons)}",
                cluster=current,
            )

    def ensure_absent(self):
        before = self.read()
        after = before
        if before is not None:
            self.refuse_delete(before)
            self.changed = True
            if not self.check_mode:
                deleted = self.delete(before)
                after = cluster_view(deleted) if deleted else {}
                if deleted and self.params["wait"] and deleted.get("status") != "INACTIVE":
                    last = wait_for_cluster(
                        self.client,
                        self.name,
                        lambda c: c is None or c.get("status") == "INACTIVE",
                        self.params["timeout"],
                    )
                    after["status"] = (last or {}).get("status", "INACTIVE")
        result = {"changed": self.changed, "cluster": after or {}}
        if getattr(self.module, "_diff", False):
            result["diff"] = make_diff(diff_view(before), {})
        return result

    diff_view = staticmethod(diff_view)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        capacity_providers=dict(type="list", elements="str"),
        purge_capacity_providers=dict(type="bool", default=True),
        default_capacity_provider_strategy=dict(
            type="list",
            elements="dict",
            options=dict(
                capacity_provider=dict(type="str", required=True),
                weight=dict(type="int"),
                base=dict(type="int"),
            ),
        ),
        container_insights=dict(type="str", choices=["enabled", "disabled", "enhanced"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    errors = validate_params(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    run_manager(module, ClusterManager(module, module.client("ecs")))


if __name__ == "__main__":
    main()
