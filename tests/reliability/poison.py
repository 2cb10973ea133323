"""Helpers the poison and security scenarios share: queue bodies and metric sums."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .conftest import Stack


def send(stack: Stack, queue: str, body: str) -> str:
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    return str(sqs.send_message(QueueUrl=url, MessageBody=body)["MessageId"])


def dead_letters(stack: Stack, queue: str) -> dict[str, str]:
    """Message id -> body of everything in `queue`'s dead-letter queue (left in place)."""
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName=f"{queue}-dlq")["QueueUrl"]
    found: dict[str, str] = {}
    # Received with a zero visibility timeout: the operators' tools still see them afterwards.
    for _ in range(5):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
            "Messages", []
        ):
            found[m["MessageId"]] = m["Body"]
    return found


def metric_sum(stack: Stack, name: str, **dimensions: str) -> float:
    """The sum of metric `name` over every series whose dimensions include `dimensions`."""
    cloudwatch = stack.client("cloudwatch")
    now = datetime.now(UTC)
    total = 0.0
    listed = cloudwatch.list_metrics(Namespace="meshcore", MetricName=name)["Metrics"]
    # One series per distinct set of dimensions (a listing may repeat a series).
    series = {tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])): m for m in listed}
    for metric in series.values():
        dims = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
        if any(dims.get(k) != v for k, v in dimensions.items()):
            continue
        points: list[Any] = cloudwatch.get_metric_statistics(
            Namespace="meshcore",
            MetricName=name,
            Dimensions=metric["Dimensions"],
            StartTime=now - timedelta(hours=1),
            EndTime=now + timedelta(minutes=5),
            Period=3600,
            Statistics=["Sum"],
        )["Datapoints"]
        total += sum(p["Sum"] for p in points)
    return total
