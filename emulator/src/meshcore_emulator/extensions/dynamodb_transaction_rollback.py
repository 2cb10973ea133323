"""A DynamoDB transaction costs the same at any table size.

AWS: a transaction's actions "are completed atomically so that either all of them succeed, or
all of them fail" (Amazon DynamoDB Developer Guide, "Amazon DynamoDB Transactions: How it
works": https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html).
moto makes it so by deep-copying each whole table a transaction names before applying it (once
per action on that table) and putting the copies back when an action fails: O(table) per
transaction, so filling a table with transactions is quadratic (10,000 items written three to a
transaction take hours).

Here the copy is only of what a transaction can change: the items its actions name, taken
before moto applies it, under the lock `dynamodb_isolation` holds around every DynamoDB call
(so nothing else writes in between); when moto raises, those items are put back as they were
(or deleted, where there was none). What moto answers is unchanged. moto's own table copies
are skipped (its `copy.deepcopy` of a `Table` returns the table; every other copy is made).

Belongs upstream in moto (``moto/dynamodb/models/__init__.py``, ``transact_write_items``).
"""

from __future__ import annotations

import copy
import types
from typing import Any

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from ._patching import wrap_method
from .dynamodb_isolation import _lock


def _deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


_COPY = types.SimpleNamespace(deepcopy=_deepcopy, copy=copy.copy)

Saved = tuple[str, dict[str, Any], dict[str, Any] | None]  # table, key, item as it was


def _key(table: Table, op_type: str, op: dict[str, Any]) -> dict[str, Any] | None:
    if op_type != "Put":
        key = op.get("Key")
        return key if isinstance(key, dict) else None
    item = op.get("Item")
    if not isinstance(item, dict) or table.hash_key_attr not in item:
        return None
    key = {table.hash_key_attr: item[table.hash_key_attr]}
    if table.range_key_attr is not None:
        if table.range_key_attr not in item:
            return None
        key[table.range_key_attr] = item[table.range_key_attr]
    return key


def _saved(backend: DynamoDBBackend, transact_items: Any) -> list[Saved]:
    saved: list[Saved] = []
    for entry in transact_items if isinstance(transact_items, list) else []:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        op_type, op = next(iter(entry.items()))
        if not isinstance(op, dict):
            continue
        table = backend.tables.get(str(op.get("TableName")))
        key = None if table is None else _key(table, op_type, op)
        if table is None or key is None:
            continue
        try:
            current = backend.get_item(table.name, key)
        except Exception:  # noqa: S112 (a malformed key: moto refuses the transaction itself)
            continue
        before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
        saved.append((table.name, key, before))
    return saved


def _restore(backend: DynamoDBBackend, saved: list[Saved]) -> None:
    for table, key, before in reversed(saved):
        if before is not None:
            backend.put_item(table, before)
        elif backend.get_item(table, key) is not None:
            backend.delete_item(table, key)


def _transact(original: Any, backend: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
    transact_items = args[0] if args else kwargs.get("transact_items")
    with _lock:
        saved = _saved(backend, transact_items)
        try:
            return original(backend, *args, **kwargs)
        except Exception:
            _restore(backend, saved)
            raise


def install() -> None:
    setattr(dynamodb_models, "copy", _COPY)  # noqa: B010 (a module global moto reads)
    wrap_method(DynamoDBBackend, "transact_write_items", _transact)
