# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The SNS topic API calls of sns_topic, one function each.

Each is retried on throttling (AWSRetry, plus ``Throttled``, SNS's own code for it) and turns an
API error into AnsibleSNSError, whose message names the action (amazon.aws's AWSErrorHandler).
Lists are read with boto3's paginators.

Subscription endpoints can hold secrets (a PagerDuty integration URL carries its integration
key), so no function here puts an endpoint in a message: ``subscribe`` names the endpoint by
``endpoint_fingerprint`` and rewrites AWS's error (which may echo the endpoint, e.g. ``Invalid
SMS endpoint: ...``) before it is raised, without chaining the original exception.
"""

import copy
import hashlib

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore to the user.

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

#: the SubscriptionArn ListSubscriptionsByTopic shows for a subscription not yet confirmed
PENDING = "PendingConfirmation"
#: the SubscriptionArn it shows for one being deleted
DELETED = "Deleted"
#: how many hex digits of the endpoint's SHA-256 name it in output
FINGERPRINT_LENGTH = 12


class AnsibleSNSError(AnsibleAWSError):
    pass


class SNSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleSNSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFound")


def endpoint_fingerprint(endpoint):
    """The first 12 hex digits of the SHA-256 of ``endpoint``: tells endpoints apart in output
    without showing them."""
    return hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def sns_tags(tags):
    """A tag dict as SNS wants it, values as strings, sorted by key (stable requests)."""
    return ansible_dict_to_boto3_tag_list({key: str(tags[key]) for key in sorted(tags)})


def _scrub(value, secret, replacement):
    if isinstance(value, str):
        return value.replace(secret, replacement)
    if isinstance(value, dict):
        return {key: _scrub(item, secret, replacement) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secret, replacement) for item in value]
    return value


def scrubbed_error(error, secret, replacement):
    """A ClientError like ``error`` with every occurrence of ``secret`` in its response (AWS's
    message) replaced; any other botocore error becomes a ClientError whose code is its class
    name and whose message is its text, scrubbed the same way."""
    if isinstance(error, ClientError):
        response = _scrub(copy.deepcopy(error.response), secret, replacement)
        return ClientError(response, error.operation_name)
    message = _scrub(str(error), secret, replacement)
    return ClientError({"Error": {"Code": type(error).__name__, "Message": message}}, "Subscribe")


@SNSErrorHandler.common_error_handler("list the SNS topics")
@throttling_retry("Throttled")
def find_topic_arn(client, name, region):
    """ListTopics (paginated): the ARN of the standard topic ``name`` in ``region``, or None.

    A topic ARN is ``arn:<partition>:sns:<region>:<account>:<name>``; topic names hold no colon.
    """
    paginator = client.get_paginator("list_topics")
    for page in paginator.paginate():
        for topic in page.get("Topics") or []:
            parts = topic["TopicArn"].split(":")
            if len(parts) == 6 and parts[3] == region and parts[5] == name:
                return topic["TopicArn"]
    return None


@SNSErrorHandler.list_error_handler("read the attributes of the SNS topic {arn}")
@throttling_retry("Throttled")
def get_topic_attributes(client, arn):
    """GetTopicAttributes: the attribute dict, or None when the topic is gone (NotFound)."""
    return client.get_topic_attributes(TopicArn=arn)["Attributes"]


@SNSErrorHandler.common_error_handler("create the SNS topic {name}")
@throttling_retry("Throttled")
def create_topic(client, name, attributes, tags):
    """CreateTopic with ``attributes`` (dict of strings) and ``tags`` (dict); return the ARN."""
    params = {"Name": name}
    if attributes:
        params["Attributes"] = dict(attributes)
    if tags:
        params["Tags"] = sns_tags(tags)
    return client.create_topic(**params)["TopicArn"]


@SNSErrorHandler.common_error_handler("set {attribute} of the SNS topic {arn}")
@throttling_retry("Throttled")
def set_topic_attribute(client, arn, attribute, value):
    """SetTopicAttributes for one attribute (the API sets one at a time)."""
    client.set_topic_attributes(TopicArn=arn, AttributeName=attribute, AttributeValue=value)
    return True


@SNSErrorHandler.common_error_handler("list the tags of the SNS topic {arn}")
@throttling_retry("Throttled")
def list_tags(client, arn):
    """ListTagsForResource: the tags as a dict."""
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceArn=arn).get("Tags") or [])


@SNSErrorHandler.common_error_handler("tag the SNS topic {arn}")
@throttling_retry("Throttled")
def tag_topic(client, arn, tags):
    """TagResource; ``tags`` is a dict."""
    client.tag_resource(ResourceArn=arn, Tags=sns_tags(tags))
    return True


@SNSErrorHandler.common_error_handler("remove tags from the SNS topic {arn}")
@throttling_retry("Throttled")
def untag_topic(client, arn, tag_keys):
    """UntagResource; ``tag_keys`` is a list of keys."""
    client.untag_resource(ResourceArn=arn, TagKeys=list(tag_keys))
    return True


@SNSErrorHandler.common_error_handler("list the subscriptions of the SNS topic {arn}")
@throttling_retry("Throttled")
def list_subscriptions(client, arn):
    """ListSubscriptionsByTopic (paginated).

    :return: list of ``{"protocol", "endpoint", "subscription_arn"}``; the endpoint is for
        comparing only and must never reach the module's output.
    """
    paginator = client.get_paginator("list_subscriptions_by_topic")
    subscriptions = []
    for page in paginator.paginate(TopicArn=arn):
        for item in page.get("Subscriptions") or []:
            subscriptions.append(
                {
                    "protocol": item["Protocol"],
                    "endpoint": item.get("Endpoint") or "",
                    "subscription_arn": item["SubscriptionArn"],
                }
            )
    return subscriptions


@throttling_retry("Throttled")
def _subscribe(client, arn, protocol, endpoint):
    return client.subscribe(TopicArn=arn, Protocol=protocol, Endpoint=endpoint, ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]


def subscribe(client, arn, protocol, endpoint):
    """Subscribe (ReturnSubscriptionArn=True); return the subscription ARN.

    :raises AnsibleSNSError: naming the endpoint by its fingerprint only; its ``exception`` is
        AWS's error with the endpoint replaced, and the original is not chained.
    """
    try:
        return _subscribe(client, arn, protocol, endpoint)
    except (ClientError, BotoCoreError) as e:
        fingerprint = endpoint_fingerprint(endpoint)
        safe = scrubbed_error(e, endpoint, f"<endpoint sha256:{fingerprint}>")
        error = AnsibleSNSError(
            message=f"Failed to subscribe the {protocol} endpoint with sha256 prefix {fingerprint} to the SNS topic {arn}",
            exception=safe,
        )
    raise error


@SNSErrorHandler.deletion_error_handler("unsubscribe {subscription_arn}")
@throttling_retry("Throttled")
def unsubscribe(client, subscription_arn):
    """Unsubscribe; False when the subscription was already gone (NotFound)."""
    client.unsubscribe(SubscriptionArn=subscription_arn)
    return True


@SNSErrorHandler.deletion_error_handler("delete the SNS topic {arn}")
@throttling_retry("Throttled")
def delete_topic(client, arn):
    """DeleteTopic (which also removes its subscriptions); False when it was already gone."""
    client.delete_topic(TopicArn=arn)
    return True
