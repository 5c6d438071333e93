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
* Secrets Manager replicas: AWS encrypts a replica with the ``KmsKeyId`` given for its region
  in ``AddReplicaRegions`` and reports it in ``ReplicationStatus``; moto ignores it and reports
  ``alias/aws/secretsmanager`` for every replica, so a converge that compares replica keys
  replaces the replica on every run. Checked by tests/integration/test_emulator.py.

Configuration (not fixes):

* IAM with AWS's managed policies: AWS accounts have them (e.g.
  ``arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole``); moto loads them only
  when ``iam.load_aws_managed_policies`` is on, and otherwise refuses to attach them.
* Lambda without Docker. There is no Docker engine here, and moto runs
an invoked function in a container; with ``lambda.use_docker = false`` moto keeps functions as
they are created and answers every ``Invoke`` with success without running the code. So
``RotateSecret`` (which invokes the rotation function) succeeds without rotating anything; the
rotation function itself is tested against a real PostgreSQL in
tests/integration/test_rotation_postgres.py.
"""

import sys

from moto.core.models import default_user_config
from moto.ec2 import utils as ec2_utils
from moto.secretsmanager import models as secretsmanager_models
from moto.server import main

AWS_TAG_RESOURCE_TYPES = {"nat": "natgateway", "eipalloc": "elastic-ip", "fl": "vpc-flow-log"}


def _create_replicas_with_their_keys(original):
    def create_replicas(self, replica_regions, force_overwrite):
        replicas = original(self, replica_regions, force_overwrite)
        for replica, config in zip(replicas, replica_regions or []):
            if config.get("KmsKeyId"):
                replica.config["KmsKeyId"] = config["KmsKeyId"]
        return replicas

    return create_replicas


def apply_fixes():
    """Patch moto in this process; see the module docstring."""
    ec2_utils.EC2_PREFIX_TO_RESOURCE.update(AWS_TAG_RESOURCE_TYPES)
    fake_secret = secretsmanager_models.FakeSecret
    fake_secret.create_replicas = _create_replicas_with_their_keys(fake_secret.create_replicas)
    default_user_config.setdefault("iam", {})["load_aws_managed_policies"] = True
    default_user_config.setdefault("lambda", {})["use_docker"] = False


if __name__ == "__main__":
    apply_fixes()
    sys.exit(main(sys.argv[1:]))
