"""Scenario 7: security under load, one row per attack family. Forged, replayed, expired,
over-scoped and unauthorised decisions are all refused and audited, and grant nothing; a flood
of messages nobody can verify fills the audit trail no faster than its budget (the rest counted
in a summary) and real decisions go on; claims past their bounds are dead-lettered; hostile
names in databases, tables and columns are synced or refused with a clear reason, never a crash or a grant to someone else; a
sensitive column added to a granted table is not read before its review. The portal refuses and
audits forged identities, cross-site forms, views that are not the user's and Unicode-digit
account ids, and links every hostile name to its dataset."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from botocore.exceptions import ClientError

from meshcore.domain.access import AccessRequest, TableName
from meshcore.messages.commands import RevokeCommand, SignedRevokeCommand
from meshcore_devstack.mesh import (
    AR,
    CENTRAL,
    CONSUMER,
    PRODUCERS,
    QUERY_ENGINE_TAG,
    analyst_clients,
    as_central_role,
)
from meshcore_devstack.processes import free_port, start_portal
from meshcore_devstack.query_engine import QueryRefused, select, trust_engine
from meshcore_devstack.sso import LocalSso, local_sso

from ..e2e.test_access import decision, sign
from ..e2e.test_catalog_sync import table
from .access import (
    STABLE,
    approval,
    audit,
    grants_audited,
    open_request,
    requests,
    role,
    stable_tables,
)
from .conftest import Stack, StackFactory, eventually, sizes
from .poison import dead_letters, metric_sum, send
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
    """One body per kind of decision that must be refused; each kind's ticket is FIN-<KIND>."""
    now = datetime.now(UTC)
    stored = AccessRequest.model_validate(requests(stack)[request_id])
    elsewhere = stored.model_copy(
        update={"consumer_account": "666666666666", "principal_arn": None}
    )
    overrides: dict[str, dict[str, Any]] = {
        "expired": {"expires_at": now - timedelta(minutes=1)},
        "over-scoped": {"tables": [TableName.parse(asked), TableName.parse(other)]},
        "unauthorised": {"approver": "mallory@elsewhere.example.com"},
        # The owner's approval of a request whose stored grantee was rewritten afterwards.
        "other-terms": {"terms_digest": elsewhere.terms_digest()},
        "stale": {"issued_at": now - timedelta(hours=25)},
        "future": {"issued_at": now + timedelta(hours=1)},
        "unrequested-columns": {"sensitive_columns": ["customer_email"]},
    }
    bodies = {
        kind: sign(stack, decision(stack, request_id, ticket_id=f"FIN-{kind.upper()}", **change))
        for kind, change in overrides.items()
    }
    forged = json.loads(sign(stack, decision(stack, request_id, ticket_id="FIN-FORGED")))
    forged["decision"]["approver"] = "mallory@elsewhere.example.com"
    return {"forged": json.dumps(forged), **bodies}


def refusals(stack: Stack, request_id: str) -> list[dict[str, Any]]:
    return [e for e in audit(stack, request_id) if e["action"] == "decision.refused"]


def hostile_catalog(stack: Stack) -> dict[str, str]:
    """Each hostile name as a database, a table and a column; what the producer's Glue refused."""
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": "hostile"})
    refused: dict[str, str] = {}
    for i, name in enumerate(HOSTILE):
        attempts: dict[str, Callable[..., object]] = {
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


# The portal: identity, sessions and inputs (one row per attack family). Each hostile request
# must be refused and audited (a `portal.refused` line of its family in the portal's log).
OWNER, PIET = PRODUCERS[0].owner, PRODUCERS[1].owner
ANALYST, MALLORY = "analyst@consumer.example.com", "mallory@elsewhere.example.com"
OPERATOR = "ops@central.example.com"
UNICODE_ACCOUNTS = ["\u0664" * 12, "\uff14" * 12, "4" * 11 + "\u096a"]
RESERVED_NAMES = ["slash/name", "odd?name#1%2F", "semi;colon:and space", "ünïcödé_表"]


class Browser:
    """One cookie jar against the portal over real HTTP (headers may repeat)."""

    def __init__(self, url: str) -> None:
        self.netloc = urlsplit(url).netloc
        self.cookie = ""

    def send(
        self, method: str, path: str, headers: list[tuple[str, str]], form: str = ""
    ) -> tuple[int, str]:
        conn = http.client.HTTPConnection(self.netloc, timeout=30)
        try:
            conn.putrequest(method, path)
            for name, value in headers + ([("Cookie", self.cookie)] if self.cookie else []):
                conn.putheader(name, value)
            if form:
                conn.putheader("Content-Type", "application/x-www-form-urlencoded")
            conn.putheader("Content-Length", str(len(form.encode())))
            conn.endheaders(form.encode())
            answer = conn.getresponse()
            body = answer.read().decode()
            cookie = answer.getheader("set-cookie")
            if cookie:
                self.cookie = cookie.split(";", 1)[0]
            return answer.status, body
        finally:
            conn.close()

    def get(self, path: str, user: str | None) -> tuple[int, str]:
        return self.send("GET", path, list(local_sso().headers(user).items()) if user else [])

    def token(self, user: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/request", user)[1])
        assert found, "no CSRF token on the request form"
        return found.group(1)

    def post(self, path: str, user: str, form: dict[str, str], **headers: str) -> int:
        sent = list(local_sso().headers(user).items()) + [
            (k.replace("_", "-"), v) for k, v in headers.items()
        ]
        return self.send("POST", path, sent, urlencode(form))[0]


def portal_refusals(log: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines():
        if '"portal.refused"' in line:
            family = json.loads(line).get("family", "")
            counts[family] = counts.get(family, 0) + 1
    return counts


def request_form(token: str, account: str = CONSUMER, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "table": "ar__receivables.invoices",
        "consumer_account": account,
        "principal_arn": "",
        "purpose": "dashboards",
        "duration_days": "30",
        **changes,
    }


def forged_identities() -> dict[str, list[tuple[str, str]]]:
    """Every way to claim to be the AR data owner without the proxy's signature."""
    header = "x-amzn-oidc-data"
    sso, other = local_sso(), LocalSso()
    exp = int(time.time()) + 300

    def unsigned(alg: str, secret: bytes = b"") -> str:
        def part(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

        head = {"alg": alg, "kid": sso.key_id, "signer": sso.signer}
        signing_input = f"{part(head)}.{part({'email': OWNER, 'exp': exp})}"
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest() if secret else b""
        return f"{signing_input}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"

    return {
        "unsigned X-Forwarded-User": [("X-Forwarded-User", OWNER)],
        "not a JWT": [(header, OWNER)],
        "another key": [(header, other.token(OWNER))],
        "another load balancer": [(header, sso.token(OWNER, signer=sso.signer + "-evil"))],
        "expired": [(header, sso.token(OWNER, lifetime=-120))],
        "alg none": [(header, unsigned("none"))],
        "HS256 keyed with the public key": [(header, unsigned("HS256", sso.public_pem.encode()))],
        "repeated header": [(header, sso.token(ANALYST)), (header, sso.token(OWNER))],
    }


def attack_identity(browser: Browser, url: str) -> tuple[int, int, str]:
    sent = refused = 0
    for _what, headers in forged_identities().items():
        for path in ("/", "/review", "/requests") * COPIES:
            status, body = browser.send("GET", path, headers)
            sent += 1
            refused += status == 401 and OWNER not in body
    assert browser.get("/review", OWNER)[0] == 200  # the proxy's own signature still works
    return sent, refused, f"{len(forged_identities())} forgeries on 3 pages x{COPIES}"


def attack_cross_site(browser: Browser, url: str) -> tuple[int, int, str]:
    attempts: list[Callable[[], int]] = []
    for _ in range(COPIES):
        attempts += [
            lambda: browser.post(
                "/request",
                ANALYST,
                request_form(browser.token(ANALYST)),
                Origin="https://evil.example",
            ),
            lambda: browser.post(
                "/request", ANALYST, request_form(browser.token(ANALYST)), Origin="null"
            ),
            lambda: browser.post(
                "/request",
                ANALYST,
                request_form(browser.token(ANALYST)),
                Sec_Fetch_Site="cross-site",
            ),
            # The same cookie, another user's token.
            lambda: browser.post("/request", ANALYST, request_form(browser.token(OWNER))),
            # Another session's token.
            lambda: browser.post("/request", ANALYST, request_form(Browser(url).token(ANALYST))),
            lambda: browser.post("/request", ANALYST, request_form("")),
        ]
    refused = sum(attempt() == 403 for attempt in attempts)
    return (
        len(attempts),
        refused,
        f"6 forged forms x{COPIES} (foreign Origin, null Origin, Sec-Fetch-Site, another user's or session's token, none)",
    )


def attack_unauthorised(browser: Browser, url: str) -> tuple[int, int, str]:
    sent = refused = 0
    for user in (ANALYST, MALLORY) * COPIES:
        status, body = browser.get("/operations", user)
        sent += 1
        refused += status == 403 and "meshcore-catalog-changes" not in body
    for user in (OWNER, PIET, OPERATOR):
        assert browser.get("/operations", user)[0] == 200, user
    dataset = "/datasets/ar__receivables/invoices"
    hidden = [
        u for u in (ANALYST, MALLORY, PIET) if 'id="access-hidden"' in browser.get(dataset, u)[1]
    ]
    assert len(hidden) == 3, hidden
    assert 'id="access-hidden"' not in browser.get(dataset, OWNER)[1]
    return (
        sent,
        refused,
        f"operations as 2 non-owners x{COPIES}; access lists hidden from {len(hidden)}/3",
    )


def attack_unicode_digits(browser: Browser, url: str) -> tuple[int, int, str]:
    sent = refused = 0
    for account in UNICODE_ACCOUNTS * COPIES:
        for form in (
            request_form(browser.token(ANALYST), account),
            request_form(browser.token(ANALYST), principal_arn=f"arn:aws:iam::{account}:role/a"),
            request_form(browser.token(ANALYST), duration_days="\u0663\u0660"),
        ):
            sent += 1
            refused += browser.post("/request", ANALYST, form) == 400
    return (
        sent,
        refused,
        f"{len(UNICODE_ACCOUNTS)} Unicode-digit accounts as account, role ARN and days x{COPIES}",
    )


ATTACKS: dict[str, Callable[[Browser, str], tuple[int, int, str]]] = {
    "identity": attack_identity,
    "cross-site": attack_cross_site,
    "unauthorised": attack_unauthorised,
    "input": attack_unicode_digits,
}


def central_invoices(stack: Stack, names: list[str]) -> None:
    """The AR table (and tables named `names`) straight in the central catalog."""
    glue = stack.client("glue")
    glue.create_database(DatabaseInput={"Name": "ar__receivables"})
    for name in ["invoices", *names]:
        glue.create_table(
            DatabaseName="ar__receivables", TableInput=table(name, [("id", "string")], False)
        )


@pytest.mark.parametrize("family", [*ATTACKS, "links"])
def test_hostile_portal_requests_are_refused_and_audited(
    stack_factory: StackFactory, record: Row, tmp_path: Path, family: str
) -> None:
    stack = stack_factory(sync_workers=0, classifier=False, grant_worker=False)
    central_invoices(stack, RESERVED_NAMES if family == "links" else [])
    portal, url = start_portal(
        {**as_central_role(stack.env, "portal", "portal"), "MESHCORE_LOG_JSON": "true"},
        tmp_path / "portal",
        free_port(),
        catalog_max_age_seconds="0",
        operators=json.dumps([OPERATOR]),
    )
    try:
        browser = Browser(url)
        if family == "links":
            catalog = browser.get("/?domain=ar", ANALYST)[1]
            links = set(re.findall(r'<a href="(/datasets/[^"]+)">', catalog))
            opened = 0
            for name in RESERVED_NAMES:
                link = "/datasets/ar__receivables/" + quote(name, safe="")
                status, page = browser.get(link, ANALYST)
                opened += (
                    link in links and status == 200 and f">ar__receivables.{escape(name)}<" in page
                )
            record.load = (
                f"{len(RESERVED_NAMES)} central tables named with /, ?, #, %, ;, :, space, unicode"
            )
            record.faults = "hostile names in the portal's links"
            record.lost = record.duplicated = "0"
            record.consistency = f"{opened}/{len(RESERVED_NAMES)} catalog links open their dataset"
            assert opened == len(RESERVED_NAMES)
            return
        sent, refused, load = ATTACKS[family](browser, url)
        created = json.loads(stack.meshctl("--json", "requests"))
    finally:
        assert portal.stop() == 0
    audited = portal_refusals(portal.log_path).get(family, 0)
    record.load = load
    record.faults = f"hostile portal requests: {family}"
    record.lost = "0"
    record.duplicated = f"{len(created)} requests created"
    record.consistency = f"{min(refused, audited)}/{sent} {family} attacks refused and audited"
    assert refused == sent, (refused, sent)
    assert audited == sent, (audited, sent)
    assert created == []


@pytest.mark.parametrize("changes", sizes(300, smoke=False))
def test_hostile_decisions_and_names_are_refused_or_handled(
    stack_factory: StackFactory,
    record: Row,
    family_record: Callable[[str], Row],
    changes: int,
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
    audited = {rid: refusals(stack, rid) for rid in wanted}
    refused = {rid: len(entries) for rid, entries in audited.items()}
    sent = {rid: sum(1 for r, _k, _b in burst if r == rid) for rid in wanted}
    # One row per attack family: refused and audited / sent (a family's ticket is FIN-<KIND>).
    kinds = Counter(kind for _r, kind, _b in burst)
    tickets = Counter(e["details"].get("ticket_id") for es in audited.values() for e in es)
    families = {
        kind: f"{tickets['FIN-OK' if kind == 'replayed' else f'FIN-{kind.upper()}']}/{n}"
        for kind, n in sorted(kinds.items())
    }
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

    for kind, counts in families.items():
        row = family_record(f"decision {kind}")
        row.load = (
            f"{kinds[kind] // COPIES} {kind} decisions x{COPIES}, shuffled into "
            f"{len(burst)} hostile decisions and {workload.total} Glue changes"
        )
        row.faults = f"hostile decisions: {kind}"
        row.lost = "0"
        row.duplicated = f"{len(twice)} double grants"
        row.consistency = (
            f"{counts} {kind} decisions refused and audited, "
            f"{len(wrongly_granted)} requests wrongly granted"
        )
    record.load = (
        f"{len(burst)} hostile decisions ({len(hostile)} distinct x{COPIES}: "
        f"{', '.join(sorted(kinds))}, one row each) on {REQUESTS} requests; {workload.total} "
        f"Glue changes; {len(HOSTILE)} hostile names as databases, tables and columns"
    )
    record.faults = "hostile decisions (all families); hostile names; sensitive columns added"
    record.lost = "0"
    record.duplicated = f"{len(twice)} double grants"
    record.consistency = (
        f"{sum(min(refused[r], sent[r]) for r in wanted)}/{sum(sent.values())} hostile decisions "
        f"refused and audited, "
        f"{len(wrongly_granted)} wrongly granted; names: "
        f"{sum(v == 'synced' for v in outcome.values())}/{len(outcome)} synced, "
        f"{sum(v.startswith('producer') for v in outcome.values())} refused by Glue, "
        f"{sum(v.startswith('dead') for v in outcome.values())} dead-lettered with a reason; "
        f"sensitive columns added to granted tables: "
        f"{sum(v == 'refused' for v in sneaked.values())}/{len(sneaked)} refused before review; "
        f"workers alive {all(alive.values())}"
    )
    record.details = {
        "names": outcome,
        "reasons": reasons,
        "refused_by_family": families,
        "sneaked_columns": sneaked,
    }
    assert short == {}
    assert all(a == b for a, b in (v.split("/") for v in families.values())), families
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
        eventually(partial(dead_letters, stack, queue), f"the nested body in {queue}-dlq")
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


def test_unsigned_and_forged_revokes_are_refused_and_audited(
    stack_factory: StackFactory, record: Row
) -> None:
    """The "unsigned revoke" family: operator revokes posted without the operator role's
    signature (bare, or with a MAC the revocation key did not make) revoke nothing and are each
    audited; `meshctl revoke` still works."""
    stack = stack_factory()
    onboard_treasury(stack)
    (table,) = stable_tables(stack, 1)
    granted = open_request(stack, [table], role(0))
    send(stack, "meshcore-approvals", sign(stack, decision(stack, granted, ticket_id="FIN-OK")))
    eventually(lambda: requests(stack)[granted]["grants_applied"], "the grant")
    bare = RevokeCommand(request_id=granted, requested_by="mallory@elsewhere.example.com")
    decision_mac = json.loads(sign(stack, decision(stack, granted, decision="revoke")))
    forged = SignedRevokeCommand(
        revoke=bare, key_id="alias/meshcore-revocations", signature=decision_mac["signature"]
    )
    bodies = [bare.model_dump_json(), forged.model_dump_json()] * COPIES
    for body in bodies:
        send(stack, "meshcore-approvals", body)
    wait_idle(stack, timeout=120)
    refused = [
        e
        for e in refusals(stack, granted)
        if e["details"].get("decision") == "revoke"
        and e["details"]["reason"] == "invalid signature"
    ]
    still = requests(stack)[granted]["state"]
    stack.meshctl("revoke", granted, "--by", "ops@central.example.com")
    eventually(lambda: requests(stack)[granted]["state"] == "revoked", "the signed revoke")

    record.load = f"{len(bodies)} unsigned or forged revokes of a granted request"
    record.faults = "unsigned revoke: bare and with a decision key's MAC"
    record.lost = "0"
    record.duplicated = "0"
    record.consistency = (
        f"unsigned revoke {min(len(refused), len(bodies))}/{len(bodies)} refused and audited; "
        f"request {still} until `meshctl revoke`"
    )
    assert len(refused) == len(bodies)
    assert still == "granted"


# The audit flood: whoever can post to the approvals queue sends messages nobody can verify
# (forged decisions, revokes of requests that do not exist) as fast as SQS takes them. Each is
# refused; the audit trail takes at most the budget of them a minute and a summary of the rest.
FLOOD_BUDGET = 20


def audit_entries(stack: Stack) -> list[dict[str, Any]]:
    """Every entry of the audit trail (the table scanned; the chain's head item left out)."""
    items: list[dict[str, Any]] = []
    for page in stack.client("dynamodb").get_paginator("scan").paginate(TableName="meshcore-audit"):
        items += page["Items"]
    return [
        {
            "subject": i["subject"]["S"],
            "action": i["action"]["S"],
            "details": json.loads(i["details"]["S"]),
            "at": datetime.fromisoformat(i["at"]["S"].split("#")[0]),
        }
        for i in items
        if "action" in i
    ]


def send_all(stack: Stack, bodies: list[str]) -> None:
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName="meshcore-approvals")["QueueUrl"]
    for start in range(0, len(bodies), 10):
        entries = [
            {"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies[start : start + 10])
        ]
        assert not sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")


def flood_bodies(count: int) -> list[str]:
    """`count` messages nobody can verify: forged decisions (three in four) and revokes of
    requests that do not exist, each for a request of its own."""
    now = datetime.now(UTC)
    bodies = []
    for i in range(count):
        if i % 4 == 3:
            revoke = {
                "kind": "access.revoke",
                "version": 2,  # unsigned: refused like a forged decision
                "request_id": f"req-gone-{i}",
                "requested_by": "mallory@elsewhere.example.com",
            }
            bodies.append(json.dumps(revoke))
            continue
        forged = {
            "kind": "access.signed-decision",
            "version": 2,
            "decision": {
                "kind": "access.decision",
                "version": 2,
                "request_id": f"req-flood-{i}",
                "ticket_id": "FIN-FLOOD",
                "decision": "approve",
                "approver": "mallory@elsewhere.example.com",
                "terms_digest": "0" * 64,
                "issued_at": now.isoformat(),
            },
            "key_id": "alias/meshcore-decisions",
            "signature": base64.b64encode(bytes(32)).decode(),
        }
        bodies.append(json.dumps(forged))
    return bodies


def oversized_bodies() -> dict[str, str]:
    """A claim over its bound in each field grant-worker audits before verifying anything."""
    bodies = json.loads(flood_bodies(1)[0]), json.loads(flood_bodies(4)[3])
    decision_body, revoke_body = bodies
    out = {}
    for field, size in (("request_id", 129), ("ticket_id", 129), ("approver", 257)):
        body = json.loads(json.dumps(decision_body))
        body["decision"][field] = "x" * size
        out[f"decision {field}"] = json.dumps(body)
    for field, size in (("request_id", 129), ("requested_by", 257), ("reason", 100_000)):
        out[f"revoke {field}"] = json.dumps({**revoke_body, field: "x" * size})
    return out


@pytest.mark.parametrize("flood", sizes(300, smoke=False))
def test_an_audit_flood_is_bounded_and_real_decisions_go_on(
    stack_factory: StackFactory,
    record: Row,
    family_record: Callable[[str], Row],
    flood: int,
) -> None:
    flood = max(flood, 4 * FLOOD_BUDGET)
    stack = stack_factory(
        classifier=False, settings={"MESHCORE_UNVERIFIED_AUDIT_PER_MINUTE": str(FLOOD_BUDGET)}
    )
    tables = stable_tables(stack, 4)
    real = [open_request(stack, [t], role(i)) for i, t in enumerate(tables)]
    oversized = {
        what: send(stack, "meshcore-approvals", body) for what, body in oversized_bodies().items()
    }
    send_all(stack, flood_bodies(flood))
    # Real decisions while the budget is spent: verified, on requests that exist, not budgeted.
    for rid in real[:2]:
        send(stack, "meshcore-approvals", approval(stack, rid, ticket_id="FIN-REAL"))
    eventually(
        lambda: all(requests(stack)[r]["grants_applied"] for r in real[:2]),
        "the real grants sent during the flood",
        timeout=300,
    )
    flooded = ("request/req-flood-", "request/req-gone-")

    def refused_entries() -> list[dict[str, Any]]:
        return [
            e
            for e in audit_entries(stack)
            if e["action"] == "decision.refused" and e["subject"].startswith(flooded)
        ]

    eventually(lambda: stack.queue_idle("meshcore-approvals"), "the flood handled", timeout=600)
    audited = refused_entries()
    first = min(e["at"] for e in audited)
    # After the minute of the first refusal audited, more real decisions: the summary of what
    # was left out comes first.
    time.sleep(max(0.0, (first + timedelta(seconds=61) - datetime.now(UTC)).total_seconds()))
    for rid in real[2:]:
        send(stack, "meshcore-approvals", approval(stack, rid, ticket_id="FIN-REAL"))
    eventually(
        lambda: all(requests(stack)[r]["grants_applied"] for r in real),
        "the real grants sent after the flood",
        timeout=300,
    )
    entries = audit_entries(stack)
    audited = [
        e for e in entries if e["action"] == "decision.refused" and e["subject"].startswith(flooded)
    ]
    summaries = [e for e in entries if e["action"] == "decision.refused.suppressed"]
    suppressed = sum(e["details"]["suppressed"] for e in summaries)
    # Budgets a minute each, from the first refusal audited: the flood may outlast the first.
    span = max(e["at"] for e in audited) - first
    minutes = 1 + int(span.total_seconds() // 60)
    granted_once = grants_audited(stack, real)
    refused_metric = eventually(
        lambda: (n := metric_sum(stack, "DecisionsRefused", Worker="grant-worker")) >= flood and n,
        "every refusal counted in DecisionsRefused",
    )
    letters = dead_letters(stack, "meshcore-approvals")
    reasons = {
        what: json.loads(stack.meshctl("--json", "dlq", "show", mid))["reason"]
        for what, mid in oversized.items()
        if mid in letters
    }
    alive = stack.workers["grant-worker"].process.poll() is None

    record.load = (
        f"{flood} unverified messages ({flood - flood // 4} forged decisions, {flood // 4} "
        f"revokes of unknown requests) in SQS batches, budget {FLOOD_BUDGET} audit entries a "
        f"minute; {len(real)} real approvals during and after it"
    )
    record.faults = "hostile decisions: audit flood"
    record.lost = "0"
    record.duplicated = f"{sum(n != 1 for n in granted_once.values())} double grants"
    record.consistency = (
        f"{len(audited) + suppressed}/{flood} audit flood messages refused and audited "
        f"({len(audited)} entries in {minutes} minute(s), {suppressed} in {len(summaries)} "
        f"summary entries); {int(refused_metric)} counted in DecisionsRefused; "
        f"{sum(n == 1 for n in granted_once.values())}/{len(real)} real decisions granted and "
        f"audited; grant-worker alive {alive}"
    )
    record.details = {"summaries": [e["details"] for e in summaries]}
    assert len(audited) <= FLOOD_BUDGET * minutes, (len(audited), minutes)
    assert 1 <= len(summaries) <= minutes, summaries
    assert len(audited) + suppressed == flood, (len(audited), suppressed)
    assert granted_once == {r: 1 for r in real}, granted_once
    assert alive

    row = family_record("oversized claims")
    row.load = f"{len(oversized)} bodies, one claimed field each past its bound"
    row.faults = "hostile decisions: oversized claims (request, ticket, approver, reason)"
    row.lost = row.duplicated = "0"
    refused = sum("at most" in (r or "") for r in reasons.values())
    row.consistency = (
        f"{refused}/{len(oversized)} oversized claims refused as malformed and dead-lettered "
        f"with the reason, none audited"
    )
    assert refused == len(oversized), reasons
    oversized_audited = [e for e in entries if len(e["subject"]) > 200 or "x" * 129 in str(e)]
    assert oversized_audited == []
