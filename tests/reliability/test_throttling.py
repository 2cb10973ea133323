"""Scenario 2: throttling and server errors. The Glue workload while the embedded AWS throttles
20 % of every call and fails 5 % with a 5xx: the same end state, no message dead-lettered for a
transient fault, and retries bounded, backing off with jitter."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from meshcore_emulator import EmbeddedAws

from .access import approval, grants_audited, open_request, requests, role, stable_tables
from .conftest import StackFactory, sizes
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

pytestmark = [pytest.mark.e2e, pytest.mark.scenario("2 throttling + 5xx")]

REQUESTS = 5
RETRY_MAX_SECONDS = 8


@pytest.mark.parametrize("changes", sizes())
def test_transient_faults_are_retried_with_backoff_and_never_dead_lettered(
    stack_factory: StackFactory,
    aws: EmbeddedAws,
    record: Row,
    changes: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The test's own producer calls retry patiently: the workers are what is under test.
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "12")
    stack = stack_factory(sync_workers=0, classifier=False, grant_worker=False)
    stack.env["MESHCORE_WORKER__RETRY_MAX_SECONDS"] = str(RETRY_MAX_SECONDS)
    for name, kind in (("sync-worker", "sync-worker"), ("classifier", "classifier")):
        stack.start(kind, name)
    stack.start("grant-worker", "grant-worker")
    onboard_treasury(stack)
    tables = stable_tables(stack, REQUESTS)
    wanted = [open_request(stack, [t], role(i)) for i, t in enumerate(tables)]
    bodies = [approval(stack, rid, ticket_id=f"FIN-{i}") for i, rid in enumerate(wanted)]
    workload = Workload(stack, seed=2)

    aws.faults.seed(2)
    throttled = aws.faults.add(kind="throttle", rate=0.20)
    failed = aws.faults.add(kind="server_error", rate=0.05 / 0.80)  # 5 % of all calls
    for body in bodies:
        send(stack, "meshcore-approvals", body)
    workload.run(changes)
    wait_idle(stack, timeout=max(600, changes))
    injected = {"throttled": throttled.injected, "5xx": failed.injected}
    aws.faults.clear()
    calls = sum(aws.calls.snapshot().values())

    found = catalog_differences(stack)
    state = requests(stack)
    granted = [rid for rid in wanted if state[rid]["state"] == "granted"]
    twice = {rid: n for rid, n in grants_audited(stack, wanted).items() if n != 1}
    duplicates = duplicate_recommendations(stack)
    unscanned = unscanned_tables(stack, workload)
    stuck = {q: n for q, n in queue_depths(stack).items() if n}

    handled = [
        json.loads(line)
        for name in stack.workers
        for line in stack.log(name).splitlines()
        if '"message.handled"' in line
    ]
    retries = [h for h in handled if h["outcome"] in ("retry", "error")]
    delays: defaultdict[int, set[int]] = defaultdict(set)
    for h in retries:
        delays[h["receive_count"]].add(h["retry_in_s"])
    worst = max((h["receive_count"] for h in handled), default=0)

    record.load = f"{workload.describe()}; {REQUESTS} approvals"
    record.faults = (
        f"{injected['throttled']} throttled + {injected['5xx']} 5xx of {calls} AWS calls "
        f"({(injected['throttled'] + injected['5xx']) / max(calls, 1):.0%})"
    )
    record.lost = str(len(found) + len(wanted) - len(granted) + len(unscanned))
    record.duplicated = f"{len(twice)} double grants, {duplicates} duplicate recommendations"
    record.consistency = (
        f"{'equal' if not found else 'DIFFERENT'} field by field, no repair; "
        f"{len(granted)}/{len(wanted)} granted once; {len(retries)} message retries "
        f"(max receive {worst}, delays {dict(sorted((k, sorted(v)) for k, v in delays.items()))} s); "
        f"dead letters {sum(n for q, n in queue_depths(stack).items() if q.endswith('-dlq'))}"
    )
    assert found == [], found[:20]
    assert granted == wanted
    assert twice == {}
    assert duplicates == 0
    assert unscanned == []
    assert stuck == {}, "a transient fault must never dead-letter a message"
    assert not [h for h in handled if h["outcome"] == "rejected"]
    # Bounded: never past the receive count that dead-letters; never longer than the cap.
    assert worst < 5
    assert all(d <= RETRY_MAX_SECONDS for ds in delays.values() for d in ds)
