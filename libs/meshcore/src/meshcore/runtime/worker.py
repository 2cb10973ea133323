"""A worker process: one composition root hands it routes (queue -> contract and handlers);
it runs them.

SIGTERM or SIGINT stops receiving, lets in-flight work finish up to the grace period and gives
anything unfinished back to its queue at once.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import structlog

from meshcore.aws.clients import AsyncAws
from meshcore.aws.queues import queue_url
from meshcore.aws.rejections import RejectionLog, rejection_now
from meshcore.domain.errors import MeshError
from meshcore.runtime.consumer import QueueConsumer, QueueMessage
from meshcore.runtime.dispatch import Decoder, HandlerMap, dispatcher
from meshcore.runtime.heartbeat import beat
from meshcore.runtime.logging import configure_logging
from meshcore.runtime.metrics import Metrics
from meshcore.runtime.publisher import MetricsPublisher
from meshcore.settings import MeshSettings

log = structlog.get_logger()


@dataclass(frozen=True)
class Route:
    """A queue, its contract (the decoder of its bodies) and a handler per decoded type."""

    queue: str
    name: str
    decode: Decoder
    handlers: HandlerMap


Bootstrap = Callable[[AsyncAws, Metrics], Awaitable[list[Route]]]


async def serve(
    worker_name: str, settings: MeshSettings, bootstrap: Bootstrap, stop: asyncio.Event
) -> Metrics:
    metrics = Metrics()
    async with AsyncExitStack() as stack:
        aws = AsyncAws(settings, stack, session_name=f"meshcore-{worker_name}")
        stack.push_async_callback(aws.aclose)
        routes = await bootstrap(aws, metrics)
        sqs = await aws.client("sqs")
        rejections = RejectionLog(await aws.client("dynamodb"), settings.state_table)

        async def on_rejected(message: QueueMessage, handler: str, reason: str) -> None:
            await rejections.record(
                rejection_now(
                    message.message_id, message.queue, handler, reason, message.receive_count
                )
            )

        consumers = [
            QueueConsumer(
                sqs,
                await queue_url(sqs, r.queue),
                r.queue,
                dispatcher(r.decode, r.handlers),
                settings.worker,
                metrics,
                r.name,
                on_rejected,
            )
            for r in routes
        ]
        publisher = MetricsPublisher(
            await aws.client("cloudwatch"),
            metrics,
            worker_name,
            settings.worker.metrics_interval_seconds,
        )
        log.info(
            "worker.started",
            worker=worker_name,
            queues=[r.queue for r in routes],
            concurrency=settings.worker.concurrency,
        )
        publishing = asyncio.create_task(publisher.run(stop))
        heartbeat = settings.worker.heartbeat_path
        beating = (
            asyncio.create_task(
                beat(Path(heartbeat), settings.worker.heartbeat_interval_seconds, stop)
            )
            if heartbeat
            else None
        )
        await asyncio.gather(*(c.run(stop) for c in consumers))
        if beating:
            await beating
        await publishing
        await publisher.publish()  # what the drain handled, too
        log.info(
            "worker.stopped",
            worker=worker_name,
            handled={f"{q}:{o}": n for (q, o), n in metrics.totals.items()},
        )
    return metrics


def run(worker_name: str, bootstrap: Bootstrap, settings: MeshSettings | None = None) -> int:
    """Entry point body shared by the worker services. Returns the process exit code."""
    settings = settings or MeshSettings()
    configure_logging(settings.log_json)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(worker_name, settings, bootstrap, stop)

    try:
        asyncio.run(main())
    except MeshError as exc:
        log.error("worker.failed", worker=worker_name, error=str(exc))
        return 1
    return 0
