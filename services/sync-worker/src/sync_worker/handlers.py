"""sync-worker handlers: one per message kind, each converging what its message names."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Self

import structlog

from meshcore.aws.glue import GlueCatalog
from meshcore.aws.state import StateStore
from meshcore.domain.errors import AccessDeniedError, PermanentError
from meshcore.domain.registry import Producer
from meshcore.domain.repair import RepairStatus
from meshcore.messages.decode import decode_sync_message
from meshcore.messages.eventbridge import GlueDatabaseEvent, GlueTableEvent
from meshcore.runtime.consumer import QueueMessage
from meshcore.runtime.metrics import Metrics
from sync_worker.coalesce import Coalescer
from sync_worker.converge import Convergence, Converger
from sync_worker.repair import Repair

log = structlog.get_logger()

SourceCatalog = Callable[[Producer], Awaitable[GlueCatalog]]


@dataclass(frozen=True)
class TableWork:
    """What to converge for one table: the table itself, all its partitions, or some."""

    table: bool = False
    all_partitions: bool = False
    partitions: frozenset[str] = frozenset()

    def merge(self, other: Self) -> Self:
        return type(self)(
            self.table or other.table,
            self.all_partitions or other.all_partitions,
            self.partitions | other.partitions,
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

    def record(self, key: Hashable, work: TableWork, began: datetime) -> None:
        if work.table or work.all_partitions:
            self._remember(self._table, key, began)
        if work.all_partitions:
            self._remember(self._partitions, key, began)

    @staticmethod
    def _remember(seen: OrderedDict[Hashable, datetime], key: Hashable, began: datetime) -> None:
        seen[key] = max(began, seen.get(key, began))
        seen.move_to_end(key)
        while len(seen) > FRESHNESS_MEMORY:
            seen.popitem(last=False)


@dataclass
class SyncDependencies:
    state: StateStore
    converger: Converger
    source_catalog: SourceCatalog
    repair: Repair
    metrics: Metrics = field(default_factory=Metrics)
    coalescer: Coalescer[TableWork] = field(default_factory=Coalescer)
    freshness: Freshness = field(default_factory=lambda: Freshness())
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


async def producer_of(state: StateStore, account: str) -> Producer:
    producer = await state.get_producer(account)
    if producer is None:
        raise PermanentError(
            f"event from account {account}, which is not an onboarded producer: "
            f"run `meshctl onboard-producer {account} --domain DOMAIN --owner OWNER` first"
        )
    return producer


async def converge_table(
    deps: SyncDependencies,
    producer: Producer,
    database: str,
    table: str,
    work: TableWork,
    event_time: datetime,
) -> Convergence:
    result = Convergence()
    key = (producer.account_id, database, table)
    if deps.freshness.covers(key, work, event_time):
        deps.metrics.count("EventsCoalesced")
        return result

    async def run(merged: TableWork) -> None:
        began = deps.clock()
        source = await deps.source_catalog(producer)
        if merged.table or merged.all_partitions:
            result.merge(
                await deps.converger.table(producer, source, database, table, merged.all_partitions)
            )
        if merged.partitions and not merged.all_partitions:
            result.merge(
                await deps.converger.partitions(
                    producer, source, database, table, sorted(merged.partitions)
                )
            )
        deps.freshness.record(key, merged, began)

    await deps.coalescer.submit(key, work, run)
    return result


async def on_database_event(
    event: GlueDatabaseEvent, producer: Producer, deps: SyncDependencies
) -> Convergence:
    detail = event.detail
    if detail.type_of_change in ("CreateDatabase", "DeleteDatabase"):
        source = await deps.source_catalog(producer)
        return await deps.converger.database(producer, source, detail.database_name)
    result = Convergence()
    for table in dict.fromkeys(detail.changed_tables):
        work = TableWork(table=True, all_partitions=detail.type_of_change == "CreateTable")
        result.merge(
            await converge_table(deps, producer, detail.database_name, table, work, event.time)
        )
    return result


async def on_table_event(
    event: GlueTableEvent, producer: Producer, deps: SyncDependencies
) -> Convergence:
    detail = event.detail
    if detail.type_of_change == "UpdateTable" or not detail.changed_partitions:
        work = TableWork(table=True)
    else:
        work = TableWork(partitions=frozenset(detail.changed_partitions))
    return await converge_table(
        deps, producer, detail.database_name, detail.table_name, work, event.time
    )


async def handle_catalog_message(message: QueueMessage, deps: SyncDependencies) -> None:
    decoded = decode_sync_message(message.body)
    if not isinstance(decoded, GlueDatabaseEvent | GlueTableEvent):
        structlog.contextvars.bind_contextvars(change="Repair", repair_id=decoded.repair_id)
        report = await deps.repair.run(decoded)
        structlog.contextvars.bind_contextvars(
            drift_total=report.drift_total, repair_status=report.status.value
        )
        deps.metrics.gauge("RepairDrift", report.drift_total, "Count")
        deps.metrics.gauge("RepairErrors", len(report.errors), "Count")
        if report.status is RepairStatus.SUCCEEDED:
            deps.metrics.count("RepairSucceeded")
        if report.duration_seconds is not None:
            deps.metrics.value("RepairDuration", report.duration_seconds, "Seconds")
        return
    detail = decoded.detail
    structlog.contextvars.bind_contextvars(
        change=detail.type_of_change, account=decoded.account, database=detail.database_name
    )
    producer = await producer_of(deps.state, decoded.account)
    try:
        if isinstance(decoded, GlueDatabaseEvent):
            result = await on_database_event(decoded, producer, deps)
        else:
            structlog.contextvars.bind_contextvars(table=decoded.detail.table_name)
            result = await on_table_event(decoded, producer, deps)
    except AccessDeniedError as exc:
        raise AccessDeniedError(
            f"{exc} (acting as {producer.read_role_arn}, which needs {', '.join(READ_PERMISSIONS)}; "
            f"re-run `meshctl onboard-producer {producer.account_id}`)"
        ) from exc
    lag = (deps.clock() - decoded.time).total_seconds()
    structlog.contextvars.bind_contextvars(lag_s=round(lag, 3), **dict(result.changes))
    deps.metrics.count("EventsProcessed", ChangeType=detail.type_of_change)
    deps.metrics.value("SyncLag", lag, "Seconds")
    for change, count in result.changes.items():
        deps.metrics.count("CatalogChanges", count, Change=change)


# What the producer's read role must allow (the onboarding template grants exactly these).
READ_PERMISSIONS = (
    "glue:GetDatabase(s)",
    "glue:GetTable(s)",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
)
