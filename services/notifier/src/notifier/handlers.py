"""The notifier's handlers: what the notifications queue carries, and who handles it.

An access notification becomes notices (`audience`), each delivered at once on the person's
channels or kept for their digest; the digest schedule sends what gathered. A channel refused
for good (a rejected address, a 4xx) is logged and counted (`NotificationsFailed`) and the rest
still hear. Delivery is at least once: a channel failing for now makes the message come back
once everyone was tried, and the channels that delivered are remembered per message
(`notify-sent#...` items that expire), so they do not send again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import structlog
from pydantic import ValidationError

from meshcore.domain.errors import PermanentError, RetryableError
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
from notifier.recipients import Directory, access_recipients, review_recipients
from notifier.render import Message, digest, single

log = structlog.get_logger()


@dataclass
class NotifierDependencies:
    store: NotificationStore
    directory: Directory
    mail: Mail
    webhooks: Mapping[str, Poster]
    metrics: Metrics
    operators: list[str] = field(default_factory=list)
    default_channels: list[str] = field(default_factory=lambda: [EMAIL_CHANNEL])


async def preferences(deps: NotifierDependencies, person: str) -> NotificationPreferences:
    found = await deps.store.get_preferences(person)
    return found or NotificationPreferences(person=person, channels=deps.default_channels)


class Outcome:
    """What came of delivering: the first retryable failure, raised once everyone was tried
    (so that the message comes back, and only the channels that failed send again)."""

    def __init__(self) -> None:
        self.retry: RetryableError | None = None

    def done(self) -> None:
        if self.retry is not None:
            raise self.retry


async def _send_on(
    deps: NotifierDependencies, prefs: NotificationPreferences, channel: str, message: Message
) -> bool:
    """Send on one channel; False when there is nowhere to send it."""
    if channel == EMAIL_CHANNEL:
        address = prefs.address()
        if address is None:
            log.warning("notify.no-address", person=prefs.person)
            return False
        await deps.mail.send(address, message)
    elif (hook := deps.webhooks.get(channel)) is not None:
        await hook.post(message)
    else:
        # An operator removed a webhook someone had chosen: the others still hear.
        log.warning("notify.unknown-channel", person=prefs.person, channel=channel)
        return False
    return True


async def deliver(
    deps: NotifierDependencies,
    prefs: NotificationPreferences,
    message: Message,
    message_id: str,
    outcome: Outcome,
) -> bool:
    """`message` on each of the person's channels. A channel refused for good is logged and
    counted and the others still send; one that fails for now is noted in `outcome` and the
    others still send. A channel that delivered is remembered per message id, so the message
    coming back does not send there again. True when no channel failed for now."""
    retry = False
    for channel in prefs.channels:
        kind = "email" if channel == EMAIL_CHANNEL else "webhook"
        marker = f"{message_id}#{prefs.person}#{channel}" if message_id else ""
        if marker and await deps.store.was_sent(marker):
            continue
        try:
            if not await _send_on(deps, prefs, channel, message):
                continue
        except PermanentError as exc:
            log.warning(
                "notify.failed", person=prefs.person, channel=channel, error=type(exc).__name__
            )
            deps.metrics.count("NotificationsFailed", Channel=kind)
            continue
        except RetryableError as exc:
            log.warning(
                "notify.retry", person=prefs.person, channel=channel, error=type(exc).__name__
            )
            outcome.retry = outcome.retry or exc
            retry = True
            continue
        if marker:
            await deps.store.mark_sent(marker)
        deps.metrics.count("NotificationsSent", Channel=kind)
    return not retry


async def _preferences_of(
    deps: NotifierDependencies, person: str
) -> NotificationPreferences | None:
    """The person's preferences, or None (logged) for a name meshcore cannot keep any for."""
    try:
        return await preferences(deps, person)
    except ValidationError:
        log.warning("notify.bad-person", length=len(person))
        return None


async def tell(deps: NotifierDependencies, notices: list[Notice], message_id: str) -> None:
    """Each notice at once on the person's channels, or kept for their digest."""
    outcome = Outcome()
    for notice in notices:
        prefs = await _preferences_of(deps, notice.person)
        if prefs is None:
            continue
        if prefs.digest:
            await deps.store.add_to_digest(notice)
            continue
        await deliver(deps, prefs, single(notice), message_id, outcome)
        log.info("notify.sent", person=notice.person, what=notice.event, role=notice.role)
    outcome.done()


async def on_access_notification(
    n: AccessNotification, deps: NotifierDependencies, message_id: str = ""
) -> None:
    structlog.contextvars.bind_contextvars(request_id=n.request_id, state=n.state)
    # The body says what happened; who hears is what meshcore's records say.
    resolved = await access_recipients(deps.directory, n)
    if resolved is not None:
        await tell(deps, notices_for(resolved, deps.operators), message_id)


async def on_review_notification(
    n: ReviewNotification, deps: NotifierDependencies, message_id: str = ""
) -> None:
    structlog.contextvars.bind_contextvars(table=f"{n.database}.{n.table}")
    await tell(deps, review_notices(await review_recipients(deps.directory, n)), message_id)


def _fingerprint(notices: list[Notice]) -> str:
    keys = "\n".join(sorted(n.key() for n in notices))
    return hashlib.sha256(keys.encode()).hexdigest()[:16]


async def on_digest(command: DigestFlush, deps: NotifierDependencies, message_id: str = "") -> None:
    sent = 0
    outcome = Outcome()
    for person in await deps.store.digest_people():
        notices = await deps.store.digest_of(person)
        message = digest(person, notices)
        prefs = await _preferences_of(deps, person)
        if message is not None and prefs is not None:
            # Remembered per flush and per what it gathered: a notice kept since a failed try
            # makes another message, which channels that took the first still send.
            sent_as = f"{message_id}#{_fingerprint(notices)}" if message_id else ""
            if not await deliver(deps, prefs, message, sent_as, outcome):
                continue  # kept for the flush coming back
            sent += 1
        # Cleared after a permanent failure too: the flush never loops on anyone.
        await deps.store.clear_digest(person, notices)
    structlog.contextvars.bind_contextvars(digest_id=command.digest_id, digests=sent)
    outcome.done()


def handler_map(deps: NotifierDependencies) -> HandlerMap:
    async def notification(n: AccessNotification, delivery: Delivery) -> None:
        await on_access_notification(n, deps, delivery.message_id)

    async def review(n: ReviewNotification, delivery: Delivery) -> None:
        await on_review_notification(n, deps, delivery.message_id)

    async def flush(command: DigestFlush, delivery: Delivery) -> None:
        await on_digest(command, deps, delivery.message_id)

    return {AccessNotification: notification, ReviewNotification: review, DigestFlush: flush}
