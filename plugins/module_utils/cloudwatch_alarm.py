# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CloudWatch metric alarms for cloudwatch_metric_alarm: the API calls, one function each, and
the pure functions that validate the options, build the PutMetricAlarm request and normalise an
alarm definition so that equal definitions compare equal.

Every API function is retried on throttling and turns an API error into
AnsibleCloudWatchAlarmError, whose message names the action (amazon.aws's AWSErrorHandler).

The normal form (``definition``) is built from the boto3 shape that both a PutMetricAlarm
request and a DescribeAlarms ``MetricAlarm`` have, so the user's wish and what AWS holds go
through the same function:

* snake_case keys; keys whose value is unset or empty (``None``, ``""``, ``[]``, ``{}``) left out;
* dimensions (of the alarm and of each query's metric) as a ``{name: value}`` dict;
* the three action lists sorted (CloudWatch does not promise their order);
* the threshold as a number (``80`` and ``80.0`` are the same), ``treat_missing_data`` V(missing)
  and ``actions_enabled`` true where AWS leaves them out, ``datapoints_to_alarm`` left out when it
  equals ``evaluation_periods`` (AWS's default, the same alarm);
* each query of ``metrics`` with ``return_data`` true where it is left out (AWS's default).

``comparable`` then turns ``metrics`` into a ``{id: query}`` dict, so queries are compared per
id; the list order of the definition is kept as given for the diff.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.medtech.aws_platform.plugins.module_utils.common import throttling_retry

#: CloudWatch's limit for one alarm: period x evaluation_periods, in seconds (one day).
MAX_EVALUATION_SECONDS = 86400
#: periods below a minute that CloudWatch accepts (high-resolution alarms); else a multiple of 60.
HIGH_RESOLUTION_PERIODS = (10, 20, 30)
#: the options that describe a single metric, which ``metrics`` replaces.
SINGLE_METRIC_OPTIONS = ("metric_name", "namespace", "statistic", "extended_statistic", "dimensions", "period", "unit")


class AnsibleCloudWatchAlarmError(AnsibleAWSError):
    pass


class CloudWatchAlarmErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleCloudWatchAlarmError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFound")


# --- API calls ---------------------------------------------------------------------------
@CloudWatchAlarmErrorHandler.common_error_handler("describe the metric alarm {name}")
@throttling_retry()
def describe_metric_alarm(client, name):
    """DescribeAlarms for one metric alarm, by its exact name.

    :return: the boto3 MetricAlarm dict, or None when there is no metric alarm of that name.
    """
    response = client.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm"])
    for alarm in response.get("MetricAlarms") or []:
        if alarm.get("AlarmName") == name:
            return alarm
    return None


@CloudWatchAlarmErrorHandler.common_error_handler("put the metric alarm {name}")
@throttling_retry()
def put_metric_alarm(client, name, request):
    """PutMetricAlarm: creates the alarm, or replaces every setting of an existing one.

    :param request: the PutMetricAlarm parameters (``AlarmName`` included); ``Tags`` in it only
        apply when the alarm is created.
    """
    client.put_metric_alarm(**request)


@CloudWatchAlarmErrorHandler.deletion_error_handler("delete the metric alarm {name}")
@throttling_retry()
def delete_alarm(client, name):
    """DeleteAlarms for one alarm.

    :return: True when deleted, False when it did not exist (``ResourceNotFound``).
    """
    client.delete_alarms(AlarmNames=[name])
    return True


@CloudWatchAlarmErrorHandler.common_error_handler("list the tags of the metric alarm {arn}")
@throttling_retry()
def list_tags(client, arn):
    """ListTagsForResource; :return: the tags as a dict."""
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceARN=arn).get("Tags") or [])


@CloudWatchAlarmErrorHandler.common_error_handler("tag the metric alarm {arn}")
@throttling_retry()
def tag_resource(client, arn, tags):
    """TagResource with ``tags`` (a dict), sent sorted by key."""
    client.tag_resource(ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(dict(sorted(tags.items()))))


@CloudWatchAlarmErrorHandler.common_error_handler("untag the metric alarm {arn}")
@throttling_retry()
def untag_resource(client, arn, keys):
    """UntagResource for the tag ``keys`` (sent sorted)."""
    client.untag_resource(ResourceARN=arn, TagKeys=sorted(keys))


# --- validation --------------------------------------------------------------------------
def _period_error(option, period):
    if period is None or period in HIGH_RESOLUTION_PERIODS or (period > 0 and period % 60 == 0):
        return None
    return (
        f"{option} is {period}: CloudWatch accepts 10, 20 or 30 seconds (high resolution) or a "
        "multiple of 60; use e.g. 60 or 300"
    )


def _validate_metrics(metrics, params):
    errors = []
    mixed = [option for option in SINGLE_METRIC_OPTIONS if params.get(option) not in (None, {}, [])]
    if mixed:
        errors.append(
            f"metrics cannot be combined with {', '.join(mixed)}: with metrics, set the metric, "
            "statistic, dimensions and period in each query's metric_stat, and remove them from the task"
        )
    returned = [query.get("id") for query in metrics if query.get("return_data") is not False]
    if len(returned) != 1:
        errors.append(
            f"metrics: {len(returned)} queries return data ({', '.join(map(str, returned)) or 'none'}); exactly one "
            "must (the one the alarm watches): set return_data: false on every other query (return_data "
            "left out counts as true)"
        )
    ids = [query.get("id") for query in metrics]
    duplicates = sorted({query_id for query_id in ids if ids.count(query_id) > 1})
    if duplicates:
        errors.append(f"metrics: the id {', '.join(duplicates)} is used more than once; give each query its own id")
    for query in metrics:
        query_id = query.get("id")
        if bool(query.get("expression")) == bool(query.get("metric_stat")):
            errors.append(f"metrics[id={query_id}]: set exactly one of expression and metric_stat")
        for option, period in (
            (f"metrics[id={query_id}].period", query.get("period")),
            (f"metrics[id={query_id}].metric_stat.period", (query.get("metric_stat") or {}).get("period")),
        ):
            error = _period_error(option, period)
            if error:
                errors.append(error)
    return errors


def _alarm_period(params):
    """The period the evaluation periods count in: ``period``, or for metric math the longest
    period of its queries (None when unknown)."""
    if params.get("metrics"):
        periods = []
        for query in params["metrics"]:
            periods.append(query.get("period"))
            periods.append((query.get("metric_stat") or {}).get("period"))
        periods = [period for period in periods if period]
        return max(periods) if periods else None
    return params.get("period")


def validate_params(params):
    """Check the module's options as CloudWatch would, before any AWS call.

    :param params: the module's params (snake_case, as the argument spec parsed them).
    :return: a list of messages, each naming the option and the fix; ``[]`` when valid. Only
        for ``state=present`` (a delete needs the name only).
    """
    if params.get("state") != "present":
        return []
    errors = []
    metrics = params.get("metrics")
    if metrics:
        errors.extend(_validate_metrics(metrics, params))
    elif not params.get("metric_name"):
        errors.append(
            "state=present needs the metric the alarm watches: set metric_name (with namespace, statistic "
            "and period), or metrics for a metric math alarm"
        )
    else:
        missing = [option for option in ("namespace", "period") if params.get(option) is None]
        if missing:
            errors.append(f"metric_name {params['metric_name']} needs {' and '.join(missing)}: set it")
        if params.get("statistic") and params.get("extended_statistic"):
            errors.append(
                "statistic and extended_statistic are both set: CloudWatch takes one; keep statistic "
                "(e.g. Average) or extended_statistic (e.g. p99)"
            )
        elif not (params.get("statistic") or params.get("extended_statistic")):
            errors.append("metric_name needs statistic (e.g. Average) or extended_statistic (e.g. p99): set one")
        error = _period_error("period", params.get("period"))
        if error:
            errors.append(error)
    for option in ("evaluation_periods", "threshold", "comparison_operator"):
        if params.get(option) is None:
            errors.append(f"{option} is required with state=present: set it")
    evaluation_periods = params.get("evaluation_periods")
    if evaluation_periods is not None and evaluation_periods < 1:
        errors.append(f"evaluation_periods is {evaluation_periods}: set 1 or more")
    datapoints = params.get("datapoints_to_alarm")
    if datapoints is not None and evaluation_periods is not None:
        if datapoints < 1 or datapoints > evaluation_periods:
            errors.append(
                f"datapoints_to_alarm is {datapoints} but evaluation_periods is {evaluation_periods}: the M of an "
                "'M out of N' alarm must be 1 to N; lower datapoints_to_alarm or raise evaluation_periods"
            )
    period = _alarm_period(params)
    if period and evaluation_periods and period * evaluation_periods > MAX_EVALUATION_SECONDS:
        errors.append(
            f"period x evaluation_periods is {period} x {evaluation_periods} = {period * evaluation_periods} "
            f"seconds, longer than CloudWatch's limit for an alarm of {MAX_EVALUATION_SECONDS} seconds (one day): "
            "lower evaluation_periods or period"
        )
    return errors


# --- the request -------------------------------------------------------------------------
def _dimension_list(dimensions):
    """``{name: value}`` as CloudWatch's ``[{Name, Value}]``, sorted by name (values as text)."""
    return [{"Name": str(name), "Value": str(value)} for name, value in sorted((dimensions or {}).items())]


def _query_request(query):
    request = {"Id": query["id"], "ReturnData": query.get("return_data") is not False}
    if query.get("expression"):
        request["Expression"] = query["expression"]
    if query.get("label"):
        request["Label"] = query["label"]
    if query.get("period"):
        request["Period"] = query["period"]
    stat = query.get("metric_stat")
    if stat:
        metric = stat.get("metric") or {}
        boto_metric = {"Namespace": metric.get("namespace"), "MetricName": metric.get("metric_name")}
        if metric.get("dimensions"):
            boto_metric["Dimensions"] = _dimension_list(metric["dimensions"])
        request["MetricStat"] = {"Metric": boto_metric, "Period": stat.get("period"), "Stat": stat.get("stat")}
        if stat.get("unit"):
            request["MetricStat"]["Unit"] = stat["unit"]
    return request


def put_request(params):
    """The complete PutMetricAlarm request (without Tags) for the module's options.

    Options that are not set are left out, so the alarm has none of them afterwards
    (PutMetricAlarm replaces the whole definition). No AWS call.
    """
    request = {
        "AlarmName": params["alarm_name"],
        "AlarmDescription": params.get("alarm_description"),
        "ActionsEnabled": params.get("actions_enabled", True) is not False,
        "AlarmActions": list(params.get("alarm_actions") or []),
        "OKActions": list(params.get("ok_actions") or []),
        "InsufficientDataActions": list(params.get("insufficient_data_actions") or []),
        "EvaluationPeriods": params.get("evaluation_periods"),
        "DatapointsToAlarm": params.get("datapoints_to_alarm"),
        "Threshold": None if params.get("threshold") is None else float(params["threshold"]),
        "ComparisonOperator": params.get("comparison_operator"),
        "TreatMissingData": params.get("treat_missing_data") or "missing",
        "EvaluateLowSampleCountPercentile": params.get("evaluate_low_sample_count_percentile"),
    }
    if params.get("metrics"):
        request["Metrics"] = [_query_request(query) for query in params["metrics"]]
    else:
        request.update(
            MetricName=params.get("metric_name"),
            Namespace=params.get("namespace"),
            Statistic=params.get("statistic"),
            ExtendedStatistic=params.get("extended_statistic"),
            Dimensions=_dimension_list(params.get("dimensions")) or None,
            Period=params.get("period"),
            Unit=params.get("unit"),
        )
    return {key: value for key, value in request.items() if value is not None and value != ""}


def create_request(params):
    """PutMetricAlarm for a new alarm: the definition, and its tags (only a create applies them)."""
    request = put_request(params)
    if params.get("tags"):
        request["Tags"] = ansible_dict_to_boto3_tag_list(dict(sorted(params["tags"].items())))
    return request


# --- the normal form ---------------------------------------------------------------------
def _number(value):
    """80, 80.0 and "80" as 80; 80.5 as 80.5."""
    if value is None or isinstance(value, bool):
        return value
    number = float(value)
    return int(number) if number.is_integer() else number


def _dimension_dict(dimensions):
    return {item["Name"]: item.get("Value") for item in dimensions or []}


def _drop_empty(view):
    return {key: value for key, value in view.items() if value not in (None, "", [], {})}


def _query(query):
    view = {
        "id": query.get("Id"),
        "expression": query.get("Expression"),
        "label": query.get("Label"),
        "return_data": query.get("ReturnData") is not False,
        "period": _number(query.get("Period")),
        "account_id": query.get("AccountId"),
    }
    stat = query.get("MetricStat")
    if stat:
        metric = stat.get("Metric") or {}
        view["metric_stat"] = _drop_empty(
            {
                "metric": _drop_empty(
                    {
                        "namespace": metric.get("Namespace"),
                        "metric_name": metric.get("MetricName"),
                        "dimensions": _dimension_dict(metric.get("Dimensions")),
                    }
                ),
                "period": _number(stat.get("Period")),
                "stat": stat.get("Stat"),
                "unit": stat.get("Unit"),
            }
        )
    return _drop_empty(view)


def definition(alarm):
    """The normal form of an alarm definition (see the module docstring).

    :param alarm: a PutMetricAlarm request or a DescribeAlarms MetricAlarm (boto3 shape).
    :return: a snake_case dict of the settings PutMetricAlarm sets; state, ARN and timestamps
        are not part of it. No AWS call.
    """
    view = {
        "alarm_name": alarm.get("AlarmName"),
        "alarm_description": alarm.get("AlarmDescription"),
        "actions_enabled": alarm.get("ActionsEnabled") is not False,
        "alarm_actions": sorted(alarm.get("AlarmActions") or []),
        "ok_actions": sorted(alarm.get("OKActions") or []),
        "insufficient_data_actions": sorted(alarm.get("InsufficientDataActions") or []),
        "metric_name": alarm.get("MetricName"),
        "namespace": alarm.get("Namespace"),
        "statistic": alarm.get("Statistic"),
        "extended_statistic": alarm.get("ExtendedStatistic"),
        "dimensions": _dimension_dict(alarm.get("Dimensions")),
        "period": _number(alarm.get("Period")),
        "unit": alarm.get("Unit"),
        "evaluation_periods": _number(alarm.get("EvaluationPeriods")),
        "datapoints_to_alarm": _number(alarm.get("DatapointsToAlarm")),
        "threshold": _number(alarm.get("Threshold")),
        "comparison_operator": alarm.get("ComparisonOperator"),
        "treat_missing_data": alarm.get("TreatMissingData") or "missing",
        "evaluate_low_sample_count_percentile": alarm.get("EvaluateLowSampleCountPercentile"),
        "threshold_metric_id": alarm.get("ThresholdMetricId"),
        "metrics": [_query(query) for query in alarm.get("Metrics") or []],
    }
    if view["datapoints_to_alarm"] == view["evaluation_periods"]:
        view["datapoints_to_alarm"] = None
    view = _drop_empty(view)
    for key in ("alarm_actions", "ok_actions", "insufficient_data_actions"):
        view.setdefault(key, [])
    return view


def comparable(view):
    """A normal-form definition with its queries keyed by id, for ``==``. No AWS call."""
    result = dict(view)
    if "metrics" in result:
        result["metrics"] = {query.get("id"): query for query in result["metrics"]}
    return result


def alarm_view(alarm, tags):
    """The alarm as the module returns it: its normal-form definition, its ARN and state, and
    its tags. :param alarm: a DescribeAlarms MetricAlarm. No AWS call."""
    view = definition(alarm)
    for key, value in (
        ("alarm_arn", alarm.get("AlarmArn")),
        ("state_value", alarm.get("StateValue")),
        ("state_reason", alarm.get("StateReason")),
    ):
        if value is not None:
            view[key] = value
    view["tags"] = dict(tags or {})
    return view
