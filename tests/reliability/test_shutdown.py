"""Scenario 6: SIGTERM while messages are in flight. Work that finishes within the grace period
is acknowledged, the rest is visible again at once (the visibility timeout is 5 minutes here,
so a message left to it would still be invisible), and a new worker converges everything."""

from __future__ import annotations

import json
import signal

import pytest

from meshcore_devstack.mesh import AR
from meshcore_emulator import EmbeddedAws

from ..e2e.test_catalog_sync import table
from .conftest import StackFactory, eventually
from .results import Row
from .workload import catalog_differences, queue_depths, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.scenario("6 shutdown")]

TABLES = 40


def test_sigterm_finishes_in_flight_work_and_gives_the_rest_back_at_once(
    stack_factory: StackFactory, aws: EmbeddedAws, record: Row
) -> None:
    stack = stack_factory(sync_workers=0, classifier=False, grant_worker=False)
    stack.env |= {
        "MESHCORE_WORKER__VISIBILITY_TIMEOUT_SECONDS": "300",
        "MESHCORE_WORKER__SHUTDOWN_GRACE_SECONDS": "6",
        "MESHCORE_WORKER__CONCURRENCY": "8",
    }
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": "slow"})
    for i in range(TABLES):
        glue.create_table(
            DatabaseName="slow", TableInput=table(f"t{i:02d}", [("id", "string")], False)
        )
    eventually(
        lambda: queue_depths(stack)["meshcore-catalog-changes"] >= TABLES + 1,
        "the events in the queue",
    )
    # Every producer read is slow, some slower than the grace period.
    aws.faults.add(service="glue", operation="GetTable", kind="latency", latency_ms=2_000)
    aws.faults.add(
        service="glue", operation="GetTable", kind="latency", latency_ms=15_000, rate=0.3
    )
    worker = stack.start("sync-worker", "sync-worker")
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName="meshcore-catalog-changes")["QueueUrl"]

    def attributes() -> dict[str, int]:
        attrs = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return {k: int(v) for k, v in attrs.items()}

    eventually(lambda: attributes()["ApproximateNumberOfMessagesNotVisible"] >= 8, "work in flight")
    in_flight = attributes()["ApproximateNumberOfMessagesNotVisible"]
    worker.process.send_signal(signal.SIGTERM)
    code = worker.process.wait(timeout=60)
    after = attributes()  # at once: nothing may still be waiting for its visibility timeout
    stack.workers.pop("sync-worker")
    stack.started.remove(worker)
    worker.log_file.close()
    lines = [
        json.loads(line) for line in worker.log_path.read_text().splitlines() if line[:1] == "{"
    ]
    outcomes = [line["outcome"] for line in lines if line["event"] == "message.handled"]
    released = sum(line["count"] for line in lines if line["event"] == "queue.released")

    aws.faults.clear()
    stack.start("sync-worker", "sync-worker-after")
    wait_idle(stack, timeout=180, queues=("meshcore-catalog-changes",))
    found = catalog_differences(stack)

    record.load = (
        f"{TABLES + 1} catalog events, 8 in flight at SIGTERM; grace 6 s, visibility 300 s"
    )
    record.faults = "SIGTERM mid-work; producer reads 2 s, 30 % of them 17 s"
    record.lost = str(len(found))
    record.duplicated = "0"
    record.consistency = (
        f"{outcomes.count('ok')} finished in the grace period, {released} released; "
        f"{after['ApproximateNumberOfMessagesNotVisible']} invisible after exit; "
        f"{'equal' if not found else 'DIFFERENT'} after restart"
    )
    assert code == 0
    assert in_flight >= 8
    assert outcomes.count("ok") >= 1, outcomes
    assert released >= 1, "a slow handler outlived the grace period and was given back"
    assert after["ApproximateNumberOfMessagesNotVisible"] == 0, after
    assert found == [], found
