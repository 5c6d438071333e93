"""The AWX job templates of playbooks/awx_configure.yml, run as AWX runs them: ansible-runner, the
repo as the project, the survey's answers as extra variables (tests/conftest.py run_job_template).

Cheap runs only: a bad survey answer is refused, naming the variable, by the playbook's validation
before any AWS call; the failover workflow's status node succeeds on an empty emulator and creates
nothing. The runs of each template against a built platform live with the shared platform
fixtures: Site converge, Drift check and Verify in test_site_network.py (the drift check also on an
empty emulator there), Deploy and Rollback in test_pipeline.py, the failover workflow's nodes and
the DR drill in test_dr.py.
"""

import json
import re

import pytest

from conftest import awx_job_templates, run_job_template

pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group(name="awx_job_templates")]


def failed_task(stdout: str) -> str:
    """The name of the task whose failure ended the run."""
    tasks = re.findall(r"^TASK \[(.*?)\]", stdout[: stdout.index("fatal:")], re.M)
    return tasks[-1]


def recap(stdout: str) -> dict:
    line = next(line for line in stdout.splitlines() if line.startswith("localhost") and "ok=" in line)
    return {k: int(v) for k, v in (p.split("=") for p in line.split(":", 1)[1].split())}


# template -> (answers AWX's survey lets through or an API caller sends, words the refusal must contain,
#              the validation task that must be the one failing)
BAD_ANSWERS = {
    # AWX checks only the length of a text answer: the role checks the tag itself
    "Deploy": ({"service": "api-gateway", "image_tag": "v1 beta"},
               ["Nothing was deployed", "image_tag=v1 beta is not an image tag"],
               "Validate the deployment request before any AWS call"),
    "Rollback": ({"service": "api-gateway", "mode": "everything"},
                 ["mode=everything is not a rollback"], None),
    "Failover runbook (approved)": ({"scope": "everything"},
                                    ['scope (dr_failover_scope) must be az', 'not "everything"',
                                     "nothing was read or changed"],
                                    "Validate the runbook's settings before any AWS call"),
}


def test_every_template_with_a_survey_has_a_bad_answer_case():
    assert {t["name"] for t in awx_job_templates() if t["survey"]} == set(BAD_ANSWERS)


@pytest.mark.parametrize("name", sorted(BAD_ANSWERS))
def test_bad_survey_answer_is_refused_before_any_aws_call(aws, tmp_path, name):
    answers, words, task = BAD_ANSWERS[name]
    result = run_job_template(name, answers, aws.url, tmp_path / "runner", timeout=300, strategy="linear")
    assert (result.status, result.rc) == ("failed", 2), result.stdout[-3000:]
    for word in words:
        assert word in result.flat, result.stdout[-3000:]
    failing = failed_task(result.stdout)
    if task:
        assert failing.endswith(task), failing
    # the refusal is the validation: nothing before it talked to AWS (only set_fact/assert tasks ran)
    assert "Validat" in failing or "Refuse" in failing or "validat" in failing.lower(), failing
    assert recap(result.stdout)["changed"] == 0
    assert aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:ManagedBy", "Values": ["ansible"]}])["Vpcs"] == []


def test_failover_workflows_status_node_runs_read_only_on_an_empty_emulator(aws, tmp_path):
    result = run_job_template("Platform status", {}, aws.url, tmp_path / "runner", timeout=300)
    assert (result.status, result.rc) == ("successful", 0), result.stdout[-4000:]
    assert recap(result.stdout)["failed"] == 0
    # its secrets, cluster and topics reads are check-mode runs of our modules: reported as changes
    # on an empty platform, never made
    assert aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:ManagedBy", "Values": ["ansible"]}])["Vpcs"] == []
    assert aws.client("secretsmanager").list_secrets()["SecretList"] == []
    assert aws.client("ecs").list_clusters()["clusterArns"] == []
    assert aws.client("sns").list_topics()["Topics"] == []


def test_run_job_template_refuses_an_answer_the_survey_does_not_ask(aws, tmp_path):
    # e.g. confirmed: no survey asks for it, so no launch can pass it
    with pytest.raises(KeyError, match="confirmed"):
        run_job_template("Failover runbook (approved)", {"confirmed": False}, aws.url, tmp_path)


def test_verify_keeps_its_report_as_the_jobs_artifacts(aws, tmp_path):
    """On an empty emulator every value differs: the job fails, and the report (which AWX would
    otherwise lose with the job's container) is in the job's artifacts, line for line as in the file."""
    result = run_job_template("Verify", {}, aws.url, tmp_path / "runner", timeout=600,
                              inventory_vars={"verify_report_dir": str(tmp_path / "reports")})
    assert (result.status, result.rc) == ("failed", 2), result.stdout[-3000:]
    [json_path] = list((tmp_path / "reports").glob("verify-*.json"))
    report = json.loads(json_path.read_text())
    artifact = result.artifacts["verify_report"]
    assert artifact["path"] == str(json_path.with_suffix(".md"))
    assert artifact["summary"] == report["summary"] and artifact["summary"]["diff"] > 0
    assert artifact["lines"] == report["lines"] and artifact["not_read"] == report["not_read"]
