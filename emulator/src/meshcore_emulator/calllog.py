"""The AWS calls the emulator answered: counts for benchmarks (calls per event), and per calling
principal the calls, the IAM actions they needed and the DynamoDB items they reached (for the
`dynamodb:LeadingKeys` condition), for least-privilege tests."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .calls import AwsCall
from .dynamodb_keys import ItemAccess, item_accesses
from .iam_actions import iam_actions
from .principals import Principal, resolve


@dataclass(frozen=True)
class PrincipalCalls:
    principal: Principal
    calls: dict[str, int]  # "service:Operation" -> count
    actions: frozenset[str]  # the IAM actions those calls were authorised against
    # DynamoDB: (action, table, partition key values) of the items those calls reached
    items: frozenset[ItemAccess] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        return {
            "principal": self.principal.to_dict(),
            "calls": self.calls,
            "actions": sorted(self.actions),
        }


@dataclass
class _Tally:
    principal: Principal
    calls: Counter[str] = field(default_factory=Counter)
    actions: set[str] = field(default_factory=set)
    items: set[ItemAccess] = field(default_factory=set)


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        # By access key id; a key always belongs to the principal it was issued for.
        self._by_key: dict[str, _Tally] = {}

    def record(self, call: AwsCall) -> None:
        name = f"{call.service}:{call.operation}"
        with self._lock:
            self._counts[name] += 1
            tally = self._by_key.get(call.access_key_id)
        if tally is None:
            # Resolved outside the lock: it reads moto's state, which has locks of its own.
            tally = _Tally(resolve(call.access_key_id))
        items = item_accesses(call, _partition_keys(tally.principal.account, call.region))
        with self._lock:
            tally = self._by_key.setdefault(call.access_key_id, tally)
            tally.calls[name] += 1
            tally.actions.update(iam_actions(call))
            tally.items.update(items)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def by_principal(self) -> list[PrincipalCalls]:
        with self._lock:
            return [
                PrincipalCalls(t.principal, dict(t.calls), frozenset(t.actions), frozenset(t.items))
                for t in self._by_key.values()
            ]

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._by_key.clear()


def _partition_keys(account: str, region: str) -> Callable[[str], str | None]:
    """The partition key attribute of a DynamoDB table of `account` in `region`, as moto has it."""

    def partition_key(table: str) -> str | None:
        from moto.dynamodb.models import dynamodb_backends

        try:
            found = dynamodb_backends[account][region].tables.get(table)
        except (KeyError, ValueError):  # no such account or region
            return None
        return found.hash_key_attr if found is not None else None

    return partition_key
