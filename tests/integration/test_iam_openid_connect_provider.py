# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: the real iam_openid_connect_provider module, run by ``ansible``, against the emulator.

Each call is ``ansible localhost -m medtech.aws_platform.iam_openid_connect_provider -a '<json>'
--diff`` (the ``ansible_module`` fixture of conftest.py); what the module did is then read back
from the emulator with boto3.

Where moto (5.2.5) does not answer as AWS does, the Stubber unit tests cover the path instead
(tests/unit/plugins/modules/test_iam_openid_connect_provider_stubbed.py):

* moto lacks AddClientIDToOpenIDConnectProvider and RemoveClientIDFromOpenIDConnectProvider
  (NotImplementedError), so a client ID change on an existing provider is tested here in check
  mode only (which writes nothing); the writes are Stubber tests;
* moto creates a provider without thumbprints with an empty list, where AWS fills one in;
* moto deletes a missing provider silently, where AWS answers NoSuchEntity; the module treats both
  as "already gone".
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.emulator

MODULE = "medtech.aws_platform.iam_openid_connect_provider"
URL = "https://token.actions.githubusercontent.com"
ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
THUMB_A = "6938fd4d98bab03faadb97b34396831e3780aea1"
THUMB_B = "1c58a3a8518e8759bf075b76b750d4f2df264fcd"
GITHUB = {
    "url": URL,
    "client_id_list": ["sts.amazonaws.com"],
    "thumbprint_list": [THUMB_A],
    "tags": {"project": "medtech", "managed-by": "ansible"},
}


@pytest.fixture()
def run_module(ansible_module):
    """Run the module once through ``ansible``; return the host's result dict."""

    def _run(args: dict, check: bool = False) -> dict:
        return ansible_module(MODULE, args, check=check)

    return _run


@pytest.fixture()
def iam(aws):
    return aws.client("iam", "us-east-1")


def stored(iam, arn=ARN):
    """The provider as the emulator holds it, or None."""
    if arn not in [item["Arn"] for item in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]:
        return None
    raw = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    raw["Tags"] = {tag["Key"]: tag["Value"] for tag in raw.get("Tags") or []}
    return raw


def ok(result):
    assert not result.get("failed"), result
    return result


# --- create ---------------------------------------------------------------------------------------
def test_create_check_mode_twice_then_for_real_twice(run_module, iam):
    for attempt in range(2):
        result = ok(run_module(GITHUB, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"] == {
            "before": {},
            "after": {
                "url": URL,
                "client_id_list": ["sts.amazonaws.com"],
                "thumbprint_list": [THUMB_A],
                "tags": GITHUB["tags"],
            },
        }
        assert result["open_id_connect_provider"]["arn"] == ARN  # from sts:GetCallerIdentity
        assert "create_date" not in result["open_id_connect_provider"]
        assert stored(iam) is None  # check mode created nothing

    result = ok(run_module(GITHUB))
    assert result["changed"] is True
    provider = stored(iam)
    assert provider["Url"] == "token.actions.githubusercontent.com"
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]
    assert provider["ThumbprintList"] == [THUMB_A]
    assert provider["Tags"] == GITHUB["tags"]
    returned = result["open_id_connect_provider"]
    assert returned["arn"] == ARN
    assert returned["url"] == URL  # with its scheme, though IAM leaves it out
    assert returned["client_id_list"] == ["sts.amazonaws.com"]
    assert returned["thumbprint_list"] == [THUMB_A]
    assert returned["tags"] == GITHUB["tags"]
    assert returned["create_date"]
    assert result["diff"]["before"] == {}

    for check in (False, True):
        result = ok(run_module(GITHUB, check=check))
        assert result["changed"] is False
        assert result["diff"]["before"] == result["diff"]["after"]
        assert result["open_id_connect_provider"]["arn"] == ARN


def test_same_input_in_another_order_and_case_is_no_change(run_module, iam):
    ok(run_module(dict(GITHUB, client_id_list=["sts.amazonaws.com", "https://github.com/medtech"],
                       thumbprint_list=[THUMB_A, THUMB_B])))
    same = dict(GITHUB, client_id_list=["https://github.com/medtech", "sts.amazonaws.com", "sts.amazonaws.com"],
                thumbprint_list=[THUMB_B.upper(), THUMB_A])
    assert ok(run_module(same))["changed"] is False


def test_create_minimal_leaves_unset_options_alone(run_module, iam):
    result = ok(run_module({"url": URL}))
    assert result["changed"] is True
    provider = stored(iam)
    assert provider["ClientIDList"] == []
    assert provider["Tags"] == {}
    # an existing provider: unset options are left alone
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=ARN, Tags=[{"Key": "owner", "Value": "ops"}])
    assert ok(run_module({"url": URL}))["changed"] is False
    assert stored(iam)["Tags"] == {"owner": "ops"}


# --- modify ---------------------------------------------------------------------------------------
def test_thumbprint_change_check_mode_then_for_real(run_module, iam):
    ok(run_module(GITHUB))
    changed = dict(GITHUB, thumbprint_list=[THUMB_B.upper()])

    for attempt in range(2):
        result = ok(run_module(changed, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["before"]["thumbprint_list"] == [THUMB_A]
        assert result["diff"]["after"]["thumbprint_list"] == [THUMB_B]
        assert stored(iam)["ThumbprintList"] == [THUMB_A]

    result = ok(run_module(changed))
    assert result["changed"] is True
    assert stored(iam)["ThumbprintList"] == [THUMB_B]  # sent in lower case
    assert result["open_id_connect_provider"]["thumbprint_list"] == [THUMB_B]
    for check in (False, True):
        assert ok(run_module(changed, check=check))["changed"] is False


def test_tags_replaced_then_added_without_purge(run_module, iam):
    ok(run_module(GITHUB))
    replaced = dict(GITHUB, tags={"project": "medtech", "cost-centre": "platform"})

    result = ok(run_module(replaced, check=True))
    assert result["changed"] is True
    assert result["diff"]["after"]["tags"] == {"project": "medtech", "cost-centre": "platform"}
    assert stored(iam)["Tags"] == GITHUB["tags"]

    result = ok(run_module(replaced))
    assert result["changed"] is True
    assert stored(iam)["Tags"] == {"project": "medtech", "cost-centre": "platform"}
    assert result["diff"]["before"]["tags"] == GITHUB["tags"]
    assert ok(run_module(replaced))["changed"] is False

    added = {"url": URL, "tags": {"owner": "platform-team"}, "purge_tags": False}
    assert ok(run_module(added))["changed"] is True
    assert stored(iam)["Tags"] == {"project": "medtech", "cost-centre": "platform", "owner": "platform-team"}
    assert ok(run_module(added))["changed"] is False


def test_client_id_add_and_remove_in_check_mode(run_module, iam):
    # moto lacks Add/RemoveClientID...: the writes are Stubber tests; check mode writes nothing.
    ok(run_module(GITHUB))
    replaced = dict(GITHUB, client_id_list=["https://github.com/medtech"])
    result = ok(run_module(replaced, check=True))
    assert result["changed"] is True
    assert result["diff"]["before"]["client_id_list"] == ["sts.amazonaws.com"]
    assert result["diff"]["after"]["client_id_list"] == ["https://github.com/medtech"]

    kept = dict(replaced, purge_client_ids=False)
    result = ok(run_module(kept, check=True))
    assert result["changed"] is True
    assert result["diff"]["after"]["client_id_list"] == ["https://github.com/medtech", "sts.amazonaws.com"]
    assert stored(iam)["ClientIDList"] == ["sts.amazonaws.com"]

    # a listed one that is there already, without purge: nothing to do
    assert ok(run_module(dict(GITHUB, purge_client_ids=False)))["changed"] is False


# --- delete ---------------------------------------------------------------------------------------
def test_delete_check_mode_twice_then_for_real_twice(run_module, iam):
    ok(run_module(GITHUB))
    absent = {"url": URL, "state": "absent"}

    for attempt in range(2):
        result = ok(run_module(absent, check=True))
        assert result["changed"] is True, f"check-mode run {attempt + 1}"
        assert result["diff"]["before"]["url"] == URL
        assert result["diff"]["after"] == {}
        assert stored(iam) is not None

    result = ok(run_module(absent))
    assert result["changed"] is True
    assert result["open_id_connect_provider"] == {}
    assert stored(iam) is None

    for check in (False, True):
        result = ok(run_module(absent, check=check))
        assert result["changed"] is False
        assert result["diff"] == {"before": {}, "after": {}}


def test_other_providers_are_not_touched(run_module, iam):
    other = iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com/medtech",
                                                ClientIDList=["sts.amazonaws.com"])["OpenIDConnectProviderArn"]
    ok(run_module(GITHUB))
    ok(run_module({"url": URL, "state": "absent"}))
    assert stored(iam) is None
    assert stored(iam, other) is not None


# --- input errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"url": "http://token.actions.githubusercontent.com"}, "url 'http://token.actions.githubusercontent.com' must begin with https://"),
        ({"url": URL + "/"}, "ends with a slash: remove it"),
        ({"url": URL, "thumbprint_list": ["69:38:fd"]}, "thumbprint_list: '69:38:fd' is not a SHA-1 thumbprint"),
        ({"url": URL, "thumbprint_list": [f"{n:040x}" for n in range(6)]}, "thumbprint_list has 6 thumbprints: IAM allows at most 5"),
        ({"url": URL, "client_id_list": [f"client-{n}" for n in range(101)]}, "client_id_list has 101 client IDs: IAM allows at most 100"),
        ({"url": URL, "client_id_list": ["sts.amazonaws.com", ""]}, "client_id_list holds an empty client ID"),
    ],
)
def test_invalid_options_fail_before_any_call(run_module, iam, args, message):
    result = run_module(args)
    assert result.get("failed") is True, result
    assert result["msg"].startswith("Invalid options: ")
    assert message in result["msg"]
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
