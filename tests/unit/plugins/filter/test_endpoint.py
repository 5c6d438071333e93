"""Unit tests for the loopback_url filter: the local inventory's guard against real AWS."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.medtech.aws_platform.plugins.filter.endpoint import is_loopback_url
from ansible_collections.medtech.aws_platform.plugins.filter.endpoint import loopback_url


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:5000", "http://localhost:4566", "https://127.9.9.9", "http://[::1]:5000/", "http://127.0.0.1"]
)
def test_loopback_urls_pass_unchanged(url):
    assert loopback_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://ec2.eu-central-1.amazonaws.com",
        "http://10.0.0.5:5000",
        "http://192.168.1.10:5000",
        "http://127.0.0.1.evil.example:5000",
        "http://localhost.example.com",
        "ftp://127.0.0.1",
        "127.0.0.1:5000",
        "",
    ],
)
def test_anything_else_is_refused_naming_the_variable(url):
    assert not is_loopback_url(url)
    with pytest.raises(AnsibleFilterError) as exc:
        loopback_url(url, "AWS_ENDPOINT_URL")
    assert f"AWS_ENDPOINT_URL='{url}' is not a loopback endpoint" in str(exc.value)
    assert "inventories/production" in str(exc.value)
