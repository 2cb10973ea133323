"""The fewest central calls per change, and never a regression for it.

The producer is read for every change (the event names objects, never their state); the central
catalog is read only when this process does not know what it holds: a create is tried first, a
delete needs no read, and a table this process wrote or read last is updated under the VersionId
it knows. Each test counts the central catalog's calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from meshcore.domain.registry import Producer
from meshcore.messages.eventbridge import GlueDatabaseEvent, GlueTableEvent
from meshcore.runtime.dispatch import Delivery
from meshcore.runtime.metrics import Metrics
from sync_worker.converge import Converger
from sync_worker.handlers import SyncDependencies, on_catalog_event
from sync_worker.repair import Repair

from ...fakes.glue import FakeCatalog
from ...fakes.lftags import FakeResourceTags
from ...fakes.queues import FakeSender

PRODUCER = Producer(
    account_id="222222222222",
    domain="ar",
    read_role_arn="arn:aws:iam::222222222222:role/meshcore-catalog-reader",
    owners=["ada@ar.example.com"],
)
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
READS = ("get_database", "get_table", "list_tables", "list_partitions", "get_partitions")
WRITES = (
    "create_database",
    "update_database",
    "delete_database",
    "create_table",
    "update_table",
    "delete_table",
    "create_partitions",
    "create_absent_partitions",
    "update_partitions",
    "delete_partitions",
)


class CountingCatalog(FakeCatalog):
    """The central catalog, counting the calls made to it through the port."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self.version_ids: list[str | None] = []  # each update_table's VersionId

    def __getattribute__(self, name: str) -> Any:
        attr = super().__getattribute__(name)
        if name not in READS + WRITES:
            return attr
        calls = super().__getattribute__("calls")

        async def counted(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return await attr(*args, **kwargs)

        return counted

    async def update_table(self, database: str, table_input: Any, version_id: str | None) -> None:
        self.version_ids.append(version_id)
        await super().update_table(database, table_input, version_id)

    def reads(self) -> Counter[str]:
        return Counter({k: v for k, v in self.calls.items() if k in READS})


class Registry:
    async def get_producer(self, account_id: str) -> Producer | None:
        return PRODUCER if account_id == PRODUCER.account_id else None


class Worker:
    """One sync-worker process (its own knowledge of the central catalog), over shared AWS."""

    def __init__(self, central: CountingCatalog, source: FakeCatalog) -> None:
        self.central, self.source = central, source
        self.tags = FakeResourceTags()

        async def request_scan(database: str, table: str, columns: list[str], why: str) -> None:
            return None

        async def source_catalog(_producer: Producer) -> FakeCatalog:
            return self.source

        self.converger = Converger(central, request_scan, clock=lambda: NOW, tags=self.tags)
        state: Any = Registry()
        self.deps = SyncDependencies(
            state=state,
            converger=self.converger,
            source_catalog=source_catalog,
            repair=Repair(state, self.converger, source_catalog, 1, FakeSender("catalog")),
            metrics=Metrics(),
            clock=lambda: NOW,
        )
        self.received = 0.0

    async def handle(self, event: GlueDatabaseEvent | GlueTableEvent) -> None:
        self.received += 1.0  # each message received after the last one was handled
        self.converger.monotonic = lambda: self.received + 0.5
        self.deps.freshness = type(self.deps.freshness)()  # every event here is a later one
        await on_catalog_event(event, Delivery("m", 1, "", self.received), self.deps)


def database_event(change: str, tables: list[str] | None = None) -> GlueDatabaseEvent:
    return GlueDatabaseEvent.model_validate(
        {
            "id": "e-1",
            "source": "aws.glue",
            "account": PRODUCER.account_id,
            "time": NOW,
            "region": "us-east-1",
            "detail-type": "Glue Data Catalog Database State Change",
            "detail": {
                "databaseName": "receivables",
                "typeOfChange": change,
                "changedTables": ["invoices"] if tables is None else tables,
            },
        }
    )


def table_event(change: str, partitions: list[str] | None = None) -> GlueTableEvent:
    return GlueTableEvent.model_validate(
        {
            "id": "e-2",
            "source": "aws.glue",
            "account": PRODUCER.account_id,
            "time": NOW,
            "region": "us-east-1",
            "detail-type": "Glue Data Catalog Table State Change",
            "detail": {
                "databaseName": "receivables",
                "tableName": "invoices",
                "typeOfChange": change,
                "changedPartitions": partitions or [],
            },
        }
    )


def invoices(*columns: str, partitioned: bool = False) -> dict[str, Any]:
    return {
        "Name": "invoices",
        "StorageDescriptor": {
            "Columns": [{"Name": c, "Type": "string"} for c in columns],
            "Location": "s3://ar-data/invoices/",
        },
        "PartitionKeys": [{"Name": "year", "Type": "string"}] if partitioned else [],
    }


async def world(partitioned: bool = False) -> tuple[CountingCatalog, FakeCatalog, Worker]:
    central, source = CountingCatalog(), FakeCatalog(PRODUCER.account_id)
    await source.create_database({"Name": "receivables"})
    worker = Worker(central, source)
    await worker.handle(database_event("CreateDatabase", []))
    await source.create_table("receivables", invoices("id", partitioned=partitioned))
    return central, source, worker


def counted(worker: Worker, metric: str) -> int:
    return sum(n for (name, _dims), n in worker.deps.metrics._counts.items() if name == metric)


def central_copy(central: FakeCatalog) -> dict[str, Any]:
    return central.tables[("ar__receivables", "invoices")]


async def test_a_create_is_written_without_reading_the_central_catalog() -> None:
    central, _source, worker = await world()
    assert central.calls == {"create_database": 1}
    central.calls.clear()
    await worker.handle(database_event("CreateTable"))
    assert central.calls == {"create_table": 1}
    assert central_copy(central)["VersionId"] == "0"


async def test_a_table_this_process_wrote_is_updated_under_its_known_version_unread() -> None:
    central, source, worker = await world()
    await worker.handle(database_event("CreateTable"))
    for n, columns in enumerate([("id", "memo"), ("id", "memo", "due")]):
        await source.update_table("receivables", invoices(*columns), None)
        central.calls.clear()
        await worker.handle(table_event("UpdateTable"))
        assert central.calls == {"update_table": 1}
        assert central.version_ids[-1] == str(n)  # "0" after the create, then one more
    copy = central_copy(central)
    assert [c["Name"] for c in copy["StorageDescriptor"]["Columns"]] == ["id", "memo", "due"]
    assert copy["Parameters"]["meshcore:source_version"] == "2"
    assert worker.tags.columns.keys() == {
        ("ar__receivables", "invoices", "memo"),
        ("ar__receivables", "invoices", "due"),
    }


async def test_a_duplicate_event_costs_no_central_call_and_leaves_a_hand_edit_to_repair() -> None:
    central, _source, worker = await world()
    await worker.handle(database_event("CreateTable"))
    edited = {**central_copy(central), "Description": "edited by hand"}
    await FakeCatalog.update_table(central, "ar__receivables", edited, None)
    central.calls.clear()
    await worker.handle(table_event("UpdateTable"))  # the producer did not change
    assert central.calls == {}
    assert central_copy(central)["Description"] == "edited by hand"

    # What repair does with a table it found different: it reads, it does not trust the copy.
    table = await worker.source.get_table("receivables", "invoices")
    assert table is not None
    listed = central_copy(central)
    assert not worker.converger.in_step(PRODUCER, "receivables", table, listed)
    await worker.converger.table(PRODUCER, worker.source, "receivables", "invoices", True)
    assert "Description" not in central_copy(central)


async def test_a_stale_known_version_loses_the_race_reads_and_never_regresses() -> None:
    """Worker A created the table; B wrote the producer's version 2 since. A then handles an
    event with a read of the producer that lags (version 1): its update under the version it
    knows is refused, it reads the central table, finds it newer, and writes nothing."""
    central, source, a = await world()
    await a.handle(database_event("CreateTable"))
    lagging = FakeCatalog(PRODUCER.account_id)
    await lagging.create_database({"Name": "receivables"})
    await lagging.create_table("receivables", invoices("id"))
    for columns in [("id", "v1"), ("id", "v2")]:
        await source.update_table("receivables", invoices(*columns), None)
    await lagging.update_table("receivables", invoices("id", "v1"), None)
    b = Worker(central, source)
    await b.handle(table_event("UpdateTable"))
    assert central_copy(central)["Parameters"]["meshcore:source_version"] == "2"

    a.source = lagging
    central.calls.clear()
    await a.handle(table_event("UpdateTable"))
    assert central.calls == {"update_table": 1, "get_table": 1}  # refused, then read
    assert counted(a, "ConflictsRetried") == 1
    copy = central_copy(central)
    assert copy["Parameters"]["meshcore:source_version"] == "2"
    assert [c["Name"] for c in copy["StorageDescriptor"]["Columns"]] == ["id", "v2"]


async def test_a_create_event_for_a_table_already_there_reads_it_then_converges() -> None:
    central, source, worker = await world()
    await worker.handle(database_event("CreateTable"))
    await source.update_table("receivables", invoices("id", "memo"), None)
    other = Worker(central, source)  # knows nothing of the table
    central.calls.clear()
    await other.handle(database_event("CreateTable"))  # a duplicate, late
    assert central.calls == {"create_table": 1, "get_table": 1, "update_table": 1}
    assert central.version_ids[-1] == "0"  # under the version it read
    copy = central_copy(central)
    assert [c["Name"] for c in copy["StorageDescriptor"]["Columns"]] == ["id", "memo"]


async def test_deletes_are_made_without_a_central_read() -> None:
    central, source, worker = await world()
    await worker.handle(database_event("CreateTable"))
    await source.delete_table("receivables", "invoices")
    central.calls.clear()
    await worker.handle(database_event("DeleteTable"))
    assert central.calls == {"delete_table": 1}
    assert central.tables == {}

    await source.delete_database("receivables")
    central.calls.clear()
    await worker.handle(database_event("DeleteDatabase", []))
    assert central.calls == {"delete_database": 1}
    assert central.databases == {}


async def test_partition_events_create_first_and_delete_without_a_central_read() -> None:
    central, source, worker = await world(partitioned=True)
    await worker.handle(database_event("CreateTable"))
    await source.create_partitions("receivables", "invoices", [{"Values": ["2025"]}])
    central.calls.clear()
    await worker.handle(table_event("BatchCreatePartition", ["2025"]))
    assert central.calls == {"create_absent_partitions": 1}

    await source.delete_partitions("receivables", "invoices", [["2025"]])
    central.calls.clear()
    await worker.handle(table_event("DeletePartition", ["2025"]))
    assert central.calls == {"delete_partitions": 1}
    assert central.partitions == {}


async def test_a_partition_that_was_there_already_is_read_and_updated() -> None:
    central, source, worker = await world(partitioned=True)
    await worker.handle(database_event("CreateTable"))
    await source.create_partitions("receivables", "invoices", [{"Values": ["2025"]}])
    await worker.handle(table_event("BatchCreatePartition", ["2025"]))
    moved = {"Values": ["2025"], "StorageDescriptor": {"Location": "s3://ar-data/moved/"}}
    await source.update_partitions("receivables", "invoices", [moved])
    central.calls.clear()
    await worker.handle(table_event("BatchCreatePartition", ["2025"]))
    assert central.calls == {
        "create_absent_partitions": 1,
        "get_partitions": 1,
        "update_partitions": 1,
    }
    (stored,) = central.partitions.values()
    assert stored["StorageDescriptor"]["Location"] == "s3://ar-data/moved/"


async def test_a_partition_event_received_before_a_listing_began_is_done_by_it() -> None:
    central, source, worker = await world(partitioned=True)
    await source.create_partitions("receivables", "invoices", [{"Values": ["2025"]}])
    clock: Callable[[], float] = lambda: 10.0  # noqa: E731
    worker.converger.monotonic = clock
    create = database_event("CreateTable")
    await on_catalog_event(create, Delivery("m-1", 1, "", 9.0), worker.deps)
    assert len(central.partitions) == 1
    central.calls.clear()
    # Received before the table's partitions were listed (at 10): nothing left to do.
    partition_event = table_event("BatchCreatePartition", ["2025"])
    await on_catalog_event(partition_event, Delivery("m-2", 1, "", 9.5), worker.deps)
    assert central.calls == {}
    assert counted(worker, "EventsCoalesced") == 1
    # Received after it: converged.
    await on_catalog_event(partition_event, Delivery("m-3", 1, "", 10.5), worker.deps)
    assert central.calls == {"create_absent_partitions": 1, "get_partitions": 1}


async def test_a_table_recreated_at_the_producer_is_read_centrally_not_trusted() -> None:
    """Glue numbers a recreated table's versions from 0 again: the known VersionId of the old
    table would let an update through over a central table it never saw."""
    central, source, worker = await world()
    await worker.handle(database_event("CreateTable"))
    await source.delete_table("receivables", "invoices")
    await source.create_table("receivables", invoices("id", "memo"))
    source.tables[("receivables", "invoices")]["CreateTime"] = NOW
    central.calls.clear()
    await worker.handle(database_event("CreateTable"))
    assert central.calls["get_table"] == 1
    copy = central_copy(central)
    assert copy["Parameters"]["meshcore:source_created"] == NOW.isoformat()
