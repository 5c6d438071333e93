# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The PgBouncer sidecar's configuration, rendered from the pool settings (no AWS call).

``render_pgbouncer`` turns one settings dict into two equivalent forms:

* the container ``environment`` (and ``secrets``) for the image ``edoburu/pgbouncer``, whose
  entrypoint writes ``/etc/pgbouncer/pgbouncer.ini`` and ``userlist.txt`` from environment
  variables (``DB_HOST``, ``DB_PORT``, ``DB_NAME``, ``DB_USER``, ``DB_PASSWORD``, ``LISTEN_ADDR``,
  ``LISTEN_PORT``, ``AUTH_TYPE``, ``POOL_MODE``, ``MAX_CLIENT_CONN``, ``DEFAULT_POOL_SIZE``,
  ``SERVER_TLS_SSLMODE``, ``SERVER_TLS_CA_FILE``, ``IGNORE_STARTUP_PARAMETERS``); the image also
  ships ``pg_isready``, which the container health check runs;
* the ``pgbouncer.ini`` text with the same settings (and a ``userlist.txt`` when credentials are
  given), which the tests run through a real pgbouncer.

``pgbouncer_errors`` validates the settings first; each message names the setting and the fix.
"""

POOL_MODES = ("session", "transaction", "statement")
# PgBouncer's server_tls_sslmode values that encrypt; RDS with rds.force_ssl=1 refuses the others.
TLS_MODES = ("require", "verify-ca", "verify-full")
AUTH_TYPES = ("scram-sha-256", "md5", "plain")
DEFAULTS = {
    "pool_mode": "transaction",
    "max_client_conn": 100,
    "default_pool_size": 20,
    "listen_addr": "127.0.0.1",
    "listen_port": 6432,
    "server_port": 5432,
    "server_tls_sslmode": None,  # require, or verify-full with a CA file
    "server_tls_ca_file": None,
    "auth_type": "scram-sha-256",
    "auth_file": "/etc/pgbouncer/userlist.txt",
    "ignore_startup_parameters": "extra_float_digits",
    "credentials_secret_arn": None,
    "username_key": "username",
    "password_key": "password",
    "host_key": None,
    "userlist": None,
    "admin_users": None,
}
_POSITIVE = ("max_client_conn", "default_pool_size")
_PORTS = ("listen_port", "server_port")


def _settings(settings):
    merged = dict(DEFAULTS)
    merged.update({key: value for key, value in (settings or {}).items() if value is not None})
    return merged


def _as_int(value):
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def tls_mode(settings):
    """The server_tls_sslmode in effect: the one given, else verify-full with a CA file, else require."""
    merged = _settings(settings)
    if merged["server_tls_sslmode"]:
        return merged["server_tls_sslmode"]
    return "verify-full" if merged["server_tls_ca_file"] else "require"


def pgbouncer_errors(settings, prefix="pgbouncer"):
    """Validate the pool settings.

    :param settings: the dict ``render_pgbouncer`` takes (keys of ``DEFAULTS`` plus ``server_host``
        and ``dbname``; None means the default).
    :param prefix: how the settings are named in messages, e.g. ``pgbouncer`` for the module
        option, so a message reads ``pgbouncer.pool_mode``.
    :return: a list of messages, empty when the settings are valid. No AWS call.
    """
    merged = _settings(settings)
    errors = []
    if merged["pool_mode"] not in POOL_MODES:
        errors.append(
            f"{prefix}.pool_mode is {merged['pool_mode']!r}: use one of {', '.join(POOL_MODES)} "
            "(the platform uses transaction)"
        )
    numbers = {}
    for key in _POSITIVE:
        number = _as_int(merged[key])
        if number is None or number <= 0:
            errors.append(f"{prefix}.{key} is {merged[key]!r}: set a whole number greater than 0")
        else:
            numbers[key] = number
    if len(numbers) == 2 and numbers["default_pool_size"] > numbers["max_client_conn"]:
        errors.append(
            f"{prefix}.default_pool_size ({numbers['default_pool_size']}) is larger than "
            f"{prefix}.max_client_conn ({numbers['max_client_conn']}): a pool cannot use more server "
            "connections than there are clients; lower default_pool_size or raise max_client_conn"
        )
    for key in _PORTS:
        port = _as_int(merged[key])
        if port is None or not 1 <= port <= 65535:
            errors.append(f"{prefix}.{key} is {merged[key]!r}: set a TCP port from 1 to 65535")
    if not merged.get("dbname"):
        errors.append(f"{prefix}.dbname is missing: set it (the database name)")
    if merged.get("server_host") and merged.get("host_key"):
        errors.append(f"{prefix}.server_host and {prefix}.host_key are both set: give the address or the secret's key, not both")
    elif not merged.get("server_host") and not (merged.get("host_key") and merged.get("credentials_secret_arn")):
        errors.append(
            f"{prefix}.server_host is missing: set the RDS endpoint address, or {prefix}.host_key (with "
            f"{prefix}.credentials_secret_arn) to read it from the secret"
        )
    mode = tls_mode(merged)
    if mode not in TLS_MODES:
        errors.append(
            f"{prefix}.server_tls_sslmode is {mode!r}: the database forces TLS (rds.force_ssl=1); use "
            f"{' or '.join(TLS_MODES)}"
        )
    elif mode in ("verify-ca", "verify-full") and not merged["server_tls_ca_file"]:
        errors.append(
            f"{prefix}.server_tls_sslmode={mode} needs {prefix}.server_tls_ca_file (the RDS CA bundle's path "
            "inside the container); set it, or use server_tls_sslmode=require"
        )
    if merged["auth_type"] not in AUTH_TYPES:
        errors.append(f"{prefix}.auth_type is {merged['auth_type']!r}: use one of {', '.join(AUTH_TYPES)}")
    for key in ("server_host", "dbname", "listen_addr", "auth_file", "server_tls_ca_file"):
        value = merged.get(key)
        if value is not None and any(char in str(value) for char in " \n\r\t='\""):
            errors.append(f"{prefix}.{key} is {value!r}: remove spaces, quotes, '=' and line breaks")
    return errors


def _userlist(userlist):
    lines = []
    for user, password in sorted(userlist.items()):
        lines.append('"{0}" "{1}"'.format(user.replace('"', '""'), str(password).replace('"', '""')))
    return "\n".join(lines) + "\n"


def render_pgbouncer(settings):
    """Render the PgBouncer configuration for the sidecar image and as ``pgbouncer.ini``.

    :param settings: dict; ``dbname`` and ``server_host`` (or ``host_key``) are required, every other key of
        ``DEFAULTS`` is optional (None means the default): ``pool_mode``, ``max_client_conn``,
        ``default_pool_size``, ``listen_addr``, ``listen_port``, ``server_port``,
        ``server_tls_sslmode`` (default ``require``, ``verify-full`` when ``server_tls_ca_file``
        is set), ``server_tls_ca_file``, ``auth_type``, ``auth_file``,
        ``ignore_startup_parameters``, ``credentials_secret_arn`` with ``username_key`` and
        ``password_key`` (the JSON keys of the Secrets Manager secret), ``host_key`` (instead of
        ``server_host``: the JSON key of the database address in the same secret; ECS sets
        ``DB_HOST`` from it and the ``ini`` shows ``${DB_HOST}``), ``userlist`` (a dict
        ``{user: password}``, only for a ``userlist.txt`` a test writes) and ``admin_users``
        (list of user names for the admin console).
        Call ``pgbouncer_errors`` first; this function assumes valid settings.
    :return: dict with
        ``environment`` - list of ``{"name", "value"}`` for the container, sorted by name, never a
        credential;
        ``secrets`` - list of ``{"name", "valueFrom"}``: ``DB_USER`` and ``DB_PASSWORD`` (and
        ``DB_HOST`` with ``host_key``) read by ECS from ``<credentials_secret_arn>:<key>::``
        (empty without a secret ARN);
        ``ini`` - the equivalent ``pgbouncer.ini`` text;
        ``userlist`` - ``userlist.txt`` text, or None without ``userlist``;
        ``health_check_command`` - the ECS ``healthCheck.command`` (``pg_isready`` on the
        listen port, which answers once PgBouncer accepts connections).
    :raises: nothing. No AWS call.
    """
    merged = _settings(settings)
    mode = tls_mode(merged)
    listen_port = int(merged["listen_port"])
    from_secret = bool(not merged.get("server_host") and merged["host_key"] and merged["credentials_secret_arn"])
    values = {
        # Read by ECS from the secret's host key when no address is given (see ``secrets``).
        "DB_HOST": merged.get("server_host") or "${DB_HOST}",
        "DB_PORT": int(merged["server_port"]),
        "DB_NAME": merged["dbname"],
        "LISTEN_ADDR": merged["listen_addr"],
        "LISTEN_PORT": listen_port,
        "AUTH_TYPE": merged["auth_type"],
        "AUTH_FILE": merged["auth_file"],
        "POOL_MODE": merged["pool_mode"],
        "MAX_CLIENT_CONN": int(merged["max_client_conn"]),
        "DEFAULT_POOL_SIZE": int(merged["default_pool_size"]),
        "SERVER_TLS_SSLMODE": mode,
        "IGNORE_STARTUP_PARAMETERS": merged["ignore_startup_parameters"],
    }
    if merged["server_tls_ca_file"]:
        values["SERVER_TLS_CA_FILE"] = merged["server_tls_ca_file"]
    if merged["admin_users"]:
        values["ADMIN_USERS"] = ",".join(merged["admin_users"])
    environment = [
        {"name": name, "value": str(value)}
        for name, value in sorted(values.items())
        if not (from_secret and name == "DB_HOST")
    ]

    secrets = []
    arn = merged["credentials_secret_arn"]
    if arn:
        secrets = [
            {"name": "DB_PASSWORD", "valueFrom": f"{arn}:{merged['password_key']}::"},
            {"name": "DB_USER", "valueFrom": f"{arn}:{merged['username_key']}::"},
        ]
        if from_secret:
            secrets.insert(0, {"name": "DB_HOST", "valueFrom": f"{arn}:{merged['host_key']}::"})

    lines = [
        "[databases]",
        f"{values['DB_NAME']} = host={values['DB_HOST']} port={values['DB_PORT']} dbname={values['DB_NAME']}",
        "",
        "[pgbouncer]",
        f"listen_addr = {values['LISTEN_ADDR']}",
        f"listen_port = {listen_port}",
        f"auth_type = {values['AUTH_TYPE']}",
        f"auth_file = {values['AUTH_FILE']}",
        f"pool_mode = {values['POOL_MODE']}",
        f"max_client_conn = {values['MAX_CLIENT_CONN']}",
        f"default_pool_size = {values['DEFAULT_POOL_SIZE']}",
        f"ignore_startup_parameters = {values['IGNORE_STARTUP_PARAMETERS']}",
        f"server_tls_sslmode = {mode}",
    ]
    if merged["server_tls_ca_file"]:
        lines.append(f"server_tls_ca_file = {merged['server_tls_ca_file']}")
    if merged["admin_users"]:
        lines.append(f"admin_users = {values['ADMIN_USERS']}")

    return {
        "environment": environment,
        "secrets": secrets,
        "ini": "\n".join(lines) + "\n",
        "userlist": _userlist(merged["userlist"]) if merged["userlist"] else None,
        "health_check_command": ["CMD-SHELL", f"pg_isready -h 127.0.0.1 -p {listen_port} -q || exit 1"],
    }
