"""Shared fixtures: the embedded emulator and a way to run ansible-playbook against it.

The emulator is a moto server on a free loopback port, started once per test session by
``scripts/emulator.py`` (its own state directory under pytest's tmp dir, so it never touches
the one ``make demo`` runs on port 5000) and stopped at the end.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

_spec = importlib.util.spec_from_file_location("emulator", REPO_ROOT / "scripts" / "emulator.py")
emulator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(emulator)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Emulator:
    """A running moto server: its port and endpoint URL, and a way to empty it."""

    port: int
    url: str

    def reset(self) -> None:
        """Delete every resource in the emulator."""
        emulator.reset(self.port)

    def client(self, service: str, region: str = "eu-central-1"):
        """A boto3 client for ``service`` that talks to the emulator."""
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Make ``--dist loadgroup`` keep each ``xdist_group(name)`` on one worker, in file order.

    pytest-xdist 3.8 groups tests by adding ``@name`` to their node ids in the worker, through
    ``item._nodeid``, which pytest 9.2 no longer reads (``Node.nodeid`` is ``str(item._id)``): the
    groups were spread over the workers, so a module fixture (test_dr's molecule scenario, the
    converged platform of test_site_network) was built on several workers at once and the tests
    after it ran out of order. This sets the suffix through pytest's own node id (nothing to do
    once xdist's own suffix is there), then puts the slowest groups first (SLOWEST_GROUPS).
    Without loadgroup it does nothing.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id  # pylint: disable=import-outside-toplevel

    for item in items:
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        if names and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")  # pylint: disable=protected-access
    items.sort(key=_schedule_rank)


# The groups that take longest (one worker runs each, its tests in order), longest first. With
# `--no-loadscope-reorder` (make pytest) xdist hands out work in collection order, each worker
# taking the next group or test when it has at most two tests left: the longest groups start at
# once, on different workers, and the short tests fill the gaps. (xdist's default order, by the
# number of tests in a group, started the whole-platform group "site" last.)
SLOWEST_GROUPS = ["site", "dr", "pipeline", "ecs_alb", "monitoring", "rds", "ecs", "postgres"]


def _schedule_rank(item) -> int:
    """Sort key: the slow groups in SLOWEST_GROUPS order, then molecule scenarios, then the other
    integration tests, then unit tests (the sort is stable: a group keeps its file order)."""
    group = item.nodeid.rsplit("@", 1)[1] if "@" in item.nodeid else None
    if group in SLOWEST_GROUPS:
        return SLOWEST_GROUPS.index(group)
    if item.get_closest_marker("molecule"):
        return len(SLOWEST_GROUPS)
    if "/integration/" in str(item.path):
        return len(SLOWEST_GROUPS) + 1
    return len(SLOWEST_GROUPS) + 2


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory) -> Emulator:
    """A moto server for the whole session, on a free port of 127.0.0.1."""
    port = _free_port()
    state_dir = tmp_path_factory.mktemp("emulator")
    emulator.start(port, state_dir)
    try:
        yield Emulator(port=port, url=emulator.endpoint_url(port))
    finally:
        emulator.stop(port, state_dir)


@pytest.fixture()
def aws(moto_server) -> Emulator:
    """The session's emulator, emptied before the test."""
    moto_server.reset()
    return moto_server


def flat(result) -> str:
    """A run's output with line wrapping undone (the yaml callback folds long messages), for
    asserting that a message is in it."""
    return " ".join(result.output.split())


@dataclass
class PlaybookResult:
    """What one ansible-playbook run printed and returned."""

    rc: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def recap(self) -> dict:
        """The PLAY RECAP counters for localhost, e.g. {'ok': 12, 'changed': 0, 'failed': 0, ...}."""
        for line in self.stdout.splitlines():
            if line.startswith("localhost") and "ok=" in line:
                return {k: int(v) for k, v in (p.split("=") for p in line.split(":", 1)[1].split())}
        raise AssertionError(f"no PLAY RECAP in output:\n{self.output[-3000:]}")


# Ansible's strategy for every playbook the tests run: Mitogen's (persistent interpreters, about
# half the CPU of Ansible's own per task) unless STRATEGY=linear (`make test STRATEGY=linear`).
STRATEGY = os.environ.get("STRATEGY", "mitogen_linear")


def strategy_env() -> dict:
    """ANSIBLE_STRATEGY and, for Mitogen's, ANSIBLE_STRATEGY_PLUGINS (the venv's ansible_mitogen)."""
    if not STRATEGY.startswith("mitogen"):
        return {"ANSIBLE_STRATEGY": STRATEGY}
    import ansible_mitogen  # pylint: disable=import-outside-toplevel

    return {
        "ANSIBLE_STRATEGY": STRATEGY,
        "ANSIBLE_STRATEGY_PLUGINS": str(Path(ansible_mitogen.__file__).parent / "plugins" / "strategy"),
    }


def ansible_env(endpoint_url: str | None, extra: dict | None = None) -> dict:
    """The environment for ansible-playbook: repo ansible.cfg, venv first on PATH, emulator endpoint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_"))}
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_NOCOWS="1",
        ANSIBLE_HOME=str(REPO_ROOT / ".emulator" / "ansible-home"),
        **strategy_env(),
    )
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    env.update(extra or {})
    return env


def playbook_runner(emulator_url: str, strategy: str | None = None):
    """A function that runs ``ansible-playbook PLAYBOOK -i inventories/local`` against ``emulator_url``.

    The function is called as ``run("playbooks/site.yml", "--check", extra_vars={...}, env={...})``
    and returns a PlaybookResult (it never raises on a failed play: tests assert on rc). Module-scoped
    fixtures that build a state once for several tests use it directly. ``strategy`` overrides
    STRATEGY (see run_short_playbook).
    """
    fixed = {"ANSIBLE_STRATEGY": strategy} if strategy else {}

    def _run(playbook: str, *args: str, extra_vars: dict | None = None, env: dict | None = None,
             inventory: str = "inventories/local", timeout: int = 1200) -> PlaybookResult:
        cmd = [str(VENV_BIN / "ansible-playbook"), playbook, "-i", inventory, *args]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        proc = subprocess.run(
            cmd, cwd=REPO_ROOT, env=ansible_env(emulator_url, {**fixed, **(env or {})}), capture_output=True,
            text=True, timeout=timeout, check=False,
        )
        return PlaybookResult(proc.returncode, proc.stdout, proc.stderr)

    return _run


def run_molecule(emulator_url: str, scenario: str, command: str = "test", env: dict | None = None,
                 timeout: int = 2400) -> str:
    """Run ``molecule COMMAND -s SCENARIO`` against ``emulator_url`` and return its output.

    ``command="test"`` first runs ``molecule reset -s SCENARIO``: molecule keeps a scenario's state
    (prepared, converged) between runs and would skip a prepare it did on an earlier, emptied
    emulator. ``env`` adds variables (e.g. ANSIBLE_VERBOSITY) for every step. Fails the calling
    test with the first ``fatal:`` of the output when molecule ends non-zero (any step failed,
    idempotence included). A test file whose module fixture runs its scenario's ``molecule test``
    this way uses what the scenario built, instead of preparing the same layers again
    (tests/integration/test_molecule.py lists these files).
    """
    run_env = ansible_env(emulator_url, env)
    run_env.pop("ANSIBLE_CONFIG")  # molecule writes its own ansible.cfg for the scenario
    if command == "test":
        subprocess.run([str(VENV_BIN / "molecule"), "reset", "-s", scenario], cwd=REPO_ROOT, env=run_env,
                       capture_output=True, text=True, timeout=300, check=True)
    proc = subprocess.run([str(VENV_BIN / "molecule"), command, "-s", scenario], cwd=REPO_ROOT, env=run_env,
                          capture_output=True, text=True, timeout=timeout, check=False)
    output = proc.stdout + proc.stderr
    failure = output.find("fatal:")
    assert proc.returncode == 0, (output[max(failure - 2000, 0):failure + 4000] if failure >= 0 else "") + output[-4000:]
    return output


@pytest.fixture()
def run_playbook(moto_server):
    """Run ``ansible-playbook PLAYBOOK -i inventories/local`` against the session emulator (see playbook_runner)."""
    return playbook_runner(moto_server.url)


@pytest.fixture()
def run_short_playbook(moto_server):
    """run_playbook with Ansible's own ``linear`` strategy, for runs that a bad input or a safety check
    ends within a few tasks. Mitogen's start-up costs more than it saves there (measured here: site.yml
    refused by its first validation in 15 s with mitogen_linear, 3 s with linear); the checks that
    end these runs are the same under either strategy."""
    return playbook_runner(moto_server.url, strategy="linear")


def module_runner(emulator_url: str, work_dir: Path):  # pylint: disable=unused-argument
    """A function that runs one of our modules against ``emulator_url``, in this process, as
    Ansible runs it on a host: its ``main()`` with the arguments, ``--diff`` on, optionally
    ``--check``, and its result read from the JSON it prints.

    The function is called as ``run("medtech.aws_platform.ec2_vpc_flow_log", {...}, check=False)``
    and returns the host's result dict as ``ansible localhost -m MODULE -a '<json>' --diff`` would
    show it: the module's own keys, ``changed`` (False when the module did not say), ``failed``
    on a failure, ``warnings`` as text. Module-scoped fixtures that build a state once for several
    tests use it directly; ``work_dir`` is kept for them and not used.

    In-process rather than through ``ansible``: one call is ~0.2 s instead of 4-9 s (start-up of
    Ansible and of the module's own Python), and these files make about 400 calls. The Ansible
    executor around our modules (AnsiballZ packaging, the collection loader, module_defaults) is
    what every role and playbook test runs, and ansible-test sanity imports each module as
    AnsiballZ would.
    """
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "eu-central-1",
        "AWS_ENDPOINT_URL": emulator_url,
    }

    def _run(module: str, args: dict, check: bool = False) -> dict:
        import contextlib  # pylint: disable=import-outside-toplevel
        import importlib  # pylint: disable=import-outside-toplevel
        import io  # pylint: disable=import-outside-toplevel
        from unittest import mock  # pylint: disable=import-outside-toplevel

        from ansible.module_utils import _internal  # pylint: disable=import-outside-toplevel
        from ansible.module_utils.common import warnings  # pylint: disable=import-outside-toplevel
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel

        namespace, collection, name = module.split(".")
        code = importlib.import_module(f"ansible_collections.{namespace}.{collection}.plugins.modules.{name}")
        module_args = dict(args, _ansible_check_mode=check, _ansible_diff=True)
        stdout = io.StringIO()
        saved = (dict(warnings._global_warnings), dict(warnings._global_deprecations))  # pylint: disable=protected-access
        warnings._global_warnings.clear()  # pylint: disable=protected-access
        warnings._global_deprecations.clear()  # pylint: disable=protected-access
        try:
            # as on a host: once anything in this process imported Ansible's controller side (a
            # filter's unit test, ansible-runner), module warnings would go to its display instead
            # of into the result
            with patch_module_args(module_args), mock.patch.dict(os.environ), contextlib.redirect_stdout(stdout), \
                    mock.patch.object(_internal, "is_controller", False):
                # as ansible_env does for a playbook: no AWS setting of this shell reaches the module
                for key in [key for key in os.environ if key.startswith(("AWS_", "EC2_", "BOTO_"))]:
                    del os.environ[key]
                os.environ.update(env)
                try:
                    code.main()
                except SystemExit:
                    pass
            messages = warnings.get_warning_messages()
        finally:
            warnings._global_warnings.clear()  # pylint: disable=protected-access
            warnings._global_deprecations.clear()  # pylint: disable=protected-access
            warnings._global_warnings.update(saved[0])  # pylint: disable=protected-access
            warnings._global_deprecations.update(saved[1])  # pylint: disable=protected-access
        try:
            result = json.loads(stdout.getvalue())
        except ValueError as exc:
            raise AssertionError(f"{module} printed no result:\n{stdout.getvalue()[-3000:]}") from exc
        result.setdefault("changed", False)
        result.pop("warnings", None)
        result.pop("deprecations", None)
        if messages:
            result["warnings"] = list(messages)
        return result

    return _run


@pytest.fixture()
def ansible_module(aws, tmp_path):
    """Run one module against the emulator, emptied before the test (see module_runner)."""
    return module_runner(aws.url, tmp_path)


# ---- AWX: the job templates of playbooks/awx_configure.yml, run through ansible-runner -----------

AWX_CONFIGURE = REPO_ROOT / "playbooks" / "awx_configure.yml"


def awx_configure_vars() -> dict:
    """The play vars of playbooks/awx_configure.yml (YAML anchors resolved)."""
    import yaml  # pylint: disable=import-outside-toplevel

    return yaml.safe_load(AWX_CONFIGURE.read_text())[0]["vars"]


def awx_job_templates() -> list[dict]:
    """Each job template awx_configure.yml declares, as
    ``{name, playbook, job_type ('run'|'check'), diff_mode, extra_vars, survey}`` where survey maps
    each variable to ``{type, default, choices, required, min, max}`` (absent keys: None)."""
    templates = []
    for item in awx_configure_vars()["awx_job_templates"]:
        survey = {
            q["variable"]: {key: q.get(key) for key in ("type", "default", "choices", "required", "min", "max")}
            for q in item.get("survey", [])
        }
        templates.append({
            "name": item["name"],
            "playbook": item["playbook"],
            "job_type": item.get("job_type", "run"),
            "diff_mode": bool(item.get("diff_mode", False)),
            "extra_vars": dict(item.get("extra_vars", {})),
            "survey": survey,
        })
    return templates


@dataclass
class JobResult:
    """What an ansible-runner run of a job template ended with."""

    status: str
    rc: int
    stdout: str
    # what the playbook's set_stats left (AWX shows it as the job's artifacts)
    artifacts: dict

    @property
    def flat(self) -> str:
        """stdout with line wrapping undone, for asserting that a message is in it."""
        return " ".join(self.stdout.split())


def run_job_template(name: str, answers: dict, emulator_url: str, private_data_dir: Path,
                     timeout: int = 1200, verbosity: int = 0, inventory_vars: dict | None = None,
                     strategy: str | None = None) -> JobResult:
    """Run job template ``name`` of awx_configure.yml as AWX would: ansible-runner, the repo as the
    project, inventories/local, extra vars = the template's extra_vars + its survey's defaults +
    ``answers`` (AWX passes survey answers as extra vars), --check for a check job and --diff where
    the template sets diff mode, the environment of ansible_env(emulator_url).

    ``verbosity`` is the job template's verbosity (0-4, like -v..-vvvv); ``inventory_vars`` are
    variables a real AWX inventory would hold (e.g. the tests' report directory): they go in as
    extra vars below the template's own and the answers. ``strategy`` overrides STRATEGY (see
    run_short_playbook)."""
    import ansible_runner  # pylint: disable=import-outside-toplevel

    template = next((t for t in awx_job_templates() if t["name"] == name), None)
    if template is None:
        raise KeyError(f"no job template {name!r} in {AWX_CONFIGURE}")
    unknown = set(answers) - set(template["survey"])
    if unknown:
        raise KeyError(f"{name} has no survey question for {sorted(unknown)}")
    extravars = dict(inventory_vars or {})
    extravars.update(template["extra_vars"])
    extravars.update({var: q["default"] for var, q in template["survey"].items() if q["default"] is not None})
    extravars.update(answers)
    cmdline = []
    if template["job_type"] == "check":
        cmdline.append("--check")
    if template["diff_mode"]:
        cmdline.append("--diff")
    private_data_dir.mkdir(parents=True, exist_ok=True)
    run = ansible_runner.run(
        private_data_dir=str(private_data_dir),
        project_dir=str(REPO_ROOT),
        playbook=template["playbook"],
        inventory=str(REPO_ROOT / "inventories" / "local"),
        extravars=extravars,
        cmdline=" ".join(cmdline) or None,
        envvars=ansible_env(emulator_url, {"ANSIBLE_STRATEGY": strategy} if strategy else None),
        quiet=True,
        timeout=timeout,
        verbosity=verbosity or None,
    )
    stats = [event for event in run.events if event.get("event") == "playbook_on_stats"]
    artifacts = stats[-1].get("event_data", {}).get("artifact_data", {}) if stats else {}
    return JobResult(status=run.status, rc=run.rc, stdout=run.stdout.read(), artifacts=artifacts)
