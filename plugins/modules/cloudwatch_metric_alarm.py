#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, MedTech Solutions AG platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatch_metric_alarm
version_added: 0.1.0
short_description: Manage a CloudWatch metric alarm (single metric or metric math) and its tags
description:
  - Create, converge and delete one Amazon CloudWatch metric alarm, identified by O(alarm_name).
  - The alarm watches either one metric (O(metric_name), O(namespace), O(statistic) or
    O(extended_statistic), O(dimensions), O(period)) or the one query of a metric math
    expression that returns data (O(metrics)).
  - The options describe the complete alarm. C(PutMetricAlarm) replaces every setting of an
    existing alarm, so an option that is not set is not set on the alarm afterwards either (for
    example, leaving out O(alarm_description) removes the description).
  - The current alarm is read with C(DescribeAlarms) (C(AlarmTypes=[MetricAlarm])) and compared
    with the options in a normal form; the alarm is written (one C(PutMetricAlarm) with the
    complete definition) only when they differ. Equal forms are no change. O(dimensions) and the
    dimensions of each query are compared as name/value dictionaries (order does not matter),
    the action lists as sets, numbers by value (V(80) is V(80.0)), O(metrics) per query id, a
    O(treat_missing_data) or O(metrics[].return_data) that AWS leaves out as its default, and
    O(datapoints_to_alarm) equal to O(evaluation_periods) as not set (the same alarm).
author:
  - MedTech Solutions AG platform team (@medtech-platform)
options:
  alarm_name:
    description:
      - The name of the alarm, unique in the account and region, e.g. V(medtech-prod-api-cpu-high).
    type: str
    required: true
    aliases: [name]
  state:
    description:
      - V(present) creates the alarm or brings it in line with the options.
      - V(absent) deletes it (no change when there is none).
    type: str
    choices: [present, absent]
    default: present
  alarm_description:
    description: The description of the alarm. Not set means no description.
    type: str
  actions_enabled:
    description: Whether the actions run when the alarm changes state.
    type: bool
    default: true
  alarm_actions:
    description:
      - ARNs of the actions to run when the alarm goes to C(ALARM), e.g. SNS topics. Compared as a set.
    type: list
    elements: str
    default: []
  ok_actions:
    description: ARNs of the actions to run when the alarm goes to C(OK). Compared as a set.
    type: list
    elements: str
    default: []
  insufficient_data_actions:
    description: ARNs of the actions to run when the alarm goes to C(INSUFFICIENT_DATA). Compared as a set.
    type: list
    elements: str
    default: []
  metric_name:
    description:
      - The metric the alarm watches, e.g. V(CPUUtilization). Needs O(namespace), O(period) and
        O(statistic) or O(extended_statistic).
      - With O(state=present), this or O(metrics) is required; not both.
    type: str
  namespace:
    description: The namespace of O(metric_name), e.g. V(AWS/ECS).
    type: str
  statistic:
    description: The statistic of O(metric_name). Not together with O(extended_statistic).
    type: str
    choices: [SampleCount, Average, Sum, Minimum, Maximum]
  extended_statistic:
    description:
      - A percentile or other extended statistic of O(metric_name), e.g. V(p99) or V(tm90).
        Not together with O(statistic).
    type: str
  dimensions:
    description:
      - "The dimensions of O(metric_name), name to value, e.g. V({ClusterName: medtech-prod-cluster})."
      - Compared without regard to order.
    type: dict
  period:
    description:
      - The length of one evaluation period of O(metric_name), in seconds.
      - V(10), V(20) or V(30) (a high-resolution alarm), or a multiple of V(60).
      - O(period) x O(evaluation_periods) may be at most 86400 seconds (one day).
    type: int
  unit:
    description: The unit of O(metric_name); only data points in this unit are evaluated.
    type: str
    choices: [Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits,
              Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second,
              Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second,
              Terabits/Second, Count/Second, None]
  evaluation_periods:
    description:
      - The number of periods over which data is compared with O(threshold) (the N of an "M out
        of N" alarm). Required with O(state=present).
    type: int
  datapoints_to_alarm:
    description:
      - The number of breaching data points that trigger the alarm (the M of "M out of N"), 1 to
        O(evaluation_periods). Not set means O(evaluation_periods).
    type: int
  threshold:
    description: The value the statistic is compared with. Required with O(state=present).
    type: float
  comparison_operator:
    description:
      - How the statistic is compared with O(threshold). Required with O(state=present).
      - The operators of anomaly detection alarms are not offered, as this module does not manage
        their threshold metric.
    type: str
    choices: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold]
  treat_missing_data:
    description: How missing data points are treated.
    type: str
    choices: [breaching, notBreaching, ignore, missing]
    default: missing
  evaluate_low_sample_count_percentile:
    description:
      - For percentile alarms only. V(ignore) keeps the state while too few data points are
        statistically significant; V(evaluate) (AWS's behaviour when not set) always evaluates.
    type: str
    choices: [evaluate, ignore]
  metrics:
    description:
      - The queries of a metric math alarm (C(MetricDataQuery)). Exactly one of them returns data
        (O(metrics[].return_data) true or left out), the one the alarm watches; every other one
        needs O(metrics[].return_data=false).
      - Not together with O(metric_name), O(namespace), O(statistic), O(extended_statistic),
        O(dimensions), O(period) or O(unit).
      - Compared per O(metrics[].id); the order is kept as given.
    type: list
    elements: dict
    suboptions:
      id:
        description:
          - The name of the query, used by expressions. Letters, digits and underscores, starting
            with a lowercase letter, e.g. V(m1) or V(error_rate).
        type: str
        required: true
      expression:
        description: A metric math expression over other ids, e.g. V(100 * errors / requests). Not with O(metrics[].metric_stat).
        type: str
      label:
        description: A human-readable label of the query.
        type: str
      return_data:
        description: Whether this query is the one the alarm watches. Left out means V(true), as at AWS.
        type: bool
      period:
        description: The period of an O(metrics[].expression) that is a Metrics Insights query, in seconds.
        type: int
      metric_stat:
        description: The metric this query reads. Not with O(metrics[].expression).
        type: dict
        suboptions:
          metric:
            description: The metric.
            type: dict
            required: true
            suboptions:
              namespace:
                description: Its namespace, e.g. V(AWS/ApplicationELB).
                type: str
                required: true
              metric_name:
                description: Its name, e.g. V(HTTPCode_Target_5XX_Count).
                type: str
                required: true
              dimensions:
                description: Its dimensions, name to value; compared without regard to order.
                type: dict
          period:
            description: The period in seconds; V(10), V(20), V(30) or a multiple of V(60).
            type: int
            required: true
          stat:
            description: The statistic, e.g. V(Sum), V(Average) or V(p99).
            type: str
            required: true
          unit:
            description: The unit of the metric's data points to use.
            type: str
notes:
  - "Why not M(amazon.aws.cloudwatch_metric_alarm) (11.x): before comparing, it pops C(Metrics)
    from the alarm it read but keeps C(Metrics) in its request, so a metric math alarm reports
    C(changed) on every run and drift in its queries is never seen as such; it compares the
    C(Dimensions) and action lists as lists (by order), so the same alarm returned in another
    order is a change; it has no diff mode."
  - "Calls: C(cloudwatch:DescribeAlarms), C(cloudwatch:PutMetricAlarm), C(cloudwatch:DeleteAlarms),
    C(cloudwatch:ListTagsForResource), C(cloudwatch:TagResource), C(cloudwatch:UntagResource).
    Creating an alarm with O(tags) needs C(cloudwatch:TagResource) too."
  - Tags are set with C(PutMetricAlarm) when the alarm is created, and with C(TagResource) and
    C(UntagResource) afterwards (C(PutMetricAlarm) ignores tags on an existing alarm).
  - "Failures: invalid options (C(Invalid options: ...), before any AWS call; each message names
    the option and the fix): no O(metric_name) nor O(metrics), both O(statistic) and
    O(extended_statistic), O(metrics) with single-metric options, O(metrics) with not exactly
    one query returning data or with a query that has both or neither of expression and
    metric_stat, a period that is not 10, 20, 30 or a multiple of 60, O(period) x
    O(evaluation_periods) above 86400 seconds, O(datapoints_to_alarm) above
    O(evaluation_periods), a missing O(evaluation_periods), O(threshold) or O(comparison_operator).
    API errors (e.g. C(LimitExceededFault) when the account has its maximum number of alarms)
    as C(Failed to <action> the metric alarm <name>) with AWS's code and message."
seealso:
  - module: amazon.aws.cloudwatch_metric_alarm
  - name: Using Amazon CloudWatch alarms
    description: Periods, M out of N, missing data, metric math alarms.
    link: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
attributes:
  check_mode:
    support: full
    description:
      - Reads the alarm and its tags and decides every change, but writes nothing. RV(alarm) is the
        alarm as it would be.
  diff_mode:
    support: full
    description:
      - Returns the normal form of the alarm's definition and its tags before and after the run.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Credentials, region and endpoint can be set once for the whole play with
# module_defaults: {group/medtech.aws_platform.aws: {region: eu-central-1}}.

- name: CPU of the API service above 80 % in 2 of 3 minutes
  medtech.aws_platform.cloudwatch_metric_alarm:
    alarm_name: medtech-prod-api-cpu-high
    alarm_description: API service CPU above 80 %
    namespace: AWS/ECS
    metric_name: CPUUtilization
    statistic: Average
    dimensions:
      ClusterName: medtech-prod-cluster
      ServiceName: api-gateway
    period: 60
    evaluation_periods: 3
    datapoints_to_alarm: 2
    threshold: 80
    comparison_operator: GreaterThanThreshold
    alarm_actions:
      - arn:aws:sns:eu-central-1:123456789012:medtech-prod-alerts
    ok_actions:
      - arn:aws:sns:eu-central-1:123456789012:medtech-prod-alerts
    tags:
      environment: prod
      managed-by: ansible

- name: 5xx rate of the load balancer above 5 % (metric math)
  medtech.aws_platform.cloudwatch_metric_alarm:
    alarm_name: medtech-prod-alb-5xx-rate
    evaluation_periods: 5
    threshold: 5
    comparison_operator: GreaterThanThreshold
    treat_missing_data: notBreaching
    metrics:
      - id: rate
        expression: 100 * errors / requests
        label: 5xx rate (%)
      - id: errors
        return_data: false
        metric_stat:
          metric:
            namespace: AWS/ApplicationELB
            metric_name: HTTPCode_Target_5XX_Count
            dimensions:
              LoadBalancer: app/medtech-prod-alb/50dc6c495c0c9188
          period: 60
          stat: Sum
      - id: requests
        return_data: false
        metric_stat:
          metric:
            namespace: AWS/ApplicationELB
            metric_name: RequestCount
            dimensions:
              LoadBalancer: app/medtech-prod-alb/50dc6c495c0c9188
          period: 60
          stat: Sum
    alarm_actions:
      - arn:aws:sns:eu-central-1:123456789012:medtech-prod-alerts

- name: Delete an alarm
  medtech.aws_platform.cloudwatch_metric_alarm:
    alarm_name: medtech-test-api-cpu-high
    state: absent
"""

RETURN = r"""
alarm:
  description:
    - The alarm as C(DescribeAlarms) returns it after the run, in the module's normal form
      (snake_case; dimensions as dictionaries; action lists sorted; unset settings left out),
      with its ARN, state and tags.
    - In check mode, the alarm as it would be (no ARN or state for an alarm that would be created).
    - C({}) when the alarm does not exist after the run (O(state=absent)).
  returned: always
  type: dict
  contains:
    alarm_name:
      description: The name of the alarm.
      returned: when the alarm exists
      type: str
      sample: medtech-prod-api-cpu-high
    alarm_arn:
      description: The ARN of the alarm.
      returned: when the alarm exists
      type: str
      sample: arn:aws:cloudwatch:eu-central-1:123456789012:alarm:medtech-prod-api-cpu-high
    state_value:
      description: V(OK), V(ALARM) or V(INSUFFICIENT_DATA).
      returned: when the alarm exists
      type: str
      sample: INSUFFICIENT_DATA
    state_reason:
      description: Why the alarm is in its state.
      returned: when the alarm exists
      type: str
      sample: "Unchecked: Initial alarm creation"
    alarm_description:
      description: The description.
      returned: when set
      type: str
      sample: API service CPU above 80 %
    actions_enabled:
      description: Whether the actions run.
      returned: when the alarm exists
      type: bool
      sample: true
    alarm_actions:
      description: The actions on C(ALARM), sorted.
      returned: when the alarm exists
      type: list
      elements: str
      sample: ["arn:aws:sns:eu-central-1:123456789012:medtech-prod-alerts"]
    ok_actions:
      description: The actions on C(OK), sorted.
      returned: when the alarm exists
      type: list
      elements: str
      sample: []
    insufficient_data_actions:
      description: The actions on C(INSUFFICIENT_DATA), sorted.
      returned: when the alarm exists
      type: list
      elements: str
      sample: []
    metric_name:
      description: The metric of a single-metric alarm.
      returned: when set
      type: str
      sample: CPUUtilization
    namespace:
      description: Its namespace.
      returned: when set
      type: str
      sample: AWS/ECS
    statistic:
      description: Its statistic.
      returned: when set
      type: str
      sample: Average
    extended_statistic:
      description: Its extended statistic.
      returned: when set
      type: str
      sample: p99
    dimensions:
      description: Its dimensions, name to value.
      returned: when set
      type: dict
      sample: {"ClusterName": "medtech-prod-cluster", "ServiceName": "api-gateway"}
    period:
      description: Its period in seconds.
      returned: when set
      type: int
      sample: 60
    unit:
      description: Its unit.
      returned: when set
      type: str
      sample: Percent
    evaluation_periods:
      description: The N of "M out of N".
      returned: when the alarm exists
      type: int
      sample: 3
    datapoints_to_alarm:
      description: The M of "M out of N"; left out when it equals RV(alarm.evaluation_periods).
      returned: when set and not equal to evaluation_periods
      type: int
      sample: 2
    threshold:
      description: The threshold (an integer when it has no fraction).
      returned: when the alarm exists
      type: float
      sample: 80
    comparison_operator:
      description: The comparison.
      returned: when the alarm exists
      type: str
      sample: GreaterThanThreshold
    treat_missing_data:
      description: How missing data is treated (V(missing) when AWS leaves it out).
      returned: when the alarm exists
      type: str
      sample: missing
    evaluate_low_sample_count_percentile:
      description: The low-sample behaviour of a percentile alarm.
      returned: when set
      type: str
      sample: ignore
    metrics:
      description:
        - The queries of a metric math alarm, in AWS's order, each with C(id), C(return_data),
          and C(expression) or C(metric_stat) (C(metric) with C(namespace), C(metric_name) and
          C(dimensions) as a dictionary; C(period), C(stat), C(unit)), C(label) and C(period)
          when set.
      returned: when set
      type: list
      elements: dict
      sample: [{"id": "rate", "expression": "100 * errors / requests", "return_data": true}]
    tags:
      description: The tags of the alarm.
      returned: when the alarm exists
      type: dict
      sample: {"environment": "prod"}
changed:
  description: Whether the alarm or its tags were (or, in check mode, would be) created, changed or deleted.
  returned: always
  type: bool
  sample: true
diff:
  description:
    - The normal form of the alarm's definition and its tags before and after the run (C({})
      when the alarm does not exist); without ARN and state.
  returned: in diff mode
  type: dict
  sample:
    before: {"alarm_name": "medtech-prod-api-cpu-high", "threshold": 80, "tags": {}}
    after: {"alarm_name": "medtech-prod-api-cpu-high", "threshold": 90, "tags": {}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import alarm_view
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import comparable
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import create_request
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import definition
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import delete_alarm
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import describe_metric_alarm
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import list_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import put_metric_alarm
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import put_request
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import tag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import untag_resource
from ansible_collections.medtech.aws_platform.plugins.module_utils.cloudwatch_alarm import validate_params
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import ResourceManager
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import expected_tags
from ansible_collections.medtech.aws_platform.plugins.module_utils.common import run_manager

#: CloudWatch's StandardUnit values.
UNITS = [
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
    "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
    "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
    "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
]
#: what RV(alarm) has beyond the definition and tags; not part of the diff.
STATE_KEYS = ("alarm_arn", "state_value", "state_reason")


def diff_view(alarm):
    """The definition and tags of a returned alarm, for ``diff``."""
    return {key: value for key, value in (alarm or {}).items() if key not in STATE_KEYS}


class AlarmManager(ResourceManager):
    """One metric alarm, identified by its name."""

    result_key = "alarm"

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params = module.params
        self.name = self.params["alarm_name"]
        self.raw = None

    def read(self):
        self.raw = describe_metric_alarm(self.client, self.name)
        if self.raw is None:
            return None
        return alarm_view(self.raw, list_tags(self.client, self.raw["AlarmArn"]))

    def create(self):
        put_metric_alarm(self.client, self.name, create_request(self.params))

    def update(self, current):
        request = put_request(self.params)
        if comparable(definition(request)) != comparable(definition(self.raw)):
            self.act(put_metric_alarm, self.client, self.name, request)
        if self.params["tags"] is not None:
            to_set, to_unset = compare_aws_tags(current["tags"], self.params["tags"], self.params["purge_tags"])
            if to_unset:
                self.act(untag_resource, self.client, current["alarm_arn"], to_unset)
            if to_set:
                self.act(tag_resource, self.client, current["alarm_arn"], to_set)

    def expected(self, current):
        after = definition(put_request(self.params))
        for key in STATE_KEYS:
            if current and key in current:
                after[key] = current[key]
        after["tags"] = expected_tags(
            (current or {}).get("tags"), self.params["tags"], current is None or self.params["purge_tags"]
        )
        return after

    def delete(self, current):
        delete_alarm(self.client, self.name)

    diff_view = staticmethod(diff_view)


def main():
    argument_spec = dict(
        alarm_name=dict(type="str", required=True, aliases=["name"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        alarm_description=dict(type="str"),
        actions_enabled=dict(type="bool", default=True),
        alarm_actions=dict(type="list", elements="str", default=[]),
        ok_actions=dict(type="list", elements="str", default=[]),
        insufficient_data_actions=dict(type="list", elements="str", default=[]),
        metric_name=dict(type="str"),
        namespace=dict(type="str"),
        statistic=dict(type="str", choices=["SampleCount", "Average", "Sum", "Minimum", "Maximum"]),
        extended_statistic=dict(type="str"),
        dimensions=dict(type="dict"),
        period=dict(type="int"),
        unit=dict(type="str", choices=UNITS),
        evaluation_periods=dict(type="int"),
        datapoints_to_alarm=dict(type="int"),
        threshold=dict(type="float"),
        comparison_operator=dict(
            type="str",
            choices=[
                "GreaterThanOrEqualToThreshold",
                "GreaterThanThreshold",
                "LessThanThreshold",
                "LessThanOrEqualToThreshold",
            ],
        ),
        treat_missing_data=dict(
            type="str", default="missing", choices=["breaching", "notBreaching", "ignore", "missing"]
        ),
        evaluate_low_sample_count_percentile=dict(type="str", choices=["evaluate", "ignore"]),
        metrics=dict(
            type="list",
            elements="dict",
            options=dict(
                id=dict(type="str", required=True),
                expression=dict(type="str"),
                label=dict(type="str"),
                return_data=dict(type="bool"),
                period=dict(type="int"),
                metric_stat=dict(
                    type="dict",
                    options=dict(
                        metric=dict(
                            type="dict",
                            required=True,
                            options=dict(
                                namespace=dict(type="str", required=True),
                                metric_name=dict(type="str", required=True),
                                dimensions=dict(type="dict"),
                            ),
                        ),
                        period=dict(type="int", required=True),
                        stat=dict(type="str", required=True),
                        unit=dict(type="str"),
                    ),
                ),
            ),
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    errors = validate_params(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors))

    run_manager(module, AlarmManager(module, module.client("cloudwatch")))


if __name__ == "__main__":
    main()
