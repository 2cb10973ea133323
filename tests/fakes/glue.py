"""A Glue Data Catalog in memory (port: `meshcore.aws.ports.Catalog`)."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from meshcore.aws.ports import Row
from meshcore.domain.errors import ConflictError, NotFoundError, PermanentError

PartitionKey = tuple[str, str, tuple[str, ...]]


class FakeCatalog:
    def __init__(self, account_id: str = "123456789012") -> None:
        self.account_id = account_id
        self.databases: dict[str, Row] = {}
        self.tables: dict[tuple[str, str], Row] = {}
        self.partitions: dict[PartitionKey, Row] = {}

    # -- reads ------------------------------------------------------------------------------

    async def get_database(self, name: str) -> Row | None:
        found = self.databases.get(name)
        return copy.deepcopy(found) if found is not None else None

    async def list_databases(self) -> list[Row]:
        return [copy.deepcopy(d) for _n, d in sorted(self.databases.items())]

    async def get_table(self, database: str, name: str) -> Row | None:
        found = self.tables.get((database, name))
        return copy.deepcopy(found) if found is not None else None

    async def list_tables(self, database: str) -> list[Row]:
        self._database(database)
        return [copy.deepcopy(t) for (db, _n), t in sorted(self.tables.items()) if db == database]

    async def tables_named(self, database: str, names: Sequence[str]) -> list[Row]:
        self._database(database)
        for name in names:
            if not name or not all(c.isalnum() or c == "_" for c in name):
                raise PermanentError(f"{name!r} is not a Glue table name")
        return [
            copy.deepcopy(self.tables[(database, n)])
            for n in sorted(set(names))
            if (database, n) in self.tables
        ]

    async def list_partitions(self, database: str, table: str) -> list[Row]:
        self._table(database, table)
        return [
            copy.deepcopy(p)
            for (db, t, _v), p in sorted(self.partitions.items())
            if (db, t) == (database, table)
        ]

    async def get_partitions(
        self, database: str, table: str, values: Sequence[list[str]]
    ) -> list[Row]:
        self._table(database, table)
        keys = [(database, table, tuple(v)) for v in values]
        return [copy.deepcopy(self.partitions[k]) for k in keys if k in self.partitions]

    # -- writes -----------------------------------------------------------------------------

    async def create_database(self, database_input: Row) -> None:
        name = database_input["Name"]
        if name in self.databases:
            raise ConflictError(f"glue:CreateDatabase {name}: AlreadyExistsException")
        self.databases[name] = {**copy.deepcopy(database_input), "CatalogId": self.account_id}

    async def update_database(self, name: str, database_input: Row) -> None:
        self._database(name)
        self.databases[name] = {**copy.deepcopy(database_input), "CatalogId": self.account_id}

    async def delete_database(self, name: str) -> bool:
        existed = self.databases.pop(name, None) is not None
        for key in [k for k in self.tables if k[0] == name]:
            await self.delete_table(*key)
        return existed

    async def create_table(self, database: str, table_input: Row) -> None:
        self._database(database)
        key = (database, table_input["Name"])
        if key in self.tables:
            raise ConflictError(f"glue:CreateTable {database}.{key[1]}: AlreadyExistsException")
        self.tables[key] = self._stored(database, table_input, "0")

    async def update_table(self, database: str, table_input: Row, version_id: str | None) -> None:
        current = self._table(database, table_input["Name"])
        if version_id is not None and version_id != current["VersionId"]:
            raise ConflictError(
                f"glue:UpdateTable {database}.{table_input['Name']}: "
                "ConcurrentModificationException"
            )
        version = str(int(current["VersionId"]) + 1)
        self.tables[(database, table_input["Name"])] = self._stored(database, table_input, version)

    async def delete_table(self, database: str, name: str) -> bool:
        existed = self.tables.pop((database, name), None) is not None
        for key in [k for k in self.partitions if k[:2] == (database, name)]:
            del self.partitions[key]
        return existed

    async def create_partitions(self, database: str, table: str, inputs: Sequence[Row]) -> None:
        self._table(database, table)
        clashes = [p for p in inputs if (database, table, tuple(p["Values"])) in self.partitions]
        for p in inputs:
            key = (database, table, tuple(p["Values"]))
            self.partitions.setdefault(key, self._partition(database, table, p))
        if clashes:
            raise ConflictError(f"glue:BatchCreatePartition: {len(clashes)} AlreadyExists")

    async def create_absent_partitions(
        self, database: str, table: str, inputs: Sequence[Row]
    ) -> list[list[str]]:
        self._table(database, table)
        existing = []
        for p in inputs:
            key = (database, table, tuple(p["Values"]))
            if key in self.partitions:
                existing.append(list(p["Values"]))
            else:
                self.partitions[key] = self._partition(database, table, p)
        return existing

    async def update_partitions(self, database: str, table: str, inputs: Sequence[Row]) -> None:
        self._table(database, table)
        missing = 0
        for p in inputs:
            key = (database, table, tuple(p["Values"]))
            if key in self.partitions:
                self.partitions[key] = self._partition(database, table, p)
            else:
                missing += 1
        if missing:
            raise ConflictError(f"glue:BatchUpdatePartition: {missing} EntityNotFoundException")

    async def delete_partitions(
        self, database: str, table: str, values: Sequence[list[str]]
    ) -> int:
        self._table(database, table)
        deleted = 0
        for v in values:
            deleted += self.partitions.pop((database, table, tuple(v)), None) is not None
        return deleted

    # -- helpers ----------------------------------------------------------------------------

    def _database(self, name: str) -> Row:
        if name not in self.databases:
            raise NotFoundError(f"glue: database {self.account_id}/{name}: EntityNotFoundException")
        return self.databases[name]

    def _table(self, database: str, name: str) -> Row:
        self._database(database)
        if (database, name) not in self.tables:
            raise NotFoundError(f"glue: table {database}.{name}: EntityNotFoundException")
        return self.tables[(database, name)]

    def _stored(self, database: str, table_input: Row, version: str) -> Row:
        stored = copy.deepcopy(table_input)
        stored.update(DatabaseName=database, CatalogId=self.account_id, VersionId=version)
        return stored

    def _partition(self, database: str, table: str, partition_input: Row) -> Row:
        stored = copy.deepcopy(partition_input)
        stored.update(DatabaseName=database, TableName=table, CatalogId=self.account_id)
        return stored
