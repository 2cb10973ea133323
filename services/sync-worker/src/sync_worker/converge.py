"""Converge the central catalog to a producer's current state, object by object.

Events only say *what* may have changed; this module reads the producer's state and makes the
central copy match it. Every function is idempotent, a delete happens only after the producer
confirms the object is gone, and a table update is fenced twice against regressions: by the
source version recorded in the central copy and by Glue's VersionId lock on the central table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from meshcore.aws.ports import Catalog, ResourceTagging
from meshcore.domain.classification import DOMAIN_TAG_KEY, SENSITIVITY_TAG_KEY, UNCLASSIFIED
from meshcore.domain.errors import ConflictError, NotFoundError
from meshcore.domain.naming import central_database_name
from meshcore.domain.registry import Producer
from sync_worker import mapping

ScanRequester = Callable[[str, str, list[str], str], Awaitable[None]]


@dataclass
class Convergence:
    """What one convergence changed: counts per "<kind>.<fix>", e.g. "partition.created"."""

    changes: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)

    def add(self, kind: str, fix: str, count: int = 1) -> None:
        if count:
            self.changes[f"{kind}.{fix}"] += count

    def merge(self, other: Convergence) -> Convergence:
        self.changes.update(other.changes)
        self.skipped += other.skipped
        return self

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass
class Converger:
    central: Catalog
    request_scan: ScanRequester
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # Tags new central databases with their domain, and new tables (and columns added to a
    # table later) as unclassified: no grant reads a column until the classifier tagged it not
    # sensitive or a reviewer decided, while domain-wide grants by tag expression reach every
    # column classified not sensitive.
    tags: ResourceTagging | None = None

    # -- databases --------------------------------------------------------------------------

    async def database(self, producer: Producer, source: Catalog, name: str) -> Convergence:
        target = central_database_name(producer.domain, name)
        found = await source.get_database(name)
        current = await self.central.get_database(target)
        if found is None:
            return await self.drop_database(target) if current is not None else Convergence()
        result = Convergence()
        desired = mapping.database_input(found, target, producer.account_id)
        if current is None:
            await self.central.create_database(desired)
            if self.tags:
                await _tag_created(
                    target, self.tags.tag_database(target, DOMAIN_TAG_KEY, producer.domain)
                )
            result.add("database", "created")
        elif mapping.comparable_database(current) != desired:
            await self.central.update_database(target, desired)
            result.add("database", "updated")
        return result

    async def drop_database(self, target: str) -> Convergence:
        result = Convergence()
        for table in await self.central.list_tables(target):
            await self.central.delete_table(target, table["Name"])
            result.add("table", "deleted")
        await self.central.delete_database(target)
        result.add("database", "deleted")
        return result

    # -- tables -----------------------------------------------------------------------------

    async def table(
        self,
        producer: Producer,
        source: Catalog,
        database: str,
        name: str,
        with_partitions: bool,
    ) -> Convergence:
        result = Convergence()
        target_db = central_database_name(producer.domain, database)
        found = await source.get_table(database, name)
        current = await self.central.get_table(target_db, name)
        if found is None:
            if current is not None:
                await self.central.delete_table(target_db, name)
                result.add("table", "deleted")
            return result
        # An existing central table proves its database exists: only a new one needs a look.
        if current is None and await self.central.get_database(target_db) is None:
            result.merge(await self.database(producer, source, database))
        desired = mapping.table_input(found, producer.account_id, database, self.clock())
        if current is not None:
            have, want = mapping.reflected_version(current), mapping.source_version(found)
            if have is not None and have > want:
                result.skipped.append(f"{target_db}.{name}: central reflects {have} > {want}")
                return result
        # Ask for classification before writing (a crash after the write must not lose the
        # scan: the retry would find nothing changed) and again after it (the first request
        # may reach the classifier before the table does). Duplicate scans are harmless.
        changed = mapping.changed_columns(current, found)
        reason = "table created" if current is None else "columns changed"
        if changed:
            await self.request_scan(target_db, name, changed, reason)
        if current is None:
            await self.central.create_table(target_db, desired)
            if self.tags:
                await _tag_created(
                    f"{target_db}.{name}",
                    self.tags.tag_table(target_db, name, SENSITIVITY_TAG_KEY, UNCLASSIFIED),
                )
            result.add("table", "created")
            with_partitions = True
        elif mapping.comparable_table(current) != mapping.comparable_table(desired):
            # Glue's optimistic lock: if another worker wrote first this raises ConflictError,
            # the message is retried and reads both sides again.
            await self.central.update_table(target_db, desired, current.get("VersionId"))
            added = mapping.added_columns(current, found)
            if self.tags and added:
                # Said on the column itself: it may not inherit what its table says (a table
                # synced before tables were tagged unclassified says none) or what a dropped
                # column of the same name was classified. The classifier, asked to scan it,
                # settles it too, should this worker stop in between.
                await _tag_created(
                    f"{target_db}.{name}",
                    self.tags.tag_columns(
                        target_db, name, added, SENSITIVITY_TAG_KEY, UNCLASSIFIED
                    ),
                )
            result.add("table", "updated")
        if changed:
            await self.request_scan(target_db, name, changed, reason)
        if with_partitions and found.get("PartitionKeys"):
            try:
                result.merge(await self.all_partitions(source, database, target_db, name))
            except NotFoundError:  # deleted at the producer while we read it: converge to that
                result.merge(await self.table(producer, source, database, name, False))
        return result

    def in_step(
        self, producer: Producer, database: str, source: mapping.Row, central: mapping.Row
    ) -> bool:
        """True when a listed central table already reflects the listed producer table."""
        desired = mapping.table_input(source, producer.account_id, database, self.clock())
        return mapping.reflected_version(central) == mapping.source_version(source) and (
            mapping.comparable_table(central) == mapping.comparable_table(desired)
        )

    # -- partitions -------------------------------------------------------------------------

    async def all_partitions(
        self, source: Catalog, database: str, target_db: str, table: str
    ) -> Convergence:
        wanted = _by_key(await source.list_partitions(database, table))
        have = _by_key(await self.central.list_partitions(target_db, table))
        return await self._apply_partitions(target_db, table, wanted, have, set(wanted) | set(have))

    async def partitions(
        self,
        producer: Producer,
        source: Catalog,
        database: str,
        table: str,
        keys: Sequence[str],
    ) -> Convergence:
        target_db = central_database_name(producer.domain, database)
        if await self.central.get_table(target_db, table) is None:
            return await self.table(producer, source, database, table, with_partitions=True)
        values = [k.split(",") for k in sorted(set(keys))]
        try:
            wanted = _by_key(await source.get_partitions(database, table, values))
        except NotFoundError:  # the table itself is gone at the producer
            return await self.table(producer, source, database, table, with_partitions=False)
        have = _by_key(await self.central.get_partitions(target_db, table, values))
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
        ordered = sorted(keys)
        create = [
            mapping.partition_input(wanted[k]) for k in ordered if k in wanted and k not in have
        ]
        update = [
            mapping.partition_input(wanted[k])
            for k in ordered
            if k in wanted
            and k in have
            and mapping.partition_input(wanted[k]) != mapping.partition_input(have[k])
        ]
        delete = [have[k]["Values"] for k in ordered if k in have and k not in wanted]
        if create:
            await self.central.create_partitions(target_db, table, create)
        if update:
            await self.central.update_partitions(target_db, table, update)
        if delete:
            await self.central.delete_partitions(target_db, table, delete)
        result.add("partition", "created", len(create))
        result.add("partition", "updated", len(update))
        result.add("partition", "deleted", len(delete))
        return result


def _by_key(partitions: list[mapping.Row]) -> dict[str, mapping.Row]:
    return {mapping.partition_key(p["Values"]): p for p in partitions}


async def _tag_created(what: str, tagging: Awaitable[None]) -> None:
    """Tag what this worker just wrote. Gone already means another worker deleted it since: a
    lost race (retried: both sides are read again), not a bad message."""
    try:
        await tagging
    except NotFoundError as exc:
        raise ConflictError(f"{what} was deleted while this worker wrote it: {exc}") from exc
