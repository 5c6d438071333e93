#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: sns_topic
version_added: 0.1.0
short_description: Manage a standard Amazon SNS topic, its encryption, policy, tags and subscriptions
description:
  - Create, converge and delete one standard (not FIFO) Amazon SNS topic, identified by O(name)
    in the module's region.
  - Unlike M(community.aws.sns_topic), it sets server-side encryption (O(kms_master_key_id)) and
    never returns a subscription endpoint; endpoints such as PagerDuty integration URLs carry a
    secret. Subscriptions are returned as their protocol, ARN and the first 12 hex digits of the
    SHA-256 of the endpoint (RV(topic.subscriptions[].endpoint_sha256_prefix)), and shown in the
    diff as protocol and prefix.
  - Options that are not set are left alone on an existing topic.
  - The topic is found with C(ListTopics) (by the ARN's region and name) and read with
    C(GetTopicAttributes), C(ListTagsForResource) and C(ListSubscriptionsByTopic).
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  name:
    description:
      - The name of the topic, e.g. V(medtech-prod-alerts). Not its ARN.
      - 1 to 256 letters, digits, hyphens and underscores (FIFO topics, whose names end in
        C(.fifo), are not managed by this module).
    type: str
    required: true
  state:
    description:
      - V(present) creates the topic or brings it in line with the options.
      - V(absent) deletes it with C(DeleteTopic), which also removes its subscriptions.
    type: str
    choices: [present, absent]
    default: present
  display_name:
    description:
      - The display name of the topic (attribute C(DisplayName)), used as the sender of SMS
        messages. V("") removes it.
      - When not set, it is left as it is.
    type: str
  kms_master_key_id:
    description:
      - The AWS KMS key that encrypts the topic's messages at rest (attribute C(KmsMasterKeyId)),
        a key id, key ARN, alias name (V(alias/medtech-prod-platform)) or alias ARN;
        V(alias/aws/sns) is the AWS managed key.
      - V("") turns server-side encryption off.
      - Compared as written (AWS returns the value that was set), so an alias and the ARN of its
        key count as different.
      - When not set, the encryption is left as it is.
      - The key policy must let SNS (and every service that publishes to the topic) use the key;
        AWS does not check that when the attribute is set, publishing fails later.
    type: str
  policy:
    description:
      - The access policy of the topic (attribute C(Policy)), as a dictionary.
      - Compared with amazon.aws's C(compare_policies) (statement and list order, a single value
        vs a list of one, a missing C(Version) count as equal).
      - When not set, the policy is left as it is (a new topic gets AWS's default policy).
    type: dict
  subscriptions:
    description:
      - The subscriptions of the topic.
      - A listed subscription the topic lacks is added with C(Subscribe). Subscriptions of the
        C(http), C(https), C(email) and C(email-json) protocols then wait for confirmation by
        their endpoint (C(PendingConfirmation)) before they receive messages.
      - The endpoint of an C(sms) subscription is compared with digits and C(+) only, as AWS
        stores it.
      - When not set, the subscriptions are left as they are.
    type: list
    elements: dict
    suboptions:
      protocol:
        description: The protocol of the subscription.
        type: str
        required: true
        choices: [http, https, email, email-json, sms, sqs, application, lambda, firehose]
      endpoint:
        description:
          - The endpoint, e.g. an C(https://) URL, an e-mail address, a phone number in E.164
            form, or the ARN of an SQS queue, Lambda function, Firehose stream or mobile
            application endpoint.
          - C(http) and C(https) endpoints must start with C(http://) and C(https://); C(sqs),
            C(lambda), C(firehose) and C(application) endpoints must be ARNs (C(arn:...)); C(email)
            and C(email-json) endpoints must hold an C(@).
          - Treated as a secret (C(no_log)) and never returned.
        type: str
        required: true
  purge_subscriptions:
    description:
      - Whether subscriptions of the topic that O(subscriptions) does not list are removed
        (C(Unsubscribe)).
      - A subscription still C(PendingConfirmation) cannot be removed (it has no subscription
        ARN yet, so AWS answers C(InvalidParameter)); it is skipped with a warning and expires by
        itself after 3 days unless confirmed.
      - Ignored when O(subscriptions) is not set.
    type: bool
    default: true
notes:
  - "Calls: C(sns:ListTopics), C(sns:GetTopicAttributes), C(sns:ListTagsForResource),
    C(sns:ListSubscriptionsByTopic), C(sns:CreateTopic), C(sns:SetTopicAttributes),
    C(sns:TagResource), C(sns:UntagResource), C(sns:Subscribe), C(sns:Unsubscribe),
    C(sns:DeleteTopic)."
  - "Failures: invalid options (C(Invalid options: ...), before any AWS call, never echoing an
    endpoint); any API error as C(Failed to <action> the SNS topic <name or ARN>) with AWS's
    code and message (e.g. C(AuthorizationError) when the role lacks a permission,
    C(InvalidParameter) for an attribute AWS refuses). A failed C(Subscribe) names the endpoint
    by its SHA-256 prefix, and AWS's message is shown with the endpoint replaced."
seealso:
  - module: community.aws.sns_topic
  - name: Amazon SNS server-side encryption
    description: Keys, key policies and the C(KmsMasterKeyId) attribute.
    link: https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html
attributes:
  check_mode:
    support: full
    description:
      - Reads the topic and decides every change, but writes nothing. RV(topic) is the topic as
        it would be; a subscription that would be added has no RV(topic.subscriptions[].subscription_arn).
  diff_mode:
    support: full
    description:
      - Returns the topic's name, display name, KMS key, tags, subscriptions (protocol and
        endpoint SHA-256 prefix, sorted) and, when O(policy) is set, its policy, before and after
        the run.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Credentials, region and endpoint can be set once for the whole play with
# module_defaults: {group/medtech.aws_platform.aws: {region: eu-central-1}}.

- name: The alert topic, encrypted, paging PagerDuty
  medtech.aws_platform.sns_topic:
    name: medtech-prod-alerts
    display_name: MedTech prod alerts
    kms_master_key_id: alias/medtech-prod-platform
    subscriptions:
      - protocol: https
        endpoint: "{{ pagerduty_cloudwatch_integration_url }}"
      - protocol: email
        endpoint: platform-oncall@medtech.example
    tags:
      environment: prod
      project: medtech
      managed-by: ansible
      cost-centre: platform
  register: alert_topic

- name: Let CloudWatch alarms publish to it
  medtech.aws_platform.sns_topic:
    name: medtech-prod-alerts
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: CloudWatchAlarms
          Effect: Allow
          Principal:
            Service: cloudwatch.amazonaws.com
          Action: sns:Publish
          Resource: "{{ alert_topic.topic.topic_arn }}"

- name: Add a subscription, keep the others
  medtech.aws_platform.sns_topic:
    name: medtech-prod-alerts
    subscriptions:
      - protocol: sqs
        endpoint: arn:aws:sqs:eu-central-1:123456789012:medtech-prod-alert-archive
    purge_subscriptions: false

- name: Turn encryption off
  medtech.aws_platform.sns_topic:
    name: medtech-test-alerts
    kms_master_key_id: ""

- name: Delete the topic and its subscriptions
  medtech.aws_platform.sns_topic:
    name: medtech-test-alerts
    state: absent
"""

RETURN = r"""
topic:
  description:
    - The topic after the run (in check mode, as it would be); C({}) when it does not exist.
    - With O(state=absent), the topic as it was before it was deleted; C({}) when there was none.
  returned: always
  type: dict
  contains:
    topic_arn:
      description: The ARN of the topic.
      returned: when the topic exists (not in check mode for a topic that would be created)
      type: str
      sample: arn:aws:sns:eu-central-1:123456789012:medtech-prod-alerts
    name:
      description: The name of the topic.
      returned: when the topic exists
      type: str
      sample: medtech-prod-alerts
    display_name:
      description: The display name; V("") when there is none.
      returned: when the topic exists
      type: str
      sample: MedTech prod alerts
    kms_master_key_id:
      description: The KMS key as it was set; V("") when the topic is not encrypted.
      returned: when the topic exists
      type: str
      sample: alias/medtech-prod-platform
    policy:
      description:
        - The access policy, as a dictionary.
        - In check mode, for a topic that would be created without O(policy), V(null) (AWS fills
          in its default policy on creation).
      returned: when the topic exists
      type: dict
      sample: {"Version": "2008-10-17", "Statement": [{"Sid": "__default_statement_ID", "Effect": "Allow"}]}
    tags:
      description: The tags of the topic.
      returned: when the topic exists
      type: dict
      sample: {"environment": "prod", "managed-by": "ansible"}
    subscriptions:
      description:
        - The subscriptions of the topic, sorted by protocol and endpoint prefix. Never the
          endpoint itself.
      returned: when the topic exists
      type: list
      elements: dict
      contains:
        protocol:
          description: The protocol.
          type: str
          sample: https
        subscription_arn:
          description:
            - The ARN of the subscription, or V(PendingConfirmation) while the endpoint has not
              confirmed it.
            - V(null) in check mode for a subscription that would be added.
          type: str
          sample: arn:aws:sns:eu-central-1:123456789012:medtech-prod-alerts:0b6941c4-f1b3-4a4b-9f0e-5d3c1a8e7f21
        endpoint_sha256_prefix:
          description: The first 12 hex digits of the SHA-256 of the endpoint (UTF-8), to tell
            subscriptions apart without showing the endpoint.
          type: str
          sample: 3f79bb7b435b
changed:
  description: Whether the topic was (or, in check mode, would be) created, changed or deleted.
  returned: always
  type: bool
  sample: true
diff:
  description:
    - The managed parts of the topic before and after the run (C({}) when it does not exist);
      subscriptions as C({protocol, endpoint_sha256_prefix}).
  returned: in diff mode
  type: dict
  sample:
    before: {}
    after:
      name: medtech-prod-alerts
      display_name: MedTech prod alerts
      kms_master_key_id: alias/medtech-prod-platform
      tags: {"environment": "prod"}
      subscriptions: [{"protocol": "https", "endpoint_sha256_prefix": "3f79bb7b435b"}]
"""

import copy
import json
import re

from ansible.module_utils.common.warnings import warn as core_warn

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import expected_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import DELETED
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import PENDING
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import create_topic
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import delete_topic
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import endpoint_fingerprint
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import find_topic_arn
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import get_topic_attributes
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import list_subscriptions
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import list_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import set_topic_attribute
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import subscribe
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import tag_topic
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import unsubscribe
from ansible_collections.medtech.aws_platform.plugins.module_utils.sns import untag_topic

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
PROTOCOLS = ["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"]
URL_PREFIXES = {"http": "http://", "https": "https://"}
ARN_PROTOCOLS = ("sqs", "lambda", "firehose", "application")
EMAIL_PROTOCOLS = ("email", "email-json")
#: the managed attributes: option -> GetTopicAttributes / SetTopicAttributes name
ATTRIBUTES = {"display_name": "DisplayName", "kms_master_key_id": "KmsMasterKeyId"}


# --- input ------------------------------------------------------------------------------------
def validate_params(params):
    """Check the options before any AWS call.

    :return: list of messages, each naming the option and the fix; never an endpoint.
    """
    errors = []
    name = params["name"]
    if not NAME_PATTERN.match(name or ""):
        errors.append(
            f"name: {name!r} is not a standard SNS topic name: use 1 to 256 letters, digits, hyphens and "
            "underscores (FIFO topics, whose names end in .fifo, are not supported)"
        )
    for index, item in enumerate(params.get("subscriptions") or []):
        option = f"subscriptions[{index}]"
        protocol, endpoint = item["protocol"], item["endpoint"] or ""
        if not endpoint.strip():
            errors.append(f"{option}.endpoint is empty: give the {protocol} endpoint")
        elif protocol in URL_PREFIXES and not endpoint.startswith(URL_PREFIXES[protocol]):
            errors.append(
                f"{option}.endpoint must start with {URL_PREFIXES[protocol]} for protocol {protocol} (the endpoint "
                "is not shown, it may hold a secret): fix the URL or the protocol"
            )
        elif protocol in ARN_PROTOCOLS and not endpoint.startswith("arn:"):
            errors.append(f"{option}.endpoint must be an ARN (arn:...) for protocol {protocol}: give the resource's ARN")
        elif protocol in EMAIL_PROTOCOLS and "@" not in endpoint:
            errors.append(f"{option}.endpoint must be an e-mail address for protocol {protocol}")
    return errors


def canonical_endpoint(protocol, endpoint):
    """The endpoint as AWS stores it: SMS numbers keep only digits and ``+`` (E.164)."""
    if protocol == "sms":
        return re.sub(r"[^0-9+]", "", endpoint)
    return endpoint


def masked(subscription, with_arn=True):
    """A subscription as the module shows it: no endpoint, only its SHA-256 prefix."""
    view = {"protocol": subscription["protocol"], "endpoint_sha256_prefix": endpoint_fingerprint(subscription["endpoint"])}
    if with_arn:
        view["subscription_arn"] = subscription.get("subscription_arn")
    return view


def sort_masked(items):
    return sorted(items, key=lambda item: (item["protocol"], item["endpoint_sha256_prefix"]))


def parse_policy(text):
    """The Policy attribute (JSON text) as a dict; None when there is none."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


# --- compare and act --------------------------------------------------------------------------
class TopicManager(ResourceManager):
    """One standard SNS topic, identified by its name in the client's region."""

    result_key = "topic"

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params = module.params
        self.name = self.params["name"]
        self.region = client.meta.region_name
        self.subscriptions = []  # the current ones, with endpoints (never returned)
        self.planned = {}

    def warn(self, message):
        """A warning in the task output (never with an endpoint in ``message``).

        ansible-core's own ``warn``: amazon.aws 11's ``AnsibleAWSModule.warn`` also hands the
        warning to ``exit_json``, which ansible-core 2.19+ reports as deprecated.
        """
        core_warn(message)

    # --- reading -------------------------------------------------------------------------------
    def read(self):
        arn = find_topic_arn(self.client, self.name, self.region)
        if arn is None:
            return None
        attributes = get_topic_attributes(self.client, arn)
        if attributes is None:
            return None  # deleted between ListTopics and GetTopicAttributes
        tags = list_tags(self.client, arn)
        self.subscriptions = list_subscriptions(self.client, arn)
        return {
            "topic_arn": arn,
            "name": self.name,
            "display_name": attributes.get("DisplayName") or "",
            "kms_master_key_id": attributes.get("KmsMasterKeyId") or "",
            "policy": parse_policy(attributes.get("Policy")),
            "tags": tags,
            "subscriptions": sort_masked(masked(item) for item in self.subscriptions),
        }

    # --- plan ----------------------------------------------------------------------------------
    def desired_subscriptions(self):
        """The wanted subscriptions as ``{(protocol, canonical endpoint): endpoint}``, or None."""
        if self.params["subscriptions"] is None:
            return None
        wanted = {}
        for item in self.params["subscriptions"]:
            key = (item["protocol"], canonical_endpoint(item["protocol"], item["endpoint"]))
            wanted.setdefault(key, item["endpoint"])
        return wanted

    def plan(self, current):
        """Decide every change; ``current`` is None for a topic to be created."""
        attributes = []
        for option, attribute in ATTRIBUTES.items():
            wanted = self.params[option]
            if wanted is not None and wanted != (current or {}).get(option, ""):
                attributes.append((attribute, wanted))
        policy = self.params["policy"]
        if policy is not None and (current is None or compare_policies(current.get("policy") or {}, policy)):
            attributes.append(("Policy", json.dumps(policy, sort_keys=True)))
        self.planned["attributes"] = attributes

        to_set, to_unset = {}, []
        if current is None:
            to_set = dict(self.params["tags"] or {})
        elif self.params["tags"] is not None:
            to_set, to_unset = compare_aws_tags(current["tags"], self.params["tags"], self.params["purge_tags"])
        self.planned["tags"] = (to_set, sorted(to_unset))

        wanted = self.desired_subscriptions()
        existing = {}
        if current is not None:
            existing = {(item["protocol"], canonical_endpoint(item["protocol"], item["endpoint"])): item
                        for item in self.subscriptions}
        to_add, to_remove = [], []
        if wanted is not None:
            to_add = [{"protocol": key[0], "endpoint": endpoint} for key, endpoint in wanted.items() if key not in existing]
            if self.params["purge_subscriptions"]:
                for key, item in existing.items():
                    if key in wanted or item["subscription_arn"] == DELETED:
                        continue
                    if item["subscription_arn"] == PENDING:
                        self.warn(
                            f"SNS topic {self.name}: the {item['protocol']} subscription whose endpoint has sha256 prefix "
                            f"{endpoint_fingerprint(item['endpoint'])} is not listed in subscriptions but is still "
                            "PendingConfirmation, which AWS does not let anyone unsubscribe; it was left and expires "
                            "after 3 days unless confirmed (run again once it is confirmed to remove it)"
                        )
                        continue
                    to_remove.append(item)
        self.planned["subscribe"] = sorted(to_add, key=lambda item: (item["protocol"], endpoint_fingerprint(item["endpoint"])))
        self.planned["unsubscribe"] = sorted(to_remove, key=lambda item: item["subscription_arn"])

    # --- hooks ---------------------------------------------------------------------------------
    def create(self):
        self.plan(None)
        attributes = {name: value for name, value in self.planned["attributes"] if value != ""}
        arn = create_topic(self.client, self.name, attributes, self.planned["tags"][0])
        for item in self.planned["subscribe"]:
            subscribe(self.client, arn, item["protocol"], item["endpoint"])

    def update(self, current):
        self.plan(current)
        arn = current["topic_arn"]
        for attribute, value in self.planned["attributes"]:
            self.act(set_topic_attribute, self.client, arn, attribute, value)
        to_set, to_unset = self.planned["tags"]
        if to_unset:
            self.act(untag_topic, self.client, arn, to_unset)
        if to_set:
            self.act(tag_topic, self.client, arn, to_set)
        for item in self.planned["unsubscribe"]:
            self.act(unsubscribe, self.client, item["subscription_arn"])
        for item in self.planned["subscribe"]:
            self.act(subscribe, self.client, arn, item["protocol"], item["endpoint"])

    def expected(self, current):
        """The topic as the run would leave it (check mode)."""
        if current is None:
            self.plan(None)
            after = {"name": self.name, "display_name": "", "kms_master_key_id": "", "policy": None,
                     "tags": {}, "subscriptions": []}
        else:
            after = copy.deepcopy(current)
        if self.params["display_name"] is not None:
            after["display_name"] = self.params["display_name"]
        if self.params["kms_master_key_id"] is not None:
            after["kms_master_key_id"] = self.params["kms_master_key_id"]
        if self.params["policy"] is not None:
            after["policy"] = copy.deepcopy(self.params["policy"])
        after["tags"] = expected_tags(after["tags"], self.params["tags"], current is None or self.params["purge_tags"])
        removed = {item["subscription_arn"] for item in self.planned["unsubscribe"]}
        kept = [item for item in after["subscriptions"] if item["subscription_arn"] not in removed]
        added = [dict(masked(item), subscription_arn=None) for item in self.planned["subscribe"]]
        after["subscriptions"] = sort_masked(kept + added)
        return after

    def delete(self, current):
        delete_topic(self.client, current["topic_arn"])

    # --- output --------------------------------------------------------------------------------
    def diff_view(self, topic):
        """The managed parts of a topic view, for ``diff``: no ARNs, the policy only when set."""
        if not topic:
            return {}
        view = {key: copy.deepcopy(topic[key]) for key in ("name", "display_name", "kms_master_key_id", "tags")}
        if self.params["policy"] is not None:
            view["policy"] = copy.deepcopy(topic["policy"])
        view["subscriptions"] = sort_masked(
            {key: item[key] for key in ("protocol", "endpoint_sha256_prefix")} for item in topic["subscriptions"]
        )
        return view

    def result(self, before, after):
        result = super().result(before, after)
        if self.params["state"] == "absent":
            result["topic"] = before or {}
        return result


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        display_name=dict(type="str"),
        kms_master_key_id=dict(type="str", no_log=False),
        policy=dict(type="dict"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        subscriptions=dict(
            type="list",
            elements="dict",
            options=dict(
                protocol=dict(type="str", required=True, choices=PROTOCOLS),
                endpoint=dict(type="str", required=True, no_log=True),
            ),
        ),
        purge_subscriptions=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    errors = validate_params(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    run_manager(module, TopicManager(module, module.client("sns")))


if __name__ == "__main__":
    main()
