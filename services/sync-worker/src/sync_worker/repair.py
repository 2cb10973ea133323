"""Repair: diff every onboarded producer catalog against the central one and heal the drift.

Catches what events never tell (UpdateDatabase, partition updates, lost events). A repair is
sharded: the command is planned into one shard message per producer, a producer shard sends
one per database, and a database with more tables than a page sends one per page of table
names. The shards travel on the catalog-change queue with the events, so every sync-worker
takes part and the event stream keeps flowing.

Progress survives a crash. Each shard records its result once under the repair's run key
(`StateStore.record_repair_shard`); a redelivered shard whose result is recorded does nothing
again, one whose result is not converges its part again (idempotent) and records it. Each
result names the shards it sent, so the run knows how many to expect as they fan out; the
report is assembled from the results (`domain.repair.assemble`): `meshctl repair --wait` does
so as it polls, and whichever shard completes the set writes the finished report (the only
write of the report after the plan's, so no stale progress can overwrite it).

What listing already returned is used, not read again: a table whose listed copies are in step
(the source version recorded in the central copy equals the producer's CreateTime and
VersionId, and the definitions compare equal) costs no further read, and a table to create or
update is converged from the listed rows (`Listed`). Partitions are listed, on both sides, for
every partitioned table: Glue changes neither a table's UpdateTime nor its VersionId when its
partitions change, so nothing listing returns tells that they did not.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence

import structlog

from meshcore.aws.ports import Catalog, Row, Sender
from meshcore.domain.errors import ConflictError, MeshError, NotFoundError, RetryableError
from meshcore.domain.naming import SEPARATOR, central_database_name
from meshcore.domain.registry import Producer
from meshcore.domain.repair import (
    PLAN_SHARD,
    REPORT_CLAIM,
    RepairReport,
    RepairShardResult,
    RepairStatus,
    ShardLevel,
    assemble,
)
from meshcore.domain.state_store import StateStore
from meshcore.messages.commands import REPAIR_PAGE_MAX, RepairCommand, RepairShard
from sync_worker import mapping
from sync_worker.converge import Convergence, Converger

log = structlog.get_logger()

TABLE_ATTEMPTS = 3
# At most this many of a result's errors are recorded (the report keeps MAX_ERRORS_KEPT).
SHARD_ERRORS_KEPT = 100

SourceCatalog = Callable[[Producer], Awaitable[Catalog]]


def producer_shard_id(account: str) -> str:
    return f"p/{account}"


def database_shard_id(account: str, database: str) -> str:
    return f"d/{account}/{database}"


def tables_shard_id(account: str, database: str, page: int) -> str:
    return f"t/{account}/{database}/{page:05d}"


class Repair:
    def __init__(
        self,
        state: StateStore,
        converger: Converger,
        source_catalog: SourceCatalog,
        concurrency: int,
        shards: Sender,
        page_size: int = REPAIR_PAGE_MAX,
    ) -> None:
        self._state = state
        self._converger = converger
        self._source_catalog = source_catalog
        self._slots = asyncio.Semaphore(concurrency)
        self._shards = shards
        self._page_size = min(page_size, REPAIR_PAGE_MAX)

    # -- the run ----------------------------------------------------------------------------

    async def plan(self, command: RepairCommand) -> RepairReport | None:
        """Start a repair: one shard per producer. Answers the report if this finished it."""
        repair_id = command.repair_id
        header = await self._state.get_repair(repair_id)
        if header is not None and header.status is not RepairStatus.RUNNING:
            return None  # already done: a redelivered command changes nothing
        if await self._state.repair_shard(repair_id, PLAN_SHARD) is not None:
            return await self.settle(repair_id)  # planned before a crash: see whether it is done
        result = RepairShardResult(shard_id=PLAN_SHARD, level=ShardLevel.PLAN)
        producers = await self._state.list_producers()
        if command.producer_account:
            producers = [p for p in producers if p.account_id == command.producer_account]
            if not producers:
                result.errors.append(f"{command.producer_account} is not an onboarded producer")
        if header is None:
            header = RepairReport(repair_id=repair_id, producer_account=command.producer_account)
        header.producers_total = len(producers)
        await self._state.save_repair(header)
        if not command.producer_account:
            await self._orphans(producers, result)
        for producer in producers:
            shard = RepairShard(
                repair_id=repair_id,
                shard_id=producer_shard_id(producer.account_id),
                level="producer",
                producer_account=producer.account_id,
            )
            await self._shards.send(shard)
            result.children.append(shard.shard_id)
        await self._state.record_repair_shard(repair_id, result)
        log.info("repair.planned", repair_id=repair_id, producers=len(producers))
        return await self.settle(repair_id)

    async def shard(self, shard: RepairShard) -> RepairReport | None:
        """Converge one shard's part and record it. Answers the report if this finished it."""
        if await self._state.repair_shard(shard.repair_id, shard.shard_id) is None:
            result = RepairShardResult(shard_id=shard.shard_id, level=ShardLevel(shard.level))
            producer = await self._state.get_producer(shard.producer_account)
            if producer is None:
                result.errors.append(f"{shard.producer_account} is no longer onboarded")
            else:
                try:
                    if shard.level == "producer":
                        await self._producer(shard, producer, result)
                    elif shard.level == "database":
                        await self._database(shard, producer, result)
                    else:
                        await self._page(shard, producer, result)
                except MeshError as exc:
                    # The shard's part could not be compared (a producer that no longer lets
                    # us read, a fault that outlived the retries): say so in the report.
                    where = shard.database or producer.domain
                    note(result, f"{producer.account_id} {where}: {exc}")
                    log.warning("repair.shard_failed", shard=shard.shard_id, error=str(exc))
            if not await self._state.record_repair_shard(shard.repair_id, result):
                log.info("repair.shard_duplicate", shard=shard.shard_id)  # another took it
            log.info(
                "repair.shard_done",
                repair_id=shard.repair_id,
                shard=shard.shard_id,
                sent=len(result.children),
                tables_checked=result.tables_checked,
                drift=sum(result.drift.values()),
            )
        return await self.settle(shard.repair_id)

    async def settle(self, repair_id: str) -> RepairReport | None:
        """Assemble the report from the recorded results; answers it when this finished it."""
        header = await self._state.get_repair(repair_id)
        if header is None or header.status is not RepairStatus.RUNNING:
            return None
        report = assemble(header, await self._state.repair_shards(repair_id))
        if report.status is RepairStatus.RUNNING:
            # Progress is not written: a stale progress write landing after another shard's
            # final one would undo it. `meshctl repair --wait` assembles progress as it reads.
            return None
        # Two shards may complete the set at once: one claim says who tells it (log, metrics).
        # Either writes the report (the same), so a crash between the two writes loses nothing.
        claim = RepairShardResult(shard_id=REPORT_CLAIM, level=ShardLevel.REPORT)
        teller = await self._state.record_repair_shard(repair_id, claim)
        try:
            await self._state.save_repair(report)
        except ConflictError:
            again = await self._state.get_repair(repair_id)
            if again is None or again.status is RepairStatus.RUNNING:
                raise
        if not teller:
            return None
        log.info(
            "repair.finished",
            repair_id=report.repair_id,
            status=report.status.value,
            drift=report.drift,
            drift_total=report.drift_total,
            tables_checked=report.tables_checked,
            shards=report.shards_total,
            duration_s=report.duration_seconds,
            errors=len(report.errors),
        )
        return report

    async def _orphans(self, producers: list[Producer], result: RepairShardResult) -> None:
        """Remove central databases meshcore wrote for a domain no producer has now (a producer
        renamed or offboarded): their tables would show twice, under an old name. Databases
        meshcore did not write (no producer account recorded) are left alone."""
        domains = {p.account_id: p.domain for p in producers}
        for database in await self._converger.central.list_databases():
            name = database["Name"]
            account = database.get("Parameters", {}).get(mapping.PRODUCER_ACCOUNT)
            if not account or SEPARATOR not in name:
                continue
            if name.split(SEPARATOR, 1)[0] == domains.get(account):
                continue
            log.info("repair.orphan_database", database=name, producer=account)
            changes = (await self._converger.drop_database(name)).changes
            add_drift(result, changes + Counter({"database.orphaned": 1}))

    # -- the shards -------------------------------------------------------------------------

    async def _send(self, result: RepairShardResult, shard: RepairShard) -> None:
        await self._shards.send(shard)
        result.children.append(shard.shard_id)

    async def _producer(
        self, shard: RepairShard, producer: Producer, result: RepairShardResult
    ) -> None:
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
        wanted = {central_database_name(producer.domain, d) for d in source_dbs}
        for extra in sorted(central_dbs - wanted):
            # Only after the producer confirms the database is gone.
            _domain, source_name = extra.split(SEPARATOR, 1)
            if await source.get_database(source_name) is None:
                add_drift(result, (await self._converger.drop_database(extra)).changes)
        for database in sorted(source_dbs):
            await self._send(
                result,
                RepairShard(
                    repair_id=shard.repair_id,
                    shard_id=database_shard_id(producer.account_id, database),
                    level="database",
                    producer_account=producer.account_id,
                    database=database,
                ),
            )

    async def _database(
        self, shard: RepairShard, producer: Producer, result: RepairShardResult
    ) -> None:
        assert shard.database is not None  # a database shard names it (RepairShard checks)
        database = shard.database
        source = await self._source_catalog(producer)
        add_drift(result, (await self._converger.database(producer, source, database)).changes)
        result.databases_checked += 1
        target_db = central_database_name(producer.domain, database)
        try:
            source_tables = {t["Name"]: t for t in await source.list_tables(database)}
            central_tables = {
                t["Name"]: t for t in await self._converger.central.list_tables(target_db)
            }
        except NotFoundError:
            return  # gone at the producer, and so converged above (dropped)
        names = sorted(source_tables.keys() | central_tables.keys())
        if len(names) <= self._page_size:
            await self._tables(
                producer, source, database, names, source_tables, central_tables, result, True
            )
            return
        for page, start in enumerate(range(0, len(names), self._page_size)):
            await self._send(
                result,
                RepairShard(
                    repair_id=shard.repair_id,
                    shard_id=tables_shard_id(producer.account_id, database, page),
                    level="tables",
                    producer_account=producer.account_id,
                    database=database,
                    tables=names[start : start + self._page_size],
                ),
            )

    async def _page(
        self, shard: RepairShard, producer: Producer, result: RepairShardResult
    ) -> None:
        assert shard.database is not None
        database, names = shard.database, shard.tables
        source = await self._source_catalog(producer)
        target_db = central_database_name(producer.domain, database)
        source_tables = await _named(source, database, names)
        central_tables = await _named(self._converger.central, target_db, names)
        await self._tables(
            producer, source, database, names, source_tables, central_tables, result, False
        )

    async def _tables(
        self,
        producer: Producer,
        source: Catalog,
        database: str,
        names: Sequence[str],
        source_tables: dict[str, Row],
        central_tables: dict[str, Row],
        result: RepairShardResult,
        database_exists: bool,
    ) -> None:
        """Converge `names` (extra central tables too: deleted once the source confirms) from
        their listed rows.

        A table to create is read again just before, in one call for all of them (a listing
        may be seconds old by then), and after: one the producer deleted meanwhile, whose
        DeleteTable event found no central copy yet, would otherwise stay until the next
        repair. What is updated needs neither: the source version fences it."""
        target_db = central_database_name(producer.domain, database)
        to_create = [n for n in names if n in source_tables and n not in central_tables]
        if to_create:
            fresh = await _named(source, database, to_create)
            source_tables = {n: r for n, r in source_tables.items() if n not in to_create}
            source_tables.update(fresh)
        created: list[str] = []
        listed_source = Listed(source, {(database, n): r for n, r in source_tables.items()})
        listed_central = Listed(
            self._converger.central,
            {(target_db, n): central_tables.get(n) for n in names},
            {target_db} if database_exists else set(),
        )
        from_listing = dataclasses.replace(self._converger, central=listed_central)

        async def converge(table: str) -> Convergence:
            listed, copy = source_tables.get(table), central_tables.get(table)
            if (
                listed is None
                or copy is None
                or not self._converger.in_step(producer, database, listed, copy)
            ):
                return await from_listing.table(producer, listed_source, database, table, True)
            if not listed.get("PartitionKeys"):
                return Convergence()
            return await self._converger.all_partitions(source, database, target_db, table)

        async def one(table: str) -> None:
            async with self._slots:
                for attempt in range(TABLE_ATTEMPTS):
                    try:
                        done = await converge(table)
                        break
                    except RetryableError as exc:
                        # A race with the event stream or a transient fault: try again, reading
                        # both sides afresh (a listed row serves one read only).
                        log.info("repair.table_retry", table=f"{database}.{table}", error=str(exc))
                        if attempt + 1 == TABLE_ATTEMPTS:
                            note(result, f"{producer.account_id} {database}.{table}: {exc}")
                            return
                    except MeshError as exc:
                        note(result, f"{producer.account_id} {database}.{table}: {exc}")
                        return
            add_drift(result, done.changes)
            result.tables_checked += 1
            if done.changes.get("table.created"):
                created.append(table)

        await asyncio.gather(*(one(t) for t in names))
        if not created:
            return
        still = await _named(source, database, created)
        for table in sorted(set(created) - still.keys()):
            try:  # gone at the producer since: converged from fresh reads, the copy deleted
                again = await self._converger.table(producer, source, database, table, False)
                add_drift(result, again.changes)
            except MeshError as exc:
                note(result, f"{producer.account_id} {database}.{table}: {exc}")


async def _named(catalog: Catalog, database: str, names: Sequence[str]) -> dict[str, Row]:
    try:
        return {t["Name"]: t for t in await catalog.tables_named(database, names)}
    except NotFoundError:
        return {}  # the database is gone: every table of the page converges to that


def add_drift(result: RepairShardResult, changes: Counter[str]) -> None:
    for key, count in changes.items():
        result.drift[key] = result.drift.get(key, 0) + count


def note(result: RepairShardResult, error: str) -> None:
    if len(result.errors) < SHARD_ERRORS_KEPT:
        result.errors.append(error[:500])


class Listed:
    """A catalog that answers a table read from rows its listing returned moments ago, once
    per table (a retry reads afresh), and everything else from the catalog itself.

    What it answers from the listing: a table that was listed (`tables`, None for one listed
    as absent); a central table listed as absent has no partitions (it is about to be
    created); a database in `databases` exists. A table absent from a producer's listing is
    not in `tables`: the producer confirms it is gone with a read of its own before the
    central copy is deleted."""

    def __init__(
        self,
        catalog: Catalog,
        tables: dict[tuple[str, str], Row | None],
        databases: set[str] | None = None,
    ) -> None:
        self._catalog = catalog
        self.account_id = catalog.account_id
        self._tables = dict(tables)
        self._absent = {k for k, row in tables.items() if row is None}
        self._databases = set(databases or ())

    async def get_database(self, name: str) -> Row | None:
        if name in self._databases:
            return {"Name": name}
        found = await self._catalog.get_database(name)
        if found is not None:
            self._databases.add(name)
        return found

    async def list_databases(self) -> list[Row]:
        return await self._catalog.list_databases()

    async def get_table(self, database: str, name: str) -> Row | None:
        if (database, name) in self._tables:
            return self._tables.pop((database, name))
        return await self._catalog.get_table(database, name)

    async def list_tables(self, database: str) -> list[Row]:
        return await self._catalog.list_tables(database)

    async def tables_named(self, database: str, names: Sequence[str]) -> list[Row]:
        return await self._catalog.tables_named(database, names)

    async def list_partitions(self, database: str, table: str) -> list[Row]:
        if (database, table) in self._absent:
            self._absent.discard((database, table))
            return []
        return await self._catalog.list_partitions(database, table)

    async def get_partitions(
        self, database: str, table: str, values: Sequence[list[str]]
    ) -> list[Row]:
        return await self._catalog.get_partitions(database, table, values)

    async def create_database(self, database_input: Row) -> None:
        await self._catalog.create_database(database_input)
        self._databases.add(database_input["Name"])

    async def update_database(self, name: str, database_input: Row) -> None:
        await self._catalog.update_database(name, database_input)

    async def delete_database(self, name: str) -> bool:
        self._databases.discard(name)
        return await self._catalog.delete_database(name)

    async def create_table(self, database: str, table_input: Row) -> None:
        await self._catalog.create_table(database, table_input)

    async def update_table(self, database: str, table_input: Row, version_id: str | None) -> None:
        await self._catalog.update_table(database, table_input, version_id)

    async def delete_table(self, database: str, name: str) -> bool:
        return await self._catalog.delete_table(database, name)

    async def create_partitions(self, database: str, table: str, inputs: Sequence[Row]) -> None:
        await self._catalog.create_partitions(database, table, inputs)

    async def create_absent_partitions(
        self, database: str, table: str, inputs: Sequence[Row]
    ) -> list[list[str]]:
        return await self._catalog.create_absent_partitions(database, table, inputs)

    async def update_partitions(self, database: str, table: str, inputs: Sequence[Row]) -> None:
        await self._catalog.update_partitions(database, table, inputs)

    async def delete_partitions(
        self, database: str, table: str, values: Sequence[list[str]]
    ) -> int:
        return await self._catalog.delete_partitions(database, table, values)
