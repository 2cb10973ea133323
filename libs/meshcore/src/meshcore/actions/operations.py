"""What operators look at and repair: queue health, dead letters, the last repair, alarms."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from meshcore.actions.context import Central
from meshcore.aws.errors import aws_errors
from meshcore.aws.queues import queue_url
from meshcore.aws.rejections import RejectionLog
from meshcore.domain.access import RequestState
from meshcore.domain.errors import MeshError, NotFoundError, RetryableError
from meshcore.domain.recommendations import RecommendationState
from meshcore.domain.repair import RepairReport, RepairStatus, assemble
from meshcore.domain.times import timestamp
from meshcore.messages.commands import RepairCommand
from meshcore.provisioning.central import dlq_name

if TYPE_CHECKING:
    from types_aiobotocore_sqs.client import SQSClient

# Messages taken from a dead-letter queue stay invisible this long while we look at them.
PEEK_VISIBILITY_SECONDS = 30
SQS_BATCH_MAX = 10  # Amazon SQS message quotas
REPAIR_POLL_SECONDS = 0.5


@dataclass
class QueueHealth:
    queue: str
    depth: int
    in_flight: int
    dead_letters: int
    oldest_dead_letter_age_s: float | None


@dataclass
class DeadLetter:
    message_id: str
    queue: str
    sent_at: float
    receive_count: int  # SQS's count: the worker's attempts, and each look since
    body: str
    reason: str | None
    attempts: int | None = None  # the worker's, as recorded when it gave up (None: no record)


# Said wherever dead letters are shown: SQS has no way to look without receiving.
LOOKING_COSTS = (
    "looking receives each message once: SQS's receive count grows by one, and nothing else "
    "changes (a dead-letter queue has no redrive policy, so receives never move or delete its "
    "messages); ATTEMPTS are the worker's own, recorded when it gave up"
)


def meshcore_queue(central: Central, name: str) -> str:
    """The work queue `name` names: itself, or the queue whose dead-letter queue it is."""
    queues = central.settings.queues.all()
    queue = name.removesuffix("-dlq")
    if queue not in queues:
        raise NotFoundError(
            f"{name} is not a meshcore queue or dead-letter queue ({', '.join(queues)})"
        )
    return queue


async def _counts(sqs: SQSClient, url: str) -> tuple[int, int]:
    with aws_errors("sqs:GetQueueAttributes"):
        attrs = (
            await sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )
        )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


async def _take(sqs: SQSClient, url: str, limit: int) -> list[dict[str, Any]]:
    """Receive up to `limit` messages, hidden for a short while so that each is seen once."""
    taken: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(taken) < limit:
        with aws_errors("sqs:ReceiveMessage"):
            response = await sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(SQS_BATCH_MAX, limit - len(taken)),
                VisibilityTimeout=PEEK_VISIBILITY_SECONDS,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
            )
        fresh = [m for m in response.get("Messages", []) if m["MessageId"] not in seen]
        if not fresh:
            return taken
        seen.update(m["MessageId"] for m in fresh)
        taken += [dict(m) for m in fresh]
    return taken


async def _release(sqs: SQSClient, url: str, messages: list[dict[str, Any]]) -> None:
    for start in range(0, len(messages), SQS_BATCH_MAX):
        batch = messages[start : start + SQS_BATCH_MAX]
        with aws_errors("sqs:ChangeMessageVisibilityBatch"):
            await sqs.change_message_visibility_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for i, m in enumerate(batch)
                ],
            )


async def queue_health(central: Central) -> list[QueueHealth]:
    sqs = await central.aws.client("sqs")
    health = []
    for queue in central.settings.queues.all():
        depth, in_flight = await _counts(sqs, await queue_url(sqs, queue))
        dlq_url = await queue_url(sqs, dlq_name(queue))
        dead, dead_in_flight = await _counts(sqs, dlq_url)
        oldest = None
        if dead:
            peeked = await _take(sqs, dlq_url, 100)
            await _release(sqs, dlq_url, peeked)
            sent = [int(m["Attributes"]["SentTimestamp"]) / 1000 for m in peeked]
            oldest = round(time.time() - min(sent), 1) if sent else None
        health.append(QueueHealth(queue, depth, in_flight, dead + dead_in_flight, oldest))
    return health


async def status(central: Central) -> dict[str, Any]:
    """Everything `meshctl status` shows."""
    state = central.state
    repairs = await state.list_repairs()
    last = repairs[-1] if repairs else None
    cloudwatch = await central.aws.client("cloudwatch")
    with aws_errors("cloudwatch:DescribeAlarms"):
        alarms = (await cloudwatch.describe_alarms(AlarmNamePrefix="meshcore-"))["MetricAlarms"]
    requests = await state.list_requests()
    recommendations = await state.list_recommendations()
    queues = await queue_health(central)
    return {
        "health": health(queues, alarms, last),
        "queues": [asdict(q) for q in queues],
        "last_repair": None
        if last is None
        else {
            "repair_id": last.repair_id,
            "status": last.status.value,
            "started_at": timestamp(last.started_at),
            "finished_at": timestamp(last.finished_at) if last.finished_at else None,
            "drift_total": last.drift_total,
            "drift": last.drift,
            "errors": len(last.errors),
        },
        "pending_requests": sum(r.state is RequestState.PENDING for r in requests),
        "granted_requests": sum(r.state is RequestState.GRANTED for r in requests),
        "pending_recommendations": sum(
            r.state is RecommendationState.PENDING for r in recommendations
        ),
        "alarms": [{"name": a["AlarmName"], "state": a["StateValue"]} for a in alarms],
    }


def health(
    queues: list[QueueHealth], alarms: list[Any], last_repair: RepairReport | None
) -> dict[str, Any]:
    """One verdict for `status` and the portal: degraded while anything needs an operator,
    whatever the alarms say (an alarm lags its metric, and dead letters need a look now)."""
    problems = [
        f"{q.dead_letters} dead letter{'s' if q.dead_letters != 1 else ''} in {dlq_name(q.queue)}"
        for q in queues
        if q.dead_letters
    ]
    problems += [f"alarm {a['AlarmName']} in ALARM" for a in alarms if a["StateValue"] == "ALARM"]
    if last_repair is not None and last_repair.status is RepairStatus.FAILED:
        problems.append(f"the last repair ({last_repair.repair_id}) failed")
    return {"status": "degraded" if problems else "ok", "problems": problems}


async def dead_letters(central: Central, queue: str, limit: int = 100) -> list[DeadLetter]:
    queue = meshcore_queue(central, queue)
    sqs = await central.aws.client("sqs")
    url = await queue_url(sqs, dlq_name(queue))
    taken = await _take(sqs, url, limit)
    await _release(sqs, url, taken)
    rejections = RejectionLog(await central.aws.client("dynamodb"), central.settings.state_table)
    letters = []
    for m in taken:
        rejection = await rejections.get(m["MessageId"])
        letters.append(
            DeadLetter(
                message_id=m["MessageId"],
                queue=queue,
                sent_at=int(m["Attributes"]["SentTimestamp"]) / 1000,
                receive_count=int(m["Attributes"]["ApproximateReceiveCount"]),
                body=m.get("Body", ""),
                reason=rejection.reason if rejection else None,
                attempts=rejection.receive_count if rejection else None,
            )
        )
    return letters


async def find_dead_letter(central: Central, message_id: str) -> DeadLetter:
    for queue in central.settings.queues.all():
        for letter in await dead_letters(central, queue, limit=1000):
            if letter.message_id == message_id:
                return letter
    raise NotFoundError(f"no dead-lettered message {message_id} (see `meshctl dlq list QUEUE`)")


async def redrive(central: Central, queue: str, limit: int | None = None) -> int:
    """Move dead letters back to `queue`, ten at a time: each is deleted from the dead-letter
    queue only after SQS confirmed sending it back. Returns how many moved."""
    queue = meshcore_queue(central, queue)
    sqs = await central.aws.client("sqs")
    source, dlq = await queue_url(sqs, queue), await queue_url(sqs, dlq_name(queue))
    # At most what is there now: messages that fail again come back and must not loop forever.
    waiting, hidden = await _counts(sqs, dlq)
    limit = min(limit, waiting + hidden) if limit is not None else waiting + hidden
    moved = 0
    while moved < limit:
        batch = await _take(sqs, dlq, min(SQS_BATCH_MAX, limit - moved))
        if not batch:
            return moved
        with aws_errors(f"sqs:SendMessageBatch {queue}"):
            sent = await sqs.send_message_batch(
                QueueUrl=source,
                Entries=[{"Id": str(i), "MessageBody": m["Body"]} for i, m in enumerate(batch)],
            )
        ok = [batch[int(s["Id"])] for s in sent.get("Successful", [])]
        failed = [batch[int(f["Id"])] for f in sent.get("Failed", [])]
        if ok:
            with aws_errors(f"sqs:DeleteMessageBatch {dlq_name(queue)}"):
                await sqs.delete_message_batch(
                    QueueUrl=dlq,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(ok)
                    ],
                )
        if failed:
            await _release(sqs, dlq, failed)
            raise RetryableError(
                f"{len(failed)} messages could not be sent back to {queue}; {moved + len(ok)} moved so far"
            )
        moved += len(ok)
    return moved


async def queue_repair(central: Central, producer_account: str | None = None) -> RepairCommand:
    """Ask sync-worker to compare producer catalogs (all, or one) with the central one."""
    if producer_account and await central.state.get_producer(producer_account) is None:
        raise NotFoundError(
            f"{producer_account} is not an onboarded producer (see `meshctl onboard-producer`)"
        )
    command = RepairCommand(
        repair_id=f"repair-{uuid.uuid4().hex[:8]}", producer_account=producer_account
    )
    await (await central.sender(central.settings.queues.catalog_changes)).send(command)
    return command


async def wait_for_repair(
    central: Central,
    repair_id: str,
    wait_seconds: float,
    progress: Callable[[RepairReport], None] = lambda _report: None,
) -> RepairReport:
    """Poll the repair's report until it finishes, telling `progress` each reading."""
    deadline = time.monotonic() + wait_seconds
    report: RepairReport | None = None
    while time.monotonic() < deadline:
        report = await central.state.get_repair(repair_id)
        if report is not None and report.status is RepairStatus.RUNNING:
            # A running repair's progress is its shards' results, assembled as they are read.
            report = assemble(report, await central.state.repair_shards(repair_id))
        if report is not None:
            progress(report)
            if report.status is not RepairStatus.RUNNING:
                return report
        await asyncio.sleep(REPAIR_POLL_SECONDS)
    raise MeshError(
        f"{repair_id} did not finish within {wait_seconds:.0f} s "
        f"({'not started: is sync-worker running?' if report is None else 'still running'})"
    )
