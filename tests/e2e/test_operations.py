"""Operators: a poisoned message is found with its reason, and moved back with a count."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import StackFactory, eventually

pytestmark = pytest.mark.e2e


def test_a_poisoned_message_is_found_with_its_reason_and_redriven(
    stack_factory: StackFactory,
) -> None:
    stack = stack_factory(classifier=False, grant_worker=True)
    sqs = stack.client("sqs")
    sqs.send_message(
        QueueUrl=sqs.get_queue_url(QueueName="meshcore-approvals")["QueueUrl"],
        MessageBody='{"kind": "nope"}',
    )

    def dead() -> Any:
        letters = json.loads(stack.meshctl("--json", "dlq", "list", "meshcore-approvals"))
        return letters or None

    (letter,) = eventually(dead, "the poisoned message in meshcore-approvals-dlq")
    assert letter["body"] == '{"kind": "nope"}'
    assert "not a valid approvals message" in letter["reason"]
    shown = json.loads(stack.meshctl("--json", "dlq", "show", letter["message_id"]))
    assert shown["reason"] == letter["reason"]
    # Looking is a receive for SQS, not an attempt of the worker's; the DLQ's own name works.
    (looked,) = json.loads(stack.meshctl("--json", "dlq", "list", "meshcore-approvals-dlq"))
    assert looked["receive_count"] > letter["receive_count"]
    assert looked["attempts"] == letter["attempts"] == 1
    assert "looking receives each message once" in stack.meshctl(
        "dlq", "list", "meshcore-approvals"
    )

    facts = json.loads(stack.meshctl("--json", "status"))
    approvals = next(q for q in facts["queues"] if q["queue"] == "meshcore-approvals")
    assert approvals["dead_letters"] == 1 and approvals["oldest_dead_letter_age_s"] is not None
    # No alarm is in ALARM yet, and still the mesh is not healthy: a message needs a look.
    assert facts["health"] == {
        "status": "degraded",
        "problems": ["1 dead letter in meshcore-approvals-dlq"],
    }
    assert {a["name"] for a in facts["alarms"]} >= {
        "meshcore-approvals-dlq-not-empty",
        "meshcore-repair-stale",
    }

    moved = json.loads(stack.meshctl("--json", "dlq", "redrive", "meshcore-approvals"))
    assert moved == {"queue": "meshcore-approvals", "moved": 1}
    # Still poison: the worker rejects it again and it returns to the dead-letter queue.
    again = eventually(dead, "the message back in the dead-letter queue")
    assert again[0]["body"] == '{"kind": "nope"}'
    assert stack.workers["grant-worker"].process.poll() is None
    human = stack.meshctl("status")
    assert "meshcore-approvals" in human and "last repair" in human
    assert human.splitlines()[0] == "health: DEGRADED: 1 dead letter in meshcore-approvals-dlq"
