#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: codebuild_project
version_added: 0.1.0
short_description: Manage an AWS CodeBuild project, idempotently, with check and diff mode
description:
  - Create, converge and delete one AWS CodeBuild project, identified by O(name).
  - The options are those of M(community.aws.codebuild_project) that the platform uses, with the
    same names. Unlike that module, which calls C(UpdateProject) on every run of an existing
    project and compares afterwards, this one reads the project with C(BatchGetProjects),
    compares, and calls C(UpdateProject) only when something differs, sending only the
    members that differ. A run that changes nothing makes no write call.
  - "Only what the options set is compared; what AWS fills in is left alone: for example
    C(queuedTimeoutInMinutes), C(environment.privilegedMode) V(false),
    C(environment.imagePullCredentialsType) V(CODEBUILD), C(source.insecureSsl),
    C(artifacts.name), C(artifacts.packaging) and C(artifacts.encryptionDisabled), C(cache),
    C(logsConfig), C(badge). An environment variable without O(environment.environment_variables[].type)
    is compared as V(PLAINTEXT) (AWS's default), and the order of the environment variables does
    not matter."
  - "When one suboption of O(source), O(artifacts), O(environment) or O(cache) differs, AWS
    replaces that whole member: the module sends what AWS holds with the options' values
    merged in, so the suboptions that are not set stay as they are. When the C(type) changes
    (for example O(source.type) V(S3) to V(CODEPIPELINE)), only the options' suboptions are
    sent: settings of the old type do not carry over."
  - O(source.location) and O(artifacts.location) are checked before any AWS call against AWS's
    rules (no location for V(CODEPIPELINE) and V(NO_SOURCE) sources or V(CODEPIPELINE) and
    V(NO_ARTIFACTS) artifacts; one for V(S3) artifacts and an V(S3) cache).
  - Secondary sources and artifacts, VPC configuration, logs, file systems, batch builds and
    fleets are not managed; an update keeps them as they are.
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  name:
    description:
      - The name of the project, 2 to 150 letters, digits, C(-) and C(_), starting with a letter
        or digit.
    type: str
    required: true
  state:
    description:
      - V(present) creates the project or brings it in line with the options. Creating one needs
        O(source), O(artifacts), O(environment) and O(service_role).
      - V(absent) deletes it (C(DeleteProject)); nothing happens when it does not exist.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Descriptive text of the project (up to 255 characters).
    type: str
  service_role:
    description:
      - The ARN of the IAM role CodeBuild assumes for the builds, e.g.
        V(arn:aws:iam::123456789012:role/medtech-codebuild); its trust policy must allow
        C(codebuild.amazonaws.com). A role name (without C(arn:)) is compared with the name in
        the ARN AWS holds.
    type: str
  source:
    description:
      - Where the builds take their source from. Required to create a project.
    type: dict
    suboptions:
      type:
        description:
          - The type of the source.
        type: str
        required: true
        choices: [CODECOMMIT, CODEPIPELINE, GITHUB, GITHUB_ENTERPRISE, GITLAB, GITLAB_SELF_MANAGED, BITBUCKET, S3, NO_SOURCE]
      location:
        description:
          - The location of the source (repository URL, C(<bucket>/<key>) for V(S3)). Must not be
            set for V(CODEPIPELINE) and V(NO_SOURCE).
        type: str
      git_clone_depth:
        description:
          - The depth of the git clone (V(0) for a full clone).
        type: int
      buildspec:
        description:
          - The build specification (YAML text), or the path of a buildspec file in the source.
            Compared as text.
        type: str
      insecure_ssl:
        description:
          - Whether SSL warnings are ignored when connecting to the source (GitHub Enterprise).
        type: bool
  artifacts:
    description:
      - What the builds output. Required to create a project.
    type: dict
    suboptions:
      type:
        description:
          - The type of the output.
        type: str
        required: true
        choices: [CODEPIPELINE, NO_ARTIFACTS, S3]
      location:
        description:
          - The name of the S3 bucket, for V(S3) (required then). Must not be set for
            V(CODEPIPELINE) and V(NO_ARTIFACTS).
        type: str
      path:
        description:
          - The path in the bucket, for V(S3).
        type: str
      namespace_type:
        description:
          - Whether the build ID is part of the output's path, for V(S3).
        type: str
        choices: [NONE, BUILD_ID]
      name:
        description:
          - The name of the output (folder or ZIP file), for V(S3).
        type: str
      packaging:
        description:
          - V(NONE) for a folder, V(ZIP) for a ZIP file, for V(S3).
        type: str
        choices: [NONE, ZIP]
      encryption_disabled:
        description:
          - Whether the output is left unencrypted, for V(S3).
        type: bool
  cache:
    description:
      - The build cache.
    type: dict
    suboptions:
      type:
        description:
          - V(NO_CACHE) or V(S3).
        type: str
        required: true
        choices: [NO_CACHE, S3]
      location:
        description:
          - C(<bucket>/<prefix>) of the cache, for V(S3) (required then).
        type: str
  environment:
    description:
      - The build environment. Required to create a project.
    type: dict
    suboptions:
      type:
        description:
          - The type of the environment, e.g. V(LINUX_CONTAINER).
        type: str
        required: true
      image:
        description:
          - The image the builds run in, e.g. V(aws/codebuild/standard:7.0).
        type: str
        required: true
      compute_type:
        description:
          - The compute resources, e.g. V(BUILD_GENERAL1_SMALL) (3 GB memory, 2 vCPUs).
        type: str
        required: true
      environment_variables:
        description:
          - The environment variables of the builds. Their order does not matter.
          - Do not put secrets in V(PLAINTEXT) values (AWS shows them in the console and the
            module returns them); use V(PARAMETER_STORE) or V(SECRETS_MANAGER) with the name of
            the parameter or secret as O(environment.environment_variables[].value).
        type: list
        elements: dict
        suboptions:
          name:
            description: The name of the variable.
            type: str
            required: true
          value:
            description: The value (the parameter's or secret's name for those types).
            type: str
            required: true
          type:
            description: How O(environment.environment_variables[].value) is read; AWS's default is V(PLAINTEXT).
            type: str
            choices: [PLAINTEXT, PARAMETER_STORE, SECRETS_MANAGER]
            default: PLAINTEXT
      privileged_mode:
        description:
          - Whether the Docker daemon runs inside the build container (needed to build images).
        type: bool
  encryption_key:
    description:
      - The KMS key that encrypts the build output, as a key ARN or an alias (C(alias/<name>) or
        its ARN). An alias is compared with the alias in the ARN AWS holds. Without it, AWS uses
        the AWS managed key for S3 (C(alias/aws/s3)).
    type: str
  timeout_in_minutes:
    description:
      - How long, in minutes, a build may run before CodeBuild stops it (5 to 2160). When not
        set, a new project gets AWS's default, 60 minutes, and an existing one keeps its value.
    type: int
notes:
  - "Calls: C(codebuild:BatchGetProjects), C(codebuild:CreateProject), C(codebuild:UpdateProject)
    (also for the tags: CodeBuild has no tagging API), C(codebuild:DeleteProject), and
    C(iam:PassRole) on O(service_role)."
  - With O(tags), C(UpdateProject) sends the whole tag list (CodeBuild replaces it); with
    O(purge_tags=false) that list keeps the tags AWS holds.
  - "Failures: invalid options (C(Invalid options: ...), before any AWS call, each naming the
    option and the fix); creating a project without O(source), O(artifacts), O(environment) or
    O(service_role) (before any write); AWS's refusals (C(InvalidInputException),
    C(ResourceAlreadyExistsException), C(AccountLimitExceededException),
    C(AccessDeniedException), ...) as C(Failed to <action> the CodeBuild project <name>) with
    AWS's code and message."
seealso:
  - module: community.aws.codebuild_project
  - name: CodeBuild CreateProject API reference
    description: The members of a project and AWS's defaults.
    link: https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html
attributes:
  check_mode:
    support: full
    description:
      - Reads the project, decides every change, but writes nothing; RV(changed) is what a real
        run would report, RV(project) the project as it would be.
  diff_mode:
    support: full
    description:
      - Returns the managed members (description, service role, source, artifacts, cache,
        environment, encryption key, timeout, tags) before and after the run.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The integration tests of the API, run by CodePipeline
  medtech.aws_platform.codebuild_project:
    name: medtech-api-integration-tests
    description: API tests against staging
    service_role: arn:aws:iam::123456789012:role/medtech-codebuild
    source:
      type: CODEPIPELINE
      buildspec: |
        version: 0.2
        phases:
          build:
            commands:
              - pytest tests/api
    artifacts:
      type: CODEPIPELINE
    environment:
      type: LINUX_CONTAINER
      image: aws/codebuild/standard:7.0
      compute_type: BUILD_GENERAL1_SMALL
      environment_variables:
        - name: STAGING_BASE_URL
          value: https://staging.medtech.example
        - name: API_TOKEN
          value: prod/api/test-token
          type: SECRETS_MANAGER
    encryption_key: arn:aws:kms:eu-central-1:123456789012:alias/medtech
    timeout_in_minutes: 30
    tags:
      environment: prod
      managed-by: ansible
    purge_tags: true

- name: Raise the timeout only (everything else is left as it is)
  medtech.aws_platform.codebuild_project:
    name: medtech-api-integration-tests
    timeout_in_minutes: 45

- name: Delete the project
  medtech.aws_platform.codebuild_project:
    name: medtech-api-integration-tests
    state: absent
"""

RETURN = r"""
project:
  description:
    - The project as C(BatchGetProjects) returns it after the run, in snake_case, with its tags
      as a dictionary; C({}) when it does not exist.
    - In check mode the project as it would be; one that would be created has no ARN or dates.
  returned: always
  type: dict
  contains:
    name:
      description: The name of the project.
      returned: when the project exists
      type: str
      sample: medtech-api-integration-tests
    arn:
      description: The ARN of the project.
      returned: when the project exists (not in check mode before it is created)
      type: str
      sample: arn:aws:codebuild:eu-central-1:123456789012:project/medtech-api-integration-tests
    description:
      description: The description.
      returned: when set
      type: str
      sample: API tests against staging
    service_role:
      description: The ARN of the role the builds run with.
      returned: when the project exists
      type: str
      sample: arn:aws:iam::123456789012:role/medtech-codebuild
    source:
      description: The source (C(type), C(buildspec), C(location), C(insecure_ssl), ...).
      returned: when the project exists
      type: dict
      sample: {"type": "CODEPIPELINE", "buildspec": "version: 0.2\n", "insecure_ssl": false}
    artifacts:
      description: The output (C(type), C(location), C(name), C(packaging), ...).
      returned: when the project exists
      type: dict
      sample: {"type": "CODEPIPELINE", "name": "medtech-api-integration-tests", "packaging": "NONE"}
    cache:
      description: The cache.
      returned: when the project exists
      type: dict
      sample: {"type": "NO_CACHE"}
    environment:
      description: The environment (C(type), C(image), C(compute_type), C(environment_variables), C(privileged_mode), ...).
      returned: when the project exists
      type: dict
      sample: {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "compute_type": "BUILD_GENERAL1_SMALL",
               "environment_variables": [{"name": "STAGING_BASE_URL", "value": "https://staging.medtech.example", "type": "PLAINTEXT"}],
               "privileged_mode": false, "image_pull_credentials_type": "CODEBUILD"}
    encryption_key:
      description: The KMS key that encrypts the output.
      returned: when the project exists
      type: str
      sample: arn:aws:kms:eu-central-1:123456789012:alias/medtech
    timeout_in_minutes:
      description: The build timeout, in minutes.
      returned: when the project exists
      type: int
      sample: 30
    queued_timeout_in_minutes:
      description: How long, in minutes, a build may wait in the queue.
      returned: when the project exists (not in check mode before it is created)
      type: int
      sample: 480
    tags:
      description: The tags of the project.
      returned: always
      type: dict
      sample: {"environment": "prod", "managed-by": "ansible"}
    created:
      description: When the project was created (ISO 8601).
      returned: when the project exists (not in check mode before it is created)
      type: str
      sample: "2025-03-01T10:15:42.123000+00:00"
    last_modified:
      description: When the project was last changed (ISO 8601).
      returned: when the project exists (not in check mode before it is created)
      type: str
      sample: "2025-03-02T08:00:11.456000+00:00"
changed:
  description: Whether the project was (or, in check mode, would be) created, updated or deleted.
  returned: always
  type: bool
  sample: false
diff:
  description: The managed members of the project before and after the run (C({}) when it does not exist).
  returned: in diff mode
  type: dict
  sample:
    before: {"timeout_in_minutes": 30}
    after: {"timeout_in_minutes": 45}
"""

import copy
import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.codebuild import AnsibleCodeBuildError
from ansible_collections.medtech.aws_platform.plugins.module_utils.codebuild import codebuild_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.codebuild import create_project
from ansible_collections.medtech.aws_platform.plugins.module_utils.codebuild import delete_project
from ansible_collections.medtech.aws_platform.plugins.module_utils.codebuild import get_project
from ansible_collections.medtech.aws_platform.plugins.module_utils.codebuild import project_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.codebuild import update_project
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import expected_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import make_diff
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import normalize
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$")
TIMEOUT_RANGE = (5, 2160)
#: the suboptions of each dict option and their API names
SUBOPTIONS = {
    "source": {"type": "type", "location": "location", "git_clone_depth": "gitCloneDepth",
               "buildspec": "buildspec", "insecure_ssl": "insecureSsl"},
    "artifacts": {"type": "type", "location": "location", "path": "path", "namespace_type": "namespaceType",
                  "name": "name", "packaging": "packaging", "encryption_disabled": "encryptionDisabled"},
    "cache": {"type": "type", "location": "location"},
    "environment": {"type": "type", "image": "image", "compute_type": "computeType",
                    "environment_variables": "environmentVariables", "privileged_mode": "privilegedMode"},
}
#: the scalar options and their API names
SCALARS = {"description": "description", "service_role": "serviceRole", "encryption_key": "encryptionKey",
           "timeout_in_minutes": "timeoutInMinutes"}
#: the API members this module manages, in the order the diff shows them
MANAGED = ("description", "serviceRole", "source", "artifacts", "cache", "environment", "encryptionKey",
           "timeoutInMinutes")
#: what each option must (True) or must not (False) have for a type, and why
LOCATION_RULES = {
    ("source", "CODEPIPELINE"): False, ("source", "NO_SOURCE"): False,
    ("artifacts", "CODEPIPELINE"): False, ("artifacts", "NO_ARTIFACTS"): False,
    ("artifacts", "S3"): True, ("cache", "S3"): True,
}


# --- validation and the wanted members (no AWS call) ---------------------------------------------
def validate_params(params):
    """Check every option before any AWS call; return the messages (empty when valid)."""
    errors = []
    name = params["name"]
    if not NAME_PATTERN.match(name):
        errors.append(
            f"name {name!r} is not a CodeBuild project name: use 2 to 150 letters, digits, - and _, "
            "starting with a letter or digit"
        )
    if params["state"] == "absent":
        return errors
    timeout = params.get("timeout_in_minutes")
    if timeout is not None and not TIMEOUT_RANGE[0] <= timeout <= TIMEOUT_RANGE[1]:
        errors.append(
            f"timeout_in_minutes {timeout} is out of range: give {TIMEOUT_RANGE[0]} to {TIMEOUT_RANGE[1]} minutes"
        )
    description = params.get("description")
    if description is not None and len(description) > 255:
        errors.append(f"description has {len(description)} characters: CodeBuild allows 255; shorten it")
    for (option, kind), needed in LOCATION_RULES.items():
        settings = params.get(option)
        if not settings or settings.get("type") != kind:
            continue
        has = bool(settings.get("location"))
        if needed and not has:
            errors.append(f"{option}.location is required for {option}.type {kind}: set it")
        if has and not needed:
            errors.append(
                f"{option}.location must not be set for {option}.type {kind} (AWS refuses it): remove it"
            )
    environment = params.get("environment") or {}
    names = [item["name"] for item in environment.get("environment_variables") or []]
    for item in names:
        if not item:
            errors.append("environment.environment_variables: a variable has an empty name: name it")
    doubles = sorted({item for item in names if item and names.count(item) > 1})
    if doubles:
        errors.append(
            f"environment.environment_variables: {', '.join(doubles)} set more than once: keep one of each"
        )
    for key in params.get("tags") or {}:
        if str(key).lower().startswith("aws:"):
            errors.append(f"tags: the key {key!r} starts with aws:, which AWS reserves: rename or remove it")
    return errors


def wanted_members(params):
    """The API members the options set (camelCase; only the suboptions that are set)."""
    wanted = {}
    for option, member in SCALARS.items():
        if params.get(option) is not None:
            wanted[member] = params[option]
    for option, keys in SUBOPTIONS.items():
        settings = params.get(option)
        if settings is None:
            continue
        value = {keys[key]: item for key, item in settings.items() if item is not None}
        if "environmentVariables" in value:
            value["environmentVariables"] = [
                {"name": v["name"], "value": v["value"], "type": v.get("type") or "PLAINTEXT"}
                for v in value["environmentVariables"]
            ]
        wanted[option] = value
    return wanted


# --- comparing ---------------------------------------------------------------------------------------
def _arn_resource(value):
    """The resource part of an ARN (``role/x``, ``alias/x``, ``key/...``), or the value itself."""
    if isinstance(value, str) and value.startswith("arn:"):
        return value.split(":", 5)[-1]
    return value


def same_reference(member, wanted, have):
    """Whether a service role / KMS key given as a name or alias is the one AWS holds as an ARN."""
    if wanted == have:
        return True
    if not isinstance(wanted, str) or not isinstance(have, str) or wanted.startswith("arn:"):
        return False
    if member == "serviceRole":
        return _arn_resource(have).rsplit("/", 1)[-1] == wanted
    if member == "encryptionKey":
        return wanted.startswith("alias/") and _arn_resource(have) == wanted
    return False


def comparable(member, value):
    """A member in a form where equal settings compare equal (environment variables sorted by
    name with AWS's default type, missing description as empty, numbers as text)."""
    if member == "description":
        return value or ""
    if member == "environment" and isinstance(value, dict):
        value = dict(value)
        value["environmentVariables"] = sorted(
            ({"name": v.get("name"), "value": v.get("value"), "type": v.get("type") or "PLAINTEXT"}
             for v in value.get("environmentVariables") or []),
            key=lambda v: v["name"] or "",
        )
    return normalize(value, numbers_as_strings=True)


def merged(member, wanted, have):
    """The member as it is sent: what AWS holds with the options' suboptions merged in; only the
    options' suboptions when the type changes or AWS holds nothing."""
    if not isinstance(wanted, dict):
        return wanted
    if not have or have.get("type") != wanted.get("type"):
        return copy.deepcopy(wanted)
    value = copy.deepcopy(have)
    value.update(copy.deepcopy(wanted))
    return value


def plan_changes(project, wanted):
    """The members of an existing ``project`` (as BatchGetProjects returns it) that differ from
    ``wanted``: ``{member: value to send}``; ``{}`` when nothing differs."""
    changes = {}
    for member, value in wanted.items():
        have = project.get(member)
        if isinstance(value, dict):
            value = merged(member, value, have)
            if comparable(member, value) != comparable(member, have):
                changes[member] = value
        elif not same_reference(member, value, have) and comparable(member, value) != comparable(member, have):
            changes[member] = value
    return changes


# --- showing -------------------------------------------------------------------------------------------
def project_view(project):
    """A Project (camelCase) as RV(project): snake_case, tags as a dict."""
    raw = copy.deepcopy(project)
    raw.pop("tags", None)
    view = boto3_resource_to_ansible_dict(raw, transform_tags=False, force_tags=False)
    view["tags"] = project_tags(project)
    return view


def diff_view(project):
    """The managed members of a Project for ``diff`` (snake_case, tags as a dict)."""
    if not project:
        return {}
    raw = {member: project[member] for member in MANAGED if project.get(member) is not None}
    view = boto3_resource_to_ansible_dict(raw, transform_tags=False, force_tags=False) if raw else {}
    view = {key: view[key] for key in sorted(view)}
    view["name"] = project.get("name")
    view["tags"] = project_tags(project)
    return view


# --- compare and act -------------------------------------------------------------------------------
class ProjectManager(ResourceManager):
    """One project, identified by its name. ``read()`` returns the Project as AWS has it."""

    result_key = "project"

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params = module.params
        self.name = self.params["name"]
        self.wanted = wanted_members(self.params)
        self.changes = {}

    def read(self):
        return get_project(self.client, self.name)

    def _tags_to_send(self, current):
        """The whole tag list to send, or None when the tags are as wanted."""
        tags = self.params["tags"]
        if tags is None:
            return None
        to_set, to_unset = compare_aws_tags(project_tags(current), tags, self.params["purge_tags"])
        if not to_set and not to_unset:
            return None
        return codebuild_tags(expected_tags(project_tags(current), tags, self.params["purge_tags"]))

    def check_create(self):
        """Fail (before any write, in check mode too) when the options cannot create the project."""
        missing = [option for option in ("source", "artifacts", "environment", "service_role")
                   if self.params.get(option) is None]
        if missing:
            raise AnsibleCodeBuildError(
                message=f"The CodeBuild project {self.name} does not exist, and creating it needs "
                f"{', '.join(missing)}: set them"
            )

    def create(self):
        self.check_create()
        settings = copy.deepcopy(self.wanted)
        if self.params["tags"]:
            settings["tags"] = codebuild_tags(self.params["tags"])
        create_project(self.client, self.name, settings)

    def update(self, current):
        self.changes = plan_changes(current, self.wanted)
        tags = self._tags_to_send(current)
        if tags is not None:
            self.changes["tags"] = tags
        if self.changes:
            self.act(update_project, self.client, self.name, self.changes)

    def delete(self, current):
        delete_project(self.client, self.name)

    def expected(self, current):
        """The Project as the run would leave it (check mode)."""
        if current is None:
            self.check_create()
            project = {"name": self.name, **copy.deepcopy(self.wanted)}
            if self.params["tags"]:
                project["tags"] = codebuild_tags(self.params["tags"])
            return project
        project = copy.deepcopy(current)
        project.update(copy.deepcopy(self.changes))
        return project

    def result(self, before, after):
        result = {"changed": self.changed, "project": project_view(after) if after else {}}
        if getattr(self.module, "_diff", False):
            result["diff"] = make_diff(diff_view(before), diff_view(after))
        return result


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        description=dict(type="str"),
        service_role=dict(type="str"),
        source=dict(
            type="dict",
            options=dict(
                type=dict(type="str", required=True, choices=[
                    "CODECOMMIT", "CODEPIPELINE", "GITHUB", "GITHUB_ENTERPRISE", "GITLAB", "GITLAB_SELF_MANAGED",
                    "BITBUCKET", "S3", "NO_SOURCE"]),
                location=dict(type="str"),
                git_clone_depth=dict(type="int"),
                buildspec=dict(type="str"),
                insecure_ssl=dict(type="bool"),
            ),
        ),
        artifacts=dict(
            type="dict",
            options=dict(
                type=dict(type="str", required=True, choices=["CODEPIPELINE", "NO_ARTIFACTS", "S3"]),
                location=dict(type="str"),
                path=dict(type="str"),
                namespace_type=dict(type="str", choices=["NONE", "BUILD_ID"]),
                name=dict(type="str"),
                packaging=dict(type="str", choices=["NONE", "ZIP"]),
                encryption_disabled=dict(type="bool"),
            ),
        ),
        cache=dict(
            type="dict",
            options=dict(
                type=dict(type="str", required=True, choices=["NO_CACHE", "S3"]),
                location=dict(type="str"),
            ),
        ),
        environment=dict(
            type="dict",
            options=dict(
                type=dict(type="str", required=True),
                image=dict(type="str", required=True),
                compute_type=dict(type="str", required=True),
                environment_variables=dict(
                    type="list",
                    elements="dict",
                    options=dict(
                        name=dict(type="str", required=True),
                        value=dict(type="str", required=True, no_log=False),
                        type=dict(type="str", default="PLAINTEXT",
                                  choices=["PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER"]),
                    ),
                ),
                privileged_mode=dict(type="bool"),
            ),
        ),
        encryption_key=dict(type="str", no_log=False),  # a KMS key ARN or alias, not a secret
        timeout_in_minutes=dict(type="int"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    errors = validate_params(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    client = module.client("codebuild")
    run_manager(module, ProjectManager(module, client))


if __name__ == "__main__":
    main()
