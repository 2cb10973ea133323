"""A sharded repair end to end: its shards are taken by two sync-workers, one of which is
SIGKILLed mid-run; the run completes, its report is whole, and the central catalog equals the
producers'."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from meshcore_devstack.mesh import AP, AR, MeshProducer

from .catalog import differences
from .conftest import Stack, StackFactory, eventually

pytestmark = pytest.mark.e2e

TREASURY = MeshProducer("555555555555", "tr", "tess@tr.example.com")
PRODUCERS = ((AR, "ar"), (AP, "ap"), (TREASURY.account, "tr"))
DATABASES = ("ledger", "payments")
TABLES = 8  # per database; every other one partitioned (3 partitions)
PAGE = 2  # tables per page shard: each database is four page shards


def table(name: str, partitioned: bool) -> dict[str, Any]:
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {
            "Columns": [{"Name": "id", "Type": "string"}],
            "Location": f"s3://producer-data/{name}/",
        },
        "PartitionKeys": [{"Name": "day", "Type": "string"}] if partitioned else [],
    }


def part(name: str, day: str) -> dict[str, Any]:
    return {
        "Values": [day],
        "StorageDescriptor": {"Columns": [], "Location": f"s3://producer-data/{name}/day={day}/"},
    }


def report_of(stack: Stack, repair_id: str) -> dict[str, Any] | None:
    item = (
        stack.client("dynamodb")
        .get_item(
            TableName="meshcore-state",
            Key={"pk": {"S": "repair#reports"}, "sk": {"S": repair_id}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return json.loads(item["doc"]["S"]) if item else None


def shards_done(log: Path) -> int:
    return log.read_text().count('"repair.shard_done"')


def test_two_workers_share_a_repair_and_a_sigkill_loses_nothing(
    stack_factory: StackFactory,
) -> None:
    stack = stack_factory(
        sync_workers=2,
        classifier=False,
        grant_worker=False,
        # Small pages and one table at a time: many shards, each a while in flight.
        settings={"MESHCORE_REPAIR_PAGE_SIZE": str(PAGE), "MESHCORE_REPAIR_CONCURRENCY": "1"},
    )
    stack.meshctl(*TREASURY.onboarding())
    for account, _domain in PRODUCERS:
        glue = stack.client("glue", account)
        for database in DATABASES:
            glue.create_database(DatabaseInput={"Name": database})
            for i in range(TABLES):
                name = f"t{i}"
                glue.create_table(DatabaseName=database, TableInput=table(name, i % 2 == 0))
                if i % 2 == 0:
                    glue.batch_create_partition(
                        DatabaseName=database,
                        TableName=name,
                        PartitionInputList=[part(name, f"d{d}") for d in range(3)],
                    )
    eventually(
        lambda: not any(differences(stack, a, d) for a, d in PRODUCERS),
        "the initial sync",
        timeout=120,
    )
    eventually(lambda: stack.queue_idle("meshcore-catalog-changes"), "the event stream to settle")

    # Drift no event tells: per producer and database, one central table and one partition gone.
    central = stack.client("glue")
    for _account, domain in PRODUCERS:
        for database in DATABASES:
            central.delete_table(DatabaseName=f"{domain}__{database}", Name="t1")
            central.batch_delete_partition(
                DatabaseName=f"{domain}__{database}",
                TableName="t2",
                PartitionsToDelete=[{"Values": ["d0"]}],
            )
    wanted = {"table.created": 6, "partition.created": 6}

    killed = stack.workers["sync-worker-1"]
    queued = json.loads(stack.meshctl("--json", "repair"))
    repair_id = queued["repair_id"]
    # Mid-run: the worker to be killed has finished a shard, the repair has not.
    eventually(lambda: shards_done(killed.log_path) >= 1, "sync-worker-1 to take shards", 120)
    stack.kill("sync-worker-1")
    at_kill = report_of(stack, repair_id)
    assert at_kill is not None and at_kill["status"] == "running", at_kill

    report = eventually(
        lambda: (r := report_of(stack, repair_id)) and r["status"] != "running" and r,
        "the repair to finish on the surviving worker",
        timeout=180,
    )
    assert report["status"] == "succeeded", report["errors"]
    assert report["shards_done"] == report["shards_total"] == 1 + 3 + 3 * 2 + 3 * 2 * 4
    assert (report["producers_total"], report["producers_done"]) == (3, 3)
    assert report["databases_checked"] == 3 * 2
    assert report["tables_checked"] == 3 * 2 * TABLES  # each table checked, and counted, once
    # Each fix counted at most once (a shard killed after fixing, before recording, is done
    # again by the other worker, which finds that part already fixed).
    assert set(report["drift"]) <= set(wanted)
    assert all(report["drift"][kind] <= wanted[kind] for kind in report["drift"])
    assert shards_done(stack.workers["sync-worker"].log_path) >= 1
    assert not any(differences(stack, a, d) for a, d in PRODUCERS)

    again = json.loads(stack.meshctl("--json", "repair", "--wait", "--timeout", "120"))
    assert again["status"] == "succeeded" and again["drift"] == {}
    assert again["tables_checked"] == 3 * 2 * TABLES
