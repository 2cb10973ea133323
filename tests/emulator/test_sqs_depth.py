"""SQS queue counts and receipt handles stay exact while the emulator keeps them indexed.

AWS behaviour (GetQueueAttributes, Amazon SQS API Reference,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html):
ApproximateNumberOfMessages is the number of messages available for retrieval,
ApproximateNumberOfMessagesNotVisible the messages in flight (received, not yet deleted, within
their visibility timeout) and ApproximateNumberOfMessagesDelayed the messages not yet available
because of a delay. A receipt handle deletes its message (DeleteMessage: deleting it again
succeeds; an unknown handle is ReceiptHandleIsInvalid) and ChangeMessageVisibility changes its
timeout; PurgeQueue deletes every message; a message received more than ``maxReceiveCount``
times moves to the dead-letter queue.

The emulator answers the counts from an index (``extensions/sqs_depth.py``); every test compares
them with moto's own per-message definition, on a controlled clock so that delays and timeouts
expire without sleeping.
"""

from __future__ import annotations

import json
from typing import Any

import moto.sqs.models as sqs_models
import pytest
from botocore.exceptions import ClientError

from .helpers import CENTRAL_ACCOUNT, REGION, ClientFactory

COUNTS = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


class Clock:
    def __init__(self) -> None:
        self.ms = 1_800_000_000_000.0

    def advance(self, seconds: float) -> None:
        self.ms += seconds * 1000


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(sqs_models, "unix_time_millis", lambda *_: clock.ms)
    monkeypatch.setattr(sqs_models, "unix_time", lambda *_: clock.ms / 1000)
    return clock


@pytest.fixture
def sqs(client: ClientFactory) -> Any:
    return client("sqs")


def queue_url(sqs: Any, name: str = "work", **attributes: str) -> str:
    url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url


def counts(sqs: Any, url: str) -> tuple[int, int, int]:
    """(available, in flight, delayed) as GetQueueAttributes answers, checked against moto."""
    answered = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(COUNTS))["Attributes"]
    queue = sqs_models.sqs_backends[CENTRAL_ACCOUNT][REGION].queues[url.rsplit("/", 1)[1]]
    messages = list(queue.__dict__["_messages"])
    by_moto = (
        sum(1 for m in messages if m.visible and not m.delayed),
        sum(1 for m in messages if not m.visible),
        sum(1 for m in messages if m.delayed),
    )
    everything = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    found = tuple(int(answered[name]) for name in COUNTS)
    assert found == by_moto == tuple(int(everything[name]) for name in COUNTS)
    return found  # type: ignore[return-value]


def receive(sqs: Any, url: str, n: int = 10, timeout: int | None = None) -> list[dict[str, Any]]:
    extra = {} if timeout is None else {"VisibilityTimeout": timeout}
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=n, **extra)
    return list(got.get("Messages", []))


def send(sqs: Any, url: str, n: int, delay: int = 0) -> None:
    for start in range(0, n, 10):
        entries = [
            {"Id": str(i), "MessageBody": f"m{start + i}", "DelaySeconds": delay}
            for i in range(min(10, n - start))
        ]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)


def test_counts_follow_send_receive_and_delete(sqs: Any, clock: Clock) -> None:
    url = queue_url(sqs, VisibilityTimeout="30")
    send(sqs, url, 25)
    assert counts(sqs, url) == (25, 0, 0)

    first = receive(sqs, url)
    assert [m["Body"] for m in first] == [f"m{i}" for i in range(10)]  # queue order kept
    assert counts(sqs, url) == (15, 10, 0)

    for message in first[:4]:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert counts(sqs, url) == (15, 6, 0)

    clock.advance(31)  # the other six come back
    assert counts(sqs, url) == (21, 0, 0)
    assert len(receive(sqs, url)) == 10
    assert counts(sqs, url) == (11, 10, 0)


def test_delayed_messages_count_until_their_delay_ends(sqs: Any, clock: Clock) -> None:
    url = queue_url(sqs)
    send(sqs, url, 3, delay=60)
    sqs.send_message(QueueUrl=url, MessageBody="now")
    assert counts(sqs, url) == (1, 0, 3)
    assert [m["Body"] for m in receive(sqs, url, timeout=120)] == ["now"]
    assert counts(sqs, url) == (0, 1, 3)

    clock.advance(61)
    assert counts(sqs, url) == (3, 1, 0)
    assert len(receive(sqs, url)) == 3


def test_a_queue_delay_applies_to_each_message(sqs: Any, clock: Clock) -> None:
    url = queue_url(sqs, DelaySeconds="10")
    sqs.send_message(QueueUrl=url, MessageBody="later")
    assert counts(sqs, url) == (0, 0, 1)
    assert receive(sqs, url) == []
    clock.advance(11)
    assert counts(sqs, url) == (1, 0, 0)


def test_visibility_changes_move_messages_between_counts(sqs: Any, clock: Clock) -> None:
    url = queue_url(sqs, VisibilityTimeout="30")
    send(sqs, url, 3)
    a, b, c = receive(sqs, url)
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=a["ReceiptHandle"], VisibilityTimeout=0
    )
    clock.advance(0.001)
    assert counts(sqs, url) == (1, 2, 0)

    sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "b", "ReceiptHandle": b["ReceiptHandle"], "VisibilityTimeout": 300},
            {"Id": "c", "ReceiptHandle": c["ReceiptHandle"], "VisibilityTimeout": 5},
        ],
    )
    clock.advance(31)
    assert counts(sqs, url) == (2, 1, 0)

    with pytest.raises(ClientError) as error:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle="nope", VisibilityTimeout=1)
    assert error.value.response["Error"]["Code"] in (
        "ReceiptHandleIsInvalid",
        "AWS.SimpleQueueService.ReceiptHandleIsInvalid",
    )
    with pytest.raises(ClientError):  # beyond 12 hours since it was sent
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=b["ReceiptHandle"], VisibilityTimeout=43200
        )


def test_receipt_handles_delete_once_and_old_ones_still_work(sqs: Any, clock: Clock) -> None:
    url = queue_url(sqs, VisibilityTimeout="1")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    (old,) = receive(sqs, url)
    clock.advance(2)
    (new,) = receive(sqs, url)
    assert old["ReceiptHandle"] != new["ReceiptHandle"]

    sqs.delete_message(QueueUrl=url, ReceiptHandle=old["ReceiptHandle"])  # as moto: any handle
    assert counts(sqs, url) == (0, 0, 0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=new["ReceiptHandle"])  # again: accepted
    with pytest.raises(ClientError) as error:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="never-issued")
    assert "ReceiptHandleIsInvalid" in error.value.response["Error"]["Code"]

    send(sqs, url, 3)
    handles = [m["ReceiptHandle"] for m in receive(sqs, url)]
    result = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": str(i), "ReceiptHandle": h} for i, h in enumerate([*handles, "bad"])],
    )
    assert len(result["Successful"]) == 3
    assert [f["Id"] for f in result["Failed"]] == ["3"]
    assert counts(sqs, url) == (0, 0, 0)


def test_purge_empties_every_count(sqs: Any, clock: Clock) -> None:
    url = queue_url(sqs)
    send(sqs, url, 12)
    send(sqs, url, 2, delay=30)
    receive(sqs, url, n=5, timeout=60)
    assert counts(sqs, url) == (7, 5, 2)
    sqs.purge_queue(QueueUrl=url)
    assert counts(sqs, url) == (0, 0, 0)
    send(sqs, url, 2)
    assert counts(sqs, url) == (2, 0, 0)


def test_redrive_moves_the_count_to_the_dead_letter_queue(sqs: Any, clock: Clock) -> None:
    dlq = queue_url(sqs, "work-dlq")
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]
    policy = json.dumps({"deadLetterTargetArn": arn["QueueArn"], "maxReceiveCount": 1})
    url = queue_url(sqs, RedrivePolicy=policy, VisibilityTimeout="5")
    send(sqs, url, 4)
    assert len(receive(sqs, url)) == 4
    clock.advance(6)
    assert counts(sqs, url) == (4, 0, 0)

    assert receive(sqs, url) == []  # each was received once: now in the dead-letter queue
    assert counts(sqs, url) == (0, 0, 0)
    assert counts(sqs, dlq) == (4, 0, 0)
    moved = receive(sqs, dlq)
    assert counts(sqs, dlq) == (0, 4, 0)
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=moved[0]["ReceiptHandle"])
    assert counts(sqs, dlq) == (0, 3, 0)


def test_receive_skips_messages_in_flight_and_keeps_order(sqs: Any, clock: Clock) -> None:
    url = queue_url(sqs, VisibilityTimeout="30")
    send(sqs, url, 30)
    assert len(receive(sqs, url)) == 10
    assert [m["Body"] for m in receive(sqs, url, n=3)] == ["m10", "m11", "m12"]
    assert counts(sqs, url) == (17, 13, 0)
