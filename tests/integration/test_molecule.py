"""Every molecule scenario (molecule/<name>/molecule.yml) runs `molecule test` against the emulator.

A scenario's sequence is converge, idempotence (a second converge must report zero changes),
verify (reads the result back from the API), cleanup (deletes it); molecule fails the run on
any step, and so does this test.
"""

import re

import pytest

from conftest import REPO_ROOT, run_molecule

SCENARIOS = sorted(p.parent.name for p in (REPO_ROOT / "molecule").glob("*/molecule.yml"))
# Scenarios whose `molecule test` runs in the module fixture of their own test file, which then
# uses what the scenario built (one preparation instead of two); where the scenario has a cleanup
# step, that file's last test of the scenario runs `molecule cleanup`.
RUN_ELSEWHERE = {
    "dr": "tests/integration/test_dr.py",
    "ecs": "tests/integration/test_ecs.py",
    "monitoring": "tests/integration/test_monitoring.py",
    "pipeline": "tests/integration/test_pipeline.py",
}

pytestmark = [pytest.mark.emulator, pytest.mark.molecule]


# Roles that build nothing, with the tests that run them instead of a scenario of their own:
# preflight checks the inventory and credentials (every site.yml run; test_site_safety.py), verify
# reads the whole built platform back (test_site_network.py, test_awx_job_templates.py).
NO_SCENARIO = {"preflight": "tests/integration/test_site_safety.py", "verify": "tests/integration/test_site_network.py"}


def test_there_is_a_scenario_per_role():
    roles = sorted(p.name for p in (REPO_ROOT / "roles").iterdir() if p.is_dir() and p.name not in NO_SCENARIO)
    assert roles and set(roles) <= set(SCENARIOS)
    for role, test_file in NO_SCENARIO.items():
        assert (REPO_ROOT / "roles" / role).is_dir() and role not in SCENARIOS
        assert f"medtech.aws_platform.{role}" in (REPO_ROOT / "playbooks" / ("verify.yml" if role == "verify" else "site.yml")).read_text()
        assert (REPO_ROOT / test_file).is_file()


def test_scenarios_run_elsewhere_are_run_there():
    for scenario, test_file in RUN_ELSEWHERE.items():
        assert scenario in SCENARIOS
        text = (REPO_ROOT / test_file).read_text()
        assert re.search(rf'run_molecule\([^)]*"{scenario}", "test"', text), test_file
        if (REPO_ROOT / "molecule" / scenario / "cleanup.yml").exists():
            assert re.search(rf'run_molecule\([^)]*"{scenario}", "cleanup"', text), test_file


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s not in RUN_ELSEWHERE])
def test_molecule_scenario(aws, scenario):
    output = run_molecule(aws.url, scenario, "test", timeout=1800)
    assert "idempotence" in output.lower()
