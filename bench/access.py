"""Access: from an owner's approval to the grant being complete, for many requests.

A producer table per request is synced to the central catalog; a consumer account is onboarded;
each request is opened as meshctl opens it. The reference ticket system then posts the signed
approvals at a steady pace (as owners approve, not all in one instant). An approval's latency
runs from the moment the ticket system starts posting it to the moment grant-worker logged its
message as handled (grants made, RAM share accepted, resource link created, request recorded
as applied); worker log times and this process's clock are the same machine's clock.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.catalog import COLUMNS as TABLE_COLUMNS
from bench.catalog import table_input
from bench.harness import Deadline, LogTail, Stack, wait_status, wait_until
from bench.render import fmt
from bench.rows import Column, Results, Row, Section, Target, table
from bench.stats import percentile
from meshcore.actions.access import open_request, post_decision
from meshcore.actions.context import central
from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.recommendations import Recommendation, RecommendationState
from meshcore.settings import MeshSettings
from meshcore_devstack.mesh import AR, CONSUMER, PRODUCERS
from meshcore_devstack.processes import start_worker, wait_started

TITLE = "Access: approval -> grant complete"
DATABASE = "shared"


async def _open(count: int) -> list[str]:
    async with central(MeshSettings()) as c:
        ids = []
        for i in range(count):
            draft = AccessRequest(
                consumer_account=CONSUMER,
                tables=[TableName.parse(f"ar__{DATABASE}.t{i:04d}")],
                purpose="benchmark",
            )
            ids.append((await open_request(c, draft, "analyst@consumer.example.com")).request_id)
        return ids


async def _approve(ids: list[str], rate: float) -> dict[str, datetime]:
    owner = PRODUCERS[0].owner
    async with central(MeshSettings()) as c:
        posted: dict[str, datetime] = {}
        start = time.monotonic()
        for k, request_id in enumerate(ids):
            await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
            posted[request_id] = datetime.now(UTC)
            await post_decision(c, request_id, "approve", owner, valid_for=timedelta(days=30))
        return posted


def access_scenario(log_root: Path, requests: int, rate: float, timeout: float) -> dict[str, Any]:
    with Stack("access", log_root) as stack:
        stack.start_sync_workers(1)
        glue = stack.client("glue", AR)
        glue.create_database(DatabaseInput={"Name": DATABASE})
        for i in range(requests):
            glue.create_table(DatabaseName=DATABASE, TableInput=table_input(f"t{i:04d}", False))
        central_glue = stack.client("glue")

        def synced() -> bool:
            found = 0
            for page in central_glue.get_paginator("get_tables").paginate(
                DatabaseName=f"ar__{DATABASE}"
            ):
                found += len(page["TableList"])
            return found >= requests

        wait_until(lambda: _quietly(synced), "the central tables", Deadline(timeout), pause=1.0)
        stack.meshctl("onboard-consumer", CONSUMER)
        grant_worker = start_worker("grant-worker", stack.env, stack.log_dir)
        stack.workers.append(grant_worker)
        wait_started([grant_worker], timeout=120)
        ids = asyncio.run(_open(requests))
        stack.emulator.clear_calls()
        started = time.monotonic()
        posted = asyncio.run(_approve(ids, rate))
        tail = LogTail(grant_worker.log_path)
        done: dict[str, datetime] = {}
        failed: set[str] = set()  # given up: on their way to the dead-letter queue
        outcomes: dict[str, int] = {}

        def all_handled() -> bool:
            for record in tail.read():
                if record.get("event") != "message.handled" or "request_id" not in record:
                    continue
                outcome = str(record.get("outcome"))
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                if outcome == "ok":
                    done.setdefault(
                        record["request_id"], datetime.fromisoformat(record["timestamp"])
                    )
            return all(i in done for i in ids)

        status = wait_status(all_handled, "every approval to be handled", Deadline(timeout))
        if failed - set(done):
            status = "failed"
        wall = time.monotonic() - started
        latencies = [(done[i] - posted[i]).total_seconds() for i in ids if i in done]
        applied = _applied(ids)
        calls = stack.emulator.calls()
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        stored = grant_with_stored_recommendations(stack, grant_worker.log_path, timeout)
        return {
            "status": status,
            "requests": requests,
            "approvals_per_s": rate,
            "granted": len(latencies),
            "failed": len(failed - set(done)),
            "grants_applied": applied,
            "latency_p50_s": None if p50 is None else round(p50, 3),
            "latency_p99_s": None if p99 is None else round(p99, 3),
            "latency_max_s": round(max(latencies), 3) if latencies else None,
            "outcomes": outcomes,
            "seconds": round(wall, 1),
            "calls_per_grant": {
                k: round(v / max(len(latencies), 1), 2)
                for k, v in sorted(calls.items(), key=lambda kv: -kv[1])
                if not k.startswith(("glue:", "sqs:Receive"))
            },
            "memory": [*stack.worker_stats(), stack.emulator_stats()],
            "violations": stack.emulator.violations(),
            "with_recommendations": stored,
        }


def _applied(ids: list[str]) -> int:
    async def go() -> int:
        async with central(MeshSettings()) as c:
            wanted = set(ids)
            return sum(
                1
                for r in await c.state.list_requests()
                if r.request_id in wanted and r.grants_applied
            )

    return asyncio.run(go())


def _quietly(probe: Any) -> bool:
    try:
        return bool(probe())
    except Exception:  # the central database may not exist yet
        return False


# -- the section's rows -----------------------------------------------------------------------

COLUMNS = (
    Column("scenario"),
    Column("status"),
    Column("requests"),
    Column("approvals/s"),
    Column("granted"),
    Column("applied"),
    Column("p50 (s)"),
    Column("p99 (s)"),
    Column("max (s)"),
    Column("outcomes"),
)


def _row(label: str, measured: dict[str, Any]) -> Row:
    """One scenario's row: `measured` is what `access_scenario` returns."""
    return Row.of(
        label,
        measured["status"],
        measured["requests"],
        measured["approvals_per_s"],
        measured["granted"],
        measured["grants_applied"],
        measured["latency_p50_s"],
        measured["latency_p99_s"],
        measured["latency_max_s"],
        ", ".join(f"{k} {v}" for k, v in measured.get("outcomes", {}).items()),
    )


def section(results: Results) -> Section:
    access: dict[str, Any] = results["sections"]["access"]
    if "requests" not in access:
        return Section.failed(TITLE, access) or Section(TITLE)
    top = list(access.get("calls_per_grant", {}).items())[:8]
    note = (
        "One grant-worker; the reference ticket system posts signed approvals at a steady "
        "pace; latency = from posting to grant-worker's log of the handled approval (grants, "
        "RAM share accepted, resource link, request recorded). Calls per grant: "
        + ", ".join(f"{k} {v}" for k, v in top)
        + _stored_note(access.get("with_recommendations"))
    )
    rows = [_row("approvals at a steady pace", access)]
    return Section(
        TITLE,
        (table(list(COLUMNS), rows, note),),
        status=access["status"],
        error=access.get("error", ""),
    )


def _stored_note(stored: dict[str, Any] | None) -> str:
    """One grant decided with many recommendations stored: its latency and DynamoDB calls."""
    if not stored or stored.get("latency_s") is None:
        return ""
    calls = ", ".join(f"{k} {v}" for k, v in stored.get("dynamodb_calls", {}).items())
    return (
        f". One grant with {stored['stored']:,} recommendations stored: "
        f"{fmt(stored['latency_s'])} s from posting to handled; its DynamoDB calls: {calls}"
    )


def targets(results: Results) -> list[Target]:
    access = results["sections"].get("access")
    if not access or access.get("latency_p99_s") is None:
        return []
    return [
        Target(
            f"access: approval -> grant complete p50 / p99, {access['requests']} requests",
            "p99 < 2 s",
            f"{fmt(access['latency_p50_s'])} / {fmt(access['latency_p99_s'])} s",
            access["latency_p99_s"] < 2.0,
        )
    ]


STORED_RECOMMENDATIONS = 10_000
"""Recommendations in the state table while one more grant is decided: the seed's scale (850
tables x a dozen classified columns)."""
STORED_TABLES = 850


def grant_with_stored_recommendations(
    stack: Stack, grant_log: Path, timeout: float, stored: int = STORED_RECOMMENDATIONS
) -> dict[str, Any]:
    """One grant decision with `stored` recommendations in the state table: one per column of
    the granted table (one accepted, so the grant leaves that column out), the rest spread over
    850 other tables. Its latency and DynamoDB calls should not grow with what is stored."""
    name = "with_recommendations"
    stack.client("glue", AR).create_table(
        DatabaseName=DATABASE, TableInput=table_input(name, False)
    )
    central_glue = stack.client("glue")
    wait_until(
        lambda: _quietly(lambda: central_glue.get_table(DatabaseName=f"ar__{DATABASE}", Name=name)),
        "the central table",
        Deadline(timeout),
        pause=0.5,
    )
    database = f"ar__{DATABASE}"

    def recommendation(table: str, column: str, accepted: bool) -> Recommendation:
        return Recommendation(
            database=database,
            table=table,
            column=column,
            column_type="string",
            sensitivity_class="email_address",
            confidence=0.9,
            explanation="benchmark",
            state=RecommendationState.ACCEPTED if accepted else RecommendationState.PENDING,
        )

    # The granted table's own columns (one accepted: the grant leaves it out), then the rest.
    recs = [recommendation(name, c, c == "account_code") for c, _type in TABLE_COLUMNS]
    per_table = max(1, stored // STORED_TABLES)
    recs += [
        recommendation(f"other{i // per_table:04d}", f"c{i % per_table:02d}", i % 3 == 0)
        for i in range(stored - len(recs))
    ]

    async def seed_and_open() -> str:
        async with central(MeshSettings()) as c:
            gate = asyncio.Semaphore(8)

            async def add(rec: Recommendation) -> None:
                async with gate:
                    await c.state.add_recommendation(rec)

            await asyncio.gather(*(add(r) for r in recs))
            draft = AccessRequest(
                consumer_account=CONSUMER,
                tables=[TableName(database=database, table=name)],
                purpose="benchmark",
            )
            return (await open_request(c, draft, "analyst@consumer.example.com")).request_id

    seeding = time.monotonic()
    request_id = asyncio.run(seed_and_open())
    seeded_s = time.monotonic() - seeding
    tail = LogTail(grant_log)
    tail.read()
    stack.emulator.clear_calls()
    posted = datetime.now(UTC)
    asyncio.run(_approve([request_id], 1.0))
    done: list[datetime] = []

    def handled() -> bool:
        done.extend(
            datetime.fromisoformat(r["timestamp"])
            for r in tail.read()
            if r.get("event") == "message.handled"
            and r.get("request_id") == request_id
            and r.get("outcome") == "ok"
        )
        return bool(done)

    status = wait_status(handled, "the grant", Deadline(timeout), pause=0.1)
    calls = stack.emulator.calls()
    return {
        "status": status,
        "stored": stored,
        "seconds_to_store": round(seeded_s, 1),
        "latency_s": round((done[0] - posted).total_seconds(), 3) if done else None,
        "dynamodb_calls": {k: v for k, v in sorted(calls.items()) if k.startswith("dynamodb:")},
    }
