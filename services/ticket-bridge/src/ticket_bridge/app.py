"""The ticket bridge's composition root: the ticket system adapter, the ticket links in the
state table, the queues it reads (tickets, ticket updates) and the decision endpoint."""

from __future__ import annotations

import aiohttp

from meshcore.aws.clients import AsyncAws
from meshcore.aws.queues import QueueSender, queue_url
from meshcore.aws.signing import DecisionSigner
from meshcore.aws.tickets import DynamoTicketLinks
from meshcore.messages.commands import AccessNotification, TicketRequest
from meshcore.messages.decode import decode_model
from meshcore.runtime.metrics import Metrics
from meshcore.runtime.worker import Bootstrap, Route
from meshcore.settings import MeshSettings
from ticket_bridge.adapters import ticket_system
from ticket_bridge.decisions import DecisionEndpoint, listen
from ticket_bridge.handlers import BridgeDependencies, ticket_handlers, update_handlers


def decode_ticket(body: str) -> TicketRequest:
    return decode_model(body, TicketRequest)


def decode_update(body: str) -> AccessNotification:
    return decode_model(body, AccessNotification)


def make_bootstrap(settings: MeshSettings) -> Bootstrap:
    async def bootstrap(aws: AsyncAws, metrics: Metrics) -> list[Route]:
        tickets = settings.tickets
        session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=tickets.timeout_seconds)
        )
        aws.on_close(session.close)
        links = DynamoTicketLinks(await aws.client("dynamodb"), settings.state_table)
        deps = BridgeDependencies(
            system=ticket_system(session, tickets),
            links=links,
            metrics=metrics,
            portal_base_url=tickets.portal_base_url,
        )
        sqs = await aws.client("sqs")
        approvals = settings.queues.approvals
        endpoint = DecisionEndpoint(
            settings=tickets,
            links=links,
            # This process runs as the ticket system's role: the only one the key lets sign.
            signer=DecisionSigner(await aws.client("kms"), settings.decision_key_alias),
            approvals=QueueSender(sqs, await queue_url(sqs, approvals), approvals),
            metrics=metrics,
        )
        runner = await listen(endpoint)
        aws.on_close(runner.cleanup)
        return [
            Route(settings.queues.tickets, "tickets.open", decode_ticket, ticket_handlers(deps)),
            Route(
                settings.queues.ticket_updates,
                "tickets.update",
                decode_update,
                update_handlers(deps),
            ),
        ]

    return bootstrap
