# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The secrets role's rotation function (roles/secrets/files/rotation) against a real PostgreSQL 15
(``postgres_fixture.py``) and the secrets in the emulator's Secrets Manager.

Each test plays Secrets Manager's part of a rotation (``SecretsManagerHarness``) and calls the
function's ``lambda_handler`` for each step, as the Lambda service would; the function talks to
the emulator through its real Secrets Manager API and to PostgreSQL over TCP.

What moto 5.2.5 needs, and why the harness does what it does:

* RotateSecret is the only call that stages a version AWSPENDING without a value, which is what
  Secrets Manager hands createSecret, and the only one that sets RotationEnabled. It needs a
  RotationLambdaARN of a function that exists in moto, so the harness creates a dummy Lambda
  (a no-op handler). moto then "invokes" it for the four steps: without a Docker daemon moto only
  records an error in the function's log (with one, the dummy does nothing), and RotateSecret
  returns with the new version labelled AWSPENDING, no value, and AWSCURRENT untouched, as on
  AWS. The harness then invokes the real function for each step.
* After RotateSecret moto also makes the pending version its default, so GetSecretValue without
  VersionStage would read it; everything here (the function too) always names the stage.
* AWS leaves a finished rotation either with AWSPENDING on the AWSCURRENT version or on no
  version (API_RotateSecret); moto 5.2.5 refuses the next RotateSecret in the first case (its
  "still in progress" test is the wrong way round), so after finishSecret the harness removes
  AWSPENDING, the second state AWS documents, as Secrets Manager does.
* A failed rotation is retried by Secrets Manager with the same token; the tests do the same.
"""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import secrets
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pg8000.native
import pytest
from postgres_fixture import PostgresServer, postgres_server  # noqa: F401  pylint: disable=unused-import

# `make pytest` runs two xdist workers; this group keeps the file's tests on one, in order.
pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("postgres")]

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTION_FILE = REPO_ROOT / "roles" / "secrets" / "files" / "rotation" / "lambda_function.py"
REGION = "eu-central-1"
ADMIN_SECRET = "prod/rds/admin"
APP_SECRET = "prod/rds/app"
DB = "appdb"
MASTER, APP, CLONE, APP_GROUP = "dbadmin", "app", "app_clone", "app_rw"
NEW_APP, NEW_CLONE = "newapp", "newapp_clone"  # users that exist only after the first rotation
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
LOGGER = "medtech.rotation"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _load_function():
    spec = importlib.util.spec_from_file_location("medtech_rotation_lambda_function", FUNCTION_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lambda_function = _load_function()


# --- fixtures -------------------------------------------------------------------------------------

@dataclass
class Database:
    """appdb on the test server, set up as RDS would have it: a master user that is not a superuser
    (CREATEROLE, CREATEDB) owns it; ``app`` reads and writes ``orders`` through the group role
    ``app_rw``, reads ``audit`` by a direct grant, and may not read ``payroll``."""

    server: PostgresServer
    passwords: dict = field(default_factory=dict)

    def can_login(self, user: str, password: str, tls: bool = False) -> bool:
        return self.server.can_login(user, password, DB, tls)

    def privileges(self, user: str, password: str) -> dict:
        """What ``user`` may do on the test tables: {'orders_select': True, ...}."""
        checks = {
            "orders_select": "SELECT count(*) FROM orders",
            "orders_insert": "INSERT INTO orders (item) VALUES ('x')",
            "audit_select": "SELECT count(*) FROM audit",
            "payroll_select": "SELECT count(*) FROM payroll",
        }
        conn = self.server.connect(user, password, DB)
        result = {}
        try:
            for name, sql in checks.items():
                try:
                    conn.run(sql)
                    result[name] = True
                except pg8000.native.DatabaseError as exc:
                    assert exc.args[0]["C"] == "42501", exc  # insufficient_privilege, nothing else
                    result[name] = False
        finally:
            conn.close()
        return result


def _reset(server: PostgresServer) -> None:
    conn = server.admin()
    try:
        conn.run(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        for role in (NEW_CLONE, NEW_APP, CLONE, APP, APP_GROUP, MASTER):  # their objects went with the database
            conn.run(f"DROP ROLE IF EXISTS {role}")
    finally:
        conn.close()


@pytest.fixture()
def database(postgres_server) -> Database:  # pylint: disable=redefined-outer-name
    """A fresh appdb with the roles of the docstring of Database; dropped again afterwards."""
    server = postgres_server
    db = Database(server, {MASTER: secrets.token_urlsafe(24), APP: secrets.token_urlsafe(24)})
    _reset(server)
    conn = server.admin()
    try:
        conn.run(f"CREATE ROLE {MASTER} LOGIN CREATEROLE CREATEDB PASSWORD {pg8000.native.literal(db.passwords[MASTER])}")
        conn.run(f"CREATE DATABASE {DB} OWNER {MASTER}")
    finally:
        conn.close()
    conn = server.connect(MASTER, db.passwords[MASTER], DB)
    try:
        for sql in (
            f"CREATE ROLE {APP_GROUP} NOLOGIN",
            f"CREATE ROLE {APP} LOGIN PASSWORD {pg8000.native.literal(db.passwords[APP])}",
            f"GRANT {APP_GROUP} TO {APP}",
            "CREATE TABLE orders (id serial PRIMARY KEY, item text)",
            f"GRANT SELECT, INSERT ON orders TO {APP_GROUP}",
            f"GRANT USAGE ON SEQUENCE orders_id_seq TO {APP_GROUP}",
            "CREATE TABLE audit (id int)",
            f"GRANT SELECT ON audit TO {APP}",
            "CREATE TABLE payroll (salary int)",
        ):
            conn.run(sql)
    finally:
        conn.close()
    yield db
    _reset(server)


class SecretsManagerHarness:
    """Plays Secrets Manager's part of a rotation on the emulator (see the module docstring)."""

    def __init__(self, client, function_arn: str):
        self.sm = client
        self.function_arn = function_arn

    def start(self, secret_id: str) -> str:
        """RotateSecret: rotation on every 30 days, a new version AWSPENDING (no value yet); its id."""
        token = str(uuid.uuid4())
        self.sm.rotate_secret(
            SecretId=secret_id, ClientRequestToken=token, RotationLambdaARN=self.function_arn,
            RotationRules={"AutomaticallyAfterDays": 30},
        )
        return token

    @staticmethod
    def step(secret_id: str, token: str, step: str):
        return lambda_function.lambda_handler({"SecretId": secret_id, "ClientRequestToken": token, "Step": step}, None)

    def end(self, secret_id: str, token: str) -> None:
        """After a successful rotation: AWSPENDING is on no version."""
        if "AWSPENDING" in self.stages(secret_id).get(token, []):
            self.sm.update_secret_version_stage(SecretId=secret_id, VersionStage="AWSPENDING", RemoveFromVersionId=token)

    def rotate(self, secret_id: str) -> str:
        """A whole rotation: RotateSecret, the four steps, the end; returns the new version's id."""
        token = self.start(secret_id)
        for step in STEPS:
            self.step(secret_id, token, step)
        self.end(secret_id, token)
        return token

    def stages(self, secret_id: str) -> dict:
        return self.sm.describe_secret(SecretId=secret_id)["VersionIdsToStages"]

    def version(self, secret_id: str, stage: str) -> str:
        return next(v for v, stages in self.stages(secret_id).items() if stage in stages)

    def value(self, secret_id: str, stage: str = "AWSCURRENT") -> dict:
        return json.loads(self.sm.get_secret_value(SecretId=secret_id, VersionStage=stage)["SecretString"])

    def all_values(self, secret_id: str) -> list[dict]:
        """Every version that holds a value."""
        values = []
        for version in self.stages(secret_id):
            try:
                text = self.sm.get_secret_value(SecretId=secret_id, VersionId=version)["SecretString"]
            except self.sm.exceptions.ResourceNotFoundException:
                continue
            values.append(json.loads(text))
        return values


@pytest.fixture()
def rotation(aws, monkeypatch):
    """The rotation function, talking to the emulator, without TLS (the test server offers TLS, see test_tls)."""
    monkeypatch.setattr(lambda_function, "service_client_factory", lambda: aws.client("secretsmanager", REGION))
    monkeypatch.setenv("RDS_TLS", "false")
    for var in ("RDS_CA_BUNDLE", "ROTATION_STRATEGY", "PASSWORD_LENGTH", "EXCLUDE_CHARACTERS", "SECRETS_MANAGER_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    return lambda_function


@pytest.fixture()
def harness(aws, rotation) -> SecretsManagerHarness:  # pylint: disable=redefined-outer-name,unused-argument
    """A harness with the dummy rotation Lambda in the emulator."""
    role = aws.client("iam", REGION).create_role(
        RoleName="medtech-test-rotation", AssumeRolePolicyDocument=json.dumps(TRUST)
    )["Role"]["Arn"]
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("lambda_function.py", "def lambda_handler(event, context):\n    return None\n")
    function_arn = aws.client("lambda", REGION).create_function(
        FunctionName="medtech-test-rotation", Runtime="python3.12", Role=role,
        Handler="lambda_function.lambda_handler", Code={"ZipFile": package.getvalue()},
    )["FunctionArn"]
    return SecretsManagerHarness(aws.client("secretsmanager", REGION), function_arn)


def _secret(database: Database, user: str, **extra) -> str:  # pylint: disable=redefined-outer-name
    server = database.server
    return json.dumps({
        "engine": "postgres", "host": server.host, "port": server.port, "username": user,
        "password": database.passwords[user], "dbname": DB, **extra,
    })


@pytest.fixture()
def admin_secret(harness, database) -> str:  # pylint: disable=redefined-outer-name
    """prod/rds/admin with the master user's credentials; its ARN."""
    return harness.sm.create_secret(Name=ADMIN_SECRET, SecretString=_secret(database, MASTER))["ARN"]


@pytest.fixture()
def app_secret(harness, database, admin_secret) -> str:  # pylint: disable=redefined-outer-name
    """prod/rds/app with app's credentials and masterarn pointing at prod/rds/admin; its ARN."""
    return harness.sm.create_secret(Name=APP_SECRET, SecretString=_secret(database, APP, masterarn=admin_secret))["ARN"]


# --- tests ----------------------------------------------------------------------------------------

# pylint: disable=redefined-outer-name


def test_single_user_rotation(harness, database, admin_secret):
    old_version = harness.version(admin_secret, "AWSCURRENT")
    old_password = database.passwords[MASTER]

    token = harness.rotate(admin_secret)

    new = harness.value(admin_secret)
    assert new["username"] == MASTER
    assert new["password"] != old_password
    assert len(new["password"]) == lambda_function.DEFAULT_PASSWORD_LENGTH
    assert not set(new["password"]) & set(lambda_function.DEFAULT_EXCLUDE_CHARACTERS)
    assert database.can_login(MASTER, new["password"])
    assert not database.can_login(MASTER, old_password)
    stages = harness.stages(admin_secret)
    assert "AWSCURRENT" in stages[token]
    assert "AWSPREVIOUS" in stages[old_version]
    assert harness.value(admin_secret, "AWSPREVIOUS")["password"] == old_password
    described = harness.sm.describe_secret(SecretId=admin_secret)
    assert described["RotationEnabled"] is True
    assert described["RotationRules"]["AutomaticallyAfterDays"] == 30


def test_alternating_users_rotation(harness, database, app_secret):
    first_version = harness.version(app_secret, "AWSCURRENT")
    app_password = database.passwords[APP]
    expected = {"orders_select": True, "orders_insert": True, "audit_select": True, "payroll_select": False}
    assert database.privileges(APP, app_password) == expected

    second_version = harness.rotate(app_secret)

    clone = harness.value(app_secret)
    assert clone["username"] == CLONE
    assert clone["masterarn"] == harness.value(app_secret, "AWSPREVIOUS")["masterarn"]
    assert database.can_login(CLONE, clone["password"])
    assert database.can_login(APP, app_password), "the previous user must keep working until the next rotation"
    assert database.privileges(CLONE, clone["password"]) == expected
    assert database.privileges(APP, app_password) == expected
    stages = harness.stages(app_secret)
    assert "AWSCURRENT" in stages[second_version] and "AWSPREVIOUS" in stages[first_version]

    third_version = harness.rotate(app_secret)

    back = harness.value(app_secret)
    assert back["username"] == APP
    assert back["password"] not in (app_password, clone["password"])
    assert database.can_login(APP, back["password"])
    assert not database.can_login(APP, app_password)
    assert database.can_login(CLONE, clone["password"]), "the previous user must keep working until the next rotation"
    assert database.privileges(APP, back["password"]) == expected
    assert database.privileges(CLONE, clone["password"]) == expected
    stages = harness.stages(app_secret)
    assert "AWSCURRENT" in stages[third_version] and "AWSPREVIOUS" in stages[second_version]
    # the master's credentials were only used, not rotated
    assert database.can_login(MASTER, database.passwords[MASTER])


def test_first_rotation_creates_the_application_user(harness, database, admin_secret):
    """A new app secret names a user the database does not have: the first rotation creates it
    (LOGIN only, CONNECT, its own schema) and its clone, and both log in afterwards."""
    first_password = "first-" + secrets.token_urlsafe(18)
    database.passwords[NEW_APP] = first_password
    app = harness.sm.create_secret(
        Name="prod/rds/newapp", SecretString=_secret(database, NEW_APP, masterarn=admin_secret)
    )["ARN"]
    assert not database.can_login(NEW_APP, first_password)

    harness.rotate(app)

    clone = harness.value(app)
    assert clone["username"] == NEW_CLONE
    assert database.can_login(NEW_APP, first_password), "the first user must exist with the secret's first password"
    assert database.can_login(NEW_CLONE, clone["password"])
    conn = database.server.connect(NEW_APP, first_password, DB)
    try:
        attributes = conn.run(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = :n", n=NEW_APP
        )
        assert attributes == [[False, False, False, False]]
        conn.run(f"CREATE TABLE {NEW_APP}.things (id int)")  # may create in its schema
        conn.run(f"INSERT INTO {NEW_APP}.things VALUES (1)")
        with pytest.raises(pg8000.native.DatabaseError):
            conn.run("SELECT * FROM payroll")
    finally:
        conn.close()


def test_first_rotation_never_takes_over_an_existing_user(harness, database, admin_secret):
    """A user that exists but does not log in with the secret's password is an error, not reset."""
    database.passwords[APP + "_wrong"] = "not-" + secrets.token_urlsafe(18)
    secret = json.loads(_secret(database, APP, masterarn=admin_secret))
    secret["password"] = "wrong-" + secrets.token_urlsafe(18)
    app = harness.sm.create_secret(Name="prod/rds/taken", SecretString=json.dumps(secret))["ARN"]
    token = harness.start(app)
    harness.step(app, token, "createSecret")
    with pytest.raises(lambda_function.RotationError, match="cannot log in with the current password"):
        harness.step(app, token, "setSecret")
    assert database.can_login(APP, database.passwords[APP])
    assert not database.can_login(CLONE, harness.value(app, "AWSPENDING")["password"])


def test_failed_test_secret_leaves_current_working_single_user(harness, database, admin_secret, monkeypatch):
    old_version = harness.version(admin_secret, "AWSCURRENT")
    token = harness.start(admin_secret)
    harness.step(admin_secret, token, "createSecret")
    pending = harness.value(admin_secret, "AWSPENDING")
    with monkeypatch.context() as patch:
        patch.setattr(lambda_function, "set_secret", lambda client, arn, token: None)
        harness.step(admin_secret, token, "setSecret")
    with pytest.raises(lambda_function.RotationError, match="cannot log in with the pending password"):
        harness.step(admin_secret, token, "testSecret")

    # Secrets Manager stops here: AWSCURRENT is untouched and still logs in.
    assert harness.version(admin_secret, "AWSCURRENT") == old_version
    assert harness.value(admin_secret)["password"] == database.passwords[MASTER]
    assert database.can_login(MASTER, database.passwords[MASTER])
    assert not database.can_login(MASTER, pending["password"])

    # Secrets Manager retries the rotation with the same token; with setSecret working it completes.
    for step in STEPS:
        harness.step(admin_secret, token, step)
    assert harness.version(admin_secret, "AWSCURRENT") == token
    assert harness.value(admin_secret)["password"] == pending["password"]
    assert database.can_login(MASTER, pending["password"])
    assert not database.can_login(MASTER, database.passwords[MASTER])


def test_failed_test_secret_leaves_current_working_alternating(harness, database, app_secret):
    old_version = harness.version(app_secret, "AWSCURRENT")
    token = harness.start(app_secret)
    harness.step(app_secret, token, "createSecret")
    harness.step(app_secret, token, "setSecret")
    pending = harness.value(app_secret, "AWSPENDING")
    assert pending["username"] == CLONE and database.can_login(CLONE, pending["password"])
    # Something goes wrong before testSecret (here: the new user may no longer log in).
    conn = database.server.admin()
    try:
        conn.run(f"ALTER ROLE {CLONE} NOLOGIN")
    finally:
        conn.close()
    with pytest.raises(lambda_function.RotationError, match=f"user {CLONE} cannot log in"):
        harness.step(app_secret, token, "testSecret")

    assert harness.version(app_secret, "AWSCURRENT") == old_version
    assert harness.value(app_secret)["username"] == APP
    assert database.can_login(APP, database.passwords[APP]), "nobody is locked out"

    # The retry repairs the new user (setSecret gives it LOGIN again) and completes.
    for step in STEPS:
        harness.step(app_secret, token, step)
    assert harness.version(app_secret, "AWSCURRENT") == token
    assert database.can_login(CLONE, pending["password"])
    assert database.can_login(APP, database.passwords[APP])


def test_steps_are_idempotent(harness, database, admin_secret, app_secret):
    for secret_id in (admin_secret, app_secret):
        before = harness.stages(secret_id)
        old_version = harness.version(secret_id, "AWSCURRENT")
        token = harness.start(secret_id)

        harness.step(secret_id, token, "createSecret")
        pending = harness.value(secret_id, "AWSPENDING")
        harness.step(secret_id, token, "createSecret")
        assert harness.value(secret_id, "AWSPENDING") == pending, "a second createSecret must not make a new password"
        assert set(harness.stages(secret_id)) == set(before) | {token}, "no second pending version"

        for step in ("setSecret", "setSecret", "testSecret", "testSecret", "finishSecret", "finishSecret"):
            harness.step(secret_id, token, step)
        assert database.can_login(pending["username"], pending["password"])
        stages = harness.stages(secret_id)
        assert "AWSCURRENT" in stages[token] and "AWSPREVIOUS" in stages[old_version]
        assert [v for v, s in stages.items() if "AWSCURRENT" in s] == [token]
        # a step for a version that is already AWSCURRENT changes nothing, nor does finish_secret itself
        harness.step(secret_id, token, "createSecret")
        lambda_function.finish_secret(harness.sm, secret_id, token)
        assert harness.stages(secret_id) == stages
        harness.end(secret_id, token)


def test_no_secret_value_in_logs(harness, database, admin_secret, app_secret, caplog, capsys, monkeypatch):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    errors = []
    harness.rotate(admin_secret)
    harness.rotate(app_secret)
    harness.rotate(app_secret)
    # a failing rotation too: its error messages must not hold a value either
    token = harness.start(admin_secret)
    harness.step(admin_secret, token, "createSecret")
    monkeypatch.setattr(lambda_function, "set_secret", lambda client, arn, token: None)
    harness.step(admin_secret, token, "setSecret")
    with pytest.raises(lambda_function.RotationError) as failure:
        harness.step(admin_secret, token, "testSecret")
    errors.append(str(failure.value))

    passwords = {v["password"] for secret_id in (admin_secret, app_secret) for v in harness.all_values(secret_id)}
    passwords |= set(database.passwords.values())
    assert len(passwords) == 6  # admin: initial, rotated, pending of the failed rotation; app: initial, 2 rotated
    out, err = capsys.readouterr()
    text = caplog.text + out + err + "\n".join(errors)
    records = [r for r in caplog.records if r.name == LOGGER]
    assert any("createSecret" in r.getMessage() and MASTER in r.getMessage() for r in records), "the log was captured"
    assert any(CLONE in r.getMessage() for r in records)
    for password in passwords:
        assert password not in text
    # PostgreSQL logs every statement here: new passwords never reach it in SQL (SCRAM verifiers only).
    server_log = database.server.log_file.read_text(errors="replace")
    assert "ALTER ROLE" in server_log
    for password in passwords - set(database.passwords.values()):
        assert password not in server_log


def test_bad_events_raise_before_any_change(harness, database, admin_secret):
    sm = harness.sm
    current_version = harness.version(admin_secret, "AWSCURRENT")

    # rotation not enabled: stage a pending version as if a rotation had started
    unstaged = str(uuid.uuid4())
    new_password = "not-yet-set-" + secrets.token_hex(8)
    sm.put_secret_value(
        SecretId=admin_secret, ClientRequestToken=unstaged, VersionStages=["AWSPENDING"],
        SecretString=json.dumps(dict(harness.value(admin_secret), password=new_password)),
    )
    before = harness.stages(admin_secret)
    assert sm.describe_secret(SecretId=admin_secret).get("RotationEnabled") is not True
    for step in STEPS:
        with pytest.raises(lambda_function.RotationError, match="is not enabled for rotation"):
            harness.step(admin_secret, unstaged, step)
    assert harness.stages(admin_secret) == before
    assert database.can_login(MASTER, database.passwords[MASTER])
    assert not database.can_login(MASTER, new_password)

    # rotation enabled (a rotation started), but the event's token is not staged for the secret
    token = harness.start(admin_secret)
    before = harness.stages(admin_secret)
    unknown = str(uuid.uuid4())
    for step in STEPS:
        with pytest.raises(lambda_function.RotationError, match="has no stage for rotation"):
            harness.step(admin_secret, unknown, step)
    # a version that exists with another label only
    other = str(uuid.uuid4())
    sm.put_secret_value(SecretId=admin_secret, ClientRequestToken=other, VersionStages=["MANUAL"],
                        SecretString=json.dumps(dict(harness.value(admin_secret), password=new_password)))
    before = harness.stages(admin_secret)
    for step in STEPS:
        with pytest.raises(lambda_function.RotationError, match="is not labelled AWSPENDING"):
            harness.step(admin_secret, other, step)
    assert harness.stages(admin_secret) == before
    assert harness.version(admin_secret, "AWSCURRENT") == current_version
    assert database.can_login(MASTER, database.passwords[MASTER])

    # malformed events
    with pytest.raises(lambda_function.RotationError, match="unknown step"):
        harness.step(admin_secret, token, "rotateEverything")
    with pytest.raises(lambda_function.RotationError, match="must hold SecretId, ClientRequestToken and Step"):
        lambda_function.lambda_handler({"SecretId": admin_secret, "Step": "createSecret"}, None)
    assert harness.stages(admin_secret) == before

    # a version that is already AWSCURRENT: nothing to do
    assert harness.step(admin_secret, current_version, "setSecret") is None
    assert harness.stages(admin_secret) == before


def test_bad_secret_content_is_refused(harness, database, admin_secret):
    """An unsafe user name or a non-postgres secret is refused, and the error does not echo the value."""
    sm = harness.sm
    for bad, message in (
        ({"username": 'dbadmin"; DROP ROLE app; --'}, "is not allowed"),
        ({"engine": "mysql"}, "this function rotates postgres"),
    ):
        arn = sm.create_secret(Name=f"bad-{uuid.uuid4().hex[:8]}", SecretString=json.dumps(dict(json.loads(_secret(database, MASTER)), **bad)))["ARN"]
        token = harness.start(arn)
        with pytest.raises(lambda_function.RotationError, match=message) as failure:
            harness.step(arn, token, "createSecret")
        assert database.passwords[MASTER] not in str(failure.value)
    not_json = sm.create_secret(Name="bad-json", SecretString="password=" + database.passwords[MASTER])["ARN"]
    token = harness.start(not_json)
    with pytest.raises(lambda_function.RotationError, match="is not JSON") as failure:
        harness.step(not_json, token, "createSecret")
    assert database.passwords[MASTER] not in str(failure.value)
    assert database.can_login(APP, database.passwords[APP])


def test_tls(harness, database, admin_secret, monkeypatch):
    """By default the function connects with TLS and verifies the server; RDS_CA_BUNDLE names the CA."""
    conn = database.server.admin()
    try:
        conn.run(f"GRANT tls_only TO {MASTER}")  # pg_hba.conf rejects this user without TLS
    finally:
        conn.close()
    token = harness.start(admin_secret)
    harness.step(admin_secret, token, "createSecret")
    pending = harness.value(admin_secret, "AWSPENDING")

    # without TLS the server refuses the login
    with pytest.raises(lambda_function.RotationError, match="cannot log in"):
        harness.step(admin_secret, token, "setSecret")
    # TLS is the default, and it verifies the certificate: the test CA is not in the system store
    monkeypatch.delenv("RDS_TLS")
    with pytest.raises(lambda_function.RotationError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        harness.step(admin_secret, token, "setSecret")
    # with the CA that signed the server's certificate the rotation completes over TLS
    monkeypatch.setenv("RDS_CA_BUNDLE", str(database.server.ca_file))
    for step in STEPS[1:]:
        harness.step(admin_secret, token, step)
    assert harness.version(admin_secret, "AWSCURRENT") == token
    assert database.can_login(MASTER, pending["password"], tls=True)
    assert not database.can_login(MASTER, database.passwords[MASTER], tls=True)
