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
from collections.abc import Iterator, Sequence
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
    wrap_method(GlueBackend, "create_database", _create_database)
    wrap_method(GlueBackend, "delete_database", _delete_database)
    wrap_method(GlueBackend, "create_table", _create_table)
    wrap_method(GlueBackend, "delete_table", _delete_table)
    wrap_method(GlueBackend, "batch_delete_table", _batch_delete_table)
    wrap_method(GlueBackend, "update_table", _update_table)
    wrap_method(GlueBackend, "create_partition", _create_partition)
    wrap_method(GlueBackend, "batch_create_partition", _batch_create_partition)
    wrap_method(GlueBackend, "delete_partition", _delete_partition)
    wrap_method(GlueBackend, "batch_delete_partition", _batch_delete_partition)


def _create_database(original: Any, glue: GlueBackend, name: str, *args: Any, **kw: Any) -> Any:
    result = original(glue, name, *args, **kw)
    _emit_database_change(glue, "CreateDatabase", name, [])
    return result


def _delete_database(original: Any, glue: GlueBackend, name: str, *args: Any, **kw: Any) -> Any:
    result = original(glue, name, *args, **kw)
    _emit_database_change(glue, "DeleteDatabase", name, [])
    return result


def _create_table(
    original: Any, glue: GlueBackend, database: str, table: str, *args: Any, **kw: Any
) -> Any:
    result = original(glue, database, table, *args, **kw)
    _emit_database_change(glue, "CreateTable", database, [table])
    return result


def _delete_table(
    original: Any, glue: GlueBackend, database: str, table: str, *args: Any, **kw: Any
) -> Any:
    result = original(glue, database, table, *args, **kw)
    _emit_database_change(glue, "DeleteTable", database, [table])
    return result


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


def _update_table(
    original: Any, glue: GlueBackend, database: str, table: str, *args: Any, **kw: Any
) -> Any:
    result = original(glue, database, table, *args, **kw)
    _emit_table_change(glue, "UpdateTable", database, table, [])
    return result


def _create_partition(
    original: Any, glue: GlueBackend, database: str, table: str, part_input: Any, *a: Any
) -> Any:
    result = original(glue, database, table, part_input, *a)
    _emit_table_change(glue, "CreatePartition", database, table, [part_input["Values"]])
    return result


def _batch_create_partition(
    original: Any, glue: GlueBackend, database: str, table: str, inputs: Any, *a: Any
) -> Any:
    errors = original(glue, database, table, inputs, *a)
    failed = [error["PartitionValues"] for error in errors]
    created = [i["Values"] for i in inputs if i["Values"] not in failed]
    _emit_table_change(glue, "BatchCreatePartition", database, table, created)
    return errors


def _delete_partition(
    original: Any, glue: GlueBackend, database: str, table: str, values: Any, *a: Any
) -> Any:
    result = original(glue, database, table, values, *a)
    _emit_table_change(glue, "DeletePartition", database, table, [values])
    return result


def _batch_delete_partition(
    original: Any, glue: GlueBackend, database: str, table: str, parts: Any, *a: Any
) -> Any:
    errors = original(glue, database, table, parts, *a)
    failed = [error["PartitionValues"] for error in errors]
    deleted = [p.get("Values") for p in parts if p.get("Values") not in failed]
    _emit_table_change(glue, "BatchDeletePartition", database, table, deleted)
    return errors


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
