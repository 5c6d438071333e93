# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The small foundation shared by the custom modules of medtech.aws_platform.

It sits on top of amazon.aws's module_utils and adds only what they lack:

* ``normalize`` makes AWS data and user input comparable (JSON strings, key order, list order,
  number vs string, values AWS fills in);
* ``diff_changes`` picks the options the user set that differ from what AWS holds;
* ``make_diff`` builds Ansible's ``{"before": ..., "after": ...}``;
* ``raise_for_unsuccessful`` turns the per-item failures that EC2 batch APIs report with
  HTTP 200 into the ``ClientError`` every error handler already understands;
* ``ResourceManager`` is the read -> compare -> act (check mode aware) -> read again loop.

Credentials, endpoints, retries, tags and error handling come from amazon.aws
(``AnsibleAWSModule``, ``AWSRetry``, ``AWSErrorHandler``, ``ensure_ec2_tags``,
``compare_aws_tags``, ``boto3_resource_to_ansible_dict``); nothing here re-implements them.
"""

import copy
import json
import time

try:
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore to the user.

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def throttling_retry(*extra_codes):
    """AWSRetry's jittered backoff, also on ``ThrottlingException``, the code that ECS, Secrets
    Manager and KMS answer "Rate exceeded" with (AWSRetry's own list has EC2's codes).

    :param extra_codes: further error codes a service throttles with, e.g. SNS's ``Throttled``.
    :return: a decorator for one API call function.
    """
    return AWSRetry.jittered_backoff(catch_extra_error_codes=["ThrottlingException", *extra_codes])


def _canonical(value):
    """A stable text form of an already normalised value, used as a sort key."""
    return json.dumps(value, sort_keys=True, default=str)


def _normalize_number(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def normalize(value, sort_lists=False, drop_none=True, defaults=None, numbers_as_strings=False):
    """Return a copy of ``value`` in a form where equal AWS data compares equal.

    Used only to compare; never send the result back to AWS or return it to the user.

    :param value: any JSON-like value (dict, list, tuple, str, int, float, bool, None).
    :param sort_lists: when True every list is sorted (by its items' canonical JSON), for lists
        whose order AWS does not keep (security group rules, subnet ids, ...).
    :param drop_none: when True dict keys whose value is None are removed (boto3 omits unset
        members, the user's options are None when unset).
    :param defaults: a dict ``{key: default}``; a key of the top-level dict whose normalised
        value equals the normalised default is removed, so a value AWS filled in compares
        equal to an option left out.
    :param numbers_as_strings: when True ints and floats (not bools) become text, so ``600``,
        ``600.0`` and ``"600"`` compare equal.
    :return: the normalised value: strings holding a JSON object or array are parsed (and
        normalised in turn), tuples become lists, dicts become new dicts (Python dict equality
        already ignores key order; keys are also re-inserted sorted so output is stable).
    :raises: nothing; a string that merely starts with ``{`` or ``[`` but is not JSON is kept.

    Calls no AWS API.

    >>> normalize('{"b": 1, "a": [2, 1]}', sort_lists=True) == {"a": [1, 2], "b": 1}
    True
    """
    result = _normalize(value, sort_lists, drop_none, numbers_as_strings)
    if defaults and isinstance(result, dict):
        for key, default in defaults.items():
            if key in result and result[key] == _normalize(default, sort_lists, drop_none, numbers_as_strings):
                del result[key]
    return result


def _normalize(value, sort_lists, drop_none, numbers_as_strings):
    if isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in ("{", "["):
            try:
                parsed = json.loads(stripped)
            except ValueError:
                return value
            return _normalize(parsed, sort_lists, drop_none, numbers_as_strings)
        return value
    if isinstance(value, dict):
        items = []
        for key in sorted(value, key=str):
            item = value[key]
            if item is None and drop_none:
                continue
            items.append((key, _normalize(item, sort_lists, drop_none, numbers_as_strings)))
        return dict(items)
    if isinstance(value, (list, tuple)):
        items = [_normalize(item, sort_lists, drop_none, numbers_as_strings) for item in value]
        if sort_lists:
            items.sort(key=_canonical)
        return items
    if numbers_as_strings and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _normalize_number(value)
    return value


def diff_changes(current, desired, **normalize_options):
    """Return the options the user set whose value differs from the current one.

    :param current: dict of what AWS holds, keyed like ``desired`` (usually snake_case);
        None means the resource does not exist (every set option then differs).
    :param desired: dict of the user's options; a key whose value is None was not set by the
        user and is never reported, so an option the user did not set is left alone.
    :param normalize_options: keyword arguments passed to ``normalize`` for both sides
        (``sort_lists``, ``numbers_as_strings``, ...).
    :return: dict ``{key: desired value}`` (the user's value, not normalised) for every set
        key whose normalised value differs from the normalised current one; ``{}`` when
        nothing differs.
    :raises: nothing.

    Calls no AWS API.

    >>> diff_changes({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 5, "c": None})
    {'b': 5}
    """
    current = current or {}
    changes = {}
    for key, wanted in desired.items():
        if wanted is None:
            continue
        have = current.get(key)
        if normalize(wanted, **normalize_options) != normalize(have, **normalize_options):
            changes[key] = wanted
    return changes


def make_diff(before, after):
    """Build the ``diff`` Ansible shows with ``--diff``.

    :param before: dict of the resource before the run, or None/{} when it did not exist.
    :param after: dict of the resource after the run (or, in check mode, as it would be),
        or None/{} when it does not exist afterwards.
    :return: ``{"before": dict, "after": dict}``, deep copies, absent sides as ``{}``.
    :raises: nothing.

    Calls no AWS API.
    """
    return {"before": copy.deepcopy(before) if before else {}, "after": copy.deepcopy(after) if after else {}}


def raise_for_unsuccessful(response, operation_name, ignore_codes=None):
    """Raise the first failure an EC2 batch API reported in its ``Unsuccessful`` list.

    EC2 batch calls such as CreateFlowLogs and DeleteFlowLogs answer HTTP 200 and list the items
    that failed under ``Unsuccessful`` (``[{"ResourceId": str, "Error": {"Code": str,
    "Message": str}}]``), e.g. ``LogDestination: my-bucket does not exist`` for a missing S3
    bucket. Raising them as ``botocore.exceptions.ClientError`` lets the caller's
    ``AWSErrorHandler`` and ``is_boto3_error_code`` treat them like any other API error.

    :param response: the dict boto3 returned for the call.
    :param operation_name: the API operation, e.g. ``"CreateFlowLogs"``, named in the error.
    :param ignore_codes: error codes that are not failures for the caller (they are returned,
        not raised).
    :return: the list of ignored ``Unsuccessful`` items (empty when everything succeeded).
    :raises botocore.exceptions.ClientError: for the first item whose code is not ignored; its
        message names the item's ``ResourceId``.

    Calls no AWS API itself.
    """
    ignore_codes = ignore_codes or []
    ignored = []
    for item in response.get("Unsuccessful") or []:
        error = item.get("Error") or {}
        code = error.get("Code") or "Unknown"
        if code in ignore_codes:
            ignored.append(item)
            continue
        message = error.get("Message") or "no message"
        resource_id = item.get("ResourceId")
        if resource_id:
            message = f"{message} (resource {resource_id})"
        raise ClientError({"Error": {"Code": code, "Message": message}}, operation_name)
    return ignored


class ResourceManager:
    """Read -> compare -> act -> read again, for one AWS resource, with full check mode.

    A module subclasses it, sets ``result_key`` and implements the hooks:

    * ``read()`` -> dict or None: the resource as the module returns it (snake_case, tags as a
      dict), found by the module's identity; None when it does not exist.
    * ``create()``: create it from the module's options.
    * ``update(current)``: bring an existing resource in line; every write goes through
      ``self.act(...)`` (or sets ``self.changed`` from a helper such as ``ensure_ec2_tags``
      that honours check mode itself), so check mode writes nothing.
    * ``delete(current)``: delete it.
    * ``expected(current)`` -> dict: the resource as it would be after ``ensure_present`` in
      check mode (``current`` is None when it would be created).

    ``ensure_present()`` / ``ensure_absent()`` then return the module result:
    ``{"changed": bool, <result_key>: dict ({} when absent), "diff": {"before", "after"}}``
    (``diff`` only in diff mode). Errors are whatever the hooks raise (typically
    ``AnsibleAWSError`` from an ``AWSErrorHandler``); ``main()`` turns them into
    ``fail_json_aws_error``.
    """

    #: the key of the module result that holds the resource, e.g. "flow_log"
    result_key = "resource"
    #: reads after a write before giving up (AWS APIs are eventually consistent)
    read_attempts = 1
    #: seconds between those reads
    read_delay = 2

    def __init__(self, module, client=None):
        """:param module: an AnsibleAWSModule (or an object with ``check_mode`` and ``_diff``).
        :param client: the boto3 client the hooks use."""
        self.module = module
        self.client = client
        self.check_mode = bool(module.check_mode)
        self.changed = False

    # --- hooks --------------------------------------------------------------------------
    def read(self):
        """Return the current resource (dict) or None. Subclasses implement it."""
        raise NotImplementedError

    def create(self):
        """Create the resource. Subclasses implement it."""
        raise NotImplementedError

    def update(self, current):
        """Converge an existing resource; return nothing, record changes in ``self.changed``."""
        return None

    def delete(self, current):
        """Delete the resource. Subclasses implement it."""
        raise NotImplementedError

    def expected(self, current):
        """Return the resource as ``ensure_present`` would leave it (used in check mode)."""
        raise NotImplementedError

    # --- the loop -----------------------------------------------------------------------
    def act(self, action, *args, **kwargs):
        """Record a change and perform ``action(*args, **kwargs)`` unless in check mode.

        :return: True (something changed or, in check mode, would change).
        """
        self.changed = True
        if not self.check_mode:
            action(*args, **kwargs)
        return True

    def read_again(self):
        """Read the resource after a write, retrying ``read_attempts`` times.

        :return: the resource dict.
        :raises AnsibleAWSError: when it still cannot be read after the last attempt.
        """
        for attempt in range(self.read_attempts):
            found = self.read()
            if found is not None:
                return found
            if attempt + 1 < self.read_attempts:
                time.sleep(self.read_delay)
        raise AnsibleAWSError(
            message=f"The {self.result_key} was written but could not be read back after "
            f"{self.read_attempts} attempt(s); run the task again to see its state"
        )

    def ensure_present(self):
        """Create or converge the resource; return the module result (see the class doc)."""
        before = self.read()
        if before is None:
            self.act(self.create)
        else:
            self.update(before)
        if not self.changed:
            after = before
        elif self.check_mode:
            after = self.expected(before)
        else:
            after = self.read_again()
        return self.result(before, after)

    def ensure_absent(self):
        """Delete the resource if it exists; return the module result (see the class doc)."""
        before = self.read()
        if before is not None:
            self.act(self.delete, before)
        return self.result(before, None)

    @staticmethod
    def diff_view(state):
        """What ``diff`` shows of a state (the state itself; a subclass narrows it to the
        settings it manages by setting ``diff_view = staticmethod(<view function>)``)."""
        return state

    def result(self, before, after):
        """Build the module result from the states before and after the run."""
        result = {"changed": self.changed, self.result_key: after or {}}
        if getattr(self.module, "_diff", False):
            result["diff"] = make_diff(self.diff_view(before), self.diff_view(after))
        return result


def expected_tags(current_tags, tags, purge_tags):
    """The tags a resource will have after its tags are converged (check mode's ``after``).

    :param current_tags: dict of the resource's tags now (None for none).
    :param tags: dict of the wanted tags, None to leave the tags alone.
    :param purge_tags: whether tags not in ``tags`` are removed.
    :returns: dict; values as strings, as AWS stores them. No AWS call.
    """
    current_tags = current_tags or {}
    if tags is None:
        return dict(current_tags)
    to_set, to_unset = compare_aws_tags(current_tags, tags, purge_tags)
    result = {key: value for key, value in current_tags.items() if key not in to_unset}
    result.update({key: str(value) for key, value in to_set.items()})
    return result


def run_manager(module, manager):
    """Run a ResourceManager as the module's ``state`` says and end the module with its result.

    :param module: the AnsibleAWSModule, whose params hold ``state`` (``present``/``absent``).
    :param manager: the ResourceManager (subclass) for it.
    :return: never; calls ``module.exit_json`` with the result, or ``module.fail_json`` (an
        ``AnsibleAWSError`` without an AWS exception, with its kwargs) / ``fail_json_aws_error``.
    """
    try:
        if module.params["state"] == "present":
            result = manager.ensure_present()
        else:
            result = manager.ensure_absent()
    except AnsibleAWSError as e:
        if e.exception is None:
            module.fail_json(msg=e.message, **e.kwargs)
        module.fail_json_aws_error(e)
    module.exit_json(**result)
