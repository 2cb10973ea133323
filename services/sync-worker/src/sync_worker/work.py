"""What sync-worker remembers between messages: pending table work, freshness, the registry."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Self

from meshcore.domain.registry import Producer
from meshcore.domain.state_store import StateStore


@dataclass(frozen=True)
class TableWork:
    """What to converge for one table: the table itself, all its partitions, or some.

    `new`: an event said the table was created (so it is created before it is read centrally).
    `received`: when this process received the latest of the messages asking for it
    (time.monotonic; infinite when unknown).
    """

    table: bool = False
    all_partitions: bool = False
    partitions: frozenset[str] = frozenset()
    new: bool = False
    received: float = math.inf

    def merge(self, other: Self) -> Self:
        return type(self)(
            self.table or other.table,
            self.all_partitions or other.all_partitions,
            self.partitions | other.partitions,
            self.new or other.new,
            max(self.received, other.received),
        )


# EventBridge event times have one-second resolution; one more second absorbs clock skew.
EVENT_TIME_SLACK = timedelta(seconds=2)
FRESHNESS_MEMORY = 100_000


@dataclass
class Freshness:
    """When each table was last converged, so that events older than that are already done.

    A convergence that began after an event happened read state at least as new as that event,
    so the event needs nothing more: this is what turns a backlog of events into one read.
    """

    _table: OrderedDict[Hashable, datetime] = field(default_factory=OrderedDict)
    _partitions: OrderedDict[Hashable, datetime] = field(default_factory=OrderedDict)
    # When (time.monotonic) the last finished convergence of each table began reading the
    # producer's table, and listing all its partitions.
    _table_read: OrderedDict[Hashable, float] = field(default_factory=OrderedDict)
    _listed: OrderedDict[Hashable, float] = field(default_factory=OrderedDict)

    def covers(self, key: Hashable, work: TableWork, event_time: datetime) -> bool:
        needed = []
        if work.table:
            needed.append(self._table)
        if work.all_partitions or work.partitions:
            needed.append(self._partitions)
        return all(
            (began := seen.get(key)) is not None and event_time + EVENT_TIME_SLACK <= began
            for seen in needed
        )

    def read_after(self, key: Hashable, work: TableWork) -> bool:
        """True when a finished convergence began reading what `work` needs after its messages
        were received (so after what they tell happened): a clock with no skew and no
        one-second resolution, for messages that arrive while a convergence runs."""
        needed = []
        if work.table:
            needed.append(self._table_read)
        if work.all_partitions or work.partitions:
            needed.append(self._listed)
        return bool(needed) and all(
            (read := seen.get(key)) is not None and work.received <= read for seen in needed
        )

    def record_reads(
        self, key: Hashable, table_read: float | None, partitions_listed: float | None
    ) -> None:
        if table_read is not None:
            self._remember(self._table_read, key, table_read)
        if partitions_listed is not None:
            self._remember(self._listed, key, partitions_listed)

    def record(self, key: Hashable, work: TableWork, began: datetime) -> None:
        if work.table or work.all_partitions:
            self._remember(self._table, key, began)
        if work.all_partitions:
            self._remember(self._partitions, key, began)

    @staticmethod
    def _remember(seen: OrderedDict[Hashable, Any], key: Hashable, began: Any) -> None:
        seen[key] = max(began, seen.get(key, began))
        seen.move_to_end(key)
        while len(seen) > FRESHNESS_MEMORY:
            seen.popitem(last=False)


# How long a registry entry is trusted before it is read again (onboarding changes are rare;
# an unknown account is never cached, so a new producer is seen at once).
REGISTRY_TTL_SECONDS = 30.0


@dataclass
class ProducerCache:
    state: StateStore
    _entries: dict[str, tuple[Producer, float]] = field(default_factory=dict)

    async def get(self, account: str) -> Producer | None:
        cached = self._entries.get(account)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        producer = await self.state.get_producer(account)
        if producer is not None:
            self._entries[account] = (producer, time.monotonic() + REGISTRY_TTL_SECONDS)
        return producer
