#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ecr_image_info
version_added: 0.1.0
short_description: Find images of an ECR repository by tag
description:
  - Tells which of the given tags an ECR repository has, and the images behind them; for a deploy that must not
    start with an image that was never pushed.
  - Calls only C(ecr:DescribeImages) (one page per 100 tags; amazon.aws and community.aws have no ECR image module).
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  repository_name:
    description:
      - The repository, e.g. V(medtech/api-gateway).
    type: str
    required: true
  registry_id:
    description:
      - The account of the registry; the caller's account when left out.
    type: str
  image_tags:
    description:
      - The tags to look for. A tag the repository does not have is listed in RV(missing_tags), not an error.
    type: list
    elements: str
    required: true
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff.
notes:
  - Fails when the repository does not exist (C(RepositoryNotFoundException)), naming it.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Is the image to deploy in the repository?
  medtech.aws_platform.ecr_image_info:
    repository_name: medtech/api-gateway
    image_tags: [3f2c1e0]
  register: found

- name: Stop when it is not
  ansible.builtin.assert:
    that: found.missing_tags | length == 0
    fail_msg: "medtech/api-gateway has no image tagged {{ found.missing_tags | join(', ') }}"
"""

RETURN = r"""
images:
  description: The images found, one per image (an image with two of the tags is listed once).
  returned: always
  type: list
  elements: dict
  contains:
    image_digest:
      description: The image's digest.
      type: str
      sample: sha256:6f1c2b0e5d8a...
    image_tags:
      description: All tags of the image.
      type: list
      elements: str
      sample: ["3f2c1e0"]
    image_pushed_at:
      description: When the image was pushed (ISO 8601).
      type: str
      sample: "2026-11-30T10:15:42+00:00"
    image_size_in_bytes:
      description: The image's size, in bytes.
      type: int
      sample: 52428800
    image_uri:
      description: The URI to run the image by tag, C(<registry>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>)
        (the first of the requested tags the image has).
      type: str
      sample: 123456789012.dkr.ecr.eu-central-1.amazonaws.com/medtech/api-gateway:3f2c1e0
missing_tags:
  description: The requested tags the repository does not have.
  returned: always
  type: list
  elements: str
  sample: ["no-such-tag"]
repository_uri:
  description: The repository's URI.
  returned: always
  type: str
  sample: 123456789012.dkr.ecr.eu-central-1.amazonaws.com/medtech/api-gateway
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.medtech.aws_platform.plugins.module_utils.ecr import find_images_by_tag


def main():
    argument_spec = dict(
        repository_name=dict(type="str", required=True),
        registry_id=dict(type="str"),
        image_tags=dict(type="list", elements="str", required=True, no_log=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    tags = module.params["image_tags"]
    if not tags or any(not tag for tag in tags):
        module.fail_json(msg="image_tags must name at least one tag, and no empty one.")
    client = module.client("ecr")
    try:
        result = find_images_by_tag(client, module.params["repository_name"], tags, module.params["registry_id"])
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
