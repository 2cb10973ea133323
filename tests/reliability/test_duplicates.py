"""Scenario 4: every catalog event delivered three times, shuffled: the same end state as one
in-order delivery (the producers' catalogs, field by field), without a repair."""

from __future__ import annotations

import random

import pytest

from .conftest import StackFactory, eventually, sizes
from .results import Row
from .workload import (
    Workload,
    catalog_differences,
    central_objects,
    duplicate_recommendations,
    onboard_treasury,
    queue_depths,
    unscanned_tables,
    wait_idle,
)

pytestmark = [pytest.mark.e2e, pytest.mark.scenario("4 duplicates + reordering")]

COPIES = 3


def drain(sqs: object, url: str) -> list[str]:
    bodies: list[str] = []
    while True:
        messages = sqs.receive_message(  # type: ignore[attr-defined]
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        if not messages:
            return bodies
        bodies += [m["Body"] for m in messages]
        sqs.delete_message_batch(  # type: ignore[attr-defined]
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )


# 600 changes: three deliveries of each event make 1,800+ messages.
@pytest.mark.parametrize("changes", sizes(600, smoke=False))
def test_tripled_shuffled_events_converge_to_the_producers(
    stack_factory: StackFactory, record: Row, changes: int
) -> None:
    # No workers yet: the events of the whole load wait in the queue.
    stack = stack_factory(sync_workers=0, classifier=False, grant_worker=False)
    onboard_treasury(stack)
    workload = Workload(stack, seed=4)
    workload.run(changes)
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName="meshcore-catalog-changes")["QueueUrl"]
    # Glue's events are delivered asynchronously: wait until the queue stops growing.
    depth: list[int] = []

    def settled() -> bool:
        depth.append(queue_depths(stack)["meshcore-catalog-changes"])
        return len(depth) > 3 and depth[-1] == depth[-4]

    eventually(settled, "every event in the queue", timeout=120)
    events = drain(sqs, url)
    copies = [body for body in events for _ in range(COPIES)]
    random.Random(4).shuffle(copies)
    for start in range(0, len(copies), 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "MessageBody": b} for i, b in enumerate(copies[start : start + 10])
            ],
        )

    stack.start("sync-worker", "sync-worker")
    stack.start("classifier", "classifier")
    wait_idle(stack, timeout=max(300, len(copies) / 3))

    found = catalog_differences(stack)
    duplicates = duplicate_recommendations(stack)
    unscanned = unscanned_tables(stack, workload)
    stuck = {q: n for q, n in queue_depths(stack).items() if n}
    objects = central_objects(stack)
    record.load = (
        f"{workload.describe()}; {len(events)} events x{COPIES} shuffled = {len(copies)} deliveries"
    )
    record.faults = f"every event delivered {COPIES} times, random order"
    record.lost = str(len(found))
    record.duplicated = f"{duplicates} duplicate recommendations"
    record.consistency = (
        f"{'equal' if not found else 'DIFFERENT'} field by field, no repair "
        f"({objects['databases']} databases, {objects['tables']} tables, "
        f"{objects['partitions']} partitions); {len(unscanned)} tables unscanned; stuck {stuck or 0}"
    )
    assert found == [], found[:20]
    assert duplicates == 0
    assert unscanned == []
    assert stuck == {}
