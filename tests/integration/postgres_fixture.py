# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A real PostgreSQL 15 for the tests, on 127.0.0.1, started once per test session.

Debian's ``postgresql`` package (installed by ``.ci/run``) provides the server in
``/usr/lib/postgresql/15/bin``; ``PG_BIN`` may point elsewhere. The fixture does not use the
cluster the Debian package creates (``15/main`` on port 5432): it runs ``initdb`` in a new
temporary folder and ``pg_ctl start`` on a free port, listening on 127.0.0.1 only, with password
(scram-sha-256) authentication and TLS offered with a certificate signed by a CA made for the
session. ``pg_ctl stop`` ends it at the end of the session.

PostgreSQL refuses to run as root, and CI runs as root: then initdb and pg_ctl run as the
``postgres`` system user (``runuser -u postgres --``), which owns the temporary folder. Run as
another user, they run as that user.

A missing ``initdb`` fails the test (it does not skip it): a skipped test is not a passing test.

Import the fixtures into a test module with ``from postgres_fixture import postgres_server``.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pg8000.native
import pytest

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "127.0.0.1"
SUPERUSER = "postgres"
RUN_AS = "postgres"  # the system user that runs the server when the tests run as root
# Members of this role may only connect over TLS (``hostnossl ... reject`` in pg_hba.conf).
TLS_ONLY_ROLE = "tls_only"


@dataclass
class PostgresServer:
    """A running PostgreSQL: where it listens, its superuser, and the CA that signed its certificate."""

    host: str
    port: int
    superuser: str
    superuser_password: str
    ca_file: Path
    log_file: Path

    def tls_context(self) -> ssl.SSLContext:
        """A TLS context that trusts the session's CA and checks the host name."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def connect(self, user: str, password: str, database: str = "postgres", tls: bool = False) -> pg8000.native.Connection:
        """A connection, plain text unless ``tls`` (raises pg8000.native.DatabaseError when the login is refused)."""
        return pg8000.native.Connection(
            user=user, password=password, host=self.host, port=self.port, database=database,
            ssl_context=self.tls_context() if tls else False, timeout=10,
        )

    def admin(self, database: str = "postgres") -> pg8000.native.Connection:
        """A connection as the superuser."""
        return self.connect(self.superuser, self.superuser_password, database)

    def can_login(self, user: str, password: str, database: str = "postgres", tls: bool = False) -> bool:
        """True when ``user`` logs in with ``password``; False when the server refuses the login."""
        try:
            conn = self.connect(user, password, database, tls)
        except pg8000.native.DatabaseError as exc:
            details = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
            if details.get("C") in ("28P01", "28000"):
                return False
            raise
        conn.close()
        return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", RUN_AS, "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], what: str, log_file: Path | None = None) -> None:
    proc = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        log = log_file.read_text(errors="replace")[-3000:] if log_file and log_file.exists() else ""
        pytest.fail(f"{what} failed (rc={proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}\n{log}", pytrace=False)


def _write_tls_files(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1/localhost signed by it; returns (ca, cert, key)."""
    # pylint: disable=import-outside-toplevel
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "medtech test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.crt", folder / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_file.chmod(0o600)
    return ca_file, cert_file, key_file


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, gid)


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """A PostgreSQL 15 on a free port of 127.0.0.1 for the whole session, stopped at its end."""
    initdb, pg_ctl = PG_BIN / "initdb", PG_BIN / "pg_ctl"
    if not initdb.is_file():
        pytest.fail(
            f"{initdb} is missing: these tests need a real PostgreSQL 15. `.ci/run` installs it (Debian package "
            "`postgresql`); on this machine run `apt-get update && apt-get install -y postgresql` "
            "(or set PG_BIN to the folder that holds initdb and pg_ctl).",
            pytrace=False,
        )
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(RUN_AS)
        except KeyError:
            pytest.fail(f"running as root but there is no `{RUN_AS}` system user to run PostgreSQL as; "
                        "`.ci/run` installs the Debian package `postgresql`, which creates it", pytrace=False)

    # Not under pytest's tmp dir: that is private to the test user, and the server user must reach it.
    base = Path(tempfile.mkdtemp(prefix="medtech-postgres-"))
    data, tls, sock = base / "data", base / "tls", base / "socket"
    log_file = base / "postgres.log"
    password = os.urandom(18).hex()
    port = _free_port()
    started = False
    try:
        tls.mkdir()
        sock.mkdir()
        pwfile = base / "pwfile"
        pwfile.write_text(password + "\n")
        ca_file, cert_file, key_file = _write_tls_files(tls)
        if owner is not None:
            _chown_tree(base, owner.pw_uid, owner.pw_gid)
        _run([str(initdb), "-D", str(data), "-U", SUPERUSER, "--pwfile", str(pwfile), "-A", "scram-sha-256",
              "-E", "UTF8", "--no-locale"], "initdb")
        pwfile.unlink()
        # Only TCP on 127.0.0.1 with a password; members of tls_only must use TLS.
        (data / "pg_hba.conf").write_text(
            f"hostnossl all +{TLS_ONLY_ROLE} {HOST}/32 reject\n"
            f"host      all all {HOST}/32 scram-sha-256\n"
        )
        with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                "\n# medtech tests\n"
                f"listen_addresses = '{HOST}'\n"
                f"port = {port}\n"
                f"unix_socket_directories = '{sock}'\n"
                "password_encryption = 'scram-sha-256'\n"
                "ssl = on\n"
                f"ssl_cert_file = '{cert_file}'\n"
                f"ssl_key_file = '{key_file}'\n"
                "fsync = off\n"
                "log_connections = on\n"
                # Every statement goes to the log, so tests can check that no password is ever sent in SQL.
                "log_statement = 'all'\n"
            )
        _run([str(pg_ctl), "-D", str(data), "-l", str(log_file), "-w", "-t", "60", "start"], "pg_ctl start", log_file)
        started = True
        server = PostgresServer(HOST, port, SUPERUSER, password, ca_file, log_file)
        conn = server.admin()
        try:
            conn.run(f"CREATE ROLE {TLS_ONLY_ROLE} NOLOGIN")
        finally:
            conn.close()
        yield server
    finally:
        if started:
            _run([str(pg_ctl), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"], "pg_ctl stop", log_file)
        shutil.rmtree(base, ignore_errors=True)
