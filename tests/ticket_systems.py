"""Ticket systems on a local port: stdlib HTTP servers on a thread that hold every request body
to the vendor's published description of it, never to meshcore's own expectations: Jira Cloud
(tests/ticket_schemas/jira-platform-v3.excerpt.schema.json), ServiceNow's Table API
(tests/ticket_schemas/servicenow-table.excerpt.schema.json) and the generic JSON webhook
(contracts/ticket-webhook-*.v1.schema.json). A body the description rejects is answered 400
with the first violation, as the real service refuses it, and kept in `refused`; the
credentials are checked as each system checks them (401 otherwise)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from .local_servers import LocalHttpServer, QuietHandler, violations

ROOT = Path(__file__).parents[1]
SCHEMAS = Path(__file__).parent / "ticket_schemas"


@cache
def _document(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    return schema


def validator(path: Path, definition: str | None = None) -> Draft202012Validator:
    """The validator of `path`, or of one of its `$defs` (references resolve in the file)."""
    schema = _document(path)
    if definition is None:
        return Draft202012Validator(schema)
    return Draft202012Validator({**schema, "$ref": f"#/$defs/{definition}"})


JIRA = SCHEMAS / "jira-platform-v3.excerpt.schema.json"
SERVICENOW = SCHEMAS / "servicenow-table.excerpt.schema.json"
CONTRACTS = ROOT / "contracts"


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes


@dataclass
class Answer:
    status: int
    body: Any = None


class _Server(LocalHttpServer):
    """One local HTTP server; `route(call)` answers (after the body is validated)."""

    def __init__(self) -> None:
        self.accepted: list[Call] = []
        self.refused: list[tuple[Call, list[str]]] = []
        self.fail_next: list[int] = []  # statuses to answer the next calls with, first first
        server = self

        class Handler(QuietHandler):
            def _any(self) -> None:
                raw = self.body()
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                call = Call(self.command, self.path, dict(self.headers.items()), body, raw)
                answer = server.handle(call)
                data = b"" if answer.body is None else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = _any

        self.serve(Handler)

    @property
    def url(self) -> str:
        return self.origin

    def handle(self, call: Call) -> Answer:
        if self.fail_next:
            return Answer(self.fail_next.pop(0), {"errorMessages": ["try again"]})
        if "application/json" not in call.headers.get("Content-Type", "application/json"):
            return self._refuse(call, ["Content-Type is not application/json"])
        return self.route(call)

    def _refuse(self, call: Call, problems: list[str], status: int = 400) -> Answer:
        self.refused.append((call, problems))
        return Answer(status, {"errorMessages": problems})

    def _check(self, call: Call, check: Draft202012Validator, ok: Answer) -> Answer:
        if call.body is None and call.raw:
            return self._refuse(call, ["not JSON"])
        problems = violations(check, call.body)
        if problems:
            return self._refuse(call, problems)
        self.accepted.append(call)
        return ok

    def route(self, call: Call) -> Answer:
        raise NotImplementedError


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class Issue:
    key: str
    fields: dict[str, Any]
    comments: list[dict[str, Any]] = field(default_factory=list)
    transitions: list[str] = field(default_factory=list)


class FakeJira(_Server):
    """Jira Cloud's issue, comment and transition endpoints (REST v3), basic auth with an
    account's e-mail and API token."""

    TRANSITIONS = [{"id": "21", "name": "Approved"}, {"id": "31", "name": "Done"}]

    def __init__(self, email: str = "bot@example.com", token: str = "jira-token") -> None:  # noqa: S107 (a test credential)
        self.auth = basic(email, token)
        self.issues: dict[str, Issue] = {}
        self._ids = itertools.count(1)
        super().__init__()

    def route(self, call: Call) -> Answer:
        if call.headers.get("Authorization") != self.auth:
            return self._refuse(call, ["Client must be authenticated"], 401)
        if call.method == "POST" and call.path == "/rest/api/3/issue":
            n = next(self._ids)
            key = f"{(call.body or {}).get('fields', {}).get('project', {}).get('key', 'X')}-{n}"
            answer = self._check(
                call,
                validator(JIRA, "IssueUpdateDetails"),
                Answer(
                    201,
                    {
                        "id": str(10000 + n),
                        "key": key,
                        "self": f"{self.url}/rest/api/3/issue/{10000 + n}",
                    },
                ),
            )
            if answer.status == 201:
                self.issues[key] = Issue(key, call.body["fields"])
            return answer
        found = re.fullmatch(r"/rest/api/3/issue/([^/]+)/(comment|transitions)", call.path)
        if not found or found.group(1) not in self.issues:
            return self._refuse(call, [f"no such issue or resource: {call.path}"], 404)
        issue = self.issues[found.group(1)]
        if found.group(2) == "comment" and call.method == "POST":
            answer = self._check(call, validator(JIRA, "Comment"), Answer(201, {"id": "1"}))
            if answer.status == 201:
                issue.comments.append(call.body["body"])
            return answer
        if found.group(2) == "transitions" and call.method == "GET":
            return Answer(200, {"transitions": self.TRANSITIONS})
        if found.group(2) == "transitions" and call.method == "POST":
            answer = self._check(call, validator(JIRA, "IssueUpdateDetails"), Answer(204))
            if answer.status == 204:
                issue.transitions.append(call.body["transition"]["id"])
            return answer
        return self._refuse(call, [f"{call.method} {call.path} is not allowed"], 405)


def adf_text(doc: dict[str, Any]) -> str:
    """The text of an ADF document, its text nodes joined."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                out.append(str(node.get("text", "")))
            for child in node.get("content", []):
                walk(child)

    walk(doc)
    return " ".join(out)


class FakeServiceNow(_Server):
    """ServiceNow's Table API: create a record, update (comment on) it; basic auth."""

    def __init__(
        self,
        table: str = "sc_request",
        user: str = "meshcore",
        password: str = "pw",  # noqa: S107 (a test credential)
    ) -> None:
        self.table = table
        self.auth = basic(user, password)
        self.records: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        super().__init__()

    def route(self, call: Call) -> Answer:
        if call.headers.get("Authorization") != self.auth:
            return self._refuse(call, ["User Not Authenticated"], 401)
        base = f"/api/now/table/{self.table}"
        record = validator(SERVICENOW, "Record")
        if call.method == "POST" and call.path == base:
            n = next(self._ids)
            sys_id = hashlib.md5(str(n).encode()).hexdigest()  # noqa: S324 (an id, not a secret)
            answer = self._check(
                call, record, Answer(201, {"result": {"sys_id": sys_id, "number": f"REQ{n:07d}"}})
            )
            if answer.status == 201:
                self.records[sys_id] = dict(call.body)
            return answer
        found = re.fullmatch(rf"{base}/([0-9a-f]{{32}})", call.path)
        if call.method == "PATCH" and found and found.group(1) in self.records:
            answer = self._check(call, record, Answer(200, {"result": {"sys_id": found.group(1)}}))
            if answer.status == 200:
                self.records[found.group(1)].setdefault("journal", []).append(
                    call.body.get("comments", "")
                )
            return answer
        return self._refuse(call, [f"{call.method} {call.path}: no such record"], 404)


class FakeTicketWebhook(_Server):
    """The generic JSON webhook's receiving end: each body held to its published contract
    (by `kind`), a bearer token and/or the HMAC signature checked when configured."""

    def __init__(self, token: str | None = None, secret: str | None = None) -> None:
        self.token = token
        self.secret = secret
        self.tickets: dict[str, dict[str, Any]] = {}
        self.comments: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        super().__init__()

    def route(self, call: Call) -> Answer:
        if self.token is not None and call.headers.get("Authorization") != f"Bearer {self.token}":
            return self._refuse(call, ["bad bearer token"], 401)
        if self.secret is not None:
            expected = (
                "sha256=" + hmac.new(self.secret.encode(), call.raw, hashlib.sha256).hexdigest()
            )
            if not hmac.compare_digest(call.headers.get("X-Meshcore-Signature", ""), expected):
                return self._refuse(call, ["bad signature"], 401)
        kind = (call.body or {}).get("kind") if isinstance(call.body, dict) else None
        contract = {
            "ticket.open": "ticket-webhook-open.v1",
            "ticket.comment": "ticket-webhook-comment.v1",
        }
        if kind not in contract:
            return self._refuse(call, [f"kind: {kind!r} is not a ticket webhook body"])
        check = validator(CONTRACTS / f"{contract[kind]}.schema.json")
        if kind == "ticket.open":
            key = f"GEN-{next(self._ids)}"
            answer = self._check(call, check, Answer(201, {"ticket_key": key}))
            if answer.status == 201:
                self.tickets[key] = call.body
            return answer
        answer = self._check(call, check, Answer(204))
        if answer.status == 204:
            self.comments.append(call.body)
        return answer
