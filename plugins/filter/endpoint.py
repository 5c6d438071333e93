# -*- coding: utf-8 -*-

# Copyright: MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``loopback_url`` filter: the guard that keeps the local inventory off real AWS."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from ansible.errors import AnsibleFilterError

LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


def is_loopback_url(url):
    """Return True when ``url`` is an http(s) URL whose host is a loopback address.

    Loopback means ``localhost``, an address in 127.0.0.0/8, or ``::1``. Makes no network call
    and resolves no name.
    """
    try:
        parts = urlsplit(str(url))
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def loopback_url(url, variable="AWS_ENDPOINT_URL"):
    """``url | medtech.aws_platform.loopback_url('AWS_ENDPOINT_URL')`` -> url, or fail.

    :param url: the endpoint URL the local inventory is about to use.
    :param variable: the name to cite in the error (where the URL came from).
    :returns: ``url`` unchanged when it is a loopback http(s) URL.
    :raises AnsibleFilterError: for any other URL, naming the variable and the fix.
    """
    if is_loopback_url(url):
        return url
    raise AnsibleFilterError(
        f"{variable}='{url}' is not a loopback endpoint. The local inventory runs only against the "
        "emulator on this machine (http://127.0.0.1:5000 by default): unset AWS_ENDPOINT_URL or point it at "
        "127.0.0.1, and use inventories/production or inventories/staging for AWS."
    )


class FilterModule:
    """Endpoint filters of medtech.aws_platform."""

    def filters(self):
        return {"loopback_url": loopback_url}
