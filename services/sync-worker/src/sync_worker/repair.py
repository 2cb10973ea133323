"""Repair: diff every onboarded producer catalog against the central one and heal the drift.

Catches what events never tell (UpdateDatabase, partition updates, lost events). It runs as
one message while the event stream keeps flowing: its own concurrency is bounded, and it
writes a report, with progress, that `meshctl repair --wait` follows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import structlog

from meshcore.aws.ports import Catalog
from meshcore.domain.errors import MeshError, RetryableError
from meshcore.domain.naming import SEPARATOR, central_database_name
from meshcore.domain.registry import Producer
from meshcore.domain.repair import RepairReport, RepairStatus
from meshcore.domain.state_store import StateStore
from meshcore.messages.commands import RepairCommand
from sync_worker import mapping
from sync_worker.converge import Convergence, Converger

log = structlog.get_logger()

TABLE_ATTEMPTS = 3

SourceCatalog = Callable[[Producer], Awaitable[Catalog]]


class Repair:
    def __init__(
        self,
        state: StateStore,
        converger: Converger,
        source_catalog: SourceCatalog,
        concurrency: int,
    ) -> None:
        self._state = state
        self._converger = converger
        self._source_catalog = source_catalog
        self._slots = asyncio.Semaphore(concurrency)

    async def run(self, command: RepairCommand) -> RepairReport:
        report = await self._state.get_repair(command.repair_id)
        if report is not None and report.status is not RepairStatus.RUNNING:
            return report  # already done: a redelivered command changes nothing
        report = RepairReport(
            repair_id=command.repair_id, producer_account=command.producer_account
        )
        producers = await self._state.list_producers()
        if command.producer_account:
            producers = [p for p in producers if p.account_id == command.producer_account]
            if not producers:
                report.errors.append(f"{command.producer_account} is not an onboarded producer")
        report.producers_total = len(producers)
        await self._state.save_repair(report)
        for producer in producers:
            try:
                await self._producer(producer, report)
            except MeshError as exc:
                report.note_error(f"producer {producer.account_id} ({producer.domain}): {exc}")
                log.warning("repair.producer_failed", producer=producer.account_id, error=str(exc))
            report.producers_done += 1
            await self._state.save_repair(report)
        report.finished_at = datetime.now(UTC)
        report.status = RepairStatus.FAILED if report.errors else RepairStatus.SUCCEEDED
        await self._state.save_repair(report)
        log.info(
            "repair.finished",
            repair_id=report.repair_id,
            status=report.status.value,
            drift=report.drift,
            drift_total=report.drift_total,
            tables_checked=report.tables_checked,
            duration_s=report.duration_seconds,
            errors=len(report.errors),
        )
        return report

    async def _producer(self, producer: Producer, report: RepairReport) -> None:
        source = await self._source_catalog(producer)
        central = self._converger.central
        source_dbs = {d["Name"] for d in await source.list_databases()}
        prefix = producer.domain + SEPARATOR
        central_dbs = {
            d["Name"]
            for d in await central.list_databases()
            if d["Name"].startswith(prefix)
            and d.get("Parameters", {}).get(mapping.PRODUCER_ACCOUNT) == producer.account_id
        }
        for database in sorted(source_dbs):
            # A fresh client per database: assumed credentials are renewed on long repairs.
            source = await self._source_catalog(producer)
            await self._database(producer, source, database, report)
            await self._state.save_repair(report)
            log.info(
                "repair.database_done",
                producer=producer.account_id,
                database=database,
                tables_checked=report.tables_checked,
                drift_total=report.drift_total,
            )
        wanted = {central_database_name(producer.domain, d) for d in source_dbs}
        for extra in sorted(central_dbs - wanted):
            # Only after the producer confirms the database is gone.
            _domain, source_name = extra.split(SEPARATOR, 1)
            if await source.get_database(source_name) is None:
                report.add_drift((await self._converger.drop_database(extra)).changes)

    async def _database(
        self, producer: Producer, source: Catalog, database: str, report: RepairReport
    ) -> None:
        report.add_drift((await self._converger.database(producer, source, database)).changes)
        report.databases_checked += 1
        target_db = central_database_name(producer.domain, database)
        # The listings carry whole tables: a table found in step needs no further reads
        # (its partitions still do), so a repair without drift costs little more than paging.
        source_tables = {t["Name"]: t for t in await source.list_tables(database)}
        central_tables = {
            t["Name"]: t for t in await self._converger.central.list_tables(target_db)
        }

        async def converge(table: str) -> Convergence:
            listed, copy = source_tables.get(table), central_tables.get(table)
            if (
                listed is None
                or copy is None
                or not self._converger.in_step(producer, database, listed, copy)
            ):
                return await self._converger.table(producer, source, database, table, True)
            if not listed.get("PartitionKeys"):
                return Convergence()
            return await self._converger.all_partitions(source, database, target_db, table)

        async def one(table: str) -> None:
            async with self._slots:
                for attempt in range(TABLE_ATTEMPTS):
                    try:
                        result = await converge(table)
                        break
                    except RetryableError as exc:
                        # A race with the event stream or a transient fault: try again.
                        log.info("repair.table_retry", table=f"{database}.{table}", error=str(exc))
                        if attempt + 1 == TABLE_ATTEMPTS:
                            report.note_error(f"{producer.account_id} {database}.{table}: {exc}")
                            return
                    except MeshError as exc:
                        report.note_error(f"{producer.account_id} {database}.{table}: {exc}")
                        return
            report.add_drift(result.changes)
            report.tables_checked += 1

        # Extra central tables are converged too: `table` deletes them once the source confirms.
        await asyncio.gather(
            *(one(t) for t in sorted(source_tables.keys() | central_tables.keys()))
        )
