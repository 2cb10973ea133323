"""The worker runtime against real SQS semantics (the embedded AWS)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from structlog.testing import capture_logs

from meshcore.aws.clients import AsyncAws, SyncAws
from meshcore.domain.errors import PermanentError, RetryableError
from meshcore.messages.decode import decode_scan_request
from meshcore.provisioning.central import dlq_name, ensure_queue
from meshcore.provisioning.result import Provisioned
from meshcore.runtime.consumer import Handler, QueueConsumer, QueueMessage
from meshcore.settings import MeshSettings

QUEUE = "test-work"


@pytest.fixture
async def sqs(settings: MeshSettings) -> AsyncIterator[Any]:
    ensure_queue(SyncAws(settings).client("sqs"), QUEUE, settings, Provisioned())
    async with AsyncExitStack() as stack:
        yield await AsyncAws(settings, stack, "test").client("sqs")


async def url(sqs: Any, name: str) -> str:
    return str((await sqs.get_queue_url(QueueName=name))["QueueUrl"])


async def send(sqs: Any, *bodies: str) -> None:
    for body in bodies:
        await sqs.send_message(QueueUrl=await url(sqs, QUEUE), MessageBody=body)


async def depth(sqs: Any, name: str) -> int:
    attrs = await sqs.get_queue_attributes(
        QueueUrl=await url(sqs, name),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )
    return sum(int(v) for v in attrs["Attributes"].values())


async def run_until(consumer: QueueConsumer, done: Any, limit_s: float = 20.0) -> asyncio.Event:
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        async with asyncio.timeout(limit_s):
            while not await done():  # noqa: ASYNC110 - polling SQS, not a local condition
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task
    return stop


def consumer(sqs: Any, queue_url: str, handler: Handler, settings: MeshSettings) -> QueueConsumer:
    return QueueConsumer(sqs, queue_url, QUEUE, handler, settings.worker)


async def test_handled_messages_are_deleted(sqs: Any, settings: MeshSettings) -> None:
    seen: list[str] = []

    async def handler(message: QueueMessage) -> None:
        seen.append(message.body)

    await send(sqs, *[json.dumps({"n": i}) for i in range(25)])
    c = consumer(sqs, await url(sqs, QUEUE), handler, settings)

    async def all_gone() -> bool:
        return len(seen) >= 25 and await depth(sqs, QUEUE) == 0

    await run_until(c, all_gone)
    assert sorted(seen) == sorted(json.dumps({"n": i}) for i in range(25))


async def test_malformed_message_goes_to_the_dead_letter_queue_and_the_worker_keeps_going(
    sqs: Any, settings: MeshSettings
) -> None:
    good: list[str] = []

    async def handler(message: QueueMessage) -> None:
        request = decode_scan_request(message.body)
        good.append(request.table)

    c = consumer(sqs, await url(sqs, QUEUE), handler, settings)
    await send(sqs, "{not json")

    async def dead_lettered() -> bool:
        return await depth(sqs, dlq_name(QUEUE)) == 1

    with capture_logs() as logs:
        await run_until(c, dead_lettered)
    rejected = [e for e in logs if e.get("outcome") == "rejected"]
    assert rejected and "body is not JSON" in rejected[0]["reason"]
    assert await depth(sqs, QUEUE) == 0

    await send(
        sqs,
        json.dumps({"kind": "classification.scan", "version": 1, "database": "d", "table": "t"}),
    )

    async def handled() -> bool:
        return good == ["t"]

    await run_until(c, handled)


async def test_retryable_failure_is_retried_after_a_backoff(
    sqs: Any, settings: MeshSettings
) -> None:
    attempts: list[int] = []

    async def flaky(message: QueueMessage) -> None:
        attempts.append(message.receive_count)
        if len(attempts) == 1:
            raise RetryableError("throttled")

    await send(sqs, "{}")
    c = consumer(sqs, await url(sqs, QUEUE), flaky, settings)

    async def done() -> bool:
        return len(attempts) == 2 and await depth(sqs, QUEUE) == 0

    await run_until(c, done)
    assert attempts == [1, 2]
    assert await depth(sqs, dlq_name(QUEUE)) == 0


async def test_permanent_failure_runs_the_handler_once(sqs: Any, settings: MeshSettings) -> None:
    calls = 0

    async def broken(message: QueueMessage) -> None:
        nonlocal calls
        calls += 1
        raise PermanentError("account 999999999999 is not an onboarded producer")

    await send(sqs, "{}")
    c = consumer(sqs, await url(sqs, QUEUE), broken, settings)

    async def dead_lettered() -> bool:
        return await depth(sqs, dlq_name(QUEUE)) == 1

    await run_until(c, dead_lettered)
    assert calls == 1


async def test_stop_finishes_in_flight_work_and_releases_nothing_unfinished(
    sqs: Any, settings: MeshSettings
) -> None:
    started = asyncio.Event()
    finished: list[str] = []

    async def slow(message: QueueMessage) -> None:
        started.set()
        await asyncio.sleep(1.0)
        finished.append(message.message_id)

    await send(sqs, "{}")
    c = consumer(sqs, await url(sqs, QUEUE), slow, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(c.run(stop))
    await asyncio.wait_for(started.wait(), 10)
    stop.set()
    await task
    assert len(finished) == 1
    assert await depth(sqs, QUEUE) == 0


async def test_work_past_the_grace_period_is_given_back_at_once(
    sqs: Any, settings: MeshSettings
) -> None:
    started = asyncio.Event()

    async def stuck(message: QueueMessage) -> None:
        started.set()
        await asyncio.sleep(60)

    await send(sqs, "{}")
    quick = settings.worker.model_copy(update={"shutdown_grace_seconds": 0.2})
    c = QueueConsumer(sqs, await url(sqs, QUEUE), QUEUE, stuck, quick)
    stop = asyncio.Event()
    task = asyncio.create_task(c.run(stop))
    await asyncio.wait_for(started.wait(), 10)
    stop.set()
    await task
    # Visible again immediately, not after the visibility timeout.
    response = await sqs.receive_message(QueueUrl=await url(sqs, QUEUE), WaitTimeSeconds=0)
    assert len(response.get("Messages", [])) == 1


async def test_a_handler_past_its_time_limit_is_retried_later(
    sqs: Any, settings: MeshSettings
) -> None:
    attempts: list[int] = []

    async def slow_once(message: QueueMessage) -> None:
        attempts.append(message.receive_count)
        if len(attempts) == 1:
            await asyncio.sleep(30)

    await send(sqs, "{}")
    limited = settings.worker.model_copy(update={"handler_timeout_seconds": 0.5})
    c = QueueConsumer(sqs, await url(sqs, QUEUE), QUEUE, slow_once, limited)

    async def done() -> bool:
        return len(attempts) == 2 and await depth(sqs, QUEUE) == 0

    await run_until(c, done)
    assert attempts == [1, 2]


async def test_a_message_given_up_on_is_dead_lettered_with_its_reason(
    sqs: Any, settings: MeshSettings
) -> None:
    """Not only rejections: a message that failed every attempt reaches the dead-letter queue
    with the last reason recorded, so that `meshctl dlq list` can say why."""
    recorded: list[tuple[str, str]] = []

    async def always_throttled(message: QueueMessage) -> None:
        raise RetryableError("throttled")

    async def on_rejected(message: QueueMessage, handler: str, reason: str) -> None:
        recorded.append((message.message_id, reason))

    await send(sqs, "{}")
    c = QueueConsumer(
        sqs,
        await url(sqs, QUEUE),
        QUEUE,
        always_throttled,
        settings.worker,
        on_rejected=on_rejected,
    )

    async def dead_lettered() -> bool:
        return await depth(sqs, dlq_name(QUEUE)) == 1

    await run_until(c, dead_lettered, limit_s=60)
    attempts = settings.worker.max_receive_count
    assert [reason for _id, reason in recorded] == [f"gave up after {attempts} attempts: throttled"]
