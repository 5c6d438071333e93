#!/usr/bin/env python3
"""Run moto's server with fixes that make it answer as AWS does where moto 5.2.5 does not.

Each fix corrects the emulator towards the documented AWS behaviour; none changes what the
product sends. ``scripts/emulator.py`` starts this instead of the bare ``moto_server``;
arguments are moto_server's (``-H 127.0.0.1 -p 5000``).

Fixes:

* EC2 DescribeTags ``resource-type``: AWS names NAT gateways ``natgateway``, elastic IPs
  ``elastic-ip`` and flow logs ``vpc-flow-log`` (DescribeTags filter list / TagSpecification
  ResourceType); moto uses ``nat-gateway``, ``vpc-elastic-ip`` and ``flow-logs``, so a tag
  lookup filtered by type (amazon.aws ``ensure_ec2_tags``) finds nothing and re-tags on every
  run. Checked by tests/integration/test_emulator.py.
"""

import sys

from moto.ec2 import utils as ec2_utils
from moto.server import main

AWS_TAG_RESOURCE_TYPES = {"nat": "natgateway", "eipalloc": "elastic-ip", "fl": "vpc-flow-log"}


def apply_fixes():
    """Patch moto in this process; see the module docstring."""
    ec2_utils.EC2_PREFIX_TO_RESOURCE.update(AWS_TAG_RESOURCE_TYPES)


if __name__ == "__main__":
    apply_fixes()
    sys.exit(main(sys.argv[1:]))
