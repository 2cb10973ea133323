"""Glue Data Catalog reads and writes, paged and batched within the documented limits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from meshcore.aws.errors import CONFLICT_CODES, aws_errors, raise_batch_failures
from meshcore.domain.errors import NotFoundError, RetryableError

if TYPE_CHECKING:
    from types_aiobotocore_glue.client import GlueClient
    from types_aiobotocore_glue.type_defs import (
        DatabaseInputTypeDef,
        GetDatabasesRequestTypeDef,
        GetPartitionsRequestTypeDef,
        GetTablesRequestTypeDef,
        PartitionInputTypeDef,
        TableInputTypeDef,
        UpdateTableRequestTypeDef,
    )

# AWS Glue API reference, per operation.
GET_TABLES_PAGE = 100
# GetTables' Expression (a FilterString) is at most 2,048 characters.
EXPRESSION_MAX = 2048
GET_DATABASES_PAGE = 100
GET_PARTITIONS_PAGE = 1000
BATCH_GET_PARTITION_MAX = 1000
BATCH_CREATE_PARTITION_MAX = 100
BATCH_UPDATE_PARTITION_MAX = 100
BATCH_DELETE_PARTITION_MAX = 25

Row = dict[str, Any]
# One page of a listing: its rows and the token of the next page (None after the last).
# Per-entry batch errors that mean another writer got there first: read again and converge.
RACE_CODES = CONFLICT_CODES | {"EntityNotFoundException"}


def _rows(items: Sequence[Any]) -> list[Row]:
    """Glue's response structures (the stub's TypedDicts) as the plain rows meshcore maps."""
    return [dict(item) for item in items]


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _raise_batch_errors(what: str, errors: Sequence[Any]) -> None:
    """Glue's per-entry batch errors, classified once for every batch call."""
    raise_batch_failures(
        what,
        [
            (
                e.get("ErrorDetail", {}).get("ErrorCode", ""),
                e.get("ErrorDetail", {}).get("ErrorMessage", ""),
            )
            for e in errors
        ],
        races=RACE_CODES,
    )


class GlueCatalog:
    """One account's Data Catalog.

    Rows are Glue's structures as plain dicts (what is read is written back after mapping);
    they are handed to the typed client as the stub's request shapes.
    """

    def __init__(self, client: GlueClient, account_id: str) -> None:
        self._glue = client
        self.account_id = account_id

    async def _pages(
        self,
        what: str,
        read: Callable[..., Awaitable[Any]],
        request: Mapping[str, object],
        listed: str,
    ) -> list[Row]:
        """Every row a Glue read lists under `listed`, page after page (NextToken)."""
        rows: list[Row] = []
        token: str | None = None
        while True:
            with aws_errors(f"glue:{what} in {self.account_id}"):
                response = await read(**request, **({"NextToken": token} if token else {}))
                rows.extend(_rows(response.get(listed, [])))
                token = response.get("NextToken")
            if not token:
                return rows

    # -- reads ------------------------------------------------------------------------------

    async def get_database(self, name: str) -> Row | None:
        try:
            with aws_errors(f"glue:GetDatabase {self.account_id}/{name}"):
                return cast(Row, dict((await self._glue.get_database(Name=name))["Database"]))
        except NotFoundError:
            return None

    async def list_databases(self) -> list[Row]:
        request: GetDatabasesRequestTypeDef = {"MaxResults": GET_DATABASES_PAGE}
        return await self._pages("GetDatabases", self._glue.get_databases, request, "DatabaseList")

    async def get_table(self, database: str, name: str) -> Row | None:
        try:
            with aws_errors(f"glue:GetTable {self.account_id}/{database}.{name}"):
                response = await self._glue.get_table(DatabaseName=database, Name=name)
                return cast(Row, dict(response["Table"]))
        except NotFoundError:
            return None

    async def list_tables(self, database: str) -> list[Row]:
        request: GetTablesRequestTypeDef = {"DatabaseName": database, "MaxResults": GET_TABLES_PAGE}
        return await self._pages(
            f"GetTables {database}", self._glue.get_tables, request, "TableList"
        )

    async def tables_named(self, database: str, names: Sequence[str]) -> list[Row]:
        """GetTables filtered by an Expression naming the tables as alternatives (`a|b|c`),
        as few Expressions as fit in EXPRESSION_MAX characters.

        Glue documents the Expression as "a regular expression pattern" whose matches are
        returned, leaving open whether a match is of the whole name or of a prefix: only the
        tables named are kept, so either reading answers the same (a prefix reading returns
        more rows to drop). A name with a character a pattern could read specially (Glue
        allows `-`, for one) is not put in a pattern: it is read on its own with GetTable.
        """
        wanted = sorted(set(names))
        plain = [n for n in wanted if n and all(c.isalnum() or c == "_" for c in n)]
        found: dict[str, Row] = {}
        for name in sorted(set(wanted) - set(plain)):
            if (row := await self.get_table(database, name)) is not None:
                found[name] = row
            elif await self.get_database(database) is None:
                raise NotFoundError(f"glue: database {database} not found in {self.account_id}")
        expressions: list[str] = []
        for name in plain:
            if expressions and len(expressions[-1]) + 1 + len(name) <= EXPRESSION_MAX:
                expressions[-1] += "|" + name
            else:
                expressions.append(name)
        for expression in expressions:
            request: GetTablesRequestTypeDef = {
                "DatabaseName": database,
                "Expression": expression,
                "MaxResults": GET_TABLES_PAGE,
            }
            for row in await self._pages(
                f"GetTables {database} (by name)", self._glue.get_tables, request, "TableList"
            ):
                found[row["Name"]] = row
        return [found[n] for n in wanted if n in found]

    async def list_partitions(self, database: str, table: str) -> list[Row]:
        request: GetPartitionsRequestTypeDef = {
            "DatabaseName": database,
            "TableName": table,
            "MaxResults": GET_PARTITIONS_PAGE,
        }
        return await self._pages(
            f"GetPartitions {database}.{table}", self._glue.get_partitions, request, "Partitions"
        )

    async def get_partitions(
        self, database: str, table: str, values: Sequence[list[str]]
    ) -> list[Row]:
        found: list[Row] = []
        for batch in chunks(values, BATCH_GET_PARTITION_MAX):
            with aws_errors(f"glue:BatchGetPartition {self.account_id}/{database}.{table}"):
                response = await self._glue.batch_get_partition(
                    DatabaseName=database,
                    TableName=table,
                    PartitionsToGet=[{"Values": list(v)} for v in batch],
                )
            found.extend(_rows(response.get("Partitions", [])))
            if response.get("UnprocessedKeys"):
                raise RetryableError(
                    f"glue:BatchGetPartition left {len(response['UnprocessedKeys'])} keys unprocessed"
                )
        return found

    # -- writes -----------------------------------------------------------------------------

    async def create_database(self, database_input: Row) -> None:
        with aws_errors(f"glue:CreateDatabase {database_input['Name']}"):
            await self._glue.create_database(
                DatabaseInput=cast("DatabaseInputTypeDef", database_input)
            )

    async def update_database(self, name: str, database_input: Row) -> None:
        with aws_errors(f"glue:UpdateDatabase {name}"):
            await self._glue.update_database(
                Name=name, DatabaseInput=cast("DatabaseInputTypeDef", database_input)
            )

    async def delete_database(self, name: str) -> bool:
        """Idempotent: a database already gone is what was wanted. Glue deletes its tables
        (and their partitions) with it. True when there was one to delete."""
        try:
            with aws_errors(f"glue:DeleteDatabase {name}"):
                await self._glue.delete_database(Name=name)
        except NotFoundError:
            return False
        return True

    async def create_table(self, database: str, table_input: Row) -> None:
        with aws_errors(f"glue:CreateTable {database}.{table_input['Name']}"):
            await self._glue.create_table(
                DatabaseName=database, TableInput=cast("TableInputTypeDef", table_input)
            )

    async def update_table(self, database: str, table_input: Row, version_id: str | None) -> None:
        """Raises ConflictError when the table moved past `version_id` (Glue's optimistic lock)."""
        params: UpdateTableRequestTypeDef = {
            "DatabaseName": database,
            "TableInput": cast("TableInputTypeDef", table_input),
        }
        if version_id is not None:
            params["VersionId"] = version_id
        with aws_errors(f"glue:UpdateTable {database}.{table_input['Name']}"):
            await self._glue.update_table(**params)

    async def delete_table(self, database: str, name: str) -> bool:
        """Idempotent: a table already gone is what was wanted. True when there was one."""
        try:
            with aws_errors(f"glue:DeleteTable {database}.{name}"):
                await self._glue.delete_table(DatabaseName=database, Name=name)
        except NotFoundError:
            return False
        return True

    async def _create_batch(self, database: str, table: str, batch: Sequence[Row]) -> Any:
        with aws_errors(f"glue:BatchCreatePartition {database}.{table}"):
            return await self._glue.batch_create_partition(
                DatabaseName=database,
                TableName=table,
                PartitionInputList=cast("list[PartitionInputTypeDef]", list(batch)),
            )

    async def create_partitions(self, database: str, table: str, inputs: Sequence[Row]) -> None:
        for batch in chunks(inputs, BATCH_CREATE_PARTITION_MAX):
            response = await self._create_batch(database, table, batch)
            _raise_batch_errors(
                f"glue:BatchCreatePartition {database}.{table}", response.get("Errors", [])
            )

    async def create_absent_partitions(
        self, database: str, table: str, inputs: Sequence[Row]
    ) -> list[list[str]]:
        """Creates the partitions that do not exist yet; returns the values of those that
        already did (left as they are). A missing table raises NotFoundError."""
        existing: list[list[str]] = []
        for batch in chunks(inputs, BATCH_CREATE_PARTITION_MAX):
            response = await self._create_batch(database, table, batch)
            errors = []
            for e in response.get("Errors", []):
                if e.get("ErrorDetail", {}).get("ErrorCode") == "AlreadyExistsException":
                    existing.append(list(e.get("PartitionValues", [])))
                else:
                    errors.append(e)
            _raise_batch_errors(f"glue:BatchCreatePartition {database}.{table}", errors)
        return existing

    async def update_partitions(self, database: str, table: str, inputs: Sequence[Row]) -> None:
        for batch in chunks(inputs, BATCH_UPDATE_PARTITION_MAX):
            entries: list[Any] = [
                {"PartitionValueList": p["Values"], "PartitionInput": p} for p in batch
            ]
            with aws_errors(f"glue:BatchUpdatePartition {database}.{table}"):
                response = await self._glue.batch_update_partition(
                    DatabaseName=database, TableName=table, Entries=entries
                )
            _raise_batch_errors(
                f"glue:BatchUpdatePartition {database}.{table}", response.get("Errors", [])
            )

    async def delete_partitions(
        self, database: str, table: str, values: Sequence[list[str]]
    ) -> int:
        """Idempotent: partitions already gone are what was wanted. Returns how many there were."""
        deleted = 0
        for batch in chunks(values, BATCH_DELETE_PARTITION_MAX):
            with aws_errors(f"glue:BatchDeletePartition {database}.{table}"):
                response = await self._glue.batch_delete_partition(
                    DatabaseName=database,
                    TableName=table,
                    PartitionsToDelete=[{"Values": list(v)} for v in batch],
                )
            failed = response.get("Errors", [])
            errors = [
                e
                for e in failed
                if e.get("ErrorDetail", {}).get("ErrorCode") != "EntityNotFoundException"
            ]
            _raise_batch_errors(f"glue:BatchDeletePartition {database}.{table}", errors)
            deleted += len(batch) - len(failed)
        return deleted
