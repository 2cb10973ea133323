"""sync-worker handlers: one per message kind, each converging what its message names."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.state import StateStore
from meshcore.domain.errors import PermanentError
from meshcore.domain.registry import Producer
from meshcore.messages.commands import RepairCommand
from meshcore.messages.decode import decode_sync_message
from meshcore.messages.eventbridge import GlueDatabaseEvent, GlueTableEvent
from meshcore.runtime.consumer import QueueMessage

from sync_worker.converge import Convergence, Converger

log = structlog.get_logger()

SourceCatalog = Callable[[Producer], Awaitable[GlueCatalog]]


@dataclass
class SyncDependencies:
    state: StateStore
    converger: Converger
    source_catalog: SourceCatalog


async def producer_of(state: StateStore, account: str) -> Producer:
    producer = await state.get_producer(account)
    if producer is None:
        raise PermanentError(
            f"event from account {account}, which is not an onboarded producer: "
            f"run `meshctl onboard-producer {account} --domain DOMAIN --owner OWNER` first"
        )
    return producer


async def on_database_event(event: GlueDatabaseEvent, deps: SyncDependencies) -> Convergence:
    producer = await producer_of(deps.state, event.account)
    source = await deps.source_catalog(producer)
    detail = event.detail
    if detail.type_of_change in ("CreateDatabase", "DeleteDatabase"):
        return await deps.converger.database(producer, source, detail.database_name)
    result = Convergence()
    for table in dict.fromkeys(detail.changed_tables):
        result.merge(
            await deps.converger.table(
                producer, source, detail.database_name, table, with_partitions=True
            )
        )
    return result


async def on_table_event(event: GlueTableEvent, deps: SyncDependencies) -> Convergence:
    producer = await producer_of(deps.state, event.account)
    source = await deps.source_catalog(producer)
    detail = event.detail
    if detail.type_of_change == "UpdateTable" or not detail.changed_partitions:
        return await deps.converger.table(
            producer, source, detail.database_name, detail.table_name, with_partitions=False
        )
    return await deps.converger.partitions(
        producer, source, detail.database_name, detail.table_name, detail.changed_partitions
    )


async def on_repair(command: RepairCommand, deps: SyncDependencies) -> Convergence:
    """Diff every onboarded producer (or one) against the central catalog and heal drift."""
    producers = await deps.state.list_producers()
    if command.producer_account:
        producers = [p for p in producers if p.account_id == command.producer_account]
        if not producers:
            raise PermanentError(f"repair: {command.producer_account} is not an onboarded producer")
    result = Convergence()
    for producer in producers:
        source = await deps.source_catalog(producer)
        for database in await source.list_databases():
            result.merge(await deps.converger.database(producer, source, database["Name"]))
            for table in await source.list_tables(database["Name"]):
                result.merge(
                    await deps.converger.table(
                        producer, source, database["Name"], table["Name"], True
                    )
                )
        log.info("repair.producer_done", producer=producer.account_id, domain=producer.domain)
    return result


async def handle_catalog_message(message: QueueMessage, deps: SyncDependencies) -> None:
    decoded = decode_sync_message(message.body)
    if isinstance(decoded, GlueDatabaseEvent):
        structlog.contextvars.bind_contextvars(
            change=decoded.detail.type_of_change,
            account=decoded.account,
            database=decoded.detail.database_name,
        )
        result = await on_database_event(decoded, deps)
    elif isinstance(decoded, GlueTableEvent):
        structlog.contextvars.bind_contextvars(
            change=decoded.detail.type_of_change,
            account=decoded.account,
            database=decoded.detail.database_name,
            table=decoded.detail.table_name,
        )
        result = await on_table_event(decoded, deps)
    else:
        structlog.contextvars.bind_contextvars(change="Repair", repair_id=decoded.repair_id)
        result = await on_repair(decoded, deps)
    structlog.contextvars.bind_contextvars(
        created=len(result.created), updated=len(result.updated), deleted=len(result.deleted)
    )
    if result.created or result.updated or result.deleted:
        log.info(
            "catalog.converged",
            created=result.created,
            updated=result.updated,
            deleted=result.deleted,
        )
