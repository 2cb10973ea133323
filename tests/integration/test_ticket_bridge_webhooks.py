"""The ticket bridge's decision endpoint over real HTTP: a Jira webhook's status transition
and the generic decision body become a decision signed with the request's terms and posted;
a body whose signature does not hold is refused (401) and nothing is signed or posted."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from meshcore.domain.tickets import TicketLink
from meshcore.messages.commands import AccessDecision, SignedAccessDecision
from meshcore.runtime.metrics import Metrics
from meshcore.settings import TicketBridgeSettings
from ticket_bridge.decisions import DecisionEndpoint, application

DIGEST = "cd" * 32
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
JIRA_SECRET = "jira-webhook-secret"
DECISION_SECRET = "decision-secret"


class Links:
    def __init__(self, *links: TicketLink) -> None:
        self.by_request = {link.request_id: link for link in links}

    async def put(self, link: TicketLink) -> None:
        self.by_request[link.request_id] = link

    async def of_request(self, request_id: str) -> TicketLink | None:
        return self.by_request.get(request_id)

    async def of_ticket(self, ticket_key: str) -> TicketLink | None:
        return next((x for x in self.by_request.values() if x.ticket_key == ticket_key), None)


class Signer:
    def __init__(self) -> None:
        self.signed: list[AccessDecision] = []

    async def sign(self, decision: AccessDecision) -> SignedAccessDecision:
        self.signed.append(decision)
        return SignedAccessDecision(decision=decision, key_id="alias/k", signature="AAAA")


class Approvals:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def send(self, message: Any) -> str:
        self.sent.append(message)
        return "m-1"


class Bridge:
    def __init__(self, endpoint: DecisionEndpoint, url: str, session: ClientSession) -> None:
        self.endpoint = endpoint
        self.url = url
        self.session = session

    @property
    def signer(self) -> Signer:
        assert isinstance(self.endpoint.signer, Signer)
        return self.endpoint.signer

    @property
    def approvals(self) -> Approvals:
        assert isinstance(self.endpoint.approvals, Approvals)
        return self.endpoint.approvals

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(f"{self.url}{path}", data=body, headers=headers) as r:
            return r.status, await r.text()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
async def bridge() -> AsyncIterator[Bridge]:
    endpoint = DecisionEndpoint(
        settings=TicketBridgeSettings(
            jira_webhook_secret=SecretStr(JIRA_SECRET),
            decision_webhook_secret=SecretStr(DECISION_SECRET),
            max_body_bytes=4096,
        ),
        links=Links(
            TicketLink(request_id="req-1", ticket_key="DATA-7", system="jira", terms_digest=DIGEST)
        ),
        signer=Signer(),
        approvals=Approvals(),
        metrics=Metrics(),
        clock=lambda: NOW,
    )
    server = TestServer(application(endpoint), host="127.0.0.1")
    await server.start_server()
    async with ClientSession() as session:
        yield Bridge(endpoint, str(server.make_url("")).rstrip("/"), session)
    await server.close()


def jira_event(to: str = "Approved", key: str = "DATA-7", **more: Any) -> bytes:
    event = {
        "timestamp": 1764064800000,
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": {"accountId": "5b10a2844c20165700ede21g", "emailAddress": "ada@ar.example.com"},
        "issue": {"id": "10007", "key": key, "fields": {"summary": "Data access request req-1"}},
        "changelog": {
            "id": "10100",
            "items": [
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "fieldId": "status",
                    "from": "10000",
                    "fromString": "To Do",
                    "to": "10001",
                    "toString": to,
                }
            ],
        },
        **more,
    }
    return json.dumps(event).encode()


async def test_a_jira_approval_is_signed_with_the_tickets_terms_and_posted(bridge: Bridge) -> None:
    body = jira_event()
    status, text = await bridge.post(
        "/webhooks/jira", body, {"X-Hub-Signature": sign(JIRA_SECRET, body)}
    )
    assert status == 202, text
    (decision,) = bridge.signer.signed
    assert decision.model_dump(mode="json") == {
        "kind": "access.decision",
        "version": 2,
        "request_id": "req-1",
        "ticket_id": "DATA-7",
        "decision": "approve",
        "approver": "ada@ar.example.com",
        "terms_digest": DIGEST,
        "tables": [],
        "sensitive_columns": [],
        "expires_at": None,
        "issued_at": "2026-11-25T10:00:00Z",
    }
    (posted,) = bridge.approvals.sent
    assert posted.decision == decision


async def test_a_jira_rejection_is_a_reject(bridge: Bridge) -> None:
    body = jira_event("Declined")
    status, _ = await bridge.post(
        "/webhooks/jira", body, {"X-Hub-Signature": sign(JIRA_SECRET, body)}
    )
    assert status == 202
    assert [d.decision for d in bridge.signer.signed] == ["reject"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature": "sha256=" + "0" * 64},
        {"X-Hub-Signature": sign("another secret", jira_event())},
        {"X-Hub-Signature": sign(DECISION_SECRET, jira_event())},  # the other endpoint's secret
        {"X-Meshcore-Signature": sign(JIRA_SECRET, jira_event())},  # the wrong header
    ],
    ids=["missing", "zeros", "other-secret", "decision-secret", "wrong-header"],
)
async def test_a_jira_webhook_without_its_signature_is_refused_and_nothing_posted(
    bridge: Bridge, headers: dict[str, str]
) -> None:
    status, _ = await bridge.post("/webhooks/jira", jira_event(), headers)
    assert status == 401
    assert bridge.signer.signed == [] and bridge.approvals.sent == []


async def test_a_signed_body_changed_on_the_way_is_refused(bridge: Bridge) -> None:
    signed = sign(JIRA_SECRET, jira_event("Rejected"))
    status, _ = await bridge.post(
        "/webhooks/jira", jira_event("Approved"), {"X-Hub-Signature": signed}
    )
    assert status == 401
    assert bridge.approvals.sent == []


async def test_without_a_configured_secret_every_body_is_refused(bridge: Bridge) -> None:
    bridge.endpoint.settings = TicketBridgeSettings()
    body = jira_event()
    status, _ = await bridge.post(
        "/webhooks/jira", body, {"X-Hub-Signature": sign(JIRA_SECRET, body)}
    )
    assert status == 401
    assert bridge.approvals.sent == []


async def test_other_jira_changes_and_events_decide_nothing(bridge: Bridge) -> None:
    for body in (
        jira_event("In Progress"),
        json.dumps({"webhookEvent": "comment_created", "issue": {"key": "DATA-7"}}).encode(),
    ):
        status, _ = await bridge.post(
            "/webhooks/jira", body, {"X-Hub-Signature": sign(JIRA_SECRET, body)}
        )
        assert status == 202
    assert bridge.approvals.sent == []


async def test_an_unknown_issue_or_a_user_without_an_address_is_refused(bridge: Bridge) -> None:
    unknown = jira_event(key="DATA-99")
    status, _ = await bridge.post(
        "/webhooks/jira", unknown, {"X-Hub-Signature": sign(JIRA_SECRET, unknown)}
    )
    assert status == 404
    hidden = jira_event(user={"accountId": "5b10a2844c20165700ede21g"})
    status, _ = await bridge.post(
        "/webhooks/jira", hidden, {"X-Hub-Signature": sign(JIRA_SECRET, hidden)}
    )
    assert status == 422
    assert bridge.approvals.sent == []


async def test_a_body_past_the_bound_is_refused_unread(bridge: Bridge) -> None:
    body = jira_event(padding="x" * 5000)
    status, _ = await bridge.post(
        "/webhooks/jira", body, {"X-Hub-Signature": sign(JIRA_SECRET, body)}
    )
    assert status == 413
    assert bridge.approvals.sent == []


def generic(**more: Any) -> bytes:
    return json.dumps(
        {
            "kind": "ticket.decision",
            "version": 1,
            "ticket_key": "DATA-7",
            "request_id": "req-1",
            "decision": "approve",
            "approver": "ada@ar.example.com",
            "sensitive_columns": ["customer_email"],
            **more,
        }
    ).encode()


async def test_a_generic_decision_is_signed_and_posted(bridge: Bridge) -> None:
    body = generic()
    status, text = await bridge.post(
        "/webhooks/decision", body, {"X-Meshcore-Signature": sign(DECISION_SECRET, body)}
    )
    assert status == 202, text
    (decision,) = bridge.signer.signed
    assert decision.sensitive_columns == ["customer_email"]
    assert decision.terms_digest == DIGEST and decision.ticket_id == "DATA-7"


async def test_a_generic_decision_badly_signed_is_refused(bridge: Bridge) -> None:
    body = generic()
    for headers in (
        {},
        {"X-Meshcore-Signature": sign(JIRA_SECRET, body)},
        {"X-Meshcore-Signature": sign(DECISION_SECRET, generic(decision="reject"))},
    ):
        status, _ = await bridge.post("/webhooks/decision", body, headers)
        assert status == 401
    assert bridge.signer.signed == [] and bridge.approvals.sent == []


async def test_a_generic_decision_for_another_request_or_malformed_is_refused(
    bridge: Bridge,
) -> None:
    for body, expected in ((generic(request_id="req-2"), 409), (generic(decision="maybe"), 422)):
        status, _ = await bridge.post(
            "/webhooks/decision", body, {"X-Meshcore-Signature": sign(DECISION_SECRET, body)}
        )
        assert status == expected
    assert bridge.approvals.sent == []
