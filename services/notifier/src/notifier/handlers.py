"""The notifier's handlers: what the notifications queue carries, and who handles it.

An access notification becomes notices (`audience`), each delivered at once on the person's
channels or kept for their digest; the digest schedule sends what gathered. Delivery is at
least once: a channel failing after another delivered makes the message come back, and the
channels that delivered deliver again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import structlog

from meshcore.domain.notifications import (
    EMAIL_CHANNEL,
    Notice,
    NotificationPreferences,
    NotificationStore,
)
from meshcore.messages.commands import AccessNotification, DigestFlush, ReviewNotification
from meshcore.runtime.dispatch import Delivery, HandlerMap
from meshcore.runtime.metrics import Metrics
from notifier.audience import notices_for, review_notices
from notifier.channels import Mail, Poster
from notifier.render import Message, digest, single

log = structlog.get_logger()


@dataclass
class NotifierDependencies:
    store: NotificationStore
    mail: Mail
    webhooks: Mapping[str, Poster]
    metrics: Metrics
    operators: list[str] = field(default_factory=list)
    default_channels: list[str] = field(default_factory=lambda: [EMAIL_CHANNEL])


async def preferences(deps: NotifierDependencies, person: str) -> NotificationPreferences:
    found = await deps.store.get_preferences(person)
    return found or NotificationPreferences(person=person, channels=deps.default_channels)


async def deliver(
    deps: NotifierDependencies, prefs: NotificationPreferences, message: Message
) -> None:
    for channel in prefs.channels:
        if channel == EMAIL_CHANNEL:
            address = prefs.address()
            if address is None:
                log.warning("notify.no-address", person=prefs.person)
                continue
            await deps.mail.send(address, message)
        elif (hook := deps.webhooks.get(channel)) is not None:
            await hook.post(message)
        else:
            # An operator removed a webhook someone had chosen: the others still hear.
            log.warning("notify.unknown-channel", person=prefs.person, channel=channel)
            continue
        deps.metrics.count(
            "NotificationsSent", Channel="email" if channel == EMAIL_CHANNEL else "webhook"
        )


async def tell(deps: NotifierDependencies, notices: list[Notice]) -> None:
    """Each notice at once on the person's channels, or kept for their digest."""
    for notice in notices:
        prefs = await preferences(deps, notice.person)
        if prefs.digest:
            await deps.store.add_to_digest(notice)
            continue
        await deliver(deps, prefs, single(notice))
        log.info("notify.sent", person=notice.person, what=notice.event, role=notice.role)


async def on_access_notification(n: AccessNotification, deps: NotifierDependencies) -> None:
    structlog.contextvars.bind_contextvars(request_id=n.request_id, state=n.state)
    await tell(deps, notices_for(n, deps.operators))


async def on_review_notification(n: ReviewNotification, deps: NotifierDependencies) -> None:
    structlog.contextvars.bind_contextvars(table=f"{n.database}.{n.table}")
    await tell(deps, review_notices(n))


async def on_digest(command: DigestFlush, deps: NotifierDependencies) -> None:
    sent = 0
    for person in await deps.store.digest_people():
        notices = await deps.store.digest_of(person)
        message = digest(person, notices)
        if message is not None:
            await deliver(deps, await preferences(deps, person), message)
            sent += 1
        await deps.store.clear_digest(person, notices)
    structlog.contextvars.bind_contextvars(digest_id=command.digest_id, digests=sent)


def handler_map(deps: NotifierDependencies) -> HandlerMap:
    async def notification(n: AccessNotification, _delivery: Delivery) -> None:
        await on_access_notification(n, deps)

    async def review(n: ReviewNotification, _delivery: Delivery) -> None:
        await on_review_notification(n, deps)

    async def flush(command: DigestFlush, _delivery: Delivery) -> None:
        await on_digest(command, deps)

    return {AccessNotification: notification, ReviewNotification: review, DigestFlush: flush}
