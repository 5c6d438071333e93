"""playbooks/awx_configure.yml: the AWX job templates and the failover workflow match the playbooks
they run (files, survey variables, accepted values), the workflow cannot reach the runbook without
its approval, and no credential value is written in the file.

awx.awx is not installable here (Galaxy only): these tests read the playbook as data; the job
templates' playbooks run through ansible-runner in tests/integration/test_awx_job_templates.py.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import AWX_CONFIGURE, REPO_ROOT, awx_configure_vars, awx_job_templates

PLAY = yaml.safe_load(AWX_CONFIGURE.read_text())[0]
TASKS = PLAY["tasks"]
TEMPLATES = {t["name"]: t for t in awx_job_templates()}
PLATFORM = yaml.safe_load((REPO_ROOT / "inventories" / "production" / "group_vars" / "all" / "platform.yml").read_text())


def task_of(module: str) -> dict:
    found = [t for t in TASKS if module in t]
    assert len(found) == 1, module
    return found[0]


def workflow() -> dict:
    return task_of("awx.awx.workflow_job_template")["awx.awx.workflow_job_template"]


def template_of(declared: str) -> str:
    """The awx_job_templates name of a declared name "MedTech {{ item.name }} - <name>"."""
    prefix = "MedTech {{ item.name }} - "
    assert declared.startswith(prefix), declared
    return declared[len(prefix):]


def playbook_play(path: str) -> dict:
    return yaml.safe_load((REPO_ROOT / path).read_text())[0]


def role_validation_text(role: str) -> str:
    """The tasks of a role that check its input (everything under tasks/, read as text)."""
    return "\n".join(p.read_text() for p in sorted((REPO_ROOT / "roles" / role / "tasks").glob("*.yml")))


def role_options(role: str, entry_point: str) -> set:
    specs = yaml.safe_load((REPO_ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    return set(specs[entry_point]["options"])


def test_the_templates_awx_needs_are_declared():
    assert set(TEMPLATES) == {
        "Site converge", "Drift check", "Deploy", "Rollback", "DR drill",
        "Verify", "Platform status", "Failover runbook (approved)",
    }
    assert TEMPLATES["Site converge"]["job_type"] == "run"
    drift = TEMPLATES["Drift check"]
    assert (drift["playbook"], drift["job_type"], drift["diff_mode"]) == ("playbooks/site.yml", "check", True)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_job_templates_playbook_exists(name):
    path = REPO_ROOT / TEMPLATES[name]["playbook"]
    assert path.is_file(), path
    assert playbook_play(TEMPLATES[name]["playbook"])["hosts"] == "all"


# survey variable -> (role, entry point, the role variable the playbook hands it to)
SURVEY_WIRING = {
    ("Deploy", "service"): ("pipeline", "deploy", "pipeline_deploy_service"),
    ("Deploy", "image_tag"): ("pipeline", "deploy", "pipeline_deploy_image_tag"),
    ("Rollback", "service"): ("pipeline", "rollback", "pipeline_deploy_service"),
    ("Rollback", "mode"): ("pipeline", "rollback", "pipeline_rollback_mode"),
    ("Rollback", "revision"): ("pipeline", "rollback", "pipeline_rollback_revision"),
    ("Failover runbook (approved)", "scope"): ("dr", "main", "dr_failover_scope"),
    ("Failover runbook (approved)", "force"): ("dr", "main", "dr_failover_force"),
    ("Failover runbook (approved)", "incident_started"): ("dr", "main", "dr_failover_incident_started"),
    ("Failover runbook (approved)", "confirmed"): ("dr", "main", "dr_failover_confirmed"),
}


def test_every_survey_and_extra_variable_is_one_the_playbook_hands_to_a_validated_role_option():
    seen = set()
    for name, template in TEMPLATES.items():
        for variable in list(template["survey"]) + list(template["extra_vars"]):
            role, entry_point, option = SURVEY_WIRING[(name, variable)]
            seen.add((name, variable))
            play = playbook_play(template["playbook"])
            assert variable in play["vars"], f"{template['playbook']} has no play variable {variable}"
            include = play["tasks"][0]["ansible.builtin.include_role"]
            assert include["name"] == f"medtech.aws_platform.{role}"
            assert play["tasks"][0]["vars"][option] == "{{ " + variable + " }}", (name, variable)
            assert option in role_options(role, entry_point), option
            # the role refuses a bad value, naming the variable the operator typed
            assert re.search(rf"\b{variable}\b", role_validation_text(role)), variable
    assert seen == set(SURVEY_WIRING)


def test_service_choices_are_the_platforms_services():
    services = [s["name"] for s in PLATFORM["ecs_services"]]
    for name in ("Deploy", "Rollback"):
        question = TEMPLATES[name]["survey"]["service"]
        assert question["choices"] == services
        assert question["required"] and question["default"] is None


def accepted(text: str, expression: str) -> list:
    """The list literal after `<expression> in [` in a role's validation."""
    match = re.search(re.escape(expression) + r" in \[([^\]]*)\]", text)
    assert match, expression
    return [v.strip().strip("'\"") for v in match.group(1).split(",")]


def test_survey_choices_and_defaults_match_the_playbooks_validation():
    rollback = TEMPLATES["Rollback"]["survey"]
    assert rollback["mode"]["choices"] == accepted(role_validation_text("pipeline"), "pipeline_rollback_mode")
    assert rollback["mode"]["default"] == playbook_play("playbooks/rollback.yml")["vars"]["mode"]
    assert rollback["revision"]["default"] == playbook_play("playbooks/rollback.yml")["vars"]["revision"]
    assert rollback["revision"]["min"] == 0  # the role: 0 = the revision before the running one

    failover = TEMPLATES["Failover runbook (approved)"]["survey"]
    runbook = role_validation_text("dr")
    play_vars = playbook_play("playbooks/failover.yml")["vars"]
    assert failover["scope"]["choices"] == accepted(runbook, "dr_failover_scope")
    assert failover["scope"]["default"] == play_vars["scope"]
    assert set(failover["force"]["choices"]) <= set(accepted(runbook, "dr_failover_force | string | lower"))
    assert failover["force"]["default"] == str(play_vars["force"]).lower()
    assert failover["incident_started"]["default"] == play_vars["incident_started"]
    assert not failover["incident_started"]["required"]
    assert failover["incident_started"]["max"] == len("2026-12-01T03:14:00Z")

    image_tag = TEMPLATES["Deploy"]["survey"]["image_tag"]
    assert "{0,127}" in role_validation_text("pipeline")  # one first character + 127 = at most 128
    assert (image_tag["min"], image_tag["max"], image_tag["required"]) == (1, 128, True)


def test_no_survey_asks_for_confirmed_and_only_the_approved_runbook_sets_it():
    for name, template in TEMPLATES.items():
        assert "confirmed" not in template["survey"], name
        if template["playbook"] == "playbooks/failover.yml":
            assert template["extra_vars"] == {"confirmed": True}
        else:
            assert "confirmed" not in template["extra_vars"]
    assert all(q["variable"] != "confirmed" for q in workflow()["survey_spec"]["spec"])
    # nobody passes extra variables at launch: confirmed comes from the template alone
    assert workflow()["ask_variables_on_launch"] is False
    assert task_of("awx.awx.job_template")["awx.awx.job_template"]["ask_variables_on_launch"] is False


def test_failover_workflow_reaches_the_runbook_only_through_its_approval():
    nodes = {n["identifier"]: n for n in workflow()["workflow_nodes"]}
    edges = {ident: [(kind, t["identifier"]) for kind, targets in n.get("related", {}).items() for t in targets]
             for ident, n in nodes.items()}
    runbook = [i for i, n in nodes.items()
               if n["unified_job_template"]["type"] == "job_template"
               and TEMPLATES[template_of(n["unified_job_template"]["name"])]["playbook"] == "playbooks/failover.yml"]
    approvals = [i for i, n in nodes.items() if n["unified_job_template"]["type"] == "workflow_approval"]
    assert len(runbook) == 1 and len(approvals) == 1
    parents = {i: [(src, kind) for src, out in edges.items() for kind, dst in out if dst == i] for i in nodes}
    # the runbook's only way in is the approval's success (approved); the approval's only way in is
    # the read-only status node, whatever its result (in a regional outage show.yml fails, and that
    # is when the approver must decide)
    assert parents[runbook[0]] == [(approvals[0], "success_nodes")]
    (status, kind), = parents[approvals[0]]
    assert kind == "always_nodes"
    assert TEMPLATES[template_of(nodes[status]["unified_job_template"]["name"])]["playbook"] == "playbooks/show.yml"
    assert [i for i in nodes if not parents[i]] == [status]
    # nodes are matched by identifier: a second run of awx_configure.yml recreates nothing
    assert workflow()["destroy_current_nodes"] is False
    # the workflow's nodes run the same environment's templates, on its inventory
    assert workflow()["inventory"] == "MedTech {{ item.name }}" and workflow()["ask_inventory_on_launch"] is False


def test_failover_approval_expires_within_the_runbooks_lookback():
    variables = awx_configure_vars()
    node = next(n for n in workflow()["workflow_nodes"] if n["unified_job_template"]["type"] == "workflow_approval")
    assert node["unified_job_template"]["timeout"] == "{{ awx_failover_approval_timeout }}"
    lookback = yaml.safe_load((REPO_ROOT / "roles" / "dr" / "defaults" / "main.yml").read_text())["dr_failover_lookback_minutes"]
    assert 0 < variables["awx_failover_approval_timeout"] < lookback * 60
    assert workflow()["survey_spec"]["spec"] == variables["awx_failover_survey"]


def test_no_credential_value_is_literal():
    variables = awx_configure_vars()
    task = task_of("awx.awx.credential")
    credential = task["awx.awx.credential"]
    assert task["no_log"] is True
    assert credential["credential_type"] == "Amazon Web Services"
    assert credential["name"] == "MedTech AWS {{ item.name }}"
    assert credential["inputs"] == {"username": "{{ awx_aws_credentials[item.name].access_key_id }}",
                                    "password": "{{ awx_aws_credentials[item.name].secret_access_key }}"}
    assert variables["awx_aws_credentials"] == "{{ vault_awx_aws_credentials | default({}) }}"
    text = AWX_CONFIGURE.read_text()
    assert not re.search(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b", text)
    assert not re.search(r"(secret|password|token)\w*:\s*['\"]?[A-Za-z0-9/+]{30,}", text, re.I)
    # and the playbook refuses to run without a key pair for every environment rather than write empty keys
    that = " ".join(task_of("ansible.builtin.assert")["ansible.builtin.assert"]["that"])
    assert "difference(awx_aws_credentials.keys())" in that and "rejectattr('secret_access_key', 'equalto', '')" in that


def test_each_environments_templates_use_its_own_inventory_and_credential_only():
    task = task_of("awx.awx.job_template")
    template = task["awx.awx.job_template"]
    assert task["loop"] == "{{ awx_environments | subelements('templates') }}"
    assert template["name"] == "MedTech {{ item.0.name }} - {{ template.name }}"
    assert template["inventory"] == "MedTech {{ item.0.name }}"
    assert template["credentials"] == ["MedTech AWS {{ item.0.name }}"]
    # nobody can point a job at another environment's inventory or account at launch
    assert template["ask_inventory_on_launch"] is False and template["ask_credential_on_launch"] is False


def test_environments_get_only_the_templates_that_apply_to_them():
    environments = {e["name"]: e for e in awx_configure_vars()["awx_environments"]}
    assert set(environments["production"]["templates"]) == set(TEMPLATES)
    assert environments["production"]["failover_workflow"] is True
    staging = yaml.safe_load((REPO_ROOT / "inventories" / "staging" / "group_vars" / "staging.yml").read_text())
    # staging deploys through its pipeline's ECS rolling update and has no DR (inventories/staging)
    assert staging["pipeline_enabled"] is False and staging["ecs_deployment_controller"] == "ECS"
    assert staging["dr_enabled"] is False
    assert set(environments["staging"]["templates"]).isdisjoint({"Deploy", "Rollback", "DR drill", "Failover runbook (approved)"})
    assert environments["staging"]["failover_workflow"] is False


def test_operators_may_launch_the_workflow_but_never_the_approved_runbook_directly():
    grants = [t for t in TASKS if "awx.awx.role" in t and t["awx.awx.role"]["role"] == "execute"]
    assert len(grants) == 2
    templates, workflows = grants
    assert templates["awx.awx.role"]["role"] == workflows["awx.awx.role"]["role"] == "execute"
    excluded = "item.1 not in awx_job_templates | selectattr('extra_vars.confirmed', 'defined') | map(attribute='name')"
    assert excluded in templates["when"]
    # the templates that expression excludes: exactly the one that runs the runbook confirmed
    assert [n for n, t in TEMPLATES.items() if "confirmed" in t["extra_vars"]] == ["Failover runbook (approved)"]
    assert workflows["awx.awx.role"]["workflows"] == ["MedTech {{ item.name }} - {{ awx_failover_workflow.name }}"]
    assert all("awx_operators_team | length > 0" in str(grant["when"]) for grant in grants)


def test_ansible_lint_knows_every_awx_module_the_playbook_uses():
    used = {key for task in TASKS for key in task if key.startswith("awx.awx.")}
    mocked = set(yaml.safe_load((REPO_ROOT / ".ansible-lint").read_text())["mock_modules"])
    assert used and used <= mocked, used - mocked


def test_inventory_sources_are_the_repos_inventories():
    variables = awx_configure_vars()
    names = [env["name"] for env in variables["awx_environments"]]
    # every AWS environment of the repository; the local inventory points at an emulator on the operator's machine
    assert sorted(names) == sorted(p.name for p in (REPO_ROOT / "inventories").iterdir() if p.is_dir() and p.name != "local")
    for env in names:
        assert (REPO_ROOT / "inventories" / env / "hosts.yml").is_file()
    source = task_of("awx.awx.inventory_source")["awx.awx.inventory_source"]
    assert (source["source"], source["source_path"]) == ("scm", "inventories/{{ item.name }}/hosts.yml")


def test_approvers_team_approves_the_failover_workflows_only():
    [grant] = [t for t in TASKS if "awx.awx.role" in t and t["awx.awx.role"]["role"] == "approval"]
    role = grant["awx.awx.role"]
    assert role["team"] == "{{ awx_approvers_team }}" and "job_templates" not in role
    assert role["workflows"] == ["MedTech {{ item.name }} - {{ awx_failover_workflow.name }}"]
    assert grant["loop"] == "{{ awx_environments | selectattr('failover_workflow') }}"
    assert grant["when"] == "awx_approvers_team | length > 0"
    assert awx_configure_vars()["awx_approvers_team"] == ""


GOOD_KEYS = {"production": {"access_key_id": "AKIDPRODUCTION", "secret_access_key": "prod-secret"},
             "staging": {"access_key_id": "AKIDSTAGING", "secret_access_key": "staging-secret"}}


@pytest.mark.parametrize("extra_vars, passes", [
    ({"vault_awx_aws_credentials": GOOD_KEYS}, True),
    ({"vault_awx_aws_credentials": {"production": GOOD_KEYS["production"]}}, False),
    ({"vault_awx_aws_credentials": {**GOOD_KEYS, "staging": {"access_key_id": "AKIDSTAGING", "secret_access_key": ""}}}, False),
    ({"vault_awx_aws_credentials": {**GOOD_KEYS, "staging": {"access_key_id": "AKIDSTAGING"}}}, False),
    ({"vault_awx_aws_credentials": GOOD_KEYS,
      "awx_environments": [{"name": "production", "templates": ["Site converge", "Deploy everything"], "failover_workflow": False}]},
     False),
], ids=["every-environment", "staging-missing", "staging-secret-empty", "staging-secret-unset", "unknown-template"])
def test_the_playbook_refuses_to_start_without_every_environments_keys(tmp_path, extra_vars, passes):
    """The first task (the assert) of awx_configure.yml, run by ansible-playbook with the play's vars."""
    play = dict(PLAY, tasks=TASKS[:1])
    playbook = tmp_path / "assert.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), str(playbook), "-i", str(inventory),
                           "-e", json.dumps({"awx_scm_url": "https://git.example.com/x.git", "awx_ee_image": "ee:1", **extra_vars})],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    output = proc.stdout + proc.stderr
    assert (proc.returncode == 0) == passes, output[-3000:]
    if not passes:
        assert "vault_awx_aws_credentials with access_key_id and secret_access_key for each of" in " ".join(output.split())
    for value in ("prod-secret", "staging-secret"):
        assert value not in output
