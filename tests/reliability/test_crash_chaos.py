"""Scenario 1: crash chaos. The Glue workload across three producers, with approvals, while
every kind of worker process is SIGKILLed at random moments and restarted. After one repair the
central catalog equals the producers' catalogs field by field, every scan and every approved
request took effect exactly once, and nothing is left in any queue or dead-letter queue."""

from __future__ import annotations

import pytest

from .access import approval, grants_audited, open_request, requests, role, stable_tables
from .chaos import Chaos
from .conftest import StackFactory, eventually, sizes
from .poison import send
from .results import Row
from .workload import (
    Workload,
    catalog_differences,
    duplicate_recommendations,
    onboard_treasury,
    queue_depths,
    unscanned_tables,
    wait_idle,
)

pytestmark = [pytest.mark.e2e, pytest.mark.scenario("1 crash chaos")]

REQUESTS = 10


@pytest.mark.parametrize("changes", sizes())
def test_sigkilled_workers_lose_nothing_and_do_nothing_twice(
    stack_factory: StackFactory, record: Row, changes: int
) -> None:
    stack = stack_factory(sync_workers=2)
    onboard_treasury(stack)
    tables = stable_tables(stack, REQUESTS)
    wanted = [open_request(stack, [t], role(i)) for i, t in enumerate(tables)]
    bodies = [approval(stack, rid, ticket_id=f"FIN-{i}") for i, rid in enumerate(wanted)]
    workload = Workload(stack, seed=1)
    every = max(1, changes // (REQUESTS + 1))

    def approve_along(done: int) -> None:
        if done % every == 0 and bodies:
            send(stack, "meshcore-approvals", bodies.pop())

    with Chaos(stack, seed=1) as chaos:
        workload.run(changes, between=approve_along)
        for body in bodies:
            send(stack, "meshcore-approvals", body)
        # Keep killing while the backlog drains.
        eventually(
            lambda: queue_depths(stack)["meshcore-catalog-changes"] < 20,
            "the backlog to drain under chaos",
            timeout=max(600, changes),
        )
    wait_idle(stack, timeout=max(300, changes / 2))
    drift = catalog_differences(stack)
    stack.meshctl("repair", "--wait")
    wait_idle(stack, timeout=300)

    found = catalog_differences(stack)
    state = requests(stack)
    granted = [rid for rid in wanted if state[rid]["state"] == "granted"]
    audited = grants_audited(stack, wanted)
    twice = {rid: n for rid, n in audited.items() if n != 1}
    duplicates = duplicate_recommendations(stack)
    unscanned = unscanned_tables(stack, workload)
    stuck = {q: n for q, n in queue_depths(stack).items() if n}

    record.load = f"{workload.describe()}; {REQUESTS} approvals"
    record.faults = chaos.describe()
    record.lost = str(len(found) + len(wanted) - len(granted) + len(unscanned))
    record.duplicated = (
        f"{sum(twice.values())} double grants, {duplicates} duplicate recommendations"
    )
    record.consistency = (
        f"{len(drift)} differences before the repair, {len(found)} after; "
        f"{len(granted)}/{len(wanted)} granted once; {len(unscanned)} tables unscanned; "
        f"stuck {stuck or 0}"
    )
    record.details = {"drift_before_repair": drift[:50]}
    assert found == [], found[:20]
    assert granted == wanted
    assert twice == {}
    assert duplicates == 0
    assert unscanned == []
    assert stuck == {}
