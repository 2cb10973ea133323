"""Amazon SQS publishes each queue's depth to CloudWatch (AWS/SQS, dimension QueueName).

"Amazon SQS and Amazon CloudWatch are integrated so you can use CloudWatch to view and analyze
metrics for your Amazon SQS queues ... CloudWatch metrics for your Amazon SQS queues are
automatically collected and pushed to CloudWatch at one-minute intervals."
ApproximateNumberOfMessagesVisible, ApproximateNumberOfMessagesNotVisible and
ApproximateNumberOfMessagesDelayed are counts, by QueueName.
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html

moto publishes nothing for SQS, so a dead-letter queue's alarm metric and a chart of dead
letters have no data. Here CloudWatch reads each queue's counts when it is asked, as one
datapoint at the start of the current minute. Earlier minutes are not kept (the stricter
reading: fewer datapoints than AWS, never one AWS would not have). Belongs upstream in moto.
"""

from __future__ import annotations

from typing import Any

from moto.cloudwatch.models import MetricDatum
from moto.core.common_models import CloudWatchMetricProvider
from moto.core.utils import utcnow
from moto.sqs.models import sqs_backends

COUNTS = {
    "ApproximateNumberOfMessagesVisible": "approximate_number_of_messages",
    "ApproximateNumberOfMessagesNotVisible": "approximate_number_of_messages_not_visible",
    "ApproximateNumberOfMessagesDelayed": "approximate_number_of_messages_delayed",
}
_PROVIDERS: list[type] = []  # moto finds providers as subclasses: keep the one made here


def install() -> None:
    if _PROVIDERS:
        return

    class SqsQueueMetrics(CloudWatchMetricProvider):
        @staticmethod
        def get_cloudwatch_metrics(account_id: str, region: str) -> Any:
            return queue_metrics(account_id, region)

    _PROVIDERS.append(SqsQueueMetrics)


def queue_metrics(account_id: str, region: str) -> list[MetricDatum]:
    backends = sqs_backends.get(account_id)
    if backends is None or region not in backends:
        return []
    minute = utcnow().replace(second=0, microsecond=0)
    return [
        MetricDatum(
            namespace="AWS/SQS",
            name=metric,
            value=float(getattr(queue, attribute)),
            dimensions=[{"Name": "QueueName", "Value": name}],
            timestamp=minute,
            unit="Count",
        )
        for name, queue in list(backends[region].queues.items())
        for metric, attribute in COUNTS.items()
    ]
