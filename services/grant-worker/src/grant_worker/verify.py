"""Checks a signed decision must pass before anything is granted (pure, except the inputs)."""

from __future__ import annotations

from datetime import datetime, timedelta

from meshcore.domain.access import AccessRequest, TableName, state_before
from meshcore.messages.commands import AccessDecision


class Refusal(Exception):
    """The decision is well-formed but must not be acted on; the reason is recorded."""


# Clocks of the ticket system and the workers may disagree this much.
CLOCK_SKEW = timedelta(minutes=5)


def check_issue(
    decision: AccessDecision, request: AccessRequest, now: datetime, max_age: timedelta
) -> None:
    """The decision is about the request's terms as the ticket showed them, and recent."""
    if decision.terms_digest != request.terms_digest():
        raise Refusal(
            "the decision approves other terms than the request holds (grantee, tables, "
            "columns, duration or purpose changed after the ticket was opened)"
        )
    if decision.issued_at > now + CLOCK_SKEW:
        raise Refusal(f"decision issued in the future ({decision.issued_at.isoformat()})")
    if decision.issued_at < now - max_age:
        raise Refusal(
            f"decision issued {decision.issued_at.isoformat()}, more than "
            f"{max_age.total_seconds() / 3600:g} hours ago; ask the owner to decide again"
        )


def check_decision(
    decision: AccessDecision,
    request: AccessRequest,
    owners_by_table: dict[TableName, list[str]],
    now: datetime,
    max_age: timedelta,
) -> list[TableName]:
    """Return the tables in scope, or raise Refusal saying why not."""
    check_issue(decision, request, now, max_age)
    if request.ticket_id and decision.ticket_id != request.ticket_id:
        raise Refusal(
            f"ticket {decision.ticket_id} does not match the request's ticket {request.ticket_id}"
        )
    expected = state_before(decision.decision)
    if request.state is not expected:
        raise Refusal(
            f"request is {request.state.value}; a {decision.decision} needs it {expected.value}"
        )
    if decision.expires_at is not None and decision.expires_at <= now:
        raise Refusal(f"decision expired at {decision.expires_at.isoformat()}")
    if (
        decision.decision == "approve"
        and decision.expires_at is not None
        and decision.expires_at > now + timedelta(days=request.duration_days)
    ):
        raise Refusal(f"decision grants past the requested {request.duration_days} days")
    if request.domain is not None:
        check_domain_scope(decision, request, owners_by_table)
        return []
    return check_table_scope(decision, request, owners_by_table)


def check_domain_scope(
    decision: AccessDecision,
    request: AccessRequest,
    owners_by_table: dict[TableName, list[str]],
) -> None:
    """A domain-wide decision: by an owner of the domain, for no tables or sensitive columns."""
    if decision.tables:
        raise Refusal(
            f"request {request.request_id} is for the domain {request.domain}, not tables"
        )
    owners = owners_by_table.get(TableName(database=str(request.domain), table="*"), [])
    if decision.approver not in owners:
        raise Refusal(
            f"{decision.approver} is not an owner of the domain {request.domain} "
            f"(owners: {', '.join(owners) or 'none'})"
        )
    if decision.sensitive_columns:
        raise Refusal("a domain-wide grant cannot include sensitive columns")


def check_table_scope(
    decision: AccessDecision,
    request: AccessRequest,
    owners_by_table: dict[TableName, list[str]],
) -> list[TableName]:
    """The tables in scope: requested ones, each owned by the approver, with requested columns."""
    scope = decision.tables or request.tables
    outside = [str(t) for t in scope if t not in request.tables]
    if outside:
        raise Refusal(f"decision covers tables that were not requested: {', '.join(outside)}")
    for table in scope:
        owners = owners_by_table.get(table, [])
        if decision.approver not in owners:
            raise Refusal(
                f"{decision.approver} is not an owner of {table} (owners: {', '.join(owners) or 'none'})"
            )
    # Sensitive columns are granted only where the requester named them.
    unrequested = sorted(set(decision.sensitive_columns) - set(request.columns))
    if unrequested:
        raise Refusal(
            f"decision approves columns that were not requested: {', '.join(unrequested)}"
        )
    return scope
