"""Converge the central catalog to a producer's current state, object by object.

Events only say *what* may have changed; this module reads the producer's state and makes the
central copy match it. Every function is idempotent, and a delete happens only after the
producer confirms the object is gone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from meshcore.aws.glue import GlueCatalog
from meshcore.domain.naming import central_database_name
from meshcore.domain.registry import Producer

from sync_worker import mapping

log = structlog.get_logger()

ScanRequester = Callable[[str, str, list[str], str], Awaitable[None]]


@dataclass
class Convergence:
    """What one convergence changed in the central catalog."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def merge(self, other: Convergence) -> None:
        self.created += other.created
        self.updated += other.updated
        self.deleted += other.deleted
        self.skipped += other.skipped


@dataclass
class Converger:
    central: GlueCatalog
    request_scan: ScanRequester
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def database(self, producer: Producer, source: GlueCatalog, name: str) -> Convergence:
        result = Convergence()
        target = central_database_name(producer.domain, name)
        found = await source.get_database(name)
        current = await self.central.get_database(target)
        if found is None:
            if current is not None:
                for table in await self.central.list_tables(target):
                    await self.central.delete_table(target, table["Name"])
                    result.deleted.append(f"table {target}.{table['Name']}")
                await self.central.delete_database(target)
                result.deleted.append(f"database {target}")
            return result
        desired = mapping.database_input(found, target, producer.account_id)
        if current is None:
            await self.central.create_database(desired)
            result.created.append(f"database {target}")
        elif mapping._pick(current, (*mapping.DATABASE_INPUT_FIELDS, "Name")) != desired:
            await self.central.update_database(target, desired)
            result.updated.append(f"database {target}")
        return result

    async def table(
        self,
        producer: Producer,
        source: GlueCatalog,
        database: str,
        name: str,
        with_partitions: bool,
    ) -> Convergence:
        result = Convergence()
        target_db = central_database_name(producer.domain, database)
        found = await source.get_table(database, name)
        current = await self.central.get_table(target_db, name)
        label = f"table {target_db}.{name}"
        if found is None:
            if current is not None:
                await self.central.delete_table(target_db, name)
                result.deleted.append(label)
            return result
        if await self.central.get_database(target_db) is None:
            result.merge(await self.database(producer, source, database))
        desired = mapping.table_input(found, producer.account_id, database, self.clock())
        if current is None:
            await self.central.create_table(target_db, desired)
            result.created.append(label)
            with_partitions = True
        else:
            have, want = mapping.source_version(current), mapping.version_number(found)
            if have is not None and want is not None and have > want:
                result.skipped.append(f"{label} (central reflects newer version {have} > {want})")
            elif mapping.comparable_table(current) != mapping.comparable_table(desired):
                # Glue's optimistic lock: if another worker wrote first this raises ConflictError,
                # the message is retried and reads both sides again.
                await self.central.update_table(target_db, desired, current.get("VersionId"))
                result.updated.append(label)
        changed = mapping.changed_columns(current, found)
        if changed:
            reason = "table created" if current is None else "columns changed"
            await self.request_scan(target_db, name, changed, reason)
        if with_partitions and found.get("PartitionKeys"):
            result.merge(await self.all_partitions(source, database, target_db, name))
        return result

    async def all_partitions(
        self, source: GlueCatalog, database: str, target_db: str, table: str
    ) -> Convergence:
        wanted = {
            mapping.partition_key(p["Values"]): p
            for p in await source.list_partitions(database, table)
        }
        have = {
            mapping.partition_key(p["Values"]): p
            for p in await self.central.list_partitions(target_db, table)
        }
        return await self._apply_partitions(target_db, table, wanted, have, set(wanted) | set(have))

    async def partitions(
        self,
        producer: Producer,
        source: GlueCatalog,
        database: str,
        table: str,
        keys: Sequence[str],
    ) -> Convergence:
        target_db = central_database_name(producer.domain, database)
        if await self.central.get_table(target_db, table) is None:
            return await self.table(producer, source, database, table, with_partitions=True)
        values = [k.split(",") for k in keys]
        wanted = {
            mapping.partition_key(p["Values"]): p
            for p in await source.get_partitions(database, table, values)
        }
        have = {
            mapping.partition_key(p["Values"]): p
            for p in await self.central.get_partitions(target_db, table, values)
        }
        return await self._apply_partitions(target_db, table, wanted, have, set(keys))

    async def _apply_partitions(
        self,
        target_db: str,
        table: str,
        wanted: dict[str, mapping.Row],
        have: dict[str, mapping.Row],
        keys: set[str],
    ) -> Convergence:
        result = Convergence()
        create = [
            mapping.partition_input(wanted[k])
            for k in sorted(keys)
            if k in wanted and k not in have
        ]
        update = [
            mapping.partition_input(wanted[k])
            for k in sorted(keys)
            if k in wanted
            and k in have
            and mapping.partition_input(wanted[k]) != mapping.partition_input(have[k])
        ]
        delete = [have[k]["Values"] for k in sorted(keys) if k in have and k not in wanted]
        if create:
            await self.central.create_partitions(target_db, table, create)
            result.created.append(f"{len(create)} partitions of {target_db}.{table}")
        if update:
            await self.central.update_partitions(target_db, table, update)
            result.updated.append(f"{len(update)} partitions of {target_db}.{table}")
        if delete:
            await self.central.delete_partitions(target_db, table, delete)
            result.deleted.append(f"{len(delete)} partitions of {target_db}.{table}")
        return result
