#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: iam_openid_connect_provider
version_added: 0.1.0
short_description: Manage an IAM OpenID Connect (OIDC) identity provider, e.g. for GitHub Actions
description:
  - Create, converge and delete one IAM OpenID Connect identity provider, identified by its
    O(url). IAM allows one provider per URL in an account.
  - Manages the provider's client IDs (audiences), server certificate thumbprints and tags.
    Neither the amazon.aws nor the community.aws collection has a module for it.
  - The provider is found with C(ListOpenIDConnectProviders) (its ARN ends with
    C(oidc-provider/) and the URL without C(https://)) and read with C(GetOpenIDConnectProvider).
  - Options that are not set are left alone on an existing provider.
  - Every option is checked before any AWS call; a change that would break an IAM limit is
    refused before the first write.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  url:
    description:
      - The issuer URL of the identity provider, as its tokens carry it in their C(iss) claim,
        e.g. V(https://token.actions.githubusercontent.com) for GitHub Actions.
      - Must begin with V(https://), must not end with a slash, and holds no query, fragment or
        user info; at most 255 characters. AWS expects no port number.
      - Compared exactly (IAM stores it without C(https://)); the provider's ARN is
        C(arn:<partition>:iam::<account>:oidc-provider/<url without https://>).
    type: str
    required: true
  state:
    description:
      - V(present) creates the provider or brings it in line with the options.
      - V(absent) deletes it. Roles whose trust policy names it stay, but can no longer be
        assumed with its tokens.
    type: str
    choices: [present, absent]
    default: present
  client_id_list:
    description:
      - The client IDs (audiences, the C(aud) claim) the provider accepts, e.g.
        V([sts.amazonaws.com]) for GitHub Actions with C(aws-actions/configure-aws-credentials).
      - Compared as a set (order and duplicates do not matter). 1 to 255 characters each, at most
        100 per provider.
      - When not set, the client IDs of an existing provider are left alone and a new one gets none.
    type: list
    elements: str
  purge_client_ids:
    description:
      - Whether client IDs of the provider that O(client_id_list) does not list are removed. With
        V(false) the listed ones are added and the others kept.
      - Ignored when O(client_id_list) is not set.
    type: bool
    default: true
  thumbprint_list:
    description:
      - The SHA-1 thumbprints (40 hexadecimal digits, no colons) of the certificate of the top
        intermediate CA that signed the provider's server certificate; 1 to 5.
      - Compared as a set, without regard to upper or lower case; sent in lower case.
      - Optional. AWS verifies GitHub, GitLab, Google, Auth0 and most other providers with its own
        library of trusted root CAs and does not use the thumbprints for them. When not set, a
        new provider gets the thumbprint AWS fills in itself and an existing one keeps its
        thumbprints.
      - Replaces the whole list (C(UpdateOpenIDConnectProviderThumbprint)). V([]) is refused, as
        IAM cannot clear the list.
    type: list
    elements: str
notes:
  - "Calls: C(iam:ListOpenIDConnectProviders), C(iam:GetOpenIDConnectProvider),
    C(iam:CreateOpenIDConnectProvider), C(iam:AddClientIDToOpenIDConnectProvider),
    C(iam:RemoveClientIDFromOpenIDConnectProvider), C(iam:UpdateOpenIDConnectProviderThumbprint),
    C(iam:TagOpenIDConnectProvider), C(iam:UntagOpenIDConnectProvider),
    C(iam:DeleteOpenIDConnectProvider); in check mode, for a provider that would be created,
    C(sts:GetCallerIdentity) (to tell its ARN)."
  - IAM is global; O(region) only selects the endpoint.
  - Client IDs are added before any is removed, so a provider is never left without the ones it
    keeps.
  - "Failures: invalid options (C(Invalid options: ...), before any AWS call, naming the option);
    more than 100 client IDs or 50 tags after the run (before any write); any API error as
    C(Failed to <action> the IAM OIDC provider <url or ARN>) with AWS's code and message, e.g.
    C(EntityAlreadyExists), C(LimitExceeded) (at most 100 OIDC providers per account),
    C(InvalidInput) or C(AccessDenied). API calls are retried on C(Throttling) and
    C(ConcurrentModification)."
seealso:
  - name: Creating an OpenID Connect (OIDC) identity provider
    description: IAM's guide, with the thumbprint and trusted CA details.
    link: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
  - name: Configuring OpenID Connect in Amazon Web Services
    description: GitHub's guide for GitHub Actions.
    link: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
attributes:
  check_mode:
    support: full
    description:
      - Reads the provider, decides every change and fails where a real run would fail before
        writing, but writes nothing. RV(open_id_connect_provider) is the provider as it would be.
  diff_mode:
    support: full
    description:
      - Returns the provider's url, client IDs, thumbprints (both sorted) and tags before and after
        the run.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Let GitHub Actions workflows assume roles of this account
  medtech.aws_platform.iam_openid_connect_provider:
    url: https://token.actions.githubusercontent.com
    client_id_list:
      - sts.amazonaws.com
    tags:
      project: medtech
      managed-by: ansible
  register: github_oidc

- name: A role that GitHub Actions of one repository can assume
  amazon.aws.iam_role:
    name: medtech-github-deploy
    assume_role_policy_document:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal:
            Federated: "{{ github_oidc.open_id_connect_provider.arn }}"
          Action: sts:AssumeRoleWithWebIdentity
          Condition:
            StringEquals:
              "token.actions.githubusercontent.com:aud": sts.amazonaws.com
            StringLike:
              "token.actions.githubusercontent.com:sub": "repo:medtech/platform:*"

- name: A provider whose certificate AWS cannot verify with its trusted CAs, with its thumbprint
  medtech.aws_platform.iam_openid_connect_provider:
    url: https://oidc.example.org/realms/ci
    client_id_list:
      - ci-runner
    thumbprint_list:
      - 9e99a48a9960b14926bb7f3b02e22da2b0ab7280

- name: Add one audience, keep the others
  medtech.aws_platform.iam_openid_connect_provider:
    url: https://token.actions.githubusercontent.com
    client_id_list:
      - https://github.com/medtech
    purge_client_ids: false

- name: Delete the provider
  medtech.aws_platform.iam_openid_connect_provider:
    url: https://token.actions.githubusercontent.com
    state: absent
"""

RETURN = r"""
open_id_connect_provider:
  description:
    - The provider as C(GetOpenIDConnectProvider) returns it after the run; C({}) when there is none.
    - With O(state=absent), C({}) (the provider as it was is the C(before) side of RV(diff)).
    - In check mode, the provider as it would be; one that would be created has no RV(open_id_connect_provider.create_date),
      and RV(open_id_connect_provider.thumbprint_list) only when O(thumbprint_list) is set.
  returned: always
  type: dict
  contains:
    arn:
      description: The ARN of the provider, for the C(Federated) principal of a role's trust policy.
      returned: when the provider exists
      type: str
      sample: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
    url:
      description: The issuer URL, with C(https://) (which IAM itself leaves out).
      returned: when the provider exists
      type: str
      sample: https://token.actions.githubusercontent.com
    client_id_list:
      description: The client IDs (audiences), sorted.
      returned: when the provider exists
      type: list
      elements: str
      sample: ["sts.amazonaws.com"]
    thumbprint_list:
      description: The thumbprints, in lower case, sorted.
      returned: when the provider exists
      type: list
      elements: str
      sample: ["6938fd4d98bab03faadb97b34396831e3780aea1"]
    create_date:
      description: When the provider was created (ISO 8601).
      returned: when the provider exists
      type: str
      sample: "2025-03-01T10:15:42+00:00"
    tags:
      description: The tags of the provider.
      returned: when the provider exists
      type: dict
      sample: {"project": "medtech", "managed-by": "ansible"}
changed:
  description: Whether the provider was (or, in check mode, would be) created, changed or deleted.
  returned: always
  type: bool
  sample: true
diff:
  description: The provider's url, client IDs, thumbprints and tags before and after the run (C({}) when absent).
  returned: in diff mode
  type: dict
  sample:
    before: {}
    after:
      url: https://token.actions.githubusercontent.com
      client_id_list: ["sts.amazonaws.com"]
      tags: {"project": "medtech"}
"""

import copy
import time

from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import expected_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import ARN_RESOURCE_PREFIX
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import MAX_CLIENT_IDS
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import MAX_TAGS
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import add_client_id
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import create_provider
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import delete_provider
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import diff_view
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import find_provider
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import get_provider
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import normalize_client_ids
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import normalize_thumbprints
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import provider_key
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import provider_view
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import remove_client_id
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import tag_provider
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import untag_provider
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import update_thumbprints
from ansible_collections.medtech.aws_platform.plugins.module_utils.iam_openid_connect import validate_params


class ProviderManager(ResourceManager):
    """One IAM OIDC provider, identified by its URL."""

    result_key = "open_id_connect_provider"
    #: IAM is eventually consistent: a new provider may take a moment to be readable
    read_attempts = 5
    read_delay = 2

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params = module.params
        self.url = self.params["url"]
        self.arn = None
        self.planned = {"add": [], "remove": [], "thumbprints": None, "tags": ({}, [])}

    def read(self):
        self.arn, raw = find_provider(self.client, self.url)
        return provider_view(self.arn, raw) if raw is not None else None

    def read_again(self):
        """After a write, read the provider by its ARN (IAM may not list or return it at once)."""
        for attempt in range(self.read_attempts):
            raw = get_provider(self.client, self.arn)
            if raw is not None:
                return provider_view(self.arn, raw)
            if attempt + 1 < self.read_attempts:
                time.sleep(self.read_delay)
        return super().read_again()

    # --- plan ------------------------------------------------------------------------------
    def plan(self, current):
        """Decide every change of an existing provider (its view); refuse what breaks IAM's limits."""
        wanted = self.params["client_id_list"]
        have = set(current["client_id_list"])
        if wanted is not None:
            wanted = set(wanted)
            self.planned["add"] = sorted(wanted - have)
            if self.params["purge_client_ids"]:
                self.planned["remove"] = sorted(have - wanted)
        after_ids = (have | set(self.planned["add"])) - set(self.planned["remove"])
        if len(after_ids) > MAX_CLIENT_IDS:
            raise AnsibleIAMError(
                message=f"IAM OIDC provider {self.url} would have {len(after_ids)} client IDs with "
                f"purge_client_ids=false: IAM allows at most {MAX_CLIENT_IDS}; remove some, or set purge_client_ids=true"
            )
        thumbprints = self.params["thumbprint_list"]
        if thumbprints is not None and normalize_thumbprints(thumbprints) != current["thumbprint_list"]:
            self.planned["thumbprints"] = normalize_thumbprints(thumbprints)
        if self.params["tags"] is not None:
            self.planned["tags"] = compare_aws_tags(current["tags"], self.params["tags"], self.params["purge_tags"])
            after_tags = expected_tags(current["tags"], self.params["tags"], self.params["purge_tags"])
            if len(after_tags) > MAX_TAGS:
                raise AnsibleIAMError(
                    message=f"IAM OIDC provider {self.url} would have {len(after_tags)} tags with purge_tags=false: "
                    f"IAM allows at most {MAX_TAGS}; remove some, or set purge_tags=true"
                )

    # --- hooks -----------------------------------------------------------------------------
    def create(self):
        self.arn = create_provider(
            self.client,
            self.url,
            normalize_client_ids(self.params["client_id_list"]),
            normalize_thumbprints(self.params["thumbprint_list"]),
            self.params["tags"],
        )

    def update(self, current):
        self.plan(current)
        for client_id in self.planned["add"]:
            self.act(add_client_id, self.client, self.arn, client_id)
        for client_id in self.planned["remove"]:
            self.act(remove_client_id, self.client, self.arn, client_id)
        if self.planned["thumbprints"]:
            self.act(update_thumbprints, self.client, self.arn, self.planned["thumbprints"])
        to_set, to_unset = self.planned["tags"]
        if to_unset:
            self.act(untag_provider, self.client, self.arn, sorted(to_unset))
        if to_set:
            self.act(tag_provider, self.client, self.arn, to_set)

    def expected(self, current):
        """The provider as the run would leave it (check mode)."""
        if current is None:
            account_id, partition = get_aws_account_info(self.module)
            after = {
                "arn": f"arn:{partition}:iam::{account_id}:{ARN_RESOURCE_PREFIX}{provider_key(self.url)}",
                "url": self.url,
                "client_id_list": normalize_client_ids(self.params["client_id_list"]),
            }
            if self.params["thumbprint_list"] is not None:
                after["thumbprint_list"] = normalize_thumbprints(self.params["thumbprint_list"])
            after["tags"] = expected_tags({}, self.params["tags"], True)
            return after
        after = copy.deepcopy(current)
        after["client_id_list"] = sorted(
            (set(current["client_id_list"]) | set(self.planned["add"])) - set(self.planned["remove"])
        )
        if self.planned["thumbprints"]:
            after["thumbprint_list"] = list(self.planned["thumbprints"])
        after["tags"] = expected_tags(current["tags"], self.params["tags"], self.params["purge_tags"])
        return after

    def delete(self, current):
        delete_provider(self.client, current["arn"])

    diff_view = staticmethod(diff_view)


def main():
    argument_spec = dict(
        url=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        client_id_list=dict(type="list", elements="str"),
        purge_client_ids=dict(type="bool", default=True),
        thumbprint_list=dict(type="list", elements="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    errors = validate_params(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    run_manager(module, ProviderManager(module, module.client("iam")))


if __name__ == "__main__":
    main()
