"""LF-tags in memory (ports: `meshcore.aws.ports.ColumnTagging` and `ResourceTagging`):
one value per key per resource, as Lake Formation keeps them."""

from __future__ import annotations

from meshcore.domain.classification import NOT_SENSITIVE, SENSITIVITY_TAG_KEY, is_sensitive_class


class FakeColumnTags:
    def __init__(self, catalog_id: str = "123456789012", key: str = SENSITIVITY_TAG_KEY) -> None:
        self.catalog_id = catalog_id
        self.key = key
        self.values: dict[tuple[str, str, str], str] = {}

    async def value(self, database: str, table: str, column: str) -> str | None:
        return self.values.get((database, table, column.lower()))

    async def assign(self, database: str, table: str, column: str, value: str) -> str | None:
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
        changes: dict[str, str] = {}
        for column, value in wanted.items():
            current = await self.value(database, table, column)
            if current != value and not is_sensitive_class(current or NOT_SENSITIVE):
                self.values[(database, table, column.lower())] = value
                changes[column] = value
        return changes


class FakeResourceTags:
    def __init__(self, catalog_id: str = "123456789012") -> None:
        self.catalog_id = catalog_id
        self.databases: dict[str, dict[str, str]] = {}
        self.tables: dict[tuple[str, str], dict[str, str]] = {}
        self.columns: dict[tuple[str, str, str], dict[str, str]] = {}

    async def tag_database(self, database: str, key: str, value: str) -> None:
        self.databases.setdefault(database, {})[key] = value

    async def tag_table(self, database: str, table: str, key: str, value: str) -> None:
        self.tables.setdefault((database, table), {})[key] = value

    async def tag_columns(
        self, database: str, table: str, columns: list[str], key: str, value: str
    ) -> None:
        for column in columns:
            self.columns.setdefault((database, table, column.lower()), {})[key] = value
