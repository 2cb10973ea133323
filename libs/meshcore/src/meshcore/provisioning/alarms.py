"""The alarms an operator needs (dead letters, stuck queues, catalog drift, a stale repair) and
the SNS topic through which they reach someone: every alarm notifies it on ALARM and on OK, and
operators subscribe to it by email or with a webhook (HTTP/HTTPS, which SNS asks to confirm)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from meshcore.aws.errors import aws_errors, error_code
from meshcore.provisioning.result import Provisioned
from meshcore.runtime.metrics import NAMESPACE
from meshcore.settings import MeshSettings

OLDEST_MESSAGE_ALARM_SECONDS = 300
# Refused decisions and revokes in five minutes past which someone should look: a data owner's
# stale or out-of-terms approval is refused now and then, a flood is an attack (its refusals are
# counted even where the audit trail keeps only a summary of them).
DECISIONS_REFUSED_ALARM_THRESHOLD = 10


def alarm(
    name: str,
    description: str,
    metric: tuple[str, str],
    dimension: tuple[str, str],
    period: int,
    threshold: float,
    *,
    statistic: str = "Maximum",
    comparison: str = "GreaterThanThreshold",
    missing_data: str = "notBreaching",
) -> dict[str, Any]:
    """A PutMetricAlarm request on one evaluation period of `metric` (namespace, name) for one
    `dimension` (name, value)."""
    namespace, metric_name = metric
    dimension_name, dimension_value = dimension
    return {
        "AlarmName": name,
        "AlarmDescription": description,
        "Namespace": namespace,
        "MetricName": metric_name,
        "Dimensions": [{"Name": dimension_name, "Value": dimension_value}],
        "Statistic": statistic,
        "Period": period,
        "EvaluationPeriods": 1,
        "Threshold": threshold,
        "ComparisonOperator": comparison,
        "TreatMissingData": missing_data,
    }


def alarm_definitions(settings: MeshSettings, topic_arn: str | None = None) -> list[dict[str, Any]]:
    """Every alarm; with `topic_arn`, each notifies that SNS topic on ALARM and on OK."""
    alarms: list[dict[str, Any]] = []
    for queue in settings.queues.all():
        dlq = queue + "-dlq"
        alarms.append(
            alarm(
                f"{dlq}-not-empty",
                f"Messages in {dlq}: inspect with `meshctl dlq list {queue}`",
                ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
                ("QueueName", dlq),
                60,
                0.0,
            )
        )
        alarms.append(
            alarm(
                f"{queue}-oldest-message",
                f"The oldest message in {queue} waited over {OLDEST_MESSAGE_ALARM_SECONDS} s",
                ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
                ("QueueName", queue),
                60,
                float(OLDEST_MESSAGE_ALARM_SECONDS),
            )
        )
    alarms.append(
        alarm(
            "meshcore-repair-drift",
            "The last repair found the central catalog out of step with a producer",
            (NAMESPACE, "RepairDrift"),
            ("Worker", "sync-worker"),
            300,
            0.0,
        )
    )
    alarms.append(
        alarm(
            "meshcore-access-drift",
            "The access reconciliation found Lake Formation, RAM or a consumer "
            "account out of step with the granted requests: `meshctl access verify`",
            (NAMESPACE, "AccessDrift"),
            ("Worker", "grant-worker"),
            300,
            0.0,
        )
    )
    alarms.append(
        alarm(
            "meshcore-decisions-refused",
            f"Over {DECISIONS_REFUSED_ALARM_THRESHOLD} decisions or revokes refused in 5 minutes "
            "(forged, replayed, out of terms, for unknown requests): `meshctl audit "
            "refusals/unverified` and grant-worker's decision.refused log lines",
            (NAMESPACE, "DecisionsRefused"),
            ("Worker", "grant-worker"),
            300,
            float(DECISIONS_REFUSED_ALARM_THRESHOLD),
            statistic="Sum",
        )
    )
    alarms.append(
        alarm(
            "meshcore-repair-stale",
            "No successful repair within twice the repair interval",
            (NAMESPACE, "RepairSucceeded"),
            ("Worker", "sync-worker"),
            # Alarm periods of an hour or more must be multiples of 3,600 s (CloudWatch PutMetricAlarm).
            max(3600, -(-2 * settings.repair_interval_minutes * 60 // 3600) * 3600),
            1.0,
            statistic="Sum",
            comparison="LessThanThreshold",
            missing_data="breaching",
        )
    )
    if topic_arn is not None:
        for definition in alarms:
            definition["AlarmActions"] = [topic_arn]
            definition["OKActions"] = [topic_arn]
    return alarms


def ensure_alarm_topic(sns: Any, settings: MeshSettings, result: Provisioned) -> str:
    """The topic alarms notify; returns its ARN."""
    name = settings.alarm_topic
    with aws_errors("sns:ListTopics"):
        arns = [
            t["TopicArn"]
            for page in sns.get_paginator("list_topics").paginate()
            for t in page.get("Topics", [])
        ]
    existing = next((a for a in arns if a.rsplit(":", 1)[-1] == name), None)
    if existing is not None:
        result.add(f"sns topic {name}", "exists")
        return str(existing)
    with aws_errors(f"sns:CreateTopic {name}"):
        arn = str(sns.create_topic(Name=name)["TopicArn"])
    result.add(f"sns topic {name}", "created")
    return arn


def webhook_protocol(url: str) -> str:
    """SNS's protocol for a webhook URL: http or https (anything else is refused)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"an alarm webhook must be an http:// or https:// URL, not {url!r}")
    return parts.scheme


def ensure_alarm_subscriptions(
    sns: Any,
    topic_arn: str,
    emails: Sequence[str],
    webhooks: Sequence[str],
    result: Provisioned,
) -> None:
    """Subscribe each operator address and webhook once (SNS asks each to confirm: by a link in
    the email, or by a SubscriptionConfirmation POST the webhook must answer)."""
    wanted = [("email", e) for e in emails] + [(webhook_protocol(u), u) for u in webhooks]
    if not wanted:
        return
    with aws_errors("sns:ListSubscriptionsByTopic"):
        current = {
            (s["Protocol"], s["Endpoint"])
            for page in sns.get_paginator("list_subscriptions_by_topic").paginate(
                TopicArn=topic_arn
            )
            for s in page.get("Subscriptions", [])
        }
    for protocol, endpoint in dict.fromkeys(wanted):
        resource = f"alarm subscription {protocol} {endpoint}"
        if (protocol, endpoint) in current:
            result.add(resource, "exists")
            continue
        with aws_errors(f"sns:Subscribe {protocol} {endpoint}"):
            sns.subscribe(TopicArn=topic_arn, Protocol=protocol, Endpoint=endpoint)
        result.add(resource, "created")


def ensure_alarms(
    cloudwatch: Any, settings: MeshSettings, result: Provisioned, topic_arn: str | None = None
) -> None:
    wanted = alarm_definitions(settings, topic_arn)
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


DASHBOARD = "meshcore"


def dashboard_body(settings: MeshSettings) -> dict[str, Any]:
    """One screen: queue depths and dead letters, sync lag and throughput, repair drift."""
    region = settings.region

    def metric_widget(
        title: str, metrics: list[list[Any]], x: int, y: int, stat: str
    ) -> dict[str, Any]:
        return {
            "type": "metric",
            "x": x,
            "y": y,
            "width": 12,
            "height": 6,
            "properties": {
                "title": title,
                "region": region,
                "stat": stat,
                "period": 60,
                "metrics": metrics,
            },
        }

    queues = settings.queues.all()
    return {
        "widgets": [
            metric_widget(
                "Queue depth",
                [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q] for q in queues],
                0,
                0,
                "Maximum",
            ),
            metric_widget(
                "Dead letters",
                [
                    ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", f"{q}-dlq"]
                    for q in queues
                ],
                12,
                0,
                "Maximum",
            ),
            metric_widget(
                "Sync lag (s) and events",
                [
                    [NAMESPACE, "SyncLag", "Worker", "sync-worker"],
                    [
                        NAMESPACE,
                        "EventsProcessed",
                        "Worker",
                        "sync-worker",
                        {"stat": "Sum", "yAxis": "right"},
                    ],
                ],
                0,
                6,
                "p99",
            ),
            metric_widget(
                "Repair and access drift, repair failures",
                [
                    [NAMESPACE, "RepairDrift", "Worker", "sync-worker"],
                    [NAMESPACE, "RepairErrors", "Worker", "sync-worker"],
                    [NAMESPACE, "AccessDrift", "Worker", "grant-worker"],
                ],
                12,
                6,
                "Maximum",
            ),
        ]
    }


def ensure_dashboard(cloudwatch: Any, settings: MeshSettings, result: Provisioned) -> None:
    body = dashboard_body(settings)
    try:
        current = json.loads(cloudwatch.get_dashboard(DashboardName=DASHBOARD)["DashboardBody"])
    except ClientError as exc:
        if error_code(exc) not in ("ResourceNotFound", "ResourceNotFoundException"):
            raise
        current = None
    if current == body:
        result.add(f"dashboard {DASHBOARD}", "exists")
        return
    with aws_errors(f"cloudwatch:PutDashboard {DASHBOARD}"):
        cloudwatch.put_dashboard(DashboardName=DASHBOARD, DashboardBody=json.dumps(body))
    result.add(f"dashboard {DASHBOARD}", "updated" if current else "created")
