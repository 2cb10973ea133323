"""What the ticket bridge's generic JSON webhook adapter exchanges with a ticket system.

Outbound (`TicketOpened`, `TicketComment`): POSTed to the configured URL, with
`X-Meshcore-Signature: sha256=<hex HMAC-SHA256 of the body>` when a signing secret is set and
`Authorization: Bearer <token>` when a token is. The answer to a `TicketOpened` is JSON with
the ticket's key: `{"ticket_key": "..."}`.

Inbound (`TicketDecision`): the owner's decision, POSTed by the ticket system to the bridge's
`/webhooks/decision`, signed the same way with the decision webhook's secret.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from meshcore.messages.commands import (
    ACTOR_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REQUEST_ID_MAX_LENGTH,
    TICKET_ID_MAX_LENGTH,
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TicketTable(_Body):
    """A table of the request, its owner-facing page and the columns that need a look."""

    name: str = Field(description="DATABASE.TABLE in the central catalog")
    link: str = Field(description="the table's page in the portal")
    pending_columns: list[str] = Field(
        default_factory=list,
        description="requested columns pending classification: left out unless approved",
    )


class TicketOpened(_Body):
    """Open a ticket asking the data owners to decide on an access request."""

    kind: Literal["ticket.open"] = "ticket.open"
    version: Literal[1] = 1
    request_id: str
    summary: str
    description: str = Field(description="the same facts as text, for a ticket's body")
    requester: str
    purpose: str
    consumer_account: str
    principal_arn: str | None = None
    tables: list[TicketTable] = Field(default_factory=list)
    domain: str | None = Field(None, description="a domain-wide request (tables then empty)")
    domain_link: str | None = None
    requested_columns: list[str] = Field(
        default_factory=list,
        description="columns named by the requester (sensitive ones need the owner's approval)",
    )
    duration_days: int
    owners: list[str]
    terms_digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    created_at: datetime


class TicketComment(_Body):
    """Add a comment to a ticket: what happened to its request."""

    kind: Literal["ticket.comment"] = "ticket.comment"
    version: Literal[1] = 1
    ticket_key: str
    request_id: str
    state: str
    text: str
    at: datetime


class TicketDecision(_Body):
    """The owner's decision on a ticket, as the ticket system posts it to the bridge."""

    kind: Literal["ticket.decision"] = "ticket.decision"
    version: Literal[1] = 1
    ticket_key: str = Field(min_length=1, max_length=TICKET_ID_MAX_LENGTH)
    request_id: str = Field(min_length=1, max_length=REQUEST_ID_MAX_LENGTH)
    decision: Literal["approve", "reject"]
    approver: str = Field(min_length=1, max_length=ACTOR_MAX_LENGTH)
    reason: str = Field("", max_length=REASON_MAX_LENGTH)
    # Sensitive columns the requester asked for that the owner approves.
    sensitive_columns: list[str] = Field(default_factory=list)
    decided_at: AwareDatetime | None = None
