"""Who a notification concerns, as meshcore's own records say: the requester of the stored
request and the data owners in the producer registry. A notification's body names only what
happened (anyone who may send to the notifications queue could name any address), so the
people it names are never mailed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import structlog

from meshcore.domain.access import AccessRequest
from meshcore.domain.errors import NotFoundError, PermanentError
from meshcore.domain.naming import split_central_database_name
from meshcore.domain.registry import Producer
from meshcore.messages.commands import AccessNotification, ReviewNotification

log = structlog.get_logger()


class Directory(Protocol):
    """What the notifier reads of the state store (`meshcore.domain.state_store.StateStore`):
    requests by id, producers by domain."""

    async def get_request(self, request_id: str) -> tuple[AccessRequest, int]: ...

    async def producer_for_domain(self, domain: str) -> Producer | None: ...


def _domain_of(database: str) -> str | None:
    try:
        return split_central_database_name(database)[0]
    except PermanentError:
        return None


async def owners_of(directory: Directory, domains: Iterable[str | None]) -> list[str]:
    """The registered owners of these domains (as grant-worker finds them)."""
    owners: list[str] = []
    for domain in dict.fromkeys(d for d in domains if d):
        producer = await directory.producer_for_domain(domain)
        owners.extend(producer.owners if producer else [])
    return list(dict.fromkeys(owners))


async def access_recipients(
    directory: Directory, n: AccessNotification
) -> AccessNotification | None:
    """`n` with the stored request's requester, tables and the registry's owners; None (logged)
    for a request meshcore does not have."""
    try:
        request, _version = await directory.get_request(n.request_id)
    except NotFoundError:
        log.warning("notify.unknown-request", request_id=n.request_id)
        return None
    domains = [request.domain, *(_domain_of(t.database) for t in request.tables)]
    return n.model_copy(
        update={
            "requested_by": request.requested_by,
            "owners": await owners_of(directory, domains),
            "consumer_account": request.consumer_account,
            "tables": request.tables,
            "domain": request.domain,
        }
    )


async def review_recipients(directory: Directory, n: ReviewNotification) -> ReviewNotification:
    """`n` with the registry's owners of the table's domain."""
    return n.model_copy(update={"owners": await owners_of(directory, [_domain_of(n.database)])})
