# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ECS cluster API calls of ecs_cluster, one function each.

Each is retried on throttling (AWSRetry, plus ECS's ThrottlingException) and turns an API error
into AnsibleECSError, whose message names the action (amazon.aws's AWSErrorHandler). The calls
that change a cluster are also retried on UpdateInProgressException, which ECS answers while an
earlier change of the same cluster (e.g. its capacity providers) is still being applied. None of
them is paginated. Task definitions have their own file (ecs_taskdefinition.py).
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

#: what DescribeClusters is asked to add to each cluster
CLUSTER_INCLUDE = ["SETTINGS", "TAGS", "CONFIGURATIONS"]


class AnsibleECSError(AnsibleAWSError):
    pass


class ECSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleECSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ClusterNotFoundException")


def _retry(*extra_codes):
    """AWSRetry's backoff, also on ThrottlingException (ECS's "Rate exceeded") and ``extra_codes``."""
    return AWSRetry.jittered_backoff(catch_extra_error_codes=["ThrottlingException", *extra_codes])


def ecs_tags(tags):
    """A tag dict as the list ECS wants: ``[{"key": k, "value": v}]`` (lower case, unlike most
    services), values as strings, sorted by key so a request does not depend on the order of a set
    (compare_aws_tags builds the tags to set from one)."""
    return ansible_dict_to_boto3_tag_list(
        {key: str(tags[key]) for key in sorted(tags)}, tag_name_key_name="key", tag_value_key_name="value"
    )


@ECSErrorHandler.common_error_handler("describe the ECS cluster {name}")
@_retry()
def describe_cluster(client, name):
    """DescribeClusters for one cluster, with its settings, tags and configuration.

    :return: the boto3 Cluster dict (also when its status is INACTIVE, i.e. deleted), or None
        when ECS reports it MISSING.
    :raises AnsibleECSError: on an API error, or when ECS reports another failure for it.
    """
    response = client.describe_clusters(clusters=[name], include=CLUSTER_INCLUDE)
    clusters = response.get("clusters") or []
    if clusters:
        return clusters[0]
    failures = response.get("failures") or []
    reasons = [item.get("reason") for item in failures]
    if not failures or reasons == ["MISSING"]:
        return None
    details = "; ".join(f"{item.get('reason')}: {item.get('detail') or 'no detail'}" for item in failures)
    raise AnsibleECSError(message=f"Failed to describe the ECS cluster {name}: ECS reported {details}")


@ECSErrorHandler.common_error_handler("create the ECS cluster {name}")
@_retry()
def create_cluster(client, name, **params):
    """CreateCluster; ``params`` are its other parameters (settings, capacityProviders,
    defaultCapacityProviderStrategy, tags).

    :return: the new boto3 Cluster dict.
    """
    return client.create_cluster(clusterName=name, **params)["cluster"]


@ECSErrorHandler.common_error_handler("change the settings (Container Insights) of the ECS cluster {name}")
@_retry("UpdateInProgressException")
def update_cluster_settings(client, name, settings):
    """UpdateClusterSettings; ``settings`` is a list of ``{"name", "value"}``.

    :return: the boto3 Cluster dict as ECS answers.
    """
    return client.update_cluster_settings(cluster=name, settings=list(settings))["cluster"]


@ECSErrorHandler.common_error_handler("set the capacity providers of the ECS cluster {name}")
@_retry("UpdateInProgressException")
def put_cluster_capacity_providers(client, name, capacity_providers, strategy):
    """PutClusterCapacityProviders. The API replaces both lists at once, so the caller always
    passes both: the capacity providers and the default strategy (``[]`` for none).

    :param strategy: list of ``{"capacityProvider", "weight", "base"}``.
    :return: the boto3 Cluster dict as ECS answers.
    """
    return client.put_cluster_capacity_providers(
        cluster=name, capacityProviders=list(capacity_providers), defaultCapacityProviderStrategy=list(strategy)
    )["cluster"]


@ECSErrorHandler.common_error_handler("tag the ECS cluster {arn}")
@_retry()
def tag_resource(client, arn, tags):
    """TagResource; ``tags`` is a dict."""
    client.tag_resource(resourceArn=arn, tags=ecs_tags(tags))
    return True


@ECSErrorHandler.common_error_handler("remove tags from the ECS cluster {arn}")
@_retry()
def untag_resource(client, arn, tag_keys):
    """UntagResource; ``tag_keys`` is a list of keys."""
    client.untag_resource(resourceArn=arn, tagKeys=list(tag_keys))
    return True


@ECSErrorHandler.deletion_error_handler("delete the ECS cluster {name}")
@_retry("UpdateInProgressException")
def delete_cluster(client, name):
    """DeleteCluster.

    :return: the boto3 Cluster dict ECS answers (status INACTIVE, or DEPROVISIONING while
        capacity provider resources are removed), or False when the cluster was already gone.
    :raises AnsibleECSError: e.g. ClusterContainsServicesException, ClusterContainsTasksException.
    """
    return client.delete_cluster(cluster=name)["cluster"]


def wait_for_cluster(client, name, done, timeout, delay=5):
    """Describe the cluster every ``delay`` seconds until ``done(cluster)`` is true.

    :param done: a function of the boto3 Cluster dict (None when ECS reports it MISSING).
    :param timeout: seconds.
    :return: the last boto3 Cluster dict read (or None).
    :raises AnsibleECSError: when ``done`` is still false after ``timeout`` seconds (the message
        names the last status), or on an API error.
    """
    deadline = time.monotonic() + timeout
    while True:
        cluster = describe_cluster(client, name)
        if done(cluster):
            return cluster
        if time.monotonic() >= deadline:
            status = (cluster or {}).get("status", "MISSING")
            raise AnsibleECSError(
                message=f"Timeout waiting {timeout} s for the ECS cluster {name}: its status is still "
                f"{status}; raise timeout, or set wait: false"
            )
        time.sleep(delay)
