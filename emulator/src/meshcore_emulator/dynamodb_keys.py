"""Which DynamoDB items a call reaches, as IAM sees them: per item action, the table and the
partition key values of the items, the `dynamodb:LeadingKeys` condition key, so that a
least-privilege check can evaluate policies that restrict a role to some kinds of item
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).

- GetItem, PutItem, UpdateItem, DeleteItem: the item's partition key (from `Key`, or `Item`).
- BatchGetItem, BatchWriteItem: every key, per table; one request, so LeadingKeys holds them all.
- TransactWriteItems, TransactGetItems: each item under its own action
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
- Query: the partition key's equality condition in `KeyConditionExpression`.
- Scan and anything else: no LeadingKeys value at all.

Which attribute is the partition key is the table's (asked of `partition_key`); a table that
does not exist reaches no item.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .calls import AwsCall


@dataclass(frozen=True)
class ItemAccess:
    """One IAM action on one table, and the partition key values of the items it reaches."""

    action: str
    table: str
    leading_keys: frozenset[str]
    # The call an action ran inside (IAM's `dynamodb:EnclosingOperation`): "TransactWriteItems"
    # or "TransactGetItems" for a transaction's items, "" for a call of its own.
    enclosing: str = ""


PartitionKey = Callable[[str], "str | None"]
"""The partition key attribute of a table, None for a table that does not exist."""


_SCALAR = ("S", "N", "B")
_TRANSACT = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
_EQUALITY = re.compile(r"(#?[\w.]+)\s*=\s*(:[\w]+)")


def _value(attributes: Any, name: str | None) -> set[str]:
    """The partition key value among `attributes` (DynamoDB JSON), if there."""
    if (
        name is None
        or not isinstance(attributes, dict)
        or not isinstance(attributes.get(name), dict)
    ):
        return set()
    typed = attributes[name]
    return {typed[k] for k in _SCALAR if isinstance(typed.get(k), str)}


def _one(action: str, request: Any, partition_key: PartitionKey) -> ItemAccess | None:
    if not isinstance(request, dict) or not isinstance(request.get("TableName"), str):
        return None
    table = request["TableName"]
    attributes = request.get("Key") if "Key" in request else request.get("Item")
    return ItemAccess(action, table, frozenset(_value(attributes, partition_key(table))))


def _query(params: dict[str, Any], partition_key: PartitionKey) -> ItemAccess | None:
    table = params.get("TableName")
    expression = params.get("KeyConditionExpression")
    if not isinstance(table, str) or not isinstance(expression, str):
        return None
    wanted = partition_key(table)
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    found: set[str] = set()
    for name, placeholder in _EQUALITY.findall(expression):
        if names.get(name, name) == wanted:
            found |= _value({wanted: values.get(placeholder)}, wanted)
    return ItemAccess("dynamodb:Query", table, frozenset(found))


def item_accesses(call: AwsCall, partition_key: PartitionKey) -> tuple[ItemAccess, ...]:
    """The items `call` reaches, per IAM action (empty for a call that names none)."""
    if call.service != "dynamodb":
        return ()
    params = call.params
    operation = call.operation
    found: list[ItemAccess | None] = []
    if operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem"):
        found.append(_one(f"dynamodb:{operation}", params, partition_key))
    elif operation == "Query":
        found.append(_query(params, partition_key))
    elif operation in ("BatchGetItem", "BatchWriteItem"):
        for table, request in (params.get("RequestItems") or {}).items():
            name = partition_key(str(table))
            values: set[str] = set()
            if operation == "BatchGetItem" and isinstance(request, dict):
                for key in request.get("Keys") or []:
                    values |= _value(key, name)
            elif isinstance(request, list):
                for entry in request:
                    entry = entry if isinstance(entry, dict) else {}
                    values |= _value((entry.get("PutRequest") or {}).get("Item"), name)
                    values |= _value((entry.get("DeleteRequest") or {}).get("Key"), name)
            found.append(ItemAccess(f"dynamodb:{operation}", str(table), frozenset(values)))
    elif operation in ("TransactWriteItems", "TransactGetItems"):
        for item in params.get("TransactItems") or []:
            for kind, request in (item if isinstance(item, dict) else {}).items():
                if kind in _TRANSACT:
                    access = _one(f"dynamodb:{_TRANSACT[kind]}", request, partition_key)
                    if access is not None:
                        access = dataclasses.replace(access, enclosing=operation)
                    found.append(access)
    return tuple(a for a in found if a is not None)
