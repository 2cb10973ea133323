"""Scenario 7: security under load. Forged, replayed, expired, over-scoped and unauthorised
decisions are all refused and audited, and grant nothing; hostile names in databases, tables and
columns are synced or refused with a clear reason, never a crash or a grant to someone else; a
sensitive column added to a granted table is not read before its review."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from meshcore.domain.access import TableName
from meshcore_devstack.mesh import AR, CENTRAL, CONSUMER, QUERY_ENGINE_TAG, analyst_clients
from meshcore_devstack.query_engine import QueryRefused, select, trust_engine

from ..e2e.test_access import decision, sign
from ..e2e.test_catalog_sync import table
from .access import STABLE, audit, grants_audited, open_request, requests, role, stable_tables
from .conftest import Stack, StackFactory, eventually, sizes
from .poison import dead_letters, send
from .results import Row
from .workload import Workload, onboard_treasury, queue_depths, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.scenario("7 security")]

REQUESTS, COPIES = 8, 3
HOSTILE = [
    "quote'name",
    'double"quote',
    "slash/name",
    "colon:name",
    "ünïcödé_表",
    "arn:aws:iam::999999999999:role/evil",
    "semi;name",
    "space name",
    "n" * 255,
]


def hostile_decisions(stack: Stack, request_id: str, asked: str, other: str) -> dict[str, str]:
    """One body per kind of decision that must be refused."""
    forged = json.loads(sign(stack, decision(stack, request_id, ticket_id="FIN-F")))
    forged["decision"]["approver"] = "mallory@elsewhere.example.com"
    scope = [TableName.parse(asked), TableName.parse(other)]
    return {
        "forged": json.dumps(forged),
        "expired": sign(
            stack,
            decision(
                stack,
                request_id,
                ticket_id="FIN-E",
                expires_at=datetime.now(UTC) - timedelta(minutes=1),
            ),
        ),
        "over-scoped": sign(stack, decision(stack, request_id, ticket_id="FIN-S", tables=scope)),
        "unauthorised": sign(
            stack,
            decision(
                stack, request_id, ticket_id="FIN-U", approver="mallory@elsewhere.example.com"
            ),
        ),
    }


def refusals(stack: Stack, request_id: str) -> list[dict[str, Any]]:
    return [e for e in audit(stack, request_id) if e["action"] == "decision.refused"]


def hostile_catalog(stack: Stack) -> dict[str, str]:
    """Each hostile name as a database, a table and a column; what the producer's Glue refused."""
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": "hostile"})
    refused: dict[str, str] = {}
    for i, name in enumerate(HOSTILE):
        attempts = {
            f"database {name}": lambda n=name: glue.create_database(DatabaseInput={"Name": n}),
            f"table {name}": lambda n=name: glue.create_table(
                DatabaseName="hostile", TableInput=table(n, [("id", "string")], False)
            ),
            f"column {name}": lambda n=name, i=i: glue.create_table(
                DatabaseName="hostile", TableInput=table(f"cols{i}", [(n, "string")], False)
            ),
        }
        for what, attempt in attempts.items():
            try:
                attempt()
            except glue.exceptions.ClientError as exc:
                refused[what] = exc.response["Error"]["Code"]
    return refused


def sneak_sensitive_columns(stack: Stack, granted: dict[str, str]) -> dict[str, str]:
    """The attack: the producer adds an `ssn` column to tables already granted (table -> the
    role granted). Once each is in the central catalog with its recommendation awaiting
    review, what the role's query engine answers for `SELECT ssn`: refused is right."""
    glue = stack.client("glue", AR)
    for name in granted:
        short = name.split(".", 1)[1]
        glue.update_table(
            DatabaseName=STABLE,
            TableInput={
                "Name": short,
                "StorageDescriptor": {
                    "Columns": [
                        {"Name": "id", "Type": "string"},
                        {"Name": "ssn", "Type": "string"},
                    ],
                    "Location": f"s3://producer-data/{short}/",
                },
            },
        )

    def pending() -> bool:
        recs = json.loads(stack.meshctl("--json", "review", "list"))
        found = {f"{r['database']}.{r['table']}" for r in recs if r["column"] == "ssn"}
        return found >= set(granted)

    eventually(pending, "the added columns recommended for review", timeout=300)
    trust_engine(stack.client("lakeformation", CONSUMER), CONSUMER, QUERY_ENGINE_TAG)
    outcome = {}
    for name, principal in granted.items():
        database, _, short = name.partition(".")
        try:
            select(analyst_clients(stack.env, role=principal), database, short, ["ssn"], CENTRAL)
            outcome[name] = "READ"
        except QueryRefused as refused:
            outcome[name] = "refused" if "no SELECT on ssn" in str(refused) else str(refused)
        except ClientError as exc:  # authorized: it got S3 credentials and went for the data
            outcome[name] = f"READ (then {exc.response['Error']['Code']} from S3)"
    return outcome


def central_names(stack: Stack) -> set[str]:
    """Every central database, `database.table` and `database.table.column` of AR."""
    central, names = stack.client("glue"), set()
    for db in central.get_databases()["DatabaseList"]:
        names.add(f"database {db['Name']}")
        if db["Name"].startswith("ar__"):
            for t in central.get_tables(DatabaseName=db["Name"])["TableList"]:
                names.add(f"table {t['Name']}")
                names |= {f"column {c['Name']}" for c in t["StorageDescriptor"]["Columns"]}
    return names


@pytest.mark.parametrize("changes", sizes(300, smoke=False))
def test_hostile_decisions_and_names_are_refused_or_handled(
    stack_factory: StackFactory, record: Row, changes: int
) -> None:
    stack = stack_factory()
    onboard_treasury(stack)
    tables = stable_tables(stack, REQUESTS + 1)
    wanted = [open_request(stack, [t], role(i)) for i, t in enumerate(tables[:REQUESTS])]
    other = tables[REQUESTS]
    hostile: list[tuple[str, str, str]] = []  # (request, kind, body)
    for rid, asked in zip(wanted, tables, strict=False):
        bodies = hostile_decisions(stack, rid, asked, other)
        hostile += [(rid, kind, body) for kind, body in bodies.items()]
    # Half the requests are approved for real, then their used decisions replayed.
    approved = wanted[: REQUESTS // 2]
    legit = {rid: sign(stack, decision(stack, rid, ticket_id="FIN-OK")) for rid in approved}
    for body in legit.values():
        send(stack, "meshcore-approvals", body)
    eventually(
        lambda: all(requests(stack)[r]["grants_applied"] for r in approved), "the real grants"
    )
    hostile += [(rid, "replayed", body) for rid, body in legit.items()]
    burst = [item for item in hostile for _ in range(COPIES)]
    random.Random(7).shuffle(burst)
    workload = Workload(stack, seed=7)
    for i, (_rid, _kind, body) in enumerate(burst):
        send(stack, "meshcore-approvals", body)
        if i % 2 == 0 and workload.total < changes:
            workload.start()
            workload.step()
    workload.run(changes)
    producer_refused = hostile_catalog(stack)
    wait_idle(stack, timeout=600)
    sneaked = sneak_sensitive_columns(stack, {tables[i]: role(i) for i in range(len(approved))})

    state = requests(stack)
    refused = {rid: len(refusals(stack, rid)) for rid in wanted}
    sent = {rid: sum(1 for r, _k, _b in burst if r == rid) for rid in wanted}
    short = {rid: (refused[rid], sent[rid]) for rid in wanted if refused[rid] < sent[rid]}
    wrongly_granted = [r for r in wanted if r not in approved and state[r]["state"] != "pending"]
    twice = {r: n for r, n in grants_audited(stack, approved).items() if n != 1}
    # Who holds a grant on data (bootstrap's CREATE_DATABASE on the catalog for sync-worker
    # aside): the approved roles only.
    principals = {
        p["Principal"]["DataLakePrincipalIdentifier"]
        for p in stack.client("lakeformation").list_permissions()["PrincipalResourcePermissions"]
        if "Catalog" not in p["Resource"]
    }
    # Hostile names: each synced under its own name, refused by the producer's Glue, or
    # dead-lettered with its reason; never a crash.
    synced = central_names(stack)
    letters = dead_letters(stack, "meshcore-catalog-changes")
    reasons = [json.loads(stack.meshctl("--json", "dlq", "show", mid))["reason"] for mid in letters]
    alive = {n: w.process.poll() is None for n, w in stack.workers.items()}
    outcome: dict[str, str] = {}
    for what in (f"{kind} {name}" for name in HOSTILE for kind in ("database", "table", "column")):
        kind, name = what.split(" ", 1)
        central_name = f"ar__{name}".lower() if kind == "database" else name
        if f"{kind} {central_name}" in synced or f"{kind} {name.lower()}" in synced:
            outcome[what] = "synced"
        elif what in producer_refused:
            outcome[what] = f"producer refused ({producer_refused[what]})"
        elif any(name.lower() in r for r in reasons):
            outcome[what] = "dead-lettered with reason"
        else:
            outcome[what] = "UNACCOUNTED"

    record.load = (
        f"{len(burst)} hostile decisions ({len(hostile)} distinct x{COPIES}: forged, expired, "
        f"over-scoped, unauthorised, replayed) on {REQUESTS} requests; {workload.total} Glue "
        f"changes; {len(HOSTILE)} hostile names as databases, tables and columns"
    )
    record.faults = "forged/replayed/expired/over-scoped/unauthorised decisions; hostile names"
    record.lost = "0"
    record.duplicated = f"{len(twice)} double grants"
    record.consistency = (
        f"{sum(min(refused[r], sent[r]) for r in wanted)}/{sum(sent.values())} hostile decisions "
        f"refused and audited, {len(wrongly_granted)} wrongly granted; names: "
        f"{sum(v == 'synced' for v in outcome.values())}/{len(outcome)} synced, "
        f"{sum(v.startswith('producer') for v in outcome.values())} refused by Glue, "
        f"{sum(v.startswith('dead') for v in outcome.values())} dead-lettered with a reason; "
        f"sensitive columns added to granted tables: "
        f"{sum(v == 'refused' for v in sneaked.values())}/{len(sneaked)} refused before review; "
        f"workers alive {all(alive.values())}"
    )
    record.details = {"names": outcome, "reasons": reasons, "sneaked_columns": sneaked}
    assert short == {}
    assert wrongly_granted == []
    assert twice == {}
    assert principals <= {role(i) for i in range(len(approved))}, principals
    assert all(alive.values()), alive
    assert all(reason for reason in reasons)
    assert "UNACCOUNTED" not in outcome.values(), outcome
    assert set(sneaked.values()) == {"refused"}, sneaked
    assert {q: n for q, n in queue_depths(stack).items() if n and not q.endswith("-dlq")} == {}
    assert CONSUMER


WIDE_COLUMNS = 10_000
NESTED = "[" * 100_000 + "]" * 100_000
QUEUES_WRITTEN = ("meshcore-catalog-changes", "meshcore-classification", "meshcore-approvals")


def test_a_wide_table_and_nested_bodies_deny_no_service(
    stack_factory: StackFactory, record: Row
) -> None:
    """A producer table whose scan request would pass SQS's 256 KiB reaches the central catalog
    and every repair after it succeeds; bodies nested 100,000 deep are dead-lettered as malformed
    (with the reason) by every worker, which keeps running."""
    stack = stack_factory()
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": "wide"})
    names = [f"measure_{i:05d}_{'x' * 40}" for i in range(WIDE_COLUMNS)]
    glue.create_table(
        DatabaseName="wide", TableInput=table("readings", [(n, "double") for n in names], False)
    )
    nested_ids = {queue: send(stack, queue, NESTED) for queue in QUEUES_WRITTEN}

    def central_columns() -> int | None:
        central = stack.client("glue")
        try:
            found = central.get_table(DatabaseName="ar__wide", Name="readings")
        except central.exceptions.EntityNotFoundException:
            return None
        return len(found["Table"]["StorageDescriptor"]["Columns"]) or None

    assert eventually(central_columns, "the wide table in the central catalog") == WIDE_COLUMNS
    report = json.loads(stack.meshctl("--json", "repair", "--wait", "--timeout", "300"))
    reasons = {}
    for queue, message_id in nested_ids.items():
        eventually(lambda q=queue: dead_letters(stack, q), f"the nested body in {queue}-dlq")
        reasons[queue] = json.loads(stack.meshctl("--json", "dlq", "show", message_id))["reason"]
    alive = {n: w.process.poll() is None for n, w in stack.workers.items()}
    wait_idle(stack, timeout=600)

    refused = sum("nests" in (r or "") for r in reasons.values())
    record.load = (
        f"a table of {WIDE_COLUMNS} columns; {len(QUEUES_WRITTEN)} bodies nested 100,000 deep"
    )
    record.faults = "denial of service: oversized scan requests, deeply nested JSON"
    record.lost = "0"
    record.duplicated = "0"
    record.consistency = (
        f"wide table synced, repair {report['status']}; {refused}/{len(QUEUES_WRITTEN)} nested "
        f"bodies refused and dead-lettered with a reason; workers alive {all(alive.values())}"
    )
    assert report["status"] == "succeeded", report
    assert refused == len(QUEUES_WRITTEN), reasons
    assert all(alive.values()), alive
    assert dead_letters(stack, "meshcore-catalog-changes").keys() == {
        nested_ids["meshcore-catalog-changes"]
    }
