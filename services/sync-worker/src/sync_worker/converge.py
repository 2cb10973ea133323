"""Converge the central catalog to a producer's current state, object by object.

Events only say *what* may have changed; this module reads the producer's state and makes the
central copy match it. Every function is idempotent, a delete happens only after the producer
confirms the object is gone, and a table update is fenced twice against regressions: by the
source version recorded in the central copy and by Glue's VersionId lock on the central table.

The producer is always read (an event names objects, never their state); the central copy is
read only when this process does not know it. A delete needs no read (deletes are idempotent);
what an event says was created is created first, and read only if it was there already; a table
this process wrote or read last is updated under the VersionId it knows (`CentralCopies`): while
the table is still at that version it holds exactly what was written, so both fences stand as if
it had been read, and a table that moved since makes Glue refuse the update, the copy is
forgotten, and the convergence reads and converges again.
"""

from __future__ import annotations

import copy
import time
from collections import Counter, OrderedDict
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
    """What one convergence changed: counts per "<kind>.<fix>", e.g. "partition.created".

    `table_read` and `partitions_listed` are when (process monotonic clock) it began reading
    the producer's table and listing all its partitions: work received before that is done.
    """

    changes: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    table_read: float | None = None
    partitions_listed: float | None = None

    def add(self, kind: str, fix: str, count: int = 1) -> None:
        if count:
            self.changes[f"{kind}.{fix}"] += count

    def merge(self, other: Convergence) -> Convergence:
        self.changes.update(other.changes)
        self.skipped += other.skipped
        self.table_read = _later(self.table_read, other.table_read)
        self.partitions_listed = _later(self.partitions_listed, other.partitions_listed)
        return self

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _later(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


# A new Glue table is at VersionId "0" and each update moves it by one ("Each version is
# incremented by 1": TableVersion, AWS Glue API reference). Were AWS's first number higher,
# an update at "0" would only lose the race and read again (versions are not negative, so a
# guess of "0" is never above the real one: it can never match a version it did not see).
FIRST_VERSION = "0"
# How long a known central copy is trusted, and how many are kept. Within the window an event
# whose producer table the copy already reflects costs no central call, so a central table
# edited by hand since is left to repair (which reads every central table) rather than healed
# by a duplicate event; an event that changes the table heals it (its update loses the race).
CENTRAL_COPY_TTL_SECONDS = 60.0
CENTRAL_COPY_MEMORY = 10_000


@dataclass(frozen=True)
class CentralCopy:
    version_id: str
    table: mapping.Row  # what the table holds while it is at `version_id` (comparable form)
    expires: float


@dataclass
class CentralCopies:
    """The central tables this process wrote or read last, by (database, table)."""

    ttl: float = CENTRAL_COPY_TTL_SECONDS
    memory: int = CENTRAL_COPY_MEMORY
    monotonic: Callable[[], float] = time.monotonic
    _copies: OrderedDict[tuple[str, str], CentralCopy] = field(default_factory=OrderedDict)

    def get(self, database: str, table: str) -> CentralCopy | None:
        found = self._copies.get((database, table))
        if found is None or found.expires <= self.monotonic():
            return None
        return found

    def remember(self, database: str, table: str, version_id: object, row: mapping.Row) -> None:
        """Only a numeric VersionId is kept: the next one is known to be one more."""
        key = (database, table)
        text = str(version_id or "")
        if not (text.isascii() and text.isdigit()):
            self._copies.pop(key, None)
            return
        comparable = copy.deepcopy(mapping.comparable_table(row))
        self._copies[key] = CentralCopy(text, comparable, self.monotonic() + self.ttl)
        self._copies.move_to_end(key)
        while len(self._copies) > self.memory:
            self._copies.popitem(last=False)

    def forget(self, database: str, table: str | None = None) -> None:
        """One table, or every table of `database`."""
        for key in [k for k in self._copies if k[0] == database and table in (None, k[1])]:
            del self._copies[key]


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
    copies: CentralCopies = field(default_factory=CentralCopies)
    monotonic: Callable[[], float] = time.monotonic

    # -- databases --------------------------------------------------------------------------

    async def database(
        self, producer: Producer, source: Catalog, name: str, expect_new: bool = False
    ) -> Convergence:
        """`expect_new`: the event says it was created, so create it before reading it."""
        target = central_database_name(producer.domain, name)
        found = await source.get_database(name)
        result = Convergence()
        if found is None:
            self.copies.forget(target)
            if await self.central.delete_database(target):  # Glue deletes its tables with it
                result.add("database", "deleted")
            return result
        desired = mapping.database_input(found, target, producer.account_id)
        if expect_new:
            try:
                return await self._create_database(producer, target, desired)
            except ConflictError:
                pass  # it was there already: converge it like any other
        current = await self.central.get_database(target)
        if current is None:
            return await self._create_database(producer, target, desired)
        if mapping.comparable_database(current) != desired:
            await self.central.update_database(target, desired)
            result.add("database", "updated")
        return result

    async def _create_database(
        self, producer: Producer, target: str, desired: mapping.Row
    ) -> Convergence:
        await self.central.create_database(desired)
        if self.tags:
            await _tag_created(
                target, self.tags.tag_database(target, DOMAIN_TAG_KEY, producer.domain)
            )
        result = Convergence()
        result.add("database", "created")
        return result

    async def drop_database(self, target: str) -> Convergence:
        self.copies.forget(target)
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
        *,
        expect_new: bool = False,
        trust_copy: bool = False,
    ) -> Convergence:
        """`expect_new`: the event says it was created, so create it before reading it.
        `trust_copy`: a central table this process knows (`self.copies`) is not read again;
        repair never trusts it: it converges what it found different when it read."""
        result = Convergence(table_read=self.monotonic())
        target_db = central_database_name(producer.domain, database)
        found = await source.get_table(database, name)
        if found is None:
            self.copies.forget(target_db, name)
            if await self.central.delete_table(target_db, name):
                result.add("table", "deleted")
            return result
        desired = mapping.table_input(found, producer.account_id, database, self.clock())
        known = self._known_copy(target_db, name, desired) if trust_copy else None
        if known is not None:
            current, version = known.table, known.version_id
        elif expect_new:
            current, version = None, None  # create first, read only if it was there
        else:
            current = await self._read_central(target_db, name)
            version = current.get("VersionId") if current is not None else None
        if current is None:
            try:
                return result.merge(
                    await self._create_table(producer, source, database, name, found, desired)
                )
            except ConflictError:
                if not expect_new:
                    raise  # created by another worker since we read: converge again
                current = await self._read_central(target_db, name)
                if current is None:
                    raise
                version = current.get("VersionId")
        have, want = mapping.reflected_version(current), mapping.source_version(found)
        if have is not None and have > want:
            result.skipped.append(f"{target_db}.{name}: central reflects {have} > {want}")
            return result
        if mapping.comparable_table(current) != mapping.comparable_table(desired):
            # Ask for classification before writing: a crash after the write must not lose
            # the scan (the retry would find nothing changed); the classifier waits for
            # columns it does not see yet. Duplicate scans are harmless.
            if changed := mapping.changed_columns(current, found):
                await self.request_scan(target_db, name, changed, "columns changed")
            # Glue's optimistic lock: if the table moved past `version` (another worker, or a
            # stale copy) this raises ConflictError and the convergence reads both sides again.
            try:
                await self.central.update_table(target_db, desired, version)
            except ConflictError:
                self.copies.forget(target_db, name)
                raise
            except NotFoundError as exc:  # deleted since it was known: read it again
                self.copies.forget(target_db, name)
                raise ConflictError(f"glue: {target_db}.{name} is gone: {exc}") from exc
            self.copies.forget(target_db, name)  # known again once tagged
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
            self.copies.remember(target_db, name, _next(version), desired)
            result.add("table", "updated")
        if with_partitions and found.get("PartitionKeys"):
            try:
                result.merge(await self.all_partitions(source, database, target_db, name))
            except NotFoundError:  # deleted at the producer while we read it: converge to that
                result.merge(await self.table(producer, source, database, name, False))
        return result

    def _known_copy(self, target_db: str, name: str, desired: mapping.Row) -> CentralCopy | None:
        """The central table as this process last wrote or read it, if it reflects the same
        producer table (one recreated at the producer is another table, whatever its version).
        Not covered: a central table deleted by hand and recreated from the same producer table
        within the window, while this process knows it at "0"; repair reads it, as every table."""
        known = self.copies.get(target_db, name)
        if known is None or _incarnation(known.table) != _incarnation(desired):
            return None
        return known

    async def _read_central(self, target_db: str, name: str) -> mapping.Row | None:
        current = await self.central.get_table(target_db, name)
        if current is None:
            self.copies.forget(target_db, name)
        else:
            self.copies.remember(target_db, name, current.get("VersionId"), current)
        return current

    async def _create_table(
        self,
        producer: Producer,
        source: Catalog,
        database: str,
        name: str,
        found: mapping.Row,
        desired: mapping.Row,
    ) -> Convergence:
        """Creates the central table (and its database if missing) and all its partitions.
        Raises ConflictError when the table is there already."""
        result = Convergence()
        target_db = central_database_name(producer.domain, database)
        # Asked before the write (see `table`): the classifier waits for a table not there yet.
        await self.request_scan(
            target_db, name, mapping.changed_columns(None, found), "table created"
        )
        try:
            await self.central.create_table(target_db, desired)
        except NotFoundError:  # no central database yet
            result.merge(await self.database(producer, source, database, expect_new=True))
            await self.central.create_table(target_db, desired)
        if self.tags:
            await _tag_created(
                f"{target_db}.{name}",
                self.tags.tag_table(target_db, name, SENSITIVITY_TAG_KEY, UNCLASSIFIED),
            )
        self.copies.remember(target_db, name, FIRST_VERSION, desired)
        result.add("table", "created")
        if found.get("PartitionKeys"):
            listed = self.monotonic()
            try:
                wanted = _by_key(await source.list_partitions(database, name))
            except NotFoundError:  # deleted at the producer while we read it: converge to that
                return result.merge(await self.table(producer, source, database, name, False))
            result.partitions_listed = listed
            if wanted:  # a new table has none: no need to read them
                result.merge(await self._put_partitions(target_db, name, wanted))
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
        listed = self.monotonic()
        wanted = _by_key(await source.list_partitions(database, table))
        have = _by_key(await self.central.list_partitions(target_db, table))
        result = await self._apply_partitions(
            target_db, table, wanted, have, set(wanted) | set(have)
        )
        result.partitions_listed = listed
        return result

    async def partitions(
        self,
        producer: Producer,
        source: Catalog,
        database: str,
        table: str,
        keys: Sequence[str],
    ) -> Convergence:
        """The named partitions: those the producer has are created first (and read centrally
        only if they were there already), the others deleted without a read."""
        target_db = central_database_name(producer.domain, database)
        ordered = sorted(set(keys))
        values = [k.split(",") for k in ordered]
        try:
            wanted = _by_key(await source.get_partitions(database, table, values))
        except NotFoundError:  # the table itself is gone at the producer
            return await self.table(producer, source, database, table, with_partitions=False)
        result = Convergence()
        gone = [v for k, v in zip(ordered, values, strict=True) if k not in wanted]
        try:
            if wanted:
                result.merge(await self._put_partitions(target_db, table, wanted))
            if gone:
                deleted = await self.central.delete_partitions(target_db, table, gone)
                result.add("partition", "deleted", deleted)
        except NotFoundError:  # no central table (yet): converge all of it
            return await self.table(producer, source, database, table, with_partitions=True)
        return result

    async def _put_partitions(
        self, target_db: str, table: str, wanted: dict[str, mapping.Row]
    ) -> Convergence:
        """Creates the wanted partitions; those that existed are read and updated if needed."""
        result = Convergence()
        inputs = [mapping.partition_input(wanted[k]) for k in sorted(wanted)]
        existing = await self.central.create_absent_partitions(target_db, table, inputs)
        result.add("partition", "created", len(inputs) - len(existing))
        if existing:
            have = _by_key(await self.central.get_partitions(target_db, table, existing))
            if len(have) < len(existing):
                raise ConflictError(f"glue: partitions of {target_db}.{table} deleted meanwhile")
            update = [
                mapping.partition_input(wanted[k])
                for k in sorted(have)
                if mapping.partition_input(wanted[k]) != mapping.partition_input(have[k])
            ]
            if update:
                await self.central.update_partitions(target_db, table, update)
            result.add("partition", "updated", len(update))
        return result

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


def _next(version: str | None) -> str | None:
    """The VersionId after an update at `version` (None when unknown)."""
    text = str(version or "")
    return str(int(text) + 1) if text.isascii() and text.isdigit() else None


def _incarnation(table: mapping.Row) -> str | None:
    """Which producer table a central copy reflects (its creation time at the producer)."""
    created = table.get("Parameters", {}).get(mapping.SOURCE_CREATED)
    return None if created is None else str(created)


async def _tag_created(what: str, tagging: Awaitable[None]) -> None:
    """Tag what this worker just wrote. Gone already means another worker deleted it since: a
    lost race (retried: both sides are read again), not a bad message."""
    try:
        await tagging
    except NotFoundError as exc:
        raise ConflictError(f"{what} was deleted while this worker wrote it: {exc}") from exc
