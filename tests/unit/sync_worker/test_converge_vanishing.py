"""Converging one table: a producer table deleted while sync-worker reads its partitions
converges to the deletion; a new table's scan is asked for before and after the write; a new
table, and a column added to a table later, are tagged unclassified."""

from __future__ import annotations

from typing import Any

from meshcore.domain.errors import NotFoundError
from meshcore.domain.registry import Producer
from sync_worker.converge import Converger

TABLE = {
    "Name": "t",
    "VersionId": "1",
    "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "string"}]},
    "PartitionKeys": [{"Name": "day", "Type": "string"}],
}


class Vanishing:
    """The producer: the table is there for the first read, gone for the partition read."""

    def __init__(self) -> None:
        self.reads = 0

    async def get_table(self, database: str, name: str) -> dict[str, Any] | None:
        self.reads += 1
        return TABLE if self.reads == 1 else None

    async def list_partitions(self, database: str, table: str) -> list[dict[str, Any]]:
        raise NotFoundError(f"Table {table} not found.")


class Central:
    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Any]] = {}

    async def get_table(self, database: str, name: str) -> dict[str, Any] | None:
        return self.tables.get(name)

    async def get_database(self, name: str) -> dict[str, Any] | None:
        return {"Name": name}

    async def create_table(self, database: str, table: dict[str, Any]) -> None:
        self.tables[table["Name"]] = table

    async def delete_table(self, database: str, name: str) -> None:
        del self.tables[name]


async def test_a_table_deleted_while_its_partitions_are_read_is_deleted_centrally() -> None:
    central, scans = Central(), []

    async def request_scan(*args: Any) -> None:
        scans.append(args)

    converger = Converger(central=central, request_scan=request_scan)  # type: ignore[arg-type]
    producer = Producer(
        account_id="222222222222",
        domain="ar",
        owners=["a@x"],
        read_role_arn="arn:aws:iam::222222222222:role/r",
    )
    result = await converger.table(producer, Vanishing(), "fx", "t", True)  # type: ignore[arg-type]
    assert central.tables == {}
    assert result.changes


class Present:
    """The producer: the table is there and has no partitions."""

    async def get_table(self, database: str, name: str) -> dict[str, Any] | None:
        return {**TABLE, "PartitionKeys": []}


async def test_a_new_table_is_scanned_before_and_after_it_is_written() -> None:
    central, asked = Central(), []

    async def request_scan(database: str, table: str, columns: list[str], reason: str) -> None:
        asked.append((table in central.tables, columns, reason))

    converger = Converger(central=central, request_scan=request_scan)  # type: ignore[arg-type]
    producer = Producer(
        account_id="222222222222",
        domain="ar",
        owners=["a@x"],
        read_role_arn="arn:aws:iam::222222222222:role/r",
    )
    await converger.table(producer, Present(), "fx", "t", True)  # type: ignore[arg-type]
    assert asked == [(False, ["id"], "table created"), (True, ["id"], "table created")]


class Tags:
    """The central LF-tags sync-worker writes."""

    def __init__(self) -> None:
        self.written: list[tuple[str, ...]] = []

    async def tag_database(self, database: str, key: str, value: str) -> None:
        self.written.append(("database", database, key, value))

    async def tag_table(self, database: str, table: str, key: str, value: str) -> None:
        self.written.append(("table", table, key, value))

    async def tag_columns(
        self, database: str, table: str, columns: list[str], key: str, value: str
    ) -> None:
        self.written.append(("columns", table, ",".join(columns), key, value))


class Updating(Central):
    async def update_table(self, database: str, table: dict[str, Any], version: Any) -> None:
        self.tables[table["Name"]] = table


class Grown:
    """The producer: the table has one more column than the central copy."""

    async def get_table(self, database: str, name: str) -> dict[str, Any] | None:
        columns = [{"Name": "id", "Type": "string"}, {"Name": "ssn", "Type": "string"}]
        return {
            **TABLE,
            "VersionId": "2",
            "PartitionKeys": [],
            "StorageDescriptor": {"Columns": columns},
        }


async def test_a_new_table_and_a_column_added_later_are_unclassified() -> None:
    central, tags = Updating(), Tags()

    async def request_scan(*args: Any) -> None:
        return None

    converger = Converger(central=central, request_scan=request_scan, tags=tags)  # type: ignore[arg-type]
    producer = Producer(
        account_id="222222222222",
        domain="ar",
        owners=["a@x"],
        read_role_arn="arn:aws:iam::222222222222:role/r",
    )
    await converger.table(producer, Present(), "fx", "t", True)  # type: ignore[arg-type]
    assert tags.written == [("table", "t", "sensitivity", "unclassified")]
    await converger.table(producer, Grown(), "fx", "t", True)  # type: ignore[arg-type]
    assert tags.written[1:] == [("columns", "t", "ssn", "sensitivity", "unclassified")]
