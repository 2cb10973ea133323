"""Four sync-worker processes over one stream of updates: the central copy never regresses."""

from __future__ import annotations

import json
import random

import pytest

from meshcore_devstack.mesh import AR
from meshcore_emulator import EmbeddedAws

from .catalog import differences, pages
from .conftest import StackFactory, eventually
from .test_catalog_sync import table

pytestmark = pytest.mark.e2e

TABLES = ("t1", "t2", "t3")
UPDATES_PER_TABLE = 25


def update_event(name: str) -> str:
    return json.dumps(
        {
            "version": "0",
            "id": f"dup-{random.random()}",
            "detail-type": "Glue Data Catalog Table State Change",
            "source": "aws.glue",
            "account": AR,
            "time": "2026-01-01T00:00:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {"databaseName": "fx", "tableName": name, "typeOfChange": "UpdateTable"},
        }
    )


def test_four_workers_never_regress_the_central_copy(
    stack_factory: StackFactory, aws: EmbeddedAws
) -> None:
    stack = stack_factory(sync_workers=4, classifier=False, grant_worker=False)
    # Random read latency widens the window between reading the producer and writing the
    # central copy, where an unfenced worker would write an older version over a newer one.
    aws.faults.add(service="glue", operation="GetTable", kind="latency", latency_ms=150, rate=0.5)
    ar = stack.client("glue", AR)
    ar.create_database(DatabaseInput={"Name": "fx"})
    for name in TABLES:
        ar.create_table(
            DatabaseName="fx", TableInput=table(name, [("rate", "double")], partitioned=False)
        )
    sqs = stack.client("sqs")
    queue = sqs.get_queue_url(QueueName="meshcore-catalog-changes")["QueueUrl"]
    rng = random.Random(7)
    for revision in range(1, UPDATES_PER_TABLE + 1):
        for name in TABLES:
            ar.update_table(
                DatabaseName="fx",
                TableInput=table(
                    name, [("rate", "double")], partitioned=False, Parameters={"rev": str(revision)}
                ),
            )
        # Duplicated, stale and reordered copies of the (name-only) events on top of Glue's own.
        extra = [update_event(rng.choice(TABLES)) for _ in range(6)]
        rng.shuffle(extra)
        sqs.send_message_batch(
            QueueUrl=queue, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(extra)]
        )

    eventually(
        lambda: differences(stack, AR, "ar") == [], "all four workers to converge", timeout=90
    )
    central = stack.client("glue")
    for name in TABLES:
        versions = pages(
            central, "get_table_versions", "TableVersions", DatabaseName="ar__fx", TableName=name
        )
        history = [
            int(v["Table"]["Parameters"]["meshcore:source_version"])
            for v in sorted(versions, key=lambda v: int(v["VersionId"]))
        ]
        assert history == sorted(history), f"{name} regressed: {history}"
        assert history[-1] == int(ar.get_table(DatabaseName="fx", Name=name)["Table"]["VersionId"])
    handled = [
        json.loads(line)
        for worker in stack.workers
        for line in stack.log(worker).splitlines()
        if '"message.handled"' in line
    ]
    assert sum(1 for h in handled if h["outcome"] == "ok") >= len(TABLES) * UPDATES_PER_TABLE
    assert len({h.get("message_id") for h in handled}) > 1
    assert not [h for h in handled if h["outcome"] == "rejected"]
    by_worker: dict[str, int] = {}
    for worker in stack.workers:
        by_worker[worker] = stack.log(worker).count('"outcome": "ok"')
    assert sum(1 for n in by_worker.values() if n) >= 2, by_worker
