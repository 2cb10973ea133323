"""Who hears what: the pure decision from an access notification to the notices people get.

- The requester hears every step of their request: routed to its owners, granted (until
  when), rejected or refused (with the reason), expiring in N days, revoked or expired.
- The data owners hear that a request awaits their decision, and what became of access to
  their tables: granted, refused (their approval did not take effect, and why), revoked,
  expired.
- Operators hear refused decisions (something or someone sent a decision that did not hold)
  and revocations.
- The data owners hear of columns of their tables whose classification awaits their review.

A person who is more than one of these hears once, as the first role that concerns them.
"""

from __future__ import annotations

from meshcore.domain.notifications import Event, Notice, Role
from meshcore.messages.commands import AccessNotification, ReviewNotification

REFUSED = "decision refused"

WHO_HEARS: dict[Event, tuple[Role, ...]] = {
    "routed": ("requester", "owner"),
    "granted": ("requester", "owner"),
    "rejected": ("requester",),
    "refused": ("requester", "owner", "operator"),
    "expiring": ("requester",),
    "revoked": ("requester", "owner", "operator"),
    "expired": ("requester", "owner"),
}


def event_of(notification: AccessNotification) -> Event | None:
    """What happened, or None for a state this version does not tell anyone about."""
    if notification.expiring_in_days is not None:
        return "expiring"
    if notification.reason.startswith(REFUSED):
        return "refused"
    return {
        "pending": "routed",
        "granted": "granted",
        "rejected": "rejected",
        "revoked": "revoked",
        "expired": "expired",
    }.get(notification.state)  # type: ignore[return-value]


def _what(n: AccessNotification) -> str:
    if n.domain:
        return f"domain {n.domain}"
    return ", ".join(str(t) for t in n.tables) or "-"


def _subject(event: Event, role: Role, n: AccessNotification) -> str:
    rid = n.request_id
    if event == "routed":
        return (
            f"Access request {rid} awaits your decision"
            if role == "owner"
            else f"Your access request {rid} was sent to its data owners"
        )
    if event == "expiring":
        days = n.expiring_in_days
        when = "today" if days == 0 else f"in {days} day" + ("" if days == 1 else "s")
        return f"Your access ({rid}) ends {when}"
    if event == "refused":
        return f"A decision on access request {rid} was refused"
    mine = "Your access request" if role == "requester" else "Access request"
    return f"{mine} {rid} was {event}"


def _lines(event: Event, role: Role, n: AccessNotification) -> list[str]:
    lines = [
        f"Request: {n.request_id}",
        f"Tables: {_what(n)}",
        f"Consumer account: {n.consumer_account}",
    ]
    if n.requested_by and role != "requester":
        lines.append(f"Requested by: {n.requested_by}")
    if n.owners and event == "routed":
        lines.append(f"Data owners: {', '.join(n.owners)}")
    if n.ticket_id:
        lines.append(f"Ticket: {n.ticket_id}")
    if n.expires_at and event in ("granted", "expiring"):
        lines.append(f"Access ends: {n.expires_at.strftime('%Y-%m-%d %H:%M UTC')}")
    if event in ("rejected", "refused", "revoked") and n.reason:
        lines.append(f"Reason: {n.reason}")
    if event == "expiring":
        lines.append("Ask the data owners for a new approval to keep access.")
    return lines


def notices_for(n: AccessNotification, operators: list[str]) -> list[Notice]:
    """The notices `n` gives rise to: one per person concerned, in the order of WHO_HEARS."""
    event = event_of(n)
    if event is None:
        return []
    people: dict[Role, list[str]] = {
        "requester": [n.requested_by] if n.requested_by else [],
        "owner": list(n.owners),
        "operator": list(operators),
    }
    notices: list[Notice] = []
    heard: set[str] = set()
    for role in WHO_HEARS[event]:
        for person in people[role]:
            if person in heard:
                continue
            heard.add(person)
            notices.append(
                Notice(
                    person=person,
                    role=role,
                    event=event,
                    about=n.request_id,
                    subject=_subject(event, role, n),
                    lines=_lines(event, role, n),
                    at=n.at,
                )
            )
    return notices


def review_notices(n: ReviewNotification) -> list[Notice]:
    """Each owner of the table hears which columns await their review."""
    table = f"{n.database}.{n.table}"
    count = len(n.columns)
    subject = f"{count} column{'' if count == 1 else 's'} of {table} await{'s' if count == 1 else ''} your review"
    lines = [
        f"Table: {table}",
        *(f"- {c.column}: {c.sensitivity_class} ({c.confidence:.0%} confident)" for c in n.columns),
        "Review: meshctl review list, then meshctl review accept|reject ID (or the portal)",
    ]
    return [
        Notice(
            person=owner,
            role="owner",
            event="review",
            about=table,
            subject=subject,
            lines=lines,
            at=n.at,
        )
        for owner in dict.fromkeys(n.owners)
    ]
