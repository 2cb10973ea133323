"""Publish a worker's metrics to CloudWatch on an interval, and once more on the way out."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, cast

import structlog

from meshcore.aws.errors import aws_errors
from meshcore.domain.errors import MeshError
from meshcore.runtime.metrics import NAMESPACE, Metrics

if TYPE_CHECKING:
    from types_aiobotocore_cloudwatch.client import CloudWatchClient
    from types_aiobotocore_cloudwatch.type_defs import MetricDatumTypeDef

log = structlog.get_logger()

# Conservative datums per PutMetricData call (CloudWatch API reference: older accounts 20).
PUT_METRIC_DATA_MAX = 20


class MetricsPublisher:
    def __init__(
        self,
        cloudwatch: CloudWatchClient,
        metrics: Metrics,
        worker: str,
        interval_seconds: float,
    ) -> None:
        self._cloudwatch = cloudwatch
        self._metrics = metrics
        self._worker = worker
        self._interval = interval_seconds

    async def run(self, stop: asyncio.Event) -> None:
        """Publish every interval until `stop`; the caller publishes the last round."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)
            if not stop.is_set():
                await self.publish()

    async def publish(self) -> int:
        data = self._metrics.drain(Worker=self._worker)
        for start in range(0, len(data), PUT_METRIC_DATA_MAX):
            try:
                with aws_errors("cloudwatch:PutMetricData"):
                    await self._cloudwatch.put_metric_data(
                        Namespace=NAMESPACE,
                        MetricData=cast(
                            "list[MetricDatumTypeDef]", data[start : start + PUT_METRIC_DATA_MAX]
                        ),
                    )
            except MeshError as exc:
                # Metrics are best effort: a lost interval must not stop the work.
                log.warning("metrics.publish_failed", error=str(exc), datums=len(data) - start)
                return start
        return len(data)
