#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: codepipeline
version_added: 0.1.0
short_description: Manage an AWS CodePipeline pipeline, idempotently, with check and diff mode
description:
  - Create, converge and delete one AWS CodePipeline pipeline, identified by O(name).
  - Unlike M(community.aws.codepipeline), which calls C(UpdatePipeline) on every run (AWS then
    bumps the pipeline's version, so every run reports a change), this module reads the
    pipeline with C(GetPipeline) and calls C(UpdatePipeline) only when the wanted pipeline
    differs from it.
  - "The comparison ignores what is not part of the declaration (version, metadata) and what
    AWS fills in: a missing C(runOrder) counts as V(1), missing or empty C(configuration),
    C(inputArtifacts) and C(outputArtifacts) are the same, configuration values compare as
    strings (V(false), V(\"false\") and, for JSON strings such as CodeBuild's
    C(EnvironmentVariables), the same JSON in any key order), the order of configuration keys
    does not matter, and actions within a stage are compared sorted by C(runOrder) and name
    (their list order does not change how the pipeline runs). The order of the stages and of
    C(inputArtifacts) matters (the first input of a CodeBuild action is its primary source)."
  - Pipeline variables and triggers (V2) are not managed; an update keeps them as they are.
  - Every option is checked before the first AWS call (see O(stages)).
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  name:
    description:
      - The name of the pipeline, 1 to 100 letters, digits and C(.@-_).
    type: str
    required: true
  state:
    description:
      - V(present) creates the pipeline or brings it in line with the options;
        O(role_arn), O(artifact_store) and O(stages) are then required.
      - V(absent) deletes it (C(DeletePipeline)); nothing happens when it does not exist.
    type: str
    choices: [present, absent]
    default: present
  role_arn:
    description:
      - The ARN of the IAM role CodePipeline assumes, e.g.
        V(arn:aws:iam::123456789012:role/medtech-pipeline). Its trust policy must allow
        C(codepipeline.amazonaws.com); AWS refuses the pipeline otherwise
        (C(InvalidStructureException)).
    type: str
  artifact_store:
    description:
      - The S3 bucket where the pipeline keeps its artifacts (one region; cross-region
        C(artifactStores) are not supported).
    type: dict
    suboptions:
      type:
        description: The type of the artifact store; only V(S3) exists.
        type: str
        choices: [S3]
        default: S3
      location:
        description: The name of the S3 bucket (not its ARN), in the pipeline's region.
        type: str
        required: true
      encryption_key:
        description:
          - The KMS key the artifacts are encrypted with; without it, AWS uses the AWS managed
            key for S3.
        type: dict
        suboptions:
          id:
            description: The key's ID, ARN or alias ARN.
            type: str
            required: true
          type:
            description: The type of the key; only V(KMS) exists.
            type: str
            choices: [KMS]
            default: KMS
  stages:
    description:
      - The stages of the pipeline, in order, each a C(StageDeclaration) as the CodePipeline API
        takes it, in the API's camelCase (as in M(community.aws.codepipeline)); see the examples.
      - "A stage has C(name) and C(actions) (and optionally C(blockers), C(onFailure),
        C(onSuccess), C(beforeEntry)); an action has C(name), C(actionTypeId) (C(category),
        C(owner), C(provider), C(version)) and optionally C(runOrder), C(configuration),
        C(inputArtifacts) and C(outputArtifacts) (lists of C({name: ...})), C(roleArn),
        C(namespace), C(region), C(timeoutInMinutes), C(commands), C(outputVariables),
        C(environmentVariables)."
      - The shape is checked against the API's model before any AWS call (unknown or
        misspelt keys, missing required keys, wrong types), and so are AWS's rules - at least
        2 stages; the first stage holds only C(Source) actions and no other stage holds one;
        stage names unique, action names unique within a stage; every C(inputArtifacts) name is
        an C(outputArtifacts) name of an action in an earlier stage or with a lower
        C(runOrder) in the same stage; every output artifact name is used once; C(category)
        and C(owner) are valid; configuration values are strings.
      - Configuration values that are numbers or booleans are converted to strings
        (V(false) becomes V("false"), as AWS expects for C(PollForSourceChanges)); lists and
        dictionaries are refused (give a JSON string, e.g. with the C(to_json) filter).
      - A C(runOrder) given as a string of digits is converted to an integer.
    type: list
    elements: dict
  pipeline_type:
    description:
      - The pipeline type. V(V2) supports the QUEUED and PARALLEL execution modes, variables and
        triggers; V(V1) only SUPERSEDED.
    type: str
    choices: [V1, V2]
    default: V2
  execution_mode:
    description:
      - How runs that overlap are handled. V(QUEUED) and V(PARALLEL) need O(pipeline_type=V2).
    type: str
    choices: [QUEUED, SUPERSEDED, PARALLEL]
    default: SUPERSEDED
  require_approval_notification:
    description:
      - When V(true), every manual approval action (category C(Approval), provider
        C(Manual)) must set C(configuration.NotificationArn) (an SNS topic ARN), so an approval
        cannot wait unnoticed. Checked before any AWS call.
    type: bool
    default: false
notes:
  - "Calls: C(codepipeline:GetPipeline), C(codepipeline:CreatePipeline),
    C(codepipeline:UpdatePipeline), C(codepipeline:DeletePipeline),
    C(codepipeline:ListTagsForResource), C(codepipeline:TagResource),
    C(codepipeline:UntagResource), and C(iam:PassRole) on O(role_arn) (and on every action's
    C(roleArn))."
  - After C(UpdatePipeline) the new version is read with C(GetPipeline); while AWS answers
    C(PipelineVersionNotFoundException) (not yet visible) it is read again, up to 5 times.
  - Configuration values that AWS keeps secret (it returns them as C(****), e.g. a GitHub
    version 1 C(OAuthToken)) cannot be compared; they count as unchanged, and C(OAuthToken)
    is shown as C(****) in the results and the diff.
  - "Failures: invalid options (C(Invalid options: ...), before any AWS call, each naming the
    option and the fix); a pipeline that uses cross-region C(artifactStores) (before any
    write); AWS's refusals (C(InvalidStructureException), C(InvalidActionDeclarationException),
    C(InvalidStageDeclarationException), C(PipelineNameInUseException), ...) and any other API
    error as C(Failed to <action> the pipeline <name>) with AWS's code and message."
seealso:
  - module: community.aws.codepipeline
  - name: CodePipeline pipeline structure reference
    description: Stages, actions, artifacts and the rules AWS checks.
    link: https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-pipeline-structure.html
attributes:
  check_mode:
    support: full
    description:
      - Reads the pipeline and its tags, decides every change, but writes nothing; RV(changed)
        is what a real run would report, RV(pipeline) the pipeline as it would be.
  diff_mode:
    support: full
    description:
      - Returns the role, artifact store, type, execution mode, stages (C(runOrder) filled in,
        empty lists left out) and tags before and after the run.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The API's release pipeline, S3 source to ECS blue/green, with a manual approval
  medtech.aws_platform.codepipeline:
    name: medtech-api-release
    role_arn: arn:aws:iam::123456789012:role/medtech-codepipeline
    artifact_store:
      location: medtech-pipeline-artifacts
      encryption_key:
        id: arn:aws:kms:eu-central-1:123456789012:alias/medtech-pipeline
    pipeline_type: V2
    execution_mode: QUEUED
    require_approval_notification: true
    stages:
      - name: Source
        actions:
          - name: Source
            actionTypeId: {category: Source, owner: AWS, provider: S3, version: "1"}
            configuration:
              S3Bucket: medtech-releases
              S3ObjectKey: api/release.zip
              PollForSourceChanges: false
            outputArtifacts: [{name: SourceOutput}]
      - name: Build
        actions:
          - name: Build
            actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: "1"}
            configuration:
              ProjectName: medtech-api
            inputArtifacts: [{name: SourceOutput}]
            outputArtifacts: [{name: BuildOutput}]
      - name: Approve
        actions:
          - name: Approve
            actionTypeId: {category: Approval, owner: AWS, provider: Manual, version: "1"}
            configuration:
              NotificationArn: arn:aws:sns:eu-central-1:123456789012:medtech-approvals
      - name: Deploy
        actions:
          - name: Deploy
            actionTypeId: {category: Deploy, owner: AWS, provider: CodeDeployToECS, version: "1"}
            configuration:
              ApplicationName: medtech-api
              DeploymentGroupName: medtech-api-prod
              TaskDefinitionTemplateArtifact: BuildOutput
              AppSpecTemplateArtifact: BuildOutput
            inputArtifacts: [{name: BuildOutput}]
    tags:
      environment: prod
      project: medtech
      managed-by: ansible
  register: pipeline

- name: Delete the pipeline
  medtech.aws_platform.codepipeline:
    name: medtech-api-release
    state: absent
"""

RETURN = r"""
pipeline:
  description:
    - The pipeline as C(GetPipeline) returns it after the run, in snake_case, with the ARN and
      dates of its metadata; C({}) when it does not exist.
    - RV(pipeline.stages) is kept exactly as AWS returns it, in the API's camelCase, because
      configuration keys are defined by each action provider (C(BucketName) must not become
      C(bucket_name)) and so the stages can be passed back to O(stages) unchanged.
    - In check mode the pipeline as it would be; one that would be created has no ARN,
      version or dates.
  returned: always
  type: dict
  contains:
    name:
      description: The name of the pipeline.
      returned: when the pipeline exists
      type: str
      sample: medtech-api-release
    pipeline_arn:
      description: The ARN of the pipeline.
      returned: when the pipeline exists (not in check mode before it is created)
      type: str
      sample: arn:aws:codepipeline:eu-central-1:123456789012:medtech-api-release
    role_arn:
      description: The IAM role CodePipeline assumes.
      returned: when the pipeline exists
      type: str
      sample: arn:aws:iam::123456789012:role/medtech-codepipeline
    artifact_store:
      description: The artifact store.
      returned: when the pipeline exists
      type: dict
      sample: {"type": "S3", "location": "medtech-pipeline-artifacts"}
    stages:
      description: The stages, as AWS returns them (camelCase, C(runOrder) filled in).
      returned: when the pipeline exists
      type: list
      elements: dict
      sample: [{"name": "Source", "actions": [{"name": "Source", "runOrder": 1,
               "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
               "configuration": {"S3Bucket": "medtech-releases", "S3ObjectKey": "api/release.zip"},
               "outputArtifacts": [{"name": "SourceOutput"}], "inputArtifacts": []}]}]
    version:
      description: The version of the pipeline; AWS adds 1 on each C(UpdatePipeline).
      returned: when the pipeline exists (not in check mode before it is created)
      type: int
      sample: 3
    pipeline_type:
      description: V(V1) or V(V2).
      returned: when the pipeline exists
      type: str
      sample: V2
    execution_mode:
      description: V(QUEUED), V(SUPERSEDED) or V(PARALLEL).
      returned: when the pipeline exists
      type: str
      sample: SUPERSEDED
    created:
      description: When the pipeline was created (ISO 8601).
      returned: when the pipeline exists (not in check mode before it is created)
      type: str
      sample: "2025-03-01T10:15:42.123000+00:00"
    updated:
      description: When the pipeline was last updated (ISO 8601).
      returned: when the pipeline exists (not in check mode before it is created)
      type: str
      sample: "2025-03-02T08:00:11.456000+00:00"
tags:
  description: The tags of the pipeline after the run (C({}) when it does not exist).
  returned: always
  type: dict
  sample: {"environment": "prod", "managed-by": "ansible"}
changed:
  description: Whether the pipeline was (or, in check mode, would be) created, updated, tagged or deleted.
  returned: always
  type: bool
  sample: false
diff:
  description: The managed parts of the pipeline before and after the run (C({}) when it does not exist).
  returned: in diff mode
  type: dict
  sample:
    before: {}
    after:
      role_arn: arn:aws:iam::123456789012:role/medtech-codepipeline
      artifact_store: {"type": "S3", "location": "medtech-pipeline-artifacts"}
      pipeline_type: V2
      execution_mode: SUPERSEDED
      stages: []
      tags: {}
"""

import copy
import re

try:
    from botocore.validate import ParamValidator
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore to the user.

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.codepipeline import AnsibleCodePipelineError
from ansible_collections.medtech.aws_platform.plugins.module_utils.codepipeline import create_pipeline
from ansible_collections.medtech.aws_platform.plugins.module_utils.codepipeline import delete_pipeline
from ansible_collections.medtech.aws_platform.plugins.module_utils.codepipeline import get_pipeline
from ansible_collections.medtech.aws_platform.plugins.module_utils.codepipeline import get_pipeline_version
from ansible_collections.medtech.aws_platform.plugins.module_utils.codepipeline import list_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.codepipeline import tag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.codepipeline import untag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.codepipeline import update_pipeline
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import expected_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import make_diff
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import normalize
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager

NAME_PATTERN = re.compile(r"^[A-Za-z0-9.@_-]{1,100}$")
ROLE_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")
CATEGORIES = ("Source", "Build", "Deploy", "Test", "Invoke", "Approval", "Compute")
OWNERS = ("AWS", "ThirdParty", "Custom")
#: what AWS returns in place of a configuration value it keeps secret
MASK = "****"
#: configuration keys never shown in output (AWS masks them in GetPipeline too)
SECRET_CONFIGURATION_KEYS = ("OAuthToken",)
#: the declaration's keys this module manages; the others (variables, triggers) are kept
MANAGED = ("roleArn", "artifactStore", "stages", "pipelineType", "executionMode")
#: what AWS assumes when GetPipeline leaves these out
PIPELINE_DEFAULTS = {"pipelineType": "V1", "executionMode": "SUPERSEDED"}


# --- validation and preparation (no AWS call) ------------------------------------------------
def _string_value(value):
    """A configuration value as the string AWS stores, or None when it cannot be one."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return None


def prepare_stages(stages):
    """A copy of ``stages`` ready for the API: configuration scalars as strings, a ``runOrder``
    of digits as an int.

    :return: ``(stages, errors)``; an error names the option path and the fix.
    """
    errors = []
    prepared = copy.deepcopy(stages)
    for s, stage in enumerate(prepared):
        if not isinstance(stage, dict):
            continue
        for a, action in enumerate(stage.get("actions") or []):
            if not isinstance(action, dict):
                continue
            path = f"stages[{s}].actions[{a}]"
            run_order = action.get("runOrder")
            if isinstance(run_order, str) and run_order.isdigit():
                action["runOrder"] = int(run_order)
            configuration = action.get("configuration")
            if not isinstance(configuration, dict):
                continue
            for key, value in configuration.items():
                text = _string_value(value)
                if text is None:
                    kind = "null" if value is None else type(value).__name__
                    errors.append(
                        f"{path}.configuration.{key} is a {kind}: configuration values must be strings; "
                        "give a string (a JSON string for structured values, e.g. with the to_json filter)"
                        + (" or remove the key" if value is None else "")
                    )
                else:
                    configuration[key] = text
    return prepared, errors


def shape_errors(declaration, service_model):
    """Check a PipelineDeclaration against the API model (botocore's own validator, no call).

    :return: a list of messages, ``pipeline.stages`` renamed to the option ``stages``.
    """
    input_shape = service_model.operation_model("CreatePipeline").input_shape
    report = ParamValidator().validate({"pipeline": declaration}, input_shape)
    if not report.has_errors():
        return []
    lines = report.generate_report().splitlines()
    renamed = []
    for line in lines:
        line = line.replace("pipeline.stages", "stages").replace("pipeline.artifactStore", "artifact_store")
        renamed.append(f"{line}: fix the key or value as the CodePipeline API reference describes it")
    return renamed


def _names(items):
    return [item.get("name") for item in items or [] if isinstance(item, dict)]


def rule_errors(stages, require_approval_notification):
    """AWS's structural rules for the stages, checked before any call.

    :param stages: the prepared stages (their shape already checked).
    :return: a list of messages, each naming the stage/action and the fix.
    """
    errors = []
    if len(stages) < 2:
        errors.append(f"stages has {len(stages)} stage(s): a pipeline needs at least 2 (a Source stage and one more)")
    stage_names = _names(stages)
    doubles = sorted({name for name in stage_names if stage_names.count(name) > 1})
    if doubles:
        errors.append(f"stages: the stage name(s) {', '.join(doubles)} are used more than once: give each stage its own name")

    produced = set()
    producers = {}
    for s, stage in enumerate(stages):
        label = f"stages[{s}] ({stage.get('name')})"
        actions = stage.get("actions") or []
        if not actions:
            errors.append(f"{label} has no actions: add at least one")
        action_names = _names(actions)
        doubles = sorted({name for name in action_names if action_names.count(name) > 1})
        if doubles:
            errors.append(f"{label}: the action name(s) {', '.join(doubles)} are used more than once in the stage: rename them")
        for action in actions:
            type_id = action.get("actionTypeId") or {}
            where = f"{label} action {action.get('name')!r}"
            category, provider = type_id.get("category"), type_id.get("provider")
            if category not in CATEGORIES:
                errors.append(f"{where}: actionTypeId.category {category!r} is not one of {', '.join(CATEGORIES)}")
            if type_id.get("owner") not in OWNERS:
                errors.append(f"{where}: actionTypeId.owner {type_id.get('owner')!r} is not one of {', '.join(OWNERS)}")
            if s == 0 and category != "Source":
                errors.append(
                    f"{where} is a {category} action: the first stage may hold only Source actions; "
                    "move it to a later stage"
                )
            if s > 0 and category == "Source":
                errors.append(f"{where} is a Source action: Source actions belong in the first stage only; move it there")
            configuration = action.get("configuration") or {}
            if (require_approval_notification and category == "Approval" and provider == "Manual"
                    and not configuration.get("NotificationArn")):
                errors.append(
                    f"{where} is a manual approval without configuration.NotificationArn, which "
                    "require_approval_notification=true demands: set NotificationArn to an SNS topic ARN"
                )
        # artifacts: an input must come from an earlier stage or a lower runOrder in this stage
        for run_order in sorted({action.get("runOrder") or 1 for action in actions}):
            batch = [action for action in actions if (action.get("runOrder") or 1) == run_order]
            for action in batch:
                for artifact in _names(action.get("inputArtifacts")):
                    if artifact not in produced:
                        errors.append(
                            f"{label} action {action.get('name')!r}: inputArtifacts {artifact!r} is not an "
                            "outputArtifacts name of any action in an earlier stage or with a lower runOrder: "
                            "fix the name, or produce it earlier"
                        )
            for action in batch:
                for artifact in _names(action.get("outputArtifacts")):
                    if artifact in producers:
                        errors.append(
                            f"{label} action {action.get('name')!r}: outputArtifacts {artifact!r} is already "
                            f"produced by {producers[artifact]}: give each output artifact its own name"
                        )
                    producers[artifact] = f"{label} action {action.get('name')!r}"
                    produced.add(artifact)
    return errors


def artifact_store_to_boto3(option):
    """The artifact_store option as the API's ArtifactStore."""
    store = {"type": option.get("type") or "S3", "location": option["location"]}
    key = option.get("encryption_key")
    if key:
        store["encryptionKey"] = {"id": key["id"], "type": key.get("type") or "KMS"}
    return store


def desired_declaration(params, stages):
    """The PipelineDeclaration the options describe (without ``version``)."""
    return {
        "name": params["name"],
        "roleArn": params["role_arn"],
        "artifactStore": artifact_store_to_boto3(params["artifact_store"]),
        "stages": stages,
        "pipelineType": params["pipeline_type"],
        "executionMode": params["execution_mode"],
    }


def validate_params(params, service_model):
    """Check every option before any AWS call.

    :return: ``(declaration, errors)``: the PipelineDeclaration to create or compare with
        (None with state=absent), and the messages (empty when valid).
    """
    errors = []
    name = params["name"]
    if not NAME_PATTERN.match(name):
        errors.append(f"name {name!r} is not a pipeline name: use 1 to 100 letters, digits and . @ - _")
    if params["state"] == "absent":
        return None, errors
    if not ROLE_ARN_PATTERN.match(params["role_arn"]):
        errors.append(
            f"role_arn {params['role_arn']!r} is not an IAM role ARN: give arn:aws:iam::<account>:role/<name>"
        )
    if params["pipeline_type"] == "V1" and params["execution_mode"] != "SUPERSEDED":
        errors.append(
            f"execution_mode {params['execution_mode']} needs pipeline_type V2: set pipeline_type: V2 "
            "or execution_mode: SUPERSEDED"
        )
    for key in params.get("tags") or {}:
        if str(key).lower().startswith("aws:"):
            errors.append(f"tags: the key {key!r} starts with aws:, which AWS reserves: rename or remove it")
    stages, conversion_errors = prepare_stages(params["stages"])
    errors.extend(conversion_errors)
    declaration = desired_declaration(params, stages)
    structure = shape_errors(declaration, service_model)
    errors.extend(structure)
    if not structure and not conversion_errors:
        errors.extend(rule_errors(stages, params["require_approval_notification"]))
    return declaration, errors


# --- comparing and showing ------------------------------------------------------------------
def _prune(value):
    """``value`` without None, empty lists and empty dicts (AWS and users omit them alike)."""
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in (None, [], {})}
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def display_stages(stages):
    """Stages as the diff shows them: ``runOrder`` filled in, empty values left out, secret
    configuration values masked; the order as given."""
    shown = []
    for stage in _prune(copy.deepcopy(stages or [])):
        for action in stage.get("actions") or []:
            action.setdefault("runOrder", 1)
            for key in SECRET_CONFIGURATION_KEYS:
                if key in (action.get("configuration") or {}):
                    action["configuration"][key] = MASK
        shown.append(stage)
    return shown


def comparable(declaration):
    """The managed part of a PipelineDeclaration in a form where equal pipelines compare equal."""
    view = {key: declaration.get(key) for key in MANAGED}
    for key, default in PIPELINE_DEFAULTS.items():
        view[key] = view[key] or default
    stages = display_stages(view["stages"])
    for stage in stages:
        stage["actions"] = sorted(stage.get("actions") or [], key=lambda a: (a.get("runOrder") or 1, a.get("name") or ""))
    view["stages"] = stages
    return normalize(_prune(view), numbers_as_strings=True)


def mask_like(declaration, current):
    """A copy of the wanted ``declaration`` whose configuration values are ``****`` where the
    current pipeline's are (AWS does not return secret values, so they cannot be compared)."""
    masked = copy.deepcopy(declaration)
    current_actions = {
        (stage.get("name"), action.get("name")): action.get("configuration") or {}
        for stage in current.get("stages") or []
        for action in stage.get("actions") or []
    }
    for stage in masked.get("stages") or []:
        for action in stage.get("actions") or []:
            have = current_actions.get((stage.get("name"), action.get("name")), {})
            for key, value in have.items():
                if value == MASK and key in (action.get("configuration") or {}):
                    action["configuration"][key] = MASK
    return masked


def pipeline_view(declaration, metadata=None):
    """A PipelineDeclaration (+ metadata) as RV(pipeline): snake_case, stages as AWS has them."""
    raw = copy.deepcopy(declaration)
    raw["stages"] = display_stages(raw.get("stages")) if raw.get("stages") is not None else []
    for key, value in PIPELINE_DEFAULTS.items():
        raw.setdefault(key, value)
    for key in ("pipelineArn", "created", "updated"):
        if (metadata or {}).get(key) is not None:
            raw[key] = metadata[key]
    view = boto3_resource_to_ansible_dict(raw, transform_tags=False, force_tags=False, ignore_list=["stages"])
    view["stages"] = raw["stages"]
    return view


def diff_view(record):
    """The managed parts of a module record (``{"pipeline", "tags"}``) for ``diff``."""
    if not record:
        return {}
    pipeline = record["pipeline"]
    return {
        "name": pipeline.get("name"),
        "role_arn": pipeline.get("role_arn"),
        "artifact_store": pipeline.get("artifact_store"),
        "pipeline_type": pipeline.get("pipeline_type"),
        "execution_mode": pipeline.get("execution_mode"),
        "stages": display_stages(pipeline.get("stages")),
        "tags": dict(record.get("tags") or {}),
    }


# --- compare and act ------------------------------------------------------------------------
class PipelineManager(ResourceManager):
    """One pipeline, identified by its name. ``read()`` returns ``{"pipeline", "tags"}``."""

    result_key = "pipeline"

    def __init__(self, module, client, declaration):
        super().__init__(module, client)
        self.params = module.params
        self.name = self.params["name"]
        self.declaration = declaration
        self.raw = None  # the last GetPipeline answer
        self.new_version = None  # the version UpdatePipeline returned
        self.planned = {"pipeline": False, "tags": ({}, [])}

    def read(self):
        if self.new_version is not None:
            self.raw = get_pipeline_version(self.client, self.name, self.new_version)
        else:
            self.raw = get_pipeline(self.client, self.name)
        if self.raw is None:
            return None
        arn = self.raw["metadata"].get("pipelineArn")
        tags = list_tags(self.client, arn) if arn else {}
        return {"pipeline": pipeline_view(self.raw["pipeline"], self.raw["metadata"]), "tags": tags}

    def plan(self, current):
        declaration = self.raw["pipeline"]
        if declaration.get("artifactStores"):
            raise AnsibleCodePipelineError(
                message=f"The pipeline {self.name} uses cross-region artifactStores, which this module does not "
                "manage: change it with the console or the API, or delete and recreate it with artifact_store"
            )
        wanted = mask_like(self.declaration, declaration)
        self.planned["pipeline"] = comparable(wanted) != comparable(declaration)
        if self.params["tags"] is not None:
            self.planned["tags"] = compare_aws_tags(current["tags"], self.params["tags"], self.params["purge_tags"])

    def create(self):
        create_pipeline(self.client, self.name, self.declaration, self.params["tags"])

    def _update_pipeline(self):
        declaration = copy.deepcopy(self.raw["pipeline"])
        declaration.update(self.declaration)  # the managed keys; variables and triggers stay
        updated = update_pipeline(self.client, self.name, declaration)
        self.new_version = updated.get("version")

    def update(self, current):
        self.plan(current)
        if self.planned["pipeline"]:
            self.act(self._update_pipeline)
        to_set, to_unset = self.planned["tags"]
        arn = current["pipeline"]["pipeline_arn"]
        if to_unset:
            self.act(untag_resource, self.client, arn, sorted(to_unset))
        if to_set:
            self.act(tag_resource, self.client, arn, to_set)

    def delete(self, current):
        delete_pipeline(self.client, self.name)

    def expected(self, current):
        """The record as the run would leave it (check mode)."""
        if current is None:
            pipeline = pipeline_view(self.declaration)
            return {"pipeline": pipeline, "tags": expected_tags({}, self.params["tags"], True)}
        pipeline = copy.deepcopy(current["pipeline"])
        if self.planned["pipeline"]:
            wanted = pipeline_view(mask_like(self.declaration, self.raw["pipeline"]))
            pipeline.update({key: wanted[key] for key in wanted if key != "name"})
            pipeline["version"] = (pipeline.get("version") or 0) + 1
        tags = expected_tags(current["tags"], self.params["tags"], self.params["purge_tags"])
        return {"pipeline": pipeline, "tags": tags}

    def result(self, before, after):
        after = after or {}
        result = {"changed": self.changed, "pipeline": after.get("pipeline") or {}, "tags": after.get("tags") or {}}
        if getattr(self.module, "_diff", False):
            result["diff"] = make_diff(diff_view(before), diff_view(after))
        return result


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        role_arn=dict(type="str"),
        artifact_store=dict(
            type="dict",
            options=dict(
                type=dict(type="str", default="S3", choices=["S3"]),
                location=dict(type="str", required=True),
                encryption_key=dict(
                    type="dict",
                    no_log=False,  # a KMS key ID or ARN, not a secret
                    options=dict(
                        id=dict(type="str", required=True),
                        type=dict(type="str", default="KMS", choices=["KMS"]),
                    ),
                ),
            ),
        ),
        stages=dict(type="list", elements="dict"),
        pipeline_type=dict(type="str", default="V2", choices=["V1", "V2"]),
        execution_mode=dict(type="str", default="SUPERSEDED", choices=["QUEUED", "SUPERSEDED", "PARALLEL"]),
        require_approval_notification=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["role_arn", "artifact_store", "stages"])],
    )
    client = module.client("codepipeline")  # builds the client; no API call yet

    declaration, errors = validate_params(module.params, client.meta.service_model)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    run_manager(module, PipelineManager(module, client, declaration))


if __name__ == "__main__":
    main()
