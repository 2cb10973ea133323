"""A lost optimistic-lock race is converged again in the process, not sent back to the queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from meshcore.domain.errors import ConflictError
from meshcore.domain.registry import Producer
from sync_worker.converge import Converger
from sync_worker.handlers import CONFLICT_ATTEMPTS, SyncDependencies, converge_table
from sync_worker.repair import Repair
from sync_worker.work import TableWork

from ...fakes.glue import FakeCatalog
from ...fakes.queues import FakeSender

PRODUCER = Producer(
    account_id="222222222222",
    domain="ar",
    read_role_arn="arn:aws:iam::222222222222:role/meshcore-catalog-reader",
    owners=["ada@ar.example.com"],
)
EVENT_TIME = datetime(2026, 1, 1, tzinfo=UTC)


class RacingCatalog(FakeCatalog):
    """The central catalog, where another worker updates the table first `losses` times."""

    def __init__(self, losses: int) -> None:
        super().__init__()
        self.losses = losses
        self.updates = 0

    async def update_table(self, database: str, table_input: Any, version_id: str | None) -> None:
        self.updates += 1
        if self.updates <= self.losses:
            raise ConflictError("ConcurrentModificationException: central table changed")
        await super().update_table(database, table_input, version_id)


class UnusedState:
    """converge_table never reads the state store (whose own fake comes with its rewrite)."""


def columns(comment: str) -> dict[str, Any]:
    return {"Name": "rates", "StorageDescriptor": {"Columns": [{"Name": "r", "Comment": comment}]}}


async def racing(losses: int) -> tuple[SyncDependencies, RacingCatalog]:
    """The central copy of fx.rates is one producer change behind."""
    source, central = FakeCatalog(PRODUCER.account_id), RacingCatalog(losses)
    await source.create_database({"Name": "fx"})
    await source.create_table("fx", columns("before"))

    async def no_scans(*_args: Any) -> None:
        return None

    async def source_catalog(_producer: Producer) -> FakeCatalog:
        return source

    converger = Converger(central, no_scans)
    await converger.table(PRODUCER, source, "fx", "rates", False)
    await source.update_table("fx", columns("after"), None)
    state: Any = UnusedState()
    deps = SyncDependencies(
        state=state,
        converger=converger,
        source_catalog=source_catalog,
        repair=Repair(state, converger, source_catalog, 1, FakeSender()),
    )
    return deps, central


async def test_a_lost_race_is_converged_again_at_once() -> None:
    deps, central = await racing(losses=1)
    result = await converge_table(deps, PRODUCER, "fx", "rates", TableWork(table=True), EVENT_TIME)
    assert central.updates == 2
    assert result.changes == {"table.updated": 1}  # nothing counted for the lost attempt
    table = await central.get_table("ar__fx", "rates")
    assert table is not None and table["StorageDescriptor"]["Columns"][0]["Comment"] == "after"


async def test_a_table_lost_every_time_goes_back_to_the_queue() -> None:
    deps, central = await racing(losses=CONFLICT_ATTEMPTS)
    with pytest.raises(ConflictError):
        await converge_table(deps, PRODUCER, "fx", "rates", TableWork(table=True), EVENT_TIME)
    assert central.updates == CONFLICT_ATTEMPTS
