"""Ticket links and a ticket system in memory (ports: `meshcore.domain.tickets.TicketLinks`,
`ticket_bridge.adapters.TicketSystem`)."""

from __future__ import annotations

from meshcore.domain.tickets import TicketLink
from meshcore.messages.tickets import TicketComment, TicketOpened


class FakeTicketLinks:
    def __init__(self) -> None:
        self.links: dict[str, TicketLink] = {}

    async def put(self, link: TicketLink) -> None:
        self.links[link.request_id] = link.model_copy(deep=True)

    async def of_request(self, request_id: str) -> TicketLink | None:
        return self.links.get(request_id)

    async def of_ticket(self, ticket_key: str) -> TicketLink | None:
        return next((x for x in self.links.values() if x.ticket_key == ticket_key), None)


class FakeTicketSystem:
    name = "fake"

    def __init__(self) -> None:
        self.opened: list[TicketOpened] = []
        self.comments: list[TicketComment] = []

    async def open(self, ticket: TicketOpened) -> str:
        self.opened.append(ticket)
        return f"FAKE-{len(self.opened)}"

    async def comment(self, comment: TicketComment) -> None:
        self.comments.append(comment)
