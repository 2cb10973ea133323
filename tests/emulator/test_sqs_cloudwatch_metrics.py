"""SQS publishes its queue metrics to CloudWatch (namespace AWS/SQS, dimension QueueName).

AWS: "Available CloudWatch metrics for Amazon SQS", SQS Developer Guide
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html):
ApproximateNumberOfMessagesVisible / NotVisible / Delayed, and ApproximateAgeOfOldestMessage
while the queue holds a message; for a dead-letter queue the age is the longest time a message
has been in that queue. SQS sends them every minute; reads of the current minute see the
queue's counts at once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from meshcore_emulator import EmbeddedAws

from .helpers import ClientFactory, call_control


@pytest.fixture(autouse=True)
def by_hand(aws: EmbeddedAws) -> Iterator[None]:
    """The background threads stay quiet: the test ticks (the reset after it restores them)."""
    aws.set_cadence(sqs_metrics_seconds=3600, alarm_seconds=3600)
    yield


def latest(client: ClientFactory, queue: str, metric: str) -> float | None:
    now = datetime.now(UTC)
    points = client("cloudwatch").get_metric_statistics(
        Namespace="AWS/SQS",
        MetricName=metric,
        Dimensions=[{"Name": "QueueName", "Value": queue}],
        StartTime=now - timedelta(minutes=5),
        EndTime=now + timedelta(minutes=5),
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    return max((p["Maximum"] for p in points), default=None)


def test_queue_depths_and_the_oldest_message_are_published(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    sqs.create_queue(QueueName="idle")
    sqs.send_message(QueueUrl=url, MessageBody="a")
    sqs.send_message(QueueUrl=url, MessageBody="b")
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=60)
    assert latest(client, "work", "ApproximateAgeOfOldestMessage") is None  # not yet published

    assert aws.sqs_metrics.tick(time.time() + 30) > 0
    assert latest(client, "work", "ApproximateNumberOfMessagesVisible") == 1
    assert latest(client, "work", "ApproximateNumberOfMessagesNotVisible") == 1
    assert latest(client, "work", "ApproximateNumberOfMessagesDelayed") == 0
    age = latest(client, "work", "ApproximateAgeOfOldestMessage")
    assert age is not None and 29 <= age <= 60
    # An empty queue reports its counts, and no age: it holds no message.
    assert latest(client, "idle", "ApproximateNumberOfMessagesVisible") == 0
    assert latest(client, "idle", "ApproximateAgeOfOldestMessage") is None
    names = {
        m["MetricName"]
        for m in client("cloudwatch").list_metrics(Namespace="AWS/SQS")["Metrics"]
        if m["Dimensions"] == [{"Name": "QueueName", "Value": "work"}]
    }
    assert names >= {
        "ApproximateNumberOfMessagesVisible",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateAgeOfOldestMessage",
    }


def test_a_dead_letter_queues_age_counts_from_when_the_message_arrived_there(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    sqs = client("sqs")
    dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy: dict[str, Any] = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"}
    url = sqs.create_queue(
        QueueName="work", Attributes={"RedrivePolicy": json.dumps(policy), "VisibilityTimeout": "0"}
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    time.sleep(2.5)  # the message ages in its queue before it moves
    assert sqs.receive_message(QueueUrl=url).get("Messages")
    assert not sqs.receive_message(QueueUrl=url).get("Messages")  # moved to the DLQ

    aws.sqs_metrics.tick()
    assert latest(client, "work-dlq", "ApproximateNumberOfMessagesVisible") == 1
    age = latest(client, "work-dlq", "ApproximateAgeOfOldestMessage")
    assert age is not None and age < 2  # since it arrived in the DLQ, not since it was sent
    assert latest(client, "work", "ApproximateAgeOfOldestMessage") is None


def test_the_cadence_is_set_over_http_and_a_reset_restores_the_starts(aws: EmbeddedAws) -> None:
    aws.reset()
    at_start = aws.set_cadence()
    status, answer = call_control(
        aws.endpoint_url, "POST", "/_emulator/cloudwatch", {"sqs_metrics_seconds": 2}
    )
    assert status == 200 and answer["cadence"]["sqs_metrics_seconds"] == 2
    assert aws.sqs_metrics.interval == 2
    status, answer = call_control(aws.endpoint_url, "POST", "/_emulator/cloudwatch", {"x": 1})
    assert status == 400
    status, answer = call_control(
        aws.endpoint_url, "POST", "/_emulator/cloudwatch", {"alarm_seconds": 0}
    )
    assert status == 400
    aws.reset()
    assert aws.set_cadence() == at_start


def test_the_background_thread_publishes_at_the_cadence(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    sqs = client("sqs")
    sqs.send_message(QueueUrl=sqs.create_queue(QueueName="watched")["QueueUrl"], MessageBody="m")
    aws.set_cadence(sqs_metrics_seconds=0.2)
    deadline = time.monotonic() + 30
    while latest(client, "watched", "ApproximateAgeOfOldestMessage") is None:
        assert time.monotonic() < deadline, "no metric published"
        time.sleep(0.1)


def test_the_cadence_at_start_from_a_parameter_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    default = EmbeddedAws.start(port=0)
    try:  # AWS's one minute
        assert default.set_cadence() == {"sqs_metrics_seconds": 60, "alarm_seconds": 60}
    finally:
        default.stop()
    monkeypatch.setenv("MESHCORE_EMULATOR_ALARM_SECONDS", "7")
    other = EmbeddedAws.start(port=0, sqs_metrics_interval=5)
    try:
        assert other.set_cadence() == {"sqs_metrics_seconds": 5, "alarm_seconds": 7}
    finally:
        other.stop()
    with pytest.raises(ValueError, match="positive"):
        EmbeddedAws.start(port=0, alarm_interval=0)


def current(cw: Any, metric: str, queue: str) -> list[float]:
    """The current minute's datapoints, by GetMetricData."""
    now = datetime.now(UTC)
    answer = cw.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "m",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/SQS",
                        "MetricName": metric,
                        "Dimensions": [{"Name": "QueueName", "Value": queue}],
                    },
                    "Period": 60,
                    "Stat": "Maximum",
                },
            }
        ],
        StartTime=now - timedelta(minutes=5),
        EndTime=now + timedelta(minutes=1),
    )
    values: list[float] = answer["MetricDataResults"][0]["Values"]
    return values


def test_the_current_minute_has_the_queues_counts_at_once(client: ClientFactory) -> None:
    sqs, cw = client("sqs"), client("cloudwatch")
    url = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    sqs.create_queue(QueueName="other")
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=60)
    assert current(cw, "ApproximateNumberOfMessagesVisible", "work-dlq") == [2.0]
    assert current(cw, "ApproximateNumberOfMessagesNotVisible", "work-dlq") == [1.0]
    assert current(cw, "ApproximateNumberOfMessagesVisible", "other") == [0.0]
    assert current(cw, "ApproximateNumberOfMessagesVisible", "missing") == []
