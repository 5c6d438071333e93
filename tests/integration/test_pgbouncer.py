# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A real PgBouncer, configured by ``render_pgbouncer``, in front of a real PostgreSQL 15.

The PostgreSQL server is the session's ``postgres_fixture.py`` server (TLS offered, password
authentication). Each test writes the ``pgbouncer.ini`` and ``userlist.txt`` that
``render_pgbouncer`` returns, starts Debian's ``/usr/sbin/pgbouncer`` (installed by ``.ci/run``,
package ``pgbouncer``; run as the ``postgres`` user when the tests run as root, since PgBouncer
refuses root) on a free loopback port, and then:

* connects as many clients as ``max_client_conn`` allows, all at once, and checks that one more
  is refused with PgBouncer's ``max_client_conn`` error;
* lets every client run transactions through the pool at the same time, all of which must
  succeed, while a poller counts the application user's server connections in
  ``pg_stat_activity`` directly on PostgreSQL: the maximum must equal ``default_pool_size``
  (never more, and the pool is really used);
* checks that every server connection PgBouncer opened is encrypted (``pg_stat_ssl``; the
  application role may only log in over TLS, as on RDS with ``rds.force_ssl=1``), and that the
  container health check (``pg_isready`` on the listen port) passes.

The test runs with the platform's numbers (transaction, 100, 20) and with other numbers, so a
config that ignored the settings would fail one of them. A missing pgbouncer binary fails the
test; it does not skip it.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pg8000.native
import pytest
from postgres_fixture import PG_BIN, RUN_AS, TLS_ONLY_ROLE, PostgresServer, postgres_server  # noqa: F401  pylint: disable=unused-import
from postgres_fixture import _as_server_user, _free_port

from ansible_collections.medtech.aws_platform.plugins.module_utils.pgbouncer import pgbouncer_errors
from ansible_collections.medtech.aws_platform.plugins.module_utils.pgbouncer import render_pgbouncer

# `make pytest` runs two xdist workers; this group keeps the file's tests on one, in order.
pytestmark = pytest.mark.xdist_group("postgres")

PGBOUNCER = Path(os.environ.get("PGBOUNCER_BIN", "/usr/sbin/pgbouncer"))
HOST = "127.0.0.1"
APP_USER = "pool_app"
DB = "pooldb"
TRANSACTIONS_PER_CLIENT = 4


@pytest.fixture(scope="module")
def app_role(postgres_server: PostgresServer) -> str:
    """The application user and database; the user may only log in over TLS. Returns its password."""
    password = secrets.token_hex(16)
    admin = postgres_server.admin()
    try:
        admin.run(f"DROP DATABASE IF EXISTS {DB}")
        admin.run(f"DROP ROLE IF EXISTS {APP_USER}")
        admin.run(f"CREATE ROLE {APP_USER} LOGIN PASSWORD '{password}' IN ROLE {TLS_ONLY_ROLE}")
        admin.run(f"CREATE DATABASE {DB} OWNER {APP_USER}")
    finally:
        admin.close()
    conn = pg8000.native.Connection(
        user=APP_USER, password=password, host=postgres_server.host, port=postgres_server.port, database=DB,
        ssl_context=postgres_server.tls_context(), timeout=10,
    )
    try:
        conn.run("CREATE TABLE visits (id serial PRIMARY KEY, client int NOT NULL, n int NOT NULL)")
    finally:
        conn.close()
    return password


class Bouncer:
    """A pgbouncer process started from rendered settings."""

    def __init__(self, rendered: dict, port: int, base: Path):
        if not PGBOUNCER.is_file():
            pytest.fail(
                f"{PGBOUNCER} is missing: this test needs a real PgBouncer. `.ci/run` installs it (Debian package "
                "`pgbouncer`); on this machine run `apt-get update && apt-get install -y pgbouncer` "
                "(or set PGBOUNCER_BIN).",
                pytrace=False,
            )
        self.port = port
        self.base = base
        self.log_file = self.base / "pgbouncer.log"
        ini = rendered["ini"]
        ini += f"logfile = {self.log_file}\npidfile = {self.base / 'pgbouncer.pid'}\nunix_socket_dir =\n"
        (self.base / "pgbouncer.ini").write_text(ini)
        (self.base / "userlist.txt").write_text(rendered["userlist"])
        (self.base / "userlist.txt").chmod(0o600)
        if os.geteuid() == 0:
            owner = pwd.getpwnam(RUN_AS)
            for path in (self.base, *self.base.iterdir()):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            _as_server_user([str(PGBOUNCER), str(self.base / "pgbouncer.ini")]),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"pgbouncer exited (rc={self.proc.returncode}):\n{self.output()}", pytrace=False)
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"pgbouncer did not listen on {port}:\n{self.output()}", pytrace=False)

    def output(self) -> str:
        log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        return log[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        shutil.rmtree(self.base, ignore_errors=True)


def _server_connections(admin: pg8000.native.Connection) -> tuple[int, bool]:
    """(number of the app user's server connections, whether all of them use TLS)."""
    rows = admin.run(
        "SELECT count(*), coalesce(bool_and(s.ssl), true) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) "
        "WHERE a.usename = :user AND a.backend_type = 'client backend'",
        user=APP_USER,
    )
    return int(rows[0][0]), bool(rows[0][1])


def _client(port: int, password: str) -> pg8000.native.Connection:
    # Client to PgBouncer on loopback without TLS, as the app reaches its sidecar on 127.0.0.1.
    return pg8000.native.Connection(
        user=APP_USER, password=password, host=HOST, port=port, database=DB, ssl_context=False, timeout=30,
    )


@pytest.mark.parametrize(
    "max_client_conn, default_pool_size",
    [pytest.param(100, 20, id="platform-100-clients-pool-20"), pytest.param(30, 5, id="other-30-clients-pool-5")],
)
def test_pool_limits_follow_the_rendered_config(postgres_server, app_role, max_client_conn, default_pool_size):
    # Not under pytest's tmp dir: that is private to the test user, and pgbouncer's user must read it.
    base = Path(tempfile.mkdtemp(prefix="medtech-pgbouncer-"))
    settings = {
        "pool_mode": "transaction",
        "max_client_conn": max_client_conn,
        "default_pool_size": default_pool_size,
        "listen_addr": HOST,
        "listen_port": _free_port(),
        "server_host": postgres_server.host,
        "server_port": postgres_server.port,
        "dbname": DB,
        "server_tls_sslmode": "require",
        "auth_type": "scram-sha-256",
        "auth_file": str(base / "userlist.txt"),
        "userlist": {APP_USER: app_role},
    }
    assert pgbouncer_errors(settings) == []
    rendered = render_pgbouncer(settings)
    port = settings["listen_port"]
    bouncer = Bouncer(rendered, port, base)
    admin = postgres_server.admin()
    clients: list[pg8000.native.Connection] = []
    try:
        # The container health check, as ECS runs it: pg_isready on the listen port.
        check = subprocess.run(
            ["sh", "-c", rendered["health_check_command"][1]],
            env=dict(os.environ, PATH=f"{PG_BIN}:{os.environ.get('PATH', '')}"),
            capture_output=True, text=True, timeout=30, check=False,
        )
        assert check.returncode == 0, check.stdout + check.stderr

        # max_client_conn clients at once (connected in parallel, as an app's workers do).
        errors: list[BaseException] = []
        lock = threading.Lock()

        def connect():
            try:
                conn = _client(port, app_role)
            except Exception as exc:  # pylint: disable=broad-except
                with lock:
                    errors.append(exc)
                return
            with lock:
                clients.append(conn)

        threads = [threading.Thread(target=connect) for _client_number in range(max_client_conn)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, f"{len(errors)} clients could not connect: {errors[:3]}\n{bouncer.output()}"
        assert len(clients) == max_client_conn

        # One client more is refused by PgBouncer itself.
        with pytest.raises(pg8000.native.DatabaseError) as refused:
            _client(port, app_role).close()
        assert "max_client_conn" in str(refused.value)

        # Every client runs transactions at the same time; a poller watches the server side.
        observed: list[tuple[int, bool]] = []
        done = threading.Event()

        def poll():
            while not done.is_set():
                observed.append(_server_connections(admin))
                time.sleep(0.02)

        def work(index: int, conn: pg8000.native.Connection):
            try:
                for n in range(TRANSACTIONS_PER_CLIENT):
                    conn.run("START TRANSACTION")
                    conn.run("INSERT INTO visits (client, n) VALUES (:c, :n)", c=index, n=n)
                    conn.run("SELECT pg_sleep(0.02)")
                    conn.run("COMMIT")
            except Exception as exc:  # pylint: disable=broad-except
                with lock:
                    errors.append(exc)

        poller = threading.Thread(target=poll)
        poller.start()
        workers = [threading.Thread(target=work, args=(i, conn)) for i, conn in enumerate(clients)]
        started = time.monotonic()
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=90)
        done.set()
        poller.join(timeout=10)
        elapsed = time.monotonic() - started
        observed.append(_server_connections(admin))

        assert not errors, f"{len(errors)} transactions failed: {errors[:3]}\n{bouncer.output()}"
        rows = clients[0].run("SELECT count(*) FROM visits")[0][0]
        assert rows == max_client_conn * TRANSACTIONS_PER_CLIENT
        peak = max(number for number, _tls in observed)
        assert peak == default_pool_size, f"server connections peaked at {peak}, pool size {default_pool_size}"
        assert all(tls for _number, tls in observed), "a server connection from PgBouncer was not encrypted"
        # The pool, not the clients, bounds the work: each client's transactions took turns.
        assert elapsed >= (max_client_conn * TRANSACTIONS_PER_CLIENT * 0.02) / default_pool_size * 0.8
    finally:
        if clients:
            clients[0].run("DELETE FROM visits")
        for conn in clients:
            try:
                conn.close()
            except Exception:  # pylint: disable=broad-except
                pass
        admin.close()
        bouncer.stop()
