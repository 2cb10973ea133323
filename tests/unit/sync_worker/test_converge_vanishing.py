"""Converging one table: a producer table deleted while sync-worker reads its partitions
converges to the deletion; a new table's scan is asked for before and after the write; a new
table, and a column added to a table later, are tagged unclassified."""

from __future__ import annotations

from typing import Any

import pytest

from meshcore.domain.errors import ConflictError, NotFoundError
from meshcore.domain.registry import Producer
from sync_worker.converge import Converger

from ...fakes.glue import FakeCatalog
from ...fakes.lftags import FakeResourceTags

TABLE = {
    "Name": "t",
    "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "string"}]},
    "PartitionKeys": [{"Name": "day", "Type": "string"}],
}
PRODUCER = Producer(
    account_id="222222222222",
    domain="ar",
    owners=["a@x"],
    read_role_arn="arn:aws:iam::222222222222:role/r",
)


class Vanishing(FakeCatalog):
    """The producer: the table is there for the first read, gone for the partition read."""

    def __init__(self) -> None:
        super().__init__(PRODUCER.account_id)
        self.reads = 0

    async def get_table(self, database: str, name: str) -> dict[str, Any] | None:
        self.reads += 1
        return {**TABLE, "VersionId": "1"} if self.reads == 1 else None

    async def list_partitions(self, database: str, table: str) -> list[dict[str, Any]]:
        raise NotFoundError(f"Table {table} not found.")


async def central() -> FakeCatalog:
    catalog = FakeCatalog()
    await catalog.create_database({"Name": "ar__fx"})
    return catalog


async def test_a_table_deleted_while_its_partitions_are_read_is_deleted_centrally() -> None:
    catalog, scans = await central(), []

    async def request_scan(*args: Any) -> None:
        scans.append(args)

    converger = Converger(central=catalog, request_scan=request_scan)
    result = await converger.table(PRODUCER, Vanishing(), "fx", "t", True)
    assert catalog.tables == {}
    assert result.changes == {"table.created": 1, "table.deleted": 1}


async def test_a_new_table_is_scanned_once_before_it_is_written() -> None:
    """Before: a crash after the write must not lose the scan. Once: the classifier waits for
    a table it does not see yet (`TABLE_WAIT_RECEIVES`), so a second request would add a call."""
    catalog, asked = await central(), []
    producer = FakeCatalog(PRODUCER.account_id)
    await producer.create_database({"Name": "fx"})
    await producer.create_table("fx", {**TABLE, "PartitionKeys": []})

    async def request_scan(database: str, table: str, columns: list[str], reason: str) -> None:
        asked.append(((database, table) in catalog.tables, columns, reason))

    converger = Converger(central=catalog, request_scan=request_scan)
    await converger.table(PRODUCER, producer, "fx", "t", True)
    assert asked == [(False, ["id"], "table created")]


async def test_a_new_table_and_a_column_added_later_are_unclassified() -> None:
    catalog, tags = await central(), FakeResourceTags()

    async def request_scan(*args: Any) -> None:
        return None

    converger = Converger(central=catalog, request_scan=request_scan, tags=tags)
    producer = FakeCatalog(PRODUCER.account_id)
    await producer.create_database({"Name": "fx"})
    await producer.create_table("fx", {**TABLE, "PartitionKeys": []})
    await converger.table(PRODUCER, producer, "fx", "t", True)
    assert tags.tables == {("ar__fx", "t"): {"sensitivity": "unclassified"}}
    assert tags.columns == {}

    columns = [{"Name": "id", "Type": "string"}, {"Name": "ssn", "Type": "string"}]
    grown = {**TABLE, "PartitionKeys": [], "StorageDescriptor": {"Columns": columns}}
    await producer.update_table("fx", grown, None)
    await converger.table(PRODUCER, producer, "fx", "t", True)
    assert tags.columns == {("ar__fx", "t", "ssn"): {"sensitivity": "unclassified"}}


async def test_a_table_deleted_centrally_before_it_is_tagged_is_a_lost_race() -> None:
    """Another worker deleted the central table between this worker's write and its tagging:
    Lake Formation knows no such table. A conflict (read both sides again), not a bad message."""
    catalog = await central()
    producer = FakeCatalog(PRODUCER.account_id)
    await producer.create_database({"Name": "fx"})
    await producer.create_table("fx", {**TABLE, "PartitionKeys": []})

    async def request_scan(*args: Any) -> None:
        return None

    tags = FakeResourceTags(tables={("ar__fx", "other")})
    converger = Converger(central=catalog, request_scan=request_scan, tags=tags)
    with pytest.raises(ConflictError, match="deleted while this worker wrote it"):
        await converger.table(PRODUCER, producer, "fx", "t", True)
