"""sync-worker handlers: one per message kind, each converging what its message names."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import structlog

from meshcore.aws.ports import Catalog
from meshcore.domain.errors import AccessDeniedError, ConflictError, PermanentError
from meshcore.domain.registry import Producer
from meshcore.domain.repair import RepairReport, RepairStatus
from meshcore.domain.state_store import StateStore
from meshcore.messages.commands import RepairCommand, RepairShard
from meshcore.messages.eventbridge import GlueDatabaseEvent, GlueTableEvent
from meshcore.runtime.dispatch import Delivery, HandlerMap
from meshcore.runtime.metrics import Metrics
from sync_worker.coalesce import Coalescer
from sync_worker.converge import Convergence, Converger
from sync_worker.repair import Repair
from sync_worker.work import Freshness, ProducerCache, TableWork

log = structlog.get_logger()

SourceCatalog = Callable[[Producer], Awaitable[Catalog]]
# Convergences of one table tried in a row when another worker keeps writing it first; after
# that the message goes back to the queue (with backoff) like any other retryable failure.
CONFLICT_ATTEMPTS = 3


@dataclass
class SyncDependencies:
    state: StateStore
    converger: Converger
    source_catalog: SourceCatalog
    repair: Repair
    metrics: Metrics = field(default_factory=Metrics)
    producers: ProducerCache = field(init=False)
    coalescer: Coalescer[TableWork] = field(default_factory=Coalescer)
    freshness: Freshness = field(default_factory=lambda: Freshness())
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def __post_init__(self) -> None:
        self.producers = ProducerCache(self.state)


async def producer_of(producers: ProducerCache, account: str) -> Producer:
    producer = await producers.get(account)
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
    if deps.freshness.covers(key, work, event_time) or deps.freshness.read_after(key, work):
        deps.metrics.count("EventsCoalesced")
        return result

    async def once(merged: TableWork, first: bool) -> Convergence:
        done = Convergence()
        source = await deps.source_catalog(producer)
        if merged.table or merged.all_partitions:
            done.merge(
                await deps.converger.table(
                    producer,
                    source,
                    database,
                    table,
                    merged.all_partitions,
                    expect_new=merged.new and first,
                    trust_copy=True,
                )
            )
        if merged.partitions and not merged.all_partitions:
            done.merge(
                await deps.converger.partitions(
                    producer, source, database, table, sorted(merged.partitions)
                )
            )
        return done

    async def run(merged: TableWork) -> None:
        if deps.freshness.read_after(key, merged):
            # Work that arrived while a convergence ran, which then read after it arrived.
            deps.metrics.count("EventsCoalesced")
            return
        began = deps.clock()
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                done = await once(merged, attempt == 0)
                result.merge(done)
                deps.freshness.record_reads(key, done.table_read, done.partitions_listed)
                break
            except ConflictError:
                # Another worker wrote first: converging again re-reads both sides (so nothing
                # older is written), here and now rather than after a trip through the queue.
                if attempt + 1 == CONFLICT_ATTEMPTS:
                    raise
                deps.metrics.count("ConflictsRetried")
        deps.freshness.record(key, merged, began)

    await deps.coalescer.submit(key, work, run)
    return result


async def on_database_event(
    event: GlueDatabaseEvent, producer: Producer, deps: SyncDependencies, received: float
) -> Convergence:
    detail = event.detail
    if detail.type_of_change in ("CreateDatabase", "DeleteDatabase"):
        source = await deps.source_catalog(producer)
        return await deps.converger.database(
            producer,
            source,
            detail.database_name,
            expect_new=detail.type_of_change == "CreateDatabase",
        )
    result = Convergence()
    created = detail.type_of_change == "CreateTable"
    for table in dict.fromkeys(detail.changed_tables):
        work = TableWork(table=True, all_partitions=created, new=created, received=received)
        result.merge(
            await converge_table(deps, producer, detail.database_name, table, work, event.time)
        )
    return result


async def on_table_event(
    event: GlueTableEvent, producer: Producer, deps: SyncDependencies, received: float
) -> Convergence:
    detail = event.detail
    if detail.type_of_change == "UpdateTable" or not detail.changed_partitions:
        work = TableWork(table=True, received=received)
    else:
        work = TableWork(partitions=frozenset(detail.changed_partitions), received=received)
    return await converge_table(
        deps, producer, detail.database_name, detail.table_name, work, event.time
    )


async def on_repair(command: RepairCommand, _delivery: Delivery, deps: SyncDependencies) -> None:
    """Plan a repair: one shard per producer, on this queue, for any worker to take."""
    structlog.contextvars.bind_contextvars(change="Repair", repair_id=command.repair_id)
    finished(await deps.repair.plan(command), deps)


async def on_repair_shard(shard: RepairShard, _delivery: Delivery, deps: SyncDependencies) -> None:
    structlog.contextvars.bind_contextvars(
        change="RepairShard", repair_id=shard.repair_id, shard=shard.shard_id
    )
    finished(await deps.repair.shard(shard), deps)


def finished(report: RepairReport | None, deps: SyncDependencies) -> None:
    """The metrics of a repair, told once: by the worker whose shard completed it."""
    if report is None:
        return
    structlog.contextvars.bind_contextvars(
        drift_total=report.drift_total, repair_status=report.status.value
    )
    # Samples, not gauges: two repairs within one publishing interval must both count.
    deps.metrics.value("RepairDrift", report.drift_total, "Count")
    deps.metrics.value("RepairErrors", len(report.errors), "Count")
    if report.status is RepairStatus.SUCCEEDED:
        deps.metrics.count("RepairSucceeded")
    if report.duration_seconds is not None:
        deps.metrics.value("RepairDuration", report.duration_seconds, "Seconds")


async def on_catalog_event(
    decoded: GlueDatabaseEvent | GlueTableEvent, delivery: Delivery, deps: SyncDependencies
) -> None:
    detail = decoded.detail
    structlog.contextvars.bind_contextvars(
        change=detail.type_of_change, account=decoded.account, database=detail.database_name
    )
    producer = await producer_of(deps.producers, decoded.account)
    try:
        # When the message was received: 0 (unknown) counts as never.
        received = delivery.received_at or math.inf
        if isinstance(decoded, GlueDatabaseEvent):
            result = await on_database_event(decoded, producer, deps, received)
        else:
            structlog.contextvars.bind_contextvars(table=decoded.detail.table_name)
            result = await on_table_event(decoded, producer, deps, received)
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


def handler_map(deps: SyncDependencies) -> HandlerMap:
    """What the catalog-change queue carries, and who handles it."""
    return {
        RepairCommand: partial(on_repair, deps=deps),
        RepairShard: partial(on_repair_shard, deps=deps),
        GlueDatabaseEvent: partial(on_catalog_event, deps=deps),
        GlueTableEvent: partial(on_catalog_event, deps=deps),
    }


# What the producer's read role must allow (the onboarding template grants exactly these).
READ_PERMISSIONS = (
    "glue:GetDatabase(s)",
    "glue:GetTable(s)",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
)
