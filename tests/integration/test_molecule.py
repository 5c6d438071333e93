"""Every molecule scenario (molecule/<name>/molecule.yml) runs `molecule test` against the emulator.

A scenario's sequence is converge, idempotence (a second converge must report zero changes),
verify (reads the result back from the API), cleanup (deletes it); molecule fails the run on
any step, and so does this test.
"""

import subprocess

import pytest

from conftest import REPO_ROOT, VENV_BIN, ansible_env

SCENARIOS = sorted(p.parent.name for p in (REPO_ROOT / "molecule").glob("*/molecule.yml"))
# Scenarios whose `molecule test` runs in the module fixture of their own test file, which then
# uses what the scenario built (one preparation instead of two): dr -> tests/integration/test_dr.py.
RUN_ELSEWHERE = {"dr": "tests/integration/test_dr.py"}

pytestmark = [pytest.mark.emulator, pytest.mark.molecule]


def test_there_is_a_scenario_per_role():
    roles = sorted(p.name for p in (REPO_ROOT / "roles").iterdir() if p.is_dir() and p.name != "preflight")
    assert roles and set(roles) <= set(SCENARIOS)


def test_scenarios_run_elsewhere_are_run_there():
    for scenario, test_file in RUN_ELSEWHERE.items():
        assert scenario in SCENARIOS
        assert f'"molecule"), "test", "-s", "{scenario}"' in (REPO_ROOT / test_file).read_text()


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s not in RUN_ELSEWHERE])
def test_molecule_scenario(aws, scenario):
    env = ansible_env(aws.url)
    env.pop("ANSIBLE_CONFIG")  # molecule writes its own ansible.cfg for the scenario
    # molecule keeps a scenario's state between runs and skips a prepare it has done before
    subprocess.run([str(VENV_BIN / "molecule"), "reset", "-s", scenario], cwd=REPO_ROOT, env=env,
                   capture_output=True, text=True, timeout=300, check=True)
    proc = subprocess.run(
        [str(VENV_BIN / "molecule"), "test", "-s", scenario],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False,
    )
    output = proc.stdout + proc.stderr
    failure = output.find("fatal:")
    assert proc.returncode == 0, (output[failure - 2000:failure + 4000] if failure >= 0 else "") + output[-4000:]
    assert "idempotence" in output.lower()
