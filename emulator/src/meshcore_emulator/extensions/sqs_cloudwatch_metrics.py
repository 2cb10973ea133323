"""SQS publishes its queue metrics to CloudWatch (AWS/SQS, dimension QueueName) every minute.

AWS: "CloudWatch metrics for your Amazon SQS queues are automatically collected and pushed to
CloudWatch at one-minute intervals" ("Available CloudWatch metrics for Amazon SQS", SQS
Developer Guide,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html,
and "Monitoring Amazon SQS queues using CloudWatch"), for every queue:

- ``ApproximateNumberOfMessagesVisible``: messages available for retrieval;
- ``ApproximateNumberOfMessagesNotVisible``: messages in flight;
- ``ApproximateNumberOfMessagesDelayed``: delayed messages;
- ``ApproximateAgeOfOldestMessage`` (seconds), only while the queue holds a message, as the
  page says it is reported. For a dead-letter queue the page defines it as the longest time a
  message has been *in that queue*, so the age counts from when a message entered the queue it
  is in (moto moves the same message object, keeping the original ``SentTimestamp``, into a
  dead-letter queue; the entry time is recorded here). For a queue a message was sent to, that
  is its send time.

moto publishes no SQS metrics at all. Here:

- a publisher stores each queue's four metrics as one datapoint per metric every 60 s, as AWS
  does, from a daemon thread (``interval`` configurable for tests:
  ``EmbeddedAws.start(sqs_metrics_interval=...)``, ``MESHCORE_EMULATOR_SQS_METRICS_SECONDS``,
  ``POST /_emulator/cloudwatch``; ``tick(now)`` publishes once). These are the datapoints
  alarms evaluate (extensions/cloudwatch_alarms.py), so an alarm sees a queue as AWS's would,
  up to one interval late;
- and, so that a chart of the current minute has data at once, CloudWatch also answers reads
  with each queue's three counts at this moment, as one datapoint at the start of the current
  minute (a metric provider; earlier minutes come only from the publisher).

The counts are read as SQS's GetQueueAttributes answers them (the same moto properties), so
they are exact where AWS's are approximate. Belongs upstream in moto (a
``CloudWatchMetricProvider`` for SQS and a publisher in ``moto/sqs/models.py``).
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.cloudwatch.models import MetricDatum, cloudwatch_backends
from moto.core.common_models import CloudWatchMetricProvider
from moto.core.utils import utcnow
from moto.sqs.models import Message, Queue, sqs_backends

from ._cadence import Cadence
from ._patching import wrap_method

log = logging.getLogger(__name__)

NAMESPACE = "AWS/SQS"
DEFAULT_INTERVAL_SECONDS = 60.0

# When each message entered the queue it is in now (epoch seconds); weak, outside the message.
_entered: weakref.WeakKeyDictionary[Message, float] = weakref.WeakKeyDictionary()


def install() -> None:
    wrap_method(Queue, "add_message", _record_entry)
    _install_provider()


def _record_entry(original: Any, queue: Queue, message: Message, *args: Any, **kw: Any) -> Any:
    _entered[message] = time.time()
    return original(queue, message, *args, **kw)


def published_metrics(queue: Queue, now: float) -> dict[str, float]:
    """The metrics one queue reports at `now` (epoch seconds)."""
    metrics = {
        "ApproximateNumberOfMessagesVisible": float(queue.approximate_number_of_messages),
        "ApproximateNumberOfMessagesNotVisible": float(
            queue.approximate_number_of_messages_not_visible
        ),
        "ApproximateNumberOfMessagesDelayed": float(queue.approximate_number_of_messages_delayed),
    }
    entries = [_entry_time(m) for m in list(queue._messages)]
    if entries:
        metrics["ApproximateAgeOfOldestMessage"] = float(max(0, int(now - min(entries))))
    return metrics


def _entry_time(message: Message) -> float:
    entered = _entered.get(message)
    if entered is not None:
        return entered
    return (message.sent_timestamp or time.time() * 1000) / 1000


COUNTS = {
    "ApproximateNumberOfMessagesVisible": "approximate_number_of_messages",
    "ApproximateNumberOfMessagesNotVisible": "approximate_number_of_messages_not_visible",
    "ApproximateNumberOfMessagesDelayed": "approximate_number_of_messages_delayed",
}
_PROVIDERS: list[type] = []  # moto finds providers as subclasses: keep the one made here


def _install_provider() -> None:
    if _PROVIDERS:
        return

    class SqsQueueMetrics(CloudWatchMetricProvider):
        @staticmethod
        def get_cloudwatch_metrics(account_id: str, region: str) -> Any:
            return current_counts(account_id, region)

    _PROVIDERS.append(SqsQueueMetrics)


def current_counts(account_id: str, region: str) -> list[MetricDatum]:
    """Each queue's counts now, as datapoints at the start of the current minute."""
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


class SqsMetricsPublisher(Cadence):
    """Publishes every queue's metrics every `interval` seconds from a daemon thread."""

    name = "sqs-cloudwatch-metrics"
    default_interval = DEFAULT_INTERVAL_SECONDS

    def __init__(
        self, interval: float | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(interval, clock)
        self.published = 0

    def tick(self, now: float | None = None) -> int:
        """Publish every queue's metrics once; returns how many data points were published."""
        now = self._clock() if now is None else now
        timestamp = datetime.fromtimestamp(now, UTC).replace(tzinfo=None)
        count = 0
        for account, regions in list(sqs_backends.items()):
            for region, backend in list(regions.items()):
                queues = list(backend.queues.values())
                if not queues:
                    continue
                cloudwatch = cloudwatch_backends[account][region]
                for queue in queues:
                    dimensions = [{"Name": "QueueName", "Value": queue.name}]
                    for name, value in published_metrics(queue, now).items():
                        unit = "Seconds" if name == "ApproximateAgeOfOldestMessage" else "Count"
                        cloudwatch.metric_data.append(
                            MetricDatum(NAMESPACE, name, value, dimensions, timestamp, unit)
                        )
                        count += 1
        self.published += count
        return count
