"""A scan request can overtake the table it is about: sync-worker asks before it writes."""

from __future__ import annotations

from typing import Any

import pytest

from classifier.handlers import TABLE_WAIT_RECEIVES, ClassifierDependencies, on_scan
from meshcore.actions.review import Review
from meshcore.domain.errors import RetryableError
from meshcore.messages.commands import ClassificationScanRequest
from meshcore.runtime.dispatch import Delivery

from ...fakes.audit import FakeAudit
from ...fakes.lftags import FakeColumnTags
from ...fakes.state import InMemoryStateStore


class NoTables:
    async def get_table(self, database: str, table: str) -> dict[str, Any] | None:
        return None


SCAN = ClassificationScanRequest(database="ar__fx", table="rates")


async def test_a_missing_table_is_waited_for_then_taken_as_deleted() -> None:
    deps: Any = ClassifierDependencies(central=NoTables(), state=None, review=None, sampler=None)  # type: ignore[arg-type]
    for receive in range(1, TABLE_WAIT_RECEIVES):
        with pytest.raises(RetryableError, match="not in the catalog yet"):
            await on_scan(SCAN, Delivery("m-1", receive), deps)
    await on_scan(
        SCAN, Delivery("m-1", TABLE_WAIT_RECEIVES), deps
    )  # gone: nothing to classify, no retry


class OldColumns:
    async def get_table(self, database: str, table: str) -> dict[str, Any] | None:
        return {"Name": table, "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "int"}]}}


async def test_a_missing_column_is_waited_for() -> None:
    deps: Any = ClassifierDependencies(central=OldColumns(), state=None, review=None, sampler=None)  # type: ignore[arg-type]
    body = ClassificationScanRequest(database="ar__fx", table="rates", columns=["email"])
    with pytest.raises(RetryableError, match="not in the catalog yet"):
        await on_scan(body, Delivery("m-2", 1), deps)


class DroppedDuringScan:
    """The table is there when the scan reads it, and then dropped (or dropped and created
    again, when ``recreated``) before its columns are tagged."""

    def __init__(self, recreated: bool) -> None:
        self.reads = 0
        self.recreated = recreated

    async def get_table(self, database: str, table: str) -> dict[str, Any] | None:
        self.reads += 1
        if self.reads > 1 and not self.recreated:
            return None
        return {"Name": table, "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "int"}]}}


@pytest.mark.parametrize("recreated", [False, True])
async def test_a_table_dropped_during_its_scan_is_done_or_scanned_again(recreated: bool) -> None:
    # Lake Formation knows no table ar__fx.rates: tagging it is EntityNotFoundException.
    review = Review(InMemoryStateStore(), FakeAudit(), FakeColumnTags(tables=set()))
    deps: Any = ClassifierDependencies(
        central=DroppedDuringScan(recreated),  # type: ignore[arg-type]
        state=review.state,
        review=review,
        sampler=None,  # type: ignore[arg-type]
    )
    if recreated:
        with pytest.raises(RetryableError, match="changed during its scan"):
            await on_scan(SCAN, Delivery("m-3", 1), deps)
    else:
        await on_scan(SCAN, Delivery("m-3", 1), deps)  # gone: done, not dead-lettered
