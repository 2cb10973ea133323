"""The ticket bridge's adapters against local ticket systems that hold every body to the
vendor's published description (tests/ticket_systems.py): Jira Cloud REST v3 with ADF, the
ServiceNow Table API, the generic JSON webhook's contracts. A body the description rejects
fails the call: the mutation tests make the bridge send one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from meshcore.domain.access import TableName
from meshcore.domain.errors import PermanentError, RetryableError
from meshcore.messages.commands import AccessNotification, TicketRequest
from meshcore.messages.tickets import TicketComment, TicketOpened
from meshcore.settings import TicketBridgeSettings
from ticket_bridge import adapters
from ticket_bridge.adapters import JiraTickets, ServiceNowTickets, WebhookTickets
from ticket_bridge.content import comment_of, opened

from ..ticket_systems import FakeJira, FakeServiceNow, FakeTicketWebhook, adf_text

DIGEST = "ab" * 32
TICKET = TicketRequest(
    request_id="req-1",
    consumer_account="444455556666",
    principal_arn="arn:aws:iam::444455556666:role/analyst",
    tables=[TableName(database="ar__receivables", table="invoices")],
    columns=["customer_email", "amount"],
    purpose="Quarterly revenue & churn <analysis>",
    duration_days=30,
    owners=["ada@ar.example.com"],
    created_at=datetime(2026, 11, 25, 10, tzinfo=UTC),
    terms_digest=DIGEST,
    pending_columns={"ar__receivables.invoices": ["customer_email"]},
    requested_by="analyst@consumer.example.com",
)
PORTAL = "https://portal.example.com"


def granted(key: str) -> TicketComment:
    n = AccessNotification(
        request_id="req-1",
        consumer_account="444455556666",
        state="granted",
        expires_at=datetime(2026, 12, 25, tzinfo=UTC),
    )
    comment = comment_of(n, key)
    assert comment is not None
    return comment


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as s:
        yield s


def jira_settings(jira: FakeJira, **more: Any) -> TicketBridgeSettings:
    return TicketBridgeSettings(
        adapter="jira",
        jira_base_url=jira.url,
        jira_email="bot@example.com",
        jira_api_token=SecretStr("jira-token"),
        jira_project="DATA",
        **more,
    )


# -- Jira ---------------------------------------------------------------------------------------


async def test_jira_opens_an_issue_the_description_accepts_with_what_the_owner_needs(
    session: aiohttp.ClientSession,
) -> None:
    with FakeJira() as jira:
        key = await JiraTickets(session, jira_settings(jira)).open(opened(TICKET, PORTAL))
        assert jira.refused == []
    assert key == "DATA-1"
    fields = jira.issues[key].fields
    assert fields["project"] == {"key": "DATA"} and fields["issuetype"] == {"name": "Task"}
    assert "req-1" in fields["summary"] and "analyst@consumer.example.com" in fields["summary"]
    text = adf_text(fields["description"])
    for fact in (
        "analyst@consumer.example.com",
        "Quarterly revenue & churn <analysis>",
        "444455556666",
        "arn:aws:iam::444455556666:role/analyst",
        "30 days",
        "ar__receivables.invoices",
        "customer_email",
        "ada@ar.example.com",
    ):
        assert fact in text, fact
    links = [
        m["attrs"]["href"]
        for block in fields["description"]["content"]
        for item in block.get("content", [])
        for para in item.get("content", [])
        for node in para.get("content", [])
        for m in node.get("marks", [])
    ]
    assert f"{PORTAL}/datasets/ar__receivables.invoices" in links


async def test_jira_comments_and_moves_the_issue_when_access_ends(
    session: aiohttp.ClientSession,
) -> None:
    with FakeJira() as jira:
        system = JiraTickets(session, jira_settings(jira, jira_close_transition="done"))
        key = await system.open(opened(TICKET, PORTAL))
        await system.comment(granted(key))
        revoked = AccessNotification(
            request_id="req-1", consumer_account="444455556666", state="revoked", reason="by ops"
        )
        comment = comment_of(revoked, key)
        assert comment is not None
        await system.comment(comment)
        assert jira.refused == []
    issue = jira.issues[key]
    assert [adf_text(c) for c in issue.comments] == [
        "Access granted until 2026-12-25 00:00 UTC.",
        "Access revoked: by ops",
    ]
    assert issue.transitions == ["31"]


async def test_jira_refuses_wrong_credentials_for_good_and_asks_again_on_5xx(
    session: aiohttp.ClientSession,
) -> None:
    with FakeJira(token="another") as jira, pytest.raises(PermanentError, match="401"):
        await JiraTickets(session, jira_settings(jira)).open(opened(TICKET, PORTAL))
    with FakeJira() as jira:
        jira.fail_next = [503]
        with pytest.raises(RetryableError, match="503"):
            await JiraTickets(session, jira_settings(jira)).open(opened(TICKET, PORTAL))


async def test_mutation_an_empty_adf_text_node_is_refused_by_jiras_description(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contract test fails when the bridge sends what the description rejects: ADF text
    nodes may not be empty (a paragraph with no text leaves `content` out instead)."""
    real = adapters.adf_text
    monkeypatch.setattr(adapters, "adf_text", lambda text, link=None: real("", link))
    with FakeJira() as jira, pytest.raises(PermanentError, match="400"):
        await JiraTickets(session, jira_settings(jira)).open(opened(TICKET, PORTAL))
    ((_call, problems),) = jira.refused
    assert any(p.startswith("fields/description") for p in problems), problems


async def test_mutation_a_summary_over_255_characters_is_refused(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = opened(TICKET, PORTAL).model_copy(update={"summary": "x" * 256})
    with FakeJira() as jira, pytest.raises(PermanentError, match="400"):
        await JiraTickets(session, jira_settings(jira)).open(long)
    ((_call, problems),) = jira.refused
    assert any(p.startswith("fields/summary") for p in problems), problems


async def test_the_summary_is_cut_to_what_jira_takes(session: aiohttp.ClientSession) -> None:
    many = TICKET.model_copy(
        update={"tables": [TableName(database="d" * 200, table=f"t{i}") for i in range(5)]}
    )
    with FakeJira() as jira:
        await JiraTickets(session, jira_settings(jira)).open(opened(many, PORTAL))
        assert jira.refused == []


# -- ServiceNow ---------------------------------------------------------------------------------


async def test_servicenow_creates_a_record_and_comments_on_it(
    session: aiohttp.ClientSession,
) -> None:
    with FakeServiceNow() as now:
        system = ServiceNowTickets(
            session,
            TicketBridgeSettings(
                adapter="servicenow",
                servicenow_base_url=now.url,
                servicenow_username="meshcore",
                servicenow_password=SecretStr("pw"),
            ),
        )
        key = await system.open(opened(TICKET, PORTAL))
        await system.comment(granted(key))
        assert now.refused == []
    record = now.records[key]
    assert record["correlation_id"] == "req-1"
    assert "ar__receivables.invoices" in record["description"]
    assert record["journal"] == ["Access granted until 2026-12-25 00:00 UTC."]


# -- The generic JSON webhook -------------------------------------------------------------------


def webhook_settings(hook: FakeTicketWebhook, **more: Any) -> TicketBridgeSettings:
    return TicketBridgeSettings(adapter="webhook", webhook_url=f"{hook.url}/tickets", **more)


async def test_webhook_posts_bodies_its_published_contracts_accept_signed_and_with_a_token(
    session: aiohttp.ClientSession,
) -> None:
    with FakeTicketWebhook(token="t0ken", secret="s3cret") as hook:
        system = WebhookTickets(
            session,
            webhook_settings(
                hook,
                webhook_token=SecretStr("t0ken"),
                webhook_signing_secret=SecretStr("s3cret"),
            ),
        )
        key = await system.open(opened(TICKET, PORTAL))
        await system.comment(granted(key))
        assert hook.refused == []
    body = hook.tickets[key]
    assert body["requester"] == "analyst@consumer.example.com"
    assert body["tables"] == [
        {
            "name": "ar__receivables.invoices",
            "link": f"{PORTAL}/datasets/ar__receivables.invoices",
            "pending_columns": ["customer_email"],
        }
    ]
    assert body["terms_digest"] == DIGEST
    assert [c["state"] for c in hook.comments] == ["granted"]


async def test_webhook_with_a_wrong_secret_is_refused(session: aiohttp.ClientSession) -> None:
    with FakeTicketWebhook(secret="s3cret") as hook:
        system = WebhookTickets(
            session, webhook_settings(hook, webhook_signing_secret=SecretStr("other"))
        )
        with pytest.raises(PermanentError, match="401"):
            await system.open(opened(TICKET, PORTAL))


async def test_mutation_a_field_the_open_contract_does_not_have_is_refused(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = TicketOpened.model_dump_json

    def with_extra(self: Any, **kw: Any) -> str:
        return real(self, **kw).replace('{"kind"', '{"priority":"high","kind"', 1)

    monkeypatch.setattr(TicketOpened, "model_dump_json", with_extra)
    with FakeTicketWebhook() as hook, pytest.raises(PermanentError, match="400"):
        await WebhookTickets(session, webhook_settings(hook)).open(opened(TICKET, PORTAL))
    ((_call, problems),) = hook.refused
    assert any("priority" in p for p in problems), problems
