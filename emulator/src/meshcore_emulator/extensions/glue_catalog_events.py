"""Glue Data Catalog changes emit their EventBridge events.

AWS Glue puts "Glue Data Catalog Database State Change" events for CreateDatabase,
DeleteDatabase, CreateTable, DeleteTable and BatchDeleteTable, and "Glue Data
Catalog Table State Change" events for UpdateTable, CreatePartition,
BatchCreatePartition, DeletePartition and BatchDeletePartition, on the default
event bus of the account and region where the call succeeded. Each event names
at most 100 tables or partitions; a partition is named by its values joined
with commas. moto emits none of them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from moto.events.models import events_backends
from moto.glue.models import GlueBackend
from moto.utilities.utils import get_partition

from ._patching import wrap_method

log = logging.getLogger(__name__)

SOURCE = "aws.glue"
DATABASE_STATE_CHANGE = "Glue Data Catalog Database State Change"
TABLE_STATE_CHANGE = "Glue Data Catalog Table State Change"
NAMES_PER_EVENT = 100
_ENTRIES_PER_PUT = 10  # PutEvents accepts at most 10 entries

T = TypeVar("T")

# Batch operations call the single-item backend methods; only the batch event is due.
_inside_batch: ContextVar[bool] = ContextVar("inside_glue_batch", default=False)


def install() -> None:
    for name, wrapper in _WRAPPERS.items():
        wrap_method(GlueBackend, name, wrapper)


Emit = Callable[..., None]
"""Emits `change` for a call's positional arguments: emit(glue, change, *args)."""


def _emitting(change: str, emit: Emit) -> Callable[..., Any]:
    """The wrapper of a single-item call: once it succeeds, `emit` its change."""

    def wrapper(original: Any, glue: GlueBackend, *args: Any, **kw: Any) -> Any:
        result = original(glue, *args, **kw)
        emit(glue, change, *args)
        return result

    return wrapper


def _database(glue: GlueBackend, change: str, database: str, *_: Any) -> None:
    _emit_database_change(glue, change, database, [])


def _table_of_database(glue: GlueBackend, change: str, database: str, table: str, *_: Any) -> None:
    _emit_database_change(glue, change, database, [table])


def _table(glue: GlueBackend, change: str, database: str, table: str, *_: Any) -> None:
    _emit_table_change(glue, change, database, table, [])


def _partition(
    glue: GlueBackend, change: str, database: str, table: str, part: Any, *_: Any
) -> None:
    """`part`: a PartitionInput (creating) or the partition's values (deleting)."""
    values = part["Values"] if isinstance(part, dict) else part
    _emit_table_change(glue, change, database, table, [values])


def _batch_delete_table(
    original: Any, glue: GlueBackend, database: str, tables: list[str], *args: Any, **kw: Any
) -> Any:
    with _batch():
        errors = original(glue, database, tables, *args, **kw)
    failed = {error["TableName"] for error in errors}
    _emit_database_change(
        glue, "BatchDeleteTable", database, [t for t in tables if t not in failed]
    )
    return errors


def _batch_partitions(change: str) -> Callable[..., Any]:
    """The wrapper of a batch call on partitions: one event for those that did not fail.
    Created partitions are PartitionInputs, deleted ones PartitionValueLists: both hold
    their values under "Values"."""

    def wrapper(
        original: Any, glue: GlueBackend, database: str, table: str, parts: Any, *a: Any
    ) -> Any:
        errors = original(glue, database, table, parts, *a)
        failed = [error["PartitionValues"] for error in errors]
        done = [p.get("Values") for p in parts if p.get("Values") not in failed]
        _emit_table_change(glue, change, database, table, done)
        return errors

    return wrapper


_WRAPPERS: dict[str, Callable[..., Any]] = {
    "create_database": _emitting("CreateDatabase", _database),
    "delete_database": _emitting("DeleteDatabase", _database),
    "create_table": _emitting("CreateTable", _table_of_database),
    "delete_table": _emitting("DeleteTable", _table_of_database),
    "batch_delete_table": _batch_delete_table,
    "update_table": _emitting("UpdateTable", _table),
    "create_partition": _emitting("CreatePartition", _partition),
    "batch_create_partition": _batch_partitions("BatchCreatePartition"),
    "delete_partition": _emitting("DeletePartition", _partition),
    "batch_delete_partition": _batch_partitions("BatchDeletePartition"),
}


class _batch:
    """Context in which single-item wrappers stay silent."""

    def __enter__(self) -> None:
        self._token = _inside_batch.set(True)

    def __exit__(self, *exc: object) -> None:
        _inside_batch.reset(self._token)


def _emit_database_change(glue: GlueBackend, change: str, database: str, tables: list[str]) -> None:
    if _inside_batch.get():
        return
    if not tables:
        resources = [_arn(glue, f"database/{database}")]
        _put(glue, DATABASE_STATE_CHANGE, [(resources, _db_detail(database, change, []))])
        return
    _put(
        glue,
        DATABASE_STATE_CHANGE,
        [
            (
                [_arn(glue, f"table/{database}/{table}") for table in chunk],
                _db_detail(database, change, chunk),
            )
            for chunk in _chunks(tables, NAMES_PER_EVENT)
        ],
    )


def _emit_table_change(
    glue: GlueBackend, change: str, database: str, table: str, partitions: list[Sequence[str]]
) -> None:
    if _inside_batch.get():
        return
    names = [",".join(values) for values in partitions]
    resources = [_arn(glue, f"table/{database}/{table}")]
    if change != "UpdateTable" and not names:
        return  # nothing was created or deleted
    chunks = list(_chunks(names, NAMES_PER_EVENT)) or [[]]
    details = [
        {
            "databaseName": database,
            "tableName": table,
            "typeOfChange": change,
            "changedPartitions": chunk,
        }
        for chunk in chunks
    ]
    _put(glue, TABLE_STATE_CHANGE, [(resources, detail) for detail in details])


def _db_detail(database: str, change: str, tables: list[str]) -> dict[str, Any]:
    return {"databaseName": database, "typeOfChange": change, "changedTables": tables}


def _put(
    glue: GlueBackend, detail_type: str, events: list[tuple[list[str], dict[str, Any]]]
) -> None:
    bus = events_backends[glue.account_id][glue.region_name]
    entries = [
        {
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(detail),
            "Resources": resources,
        }
        for resources, detail in events
    ]
    for chunk in _chunks(entries, _ENTRIES_PER_PUT):
        try:
            bus.put_events(chunk)
        except Exception:  # AWS emits these events best effort; never fail the Glue call
            log.warning("could not deliver %s events", detail_type, exc_info=True)


def _arn(glue: GlueBackend, resource: str) -> str:
    partition = get_partition(glue.region_name)
    return f"arn:{partition}:glue:{glue.region_name}:{glue.account_id}:{resource}"


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
