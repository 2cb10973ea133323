"""The ticket bridge's queue handlers: a ticket message opens a ticket (once per request) and
records which; an outcome of a request is written back to its ticket as a comment."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from meshcore.domain.tickets import TicketLink, TicketLinks
from meshcore.messages.commands import AccessNotification, TicketRequest
from meshcore.runtime.dispatch import Delivery, HandlerMap
from meshcore.runtime.metrics import Metrics
from ticket_bridge.adapters import TicketSystem
from ticket_bridge.content import comment_of, opened

log = structlog.get_logger()


@dataclass
class BridgeDependencies:
    system: TicketSystem
    links: TicketLinks
    metrics: Metrics
    portal_base_url: str


async def on_ticket(ticket: TicketRequest, deps: BridgeDependencies) -> TicketLink:
    """Open the request's ticket, unless it has one (a redelivered message). At least once: a
    crash after the ticket system took it and before the link is written opens a second one."""
    structlog.contextvars.bind_contextvars(request_id=ticket.request_id)
    found = await deps.links.of_request(ticket.request_id)
    if found is not None:
        log.info("ticket.exists", ticket=found.ticket_key)
        return found
    key = await deps.system.open(opened(ticket, deps.portal_base_url))
    link = TicketLink(
        request_id=ticket.request_id,
        ticket_key=key,
        system=deps.system.name,
        terms_digest=ticket.terms_digest,
        tables=ticket.tables,
        domain=ticket.domain,
        owners=ticket.owners,
        requester=ticket.requested_by,
        columns=ticket.columns,
    )
    await deps.links.put(link)
    deps.metrics.count("TicketsOpened", System=deps.system.name)
    log.info("ticket.opened", ticket=key, system=deps.system.name)
    return link


async def on_update(n: AccessNotification, deps: BridgeDependencies) -> None:
    structlog.contextvars.bind_contextvars(request_id=n.request_id, state=n.state)
    link = await deps.links.of_request(n.request_id)
    if link is None:
        # A request opened before the bridge ran, or played with `meshctl decide`.
        log.info("ticket.none", what="no ticket for this request")
        return
    comment = comment_of(n, link.ticket_key)
    if comment is None:
        return
    await deps.system.comment(comment)
    deps.metrics.count("TicketComments", System=deps.system.name)
    log.info("ticket.commented", ticket=link.ticket_key)


def ticket_handlers(deps: BridgeDependencies) -> HandlerMap:
    async def ticket(t: TicketRequest, _delivery: Delivery) -> None:
        await on_ticket(t, deps)

    return {TicketRequest: ticket}


def update_handlers(deps: BridgeDependencies) -> HandlerMap:
    async def update(n: AccessNotification, _delivery: Delivery) -> None:
        await on_update(n, deps)

    return {AccessNotification: update}
