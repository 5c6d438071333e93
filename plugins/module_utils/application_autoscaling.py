# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Application Auto Scaling API calls of application_autoscaling_policy, one function each.

Each is retried on throttling and on ``ConcurrentUpdateException`` (AWS's answer while another
update of the same target is pending, which it documents as retryable) and turns an API error
into AnsibleApplicationAutoScalingError, whose message names the action (amazon.aws's
AWSErrorHandler). The two Describe calls read every page.

A missing scalable target or policy is ``ObjectNotFoundException``; the deletions treat it as
"already gone".
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


class AnsibleApplicationAutoScalingError(AnsibleAWSError):
    pass


class ApplicationAutoScalingErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleApplicationAutoScalingError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ObjectNotFoundException")


def _retry():
    """AWSRetry's backoff, also on ThrottlingException ("Rate exceeded") and
    ConcurrentUpdateException (another update of the target is still pending)."""
    return AWSRetry.jittered_backoff(catch_extra_error_codes=["ThrottlingException", "ConcurrentUpdateException"])


def _identity(service_namespace, resource_id, scalable_dimension):
    return {"ServiceNamespace": service_namespace, "ResourceId": resource_id, "ScalableDimension": scalable_dimension}


@ApplicationAutoScalingErrorHandler.common_error_handler("describe the scalable target {resource_id}")
@_retry()
def describe_scalable_target(client, service_namespace, resource_id, scalable_dimension):
    """DescribeScalableTargets for one resource and dimension, all pages.

    :return: the boto3 ScalableTarget dict, or None when it is not registered.
    :raises AnsibleApplicationAutoScalingError: on an API error other than throttling (retried).
    """
    paginator = client.get_paginator("describe_scalable_targets")
    targets = (
        paginator.paginate(
            ServiceNamespace=service_namespace, ResourceIds=[resource_id], ScalableDimension=scalable_dimension
        )
        .build_full_result()
        .get("ScalableTargets", [])
    )
    # Match exactly: the filter is AWS's, the identity is ours.
    for target in targets:
        if target.get("ResourceId") == resource_id and target.get("ScalableDimension") == scalable_dimension:
            return target
    return None


@ApplicationAutoScalingErrorHandler.common_error_handler("describe the scaling policies of {resource_id}")
@_retry()
def describe_scaling_policies(client, service_namespace, resource_id, scalable_dimension):
    """DescribeScalingPolicies of one scalable target, all pages.

    :return: a list of boto3 ScalingPolicy dicts (every policy of the target, any type); ``[]``
        when there is none or the target is not registered.
    """
    paginator = client.get_paginator("describe_scaling_policies")
    policies = (
        paginator.paginate(**_identity(service_namespace, resource_id, scalable_dimension))
        .build_full_result()
        .get("ScalingPolicies", [])
    )
    return [
        policy
        for policy in policies
        if policy.get("ResourceId") == resource_id and policy.get("ScalableDimension") == scalable_dimension
    ]


@ApplicationAutoScalingErrorHandler.common_error_handler("register the scalable target {resource_id}")
@_retry()
def register_scalable_target(client, service_namespace, resource_id, scalable_dimension, **params):
    """RegisterScalableTarget (creates or updates); ``params`` are MinCapacity and/or MaxCapacity.

    :return: the ScalableTargetARN.
    """
    response = client.register_scalable_target(**_identity(service_namespace, resource_id, scalable_dimension), **params)
    return response.get("ScalableTargetARN")


@ApplicationAutoScalingErrorHandler.deletion_error_handler("deregister the scalable target {resource_id}")
@_retry()
def deregister_scalable_target(client, service_namespace, resource_id, scalable_dimension):
    """DeregisterScalableTarget; AWS also deletes the target's policies and scheduled actions.

    :return: True when deregistered, False when it was not registered.
    """
    client.deregister_scalable_target(**_identity(service_namespace, resource_id, scalable_dimension))
    return True


@ApplicationAutoScalingErrorHandler.common_error_handler("put the scaling policy {policy_name} of {resource_id}")
@_retry()
def put_target_tracking_policy(client, service_namespace, resource_id, scalable_dimension, policy_name, configuration):
    """PutScalingPolicy of type TargetTrackingScaling (creates or replaces the configuration).

    :param configuration: the boto3 TargetTrackingScalingPolicyConfiguration.
    :return: the response without ResponseMetadata (PolicyARN, Alarms).
    """
    response = client.put_scaling_policy(
        PolicyName=policy_name,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration=configuration,
        **_identity(service_namespace, resource_id, scalable_dimension),
    )
    response.pop("ResponseMetadata", None)
    return response


@ApplicationAutoScalingErrorHandler.deletion_error_handler("delete the scaling policy {policy_name} of {resource_id}")
@_retry()
def delete_scaling_policy(client, service_namespace, resource_id, scalable_dimension, policy_name):
    """DeleteScalingPolicy; AWS deletes the CloudWatch alarms it created for the policy.

    :return: True when deleted, False when it did not exist.
    """
    client.delete_scaling_policy(PolicyName=policy_name, **_identity(service_namespace, resource_id, scalable_dimension))
    return True
