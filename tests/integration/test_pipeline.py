"""The pipeline role, playbooks/deploy.yml and playbooks/rollback.yml against the emulator.

The module fixture runs the molecule scenario molecule/pipeline (converge, idempotence, every
SPEC 5 value read back) once; the tests then cover, on what it built, the acceptance of the
pipeline issue that the scenario does not: every bad input the issue names fails before any AWS call
(or, for what only AWS knows, before any change) with a message naming it; deploy.yml runs a
deployment of api-gateway to completion with a task definition revision that keeps the PgBouncer
sidecar; deploying the deployed tag again changes nothing; a deploy never touches a service whose
deployment is in flight; rollback.yml stops a deployment in flight and redeploys the previous
revision. The emulator's CodeDeploy finishes a deployment in steps as it is read
(scripts/moto_server.py); the module's failure and rollback paths are Stubber-tested.
"""

import json
from types import SimpleNamespace

import pytest

from conftest import PlaybookResult, flat, playbook_runner, run_job_template, run_molecule

pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("pipeline")]

CONVERGE = "molecule/pipeline/converge.yml"
GROUP = "medtech-prod-api-gateway"
REPOSITORY = "medtech/api-gateway"


def push_image(emulator, tag):
    """Push an image (a manifest; the emulator keeps no layers) to the api-gateway repository."""
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"digest": "sha256:" + tag.encode().hex().ljust(64, "0")[:64], "size": 1,
                           "mediaType": "application/vnd.docker.container.image.v1+json"}, "layers": []}
    emulator.client("ecr").put_image(repositoryName=REPOSITORY, imageManifest=json.dumps(manifest), imageTag=tag)


def deployments(emulator):
    return emulator.client("codedeploy").list_deployments(applicationName=GROUP, deploymentGroupName=GROUP)["deployments"]


def revisions(emulator):
    return emulator.client("ecs").list_task_definitions(familyPrefix=GROUP)["taskDefinitionArns"]


@pytest.mark.parametrize("extra_vars,message", [
    ({"pipeline_deployment_config_name": "CodeDeployDefault.ECSLinear5PercentEvery1Minutes"},
     "pipeline_deployment_config_name CodeDeployDefault.ECSLinear5PercentEvery1Minutes is not a deployment configuration"),
    ({"pipeline_approval_topic_name": ""}, "an approval stage needs a notification target"),
    ({"pipeline_services": ["api-gateway", "reporting"]}, "pipeline_services names reporting, which is not a service"),
    ({"pipeline_github_branch": "*"}, "pipeline_github_branch must name one branch"),
], ids=["unknown-deployment-config", "approval-without-notification", "unknown-service", "wildcard-branch"])
def test_bad_pipeline_settings_fail_before_any_aws_call(aws, run_short_playbook, extra_vars, message):
    result = run_short_playbook("playbooks/site.yml", extra_vars=extra_vars)
    assert result.rc != 0
    assert message in flat(result), result.output[-3000:]
    # site.yml validates every role before any role runs: not even the network exists
    assert aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["medtech-prod-vpc"]}])["Vpcs"] == []


@pytest.fixture(scope="module")
def built(moto_server, tmp_path_factory):
    """The emulator after `molecule test -s pipeline` (prepare: network, secrets, ecs, monitoring;
    converge; idempotence: zero changes; verify: every SPEC 5 value read back), an image v2 pushed
    for api-gateway; shared by the tests below, in order: ``emulator``, ``run``, ``workflows``."""
    moto_server.reset()
    run = playbook_runner(moto_server.url)
    workflows = tmp_path_factory.mktemp("service-repositories")
    output = run_molecule(moto_server.url, "pipeline", "test", env={"PIPELINE_WORKFLOW_DIR": str(workflows)})
    assert "idempotence" in output.lower()
    push_image(moto_server, "v2")

    def job(name, **answers):
        """An AWX job template of playbooks/awx_configure.yml, run as AWX runs it (ansible-runner)."""
        result = run_job_template(name, answers, moto_server.url, tmp_path_factory.mktemp("awx-job"),
                                  inventory_vars={"pipeline_deploy_poll_interval": 1})
        return PlaybookResult(result.rc, result.stdout, "")

    return SimpleNamespace(emulator=moto_server, run=run, job=job, workflows=workflows)


def test_the_service_repository_files_are_rendered(built):
    workflow = (built.workflows / "api-gateway/.github/workflows/deploy.yml").read_text()
    assert "role-to-assume: arn:aws:iam::123456789012:role/medtech-prod-github-api-gateway" in workflow
    assert "ECR_REPOSITORY: medtech/api-gateway" in workflow and "${{ steps.ecr.outputs.registry }}" in workflow
    taskdef = json.loads((built.workflows / "api-gateway/deploy/taskdef.json").read_text())
    images = {c["name"]: c["image"] for c in taskdef["containerDefinitions"]}
    assert images["app"] == "<IMAGE1_NAME>"
    assert "pgbouncer" in images and images["pgbouncer"] != "<IMAGE1_NAME>"
    assert "taskDefinitionArn" not in taskdef and "revision" not in taskdef
    assert "<TASK_DEFINITION>" in (built.workflows / "api-gateway/deploy/appspec.yaml").read_text()


@pytest.mark.parametrize("extra_vars,message", [
    ({"service": "reporting", "image_tag": "v2"}, "service=reporting is not a service of this platform"),
    ({"service": "api-gateway", "image_tag": "v9"}, "medtech/api-gateway has no image tagged v9"),
    ({"service": "api-gateway", "image_tag": "bad tag!"}, "image_tag=bad tag! is not an image tag"),
    ({}, "service is not set: pass -e service=<name>"),
], ids=["unknown-service", "tag-not-in-repository", "malformed-tag", "nothing-named"])
def test_a_bad_deploy_request_deploys_and_registers_nothing(built, extra_vars, message):
    before = revisions(built.emulator)
    result = built.run("playbooks/deploy.yml", extra_vars=extra_vars)
    assert result.rc != 0
    assert message in flat(result), result.output[-3000:]
    assert deployments(built.emulator) == []
    assert revisions(built.emulator) == before


def test_a_target_group_that_is_not_the_services_is_refused_before_any_change(built):
    elbv2 = built.emulator.client("elbv2")
    vpc = elbv2.describe_target_groups(Names=["prod-api-gateway-blue"])["TargetGroups"][0]["VpcId"]
    for colour in ("blue", "green"):
        for service in ("api-gateway", "patient-service", "billing-service"):
            elbv2.create_target_group(Name=f"other-{service}-{colour}", Protocol="HTTP", Port=8080, VpcId=vpc,
                                      TargetType="ip")
    group = built.emulator.client("codedeploy").get_deployment_group(applicationName=GROUP, deploymentGroupName=GROUP)
    result = built.run(CONVERGE, extra_vars={"pipeline_target_group_prefix": "other"})
    assert result.rc != 0
    assert ("the service api-gateway is behind the target group prod-api-gateway-blue, not one of "
            "other-api-gateway-blue / other-api-gateway-green") in flat(result), result.output[-3000:]
    after = built.emulator.client("codedeploy").get_deployment_group(applicationName=GROUP, deploymentGroupName=GROUP)
    assert after["deploymentGroupInfo"]["loadBalancerInfo"] == group["deploymentGroupInfo"]["loadBalancerInfo"]


def test_deploy_runs_a_deployment_of_api_gateway_to_completion(built):
    """Through the AWX job template "Deploy" with its survey's answers, as AWX runs it."""
    before = revisions(built.emulator)
    result = built.job("Deploy", service="api-gateway", image_tag="v2")
    assert result.rc == 0, result.output[-5000:]
    assert "Succeeded" in result.stdout
    codedeploy = built.emulator.client("codedeploy")
    [deployment_id] = deployments(built.emulator)
    info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Succeeded"
    appspec = info["revision"]["appSpecContent"]["content"]
    [new] = [arn for arn in revisions(built.emulator) if arn not in before]
    assert new in appspec and "ContainerName: \"app\"" in appspec
    containers = built.emulator.client("ecs").describe_task_definition(taskDefinition=new)["taskDefinition"]["containerDefinitions"]
    images = {c["name"]: c["image"] for c in containers}
    assert images["app"].endswith("/medtech/api-gateway:v2")
    assert "pgbouncer" in images


def test_deploying_the_deployed_tag_again_changes_nothing(built):
    before = (deployments(built.emulator), revisions(built.emulator))
    result = built.run("playbooks/deploy.yml", extra_vars={"service": "api-gateway", "image_tag": "v2"})
    assert result.rc == 0, result.output[-3000:]
    assert result.recap()["changed"] == 0, result.stdout[-3000:]
    assert (deployments(built.emulator), revisions(built.emulator)) == before


def test_a_deploy_never_touches_a_service_whose_deployment_is_in_flight(built):
    push_image(built.emulator, "v3")
    codedeploy = built.emulator.client("codedeploy")
    in_flight = codedeploy.create_deployment(
        applicationName=GROUP, deploymentGroupName=GROUP,
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": "version: 0.0\nResources: []\n"}},
    )["deploymentId"]
    before = revisions(built.emulator)
    result = built.run("playbooks/deploy.yml", extra_vars={"service": "api-gateway", "image_tag": "v3"})
    assert result.rc != 0
    assert in_flight in flat(result), result.output[-3000:]
    assert revisions(built.emulator) == before
    assert len(deployments(built.emulator)) == 2

    stopped = built.run("playbooks/rollback.yml", extra_vars={"service": "api-gateway"})
    assert stopped.rc == 0, stopped.output[-3000:]
    assert f"Stopped deployment {in_flight}" in flat(stopped)
    assert codedeploy.get_deployment(deploymentId=in_flight)["deploymentInfo"]["status"] == "Stopped"


def test_rollback_previous_redeploys_the_revision_before_the_running_one(built):
    # The stop above started CodeDeploy's rollback deployment; let it finish (each read of the
    # emulator's deployment advances it a step) as it would in AWS.
    codedeploy = built.emulator.client("codedeploy")
    for deployment_id in deployments(built.emulator):
        for _read in range(3):
            codedeploy.get_deployment(deploymentId=deployment_id)
    ecs = built.emulator.client("ecs")
    # CodeDeploy moves the service to the deployed revision; the emulator does not, so do it as AWS would.
    latest = revisions(built.emulator)[-1]
    ecs.update_service(cluster="medtech-prod-cluster", service="api-gateway", taskDefinition=latest)
    previous = latest.rsplit(":", 1)[0] + ":" + str(int(latest.rsplit(":", 1)[1]) - 1)
    # through the AWX job template "Rollback" with its survey's answers (revision 0: the one before)
    result = built.job("Rollback", service="api-gateway", mode="previous")
    assert result.rc == 0, result.output[-5000:]
    newest = deployments(built.emulator)
    info = [built.emulator.client("codedeploy").get_deployment(deploymentId=d)["deploymentInfo"] for d in newest]
    redeployed = [i for i in info if previous in i["revision"].get("appSpecContent", {}).get("content", "")]
    assert redeployed and redeployed[0]["status"] == "Succeeded"


def test_a_bad_rollback_mode_is_named(built):
    result = built.run("playbooks/rollback.yml", extra_vars={"service": "api-gateway", "mode": "undo"})
    assert result.rc != 0
    assert "mode=undo is not a rollback: use stop" in flat(result), result.output[-3000:]
