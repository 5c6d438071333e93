# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for plugins/module_utils/common.py (no AWS, no emulator)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.medtech.aws_platform.plugins.module_utils import common
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import diff_changes
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import make_diff
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import normalize
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import raise_for_unsuccessful


# --- normalize ----------------------------------------------------------------------------
class TestNormalize:
    def test_json_string_equals_dict_regardless_of_key_order(self):
        policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}'
        as_dict = {"Statement": [{"Action": "s3:GetObject", "Effect": "Allow"}], "Version": "2012-10-17"}
        assert normalize(policy) == normalize(as_dict)

    def test_json_strings_inside_structures_are_parsed(self):
        assert normalize({"doc": '{"a": 1}'}) == {"doc": {"a": 1}}

    def test_non_json_strings_are_kept(self):
        assert normalize("{not json") == "{not json"
        assert normalize("${version} ${srcaddr}") == "${version} ${srcaddr}"

    def test_list_order_matters_unless_sort_lists(self):
        assert normalize([2, 1]) != normalize([1, 2])
        assert normalize([2, 1], sort_lists=True) == normalize([1, 2], sort_lists=True)

    def test_sort_lists_sorts_lists_of_dicts_and_nested_lists(self):
        a = {"rules": [{"port": 443, "cidrs": ["b", "a"]}, {"port": 80, "cidrs": ["c"]}]}
        b = {"rules": [{"cidrs": ["c"], "port": 80}, {"cidrs": ["a", "b"], "port": 443}]}
        assert normalize(a, sort_lists=True) == normalize(b, sort_lists=True)
        assert normalize(a) != normalize(b)

    def test_none_values_dropped_by_default(self):
        assert normalize({"a": 1, "b": None}) == {"a": 1}
        assert normalize({"a": 1, "b": None}, drop_none=False) == {"a": 1, "b": None}

    def test_defaults_drop_top_level_values_aws_filled_in(self):
        aws = {"MaxAggregationInterval": 600, "TrafficType": "ALL"}
        user = {"TrafficType": "ALL"}
        assert normalize(aws, defaults={"MaxAggregationInterval": 600}) == normalize(user)
        # a non-default value is kept, so it still differs
        assert normalize({"MaxAggregationInterval": 60}, defaults={"MaxAggregationInterval": 600}) == {
            "MaxAggregationInterval": 60
        }

    def test_numbers_as_strings(self):
        assert normalize(600) != normalize("600")
        assert normalize(600, numbers_as_strings=True) == normalize("600", numbers_as_strings=True)
        assert normalize({"a": 600.0}, numbers_as_strings=True) == {"a": "600"}
        # booleans are not numbers here
        assert normalize(True, numbers_as_strings=True) is True

    def test_tuples_become_lists_and_input_is_not_mutated(self):
        value = {"b": (3, 1), "a": None}
        assert normalize(value, sort_lists=True) == {"b": [1, 3]}
        assert value == {"b": (3, 1), "a": None}


# --- diff_changes -------------------------------------------------------------------------
class TestDiffChanges:
    def test_only_set_and_different_keys(self):
        current = {"a": 1, "b": 2, "c": 3}
        assert diff_changes(current, {"a": 1, "b": 5, "c": None}) == {"b": 5}

    def test_unset_options_are_left_alone(self):
        assert diff_changes({"log_format": "custom"}, {"log_format": None}) == {}

    def test_missing_resource_means_every_set_option_differs(self):
        assert diff_changes(None, {"a": 1, "b": None}) == {"a": 1}

    def test_returns_the_users_value_not_the_normalised_one(self):
        assert diff_changes({"doc": {"a": 1}}, {"doc": '{"a": 2}'}) == {"doc": '{"a": 2}'}

    def test_normalisation_applies(self):
        assert diff_changes({"doc": {"b": 1, "a": 2}}, {"doc": '{"a": 2, "b": 1}'}) == {}
        assert diff_changes({"ids": ["b", "a"]}, {"ids": ["a", "b"]}) == {"ids": ["a", "b"]}
        assert diff_changes({"ids": ["b", "a"]}, {"ids": ["a", "b"]}, sort_lists=True) == {}
        assert diff_changes({"n": 60}, {"n": "60"}, numbers_as_strings=True) == {}

    def test_false_and_zero_are_set_values(self):
        assert diff_changes({"enabled": True, "count": 1}, {"enabled": False, "count": 0}) == {
            "enabled": False,
            "count": 0,
        }


# --- make_diff ----------------------------------------------------------------------------
class TestMakeDiff:
    def test_absent_sides_are_empty_dicts(self):
        assert make_diff(None, {"a": 1}) == {"before": {}, "after": {"a": 1}}
        assert make_diff({"a": 1}, None) == {"before": {"a": 1}, "after": {}}

    def test_copies(self):
        before = {"tags": {"a": "1"}}
        diff = make_diff(before, before)
        before["tags"]["a"] = "2"
        assert diff["before"]["tags"]["a"] == "1"
        assert diff["after"]["tags"]["a"] == "1"


# --- raise_for_unsuccessful ---------------------------------------------------------------
class TestRaiseForUnsuccessful:
    def test_success_returns_empty(self):
        assert raise_for_unsuccessful({"FlowLogIds": ["fl-1"], "Unsuccessful": []}, "CreateFlowLogs") == []
        assert raise_for_unsuccessful({}, "CreateFlowLogs") == []

    def test_failure_raised_as_client_error_with_code_and_resource(self):
        response = {
            "FlowLogIds": [],
            "Unsuccessful": [
                {"ResourceId": "vpc-1", "Error": {"Code": "400", "Message": "LogDestination: b does not exist"}}
            ],
        }
        with pytest.raises(ClientError) as raised:
            raise_for_unsuccessful(response, "CreateFlowLogs")
        error = raised.value
        assert error.response["Error"]["Code"] == "400"
        assert "LogDestination: b does not exist (resource vpc-1)" in str(error)
        assert error.operation_name == "CreateFlowLogs"

    def test_is_boto3_error_code_sees_the_code(self):
        response = {"Unsuccessful": [{"ResourceId": "fl-1", "Error": {"Code": "InvalidFlowLogId.NotFound"}}]}
        try:
            raise_for_unsuccessful(response, "DeleteFlowLogs")
        except is_boto3_error_code("InvalidFlowLogId.NotFound"):
            pass
        else:  # pragma: no cover
            pytest.fail("not raised")

    def test_ignored_codes_are_returned(self):
        item = {"ResourceId": "fl-1", "Error": {"Code": "InvalidFlowLogId.NotFound", "Message": "gone"}}
        assert raise_for_unsuccessful({"Unsuccessful": [item]}, "DeleteFlowLogs", ["InvalidFlowLogId.NotFound"]) == [
            item
        ]


# --- ResourceManager ----------------------------------------------------------------------
class FakeModule:
    def __init__(self, check_mode=False, diff=False):
        self.check_mode = check_mode
        self._diff = diff


class Thing(ResourceManager):
    """An in-memory resource: a dict in ``store`` under key "thing"."""

    result_key = "thing"
    read_delay = 0

    def __init__(self, module, store, desired):
        super().__init__(module)
        self.store = store
        self.desired = desired
        self.calls = []

    def read(self):
        self.calls.append("read")
        thing = self.store.get("thing")
        return dict(thing) if thing is not None else None

    def create(self):
        self.calls.append("create")
        self.store["thing"] = dict(self.desired)

    def update(self, current):
        changes = diff_changes(current, self.desired)
        if changes:
            self.act(self._write, changes)

    def _write(self, changes):
        self.calls.append("update")
        self.store["thing"].update(changes)

    def delete(self, current):
        self.calls.append("delete")
        del self.store["thing"]

    def expected(self, current):
        after = dict(current or {})
        after.update({k: v for k, v in self.desired.items() if v is not None})
        return after


class TestResourceManager:
    def test_create(self):
        store = {}
        result = Thing(FakeModule(diff=True), store, {"size": 1}).ensure_present()
        assert result == {"changed": True, "thing": {"size": 1}, "diff": {"before": {}, "after": {"size": 1}}}
        assert store == {"thing": {"size": 1}}

    def test_create_in_check_mode_writes_nothing_and_predicts(self):
        store = {}
        manager = Thing(FakeModule(check_mode=True, diff=True), store, {"size": 1})
        result = manager.ensure_present()
        assert result["changed"] is True
        assert result["thing"] == {"size": 1}
        assert result["diff"] == {"before": {}, "after": {"size": 1}}
        assert store == {}
        assert "create" not in manager.calls

    def test_no_op_does_not_read_again_or_write(self):
        store = {"thing": {"size": 1, "name": "x"}}
        manager = Thing(FakeModule(), store, {"size": 1, "name": None})
        result = manager.ensure_present()
        assert result == {"changed": False, "thing": {"size": 1, "name": "x"}}
        assert manager.calls == ["read"]

    def test_update_reads_again_after_writing(self):
        store = {"thing": {"size": 1}}
        manager = Thing(FakeModule(diff=True), store, {"size": 2})
        result = manager.ensure_present()
        assert result["changed"] is True
        assert result["diff"] == {"before": {"size": 1}, "after": {"size": 2}}
        assert manager.calls == ["read", "update", "read"]

    def test_update_in_check_mode(self):
        store = {"thing": {"size": 1}}
        manager = Thing(FakeModule(check_mode=True), store, {"size": 2})
        result = manager.ensure_present()
        assert result == {"changed": True, "thing": {"size": 2}}
        assert store == {"thing": {"size": 1}}

    def test_delete_and_delete_again(self):
        store = {"thing": {"size": 1}}
        result = Thing(FakeModule(diff=True), store, {}).ensure_absent()
        assert result == {"changed": True, "thing": {}, "diff": {"before": {"size": 1}, "after": {}}}
        assert store == {}
        assert Thing(FakeModule(), store, {}).ensure_absent() == {"changed": False, "thing": {}}

    def test_delete_in_check_mode(self):
        store = {"thing": {"size": 1}}
        manager = Thing(FakeModule(check_mode=True), store, {})
        assert manager.ensure_absent()["changed"] is True
        assert store == {"thing": {"size": 1}}
        assert "delete" not in manager.calls

    def test_read_again_retries_then_fails_with_a_clear_error(self, monkeypatch):
        sleeps = []
        monkeypatch.setattr(common.time, "sleep", sleeps.append)

        class NeverVisible(Thing):
            read_attempts = 3
            read_delay = 5

            def read(self):
                self.calls.append("read")
                return None

        manager = NeverVisible(FakeModule(), {}, {"size": 1})
        with pytest.raises(AnsibleAWSError, match="could not be read back after 3 attempt"):
            manager.ensure_present()
        assert manager.calls.count("read") == 4  # the first read, then three after creating
        assert sleeps == [5, 5]

    def test_read_again_returns_once_visible(self, monkeypatch):
        monkeypatch.setattr(common.time, "sleep", lambda seconds: None)

        class Lagging(Thing):
            read_attempts = 5

            def read(self):
                self.calls.append("read")
                # invisible on the first read after the create, visible on the second
                if self.calls.count("read") == 2:
                    return None
                return super().read()

        manager = Lagging(FakeModule(), {}, {"size": 1})
        assert manager.ensure_present()["thing"] == {"size": 1}
