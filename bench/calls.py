"""Section 3: the AWS calls sync-worker makes per catalog change, next to the minimum possible.

Each change is made alone: the producer's call(s), then a wait on the worker's log (no AWS
calls while measuring) until its message(s) were handled, then a short settle for the batched
delete. The emulator's call counts before and after, minus the producer's own call(s), are the
worker's calls. They include the idle long polls (ReceiveMessage) that fell into the window;
the idle rate is measured first and reported next to them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.catalog import day, partition_input, table_input
from bench.harness import Deadline, Stack, wait_until
from bench.rows import Column, Results, Row, Section, Target, ok, table
from bench.stats import ratio, split_calls, top_calls
from meshcore_devstack.mesh import AR

TITLE = "AWS calls of sync-worker per catalog change"
SETTLE_SECONDS = 0.5  # the worker batches deletes for 50 ms
IDLE_SECONDS = 5.0
GROUPS = ("glue_reads", "glue_writes", "sqs", "dynamodb", "other")


@dataclass(frozen=True)
class Change:
    label: str
    act: Callable[[Any, str], None]  # (producer glue client, database)
    handled: dict[str, int]  # messages (by change type) the worker must handle
    producer: dict[str, int]  # the producer's own calls, subtracted
    # The fewest calls that can converge the change, by group. Derivation, for every change:
    # the event names objects only, so the worker must read each changed object once from the
    # producer (for a delete: to confirm it is gone before deleting the central copy; a batch of
    # named partitions is one BatchGetPartition); it need not read the central copy (a create
    # can be tried first, a delete is idempotent, and an update can be made under the VersionId
    # the worker's own last write left); it must write the central catalog once per change
    # (Glue deletes a table's partitions with the table and a database's tables with the
    # database); SQS costs one ReceiveMessage per producer call (its event arrives alone, and a
    # long poll returns with the first message rather than wait for a second) and one
    # DeleteMessageBatch per change (as little as 0.2 per message when messages come in tens);
    # a new table or new columns need one SendMessage (the classification scan request); a new
    # database needs its domain LF-tag and a new table its sensitivity LF-tag, one Lake
    # Formation call each (LF-tags cannot be given at creation; "other"); the producer
    # registry is cached, so no DynamoDB call is necessary, and credentials are cached, so no
    # STS call.
    minimum: dict[str, float]


def _min(reads: float, writes: float, sqs: float, other: float = 0) -> dict[str, float]:
    return {"glue_reads": reads, "glue_writes": writes, "sqs": sqs, "dynamodb": 0, "other": other}


def changes(partitions: int) -> list[Change]:
    table = "events"

    def batch(glue: Any, db: str, start: int) -> None:
        glue.batch_create_partition(
            DatabaseName=db,
            TableName=table,
            PartitionInputList=[
                partition_input(table, day(i)) for i in range(start, start + partitions)
            ],
        )

    def create_table(glue: Any, db: str) -> None:
        glue.create_table(DatabaseName=db, TableInput=table_input(table, True))
        batch(glue, db, 0)

    return [
        Change(
            "CreateDatabase",
            lambda g, db: g.create_database(DatabaseInput={"Name": db, "Description": "bench"}),
            {"CreateDatabase": 1},
            {"glue:CreateDatabase": 1},
            _min(1, 1, 2, 1),  # GetDatabase (producer); CreateDatabase (central); its LF-tag
        ),
        Change(
            f"CreateTable + BatchCreatePartition ({partitions})",
            create_table,
            {"CreateTable": 1, "BatchCreatePartition": 1},
            {"glue:CreateTable": 1, "glue:BatchCreatePartition": 1},
            # GetTable + one page of partitions (producer); CreateTable + BatchCreatePartition
            # (central); one receive per producer call, one delete batch, the scan request;
            # the table's LF-tag. The partition event is converged by the listing already.
            _min(2, 2, 4, 1),
        ),
        Change(
            "UpdateTable",
            lambda g, db: g.update_table(
                DatabaseName=db, TableInput=table_input(table, True, rev=str(time.time_ns()))
            ),
            {"UpdateTable": 1},
            {"glue:UpdateTable": 1},
            _min(1, 1, 2),  # GetTable (producer); UpdateTable (central)
        ),
        Change(
            f"BatchCreatePartition ({partitions})",
            lambda g, db: batch(g, db, partitions),
            {"BatchCreatePartition": 1},
            {"glue:BatchCreatePartition": 1},
            _min(1, 1, 2),  # BatchGetPartition (producer); BatchCreatePartition (central)
        ),
        Change(
            "DeletePartition",
            lambda g, db: g.delete_partition(
                DatabaseName=db, TableName=table, PartitionValues=[day(partitions)]
            ),
            {"DeletePartition": 1},
            {"glue:DeletePartition": 1},
            _min(1, 1, 2),  # BatchGetPartition (producer: gone?); BatchDeletePartition (central)
        ),
        Change(
            f"BatchDeletePartition ({partitions})",
            lambda g, db: g.batch_delete_partition(
                DatabaseName=db,
                TableName=table,
                PartitionsToDelete=[{"Values": [day(i)]} for i in range(partitions)],
            ),
            {"BatchDeletePartition": 1},
            {"glue:BatchDeletePartition": 1},
            _min(1, 1, 2),  # BatchGetPartition (producer: gone?); BatchDeletePartition (central)
        ),
        Change(
            "DeleteTable",
            lambda g, db: g.delete_table(DatabaseName=db, Name=table),
            {"DeleteTable": 1},
            {"glue:DeleteTable": 1},
            _min(1, 1, 2),  # GetTable (producer: gone?); DeleteTable (central)
        ),
        Change(
            "DeleteDatabase",
            lambda g, db: g.delete_database(Name=db),
            {"DeleteDatabase": 1},
            {"glue:DeleteDatabase": 1},
            _min(1, 1, 2),  # GetDatabase (producer: gone?); DeleteDatabase (central)
        ),
    ]


def _wait_handled(
    stack: Stack, since: dict[str, int], wanted: dict[str, int], timeout: float
) -> Counter[str]:
    """Until the worker logged `wanted` ok messages by change; returns every outcome seen."""

    def probe() -> Counter[str] | None:
        handled = stack.handled(since=since)
        ok = Counter(h.get("change", "?") for h in handled if h.get("outcome") == "ok")
        if all(ok[change] >= n for change, n in wanted.items()):
            return Counter(h.get("outcome", "?") for h in handled)
        return None

    return wait_until(probe, f"the worker to handle {wanted}", Deadline(timeout), pause=0.05)


def calls_per_change(
    log_root: Path, repeats: int, partitions: int, timeout: float
) -> dict[str, Any]:
    with Stack("calls", log_root) as stack:
        stack.start_sync_workers(1)
        glue = stack.client("glue", AR)
        emulator = stack.emulator

        # Warm up: the first message assumes the producer's role and reads the registry.
        mark = stack.handled_mark()
        glue.create_database(DatabaseInput={"Name": "warmup"})
        _wait_handled(stack, mark, {"CreateDatabase": 1}, timeout)
        time.sleep(SETTLE_SECONDS)

        before = emulator.calls()
        time.sleep(IDLE_SECONDS)
        idle = emulator.calls() - before
        idle_per_s = {k: round(v / IDLE_SECONDS, 2) for k, v in idle.items()}

        plan = changes(partitions)
        totals: dict[str, Counter[str]] = {c.label: Counter() for c in plan}
        windows: dict[str, float] = dict.fromkeys(totals, 0.0)
        outcomes: dict[str, Counter[str]] = {c.label: Counter() for c in plan}
        for r in range(repeats):
            database = f"calls_{r:02d}"
            for change in plan:
                mark = stack.handled_mark()
                before = emulator.calls()
                started = time.monotonic()
                change.act(glue, database)
                outcomes[change.label] += _wait_handled(stack, mark, change.handled, timeout)
                time.sleep(SETTLE_SECONDS)
                after = emulator.calls()
                windows[change.label] += time.monotonic() - started
                worker = after - before
                worker.subtract(change.producer)
                totals[change.label] += +worker

        rows = []
        for change in plan:
            per = {k: v / repeats for k, v in split_calls(totals[change.label]).items()}
            rows.append(
                {
                    "change": change.label,
                    "events": sum(change.handled.values()),
                    "calls": {k: round(per[k], 2) for k in GROUPS},
                    "total": round(sum(per.values()), 2),
                    "minimum": change.minimum,
                    "minimum_total": sum(change.minimum.values()),
                    "window_s": round(windows[change.label] / repeats, 2),
                    "by_operation": {
                        k: round(v / repeats, 2) for k, v in sorted(totals[change.label].items())
                    },
                    "outcomes": dict(outcomes[change.label]),
                }
            )
        return {
            "status": "ok",
            "repeats": repeats,
            "idle_calls_per_s": idle_per_s,
            "rows": rows,
            "memory": [*stack.worker_stats(), stack.emulator_stats()],
            "violations": emulator.violations(),
        }


# -- the section's rows -----------------------------------------------------------------------


def section(results: Results) -> Section:
    calls: dict[str, Any] = results["sections"]["calls"]
    if failed := Section.failed(TITLE, calls):
        return failed
    rows = []
    for r in calls["rows"]:
        c, m = r["calls"], r["minimum"]
        rows.append(
            Row.of(
                r["change"],
                r["events"],
                *(c[k] for k in GROUPS),
                r["total"],
                "/".join(f"{m[k]:g}" for k in GROUPS),
                r["minimum_total"],
                ratio(r["total"], r["minimum_total"]),
            )
        )
    columns = [
        Column("change"),
        Column("events"),
        Column("glue reads"),
        Column("glue writes"),
        Column("sqs"),
        Column("dynamodb"),
        Column("other"),
        Column("total"),
        Column("minimum reads/writes/sqs/dynamodb/other"),
        Column("minimum total"),
        Column("x minimum"),
    ]
    idle = calls.get("idle_calls_per_s", {})
    note = (
        f"Calls per change, the mean of {calls['repeats']} of each change made alone (the "
        "worker's calls only); they include the idle long polls in each window (idle worker: "
        f"{', '.join(f'{k} {v}/s' for k, v in idle.items()) or 'no calls'})."
    )
    details = [f"{r['change']}: {top_calls(r['by_operation'], 12)}" for r in calls["rows"]]
    return Section(TITLE, (table(columns, rows, note),), details=tuple(details))


def targets(results: Results) -> list[Target]:
    if not (calls := ok(results, "calls")):
        return []
    ratios = [
        (r["change"], r["total"] / r["minimum_total"]) for r in calls["rows"] if r["minimum_total"]
    ]
    if not ratios:
        return []
    label, worst = max(ratios, key=lambda x: x[1])
    return [
        Target(
            "AWS calls per change / minimum (worst change)",
            "<= 1.10",
            f"{worst:.2f} ({label})",
            worst <= 1.1,
        )
    ]
