"""DynamoDB calls are isolated from each other, as in AWS.

AWS: "TransactWriteItems is a synchronous write operation that groups up to 100 action
requests... The actions are completed atomically so that either all of them succeed, or all of
them fail", and transactions are serializable with other writes (Amazon DynamoDB Developer
Guide, "Isolation levels for DynamoDB transactions":
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-isolation).
moto applies a transaction in place and, when a condition fails, rolls back by restoring a copy
of each whole table taken when the transaction began, which erases whatever other requests
(served on other threads) wrote in between. One lock around every DynamoDB backend call makes
each call, and so each transaction and its rollback, happen alone.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

from ._patching import wrap_method

_lock = threading.RLock()
CALLS = (
    "put_item",
    "get_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_get_item",
    "transact_get_items",
    "transact_write_items",
)


def _isolated(original: Any, backend: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
    with _lock:
        return original(backend, *args, **kwargs)


def install() -> None:
    for name in CALLS:
        if hasattr(DynamoDBBackend, name):
            wrap_method(DynamoDBBackend, name, _isolated)
