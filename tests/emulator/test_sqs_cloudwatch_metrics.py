"""Amazon SQS publishes each queue's message counts to CloudWatch (AWS/SQS, by QueueName).

"CloudWatch metrics for your Amazon SQS queues are automatically collected and pushed to
CloudWatch at one-minute intervals": ApproximateNumberOfMessagesVisible, ...NotVisible and
...Delayed.
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html)
The embedded AWS answers with the current minute's counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .helpers import ClientFactory


def latest(cw: Any, metric: str, queue: str) -> list[float]:
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


def test_queue_depth_is_a_cloudwatch_metric(client: ClientFactory) -> None:
    sqs, cw = client("sqs"), client("cloudwatch")
    url = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    sqs.create_queue(QueueName="other")
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=60)
    assert latest(cw, "ApproximateNumberOfMessagesVisible", "work-dlq") == [2.0]
    assert latest(cw, "ApproximateNumberOfMessagesNotVisible", "work-dlq") == [1.0]
    assert latest(cw, "ApproximateNumberOfMessagesVisible", "other") == [0.0]
    assert latest(cw, "ApproximateNumberOfMessagesVisible", "missing") == []
