"""Searching the central catalog, the one search meshctl and the portal share: by text, domain,
classification and column; the portal shows it a page at a time, `meshctl search` all of it.

Built for thousands of tables: one paged listing per central database (a few at once), one
query of the producer registry and one of the classification decisions, whatever the number of
tables. Which columns are classified comes from the accepted recommendations: every
``sensitivity`` tag on a column is written by accepting one (see ``actions.review``), so they
say the same as Lake Formation without a GetResourceLFTags call per table. A dataset's own page
(`discovery.describe`) reads the tags from Lake Formation itself.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from meshcore.actions.context import Central
from meshcore.aws.glue import GlueCatalog
from meshcore.domain.access import TableName
from meshcore.domain.naming import SEPARATOR, split_central_database_name
from meshcore.domain.provenance import SYNCED_AT

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# Central databases listed at once: bounded so a large catalog does not burst Glue's rate.
LISTING_CONCURRENCY = 8
MAX_PAGE_SIZE = 200
SENSITIVE = "sensitive"  # the tag filter that matches any class


def table_fields(row: DataclassInstance) -> dict[str, Any]:
    """A dataclass about one table as JSON: its `name` as "table", then its other fields."""
    values = {f.name: getattr(row, f.name) for f in fields(row)}
    return {"table": str(values.pop("name")), **values}


@dataclass(frozen=True)
class CatalogQuery:
    text: str = ""
    domain: str | None = None
    tag: str | None = None  # a sensitivity class, or "sensitive" for any
    column: str | None = None


@dataclass(frozen=True)
class CatalogRow:
    name: TableName
    domain: str
    owners: list[str]
    description: str
    synced_at: str | None
    column_count: int
    sensitive_columns: dict[str, str]  # column -> class

    def as_dict(self) -> dict[str, Any]:
        return table_fields(self)


@dataclass(frozen=True)
class CatalogPage:
    rows: list[CatalogRow]
    total: int
    page: int
    size: int  # 0: every match on one page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size)) if self.size else 1


async def classified_columns(central: Central) -> dict[tuple[str, str], dict[str, str]]:
    """(database, table) -> column -> accepted sensitivity class."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for rec in await central.state.list_recommendations():
        if rec.applied:
            found.setdefault((rec.database, rec.table), {})[rec.column] = rec.sensitivity_class
    return found


async def _tables(glue: GlueCatalog, databases: list[str]) -> list[dict[str, Any]]:
    gate = asyncio.Semaphore(LISTING_CONCURRENCY)

    async def one(database: str) -> list[dict[str, Any]]:
        async with gate:
            return [{**row, "DatabaseName": database} for row in await glue.list_tables(database)]

    listed = await asyncio.gather(*(one(d) for d in databases))
    return [row for rows in listed for row in rows]


class CatalogSnapshot:
    """The central catalog's table listing, reused while younger than `max_age_seconds`.

    Listing thousands of tables takes seconds, paging through them should not: a long-running
    front end keeps one snapshot; an older one is still served while a fresh one is read in the
    background. `max_age_seconds` 0 reads the catalog on every call.
    """

    def __init__(self, max_age_seconds: float = 0.0) -> None:
        self.max_age_seconds = max_age_seconds
        self._rows: list[dict[str, Any]] | None = None
        self._read_at = 0.0
        self._lock = asyncio.Lock()
        self._refresh: asyncio.Task[list[dict[str, Any]]] | None = None
        self._started = 0.0

    async def _read(self, central: Central) -> list[dict[str, Any]]:
        started = time.monotonic()
        glue = GlueCatalog(await central.aws.client("glue"), central.settings.central_account_id)
        databases = [d["Name"] for d in await glue.list_databases() if SEPARATOR in d["Name"]]
        self._rows, self._read_at = await _tables(glue, databases), started
        return self._rows

    @property
    def ready(self) -> bool:
        """Whether `rows` answers without listing the catalog first: a listing was read (or
        every call reads one anyway)."""
        return self.max_age_seconds <= 0 or self._rows is not None

    @property
    def loading_for(self) -> float | None:
        """Seconds the first listing has been read for; None when it is not being read."""
        if self._rows is not None or self._refresh is None or self._refresh.done():
            return None
        return time.monotonic() - self._started

    def start(self, central: Central) -> None:
        """Read the first listing in the background, unless it is read or being read: a front
        end says "loading" meanwhile instead of "0 tables"."""
        if self.ready or (self._refresh is not None and not self._refresh.done()):
            return
        self._started = time.monotonic()
        self._refresh = asyncio.create_task(self._read(central))
        # A failed read is reported by the next `rows` call, which reads again.
        self._refresh.add_done_callback(lambda task: task.cancelled() or task.exception())

    async def wait(self, seconds: float) -> bool:
        """Wait at most `seconds` for the first listing started by `start`; whether it is read.
        Raises what the read raised."""
        task = self._refresh
        if self.ready or task is None:
            return self.ready
        try:
            await asyncio.wait_for(asyncio.shield(task), seconds)
        except TimeoutError:
            return False
        return True

    async def rows(self, central: Central) -> list[dict[str, Any]]:
        if self.max_age_seconds <= 0:
            return await self._read(central)
        async with self._lock:
            if self._rows is None:
                if self._refresh is not None and not self._refresh.done():
                    return await asyncio.shield(self._refresh)  # the first read, under way
                return await self._read(central)
            if not self._rows:
                # An empty catalog is quick to list again, and the first tables show at once
                # rather than when the listing is next refreshed.
                return await self._read(central)
            stale = time.monotonic() - self._read_at >= self.max_age_seconds
            if stale and (self._refresh is None or self._refresh.done()):
                self._refresh = asyncio.create_task(self._read(central))
            return self._rows


def _columns(row: dict[str, Any]) -> list[str]:
    return [c["Name"] for c in row.get("StorageDescriptor", {}).get("Columns", [])]


def _classified_in(
    row: dict[str, Any], classified: dict[tuple[str, str], dict[str, str]]
) -> dict[str, str]:
    """The table's classified columns that it still has."""
    found = classified.get((row["DatabaseName"], row["Name"]), {})
    return {c: found[c] for c in _columns(row) if c in found}


def _matches(query: CatalogQuery, row: dict[str, Any], classified: dict[str, str]) -> bool:
    columns = _columns(row)
    if query.text:
        haystack = " ".join(
            [row["DatabaseName"], row["Name"], row.get("Description", ""), *columns]
        ).lower()
        if not all(word in haystack for word in query.text.lower().split()):
            return False
    if query.column and query.column.lower() not in (c.lower() for c in columns):
        return False
    if query.tag == SENSITIVE:
        return bool(classified)
    return not query.tag or query.tag in classified.values()


def _row(
    row: dict[str, Any],
    classified: dict[tuple[str, str], dict[str, str]],
    owners: dict[str, list[str]],
) -> CatalogRow:
    domain, _source = split_central_database_name(row["DatabaseName"])
    return CatalogRow(
        name=TableName(database=row["DatabaseName"], table=row["Name"]),
        domain=domain,
        owners=owners.get(domain, []),
        description=row.get("Description", ""),
        synced_at=row.get("Parameters", {}).get(SYNCED_AT),
        column_count=len(_columns(row)),
        sensitive_columns=_classified_in(row, classified),
    )


async def search(
    central: Central,
    query: CatalogQuery,
    snapshot: CatalogSnapshot | None = None,
    page: int = 1,
    size: int | None = None,
) -> CatalogPage:
    """The tables matching `query`, ordered by name: all of them, or the `page`-th (from 1) of
    `size` (at most `MAX_PAGE_SIZE`)."""
    rows, classified, producers = await asyncio.gather(
        (snapshot or CatalogSnapshot()).rows(central),
        classified_columns(central),
        central.state.list_producers(),
    )
    owners = {p.domain: p.owners for p in producers}
    prefix = query.domain + SEPARATOR if query.domain else ""
    matched = sorted(
        (
            r
            for r in rows
            if r["DatabaseName"].startswith(prefix)
            and _matches(query, r, _classified_in(r, classified))
        ),
        key=lambda r: (r["DatabaseName"], r["Name"]),
    )
    if size is None:
        return CatalogPage([_row(r, classified, owners) for r in matched], len(matched), 1, 0)
    size = max(1, min(size, MAX_PAGE_SIZE))
    page = max(1, min(page, max(1, math.ceil(len(matched) / size))))
    shown = matched[(page - 1) * size : page * size]
    return CatalogPage([_row(r, classified, owners) for r in shown], len(matched), page, size)
