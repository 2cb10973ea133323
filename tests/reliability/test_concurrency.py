"""Scenario 5: four sync-workers and two grant-workers at once, on overlapping tables and
requests: the central copy never regresses and nothing is granted twice."""

from __future__ import annotations

import threading

import pytest

from ..e2e.catalog import pages
from .access import (
    approval,
    grants_audited,
    open_request,
    permissions_by_principal,
    requests,
    role,
    stable_tables,
)
from .conftest import StackFactory, sizes
from .poison import send
from .results import Row
from .workload import (
    Workload,
    catalog_differences,
    duplicate_recommendations,
    onboard_treasury,
    queue_depths,
    wait_idle,
)

pytestmark = [pytest.mark.e2e, pytest.mark.scenario("5 concurrency")]

TABLES, PRINCIPALS, COPIES = 6, 8, 3


def regressions(stack: object) -> list[str]:
    """Central tables whose version history ever went back to an older producer version."""
    glue = stack.client("glue")  # type: ignore[attr-defined]
    found = []
    for db in pages(glue, "get_databases", "DatabaseList"):
        for table in pages(glue, "get_tables", "TableList", DatabaseName=db["Name"]):
            versions = pages(
                glue,
                "get_table_versions",
                "TableVersions",
                DatabaseName=db["Name"],
                TableName=table["Name"],
            )
            history = [
                int(v["Table"].get("Parameters", {}).get("meshcore:source_version", 0))
                for v in sorted(versions, key=lambda v: int(v["VersionId"]))
            ]
            if history != sorted(history):
                found.append(f"{db['Name']}.{table['Name']}: {history}")
    return found


@pytest.mark.parametrize("changes", sizes(1000, smoke=False))
def test_four_sync_and_two_grant_workers_never_regress_or_grant_twice(
    stack_factory: StackFactory, record: Row, changes: int
) -> None:
    stack = stack_factory(sync_workers=4, classifier=True, grant_worker=True)
    stack.start("grant-worker", "grant-worker-1")
    onboard_treasury(stack)
    tables = stable_tables(stack, TABLES)
    # Principal p asks for tables p and p+1: every table is in two requests.
    wanted = {
        open_request(stack, [tables[p % TABLES], tables[(p + 1) % TABLES]], role(p)): p
        for p in range(PRINCIPALS)
    }
    bodies = {rid: approval(stack, rid, ticket_id=f"FIN-{n}") for n, rid in enumerate(wanted)}

    def post_approvals() -> None:
        # Each signed approval posted several times: both grant-workers race on each request.
        for _ in range(COPIES):
            for body in bodies.values():
                send(stack, "meshcore-approvals", body)

    poster = threading.Thread(target=post_approvals)
    workload = Workload(stack, seed=5)
    poster.start()
    workload.run(changes)
    poster.join()
    wait_idle(stack, timeout=max(300, changes))

    found = catalog_differences(stack)
    regressed = regressions(stack)
    state = requests(stack)
    granted = {rid for rid in wanted if state[rid]["state"] == "granted"}
    audited = grants_audited(stack, list(wanted))
    twice = {rid: n for rid, n in audited.items() if n != 1}
    permissions = permissions_by_principal(stack)
    stuck = {q: n for q, n in queue_depths(stack).items() if n}
    handled_by = {
        name: stack.log(name).count('"outcome": "ok"') for name in stack.workers if "worker" in name
    }

    record.load = (
        f"{workload.describe()}; {len(wanted)} overlapping requests x{COPIES} approvals; "
        f"4 sync-workers, 2 grant-workers"
    )
    record.faults = "concurrent workers on the same tables and requests"
    record.lost = str(len(found) + len(wanted) - len(granted))
    record.duplicated = (
        f"{sum(twice.values())} double grants, {len(regressed)} regressions, "
        f"{duplicate_recommendations(stack)} duplicate recommendations"
    )
    record.consistency = (
        f"{'equal' if not found else 'DIFFERENT'} field by field; {len(granted)}/{len(wanted)} "
        f"granted once; stuck {stuck or 0}"
    )
    record.details = {"handled_ok_by_worker": handled_by, "permissions": dict(permissions)}
    assert found == [], found[:20]
    assert regressed == [], regressed[:10]
    assert granted == set(wanted)
    assert twice == {}
    # DESCRIBE and SELECT on each of its two tables, for each principal's request.
    assert all(
        permissions[role(p)] == 2 * 2 * sum(1 for v in wanted.values() if v == p)
        for p in range(PRINCIPALS)
    )
    assert duplicate_recommendations(stack) == 0
    assert stuck == {}
    assert sum(1 for n in handled_by.values() if n) >= 3, handled_by
