"""AWS Backup and Route 53 as AWS answers them, where moto 5.2.5 does not (scripts/moto_server.py
applies this with the other fixes).

Fixes:

* Backup DescribeBackupVault / ListRecoveryPointsByBackupVault of a vault that does not exist:
  AWS answers ``AccessDeniedException`` (HTTP 403, "Insufficient privileges to perform this
  action."), not ``ResourceNotFoundException`` (aws/aws-sdk-js#2625, boto/boto3#2269); amazon.aws
  ``backup_vault`` relies on it and took moto's ``ResourceNotFoundException`` as a failure, so it
  could not create a vault. A vault is described with its ``NumberOfRecoveryPoints`` (0 here),
  ``VaultType`` ``BACKUP_VAULT`` and ``VaultState`` ``AVAILABLE``, which moto leaves out.
  ListRecoveryPointsByBackupVault is missing in moto; here it lists no recovery point (nothing
  runs a backup job in the emulator).
* Backup UpdateBackupPlan (missing in moto): AWS replaces the plan document, with the defaults
  CreateBackupPlan fills in, and answers a new ``VersionId`` and ``CreationDate`` (the version's).
  amazon.aws ``backup_plan`` calls it whenever a rule differs.
* Backup selections (CreateBackupSelection, GetBackupSelection, ListBackupSelections,
  DeleteBackupSelection; all missing in moto): AWS keeps a selection under its plan, reports it
  with ``ListOfTags`` and ``NotResources`` as empty lists and ``Conditions`` with its four empty
  lists when none was given, refuses a selection with neither ``Resources`` nor ``ListOfTags``
  (``InvalidParameterValueException``), answers ``ResourceNotFoundException`` for an unknown
  plan or selection, and refuses DeleteBackupPlan while the plan has selections
  (``InvalidRequestException``).
* Route 53 GetHealthCheckStatus of an HTTP(S) health check: AWS answers one observation per
  health checker (by default in its eight checker regions, or in the check's ``Regions``), each
  with the checker's address and a ``StatusReport`` whose ``Status`` reads
  ``Success: HTTP Status Code 200, OK`` (API reference example); moto answers one observation
  from 127.0.13.37 in us-east-1 with a status text of its own ("Success: HTTP Status Code: 200.
  Resolved IP: ..."), which a runbook matching AWS's text does not recognise.
* Route 53 SOA record of a new hosted zone: AWS creates
  ``<first name server>. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400``; moto stores the
  record's value as the text of a Python dict (``{'Value': 'ns-2048... hostmaster.example.com.
  ...'}``), which ListResourceRecordSets (and amazon.aws ``route53_info``) then reports.
"""

import json
import uuid
from urllib.parse import unquote

from moto.backup import exceptions as backup_exceptions
from moto.backup import models as backup_models
from moto.backup import responses as backup_responses
from moto.backup import urls as backup_urls
from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time, utcnow
from moto.moto_api._internal import mock_random
from moto.route53 import models as route53_models
from moto.route53 import responses as route53_responses

# The defaults CreateBackupPlan / UpdateBackupPlan fill into a rule (BackupRule, API reference).
BACKUP_RULE_DEFAULTS = {
    "ScheduleExpression": "cron(0 5 ? * * *)", "StartWindowMinutes": 480,
    "CompletionWindowMinutes": 10080, "ScheduleExpressionTimezone": "Etc/UTC",
}
# Route 53's default health checker regions, each with a checker address from its published
# ROUTE53_HEALTHCHECKS range (ip-ranges.json).
HEALTH_CHECKER_ADDRESSES = {
    "us-east-1": "54.243.31.193", "us-west-1": "54.183.255.129", "us-west-2": "54.244.52.193",
    "eu-west-1": "54.228.16.1", "ap-southeast-1": "54.251.31.129", "ap-southeast-2": "54.252.79.129",
    "ap-northeast-1": "54.248.220.1", "sa-east-1": "54.232.40.65",
}
HTTP_HEALTH_CHECK_TYPES = ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH")
EMPTY_CONDITIONS = {"StringEquals": [], "StringNotEquals": [], "StringLike": [], "StringNotLike": []}


class AccessDeniedException(JsonRESTError):
    code = 403

    def __init__(self):
        super().__init__("AccessDeniedException", "Insufficient privileges to perform this action.")


def _vault_or_denied(backend, name):
    if name not in backend.vaults:
        raise AccessDeniedException()
    return backend.vaults[name]


def _describe_backup_vault(self, backup_vault_name):
    vault = _vault_or_denied(self, backup_vault_name)
    vault.number_of_recovery_points = vault.num_of_recovery_points
    vault.vault_type, vault.vault_state = "BACKUP_VAULT", "AVAILABLE"
    return vault


def _list_recovery_points_by_backup_vault(self):
    _vault_or_denied(self.backup_backend, unquote(self.path.split("/backup-vaults/")[1].split("/")[0]))
    return json.dumps({"RecoveryPoints": []})


def _live_plan(backend, plan_id):
    plan = backend.plans.get(plan_id)
    if plan is None or plan.deletion_date is not None:
        raise backup_exceptions.ResourceNotFoundException(msg=f"Failed reading Backup plan {plan_id}")
    return plan


def _with_rule_defaults(backup_plan):
    for rule in backup_plan.get("Rules", []):
        for key, value in BACKUP_RULE_DEFAULTS.items():
            rule.setdefault(key, value)
        rule["RuleId"] = str(mock_random.uuid4())
    return backup_plan


def _plan_id_from_path(path):
    return unquote(path.split("/backup/plans/")[1].split("/")[0])


def _update_backup_plan(self):
    plan = _live_plan(self.backup_backend, _plan_id_from_path(self.path))
    backup_plan = json.loads(self.body)["BackupPlan"]
    plan.backup_plan = _with_rule_defaults(backup_plan)
    plan.advanced_backup_settings = backup_plan.get("AdvancedBackupSettings") or []
    plan.version_id = mock_random.get_random_string(length=48)
    plan.creation_date = unix_time()
    return json.dumps(plan.to_dict())


def _selections(backend, plan_id):
    if not hasattr(backend, "selections_by_plan"):
        backend.selections_by_plan = {}
    return backend.selections_by_plan.setdefault(plan_id, {})


def _create_backup_selection(self):
    plan_id = _plan_id_from_path(self.path)
    _live_plan(self.backup_backend, plan_id)
    params = json.loads(self.body)
    selection = dict(params["BackupSelection"])
    if not selection.get("Resources") and not selection.get("ListOfTags"):
        raise backup_exceptions.InvalidParameterValueException(
            msg="Invalid backup selection. Either 'ListOfTags' or 'Resources' section must be non-empty.")
    selection.setdefault("Resources", [])
    selection.setdefault("ListOfTags", [])
    selection.setdefault("NotResources", [])
    selection["Conditions"] = {**EMPTY_CONDITIONS, **(selection.get("Conditions") or {})}
    selection_id = str(uuid.uuid4())
    _selections(self.backup_backend, plan_id)[selection_id] = {
        "BackupSelection": selection, "SelectionId": selection_id, "BackupPlanId": plan_id,
        "CreationDate": unix_time(), "CreatorRequestId": params.get("CreatorRequestId"),
    }
    return json.dumps({"SelectionId": selection_id, "BackupPlanId": plan_id, "CreationDate": unix_time()})


def _selection(self):
    plan_id = _plan_id_from_path(self.path)
    _live_plan(self.backup_backend, plan_id)
    selection_id = unquote(self.path.rstrip("/").split("/selections/")[1])
    found = _selections(self.backup_backend, plan_id).get(selection_id)
    if found is None:
        raise backup_exceptions.ResourceNotFoundException(msg=f"Failed reading backup selection {selection_id}")
    return plan_id, selection_id, found


def _get_backup_selection(self):
    found = _selection(self)[2]
    return json.dumps({k: v for k, v in found.items() if v is not None})


def _delete_backup_selection(self):
    plan_id, selection_id, _ = _selection(self)
    del _selections(self.backup_backend, plan_id)[selection_id]
    return "{}"


def _list_backup_selections(self):
    plan_id = _plan_id_from_path(self.path)
    _live_plan(self.backup_backend, plan_id)
    listed = []
    for found in _selections(self.backup_backend, plan_id).values():
        entry = {"SelectionId": found["SelectionId"], "SelectionName": found["BackupSelection"]["SelectionName"],
                 "BackupPlanId": plan_id, "CreationDate": found["CreationDate"],
                 "IamRoleArn": found["BackupSelection"]["IamRoleArn"], "CreatorRequestId": found["CreatorRequestId"]}
        listed.append({k: v for k, v in entry.items() if v is not None})
    return json.dumps({"BackupSelectionsList": listed})


def _refusing_plan_with_selections(delete):
    def delete_backup_plan(self, backup_plan_id):
        if _selections(self, backup_plan_id):
            raise backup_exceptions.InvalidRequestException(
                msg="Related backup plan selections must be deleted prior to backup plan deletion")
        return delete(self, backup_plan_id)
    return delete_backup_plan


def _apply_backup_fixes():
    backend, response = backup_models.BackupBackend, backup_responses.BackupResponse
    backend.describe_backup_vault = _describe_backup_vault
    backend.delete_backup_plan = _refusing_plan_with_selections(backend.delete_backup_plan)
    response.list_recovery_points_by_backup_vault = _list_recovery_points_by_backup_vault
    response.update_backup_plan = _update_backup_plan
    response.create_backup_selection = _create_backup_selection
    response.get_backup_selection = _get_backup_selection
    response.delete_backup_selection = _delete_backup_selection
    response.list_backup_selections = _list_backup_selections
    backup_urls.url_paths["{0}/backup-vaults/(?P<name>[^/]+)/recovery-points/$"] = response.dispatch


def _health_check_status_as_aws(get_status):
    def get_health_check_status(self):
        result = get_status(self)
        check = self.backend.get_health_check(self._get_param("HealthCheckId"))
        if check.type_ not in HTTP_HEALTH_CHECK_TYPES:
            return result
        regions = check.regions or list(HEALTH_CHECKER_ADDRESSES)
        result.result["HealthCheckObservations"] = [
            {"Region": region, "IPAddress": HEALTH_CHECKER_ADDRESSES.get(region, HEALTH_CHECKER_ADDRESSES["us-east-1"]),
             "StatusReport": {"Status": "Success: HTTP Status Code 200, OK", "CheckedTime": utcnow()}}
            for region in regions
        ]
        return result
    get_health_check_status.__name__ = get_status.__name__
    return get_health_check_status


def _soa_as_aws(create_hosted_zone):
    def create(self, *args, **kwargs):
        zone = create_hosted_zone(self, *args, **kwargs)
        for rrset in zone.rrsets:
            if rrset.type == "SOA" and zone.delegation_set:
                first = zone.delegation_set.name_servers[0].rstrip(".")
                rrset.records = [f"{first}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]
        return zone
    create.__name__ = create_hosted_zone.__name__
    return create


def _apply_route53_fixes():
    response = route53_responses.Route53
    response.get_health_check_status = _health_check_status_as_aws(response.get_health_check_status)
    backend = route53_models.Route53Backend
    backend.create_hosted_zone = _soa_as_aws(backend.create_hosted_zone)


def apply():
    """Patch moto in this process; see the module docstring."""
    _apply_backup_fixes()
    _apply_route53_fixes()
