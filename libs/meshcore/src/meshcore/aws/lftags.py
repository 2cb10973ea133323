"""Lake Formation LF-tags on the columns of central tables.

Lake Formation keeps one value per tag key per resource; keys and values are lower-case.
meshcore writes one key, ``sensitivity``, whose values are the sensitivity classes, ``none`` and
``unclassified`` (created by ``meshctl bootstrap``). Only values assigned to the column itself
are read and changed, never values a column inherits from its table or database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from meshcore.aws.errors import aws_errors, raise_batch_failures
from meshcore.aws.glue import chunks
from meshcore.domain.classification import NOT_SENSITIVE, SENSITIVITY_TAG_KEY, is_sensitive_class

# Columns named in one Add/RemoveLFTagsToResource (a wide table's scan tags thousands): keeps
# each request small; Lake Formation documents no limit of its own.
COLUMNS_PER_CALL = 500

if TYPE_CHECKING:
    from types_aiobotocore_lakeformation.client import LakeFormationClient
    from types_aiobotocore_lakeformation.type_defs import LFTagPairTypeDef, ResourceTypeDef


def _column(catalog_id: str, database: str, table: str, *columns: str) -> ResourceTypeDef:
    return {
        "TableWithColumns": {
            "CatalogId": catalog_id,
            "DatabaseName": database,
            "Name": table,
            "ColumnNames": list(columns),
        }
    }


def _raise_failures(what: str, failures: Sequence[Any]) -> None:
    """AddLFTagsToResource / RemoveLFTagsFromResource report failures in the response."""
    raise_batch_failures(
        what,
        [
            (f.get("Error", {}).get("ErrorCode", ""), f.get("Error", {}).get("ErrorMessage", ""))
            for f in failures
        ],
    )


class ColumnTags:
    """The ``sensitivity`` LF-tag of columns in one Data Catalog (the central one)."""

    def __init__(
        self, client: LakeFormationClient, catalog_id: str, key: str = SENSITIVITY_TAG_KEY
    ) -> None:
        self._lf = client
        self.catalog_id = catalog_id
        self.key = key

    async def value(self, database: str, table: str, column: str) -> str | None:
        """The value assigned to the column itself, or None."""
        resource = _column(self.catalog_id, database, table, column)
        with aws_errors(f"lakeformation:GetResourceLFTags {database}.{table}.{column}"):
            response = await self._lf.get_resource_lf_tags(
                Resource=resource, ShowAssignedLFTags=True
            )
        for entry in response.get("LFTagsOnColumns", []):
            if entry.get("Name", "").lower() != column.lower():
                continue
            for tag in entry.get("LFTags", []):
                if tag.get("TagKey") == self.key and tag.get("TagValues"):
                    return str(tag["TagValues"][0])
        return None

    async def assign(self, database: str, table: str, column: str, value: str) -> str | None:
        """Make ``value`` the column's value; returns the value it replaced (None if none).

        A different current value is removed first, so this holds whether or not Lake Formation
        overwrites a key's value in place.
        """
        current = await self.value(database, table, column)
        if current == value:
            return current
        if current is not None:
            await self._change("remove", database, table, column, current)
        await self._change("add", database, table, column, value)
        return current

    async def unassign(self, database: str, table: str, column: str, value: str) -> bool:
        """Remove the column's value if it is ``value``; True when something was removed."""
        if await self.value(database, table, column) != value:
            return False
        await self._change("remove", database, table, column, value)
        return True

    async def assigned(self, database: str, table: str) -> dict[str, str]:
        """Column -> the value assigned to the column itself, for every column of a table that
        has one (one call)."""
        resource: ResourceTypeDef = {
            "Table": {"CatalogId": self.catalog_id, "DatabaseName": database, "Name": table}
        }
        with aws_errors(f"lakeformation:GetResourceLFTags {database}.{table}"):
            response = await self._lf.get_resource_lf_tags(
                Resource=resource, ShowAssignedLFTags=True
            )
        found: dict[str, str] = {}
        for entry in response.get("LFTagsOnColumns", []):
            for tag in entry.get("LFTags", []):
                if tag.get("TagKey") == self.key and tag.get("TagValues"):
                    found[str(entry.get("Name", ""))] = str(tag["TagValues"][0])
        return found

    async def settle(self, database: str, table: str, wanted: dict[str, str]) -> dict[str, str]:
        """Give each column of ``wanted`` its value, one call per value changed rather than per
        column; returns the columns whose value changed, with their new value. A column tagged
        with a sensitive class keeps it: only a reviewer's decision changes that (a scan that
        read the recommendations before the decision landed must not undo it)."""
        current = await self.assigned(database, table)
        changes = {
            c: v
            for c, v in wanted.items()
            if current.get(c) != v and not is_sensitive_class(current.get(c) or NOT_SENSITIVE)
        }
        for value, columns in _grouped({c: current[c] for c in changes if c in current}):
            for batch in chunks(columns, COLUMNS_PER_CALL):
                await self._change("remove", database, table, list(batch), value)
        for value, columns in _grouped(changes):
            for batch in chunks(columns, COLUMNS_PER_CALL):
                await self._change("add", database, table, list(batch), value)
        return changes

    async def _change(
        self, how: str, database: str, table: str, column: str | list[str], value: str
    ) -> None:
        columns = [column] if isinstance(column, str) else column
        resource = _column(self.catalog_id, database, table, *columns)
        tags: list[LFTagPairTypeDef] = [
            {"CatalogId": self.catalog_id, "TagKey": self.key, "TagValues": [value]}
        ]
        name = "AddLFTagsToResource" if how == "add" else "RemoveLFTagsFromResource"
        what = f"lakeformation:{name} {self.key}={value} on {database}.{table}.{','.join(columns)}"
        with aws_errors(what):
            if how == "add":
                response = await self._lf.add_lf_tags_to_resource(Resource=resource, LFTags=tags)
            else:
                response = await self._lf.remove_lf_tags_from_resource(
                    Resource=resource, LFTags=tags
                )
        _raise_failures(what, response.get("Failures", []))


def _grouped(values: dict[str, str]) -> list[tuple[str, list[str]]]:
    by_value: dict[str, list[str]] = {}
    for column, value in sorted(values.items()):
        by_value.setdefault(value, []).append(column)
    return sorted(by_value.items())


class ResourceTags:
    """LF-tags on central databases and tables: `domain` on a producer's databases, and
    `sensitivity=unclassified` on new tables (their columns, and columns added later, inherit it
    until the classifier tags each column `none` or a reviewed class), which is what lets a tag
    expression grant a whole domain's columns classified not sensitive, today's tables and
    tomorrow's, and nothing before it is classified."""

    def __init__(self, client: LakeFormationClient, catalog_id: str) -> None:
        self._lf = client
        self.catalog_id = catalog_id

    async def tag(self, resource: dict[str, Any], key: str, value: str, what: str) -> None:
        tags: list[LFTagPairTypeDef] = [
            {"CatalogId": self.catalog_id, "TagKey": key, "TagValues": [value]}
        ]
        with aws_errors(f"lakeformation:AddLFTagsToResource {key}={value} on {what}"):
            response = await self._lf.add_lf_tags_to_resource(
                Resource=cast("ResourceTypeDef", resource), LFTags=tags
            )
        _raise_failures(f"tag {what}", response.get("Failures", []))

    async def tag_database(self, database: str, key: str, value: str) -> None:
        resource = {"Database": {"CatalogId": self.catalog_id, "Name": database}}
        await self.tag(resource, key, value, database)

    async def tag_table(self, database: str, table: str, key: str, value: str) -> None:
        resource = {
            "Table": {"CatalogId": self.catalog_id, "DatabaseName": database, "Name": table}
        }
        await self.tag(resource, key, value, f"{database}.{table}")

    async def tag_columns(
        self, database: str, table: str, columns: list[str], key: str, value: str
    ) -> None:
        """One value on columns of a table (assigned to the columns themselves)."""
        if columns:
            resource = {
                "TableWithColumns": {
                    "CatalogId": self.catalog_id,
                    "DatabaseName": database,
                    "Name": table,
                    "ColumnNames": list(columns),
                }
            }
            await self.tag(resource, key, value, f"{database}.{table}.{','.join(columns)}")
