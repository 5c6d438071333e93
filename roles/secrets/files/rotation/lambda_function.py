# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS Secrets Manager rotation function for PostgreSQL (Amazon RDS).

Secrets Manager invokes ``lambda_handler`` once per step of a rotation with the event
``{"SecretId": <arn>, "ClientRequestToken": <version id>, "Step": <step>}``; the steps are the
four of AWS's rotation templates, each safe to run again:

``createSecret``
    Stores a new version of the secret under the token, labelled AWSPENDING, with a password from
    ``GetRandomPassword``. Does nothing when that version already holds a value.
``setSecret``
    Makes the pending credentials work on the database. Does nothing when they already log in.
``testSecret``
    Logs in with the pending credentials and runs a query.
``finishSecret``
    Moves AWSCURRENT to the token's version (Secrets Manager then moves AWSPREVIOUS to the version
    that was current).

Before any step the handler checks, as AWS's templates do, that rotation is enabled for the secret
and that the token's version is labelled AWSPENDING; a token that is already AWSCURRENT means the
rotation is over, and the step returns without doing anything.

Two strategies, chosen by the secret itself:

* **single user** (a secret without ``masterarn``, e.g. ``prod/rds/admin``): the user changes its
  own password. setSecret logs in with the current password (or, when a step is retried, the
  pending or previous one) and runs ``ALTER ROLE``.
* **alternating users** (a secret with ``masterarn``, e.g. ``prod/rds/app``): each rotation
  switches between two users, ``<name>`` and ``<name>_clone``, so the user that AWSCURRENT names
  keeps working until the next rotation. setSecret logs in with the credentials of the secret
  that ``masterarn`` names (the RDS master user) and, when the other user does not exist yet,
  creates it as a member of the current user (``GRANT <current> TO <clone>``), so it holds the same
  privileges and role memberships; then it sets the other user's password. On the first rotation
  of a new secret, when the current user does not exist on the database at all, it creates that
  user too, with the secret's current password, LOGIN and no other attribute, CONNECT on the
  secret's database and USAGE and CREATE on a schema of its own name there (the application's
  migrations create their tables in it); a user that exists but does not log in with the current password is an
  error, never overwritten.

The secret is JSON in the format of RDS secrets: ``engine`` (``postgres``), ``host``, ``port``
(default 5432), ``username``, ``password``, ``dbname`` (default ``postgres``) and, for alternating
users, ``masterarn``. User names must match ``[A-Za-z_][A-Za-z0-9_]*`` (at most 63 characters)
and are quoted as identifiers as well. A password is never put into SQL: the function sends the
SCRAM-SHA-256 verifier computed from it (as ``psql``'s ``\\password`` does), so neither this
function's log nor the server's statement log can hold it. This function logs step names, secret
names, user names and version ids, never a secret value.

Environment variables (all optional):

``RDS_TLS``
    ``true`` (default): connect with TLS and verify the server's certificate and host name; no
    fallback to plain text. ``false``: no TLS (only for tests against a local PostgreSQL).
``RDS_CA_BUNDLE``
    PEM file of the certificate authorities to trust (the RDS CA bundle shipped beside this file;
    a relative path is taken from this file's folder). Default: the system trust store.
``ROTATION_STRATEGY``
    ``auto`` (default: ``masterarn`` in the secret means alternating users), ``single_user`` or
    ``alternating_users``, for a function that serves only secrets of one kind.
``SECRETS_MANAGER_ENDPOINT``
    Endpoint URL of Secrets Manager (e.g. a VPC interface endpoint). Default: boto3's.
``PASSWORD_LENGTH``
    Length of new passwords (default 32).
``EXCLUDE_CHARACTERS``
    Characters new passwords never contain (default: those that break connection strings, URLs
    or shell quoting, see ``DEFAULT_EXCLUDE_CHARACTERS``).
``CONNECT_TIMEOUT``
    Seconds to wait for the database (default 10).
``LOG_LEVEL``
    Level of this function's logger (default INFO).
"""

import base64
import json
import logging
import os
import re
import ssl

import boto3
import pg8000.native
import scramp

logger = logging.getLogger("medtech.rotation")
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

SINGLE_USER = "single_user"
ALTERNATING_USERS = "alternating_users"
CLONE_SUFFIX = "_clone"
USERNAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# Characters that break a libpq key=value string or URL (quotes, backslash, space, / @ : ; ? # [ ] % & = +)
# or shell/env interpolation ($ and the backtick).
DEFAULT_EXCLUDE_CHARACTERS = "\"'\\ /@:;?#[]%&=+$`"
DEFAULT_PASSWORD_LENGTH = 32
# SQLSTATEs of a refused login: invalid_password (wrong password or unknown user) and
# invalid_authorization_specification (e.g. the role may not log in, or pg_hba rejects it).
LOGIN_REFUSED = frozenset({"28P01", "28000"})
SCRAM_ITERATIONS = 4096
APPLICATION_NAME = "secretsmanager-rotation"


class RotationError(ValueError):
    """A rotation step cannot proceed; the message says why (and never holds a secret value)."""


def _default_service_client():
    return boto3.client("secretsmanager", endpoint_url=os.environ.get("SECRETS_MANAGER_ENDPOINT") or None)


# The Secrets Manager client the handler uses; tests replace it with one for the emulator.
service_client_factory = _default_service_client


def lambda_handler(event, context):  # pylint: disable=unused-argument
    """Run one rotation step for the secret and version named in the event."""
    steps = {
        "createSecret": create_secret,
        "setSecret": set_secret,
        "testSecret": test_secret,
        "finishSecret": finish_secret,
    }
    try:
        arn = event["SecretId"]
        token = event["ClientRequestToken"]
        step = event["Step"]
    except (KeyError, TypeError):
        raise RotationError("the event must hold SecretId, ClientRequestToken and Step") from None
    if step not in steps:
        raise RotationError(f"unknown step {step!r}: expected one of {', '.join(steps)}")

    client = service_client_factory()
    metadata = client.describe_secret(SecretId=arn)
    name = metadata.get("Name", arn)
    if not metadata.get("RotationEnabled"):
        raise RotationError(f"secret {name} is not enabled for rotation")
    versions = metadata.get("VersionIdsToStages", {})
    if token not in versions:
        raise RotationError(f"version {token} of secret {name} has no stage for rotation")
    if "AWSCURRENT" in versions[token]:
        logger.info("%s: version %s of secret %s is already AWSCURRENT; nothing to do", step, token, name)
        return
    if "AWSPENDING" not in versions[token]:
        raise RotationError(f"version {token} of secret {name} is not labelled AWSPENDING for rotation")

    logger.info("%s: secret %s, version %s", step, name, token)
    steps[step](client, arn, token)


# --- the four steps -------------------------------------------------------------------------------

def create_secret(client, arn, token):
    """Store new credentials as the AWSPENDING version ``token``, unless it already holds a value."""
    current = get_secret_dict(client, arn, "AWSCURRENT")
    try:
        get_secret_dict(client, arn, "AWSPENDING", token)
    except client.exceptions.ResourceNotFoundException:
        pass
    else:
        logger.info("createSecret: version %s already holds the pending credentials", token)
        return

    pending = dict(current)
    if strategy_for(current) == ALTERNATING_USERS:
        pending["username"] = other_username(current["username"])
    pending["password"] = new_password(client)
    client.put_secret_value(
        SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(pending), VersionStages=["AWSPENDING"]
    )
    logger.info("createSecret: stored a new password for user %s as version %s (AWSPENDING)", pending["username"], token)


def set_secret(client, arn, token):
    """Make the pending credentials work on the database."""
    current = get_secret_dict(client, arn, "AWSCURRENT")
    pending = get_secret_dict(client, arn, "AWSPENDING", token)
    for key in ("host", "port", "dbname"):
        if _endpoint(current)[key] != _endpoint(pending)[key]:
            raise RotationError(f"setSecret: the pending version {token} names another database {key} than AWSCURRENT")

    conn = login(pending)
    if conn is not None:
        conn.close()
        logger.info("setSecret: user %s already logs in with the pending password", pending["username"])
        return

    if strategy_for(current) == SINGLE_USER:
        _set_single_user(client, arn, current, pending)
    else:
        _set_alternating_users(client, current, pending)


def test_secret(client, arn, token):
    """Log in with the pending credentials and run a query."""
    pending = get_secret_dict(client, arn, "AWSPENDING", token)
    conn = login(pending)
    if conn is None:
        raise RotationError(f"testSecret: user {pending['username']} cannot log in with the pending password of version {token}")
    try:
        conn.run("SELECT current_user, now()")
    finally:
        conn.close()
    logger.info("testSecret: user %s logs in with the pending password", pending["username"])


def finish_secret(client, arn, token):
    """Move AWSCURRENT to the version ``token``."""
    metadata = client.describe_secret(SecretId=arn)
    current_version = None
    for version, stages in metadata.get("VersionIdsToStages", {}).items():
        if "AWSCURRENT" in stages:
            if version == token:
                logger.info("finishSecret: version %s is already AWSCURRENT", token)
                return
            current_version = version
            break
    client.update_secret_version_stage(
        SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current_version
    )
    logger.info("finishSecret: AWSCURRENT moved from version %s to version %s", current_version, token)


# --- strategies -----------------------------------------------------------------------------------

def strategy_for(secret):
    """``single_user`` or ``alternating_users`` for this secret (see ROTATION_STRATEGY)."""
    wanted = os.environ.get("ROTATION_STRATEGY", "auto").strip().lower() or "auto"
    if wanted == "auto":
        return ALTERNATING_USERS if secret.get("masterarn") else SINGLE_USER
    if wanted == SINGLE_USER:
        return SINGLE_USER
    if wanted == ALTERNATING_USERS:
        if not secret.get("masterarn"):
            raise RotationError("ROTATION_STRATEGY is alternating_users but the secret has no masterarn")
        return ALTERNATING_USERS
    raise RotationError(f"ROTATION_STRATEGY must be auto, {SINGLE_USER} or {ALTERNATING_USERS}, not {wanted!r}")


def other_username(username):
    """The user an alternating rotation switches to: ``app`` <-> ``app_clone``."""
    if username.endswith(CLONE_SUFFIX):
        other = username[: -len(CLONE_SUFFIX)]
    else:
        other = username + CLONE_SUFFIX
    return check_username(other)


def _set_single_user(client, arn, current, pending):
    if pending["username"] != current["username"]:
        raise RotationError(
            f"setSecret: single-user rotation, but the pending user {pending['username']} is not the current user {current['username']}"
        )
    conn = login(current)
    if conn is None:
        # A retried rotation may find the database still on the previous password.
        previous = _previous_secret_dict(client, arn)
        if previous is not None and previous["username"] == current["username"] and _endpoint(previous) == _endpoint(current):
            conn = login(previous)
    if conn is None:
        raise RotationError(
            f"setSecret: user {current['username']} cannot log in with the pending, current or previous password"
        )
    try:
        _run_in_transaction(conn, [f"ALTER ROLE {_ident(pending['username'])} WITH PASSWORD {_password_sql(pending['password'])}"])
    finally:
        conn.close()
    logger.info("setSecret: set the pending password of user %s", pending["username"])


def _set_alternating_users(client, current, pending):
    if pending["username"] != other_username(current["username"]):
        raise RotationError(
            f"setSecret: alternating rotation, but the pending user {pending['username']} is not the other user of {current['username']}"
        )
    # Nothing is changed unless the credentials in use work, or their user does not exist yet
    # (the first rotation creates it, see the module docstring).
    conn = login(current)
    first_rotation = conn is None
    if conn is not None:
        conn.close()

    master = get_secret_dict(client, current["masterarn"], "AWSCURRENT")
    master["dbname"] = _endpoint(current)["dbname"]
    if (master["host"], _endpoint(master)["port"]) != (current["host"], _endpoint(current)["port"]):
        raise RotationError("setSecret: the master secret (masterarn) names another database host or port than the secret")
    conn = login(master)
    if conn is None:
        raise RotationError(f"setSecret: master user {master['username']} cannot log in with its current password")

    clone, original = _ident(pending["username"]), _ident(current["username"])
    password = _password_sql(pending["password"])
    try:
        statements = []
        if first_rotation:
            if _role_exists(conn, current["username"]):
                raise RotationError(f"setSecret: user {current['username']} cannot log in with the current password")
            # The application user of the secret's first value: LOGIN and nothing else (not a
            # superuser, cannot create roles or databases), may connect to its database and use
            # and create in a schema of its name there, where its migrations create the
            # application's tables (which it then owns). The schema belongs to the master user:
            # RDS's master is not a member of the roles it creates, so it cannot give them one.
            dbname = _ident(_endpoint(current)["dbname"])
            statements += [
                f"CREATE ROLE {original} WITH LOGIN PASSWORD {_password_sql(current['password'])}",
                f"GRANT CONNECT ON DATABASE {dbname} TO {original}",
                f"CREATE SCHEMA IF NOT EXISTS {original}",
                f"GRANT USAGE, CREATE ON SCHEMA {original} TO {original}",
            ]
        exists = _role_exists(conn, pending["username"])
        if exists:
            statements.append(f"ALTER ROLE {clone} WITH LOGIN PASSWORD {password}")
        else:
            # Membership in the current user gives the new user the same privileges and role
            # memberships (PostgreSQL roles INHERIT by default), now and after later GRANTs.
            statements += [f"CREATE ROLE {clone} WITH LOGIN PASSWORD {password}", f"GRANT {original} TO {clone}"]
        _run_in_transaction(conn, statements)
    finally:
        conn.close()
    if first_rotation:
        logger.info("setSecret: created user %s, the secret's first user, with its current password", current["username"])
    if exists:
        logger.info("setSecret: set the pending password of user %s", pending["username"])
    else:
        logger.info("setSecret: created user %s as a member of %s", pending["username"], current["username"])


def _role_exists(conn, username):
    return bool(conn.run("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :name", name=username))


# --- Secrets Manager ------------------------------------------------------------------------------

def get_secret_dict(client, secret_id, stage, token=None):
    """The secret's version (by stage, and version id when given) as a checked dict."""
    kwargs = {"SecretId": secret_id, "VersionStage": stage}
    if token:
        kwargs["VersionId"] = token
    value = client.get_secret_value(**kwargs)
    what = f"{stage} version of secret {value.get('Name', secret_id)}"
    return parse_secret(value.get("SecretString"), what)


def _previous_secret_dict(client, arn):
    try:
        return get_secret_dict(client, arn, "AWSPREVIOUS")
    except client.exceptions.ResourceNotFoundException:
        return None


def parse_secret(text, what="secret"):
    """Parse and check a secret in the RDS format; errors name the problem, never a value."""
    try:
        secret = json.loads(text or "")
    except ValueError:
        raise RotationError(f"the {what} is not JSON") from None
    if not isinstance(secret, dict):
        raise RotationError(f"the {what} is not a JSON object")
    missing = [key for key in ("engine", "host", "username", "password") if not secret.get(key)]
    if missing:
        raise RotationError(f"the {what} lacks {', '.join(missing)}")
    if secret["engine"] != "postgres":
        raise RotationError(f"the {what} is for engine {secret['engine']!r}; this function rotates postgres")
    check_username(secret["username"])
    _endpoint(secret)
    return secret


def check_username(username):
    """Return the user name when it matches USERNAME_RE; raise otherwise."""
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise RotationError(
            f"user name {username!r} is not allowed: it must match {USERNAME_RE.pattern} (letters, digits and _, at most 63)"
        )
    return username


def new_password(client):
    """A new password from Secrets Manager's GetRandomPassword."""
    try:
        length = int(os.environ.get("PASSWORD_LENGTH", DEFAULT_PASSWORD_LENGTH))
    except ValueError:
        raise RotationError("PASSWORD_LENGTH must be a whole number") from None
    exclude = os.environ.get("EXCLUDE_CHARACTERS", DEFAULT_EXCLUDE_CHARACTERS)
    result = client.get_random_password(PasswordLength=length, ExcludeCharacters=exclude, RequireEachIncludedType=True)
    return result["RandomPassword"]


# --- PostgreSQL -----------------------------------------------------------------------------------

def _endpoint(secret):
    try:
        port = int(secret.get("port") or 5432)
    except (TypeError, ValueError):
        raise RotationError("the secret's port is not a number") from None
    return {"host": secret["host"], "port": port, "dbname": secret.get("dbname") or "postgres"}


def ssl_context():
    """The TLS context for connections (None when RDS_TLS is false)."""
    if os.environ.get("RDS_TLS", "true").strip().lower() in ("false", "0", "no", "off"):
        return None
    cafile = os.environ.get("RDS_CA_BUNDLE") or None
    if cafile and not os.path.isabs(cafile):
        cafile = os.path.join(os.path.dirname(os.path.abspath(__file__)), cafile)
    context = ssl.create_default_context(cafile=cafile)
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def connect(secret):
    """Open a connection with the secret's credentials (raises pg8000/ssl/OS errors).

    The one place that talks to the database driver, so tests can wrap it.
    """
    endpoint = _endpoint(secret)
    context = ssl_context()
    try:
        timeout = float(os.environ.get("CONNECT_TIMEOUT", "10"))
    except ValueError:
        raise RotationError("CONNECT_TIMEOUT must be a number of seconds") from None
    return pg8000.native.Connection(
        user=secret["username"],
        password=secret["password"],
        host=endpoint["host"],
        port=endpoint["port"],
        database=endpoint["dbname"],
        # False, not None: pg8000 treats None as "try TLS unverified, then fall back to plain text".
        ssl_context=context if context is not None else False,
        timeout=timeout,
        application_name=APPLICATION_NAME,
    )


def login(secret):
    """A connection when the credentials log in; None when the server refuses them.

    Any other failure (network, TLS, a missing database) raises RotationError.
    """
    endpoint = _endpoint(secret)
    where = f"{endpoint['host']}:{endpoint['port']}/{endpoint['dbname']} as {secret['username']}"
    try:
        return connect(secret)
    except pg8000.native.DatabaseError as exc:
        code = _sqlstate(exc)
        if code in LOGIN_REFUSED:
            logger.info("login to %s refused (SQLSTATE %s)", where, code)
            return None
        raise RotationError(f"cannot connect to {where}: SQLSTATE {code}") from exc
    except (pg8000.native.InterfaceError, ssl.SSLError, OSError) as exc:
        raise RotationError(f"cannot connect to {where}: {exc}") from exc


def _sqlstate(exc):
    details = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    return details.get("C")


def _ident(username):
    return pg8000.native.identifier(check_username(username))


def _password_sql(password):
    """The SQL literal of the SCRAM-SHA-256 verifier of ``password`` (the password itself is never sent)."""
    salt, stored_key, server_key, iterations = scramp.ScramMechanism("SCRAM-SHA-256").make_auth_info(
        password, iteration_count=SCRAM_ITERATIONS
    )

    def b64(data):
        return base64.b64encode(data).decode("ascii")

    return pg8000.native.literal(f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}")


def _run_in_transaction(conn, statements):
    conn.run("START TRANSACTION")
    try:
        for statement in statements:
            conn.run(statement)
    except Exception:
        conn.run("ROLLBACK")
        raise
    conn.run("COMMIT")
