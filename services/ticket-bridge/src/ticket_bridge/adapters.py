"""The ticket systems tickets are opened in: a generic JSON webhook, Jira Cloud (REST v3) and
ServiceNow (Table API), or none. Each opens a ticket (returning its key) and comments on it.

A system that cannot take a call now (a refused connection, a timeout, 429 or 5xx) raises
`RetryableError`, and the message comes back later; a refusal for good (any other 4xx)
raises `PermanentError`, and the message is dead-lettered with the reason.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
import structlog

from meshcore.domain.errors import PermanentError, RetryableError
from meshcore.messages.tickets import TicketComment, TicketOpened
from meshcore.settings import TicketBridgeSettings

log = structlog.get_logger()

SIGNATURE_HEADER = "X-Meshcore-Signature"


def basic_auth(user: str, password: str) -> dict[str, str]:
    """HTTP basic auth (RFC 7617) as a header."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of body>`: the generic webhook's and Jira's signature header."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class TicketSystem(Protocol):
    name: str

    async def open(self, ticket: TicketOpened) -> str:
        """Open the ticket; returns its key."""
        ...

    async def comment(self, comment: TicketComment) -> None: ...


class NoTicketSystem:
    """No ticket system configured: the ticket is recorded under a local key and logged, and
    decisions still arrive on the generic decision endpoint."""

    name = "none"

    async def open(self, ticket: TicketOpened) -> str:
        log.info("ticket.system-off", request_id=ticket.request_id, summary=ticket.summary)
        return f"LOCAL-{ticket.request_id}"

    async def comment(self, comment: TicketComment) -> None:
        log.info("ticket.system-off", ticket=comment.ticket_key, comment=comment.text)


async def _call(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    what: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """One HTTP call; the answer's JSON (None when empty)."""
    try:
        async with session.request(
            method,
            url,
            data=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"}
            | (headers or {}),
        ) as answer:
            status = answer.status
            text = await answer.text()
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise RetryableError(f"{what}: {exc}") from exc
    if status == 429 or status >= 500:
        raise RetryableError(f"{what}: HTTP {status} {text[:200]!r}")
    if status >= 300:
        raise PermanentError(f"{what}: HTTP {status} {text[:200]!r}")
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise PermanentError(f"{what}: the answer is not JSON: {text[:200]!r}") from exc


class WebhookTickets:
    """The generic JSON webhook: `TicketOpened` and `TicketComment` bodies POSTed to one URL
    (contracts/ticket-webhook-*.v1.schema.json), with a bearer token and/or an HMAC signature."""

    name = "webhook"

    def __init__(self, session: aiohttp.ClientSession, settings: TicketBridgeSettings) -> None:
        if not settings.webhook_url:
            raise ValueError("MESHCORE_TICKETS__WEBHOOK_URL is required by the webhook adapter")
        self._session = session
        self._url = settings.webhook_url
        self._token = settings.webhook_token
        self._secret = settings.webhook_signing_secret

    def _headers(self, body: bytes) -> dict[str, str]:
        headers = {}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        if self._secret is not None:
            headers[SIGNATURE_HEADER] = signature(self._secret.get_secret_value(), body)
        return headers

    async def _post(self, body: bytes, what: str) -> Any:
        return await _call(self._session, "POST", self._url, what, body, self._headers(body))

    async def open(self, ticket: TicketOpened) -> str:
        body = ticket.model_dump_json().encode()
        answer = await self._post(body, f"ticket webhook (open {ticket.request_id})")
        key = answer.get("ticket_key") if isinstance(answer, dict) else None
        if not isinstance(key, str) or not key:
            raise PermanentError(f"ticket webhook answered without a ticket_key: {answer!r}")
        return key

    async def comment(self, comment: TicketComment) -> None:
        await self._post(
            comment.model_dump_json().encode(), f"ticket webhook (comment {comment.ticket_key})"
        )


# ---- Jira Cloud: REST API v3, descriptions in Atlassian Document Format -----------------------


def adf_text(text: str, link: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    if link:
        node["marks"] = [{"type": "link", "attrs": {"href": link}}]
    return node


def adf_paragraph(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(nodes)}


def adf_doc(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(blocks)}


def adf_bullets(items: list[list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "type": "bulletList",
        "content": [{"type": "listItem", "content": [adf_paragraph(*i)]} for i in items],
    }


def jira_description(ticket: TicketOpened) -> dict[str, Any]:
    """The ticket as an ADF document: facts, then one item per table with its page."""
    facts = [
        [adf_text(f"Requester: {ticket.requester or 'unknown'}")],
        [adf_text(f"Purpose: {ticket.purpose}")],
        [adf_text(f"Consumer account: {ticket.consumer_account}")],
        [adf_text(f"Role: {ticket.principal_arn or 'the account'}")],
        [adf_text(f"Duration: {ticket.duration_days} days")],
        [adf_text(f"Owners: {', '.join(ticket.owners)}")],
    ]
    if ticket.requested_columns:
        facts.append(
            [
                adf_text(
                    f"Requested columns (sensitive ones need your approval): "
                    f"{', '.join(ticket.requested_columns)}"
                )
            ]
        )
    blocks = [
        adf_paragraph(adf_text(f"Access request {ticket.request_id} awaits the data owners.")),
        adf_bullets(facts),
    ]
    tables: list[list[dict[str, Any]]] = []
    if ticket.domain:
        tables.append(
            [
                adf_text(f"Domain {ticket.domain}", ticket.domain_link),
                adf_text(" (every table, now and later; non-sensitive columns only)"),
            ]
        )
    for t in ticket.tables:
        item = [adf_text(t.name, t.link)]
        if t.pending_columns:
            item.append(
                adf_text(
                    f" (pending classification, left out unless approved: "
                    f"{', '.join(t.pending_columns)})"
                )
            )
        tables.append(item)
    if tables:
        blocks += [adf_paragraph(adf_text("Tables:")), adf_bullets(tables)]
    blocks.append(
        adf_paragraph(
            adf_text(
                f"Move the issue to Approved or Rejected to decide. Terms {ticket.terms_digest}"
            )
        )
    )
    return adf_doc(*blocks)


class JiraTickets:
    """Jira Cloud: an issue per request (POST /rest/api/3/issue), a comment per outcome (POST
    /rest/api/3/issue/{key}/comment), and, when configured, a transition when access ends
    (POST /rest/api/3/issue/{key}/transitions). Basic auth: an account's e-mail and API token."""

    name = "jira"

    def __init__(self, session: aiohttp.ClientSession, settings: TicketBridgeSettings) -> None:
        if not (settings.jira_base_url and settings.jira_email and settings.jira_api_token):
            raise ValueError(
                "the jira adapter needs MESHCORE_TICKETS__JIRA_BASE_URL, __JIRA_EMAIL and "
                "__JIRA_API_TOKEN"
            )
        self._session = session
        self._base = settings.jira_base_url.rstrip("/")
        self._auth = basic_auth(settings.jira_email, settings.jira_api_token.get_secret_value())
        self._settings = settings

    async def _post(self, path: str, body: dict[str, Any], what: str) -> Any:
        return await _call(
            self._session,
            "POST",
            self._base + path,
            what,
            json.dumps(body).encode(),
            headers=self._auth,
        )

    async def open(self, ticket: TicketOpened) -> str:
        body = {
            "fields": {
                "project": {"key": self._settings.jira_project},
                "issuetype": {"name": self._settings.jira_issue_type},
                "summary": ticket.summary,
                "description": jira_description(ticket),
                "labels": ["meshcore", "data-access"],
            }
        }
        answer = await self._post(
            "/rest/api/3/issue", body, f"jira create issue ({ticket.request_id})"
        )
        key = answer.get("key") if isinstance(answer, dict) else None
        if not isinstance(key, str) or not key:
            raise PermanentError(f"jira answered without an issue key: {answer!r}")
        return key

    async def comment(self, comment: TicketComment) -> None:
        key = quote(comment.ticket_key, safe="")
        await self._post(
            f"/rest/api/3/issue/{key}/comment",
            {"body": adf_doc(adf_paragraph(adf_text(comment.text)))},
            f"jira comment ({comment.ticket_key})",
        )
        if comment.state in ("revoked", "expired") and self._settings.jira_close_transition:
            await self.transition(comment.ticket_key, self._settings.jira_close_transition)

    async def transition(self, ticket_key: str, name: str) -> None:
        """Move the issue along the transition called `name` (case-insensitive), if it has one."""
        key = quote(ticket_key, safe="")
        what = f"jira transitions ({ticket_key})"
        answer = await _call(
            self._session,
            "GET",
            f"{self._base}/rest/api/3/issue/{key}/transitions",
            what,
            headers=self._auth,
        )
        found = [
            t
            for t in (answer or {}).get("transitions", [])
            if str(t.get("name", "")).lower() == name.lower()
        ]
        if not found:
            log.warning("ticket.no-transition", ticket=ticket_key, transition=name)
            return
        await self._post(
            f"/rest/api/3/issue/{key}/transitions",
            {"transition": {"id": str(found[0]["id"])}},
            what,
        )


class ServiceNowTickets:
    """ServiceNow: a record per request in the configured table (POST /api/now/table/{table}),
    a comment per outcome (PATCH of the record's `comments` journal field). Basic auth."""

    name = "servicenow"

    def __init__(self, session: aiohttp.ClientSession, settings: TicketBridgeSettings) -> None:
        if not (
            settings.servicenow_base_url
            and settings.servicenow_username
            and settings.servicenow_password
        ):
            raise ValueError(
                "the servicenow adapter needs MESHCORE_TICKETS__SERVICENOW_BASE_URL, "
                "__SERVICENOW_USERNAME and __SERVICENOW_PASSWORD"
            )
        self._session = session
        self._table = (
            f"{settings.servicenow_base_url.rstrip('/')}/api/now/table/{settings.servicenow_table}"
        )
        self._auth = basic_auth(
            settings.servicenow_username, settings.servicenow_password.get_secret_value()
        )

    async def open(self, ticket: TicketOpened) -> str:
        body = {
            "short_description": ticket.summary[:160],
            "description": ticket.description,
            "correlation_id": ticket.request_id,
            "correlation_display": "meshcore",
        }
        answer = await _call(
            self._session,
            "POST",
            self._table,
            f"servicenow create ({ticket.request_id})",
            json.dumps(body).encode(),
            headers=self._auth,
        )
        result = answer.get("result") if isinstance(answer, dict) else None
        key = result.get("sys_id") if isinstance(result, dict) else None
        if not isinstance(key, str) or not key:
            raise PermanentError(f"servicenow answered without a sys_id: {answer!r}")
        return key

    async def comment(self, comment: TicketComment) -> None:
        await _call(
            self._session,
            "PATCH",
            f"{self._table}/{quote(comment.ticket_key, safe='')}",
            f"servicenow comment ({comment.ticket_key})",
            json.dumps({"comments": comment.text}).encode(),
            headers=self._auth,
        )


def ticket_system(session: aiohttp.ClientSession, settings: TicketBridgeSettings) -> TicketSystem:
    if settings.adapter == "webhook":
        return WebhookTickets(session, settings)
    if settings.adapter == "jira":
        return JiraTickets(session, settings)
    if settings.adapter == "servicenow":
        return ServiceNowTickets(session, settings)
    return NoTicketSystem()
