"""One channel or person failing: the others still hear; a channel refused for good is logged
and counted, one failing for now makes the message come back without the channels that
delivered sending again; a digest refused for good is cleared, so the flush never loops."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from meshcore.domain.errors import PermanentError, RetryableError
from meshcore.domain.notifications import NotificationPreferences
from meshcore.messages.commands import DigestFlush
from notifier.handlers import on_access_notification, on_digest
from notifier.render import Message

from .world import OWNER, REQUESTER, notification, world


@dataclass
class Refusing:
    """Mail that refuses some addresses, for good or for now (`fail[to]`, then delivers)."""

    fail: dict[str, list[Exception]]
    sent: list[tuple[str, Message]] = field(default_factory=list)

    async def send(self, to: str, message: Message) -> None:
        if self.fail.get(to):
            raise self.fail[to].pop(0)
        self.sent.append((to, message))


@dataclass
class FlakyPoster:
    errors: list[Exception]
    posted: list[Message] = field(default_factory=list)

    async def post(self, message: Message) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.posted.append(message)


def failed(w: object) -> int:
    counts = w.deps.metrics._counts  # type: ignore[attr-defined]
    return sum(n for (name, _), n in counts.items() if name == "NotificationsFailed")


async def test_a_person_refused_for_good_does_not_keep_the_others_from_hearing() -> None:
    w = world()
    mail = Refusing({REQUESTER: [PermanentError("smtp: 550 no such user")]})
    w.deps.mail = mail
    await on_access_notification(notification("granted"), w.deps, "m-1")
    assert [to for to, _ in mail.sent] == [OWNER]
    assert failed(w) == 1


async def test_a_channel_failing_for_now_retries_without_resending_the_others() -> None:
    w = world()
    hook = FlakyPoster([RetryableError("webhook analysts: HTTP 503")])
    w.deps.webhooks = {"analysts": hook}
    await w.store.put_preferences(
        NotificationPreferences(person=REQUESTER, channels=["analysts", "email"])
    )
    with pytest.raises(RetryableError):
        await on_access_notification(notification("granted"), w.deps, "m-1")
    # Everyone else heard before the message was to come back.
    assert sorted(w.mailed()) == [
        (OWNER, "Access request req-1 was granted"),
        (REQUESTER, "Your access request req-1 was granted"),
    ]
    # The same message again: only the webhook that failed sends.
    await on_access_notification(notification("granted"), w.deps, "m-1")
    assert len(w.mail.sent) == 2 and [m.person for m in hook.posted] == [REQUESTER]


async def test_a_digest_refused_for_good_is_cleared_and_the_others_are_sent() -> None:
    w = world()
    mail = Refusing({REQUESTER: [PermanentError("smtp: 550 no such user")]})
    w.deps.mail = mail
    for person in (REQUESTER, OWNER):
        await w.store.put_preferences(NotificationPreferences(person=person, digest=True))
    await on_access_notification(notification("granted"), w.deps, "m-1")
    await on_digest(DigestFlush(digest_id="d-1"), w.deps, "m-2")
    assert [to for to, _ in mail.sent] == [OWNER]
    assert await w.store.digest_people() == [] and failed(w) == 1


async def test_a_digest_failing_for_now_is_kept_and_sent_once_when_it_comes_back() -> None:
    w = world()
    mail = Refusing({REQUESTER: [RetryableError("smtp: connection refused")]})
    w.deps.mail = mail
    for person in (REQUESTER, OWNER):
        await w.store.put_preferences(NotificationPreferences(person=person, digest=True))
    await on_access_notification(notification("granted"), w.deps, "m-1")
    with pytest.raises(RetryableError):
        await on_digest(DigestFlush(digest_id="d-1"), w.deps, "m-2")
    assert [to for to, _ in mail.sent] == [OWNER]
    assert await w.store.digest_people() == [REQUESTER]
    await on_digest(DigestFlush(digest_id="d-1"), w.deps, "m-2")
    assert [to for to, _ in mail.sent] == [OWNER, REQUESTER]
    assert await w.store.digest_people() == []


async def test_a_name_too_long_to_keep_preferences_for_is_skipped() -> None:
    w = world()
    w.directory.owners("x" * 300 + "@example.com", OWNER)
    await on_access_notification(notification("granted"), w.deps, "m-1")
    assert [to for to, _ in w.mailed()] == [REQUESTER, OWNER]


async def test_a_notice_kept_after_a_failed_digest_is_sent_on_every_channel() -> None:
    w = world()
    hook = FlakyPoster([RetryableError("webhook analysts: HTTP 503")])
    w.deps.webhooks = {"analysts": hook}
    await w.store.put_preferences(
        NotificationPreferences(person=REQUESTER, channels=["email", "analysts"], digest=True)
    )
    await on_access_notification(notification("pending"), w.deps, "m-1")
    with pytest.raises(RetryableError):
        await on_digest(DigestFlush(digest_id="d-1"), w.deps, "m-2")
    # Mailed; the webhook is to try again. Meanwhile another notice is kept.
    await on_access_notification(notification("granted"), w.deps, "m-3")
    await on_digest(DigestFlush(digest_id="d-1"), w.deps, "m-2")
    assert [m.subject for to, m in w.mail.sent if to == REQUESTER] == [
        "meshcore digest: 1 update",
        "meshcore digest: 2 updates",
    ]
    assert [m.subject for m in hook.posted] == ["meshcore digest: 2 updates"]
    assert await w.store.digest_people() == []
