"""LF-tags in memory (ports: `meshcore.aws.ports.ColumnTagging` and `ResourceTagging`):
one value per key per resource, as Lake Formation keeps them."""

from __future__ import annotations

from meshcore.domain.classification import NOT_SENSITIVE, SENSITIVITY_TAG_KEY, is_sensitive_class
from meshcore.domain.errors import NotFoundError

Tables = set[tuple[str, str]]


def _require(tables: Tables | None, database: str, table: str | None = None) -> None:
    """Lake Formation tags only what the Data Catalog holds (None: every table is there)."""
    if tables is None:
        return
    if (database, table) not in tables if table else all(d != database for d, _ in tables):
        raise NotFoundError(f"{database}.{table or ''}: EntityNotFoundException")


class FakeColumnTags:
    def __init__(
        self,
        catalog_id: str = "123456789012",
        key: str = SENSITIVITY_TAG_KEY,
        tables: Tables | None = None,
    ) -> None:
        self.catalog_id = catalog_id
        self.key = key
        self.tables = tables
        self.values: dict[tuple[str, str, str], str] = {}

    async def value(self, database: str, table: str, column: str) -> str | None:
        return self.values.get((database, table, column.lower()))

    async def assign(self, database: str, table: str, column: str, value: str) -> str | None:
        _require(self.tables, database, table)
        current = await self.value(database, table, column)
        self.values[(database, table, column.lower())] = value
        return current

    async def unassign(self, database: str, table: str, column: str, value: str) -> bool:
        if await self.value(database, table, column) != value:
            return False
        del self.values[(database, table, column.lower())]
        return True

    async def assigned(self, database: str, table: str) -> dict[str, str]:
        return {c: v for (d, t, c), v in self.values.items() if (d, t) == (database, table)}

    async def settle(self, database: str, table: str, wanted: dict[str, str]) -> dict[str, str]:
        _require(self.tables, database, table)
        changes: dict[str, str] = {}
        for column, value in wanted.items():
            current = await self.value(database, table, column)
            if current != value and not is_sensitive_class(current or NOT_SENSITIVE):
                self.values[(database, table, column.lower())] = value
                changes[column] = value
        return changes


class FakeResourceTags:
    def __init__(self, catalog_id: str = "123456789012", tables: Tables | None = None) -> None:
        self.catalog_id = catalog_id
        self.known = tables
        self.databases: dict[str, dict[str, str]] = {}
        self.tables: dict[tuple[str, str], dict[str, str]] = {}
        self.columns: dict[tuple[str, str, str], dict[str, str]] = {}

    async def tag_database(self, database: str, key: str, value: str) -> None:
        _require(self.known, database)
        self.databases.setdefault(database, {})[key] = value

    async def tag_table(self, database: str, table: str, key: str, value: str) -> None:
        _require(self.known, database, table)
        self.tables.setdefault((database, table), {})[key] = value

    async def tag_columns(
        self, database: str, table: str, columns: list[str], key: str, value: str
    ) -> None:
        if columns:
            _require(self.known, database, table)
        for column in columns:
            self.columns.setdefault((database, table, column.lower()), {})[key] = value
