"""Which ticket carries which access request (the ticket bridge)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from meshcore.domain.access import TableName


class TicketLink(BaseModel):
    """A request and the ticket opened for it, with the terms the ticket showed (a decision
    received on the ticket approves these, never the request as it is later)."""

    model_config = ConfigDict(extra="forbid")

    request_id: str
    ticket_key: str
    system: str  # the adapter that opened it: webhook, jira, servicenow, none
    terms_digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    tables: list[TableName] = Field(default_factory=list)
    domain: str | None = None
    owners: list[str] = Field(default_factory=list)
    requester: str = ""
    columns: list[str] = Field(default_factory=list)
    opened_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class TicketLinks(Protocol):
    async def put(self, link: TicketLink) -> None: ...

    async def of_request(self, request_id: str) -> TicketLink | None: ...

    async def of_ticket(self, ticket_key: str) -> TicketLink | None: ...
