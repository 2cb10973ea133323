"""The alarms an operator needs: dead letters, stuck queues, catalog drift, a stale repair."""

from __future__ import annotations

from typing import Any

from meshcore.aws.errors import aws_errors
from meshcore.provisioning.result import Provisioned
from meshcore.runtime.metrics import NAMESPACE
from meshcore.settings import MeshSettings

OLDEST_MESSAGE_ALARM_SECONDS = 300


def alarm_definitions(settings: MeshSettings) -> list[dict[str, Any]]:
    alarms: list[dict[str, Any]] = []
    for queue in settings.queues.all():
        dlq = queue + "-dlq"
        alarms.append(
            {
                "AlarmName": f"{dlq}-not-empty",
                "AlarmDescription": f"Messages in {dlq}: inspect with `meshctl dlq list {queue}`",
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName", "Value": dlq}],
                "Statistic": "Maximum",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": 0.0,
                "ComparisonOperator": "GreaterThanThreshold",
                "TreatMissingData": "notBreaching",
            }
        )
        alarms.append(
            {
                "AlarmName": f"{queue}-oldest-message",
                "AlarmDescription": f"The oldest message in {queue} waited over {OLDEST_MESSAGE_ALARM_SECONDS} s",
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateAgeOfOldestMessage",
                "Dimensions": [{"Name": "QueueName", "Value": queue}],
                "Statistic": "Maximum",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": float(OLDEST_MESSAGE_ALARM_SECONDS),
                "ComparisonOperator": "GreaterThanThreshold",
                "TreatMissingData": "notBreaching",
            }
        )
    alarms.append(
        {
            "AlarmName": "meshcore-repair-drift",
            "AlarmDescription": "The last repair found the central catalog out of step with a producer",
            "Namespace": NAMESPACE,
            "MetricName": "RepairDrift",
            "Dimensions": [{"Name": "Worker", "Value": "sync-worker"}],
            "Statistic": "Maximum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": 0.0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
        }
    )
    alarms.append(
        {
            "AlarmName": "meshcore-repair-stale",
            "AlarmDescription": "No successful repair within twice the repair interval",
            "Namespace": NAMESPACE,
            "MetricName": "RepairSucceeded",
            "Dimensions": [{"Name": "Worker", "Value": "sync-worker"}],
            "Statistic": "Sum",
            # Alarm periods of an hour or more must be multiples of 3,600 s (CloudWatch PutMetricAlarm).
            "Period": max(3600, -(-2 * settings.repair_interval_minutes * 60 // 3600) * 3600),
            "EvaluationPeriods": 1,
            "Threshold": 1.0,
            "ComparisonOperator": "LessThanThreshold",
            "TreatMissingData": "breaching",
        }
    )
    return alarms


def ensure_alarms(cloudwatch: Any, settings: MeshSettings, result: Provisioned) -> None:
    wanted = alarm_definitions(settings)
    with aws_errors("cloudwatch:DescribeAlarms"):
        existing = {
            a["AlarmName"]: a
            for a in cloudwatch.describe_alarms(AlarmNames=[a["AlarmName"] for a in wanted])[
                "MetricAlarms"
            ]
        }
    for alarm in wanted:
        current = existing.get(alarm["AlarmName"])
        if current and all(current.get(k) == v for k, v in alarm.items()):
            result.add(f"alarm {alarm['AlarmName']}", "exists")
            continue
        with aws_errors(f"cloudwatch:PutMetricAlarm {alarm['AlarmName']}"):
            cloudwatch.put_metric_alarm(**alarm)
        result.add(f"alarm {alarm['AlarmName']}", "updated" if current else "created")
