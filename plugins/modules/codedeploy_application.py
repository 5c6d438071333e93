#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: codedeploy_application
version_added: 0.1.0
short_description: Manage an AWS CodeDeploy application and its tags
description:
  - Create and delete one AWS CodeDeploy application, identified by O(name), and manage its tags.
  - The application is read with C(GetApplication); C(ApplicationDoesNotExistException) means
    it does not exist.
  - CodeDeploy cannot change the compute platform of an application. When the application
    exists with another compute platform than O(compute_platform), the module fails before any
    write and says how to replace it.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  name:
    description:
      - The name of the application, e.g. V(medtech-prod-api), 1 to 100 characters.
    type: str
    required: true
  compute_platform:
    description:
      - The compute platform the application deploys to.
      - Cannot be changed on an existing application (CodeDeploy has no call for it); a different
        value fails with a message that names the current one.
    type: str
    choices: [ECS, Server, Lambda]
    default: ECS
  state:
    description:
      - V(present) creates the application (if needed) and converges its tags.
      - V(absent) deletes it, together with all its deployment groups (C(DeleteApplication)).
    type: str
    choices: [present, absent]
    default: present
notes:
  - "Calls: C(codedeploy:GetApplication), C(codedeploy:CreateApplication),
    C(codedeploy:DeleteApplication), C(codedeploy:ListTagsForResource), C(codedeploy:TagResource),
    C(codedeploy:UntagResource), and C(sts:GetCallerIdentity) to build the application's ARN."
  - "Failures: a different O(compute_platform) than the existing application's (before any
    write); any API error as C(Failed to <action> the CodeDeploy application <name>) with AWS's
    code and message (e.g. C(InvalidApplicationNameException), C(ApplicationLimitExceededException),
    C(InvalidTagsToAddException))."
seealso:
  - module: medtech.aws_platform.codedeploy_deployment_group
attributes:
  check_mode:
    support: full
    description:
      - Reads the application and decides every change but writes nothing; RV(application) is the
        application as it would be.
  diff_mode:
    support: full
    description:
      - Returns the application's name, compute platform and tags before and after the run.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The CodeDeploy application of the API service (ECS blue/green)
  medtech.aws_platform.codedeploy_application:
    name: medtech-prod-api
    compute_platform: ECS
    tags:
      environment: prod
      project: medtech
      managed-by: ansible

- name: Delete the application and all its deployment groups
  medtech.aws_platform.codedeploy_application:
    name: medtech-test-api
    state: absent
"""

RETURN = r"""
application:
  description:
    - The application after the run, C(GetApplication)'s answer in snake_case plus its ARN and tags.
    - In check mode, the application as it would be; one that would be created then has only its
      name, compute platform, ARN and tags.
    - With O(state=absent), C({}).
  returned: always
  type: dict
  contains:
    application_id:
      description: The id of the application.
      returned: when the application exists
      type: str
      sample: 6a2e5a1c-8a55-4f3e-a8a4-0c3b1f2d9e77
    application_name:
      description: The name of the application.
      returned: when the application exists
      type: str
      sample: medtech-prod-api
    compute_platform:
      description: V(ECS), V(Server) or V(Lambda).
      returned: when the application exists
      type: str
      sample: ECS
    create_time:
      description: When the application was created.
      returned: when the application exists
      type: str
      sample: "2025-03-01T10:15:42+00:00"
    linked_to_git_hub:
      description: Whether the application is linked to a GitHub account.
      returned: when AWS reports it
      type: bool
      sample: false
    arn:
      description: The ARN of the application.
      returned: when the application exists
      type: str
      sample: arn:aws:codedeploy:eu-central-1:123456789012:application:medtech-prod-api
    tags:
      description: The tags of the application.
      returned: when the application exists
      type: dict
      sample: {"environment": "prod"}
changed:
  description: Whether the application was (or, in check mode, would be) created, tagged or deleted.
  returned: always
  type: bool
diff:
  description: The application's name, compute platform and tags before and after the run.
  returned: in diff mode
  type: dict
  sample:
    before: {}
    after: {"application_name": "medtech-prod-api", "compute_platform": "ECS", "tags": {"environment": "prod"}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import AnsibleCodeDeployError
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import create_application
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import delete_application
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import get_application
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import list_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import resource_arn
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import tag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import untag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import expected_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager


def diff_view(application):
    """The managed parts of a returned application, for ``diff``."""
    if not application:
        return {}
    return {
        "application_name": application.get("application_name"),
        "compute_platform": application.get("compute_platform"),
        "tags": dict(application.get("tags") or {}),
    }


class ApplicationManager(ResourceManager):
    """One CodeDeploy application, identified by its name."""

    result_key = "application"

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params = module.params
        self.name = self.params["name"]
        self._arn = None

    @property
    def arn(self):
        if self._arn is None:
            self._arn = resource_arn(self.module, f"application:{self.name}")
        return self._arn

    def read(self):
        raw = get_application(self.client, self.name)
        if raw is None:
            return None
        view = boto3_resource_to_ansible_dict(raw, transform_tags=False, force_tags=False)
        view["arn"] = self.arn
        view["tags"] = list_tags(self.client, self.arn)
        return view

    def create(self):
        create_application(self.client, self.name, self.params["compute_platform"], self.params["tags"])

    def update(self, current):
        wanted = self.params["compute_platform"]
        if current.get("compute_platform") != wanted:
            raise AnsibleCodeDeployError(
                message=f"CodeDeploy application {self.name} has the compute platform {current.get('compute_platform')}, "
                f"not {wanted}: CodeDeploy cannot change it. Set compute_platform: {current.get('compute_platform')}, "
                "or delete the application (state: absent, which also deletes its deployment groups) and create it again"
            )
        if self.params["tags"] is None:
            return
        to_set, to_unset = compare_aws_tags(current.get("tags") or {}, self.params["tags"], self.params["purge_tags"])
        if to_unset:
            self.act(untag_resource, self.client, self.arn, to_unset)
        if to_set:
            self.act(tag_resource, self.client, self.arn, to_set)

    def expected(self, current):
        if current is None:
            after = {"application_name": self.name, "compute_platform": self.params["compute_platform"], "arn": self.arn}
            after["tags"] = expected_tags({}, self.params["tags"], True)
            return after
        after = dict(current)
        after["tags"] = expected_tags(current.get("tags"), self.params["tags"], self.params["purge_tags"])
        return after

    def delete(self, current):
        delete_application(self.client, self.name)

    diff_view = staticmethod(diff_view)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        compute_platform=dict(type="str", default="ECS", choices=["ECS", "Server", "Lambda"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run_manager(module, ApplicationManager(module, module.client("codedeploy")))


if __name__ == "__main__":
    main()
