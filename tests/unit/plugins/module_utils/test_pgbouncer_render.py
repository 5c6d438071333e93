# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for plugins/module_utils/pgbouncer.py (no AWS, no pgbouncer; test_pgbouncer.py runs a real one)."""

from __future__ import annotations

import pytest

from ansible_collections.medtech.aws_platform.plugins.module_utils.pgbouncer import pgbouncer_errors
from ansible_collections.medtech.aws_platform.plugins.module_utils.pgbouncer import render_pgbouncer

ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/rds/app-AbCdEf"
BASE = {"server_host": "medtech-prod.abc.eu-central-1.rds.amazonaws.com", "dbname": "medtech"}


def env(rendered):
    return {item["name"]: item["value"] for item in rendered["environment"]}


def test_platform_defaults_render_the_image_environment():
    rendered = render_pgbouncer(dict(BASE, credentials_secret_arn=ARN))
    assert env(rendered) == {
        "AUTH_FILE": "/etc/pgbouncer/userlist.txt",
        "AUTH_TYPE": "scram-sha-256",
        "DB_HOST": BASE["server_host"],
        "DB_NAME": "medtech",
        "DB_PORT": "5432",
        "DEFAULT_POOL_SIZE": "20",
        "IGNORE_STARTUP_PARAMETERS": "extra_float_digits",
        "LISTEN_ADDR": "127.0.0.1",
        "LISTEN_PORT": "6432",
        "MAX_CLIENT_CONN": "100",
        "POOL_MODE": "transaction",
        "SERVER_TLS_SSLMODE": "require",
    }
    assert [item["name"] for item in rendered["environment"]] == sorted(env(rendered))
    assert rendered["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": f"{ARN}:password::"},
        {"name": "DB_USER", "valueFrom": f"{ARN}:username::"},
    ]
    assert rendered["userlist"] is None
    assert rendered["health_check_command"] == ["CMD-SHELL", "pg_isready -h 127.0.0.1 -p 6432 -q || exit 1"]


def test_ini_carries_the_same_settings():
    rendered = render_pgbouncer(dict(BASE, pool_mode="session", max_client_conn=50, default_pool_size=7, listen_port=7000))
    ini = rendered["ini"].splitlines()
    assert f"medtech = host={BASE['server_host']} port=5432 dbname=medtech" in ini
    for line in ("pool_mode = session", "max_client_conn = 50", "default_pool_size = 7", "listen_port = 7000",
                 "listen_addr = 127.0.0.1", "server_tls_sslmode = require", "auth_type = scram-sha-256"):
        assert line in ini
    assert env(rendered)["POOL_MODE"] == "session"
    assert rendered["health_check_command"][1].startswith("pg_isready -h 127.0.0.1 -p 7000 ")


def test_ca_file_means_verify_full():
    rendered = render_pgbouncer(dict(BASE, server_tls_ca_file="/etc/ssl/rds/global-bundle.pem"))
    assert env(rendered)["SERVER_TLS_SSLMODE"] == "verify-full"
    assert env(rendered)["SERVER_TLS_CA_FILE"] == "/etc/ssl/rds/global-bundle.pem"
    assert "server_tls_ca_file = /etc/ssl/rds/global-bundle.pem" in rendered["ini"]


def test_no_credential_in_environment_and_userlist_only_when_given():
    rendered = render_pgbouncer(dict(BASE, credentials_secret_arn=ARN, userlist={"app": 'pa"ss'}))
    assert all("pa" not in item["value"] for item in rendered["environment"])
    assert rendered["userlist"] == '"app" "pa""ss"\n'


def test_valid_settings_have_no_errors():
    assert pgbouncer_errors(BASE) == []


@pytest.mark.parametrize(
    "override, fragment",
    [
        ({"pool_mode": "sessions"}, "pgbouncer.pool_mode is 'sessions': use one of session, transaction, statement"),
        ({"default_pool_size": 101}, "pgbouncer.default_pool_size (101) is larger than pgbouncer.max_client_conn (100)"),
        ({"max_client_conn": 0}, "pgbouncer.max_client_conn is 0: set a whole number greater than 0"),
        ({"default_pool_size": -1}, "pgbouncer.default_pool_size is -1"),
        ({"default_pool_size": "many"}, "pgbouncer.default_pool_size is 'many'"),
        ({"listen_port": 70000}, "pgbouncer.listen_port is 70000: set a TCP port from 1 to 65535"),
        ({"server_port": 0}, "pgbouncer.server_port is 0"),
        ({"server_tls_sslmode": "prefer"}, "forces TLS (rds.force_ssl=1); use require or verify-ca or verify-full"),
        ({"server_tls_sslmode": "verify-full"}, "needs pgbouncer.server_tls_ca_file"),
        ({"auth_type": "trust"}, "pgbouncer.auth_type is 'trust'"),
        ({"server_host": None}, "pgbouncer.server_host is missing"),
        ({"dbname": "a b"}, "pgbouncer.dbname is 'a b': remove spaces"),
    ],
)
def test_errors_name_the_setting_and_the_fix(override, fragment):
    errors = pgbouncer_errors(dict(BASE, **override))
    assert any(fragment in error for error in errors), errors


def test_prefix_names_the_variable():
    assert pgbouncer_errors(dict(BASE, pool_mode="x"), prefix="ecs_pgbouncer")[0].startswith("ecs_pgbouncer.pool_mode")


def test_host_from_the_secret_instead_of_an_address():
    settings = {"dbname": "medtech", "host_key": "host", "credentials_secret_arn": ARN}
    assert pgbouncer_errors(settings) == []
    rendered = render_pgbouncer(settings)
    assert "DB_HOST" not in env(rendered)
    assert {"name": "DB_HOST", "valueFrom": f"{ARN}:host::"} in rendered["secrets"]
    assert "medtech = host=${DB_HOST} port=5432 dbname=medtech" in rendered["ini"]


def test_host_needs_an_address_or_a_secret_key_not_both():
    assert pgbouncer_errors({"dbname": "medtech"}) == [
        "pgbouncer.server_host is missing: set the RDS endpoint address, or pgbouncer.host_key (with "
        "pgbouncer.credentials_secret_arn) to read it from the secret"
    ]
    assert pgbouncer_errors({"dbname": "medtech", "host_key": "host"})[0].startswith("pgbouncer.server_host is missing")
    both = dict(BASE, host_key="host", credentials_secret_arn=ARN)
    assert pgbouncer_errors(both) == [
        "pgbouncer.server_host and pgbouncer.host_key are both set: give the address or the secret's key, not both"
    ]
