#!/usr/bin/env python3
"""The embedded AWS emulator: a moto server on 127.0.0.1, started, checked, reset and stopped.

Usage::

    scripts/emulator.py start|stop|status|reset|url   [--port N] [--state-dir DIR]

* ``start`` runs ``moto_server`` (from the same venv as this Python) on 127.0.0.1, writes its
  pid to ``<state-dir>/moto-<port>.pid`` and its log to ``<state-dir>/moto-<port>.log``, and
  returns once ``/moto-api/`` answers. A server already running from the same pid file is
  reused.
* ``stop`` ends exactly the process in the pid file, and only when that process is a
  moto server (never a broad kill by name).
* ``reset`` empties the emulator (``POST /moto-api/reset``): every resource is gone.
* ``status`` exits 0 when the emulator answers, 1 otherwise; ``url`` prints the endpoint.

The port defaults to ``$MOTO_PORT`` or 5000; the state directory to ``$EMULATOR_STATE_DIR`` or
``.emulator`` at the repository root. The server is ``scripts/moto_server.py`` (moto with the
fixes listed there) run by this same Python, which must therefore have moto[server]: use
``.venv/bin/python``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0  # seconds moto may take to answer after start
STOP_TIMEOUT = 10.0  # seconds to wait after SIGTERM before SIGKILL


class EmulatorError(RuntimeError):
    """The emulator could not be started, reached or stopped; the message says why."""


def endpoint_url(port: int) -> str:
    """Return the emulator's endpoint URL, e.g. ``http://127.0.0.1:5000``."""
    return f"http://{HOST}:{port}"


def _paths(port: int, state_dir: Path) -> tuple[Path, Path]:
    return state_dir / f"moto-{port}.pid", state_dir / f"moto-{port}.log"


def is_healthy(port: int, timeout: float = 2.0) -> bool:
    """Return True when a moto server answers ``GET /moto-api/`` on 127.0.0.1:port."""
    try:
        with urllib.request.urlopen(endpoint_url(port) + "/moto-api/", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _is_our_moto(pid: int) -> bool:
    """True when pid is alive and its command line is a moto server (Linux /proc)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return "moto_server" in cmdline or "moto.server" in cmdline


def _moto_command(port: int) -> list[str]:
    """moto's server, through scripts/moto_server.py (moto plus its AWS-fidelity fixes)."""
    try:
        import moto.server  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError as exc:
        raise EmulatorError(
            f"moto[server] is not installed for {sys.executable}: run `make venv` "
            "(it installs it from requirements.txt) and use .venv/bin/python"
        ) from exc
    return [sys.executable, str(Path(__file__).resolve().parent / "moto_server.py"), "-H", HOST, "-p", str(port)]


def start(port: int, state_dir: Path) -> int:
    """Start moto on 127.0.0.1:port unless the pid file's server already answers.

    Returns the server's pid. Raises EmulatorError when the port is taken by something that
    is not our server, or when moto does not answer within START_TIMEOUT seconds.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    pid_file, log_file = _paths(port, state_dir)
    pid = _read_pid(pid_file)
    if pid and _is_our_moto(pid) and is_healthy(port):
        return pid
    if is_healthy(port):
        raise EmulatorError(
            f"port {port} already answers as a moto server that this script did not start "
            f"(no live pid in {pid_file}); stop it, or choose another port with --port / MOTO_PORT"
        )
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            _moto_command(port),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    pid_file.write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pid_file.unlink(missing_ok=True)
            raise EmulatorError(f"moto_server exited with {proc.returncode}; see {log_file}")
        if is_healthy(port):
            return proc.pid
        time.sleep(0.2)
    stop(port, state_dir)
    raise EmulatorError(f"moto_server did not answer on {endpoint_url(port)} within {START_TIMEOUT:.0f} s; see {log_file}")


def stop(port: int, state_dir: Path) -> bool:
    """Stop the server recorded in the pid file. Returns True when one was stopped.

    A stale pid file (process gone, or the pid now belongs to another program) is removed
    without touching that process.
    """
    pid_file, _ = _paths(port, state_dir)
    pid = _read_pid(pid_file)
    if pid is None:
        return False
    stopped = False
    if _is_our_moto(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and _is_our_moto(pid):
            time.sleep(0.1)
        if _is_our_moto(pid):
            os.kill(pid, signal.SIGKILL)
        stopped = True
    pid_file.unlink(missing_ok=True)
    return stopped


def reset(port: int) -> None:
    """Delete every resource in the emulator (``POST /moto-api/reset``)."""
    req = urllib.request.Request(endpoint_url(port) + "/moto-api/reset", data=b"", method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            if resp.status != 200:
                raise EmulatorError(f"reset answered HTTP {resp.status}")
    except (urllib.error.URLError, OSError) as exc:
        raise EmulatorError(f"the emulator on {endpoint_url(port)} did not answer the reset: {exc}") from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("action", choices=["start", "stop", "status", "reset", "url"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("MOTO_PORT", "5000")))
    parser.add_argument(
        "--state-dir", type=Path, default=Path(os.environ.get("EMULATOR_STATE_DIR", REPO_ROOT / ".emulator"))
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            pid = start(args.port, args.state_dir)
            print(f"emulator: moto server (pid {pid}) answers on {endpoint_url(args.port)}")
        elif args.action == "stop":
            print("emulator: stopped" if stop(args.port, args.state_dir) else "emulator: was not running")
        elif args.action == "status":
            up = is_healthy(args.port)
            print(f"emulator: {'up' if up else 'down'} on {endpoint_url(args.port)}")
            return 0 if up else 1
        elif args.action == "reset":
            reset(args.port)
            print(f"emulator: reset, {endpoint_url(args.port)} is empty")
        else:
            print(endpoint_url(args.port))
    except EmulatorError as exc:
        print(f"emulator: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
