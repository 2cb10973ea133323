"""A sharded repair in process, over the fakes: the command fans out into producer, database and
table-page shards on the catalog-change queue; any worker may take any shard, a redelivered one
counts once, and the report is assembled from the shards' results.

The queue is a list the test drains (`Mesh.drain`), so a crash is a message delivered again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from meshcore.aws.ports import Row
from meshcore.domain.registry import Producer
from meshcore.domain.repair import (
    PLAN_SHARD,
    RepairReport,
    RepairShardResult,
    RepairStatus,
    ShardLevel,
    assemble,
)
from meshcore.messages.commands import RepairCommand, RepairShard
from meshcore.runtime.dispatch import Delivery
from sync_worker.converge import Converger
from sync_worker.handlers import SyncDependencies, on_repair, on_repair_shard
from sync_worker.repair import Repair

from ...fakes.glue import FakeCatalog
from ...fakes.lftags import FakeResourceTags
from ...fakes.queues import FakeSender
from ...fakes.state import InMemoryStateStore

AR = Producer(
    account_id="222222222222",
    domain="ar",
    read_role_arn="arn:aws:iam::222222222222:role/meshcore-catalog-reader",
    owners=["ada@ar.example.com"],
)
AP = Producer(
    account_id="333333333333",
    domain="ap",
    read_role_arn="arn:aws:iam::333333333333:role/meshcore-catalog-reader",
    owners=["bo@ap.example.com"],
)
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
PAGE = 3  # tables per page shard: a database of more tables is paged


class Counted(FakeCatalog):
    """A catalog fake that counts the calls made to it, by method."""

    def __init__(self, account_id: str = "123456789012") -> None:
        super().__init__(account_id)
        self.calls: Counter[str] = Counter()

    def __getattribute__(self, name: str) -> Any:
        found = super().__getattribute__(name)
        if callable(found) and not name.startswith("_") and name != "calls":
            super().__getattribute__("calls")[name] += 1
        return found


def table(name: str, partitioned: bool = False, comment: str = "") -> Row:
    return {
        "Name": name,
        "StorageDescriptor": {
            "Columns": [{"Name": "id", "Type": "string", "Comment": comment}],
            "Location": f"s3://data/{name}/",
        },
        "PartitionKeys": [{"Name": "day", "Type": "string"}] if partitioned else [],
    }


class Mesh:
    def __init__(self) -> None:
        self.state = InMemoryStateStore()
        self.central = Counted()
        self.sources = {p.account_id: Counted(p.account_id) for p in (AR, AP)}
        self.queue = FakeSender("meshcore-catalog-changes")
        self.scans: list[tuple[str, str]] = []
        self.delivered: list[str] = []

        async def request_scan(database: str, name: str, _columns: list[str], _why: str) -> None:
            self.scans.append((database, name))

        async def source_catalog(producer: Producer) -> Counted:
            return self.sources[producer.account_id]

        converger = Converger(
            self.central, request_scan, clock=lambda: NOW, tags=FakeResourceTags()
        )
        self.deps = SyncDependencies(
            state=self.state,
            converger=converger,
            source_catalog=source_catalog,
            repair=Repair(self.state, converger, source_catalog, 2, self.queue, page_size=PAGE),
            clock=lambda: NOW,
        )

    async def onboard(self) -> None:
        for producer in (AR, AP):
            await self.state.put_producer(producer)

    async def producer_tables(self, account: str, database: str, names: Sequence[str]) -> None:
        source = self.sources[account]
        if await source.get_database(database) is None:
            await source.create_database({"Name": database, "Description": database})
        for name in names:
            await source.create_table(database, table(name, partitioned=name.startswith("p_")))
            if name.startswith("p_"):
                await source.create_partitions(
                    database, name, [{"Values": [f"d{i}"]} for i in range(3)]
                )

    async def deliver(self, message: Any) -> None:
        if isinstance(message, RepairCommand):
            await on_repair(message, Delivery("m", 1), self.deps)
        else:
            self.delivered.append(message.shard_id)
            await on_repair_shard(message, Delivery("m", 1), self.deps)

    async def drain(self) -> None:
        while self.queue.sent:
            await self.deliver(self.queue.sent.pop(0))

    async def repair(self, repair_id: str, producer: str | None = None) -> RepairReport:
        await self.deliver(RepairCommand(repair_id=repair_id, producer_account=producer))
        await self.drain()
        report = await self.state.get_repair(repair_id)
        assert report is not None
        return report

    def reset_counts(self) -> None:
        for catalog in (self.central, *self.sources.values()):
            catalog.calls.clear()

    def calls(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for catalog in (self.central, *self.sources.values()):
            total.update(catalog.calls)
        return total


async def in_step(mesh: Mesh) -> bool:
    for producer in (AR, AP):
        source = mesh.sources[producer.account_id]
        for db in await source.list_databases():
            target = f"{producer.domain}__{db['Name']}"
            want = {t["Name"] for t in await source.list_tables(db["Name"])}
            have = {t["Name"] for t in await mesh.central.list_tables(target)}
            if want != have:
                return False
            for name in want:
                parts = {tuple(p["Values"]) for p in await source.list_partitions(db["Name"], name)}
                copied = await mesh.central.list_partitions(target, name)
                if parts != {tuple(p["Values"]) for p in copied}:
                    return False
    return True


@pytest.fixture
async def mesh() -> Mesh:
    mesh = Mesh()
    await mesh.onboard()
    # ar.sales has 7 tables (3 pages of PAGE), ar.hr 2 (converged by its database shard),
    # ap.books 4 (2 pages).
    await mesh.producer_tables(AR.account_id, "sales", ["orders", "p_events", "refunds", "t4"])
    await mesh.producer_tables(AR.account_id, "sales", ["t5", "t6", "t7"])
    await mesh.producer_tables(AR.account_id, "hr", ["people", "p_leave"])
    await mesh.producer_tables(AP.account_id, "books", ["bills", "p_pay", "vendors", "zz"])
    return mesh


async def test_a_repair_fans_out_per_producer_database_and_page_and_assembles_one_report(
    mesh: Mesh,
) -> None:
    report = await mesh.repair("r-1")
    assert report.status is RepairStatus.SUCCEEDED, report.errors
    assert report.drift == {
        "database.created": 3,
        "table.created": 13,
        "partition.created": 3 * 3,  # p_events, p_leave, p_pay, each 3
    }
    assert (report.producers_total, report.producers_done) == (2, 2)
    assert (report.databases_checked, report.tables_checked) == (3, 13)
    assert sorted(mesh.delivered) == [
        "d/222222222222/hr",
        "d/222222222222/sales",
        "d/333333333333/books",
        "p/222222222222",
        "p/333333333333",
        "t/222222222222/sales/00000",
        "t/222222222222/sales/00001",
        "t/222222222222/sales/00002",
        "t/333333333333/books/00000",
        "t/333333333333/books/00001",
    ]
    assert (report.shards_total, report.shards_done) == (11, 11)  # and the plan
    assert await in_step(mesh)


async def test_the_first_pass_reads_nothing_listing_already_returned(mesh: Mesh) -> None:
    mesh.reset_counts()
    await mesh.repair("r-1")
    calls = mesh.calls()
    # Each table created from its listed row: no GetTable on either side, no central
    # partition listing of a table just created, no central GetDatabase per table.
    assert calls["get_table"] == 0
    assert calls["create_table"] == 13
    assert calls["list_partitions"] == 3  # the producer's, of the three partitioned tables
    # Per database both sides (its shard converges it); none per page shard or per table
    # created in it (a table is created first, its database only if Glue says it is missing).
    assert calls["get_database"] == 3 * 2


async def test_a_no_drift_pass_skips_unchanged_tables_without_further_reads(mesh: Mesh) -> None:
    await mesh.repair("r-1")
    mesh.reset_counts()
    report = await mesh.repair("r-2")
    assert report.status is RepairStatus.SUCCEEDED and report.drift == {}
    assert report.tables_checked == 13
    calls = mesh.calls()
    assert calls["get_table"] == 0
    # Partitions are listed for every partitioned table, both sides: nothing a listing returns
    # says that a table's partitions did not change.
    assert calls["list_partitions"] == 3 * 2
    # Otherwise only listings: per producer, per database and per page (two names reads each),
    # none per table (the per-table cost at scale is in the benchmark).
    assert calls == {
        "list_databases": 2 * 2 + 1,  # and once for the whole mesh: databases no domain owns
        "get_database": 3 * 2,
        "list_tables": 3 * 2,
        "tables_named": 5 * 2,
        "list_partitions": 3 * 2,
    }


async def test_a_repair_heals_each_kind_of_drift_and_counts_it_once(mesh: Mesh) -> None:
    await mesh.repair("r-1")
    central = mesh.central
    await central.delete_table("ar__sales", "t5")  # missing (in a page shard)
    await central.create_table("ar__sales", table("ghost"))  # extra (in a page shard)
    stale = await central.get_table("ar__hr", "people")
    assert stale is not None
    await central.update_table("ar__hr", stale | {"Description": "edited"}, None)  # stale
    await central.delete_partitions("ap__books", "p_pay", [["d0"]])  # missing partition
    source = mesh.sources[AP.account_id]
    await source.update_table("books", table("vendors", comment="changed"), None)  # newer
    await central.create_database({"Name": "ar__gone", "Parameters": {}})  # not ar's: kept
    await central.create_database(
        {"Name": "ar__dropped", "Parameters": {"meshcore:producer_account": AR.account_id}}
    )
    report = await mesh.repair("r-2")
    assert report.status is RepairStatus.SUCCEEDED, report.errors
    assert report.drift == {
        "table.created": 1,
        "table.deleted": 1,
        "table.updated": 2,
        "partition.created": 1,
        "database.deleted": 1,
    }
    assert report.tables_checked == 14  # the ghost too
    assert await central.get_database("ar__gone") is not None
    assert await central.get_database("ar__dropped") is None
    assert await in_step(mesh)


async def test_a_table_deleted_while_the_repair_creates_it_is_not_left_behind(
    mesh: Mesh, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = mesh.sources[AR.account_id]
    create = mesh.central.create_table

    async def create_then_producer_deletes(database: str, table_input: Row) -> None:
        await create(database, table_input)
        if table_input["Name"] in ("people", "t6"):
            # The producer drops it now; its DeleteTable event found no central copy yet.
            await source.delete_table(database.split("__", 1)[1], table_input["Name"])

    monkeypatch.setattr(mesh.central, "create_table", create_then_producer_deletes)
    report = await mesh.repair("r-1")
    assert report.status is RepairStatus.SUCCEEDED, report.errors
    assert await mesh.central.get_table("ar__hr", "people") is None  # a database shard's
    assert await mesh.central.get_table("ar__sales", "t6") is None  # a page shard's
    assert report.drift["table.deleted"] == 2
    assert await in_step(mesh)


async def test_a_redelivered_shard_counts_once(mesh: Mesh) -> None:
    await mesh.deliver(RepairCommand(repair_id="r-1"))
    # Every shard is delivered twice, the second time after the first recorded its result.
    while mesh.queue.sent:
        shard = mesh.queue.sent.pop(0)
        await mesh.deliver(shard)
        sent, calls = len(mesh.queue.sent), mesh.calls()
        await mesh.deliver(shard)
        # ... which finds its result recorded: no catalog call, nothing sent again.
        assert (len(mesh.queue.sent), mesh.calls()) == (sent, calls)
    report = await mesh.state.get_repair("r-1")
    assert report is not None and report.status is RepairStatus.SUCCEEDED
    assert report.drift["table.created"] == 13 and report.tables_checked == 13
    assert report.shards_done == report.shards_total == 11


async def test_a_shard_that_crashed_after_fanning_out_resumes(
    mesh: Mesh, monkeypatch: pytest.MonkeyPatch
) -> None:
    await mesh.deliver(RepairCommand(repair_id="r-1"))
    # The first producer shard crashes after sending its database shards, before recording.
    first = mesh.queue.sent.pop(0)
    assert isinstance(first, RepairShard) and first.level == "producer"
    sent_before = len(mesh.queue.sent)

    async def crash(_repair_id: str, _result: RepairShardResult) -> bool:
        raise RuntimeError("SIGKILL")

    with monkeypatch.context() as patched:
        patched.setattr(mesh.state, "record_repair_shard", crash)
        with pytest.raises(RuntimeError):
            await mesh.deliver(first)
    assert len(mesh.queue.sent) > sent_before  # its database shards went out
    assert (await mesh.state.get_repair("r-1")).status is RepairStatus.RUNNING  # type: ignore[union-attr]
    await mesh.deliver(first)  # redelivered: sends them again, records once
    await mesh.drain()  # each database shard twice: the second finds its result recorded
    report = await mesh.state.get_repair("r-1")
    assert report is not None and report.status is RepairStatus.SUCCEEDED
    assert report.drift["table.created"] == 13 and report.databases_checked == 3
    assert await in_step(mesh)


async def test_a_repair_is_not_finished_while_a_shard_is_outstanding(mesh: Mesh) -> None:
    await mesh.deliver(RepairCommand(repair_id="r-1"))
    held: list[Any] = []
    while mesh.queue.sent:
        message = mesh.queue.sent.pop(0)
        if getattr(message, "shard_id", "") == "t/333333333333/books/00001":
            held.append(message)  # taken by a worker that has not finished it yet
            continue
        await mesh.deliver(message)
    header = await mesh.state.get_repair("r-1")
    assert header is not None and header.status is RepairStatus.RUNNING
    # Progress, as `meshctl repair --wait` reads it: assembled from the results so far.
    running = assemble(header, await mesh.state.repair_shards("r-1"))
    assert running.status is RepairStatus.RUNNING
    assert running.shards_done == running.shards_total - 1
    await mesh.deliver(held[0])
    done = await mesh.state.get_repair("r-1")
    assert done is not None and done.status is RepairStatus.SUCCEEDED
    assert done.tables_checked == 13


async def test_two_shards_completing_the_set_at_once_tell_it_once(mesh: Mesh) -> None:
    report = await mesh.repair("r-1")
    # The other shard read the report as running before this one wrote it finished.
    await mesh.state.save_repair(report.model_copy(update={"status": RepairStatus.RUNNING}))
    assert await mesh.deps.repair.settle("r-1") is None  # written, not told again
    again = await mesh.state.get_repair("r-1")
    assert again is not None and again.status is RepairStatus.SUCCEEDED
    assert again.drift == report.drift


async def test_one_producer_and_an_unknown_one(mesh: Mesh) -> None:
    report = await mesh.repair("r-1", AP.account_id)
    assert report.producers_total == 1 and report.tables_checked == 4
    unknown = await mesh.repair("r-2", "999999999999")
    assert unknown.status is RepairStatus.FAILED
    assert unknown.errors == ["999999999999 is not an onboarded producer"]


async def test_a_finished_repair_delivered_again_changes_nothing(mesh: Mesh) -> None:
    report = await mesh.repair("r-1")
    assert await mesh.repair("r-1") == report
    assert mesh.queue.sent == []


def test_the_report_counts_only_the_shards_named() -> None:
    header = RepairReport(repair_id="r", producers_total=1)
    plan = RepairShardResult(shard_id=PLAN_SHARD, level=ShardLevel.PLAN, children=["p/1"])
    producer = RepairShardResult(shard_id="p/1", level=ShardLevel.PRODUCER, children=["d/1/a"])
    database = RepairShardResult(
        shard_id="d/1/a", level=ShardLevel.DATABASE, databases_checked=1, drift={"x.y": 2}
    )
    stray = RepairShardResult(shard_id="t/1/a/00009", level=ShardLevel.TABLES, drift={"x.y": 5})
    partial = assemble(header, [plan, producer])
    assert partial.status is RepairStatus.RUNNING and partial.shards_total == 3
    report = assemble(header, [plan, producer, database, stray])
    assert report.status is RepairStatus.SUCCEEDED and report.drift == {"x.y": 2}
    assert (report.shards_done, report.producers_done, report.databases_checked) == (3, 1, 1)
    failed = assemble(header, [plan, producer, database.model_copy(update={"errors": ["e"]})])
    assert failed.status is RepairStatus.FAILED and failed.errors == ["e"]


async def test_central_databases_of_a_domain_no_producer_has_now_are_removed(mesh: Mesh) -> None:
    """A producer renamed (ar2 once, ar now) or offboarded (555…) leaves central databases under
    a name no producer has: a whole repair removes and reports them; a database meshcore did
    not write (no producer account recorded) stays, and so does everything on a one-producer
    repair."""
    await mesh.repair("r-first")
    for name, account in (("ar2__sales", AR.account_id), ("zz__old", "555555555555")):
        await mesh.central.create_database(
            {"Name": name, "Parameters": {"meshcore:producer_account": account}}
        )
        await mesh.central.create_table(name, table("orders"))
    await mesh.central.create_database({"Name": "ops__scratch"})

    assert "ar2__sales" in {d["Name"] for d in await mesh.central.list_databases()}
    one = await mesh.repair("r-one", AR.account_id)
    assert "database.orphaned" not in one.drift

    report = await mesh.repair("r-whole")
    assert report.status is RepairStatus.SUCCEEDED, report.errors
    assert report.drift == {"database.orphaned": 2, "database.deleted": 2, "table.deleted": 2}
    names = {d["Name"] for d in await mesh.central.list_databases()}
    assert not names & {"ar2__sales", "zz__old"}
    assert {"ops__scratch", "ar__sales", "ar__hr", "ap__books"} <= names
