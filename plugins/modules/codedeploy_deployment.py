#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: codedeploy_deployment
short_description: Create a CodeDeploy deployment of an ECS deployment group and follow it, or stop one
version_added: 1.0.0
description:
  - With O(state=present), creates a CodeDeploy deployment of an AppSpec (O(appspec_content)) for a
    deployment group (typically an ECS blue/green group) and, with O(wait=true), follows it until it
    has C(Succeeded), C(Failed) or been C(Stopped).
  - A deployment is created only when the group's last successful deployment carries a different
    AppSpec (its SHA-256 differs, and, when AWS returns that AppSpec's content, it also differs once
    parsed as YAML/JSON), or with O(force=true).
  - Refuses to create a deployment while another one of the group is in flight (C(Created),
    C(Queued), C(InProgress), C(Baking) or C(Ready)), naming it; nothing is created then.
  - With O(state=stopped), stops the group's in-flight deployment with automatic rollback
    (C(StopDeployment) with C(autoRollbackEnabled=true)); nothing to stop is no change.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  application_name:
    description: The name of the CodeDeploy application.
    type: str
    required: true
  deployment_group_name:
    description: The name of the deployment group of O(application_name).
    type: str
    required: true
  state:
    description:
      - V(present) creates a deployment of O(appspec_content) unless the group's last successful
        deployment already has it.
      - V(stopped) stops the group's in-flight deployment and rolls it back to the last successful one.
    type: str
    choices: [present, stopped]
    default: present
  appspec_content:
    description:
      - The AppSpec file's content, YAML or JSON text, e.g. C({{ appspec | to_json }}) or a
        C(lookup('file', ...)). Sent as the revision (C(revisionType=AppSpecContent)) with its
        SHA-256 (hex digest of the UTF-8 text).
      - Required with O(state=present); ignored with O(state=stopped).
    type: str
  description:
    description:
      - The deployment's description. Not compared, so a different description alone creates no
        deployment.
    type: str
  deployment_config_name:
    description:
      - The deployment configuration for this deployment, e.g. V(CodeDeployDefault.ECSCanary10Percent5Minutes),
        instead of the deployment group's. Not compared.
      - An unknown name fails with C(DeploymentConfigDoesNotExistException).
    type: str
  force:
    description:
      - Create a deployment even when the last successful one carries the same AppSpec (e.g. to
        redeploy after changing the task definition's image tag in place).
    type: bool
    default: false
  wait:
    description:
      - Whether to follow the deployment (or, with O(state=stopped), the stopped one) until it has
        completed, polling C(GetDeployment) every O(poll_interval) seconds.
      - With V(false) the module returns once the deployment is created (or the stop requested).
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to follow the deployment with O(wait=true), in seconds, at least 1. When it passes,
        the module fails; the deployment continues in AWS.
      - Cover the deployment configuration's traffic shifting and the group's termination wait time
        (e.g. canary 15 minutes plus a 60-minute wait for the old task set).
    type: int
    default: 3600
  poll_interval:
    description: Seconds between two reads of the deployment with O(wait=true), 0 or more.
    type: int
    default: 15
notes:
  - "Calls: C(codedeploy:GetDeploymentGroup), C(codedeploy:ListDeployments), C(codedeploy:GetDeployment),
    C(codedeploy:CreateDeployment), C(codedeploy:StopDeployment)."
  - The deployment's AppSpec content is never returned, only its SHA-256.
  - AWS allows one deployment in flight per deployment group; O(state=stopped) stops the first one
    C(ListDeployments) returns. One that completes before C(StopDeployment) reaches it
    (C(DeploymentAlreadyCompletedException)) is no change.
  - "Failures: invalid options (C(Invalid options: ...), before any AWS call); a deployment already in
    flight (C(a deployment is already in progress: <id> (<status>); wait for it or run the rollback
    playbook)), before any write; a deployment that ends C(Failed) or C(Stopped) (C(deployment <id>
    failed: <code>: <message>; it was rolled back to ... in deployment <rollback id>) or C(... it was not
    rolled back: <rollback message>)); a wait that times out (C(deployment <id> is still <status> after
    <n> seconds)); any API error as C(Failed to <action>) with AWS's code and message, e.g.
    C(ApplicationDoesNotExistException), C(DeploymentGroupDoesNotExistException),
    C(DeploymentConfigDoesNotExistException), C(InvalidRevisionException)."
  - All these failures return RV(deployment) and RV(progress) as far as they are known, and
    C(changed=true) when a deployment had been created (it failed or timed out afterwards).
seealso:
  - name: CodeDeploy ECS blue/green deployments
    description: How a deployment shifts traffic, and the AppSpec file for ECS.
    link: https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-steps-ecs.html
attributes:
  check_mode:
    support: full
    description:
      - Reads the group, refuses where a real run would, decides whether a deployment would be created
        (or stopped), but creates or stops nothing and does not wait.
  diff_mode:
    support: full
    description:
      - Returns the AppSpec SHA-256 of the group's last successful deployment before, and of the one
        that would be deployed after (O(state=present)); the in-flight deployment's id
        (C(in_flight_deployment_id)) before a stop, and nothing in flight after it (O(state=stopped)).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Deploy the new task definition blue/green and follow it (fails if it is rolled back)
  medtech.aws_platform.codedeploy_deployment:
    application_name: medtech-prod-api
    deployment_group_name: medtech-prod-api-bg
    description: "api {{ api_version }}"
    appspec_content: "{{ appspec | to_json }}"
    wait_timeout: 5400
  vars:
    appspec:
      version: 0.0
      Resources:
        - TargetService:
            Type: AWS::ECS::Service
            Properties:
              TaskDefinition: "{{ task_definition_arn }}"
              LoadBalancerInfo:
                ContainerName: api
                ContainerPort: 8080
  register: api_deployment

- name: Canary instead of the group's configuration, without waiting
  medtech.aws_platform.codedeploy_deployment:
    application_name: medtech-prod-api
    deployment_group_name: medtech-prod-api-bg
    appspec_content: "{{ lookup('ansible.builtin.file', 'appspec.yaml') }}"
    deployment_config_name: CodeDeployDefault.ECSCanary10Percent5Minutes
    wait: false

- name: Stop the deployment in flight and roll back to the last successful one
  medtech.aws_platform.codedeploy_deployment:
    application_name: medtech-prod-api
    deployment_group_name: medtech-prod-api-bg
    state: stopped
"""

RETURN = r"""
deployment:
  description:
    - The deployment created (or, when nothing was created, the group's last successful deployment
      with the same AppSpec; with O(state=stopped) the stopped one), as C(GetDeployment) last returned it,
      in snake_case. Only these keys are returned; the AppSpec content never is.
    - C({}) when there is none (O(state=stopped) with nothing in flight, a deployment that would be
      created in check mode except for RV(deployment.revision_sha256)).
  returned: always
  type: dict
  contains:
    deployment_id:
      description: The deployment's id.
      returned: when there is a deployment
      type: str
      sample: d-A1B2C3D4E
    application_name:
      description: The application.
      returned: when there is a deployment
      type: str
      sample: medtech-prod-api
    deployment_group_name:
      description: The deployment group.
      returned: when there is a deployment
      type: str
      sample: medtech-prod-api-bg
    deployment_config_name:
      description: The deployment configuration used.
      returned: when there is a deployment
      type: str
      sample: CodeDeployDefault.ECSAllAtOnce
    status:
      description: V(Created), V(Queued), V(InProgress), V(Baking), V(Ready), V(Succeeded), V(Failed) or V(Stopped).
      returned: when there is a deployment
      type: str
      sample: Succeeded
    creator:
      description: Who created it, V(user), V(autoscaling), V(codeDeployRollback), ...
      returned: when AWS reports it
      type: str
      sample: user
    description:
      description: The deployment's description.
      returned: when it has one
      type: str
      sample: api 1.4.2
    create_time:
      description: When it was created (ISO 8601).
      returned: when there is a deployment
      type: str
      sample: "2025-03-01T10:00:00.123000+00:00"
    start_time:
      description: When it started (ISO 8601).
      returned: once it has started
      type: str
      sample: "2025-03-01T10:00:05.456000+00:00"
    complete_time:
      description: When it completed (ISO 8601).
      returned: once it has completed
      type: str
      sample: "2025-03-01T10:07:40.789000+00:00"
    deployment_overview:
      description: The number of targets per status (V(Pending), V(InProgress), V(Succeeded), V(Failed), V(Skipped), V(Ready)).
      returned: when AWS reports it
      type: dict
      sample: {"Pending": 0, "InProgress": 0, "Succeeded": 1, "Failed": 0, "Skipped": 0, "Ready": 0}
    error_information:
      description: Why it failed, C(code) (e.g. V(HEALTH_CONSTRAINTS), V(MANUAL_STOP)) and C(message).
      returned: when it failed or was stopped
      type: dict
      sample: {"code": "ECS_UPDATE_ERROR", "message": "The ECS service cannot be updated"}
    rollback_info:
      description:
        - C(rollback_deployment_id) (the deployment that rolls this one back), C(rollback_triggering_deployment_id)
          (on a rollback, the deployment it rolls back) and C(rollback_message).
      returned: when AWS reports it
      type: dict
      sample: {"rollback_deployment_id": "d-Z9Y8X7W6V", "rollback_message": "..."}
    revision_sha256:
      description: The SHA-256 (hex) of the deployment's AppSpec content.
      returned: when there is (or would be) a deployment of AppSpec content
      type: str
      sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
progress:
  description:
    - The changes of the deployment's status or overview seen while following it, oldest first;
      C([]) without O(wait) or when nothing was followed.
  returned: always
  type: list
  elements: dict
  contains:
    time:
      description: When the change was seen (ISO 8601, UTC).
      type: str
    status:
      description: The deployment's status then.
      type: str
    deployment_overview:
      description: The target counts per status then (see RV(deployment.deployment_overview)).
      type: dict
  sample:
    - {"time": "2025-03-01T10:00:05+00:00", "status": "InProgress", "deployment_overview": {"InProgress": 1}}
    - {"time": "2025-03-01T10:07:41+00:00", "status": "Succeeded", "deployment_overview": {"Succeeded": 1}}
stop_status:
  description: C(StopDeployment)'s answer, C(status) (V(Pending) or V(Succeeded)) and C(status_message).
  returned: with O(state=stopped) when a deployment was stopped
  type: dict
  sample: {"status": "Pending", "status_message": "Stopping deployment d-A1B2C3D4E"}
changed:
  description: Whether a deployment was (or, in check mode, would be) created or stopped.
  returned: always
  type: bool
diff:
  description: See the diff_mode attribute.
  returned: in diff mode
  type: dict
  sample: {"before": {"revision_sha256": "ab12..."}, "after": {"revision_sha256": "cd34..."}}
"""

import datetime
import hashlib
import json
import time

from ansible.module_utils.common.yaml import HAS_YAML

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import DONE_STATUSES
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import create_deployment
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import get_deployment
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import get_deployment_group
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import list_in_flight_deployments
from ansible_collections.medtech.aws_platform.plugins.module_utils.codedeploy import stop_deployment
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import make_diff
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import normalize

if HAS_YAML:
    import yaml

#: the members of deploymentInfo the module returns (the revision only as its SHA-256)
RETURNED_MEMBERS = ("deploymentId", "applicationName", "deploymentGroupName", "deploymentConfigName", "status",
                    "creator", "description", "createTime", "startTime", "completeTime", "deploymentOverview",
                    "errorInformation", "rollbackInfo")


class DeploymentFailure(Exception):
    """A failure of the run that is not an API error: a message and what is known of the deployment."""

    def __init__(self, message, deployment=None):
        super().__init__(message)
        self.message = message
        self.deployment = deployment or {}


# --- pure helpers -----------------------------------------------------------------------
def validate_params(params):
    """Check the options before any AWS call; return a list of messages naming option and fix."""
    errors = []
    for option in ("application_name", "deployment_group_name"):
        if not (params[option] or "").strip():
            errors.append(f"{option} is empty: give the name of the CodeDeploy {option[:-len('_name')].replace('_', ' ')}")
    if params["state"] == "present" and not (params.get("appspec_content") or "").strip():
        errors.append("appspec_content is empty or missing: give the AppSpec file's YAML or JSON text "
                      "(state=present creates a deployment of it)")
    if params["wait_timeout"] < 1:
        errors.append(f"wait_timeout is {params['wait_timeout']}: set it to a number of seconds above 0")
    if params["poll_interval"] < 0:
        errors.append(f"poll_interval is {params['poll_interval']}: set it to 0 or more seconds")
    return errors


def appspec_sha256(content):
    """The SHA-256 (hex digest) of the AppSpec text as sent (UTF-8)."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def parse_appspec(content):
    """The AppSpec text parsed (JSON, else YAML when PyYAML is there), normalised; None if it does not parse."""
    if content is None:
        return None
    try:
        return normalize(json.loads(content))
    except ValueError:
        pass
    if HAS_YAML:
        try:
            return normalize(yaml.safe_load(content))
        except yaml.YAMLError:
            return None
    return None


def revision_sha256(info):
    """The SHA-256 of a deploymentInfo's AppSpec content, from AWS's sha256 or the content; else None."""
    content = ((info or {}).get("revision") or {}).get("appSpecContent") or {}
    if content.get("sha256"):
        return content["sha256"]
    if content.get("content") is not None:
        return appspec_sha256(content["content"])
    return None


def same_appspec(info, content):
    """Whether the deploymentInfo ``info`` deployed the AppSpec ``content`` (same hash, or same once parsed)."""
    if revision_sha256(info) == appspec_sha256(content):
        return True
    previous = (((info or {}).get("revision") or {}).get("appSpecContent") or {}).get("content")
    parsed = parse_appspec(content)
    return parsed is not None and parsed == parse_appspec(previous)


def _iso(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def deployment_result(info):
    """The deploymentInfo as the module returns it: RETURNED_MEMBERS in snake_case, times ISO 8601,
    the revision only as ``revision_sha256``; ``{}`` for None."""
    if not info:
        return {}
    kept = {key: _iso(info[key]) for key in RETURNED_MEMBERS if info.get(key) not in (None, {}, "")}
    result = boto3_resource_to_ansible_dict(kept, force_tags=False, transform_tags=False, ignore_list=["deploymentOverview"])
    sha = revision_sha256(info)
    if sha:
        result["revision_sha256"] = sha
    return result


def failure_message(info):
    """The message for a deployment that ended Failed or Stopped: why, and whether and to what it was rolled back."""
    deployment_id, status = info.get("deploymentId"), info.get("status")
    error = info.get("errorInformation") or {}
    why = f"{error.get('code') or 'no error code'}: {error.get('message') or 'no message'}"
    rollback = info.get("rollbackInfo") or {}
    verb = "failed" if status == "Failed" else "was stopped"
    if rollback.get("rollbackDeploymentId"):
        back = (f"it was rolled back in deployment {rollback['rollbackDeploymentId']}"
                f" ({rollback.get('rollbackMessage') or 'to the last successful deployment'})")
    elif rollback.get("rollbackMessage"):
        back = f"it was not rolled back: {rollback['rollbackMessage']}"
    else:
        back = "it was not rolled back (automatic rollback is off for this deployment group)"
    return f"deployment {deployment_id} {verb} ({why}); {back}"


# --- the run ------------------------------------------------------------------------------
class DeploymentRunner:
    """State present / stopped for one deployment group; methods return the module result or raise."""

    def __init__(self, module, client, clock=time):
        self.module = module
        self.client = client
        self.params = module.params
        self.app = module.params["application_name"]
        self.group = module.params["deployment_group_name"]
        self.clock = clock
        self.progress = []
        #: whether a deployment was created or stopped (reported also when the run fails afterwards)
        self.acted = False

    def in_flight(self):
        """The group's in-flight deployment (deploymentInfo) or None. A deployment listed as in
        flight that has completed by the time it is read (a rollback finishing) is not."""
        for deployment_id in list_in_flight_deployments(self.client, self.app, self.group):
            info = get_deployment(self.client, deployment_id)
            if info.get("status") not in DONE_STATUSES:
                return info
        return None

    def last_successful(self, group_info):
        last = (group_info.get("lastSuccessfulDeployment") or {}).get("deploymentId")
        return get_deployment(self.client, last) if last else None

    def present(self):
        content = self.params["appspec_content"]
        group_info = get_deployment_group(self.client, self.app, self.group)
        busy = self.in_flight()
        if busy:
            raise DeploymentFailure(
                f"a deployment is already in progress: {busy['deploymentId']} ({busy['status']}) in {self.group} of "
                f"{self.app}; wait for it or run the rollback playbook. No deployment was created.", busy)
        last = self.last_successful(group_info)
        sha = appspec_sha256(content)
        before = {"revision_sha256": revision_sha256(last)} if last else {}
        if last and not self.params["force"] and same_appspec(last, content):
            return self.result(False, last, before, before)
        after = {"revision_sha256": sha}
        if self.module.check_mode:
            return self.result(True, None, before, after, deployment={"revision_sha256": sha})
        params = {"revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": content, "sha256": sha}}}
        if self.params["description"]:
            params["description"] = self.params["description"]
        if self.params["deployment_config_name"]:
            params["deploymentConfigName"] = self.params["deployment_config_name"]
        deployment_id = create_deployment(self.client, self.app, self.group, **params)
        self.acted = True
        info = self.follow(deployment_id) if self.params["wait"] else get_deployment(self.client, deployment_id)
        return self.result(True, info, before, after)

    def stopped(self):
        # Stop first and read afterwards: the deployment may complete at any moment, and a read
        # before the stop would only widen that window.
        ids = list_in_flight_deployments(self.client, self.app, self.group)
        if not ids:
            return self.result(False, None, {}, {})
        deployment_id = ids[0]
        before = {"in_flight_deployment_id": deployment_id}
        if self.module.check_mode:
            return self.result(True, get_deployment(self.client, deployment_id), before, {})
        try:
            answer = stop_deployment(self.client, deployment_id, auto_rollback=True)
        except AnsibleAWSError as e:
            if e.exception is not None and is_boto3_error_code("DeploymentAlreadyCompletedException", e=e.exception):
                # it completed between ListDeployments and StopDeployment: nothing left to stop
                return self.result(False, get_deployment(self.client, deployment_id), before, {})
            raise
        self.acted = True
        info = self.follow(deployment_id, fail=False) if self.params["wait"] else get_deployment(self.client, deployment_id)
        result = self.result(True, info, before, {})
        result["stop_status"] = {"status": answer["status"], "status_message": answer["statusMessage"]}
        return result

    def follow(self, deployment_id, fail=True):
        """Poll GetDeployment until the deployment has completed; record the changes in self.progress.

        :param fail: raise DeploymentFailure when it ends Failed or Stopped.
        :raises DeploymentFailure: on a timeout, and (with ``fail``) when it does not succeed.
        """
        deadline = self.clock.monotonic() + self.params["wait_timeout"]
        seen = None
        while True:
            info = get_deployment(self.client, deployment_id)
            overview = info.get("deploymentOverview") or {}
            if (info.get("status"), overview) != seen:
                seen = (info.get("status"), overview)
                self.progress.append({"time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                                      "status": info.get("status"), "deployment_overview": dict(overview)})
            if info.get("status") in DONE_STATUSES:
                if fail and info["status"] != "Succeeded":
                    raise DeploymentFailure(failure_message(info), info)
                return info
            if self.clock.monotonic() >= deadline:
                raise DeploymentFailure(
                    f"deployment {deployment_id} is still {info.get('status')} after {self.params['wait_timeout']} seconds "
                    "(wait_timeout); it continues in AWS: follow it in the CodeDeploy console, or stop and roll it back "
                    "with state=stopped", info)
            self.clock.sleep(self.params["poll_interval"])

    def result(self, changed, info, before, after, deployment=None):
        result = {"changed": changed, "deployment": deployment if deployment is not None else deployment_result(info),
                  "progress": self.progress}
        if self.module._diff:
            result["diff"] = make_diff(before, after)
        return result


def main():
    argument_spec = dict(
        application_name=dict(type="str", required=True),
        deployment_group_name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "stopped"]),
        appspec_content=dict(type="str"),
        description=dict(type="str"),
        deployment_config_name=dict(type="str"),
        force=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=3600),
        poll_interval=dict(type="int", default=15),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors = validate_params(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    runner = DeploymentRunner(module, module.client("codedeploy"))
    try:
        result = runner.present() if module.params["state"] == "present" else runner.stopped()
    except DeploymentFailure as e:
        module.fail_json(msg=e.message, changed=runner.acted, deployment=deployment_result(e.deployment),
                         progress=runner.progress)
    except AnsibleAWSError as e:
        if e.exception is None:
            module.fail_json(msg=e.message, **e.kwargs)
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
