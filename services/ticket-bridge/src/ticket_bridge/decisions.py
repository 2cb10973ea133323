"""The decision endpoint: the ticket system tells the bridge the owner's decision over HTTP;
the bridge authenticates it, signs the decision as the ticket system's role (KMS GenerateMac,
`meshcore.aws.signing.DecisionSigner`, as `meshctl decide`) and posts it to meshcore-approvals.

- `POST /webhooks/jira`: a Jira Cloud webhook (`jira:issue_updated`); a changelog item moving
  `status` into an approve or reject status is the decision, by the webhook's `user`. Signed
  by Jira with the webhook's secret: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`.
- `POST /webhooks/decision`: a `ticket-webhook-decision.v1` body, signed
  `X-Meshcore-Signature: sha256=<hex HMAC-SHA256 of the body>` with the decision secret.

A body that is not authenticated is refused (401) before it is parsed, and nothing is signed
or posted. The decision binds the terms the ticket showed (its link's terms digest).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from aiohttp import web
from pydantic import ValidationError

from meshcore.domain.errors import MeshError
from meshcore.domain.tickets import TicketLinks
from meshcore.messages.commands import AccessDecision, Decision, SignedAccessDecision
from meshcore.messages.tickets import TicketDecision
from meshcore.runtime.metrics import Metrics
from meshcore.settings import TicketBridgeSettings
from ticket_bridge.adapters import SIGNATURE_HEADER, signature

log = structlog.get_logger()

JIRA_SIGNATURE_HEADER = "X-Hub-Signature"


class Signer(Protocol):
    async def sign(self, decision: AccessDecision) -> SignedAccessDecision: ...


class Sender(Protocol):
    async def send(self, message: Any) -> str: ...


@dataclass
class DecisionEndpoint:
    settings: TicketBridgeSettings
    links: TicketLinks
    signer: Signer
    approvals: Sender
    metrics: Metrics
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    async def _body(self, request: web.Request, secret: Any, header: str) -> bytes:
        """The body, once its signature holds; 401 otherwise (413 past the size bound)."""
        if (
            request.content_length is not None
            and request.content_length > self.settings.max_body_bytes
        ):
            raise web.HTTPRequestEntityTooLarge(
                max_size=self.settings.max_body_bytes, actual_size=request.content_length
            )
        body = await request.content.read(self.settings.max_body_bytes + 1)
        if len(body) > self.settings.max_body_bytes:
            raise web.HTTPRequestEntityTooLarge(
                max_size=self.settings.max_body_bytes, actual_size=len(body)
            )
        given = request.headers.get(header, "")
        if secret is None or not hmac.compare_digest(
            given.encode(), signature(secret.get_secret_value(), body).encode()
        ):
            self.metrics.count("TicketWebhooksRefused")
            log.warning("ticket.webhook-refused", path=request.path, reason="bad signature")
            raise web.HTTPUnauthorized(text="signature missing or invalid\n")
        return body

    async def _decide(
        self,
        ticket_key: str,
        decision: Decision,
        approver: str,
        request_id: str | None = None,
        sensitive_columns: list[str] | None = None,
    ) -> web.Response:
        link = await self.links.of_ticket(ticket_key)
        if link is None:
            raise web.HTTPNotFound(text=f"no request has the ticket {ticket_key}\n")
        if request_id is not None and request_id != link.request_id:
            raise web.HTTPConflict(
                text=f"ticket {ticket_key} carries {link.request_id}, not {request_id}\n"
            )
        try:
            unsigned = AccessDecision(
                request_id=link.request_id,
                ticket_id=ticket_key,
                decision=decision,
                approver=approver,
                terms_digest=link.terms_digest,
                sensitive_columns=sensitive_columns or [],
                issued_at=self.clock(),
            )
        except ValidationError as exc:
            raise web.HTTPUnprocessableEntity(text=f"not a valid decision: {exc}\n") from exc
        try:
            signed = await self.signer.sign(unsigned)
            await self.approvals.send(signed)
        except MeshError as exc:
            # KMS or SQS failed: the ticket system delivers again.
            log.error("ticket.decision-failed", ticket=ticket_key, error=str(exc))
            raise web.HTTPServiceUnavailable(
                text="the decision could not be posted; retry\n"
            ) from exc
        self.metrics.count("TicketDecisions", Decision=decision)
        log.info(
            "ticket.decision",
            ticket=ticket_key,
            request_id=link.request_id,
            decision=decision,
            approver=approver,
        )
        return web.json_response({"request_id": link.request_id, "decision": decision}, status=202)

    async def jira(self, request: web.Request) -> web.Response:
        body = await self._body(request, self.settings.jira_webhook_secret, JIRA_SIGNATURE_HEADER)
        try:
            event = json.loads(body)
        except ValueError as exc:
            raise web.HTTPBadRequest(text="not JSON\n") from exc
        if not isinstance(event, dict) or event.get("webhookEvent") != "jira:issue_updated":
            return web.json_response({"ignored": "not jira:issue_updated"}, status=202)
        decision = jira_decision(event, self.settings)
        if decision is None:
            return web.json_response({"ignored": "no decision status"}, status=202)
        key = (event.get("issue") or {}).get("key")
        approver = (event.get("user") or {}).get("emailAddress")
        if not isinstance(key, str) or not key:
            raise web.HTTPBadRequest(text="the event names no issue key\n")
        if not isinstance(approver, str) or not approver:
            # grant-worker checks the approver owns every table: an account whose e-mail Jira
            # does not show cannot be checked, so nothing is signed.
            raise web.HTTPUnprocessableEntity(
                text="the event's user has no emailAddress (Jira profile visibility)\n"
            )
        return await self._decide(key, decision, approver)

    async def generic(self, request: web.Request) -> web.Response:
        body = await self._body(request, self.settings.decision_webhook_secret, SIGNATURE_HEADER)
        try:
            decision = TicketDecision.model_validate_json(body)
        except ValidationError as exc:
            raise web.HTTPUnprocessableEntity(
                text=f"not a ticket-webhook-decision.v1: {exc}\n"
            ) from exc
        return await self._decide(
            decision.ticket_key,
            decision.decision,
            decision.approver,
            request_id=decision.request_id,
            sensitive_columns=decision.sensitive_columns,
        )


def jira_decision(event: dict[str, Any], settings: TicketBridgeSettings) -> Decision | None:
    """approve or reject when the changelog moves `status` into one of the configured
    statuses; None for any other change."""
    approve = {s.lower() for s in settings.jira_approve_statuses}
    reject = {s.lower() for s in settings.jira_reject_statuses}
    items = ((event.get("changelog") or {}).get("items")) or []
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("fieldId", item.get("field")) != "status" and item.get("field") != "status":
            continue
        to = str(item.get("toString") or "").lower()
        if to in approve:
            return "approve"
        if to in reject:
            return "reject"
    return None


async def healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


def application(endpoint: DecisionEndpoint) -> web.Application:
    app = web.Application(client_max_size=endpoint.settings.max_body_bytes)
    app.add_routes(
        [
            web.post("/webhooks/jira", endpoint.jira),
            web.post("/webhooks/decision", endpoint.generic),
            web.get("/healthz", healthz),
        ]
    )
    return app


async def listen(endpoint: DecisionEndpoint) -> web.AppRunner:
    """Start the decision endpoint on the configured host and port; the runner stops it."""
    runner = web.AppRunner(application(endpoint), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, endpoint.settings.listen_host, endpoint.settings.listen_port)
    await site.start()
    log.info(
        "ticket.webhooks-listening",
        host=endpoint.settings.listen_host,
        port=endpoint.settings.listen_port,
    )
    return runner
