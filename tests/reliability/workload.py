"""A seeded stream of producer Glue changes (tables, schema changes, partitions, deletes) across
three producers, and the end-state checks every load scenario shares."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from meshcore_devstack.mesh import PRODUCERS, MeshProducer

from ..e2e.catalog import differences, pages
from .conftest import Stack, eventually

# A third producer, onboarded by the scenarios on top of the two of the local stack.
TREASURY = MeshProducer("555555555555", "tr", "tess@tr.example.com")
ALL_PRODUCERS = (*PRODUCERS, TREASURY)
DATABASES = ("ledger", "payments")
QUEUES = ("meshcore-catalog-changes", "meshcore-classification", "meshcore-approvals")
BASE_COLUMNS = [("entry_id", "string"), ("amount", "decimal(18,2)"), ("booked_at", "timestamp")]
# A column the classifier recommends from its name alone: every table with it gets one scan.
SENSITIVE = ("customer_email", "string")


def onboard_treasury(stack: Stack) -> None:
    stack.meshctl(*TREASURY.onboarding())


@dataclass
class LiveTable:
    columns: list[tuple[str, str]]
    partitioned: bool
    partitions: set[str] = field(default_factory=set)


@dataclass
class Workload:
    """`changes` Glue write calls, dealt at random to the producers (seeded, so repeatable)."""

    stack: Stack
    seed: int = 7
    counts: Counter[str] = field(default_factory=Counter)
    live: dict[tuple[str, str, str], LiveTable] = field(default_factory=dict)
    _serial: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.glue = {p.account: self.stack.client("glue", p.account) for p in ALL_PRODUCERS}

    def start(self) -> None:
        """The producers' databases (once)."""
        if self.counts["create database"]:
            return
        for glue in self.glue.values():
            for database in DATABASES:
                glue.create_database(DatabaseInput={"Name": database})
                self.counts["create database"] += 1

    def run(self, changes: int, between: Callable[[int], None] | None = None) -> None:
        self.start()
        while sum(self.counts.values()) < changes:
            self.step()
            if between:
                between(sum(self.counts.values()))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def step(self) -> None:
        kind = self.rng.choices(
            [
                "create table",
                "schema change",
                "add partitions",
                "delete partitions",
                "delete table",
            ],
            weights=[20, 20, 30, 15, 15],
        )[0]
        if kind == "create table" or len(self.live) < 6:
            return self.create_table()
        key = self.rng.choice(sorted(self.live))
        table = self.live[key]
        account, database, name = key
        glue = self.glue[account]
        if kind == "schema change":
            table.columns.append((f"note_{len(table.columns)}", "string"))
            glue.update_table(DatabaseName=database, TableInput=self.table_input(name, table))
        elif kind == "add partitions" and table.partitioned:
            values = [f"2026-{self.next_serial():06d}" for _ in range(self.rng.randint(1, 5))]
            glue.batch_create_partition(
                DatabaseName=database,
                TableName=name,
                PartitionInputList=[self.partition_input(name, v) for v in values],
            )
            table.partitions.update(values)
        elif kind == "delete partitions" and table.partitions:
            values = self.rng.sample(sorted(table.partitions), min(3, len(table.partitions)))
            glue.batch_delete_partition(
                DatabaseName=database,
                TableName=name,
                PartitionsToDelete=[{"Values": [v]} for v in values],
            )
            table.partitions.difference_update(values)
        elif kind == "delete table":
            glue.delete_table(DatabaseName=database, Name=name)
            del self.live[key]
        else:  # not applicable to this table: a schema change instead
            kind = "schema change"
            table.columns.append((f"note_{len(table.columns)}", "string"))
            glue.update_table(DatabaseName=database, TableInput=self.table_input(name, table))
        self.counts[kind] += 1
        return None

    def create_table(self) -> None:
        account = self.rng.choice(sorted(self.glue))
        database = self.rng.choice(DATABASES)
        name = f"t{self.next_serial():05d}"
        columns = list(BASE_COLUMNS) + ([SENSITIVE] if self.rng.random() < 0.3 else [])
        table = LiveTable(columns, partitioned=self.rng.random() < 0.7)
        self.glue[account].create_table(
            DatabaseName=database, TableInput=self.table_input(name, table)
        )
        self.live[(account, database, name)] = table
        self.counts["create table"] += 1

    def next_serial(self) -> int:
        self._serial += 1
        return self._serial

    @staticmethod
    def table_input(name: str, table: LiveTable) -> dict[str, Any]:
        return {
            "Name": name,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {
                "Columns": [{"Name": n, "Type": t} for n, t in table.columns],
                "Location": f"s3://producer-data/{name}/",
            },
            "PartitionKeys": [{"Name": "day", "Type": "string"}] if table.partitioned else [],
        }

    @staticmethod
    def partition_input(name: str, value: str) -> dict[str, Any]:
        return {
            "Values": [value],
            "StorageDescriptor": {"Columns": [], "Location": f"s3://producer-data/{name}/{value}/"},
        }

    def describe(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in self.counts.most_common())
        return f"{self.total} Glue changes, 3 producers ({kinds})"


# -- end state ----------------------------------------------------------------------------------


def queue_depths(stack: Stack) -> dict[str, int]:
    """Messages waiting or in flight on every worker queue and its dead-letter queue."""
    sqs = stack.client("sqs")
    depths: dict[str, int] = {}
    for queue in QUEUES:
        for name in (queue, f"{queue}-dlq"):
            attrs = sqs.get_queue_attributes(
                QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"],
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )["Attributes"]
            depths[name] = sum(int(v) for v in attrs.values())
    return depths


def wait_idle(stack: Stack, timeout: float, queues: tuple[str, ...] = QUEUES) -> None:
    """Until every queue is empty, twice in a row (a handler may be about to send more)."""

    def idle() -> bool:
        return all(stack.queue_idle(q) for q in queues)

    eventually(lambda: idle() and idle(), "every queue drained", timeout=timeout)


def catalog_differences(stack: Stack) -> list[str]:
    return [d for p in ALL_PRODUCERS for d in differences(stack, p.account, p.domain)]


def central_objects(stack: Stack) -> Counter[str]:
    """Databases, tables and partitions of the producers' central copies."""
    glue = stack.client("glue")
    counts: Counter[str] = Counter()
    domains = tuple(f"{p.domain}__" for p in ALL_PRODUCERS)
    for db in pages(glue, "get_databases", "DatabaseList"):
        if not db["Name"].startswith(domains):
            continue
        counts["databases"] += 1
        for table in pages(glue, "get_tables", "TableList", DatabaseName=db["Name"]):
            counts["tables"] += 1
            if table.get("PartitionKeys"):
                counts["partitions"] += len(
                    pages(
                        glue,
                        "get_partitions",
                        "Partitions",
                        DatabaseName=db["Name"],
                        TableName=table["Name"],
                    )
                )
    return counts


def recommendations(stack: Stack) -> list[dict[str, Any]]:
    return list(json.loads(stack.meshctl("--json", "review", "list", "--state", "all")))


def duplicate_recommendations(stack: Stack) -> int:
    """Recommendations beyond one per column (a scan's effect applied twice)."""
    seen = Counter((r["database"], r["table"], r["column"]) for r in recommendations(stack))
    return sum(n - 1 for n in seen.values())


def unscanned_tables(stack: Stack, workload: Workload) -> list[str]:
    """Live tables with the sensitive column and no recommendation for it."""
    domains = {p.account: p.domain for p in ALL_PRODUCERS}
    recommended = {
        (r["database"], r["table"]) for r in recommendations(stack) if r["column"] == SENSITIVE[0]
    }
    return [
        f"{domains[a]}__{d}.{t}"
        for (a, d, t), table in workload.live.items()
        if SENSITIVE in table.columns and (f"{domains[a]}__{d}", t) not in recommended
    ]
