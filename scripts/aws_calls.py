#!/usr/bin/env python3
"""Which AWS API call is an HTTP request, and does it write? For moto's request recorder.

moto server records every request it serves while recording is on (``/moto-api/recorder/``
``start-recording``, ``stop-recording``, ``download-recording``, ``reset-recording``; the file is
``$MOTO_RECORDER_FILEPATH``). Each record is one JSON object::

    {"headers": {...}, "method": "POST", "url": "http://127.0.0.1:5203/?...",
     "body": "<text, or base64 when body_encoded>", "body_encoded": true}

This module turns such a record into an :class:`ApiCall` (service, operation, region, read or
write) with botocore's own service models, the same ones boto3 used to build the request:

* the **service** comes from the SigV4 credential scope (``Credential=KEY/DATE/REGION/NAME/
  aws4_request`` in the Authorization header, or ``X-Amz-Credential`` in a presigned URL). NAME
  is the model's ``signingName`` (or ``endpointPrefix``), which is usually the botocore service
  name; where it is not (``monitoring`` is CloudWatch, ``elasticloadbalancing`` is both ELB and
  ELBv2) the candidates are found in the models and told apart by the request;
* the **operation** by the service's protocol: ``query``/``ec2``: the ``Action`` parameter
  (body or query string), with ``Version`` telling apart services that share a signing name;
  ``json``: the ``X-Amz-Target`` header (``<targetPrefix>.<Operation>``);
  ``smithy-rpc-v2-cbor``: the path ``/service/<service>/operation/<Operation>``;
  ``rest-json``/``rest-xml``: method and path (and literal query keys) matched against each
  operation's ``http.requestUri``; the most specific match wins.

Read or write is decided by :func:`is_read` (the one place for the rule and its exceptions).
A request that cannot be classified gets operation ``UNKNOWN`` and counts as a write: a gap
in this classifier must not hide a write.

Usage (a recording file, e.g. the one ``scripts/bench.py`` keeps)::

    .venv/bin/python scripts/aws_calls.py RECORDING   # prints calls per service and operation
"""

from __future__ import annotations

import argparse
import base64
import functools
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

import botocore.session

UNKNOWN = "UNKNOWN"

# --- read or write: the rule and its exceptions --------------------------------------------
# An operation reads when its name starts with one of these verbs; every other operation writes.
READ_PREFIXES = (
    "Describe", "Get", "List", "Head", "BatchGet", "Search", "Lookup", "Select", "Scan", "Query",
    "Filter", "Download", "Estimate", "Preview", "Test", "Validate",
)
# Operations whose verb says write but that change nothing in the account (tokens, crypto,
# identity). They are listed one by one, as (service, operation).
READS_DESPITE_NAME = frozenset({
    ("sts", "AssumeRole"),
    ("sts", "AssumeRoleWithWebIdentity"),
    ("sts", "DecodeAuthorizationMessage"),
    ("kms", "Decrypt"),
    ("kms", "Encrypt"),
    ("kms", "GenerateDataKey"),
    ("kms", "GenerateDataKeyWithoutPlaintext"),
    ("kms", "GenerateRandom"),
    ("kms", "Sign"),
    ("kms", "Verify"),
    ("iam", "SimulatePrincipalPolicy"),
    ("iam", "SimulateCustomPolicy"),
})
# Operations whose verb says read but that change something: none known among the services
# this platform uses; add them here as (service, operation).
WRITES_DESPITE_NAME: frozenset[tuple[str, str]] = frozenset()


def is_read(service: str, operation: str) -> bool:
    """True when ``service``'s ``operation`` only reads (see READ_PREFIXES and the exceptions).

    An UNKNOWN operation is a write: a classifier gap must not hide a write.
    """
    if operation == UNKNOWN:
        return False
    if (service, operation) in WRITES_DESPITE_NAME:
        return False
    if (service, operation) in READS_DESPITE_NAME:
        return True
    return operation.startswith(READ_PREFIXES)


# --- the call -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ApiCall:
    """One AWS API call: botocore service name, operation name, region, and whether it reads."""

    service: str
    operation: str
    region: str
    method: str
    path: str
    amz_date: str = ""  # the request's X-Amz-Date (UTC, 20250101T120000Z): when it was signed

    @property
    def read(self) -> bool:
        """True when the operation only reads (see :func:`is_read`)."""
        return is_read(self.service, self.operation)

    @property
    def key(self) -> str:
        """``service:Operation``, e.g. ``ec2:DescribeVpcs``."""
        return f"{self.service}:{self.operation}"


# Signing names that are no botocore service name, and the services that sign with them. Kept
# short on purpose: tests/unit/test_aws_calls.py checks every entry against botocore's models,
# and a signing name found in neither place is looked up in every model (slow, but cached).
SIGNING_ALIASES = {
    "monitoring": ("cloudwatch",),
    "elasticloadbalancing": ("elbv2", "elb"),
    "states": ("stepfunctions",),
}

_CRED_RE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")


@functools.lru_cache(maxsize=None)
def _session():
    return botocore.session.get_session()


@functools.lru_cache(maxsize=None)
def service_model(name: str):
    """botocore's ServiceModel for ``name`` (cached)."""
    return _session().get_service_model(name)


def _signs_as(model) -> str:
    return model.metadata.get("signingName") or model.metadata.get("endpointPrefix")


@functools.lru_cache(maxsize=None)
def services_signing_as(signing_name: str) -> tuple[str, ...]:
    """The botocore services whose requests are signed with ``signing_name``."""
    available = set(_session().get_available_services())
    names = [signing_name] if signing_name in available else []
    names += [n for n in SIGNING_ALIASES.get(signing_name, ()) if n in available and n not in names]
    found = tuple(n for n in names if _signs_as(service_model(n)) == signing_name)
    if found:
        return found
    return tuple(n for n in sorted(available) if _signs_as(service_model(n)) == signing_name)


def _headers(record: dict) -> dict:
    return {k.lower(): v for k, v in (record.get("headers") or {}).items()}


def _body(record: dict) -> bytes:
    body = record.get("body") or ""
    if record.get("body_encoded"):
        return base64.b64decode(body)
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _credential_scope(headers: dict, query: dict) -> tuple[str, str] | None:
    """(region, signing name) from the SigV4 Authorization header or a presigned URL."""
    match = _CRED_RE.search(headers.get("authorization", ""))
    if match:
        return match.group(3), match.group(4)
    cred = (query.get("X-Amz-Credential") or [""])[0]
    parts = cred.split("/")
    if len(parts) == 5 and parts[4] == "aws4_request":
        return parts[2], parts[3]
    return None


def _query_params(headers: dict, body: bytes, query: dict) -> dict:
    params = dict(query)
    if "x-www-form-urlencoded" in headers.get("content-type", "") or (body and b"Action=" in body):
        params.update(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
    return {k: v[0] for k, v in params.items()}


@functools.lru_cache(maxsize=None)
def _rest_routes(service: str) -> tuple:
    """Each operation's (method, path regex, literal query items, required headers, required
    query keys, specificity, name). Required members bound to a header or a query key tell
    apart operations on the same path (S3's CopyObject carries x-amz-copy-source, PutObject not)."""
    routes = []
    model = service_model(service)
    for op_name in model.operation_names:
        op_model = model.operation_model(op_name)
        http = op_model.http
        uri = http.get("requestUri", "/")
        path, _, qs = uri.partition("?")
        literals = tuple(tuple(item.split("=", 1)) if "=" in item else (item, None)
                         for item in qs.split("&") if item)
        shape = op_model.input_shape
        required = [shape.members[m].serialization for m in (shape.required_members if shape else ())]
        req_headers = tuple(r["name"].lower() for r in required if r.get("location") == "header")
        req_query = tuple(r["name"] for r in required if r.get("location") == "querystring")
        pattern, literal_chars = "", 0
        for piece in re.split(r"(\{[^}]+\})", path.rstrip("/") or "/"):
            if piece.startswith("{"):
                pattern += "(.+)" if piece.endswith("+}") else "([^/]+)"
            else:
                pattern += re.escape(piece)
                literal_chars += len(piece)
        regex = re.compile("^" + pattern + "/?$")
        specificity = (len(literals) + len(req_headers) + len(req_query), literal_chars, -pattern.count("(.+)"))
        routes.append((http.get("method", "POST").upper(), regex, literals, req_headers, req_query,
                       specificity, op_name))
    return tuple(routes)


def _rest_operation(service: str, method: str, path: str, headers: dict, query: dict) -> str | None:
    best = None
    for op_method, regex, literals, req_headers, req_query, specificity, op_name in _rest_routes(service):
        if op_method != method or not regex.match(path):
            continue
        if any(k not in query or (v is not None and query[k][0] != v) for k, v in literals):
            continue
        if any(h not in headers for h in req_headers) or any(q not in query for q in req_query):
            continue
        if best is None or specificity > best[0]:
            best = (specificity, op_name)
    return best[1] if best else None


def _operation(service: str, method: str, path: str, headers: dict, body: bytes, query: dict) -> str | None:
    """The operation ``service``'s protocol names in this request, or None when it names none."""
    model = service_model(service)
    target = headers.get("x-amz-target", "")
    if target:
        prefix, _, op = target.rpartition(".")
        if prefix == model.metadata.get("targetPrefix") and op in model.operation_names:
            return op
        return None
    match = re.match(r"^/service/([^/]+)/operation/([^/]+)$", path)
    if match and "smithy-rpc-v2-cbor" in model.metadata.get("protocols", [model.protocol]):
        if match.group(1) == model.metadata.get("targetPrefix") and match.group(2) in model.operation_names:
            return match.group(2)
        return None
    if model.protocol in ("query", "ec2"):
        params = _query_params(headers, body, query)
        version = params.get("Version")
        if version and version != model.api_version:
            return None
        op = params.get("Action")
        return op if op in model.operation_names else None
    if model.protocol in ("rest-json", "rest-xml"):
        return _rest_operation(service, method, path, headers, query)
    return None


def classify(record: dict) -> ApiCall | None:
    """The AWS API call a recorded request made, or None for a request that is no AWS call
    (unsigned: moto's own ``/moto-api/`` endpoints, health checks).

    A signed request whose operation is not found gets operation UNKNOWN (and counts as a write).
    """
    headers = _headers(record)
    url = urlsplit(record.get("url", ""))
    path = unquote(url.path) or "/"
    query = parse_qs(url.query, keep_blank_values=True)
    method = (record.get("method") or "GET").upper()
    scope = _credential_scope(headers, query)
    if scope is None:
        return None
    region, signing_name = scope
    body = _body(record)
    candidates = services_signing_as(signing_name)
    for service in candidates:
        op = _operation(service, method, path, headers, body, query)
        if op:
            return ApiCall(service, op, region, method, url.path, headers.get("x-amz-date", ""))
    service = candidates[0] if candidates else signing_name
    return ApiCall(service, UNKNOWN, region, method, url.path, headers.get("x-amz-date", ""))


def read_recording(text: str) -> Iterator[dict]:
    """The records of a moto recording. moto appends one JSON object and a newline per request
    from the serving thread; under concurrency a long record's newline can land after the next
    record, so the text is read as a stream of JSON values, not line by line."""
    decoder = json.JSONDecoder()
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            return
        record, pos = decoder.raw_decode(text, pos)
        yield record


def summarise(calls: Iterable[ApiCall]) -> dict:
    """Counts of calls: ``total``, ``reads``, ``writes``, ``by_service`` {service: n},
    ``by_operation`` {"service:Operation": n}, ``write_operations`` (the same for writes), and
    ``writes_list`` (each write's service, operation, region and X-Amz-Date, in order)."""
    calls = list(calls)
    writes = [c for c in calls if not c.read]
    return {
        "total": len(calls),
        "reads": len(calls) - len(writes),
        "writes": len(writes),
        "by_service": dict(Counter(c.service for c in calls).most_common()),
        "by_operation": dict(sorted(Counter(c.key for c in calls).items(), key=lambda kv: (-kv[1], kv[0]))),
        "write_operations": dict(sorted(Counter(c.key for c in writes).items(), key=lambda kv: (-kv[1], kv[0]))),
        "writes_list": [{"service": c.service, "operation": c.operation, "region": c.region, "amz_date": c.amz_date}
                        for c in writes],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("recording", help="a moto recording file (MOTO_RECORDER_FILEPATH)")
    args = parser.parse_args(argv)
    with open(args.recording, encoding="utf-8") as handle:
        calls = [c for c in (classify(r) for r in read_recording(handle.read())) if c]
    print(json.dumps(summarise(calls), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
