"""Pure conversions between a producer's Glue objects and their central copies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# Provenance kept in every central table's Parameters: one vocabulary, in the domain.
from meshcore.domain.ids import is_ascii_digits
from meshcore.domain.provenance import (
    PRODUCER_ACCOUNT,
    PROVENANCE_KEYS,
    SOURCE_CREATED,
    SOURCE_DATABASE,
    SOURCE_TABLE,
    SOURCE_VERSION,
    SYNCED_AT,
)

Row = dict[str, Any]
__all__ = [
    "PRODUCER_ACCOUNT",
    "PROVENANCE_KEYS",
    "SOURCE_CREATED",
    "SOURCE_DATABASE",
    "SOURCE_TABLE",
    "SOURCE_VERSION",
    "SYNCED_AT",
]

# The writable fields of a Glue TableInput / PartitionInput / DatabaseInput (Glue API reference).
TABLE_INPUT_FIELDS = (
    "Name",
    "Description",
    "Owner",
    "Retention",
    "StorageDescriptor",
    "PartitionKeys",
    "ViewOriginalText",
    "ViewExpandedText",
    "TableType",
    "Parameters",
)
PARTITION_INPUT_FIELDS = ("Values", "StorageDescriptor", "Parameters")
DATABASE_INPUT_FIELDS = ("Description", "LocationUri", "Parameters")


def _pick(row: Row, fields: tuple[str, ...]) -> Row:
    return {k: row[k] for k in fields if row.get(k) not in (None, "")}


def table_input(source: Row, account: str, source_database: str, synced_at: datetime) -> Row:
    """The central TableInput for a producer table, with its provenance."""
    desired = _pick(source, TABLE_INPUT_FIELDS)
    desired["Parameters"] = {
        **source.get("Parameters", {}),
        PRODUCER_ACCOUNT: account,
        SOURCE_DATABASE: source_database,
        SOURCE_TABLE: source["Name"],
        SOURCE_VERSION: str(source.get("VersionId", "")),
        SOURCE_CREATED: _instant(source.get("CreateTime")),
        SYNCED_AT: synced_at.isoformat(timespec="seconds"),
    }
    return desired


def comparable_table(row: Row) -> Row:
    """A table's content without what changes on every sync (for drift comparison)."""
    picked = _pick(row, TABLE_INPUT_FIELDS)
    params = {k: v for k, v in picked.get("Parameters", {}).items() if k != SYNCED_AT}
    picked["Parameters"] = params
    return picked


def _instant(value: object) -> str:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else ""


def _version(value: object) -> int:
    text = str(value or "")
    return int(text) if is_ascii_digits(text) else -1


def reflected_version(central_table: Row) -> tuple[str, int] | None:
    """(source creation time, source VersionId) the central copy reflects, if recorded."""
    params = central_table.get("Parameters", {})
    if SOURCE_VERSION not in params:
        return None
    return params.get(SOURCE_CREATED, ""), _version(params[SOURCE_VERSION])


def source_version(table: Row) -> tuple[str, int]:
    """A producer table's (creation time, VersionId): a later incarnation always wins."""
    return _instant(table.get("CreateTime")), _version(table.get("VersionId"))


def column_signature(table: Row) -> dict[str, tuple[str, str]]:
    """Column name -> (type, comment), for partition keys and regular columns alike."""
    columns = [
        *table.get("StorageDescriptor", {}).get("Columns", []),
        *table.get("PartitionKeys", []),
    ]
    return {c["Name"]: (c.get("Type", ""), c.get("Comment", "")) for c in columns}


def changed_columns(before: Row | None, after: Row) -> list[str]:
    """New or changed columns of `after` (all of them when there is no `before`)."""
    old = column_signature(before) if before else {}
    return [name for name, sig in column_signature(after).items() if old.get(name) != sig]


def added_columns(before: Row, after: Row) -> list[str]:
    """Columns (and partition keys) of `after` that `before` does not have."""
    old = column_signature(before)
    return [name for name in column_signature(after) if name not in old]


def partition_input(partition: Row) -> Row:
    return _pick(partition, PARTITION_INPUT_FIELDS)


def partition_key(values: list[str]) -> str:
    """The documented form of `changedPartitions` entries: values joined by commas."""
    return ",".join(values)


def comparable_database(row: Row) -> Row:
    picked = _pick(row, DATABASE_INPUT_FIELDS)
    picked["Name"] = row["Name"]
    return picked


def database_input(source: Row, central_name: str, account: str) -> Row:
    desired = _pick(source, DATABASE_INPUT_FIELDS)
    desired["Name"] = central_name
    desired["Parameters"] = {
        **source.get("Parameters", {}),
        PRODUCER_ACCOUNT: account,
        SOURCE_DATABASE: source["Name"],
    }
    return desired
