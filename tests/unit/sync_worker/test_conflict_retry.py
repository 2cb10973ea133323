"""A lost optimistic-lock race is converged again in the process, not sent back to the queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest

from meshcore.domain.errors import ConflictError
from meshcore.domain.registry import Producer
from sync_worker.converge import Convergence, Converger
from sync_worker.handlers import CONFLICT_ATTEMPTS, SyncDependencies, converge_table
from sync_worker.work import TableWork

PRODUCER = Producer(
    account_id="222222222222",
    domain="ar",
    read_role_arn="arn:aws:iam::222222222222:role/meshcore-catalog-reader",
    owners=["ada@ar.example.com"],
)
EVENT_TIME = datetime(2026, 1, 1, tzinfo=UTC)


class LosingConverger:
    """Loses the race `losses` times (another worker wrote first), then converges."""

    def __init__(self, losses: int) -> None:
        self.losses = losses
        self.calls = 0

    async def table(self, *args: Any) -> Convergence:
        self.calls += 1
        if self.calls <= self.losses:
            raise ConflictError("ConcurrentModificationException: central table changed")
        done = Convergence()
        done.add("table", "updated")
        return done


def deps(converger: LosingConverger) -> SyncDependencies:
    async def source(producer: Producer) -> Any:
        return object()  # the fake converger never reads it

    return SyncDependencies(
        state=cast(Any, None),
        converger=cast(Converger, converger),
        source_catalog=source,
        repair=cast(Any, None),
    )


async def test_a_lost_race_is_converged_again_at_once() -> None:
    converger = LosingConverger(losses=1)
    result = await converge_table(
        deps(converger), PRODUCER, "fx", "rates", TableWork(table=True), EVENT_TIME
    )
    assert converger.calls == 2
    assert result.changes == {"table.updated": 1}  # nothing counted for the lost attempt


async def test_a_table_lost_every_time_goes_back_to_the_queue() -> None:
    converger = LosingConverger(losses=CONFLICT_ATTEMPTS)
    with pytest.raises(ConflictError):
        await converge_table(
            deps(converger), PRODUCER, "fx", "rates", TableWork(table=True), EVENT_TIME
        )
    assert converger.calls == CONFLICT_ATTEMPTS
