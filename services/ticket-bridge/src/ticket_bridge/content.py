"""What the owners need on a ticket, and what a comment says: from the ticket message and
the outcomes grant-worker publishes. The same facts feed every adapter."""

from __future__ import annotations

from urllib.parse import quote

from meshcore.messages.commands import AccessNotification, TicketRequest
from meshcore.messages.tickets import TicketComment, TicketOpened, TicketTable


def dataset_link(portal_base_url: str, table: str) -> str:
    return f"{portal_base_url.rstrip('/')}/datasets/{quote(table, safe='')}"


def domain_link(portal_base_url: str, domain: str) -> str:
    return f"{portal_base_url.rstrip('/')}/?domain={quote(domain, safe='')}"


def summary_of(ticket: TicketRequest) -> str:
    scope = (
        f"domain {ticket.domain}"
        if ticket.domain
        else ", ".join(str(t) for t in ticket.tables[:3])
        + (f" and {len(ticket.tables) - 3} more" if len(ticket.tables) > 3 else "")
    )
    who = ticket.requested_by or ticket.consumer_account
    # Jira's summary takes at most 255 characters.
    return f"Data access request {ticket.request_id}: {who} asks for {scope}"[:255]


def opened(ticket: TicketRequest, portal_base_url: str) -> TicketOpened:
    """The ticket to open for `ticket`: requester, purpose, grantee, tables (with their pages
    and pending columns), requested columns, duration, owners and the terms digest."""
    tables = [
        TicketTable(
            name=str(t),
            link=dataset_link(portal_base_url, str(t)),
            pending_columns=ticket.pending_columns.get(str(t), []),
        )
        for t in ticket.tables
    ]
    lines = [
        f"Requester: {ticket.requested_by or 'unknown'}",
        f"Purpose: {ticket.purpose}",
        f"Consumer account: {ticket.consumer_account}",
        f"Role: {ticket.principal_arn or 'the account (its data lake admin passes it on)'}",
        f"Duration: {ticket.duration_days} days",
    ]
    if ticket.domain:
        lines.append(
            f"Domain: {ticket.domain} (every table, now and later; non-sensitive columns only) "
            f"{domain_link(portal_base_url, ticket.domain)}"
        )
    for t in tables:
        lines.append(f"Table: {t.name} {t.link}")
        if t.pending_columns:
            lines.append(
                f"  pending classification (left out unless approved): "
                f"{', '.join(t.pending_columns)}"
            )
    if ticket.columns:
        lines.append(
            f"Requested columns (sensitive ones need your approval): {', '.join(ticket.columns)}"
        )
    lines.append(f"Owners: {', '.join(ticket.owners)}")
    lines.append(f"Request: {ticket.request_id} (terms {ticket.terms_digest[:12]})")
    return TicketOpened(
        request_id=ticket.request_id,
        summary=summary_of(ticket),
        description="\n".join(lines),
        requester=ticket.requested_by,
        purpose=ticket.purpose,
        consumer_account=ticket.consumer_account,
        principal_arn=ticket.principal_arn,
        tables=tables,
        domain=ticket.domain,
        domain_link=domain_link(portal_base_url, ticket.domain) if ticket.domain else None,
        requested_columns=ticket.columns,
        duration_days=ticket.duration_days,
        owners=ticket.owners,
        terms_digest=ticket.terms_digest,
        created_at=ticket.created_at,
    )


# The outcomes a ticket hears of; a request routed (pending) is the ticket itself.
COMMENTED = {"granted", "rejected", "revoked", "expired"}


def comment_of(n: AccessNotification, ticket_key: str) -> TicketComment | None:
    """The comment for an outcome, or None when the ticket need not hear of it."""
    refused = n.reason.startswith("decision refused")
    if n.expiring_in_days is not None or (n.state not in COMMENTED and not refused):
        return None
    if refused:
        text = f"The decision was not applied: {n.reason.removeprefix('decision refused: ')}"
    elif n.state == "granted":
        until = f" until {n.expires_at:%Y-%m-%d %H:%M} UTC" if n.expires_at else ""
        text = f"Access granted{until}."
    elif n.state == "rejected":
        text = f"Request rejected{': ' + n.reason if n.reason else '.'}"
    elif n.state == "revoked":
        text = f"Access revoked{': ' + n.reason if n.reason else '.'}"
    else:
        text = f"Access expired{': ' + n.reason if n.reason else '.'}"
    return TicketComment(
        ticket_key=ticket_key, request_id=n.request_id, state=n.state, text=text, at=n.at
    )
