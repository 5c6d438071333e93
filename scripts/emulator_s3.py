"""S3 replication as AWS answers it, where moto 5.2.5 does not; ``apply()`` patches moto in this process.

``scripts/moto_server.py`` calls ``apply()`` from its ``apply_fixes()``. Each fix corrects the
emulator towards the documented AWS behaviour; none changes what the product sends.

Fixes:

* GetBucketReplication: AWS returns each rule as PutBucketReplication stored it (its ``Filter``
  with prefix, tag or ``And``, ``DeleteMarkerReplication``, ``SourceSelectionCriteria``,
  ``ExistingObjectReplication``, ``Destination``; an empty ``<Filter/>`` reads back as
  ``Filter {}``). moto returns every rule with ``Filter {Prefix: ""}`` and
  ``DeleteMarkerReplication Disabled`` and drops the rest, so a converge that compares the rule
  rewrites it on every run. Here the stored XML is read back through the S3 API model (member
  names, lists, integers), with the ``ID`` and ``Priority`` moto fills in when a rule has none.
* PutBucketReplication with a destination bucket that does not exist or whose versioning is not
  ``Enabled``: AWS refuses with ``InvalidRequest`` ("Destination bucket must exist." /
  "Destination bucket must have versioning enabled."); moto accepts it. The source bucket's
  versioning is checked first, as before (moto already refuses it as AWS does).

Checked by tests/integration/test_emulator_s3.py.
"""

import botocore.session
from moto.s3 import models as s3_models
from moto.s3 import responses as s3_responses
from moto.core.responses import ActionResult
from moto.s3.exceptions import MissingBucket, ReplicationConfigurationNotFoundError, S3ClientError

ARN_PREFIX = "arn:aws:s3:::"


def _replication_shape():
    return botocore.session.get_session().get_service_model("s3").shape_for("ReplicationConfiguration")


def _as_member(shape, node):
    """An xmltodict node (strings, dicts, a dict or a list for repeated elements, None for an
    empty element) as the API member ``shape`` holds it."""
    if shape.type_name == "structure":
        node = node or {}
        value = {}
        for name, member in shape.members.items():
            key = member.serialization.get("name", name)
            if key in node:
                value[name] = _as_member(member, node[key])
        return value
    if shape.type_name == "list":
        items = node if isinstance(node, list) else [node]
        return [_as_member(shape.member, item) for item in items]
    if shape.type_name in ("integer", "long"):
        return int(node)
    if shape.type_name == "boolean":
        return str(node).lower() == "true"
    return "" if node is None else node


def _checking_destinations(put):
    def put_bucket_replication(self, bucket_name, replication):
        rules = replication.get("Rule")
        for rule in rules if isinstance(rules, list) else [rules]:
            destination = ((rule or {}).get("Destination") or {}).get("Bucket") or ""
            name = destination[len(ARN_PREFIX):] if destination.startswith(ARN_PREFIX) else destination
            try:
                bucket = self.get_bucket(name)
            except MissingBucket:
                raise S3ClientError("InvalidRequest", "Destination bucket must exist.") from None
            if not bucket.is_versioned:
                raise S3ClientError("InvalidRequest", "Destination bucket must have versioning enabled.")
        return put(self, bucket_name, replication)

    put_bucket_replication.__name__ = put.__name__
    return put_bucket_replication


def _get_bucket_replication(self):
    """S3Response.get_bucket_replication: the configuration as it was written."""
    self.data["Action"] = "GetBucketReplication"
    replication = self.backend.get_bucket_replication(self.bucket_name)
    if not replication:
        raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
    return self.serialized(ActionResult({"ReplicationConfiguration": _as_member(_replication_shape(), replication)}))


def apply():
    """Patch moto's S3 replication; see the module docstring."""
    backend = s3_models.S3Backend
    backend.put_bucket_replication = _checking_destinations(backend.put_bucket_replication)
    s3_responses.S3Response.get_bucket_replication = _get_bucket_replication
