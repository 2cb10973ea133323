"""Consume one SQS queue: long polling, bounded concurrency, ack after success, drain on stop.

Outcomes per message:
- ok: deleted (in batches of at most 10, reading `Failed`).
- retry (RetryableError or an unexpected exception): invisible again for a backoff that grows
  with the receive count; the queue's redrive policy dead-letters it after maxReceiveCount.
- rejected (PermanentError, including malformed bodies): made visible at once, with its reason
  remembered, so the redrive policy moves it to the dead-letter queue within a few receives; the
  handler is not run again for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from meshcore.aws.errors import aws_errors
from meshcore.domain.errors import MeshError, PermanentError, RetryableError
from meshcore.runtime.backoff import ExponentialBackoff
from meshcore.runtime.metrics import Metrics
from meshcore.settings import WorkerSettings

if TYPE_CHECKING:
    from types_aiobotocore_sqs.client import SQSClient
    from types_aiobotocore_sqs.type_defs import (
        BatchResultErrorEntryTypeDef,
        ChangeMessageVisibilityBatchRequestEntryTypeDef,
        ChangeMessageVisibilityBatchResultTypeDef,
        DeleteMessageBatchRequestEntryTypeDef,
        DeleteMessageBatchResultTypeDef,
    )

    BatchResponse = DeleteMessageBatchResultTypeDef | ChangeMessageVisibilityBatchResultTypeDef

log = structlog.get_logger()

# SQS ReceiveMessage, DeleteMessageBatch and ChangeMessageVisibilityBatch take at most 10
# (Amazon SQS Developer Guide, "Amazon SQS message quotas").
SQS_BATCH_MAX = 10
# How long successful deletes wait to be batched with others.
DELETE_LINGER_SECONDS = 0.05
# Message ids of rejected messages remembered until the queue dead-letters them.
POISON_MEMORY = 10_000


@dataclass(frozen=True)
class QueueMessage:
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int
    sent_at_ms: int | None
    queue: str
    sender_id: str = ""  # who sent it, as SQS tells (IAM user id, or role id:session)
    # When this process received it (time.monotonic): whatever it tells happened before.
    received_at: float = 0.0

    @classmethod
    def from_sqs(cls, raw: Mapping[str, Any], queue: str) -> QueueMessage:
        attrs = raw.get("Attributes", {})
        sent = attrs.get("SentTimestamp")
        return cls(
            message_id=raw["MessageId"],
            receipt_handle=raw["ReceiptHandle"],
            body=raw.get("Body", ""),
            receive_count=int(attrs.get("ApproximateReceiveCount", "1")),
            sent_at_ms=int(sent) if sent else None,
            queue=queue,
            sender_id=attrs.get("SenderId", ""),
            received_at=time.monotonic(),
        )


Handler = Callable[[QueueMessage], Awaitable[None]]
# Told about every rejected message: (message, handler name, reason).
RejectionHook = Callable[[QueueMessage, str, str], Awaitable[None]]


class QueueConsumer:
    def __init__(
        self,
        sqs: SQSClient,
        queue_url: str,
        queue_name: str,
        handler: Handler,
        settings: WorkerSettings,
        metrics: Metrics | None = None,
        handler_name: str | None = None,
        on_rejected: RejectionHook | None = None,
    ) -> None:
        self._on_rejected = on_rejected
        self._sqs = sqs
        self._url = queue_url
        self._queue = queue_name
        self._handler = handler
        self._handler_name: str = handler_name or str(getattr(handler, "__name__", "handler"))
        self._settings = settings
        self._metrics = metrics or Metrics()
        self._backoff = ExponentialBackoff(settings.retry_base_seconds, settings.retry_max_seconds)
        self._tasks: dict[asyncio.Task[None], QueueMessage] = {}
        self._poison: OrderedDict[str, str] = OrderedDict()
        self._deletes: list[QueueMessage] = []
        self._delete_wakeup = asyncio.Event()
        self._deleter: asyncio.Task[None] | None = None
        self._deleter_stopping = False

    # -- the loop ---------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        self._deleter = asyncio.create_task(self._delete_loop())
        receive_failures = 0
        try:
            while not stop.is_set():
                free = self._settings.concurrency - len(self._tasks)
                if free <= 0:
                    await self._wait_for_slot(stop)
                    continue
                try:
                    messages = await self._receive(min(SQS_BATCH_MAX, free))
                    receive_failures = 0
                except Exception as exc:  # a worker must keep receiving whatever went wrong
                    receive_failures += 1
                    pause = self._backoff.delay(receive_failures)
                    log.warning(
                        "queue.receive_failed", queue=self._queue, error=str(exc), retry_in_s=pause
                    )
                    await _sleep_or_stop(stop, pause)
                    continue
                if stop.is_set():
                    await self._release(messages)
                    break
                for message in messages:
                    task = asyncio.create_task(self._process(message))
                    self._tasks[task] = message
                    task.add_done_callback(self._tasks.pop)
        finally:
            await self._drain()

    async def _wait_for_slot(self, stop: asyncio.Event) -> None:
        stopper = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait([*self._tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()

    async def _receive(self, count: int) -> list[QueueMessage]:
        with aws_errors(f"sqs:ReceiveMessage {self._queue}"):
            response = await self._sqs.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=count,
                WaitTimeSeconds=self._settings.wait_time_seconds,
                VisibilityTimeout=self._settings.visibility_timeout_seconds,
                MessageSystemAttributeNames=[
                    "ApproximateReceiveCount",
                    "SentTimestamp",
                    "SenderId",
                ],
            )
        return [QueueMessage.from_sqs(m, self._queue) for m in response.get("Messages", [])]

    # -- one message ------------------------------------------------------------------------

    async def _process(self, message: QueueMessage) -> None:
        structlog.contextvars.bind_contextvars(
            message_id=message.message_id, queue=self._queue, handler=self._handler_name
        )
        started = time.monotonic()
        outcome, fields, visible_in = "ok", dict[str, Any](), None
        try:
            known_reason = self._poison.get(message.message_id)
            if known_reason is not None:
                outcome, fields, visible_in = (
                    "rejected",
                    {"reason": known_reason, "repeat": True},
                    0,
                )
            else:
                await self._run_handler(message)
        except PermanentError as exc:
            outcome, fields, visible_in = "rejected", {"reason": str(exc)}, 0
            self._remember_poison(message.message_id, str(exc))
            await self._record_rejection(message, str(exc))
        except RetryableError as exc:
            visible_in = self._backoff.delay(message.receive_count)
            outcome, fields = "retry", {"reason": str(exc), "retry_in_s": visible_in}
        except asyncio.CancelledError:
            outcome = "released"
            raise
        except Exception as exc:
            # A bug, not a bad message: retry with backoff; the redrive policy stops the loop.
            visible_in = self._backoff.delay(message.receive_count)
            outcome, fields = "error", {"reason": repr(exc), "retry_in_s": visible_in}
            log.exception("message.handler_crashed")
        finally:
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            self._metrics.record(self._queue, outcome, duration_ms)
            if outcome in ("rejected", "retry", "error"):
                fields["dead_letter_next"] = (
                    message.receive_count >= self._settings.max_receive_count
                )
            level = "info" if outcome == "ok" else "warning"
            getattr(log, level)(
                "message.handled",
                outcome=outcome,
                duration_ms=duration_ms,
                receive_count=message.receive_count,
                **fields,
            )
            structlog.contextvars.clear_contextvars()
        if outcome in ("retry", "error") and fields["dead_letter_next"]:
            # The queue dead-letters it on the next receive: keep why, as for a rejection.
            attempts = message.receive_count
            await self._record_rejection(
                message, f"gave up after {attempts} attempts: {fields['reason']}"
            )
        # Settled only after the heartbeat stopped, so it cannot undo the new visibility.
        if outcome == "ok":
            self._ack(message)
        elif visible_in is not None:
            await self._change_visibility(message, visible_in)

    async def _run_handler(self, message: QueueMessage) -> None:
        """Run the handler while a heartbeat keeps the message invisible; stop the heartbeat
        before returning, whatever happened."""
        heartbeat = asyncio.create_task(self._heartbeat(message))
        limit = self._settings.handler_timeout_seconds
        try:
            async with asyncio.timeout(limit):
                await self._handler(message)
        except TimeoutError as exc:
            raise RetryableError(f"handler did not finish within {limit:.0f} s") from exc
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)

    async def _record_rejection(self, message: QueueMessage, reason: str) -> None:
        if self._on_rejected is None:
            return
        try:
            await self._on_rejected(message, self._handler_name, reason)
        except MeshError as exc:  # the log line still carries the reason
            log.warning("message.rejection_not_recorded", error=str(exc))

    def _remember_poison(self, message_id: str, reason: str) -> None:
        self._poison[message_id] = reason
        while len(self._poison) > POISON_MEMORY:
            self._poison.popitem(last=False)

    async def _heartbeat(self, message: QueueMessage) -> None:
        """Keep long work invisible to other consumers while it runs."""
        timeout = self._settings.visibility_timeout_seconds
        while True:
            await asyncio.sleep(timeout / 2)
            try:
                await self._change_visibility(message, timeout, raise_errors=True)
            except MeshError as exc:
                log.warning("message.heartbeat_failed", error=str(exc))

    async def _change_visibility(
        self, message: QueueMessage, seconds: int, raise_errors: bool = False
    ) -> None:
        try:
            with aws_errors(f"sqs:ChangeMessageVisibility {self._queue}"):
                await self._sqs.change_message_visibility(
                    QueueUrl=self._url,
                    ReceiptHandle=message.receipt_handle,
                    VisibilityTimeout=seconds,
                )
        except MeshError as exc:
            if raise_errors:
                raise
            # The message reappears when its visibility timeout ends: late, not lost.
            log.warning("message.visibility_change_failed", error=str(exc))

    # -- batched deletes --------------------------------------------------------------------

    def _ack(self, message: QueueMessage) -> None:
        self._deletes.append(message)
        self._delete_wakeup.set()

    async def _delete_loop(self) -> None:
        while not self._deleter_stopping:
            await self._delete_wakeup.wait()
            await asyncio.sleep(DELETE_LINGER_SECONDS)
            self._delete_wakeup.clear()
            await self._flush_deletes()

    async def _flush_deletes(self) -> None:
        while self._deletes:
            batch, self._deletes = self._deletes[:SQS_BATCH_MAX], self._deletes[SQS_BATCH_MAX:]
            entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
                {"Id": str(i), "ReceiptHandle": m.receipt_handle} for i, m in enumerate(batch)
            ]
            # Not deleted means delivered again later; handlers are idempotent.
            failures = await self._batch_call(
                "DeleteMessageBatch",
                "queue.delete_failed",
                len(batch),
                self._sqs.delete_message_batch(QueueUrl=self._url, Entries=entries),
            )
            for failed in failures or []:
                log.warning(
                    "queue.delete_failed",
                    queue=self._queue,
                    message_id=batch[int(failed["Id"])].message_id,
                    code=failed.get("Code"),
                    error=failed.get("Message"),
                )

    async def _batch_call(
        self,
        action: str,
        failure_event: str,
        count: int,
        request: Awaitable[BatchResponse],
    ) -> list[BatchResultErrorEntryTypeDef] | None:
        """One SQS batch call on `count` messages: its failed entries, or None when the call
        failed as a whole (logged as `failure_event`)."""
        try:
            with aws_errors(f"sqs:{action} {self._queue}"):
                response = await request
        except MeshError as exc:
            log.warning(failure_event, queue=self._queue, count=count, error=str(exc))
            return None
        return response.get("Failed", [])

    # -- shutdown ---------------------------------------------------------------------------

    async def _drain(self) -> None:
        """Finish in-flight work up to the grace period, give the rest back at once."""
        if self._tasks:
            log.info("worker.draining", queue=self._queue, in_flight=len(self._tasks))
            _done, pending = await asyncio.wait(
                list(self._tasks), timeout=self._settings.shutdown_grace_seconds
            )
            unfinished = [self._tasks[t] for t in pending if t in self._tasks]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await self._release(unfinished)
        # Let the deleter finish what it holds (never cancel a batch in flight), then the rest.
        self._deleter_stopping = True
        self._delete_wakeup.set()
        if self._deleter:
            await asyncio.gather(self._deleter, return_exceptions=True)
        await self._flush_deletes()

    async def _release(self, messages: list[QueueMessage]) -> None:
        for start in range(0, len(messages), SQS_BATCH_MAX):
            batch = messages[start : start + SQS_BATCH_MAX]
            entries: list[ChangeMessageVisibilityBatchRequestEntryTypeDef] = [
                {"Id": str(i), "ReceiptHandle": m.receipt_handle, "VisibilityTimeout": 0}
                for i, m in enumerate(batch)
            ]
            failed = await self._batch_call(
                "ChangeMessageVisibilityBatch",
                "queue.release_failed",
                len(batch),
                self._sqs.change_message_visibility_batch(QueueUrl=self._url, Entries=entries),
            )
            if failed is None:
                continue
            log.info(
                "queue.released",
                queue=self._queue,
                count=len(batch) - len(failed),
                failed=len(failed),
            )


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
