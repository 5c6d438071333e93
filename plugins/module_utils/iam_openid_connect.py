# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The IAM OpenID Connect provider calls of iam_openid_connect_provider, and its input checks.

Each API function is retried on throttling and on IAM's ``ConcurrentModification`` and turns an
API error into amazon.aws's ``AnsibleIAMError`` (its ``IAMErrorHandler``), whose message names
the action and the provider. Reads treat ``NoSuchEntity`` as "not there".

IAM keys a provider by its URL without the ``https://`` scheme: GetOpenIDConnectProvider returns
``Url`` in that form, and the provider's ARN is ``arn:<partition>:iam::<account>:oidc-provider/``
followed by it. ``provider_key`` gives that form of the module's ``url`` option.
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

SCHEME = "https://"
#: the ARN's resource part is this, then the URL without its scheme
ARN_RESOURCE_PREFIX = "oidc-provider/"
#: IAM's limits (CreateOpenIDConnectProvider, the IAM quotas page)
MAX_URL_LENGTH = 255
MAX_CLIENT_IDS = 100
MAX_CLIENT_ID_LENGTH = 255
MAX_THUMBPRINTS = 5
MAX_TAGS = 50
THUMBPRINT_PATTERN = re.compile(r"^[0-9a-fA-F]{40}$")
# https://host[:port][/path], no query, fragment, user info or white space.
URL_PATTERN = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s?#@]*)?$")

retry = throttling_retry("ConcurrentModification")


# --- input --------------------------------------------------------------------------------------
def provider_key(url):
    """The URL as IAM stores it: without ``https://`` (``token.actions.githubusercontent.com``)."""
    return url[len(SCHEME):] if url.startswith(SCHEME) else url


def normalize_thumbprints(thumbprints):
    """Thumbprints lower-cased, without duplicates, sorted (hex case carries no meaning)."""
    return sorted({item.lower() for item in thumbprints or []})


def normalize_client_ids(client_ids):
    """Client IDs without duplicates, sorted (IAM keeps them as a set)."""
    return sorted(set(client_ids or []))


def validate_params(params):
    """Check the options as IAM would, before any AWS call.

    :param params: the module's params (``url``, ``client_id_list``, ``thumbprint_list``, ``tags``).
    :return: a list of messages, each naming the option and the fix; empty when all is well.
    """
    errors = []
    url = params.get("url") or ""
    if not url.startswith(SCHEME):
        errors.append(f"url {url!r} must begin with https:// (e.g. https://token.actions.githubusercontent.com)")
    elif url.endswith("/"):
        errors.append(f"url {url!r} ends with a slash: remove it (IAM matches the issuer exactly, e.g. "
                      "https://token.actions.githubusercontent.com)")
    elif not URL_PATTERN.match(url):
        errors.append(f"url {url!r} is not a plain https://host[/path] URL: remove any query (?), fragment (#), "
                      "user info (@) or white space")
    if len(url) > MAX_URL_LENGTH:
        errors.append(f"url is {len(url)} characters long: IAM allows at most {MAX_URL_LENGTH}")

    client_ids = params.get("client_id_list")
    if client_ids is not None:
        if any(not item for item in client_ids):
            errors.append("client_id_list holds an empty client ID: remove it (e.g. use sts.amazonaws.com for "
                          "GitHub Actions)")
        too_long = [item for item in client_ids if len(item) > MAX_CLIENT_ID_LENGTH]
        if too_long:
            errors.append(f"client_id_list holds {len(too_long)} client ID(s) longer than {MAX_CLIENT_ID_LENGTH} "
                          "characters: shorten them")
        count = len(normalize_client_ids(client_ids))
        if count > MAX_CLIENT_IDS:
            errors.append(f"client_id_list has {count} client IDs: IAM allows at most {MAX_CLIENT_IDS} per provider")

    thumbprints = params.get("thumbprint_list")
    if thumbprints is not None:
        bad = [item for item in thumbprints if not THUMBPRINT_PATTERN.match(item)]
        if bad:
            errors.append(f"thumbprint_list: {', '.join(repr(item) for item in bad)} is not a SHA-1 thumbprint: "
                          "give 40 hexadecimal digits without colons")
        count = len(normalize_thumbprints(thumbprints))
        if not thumbprints:
            errors.append("thumbprint_list is empty: IAM cannot clear the thumbprints; leave thumbprint_list out "
                          "to keep them (AWS fills one in on create) or give 1 to 5")
        elif count > MAX_THUMBPRINTS:
            errors.append(f"thumbprint_list has {count} thumbprints: IAM allows at most {MAX_THUMBPRINTS}; "
                          "remove the old ones")

    tags = params.get("tags")
    if tags and len(tags) > MAX_TAGS:
        errors.append(f"tags has {len(tags)} tags: IAM allows at most {MAX_TAGS} per resource")
    return errors


# --- views --------------------------------------------------------------------------------------
def provider_view(arn, raw):
    """The provider as the module returns it, from its ARN and GetOpenIDConnectProvider's answer.

    ``url`` gets back its ``https://`` (IAM returns the URL without it); client IDs and
    thumbprints are sorted; ``create_date`` is ISO 8601 text; tags are a dict.
    """
    create_date = raw.get("CreateDate")
    return {
        "arn": arn,
        "url": SCHEME + raw["Url"],
        "client_id_list": normalize_client_ids(raw.get("ClientIDList")),
        "thumbprint_list": normalize_thumbprints(raw.get("ThumbprintList")),
        "create_date": create_date.isoformat() if hasattr(create_date, "isoformat") else create_date,
        "tags": boto3_tag_list_to_ansible_dict(raw.get("Tags") or []),
    }


def diff_view(provider):
    """The managed parts of a provider view, for ``diff`` (``{}`` when there is none)."""
    if not provider:
        return {}
    return {key: provider[key] for key in ("url", "client_id_list", "thumbprint_list", "tags") if key in provider}


def iam_tags(tags):
    """A tag dict as IAM wants it, values as strings, sorted by key (stable requests)."""
    return ansible_dict_to_boto3_tag_list({key: str(tags[key]) for key in sorted(tags)})


# --- API calls ----------------------------------------------------------------------------------
@IAMErrorHandler.common_error_handler("list the IAM OIDC providers")
@retry
def list_provider_arns(client):
    """ListOpenIDConnectProviders (not paginated by IAM): every provider ARN of the account."""
    return [item["Arn"] for item in client.list_open_id_connect_providers().get("OpenIDConnectProviderList") or []]


@IAMErrorHandler.list_error_handler("read the IAM OIDC provider {arn}")
@retry
def get_provider(client, arn):
    """GetOpenIDConnectProvider: its answer (Url, ClientIDList, ThumbprintList, CreateDate, Tags),
    or None when it is gone (NoSuchEntity)."""
    raw = client.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    raw.pop("ResponseMetadata", None)
    return raw


def find_provider(client, url):
    """The provider of ``url``: ``(arn, GetOpenIDConnectProvider answer)``, or ``(None, None)``.

    The ARN ends with ``oidc-provider/`` and the URL without its scheme, so the one ARN whose
    resource part is exactly that is read; the URL it returns is checked too.
    """
    key = provider_key(url)
    for arn in list_provider_arns(client):
        resource = arn.split(":", 5)[-1]
        if resource != ARN_RESOURCE_PREFIX + key:
            continue
        raw = get_provider(client, arn)
        if raw is not None and raw.get("Url") == key:
            return arn, raw
    return None, None


@IAMErrorHandler.common_error_handler("create the IAM OIDC provider {url}")
@retry
def create_provider(client, url, client_ids, thumbprints, tags):
    """CreateOpenIDConnectProvider; empty lists and tags are left out. Returns the new ARN."""
    params = {"Url": url}
    if client_ids:
        params["ClientIDList"] = list(client_ids)
    if thumbprints:
        params["ThumbprintList"] = list(thumbprints)
    if tags:
        params["Tags"] = iam_tags(tags)
    return client.create_open_id_connect_provider(**params)["OpenIDConnectProviderArn"]


@IAMErrorHandler.common_error_handler("add the client ID {client_id} to the IAM OIDC provider {arn}")
@retry
def add_client_id(client, arn, client_id):
    """AddClientIDToOpenIDConnectProvider (one client ID per call)."""
    client.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=client_id)
    return True


@IAMErrorHandler.common_error_handler("remove the client ID {client_id} from the IAM OIDC provider {arn}")
@retry
def remove_client_id(client, arn, client_id):
    """RemoveClientIDFromOpenIDConnectProvider (one client ID per call)."""
    client.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=client_id)
    return True


@IAMErrorHandler.common_error_handler("update the thumbprints of the IAM OIDC provider {arn}")
@retry
def update_thumbprints(client, arn, thumbprints):
    """UpdateOpenIDConnectProviderThumbprint: replaces the whole list."""
    client.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=list(thumbprints))
    return True


@IAMErrorHandler.common_error_handler("tag the IAM OIDC provider {arn}")
@retry
def tag_provider(client, arn, tags):
    """TagOpenIDConnectProvider; ``tags`` is a dict."""
    client.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=iam_tags(tags))
    return True


@IAMErrorHandler.common_error_handler("remove tags from the IAM OIDC provider {arn}")
@retry
def untag_provider(client, arn, tag_keys):
    """UntagOpenIDConnectProvider; ``tag_keys`` is a list of keys."""
    client.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=list(tag_keys))
    return True


@IAMErrorHandler.deletion_error_handler("delete the IAM OIDC provider {arn}")
@retry
def delete_provider(client, arn):
    """DeleteOpenIDConnectProvider; False when it was already gone (NoSuchEntity)."""
    client.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    return True
