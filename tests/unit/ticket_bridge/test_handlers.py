"""The ticket bridge's handlers: one ticket per request (a redelivered message opens none),
its link keeps the terms the ticket showed; outcomes become comments, other notices do not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from meshcore.domain.access import TableName
from meshcore.messages.commands import AccessNotification, TicketRequest
from meshcore.runtime.metrics import Metrics
from ticket_bridge.content import comment_of, opened
from ticket_bridge.handlers import BridgeDependencies, on_ticket, on_update

from ...fakes.tickets import FakeTicketLinks, FakeTicketSystem

TICKET = TicketRequest(
    request_id="req-1",
    consumer_account="444455556666",
    tables=[TableName(database="ar__receivables", table="invoices")],
    purpose="revenue",
    duration_days=30,
    owners=["ada@ar.example.com"],
    created_at=datetime(2026, 11, 25, tzinfo=UTC),
    terms_digest="ef" * 32,
    requested_by="analyst@consumer.example.com",
)


@pytest.fixture
def deps() -> BridgeDependencies:
    return BridgeDependencies(
        system=FakeTicketSystem(),
        links=FakeTicketLinks(),
        metrics=Metrics(),
        portal_base_url="https://portal.example.com/",
    )


def system(deps: BridgeDependencies) -> FakeTicketSystem:
    assert isinstance(deps.system, FakeTicketSystem)
    return deps.system


async def test_a_ticket_is_opened_once_and_its_terms_recorded(deps: BridgeDependencies) -> None:
    link = await on_ticket(TICKET, deps)
    again = await on_ticket(TICKET, deps)
    assert again == link and len(system(deps).opened) == 1
    assert link.ticket_key == "FAKE-1" and link.terms_digest == TICKET.terms_digest
    assert await deps.links.of_ticket("FAKE-1") == link


def test_the_ticket_links_each_table_to_its_page_and_says_who_and_why() -> None:
    body = opened(
        TICKET.model_copy(update={"pending_columns": {"ar__receivables.invoices": ["email"]}}),
        "https://portal.example.com/",
    )
    assert body.tables[0].link == "https://portal.example.com/datasets/ar__receivables.invoices"
    assert body.tables[0].pending_columns == ["email"]
    for fact in ("analyst@consumer.example.com", "revenue", "444455556666", "30 days", "email"):
        assert fact in body.description


def test_a_domain_request_links_the_domain() -> None:
    body = opened(TICKET.model_copy(update={"tables": [], "domain": "ar"}), "https://p.example")
    assert body.domain_link == "https://p.example/?domain=ar"
    assert "domain ar" in body.summary


@pytest.mark.parametrize(
    ("state", "reason", "text"),
    [
        ("granted", "", "Access granted."),
        ("rejected", "not for this purpose", "Request rejected: not for this purpose"),
        ("revoked", "revoked by operator", "Access revoked: revoked by operator"),
        ("expired", "", "Access expired."),
        ("pending", "decision refused: stale", "The decision was not applied: stale"),
    ],
)
async def test_outcomes_are_commented(
    deps: BridgeDependencies, state: str, reason: str, text: str
) -> None:
    await on_ticket(TICKET, deps)
    await on_update(
        AccessNotification(
            request_id="req-1", consumer_account="444455556666", state=state, reason=reason
        ),
        deps,
    )
    assert [(c.ticket_key, c.state, c.text) for c in system(deps).comments] == [
        ("FAKE-1", state, text)
    ]


async def test_routing_warnings_and_requests_without_a_ticket_are_not_commented(
    deps: BridgeDependencies,
) -> None:
    routed = AccessNotification(
        request_id="req-1", consumer_account="444455556666", state="pending", reason="routed"
    )
    warning = routed.model_copy(update={"state": "granted", "expiring_in_days": 3})
    await on_update(routed.model_copy(update={"state": "granted"}), deps)  # no ticket yet
    await on_ticket(TICKET, deps)
    await on_update(routed, deps)
    await on_update(warning, deps)
    assert system(deps).comments == []
    assert comment_of(warning, "K") is None
