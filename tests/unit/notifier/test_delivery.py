"""Delivery by preferences: on the chosen channels at once, or kept for the digest; the digest
gathers a person's notices in one message, grouped by request, and forgets what it sent."""

from __future__ import annotations

from datetime import timedelta

from meshcore.domain.notifications import Notice, NotificationPreferences
from meshcore.messages.commands import DigestFlush
from notifier.audience import notices_for
from notifier.handlers import on_access_notification, on_digest
from notifier.render import digest

from .world import NOW, OPERATOR, OWNER, REQUESTER, notification, world


async def test_without_preferences_mail_goes_to_each_person_concerned() -> None:
    w = world()
    await on_access_notification(notification("granted"), w.deps)
    assert w.mailed() == [
        (REQUESTER, "Your access request req-1 was granted"),
        (OWNER, "Access request req-1 was granted"),
    ]
    assert w.slack.posted == [] and w.teams.posted == []


async def test_a_person_hears_on_the_channels_they_chose() -> None:
    w = world()
    await w.store.put_preferences(
        NotificationPreferences(person=REQUESTER, channels=["email", "analysts"])
    )
    await w.store.put_preferences(
        NotificationPreferences(person=OWNER, channels=["owners"], email="ada@elsewhere.example")
    )
    await on_access_notification(notification("granted"), w.deps)
    assert w.mailed() == [(REQUESTER, "Your access request req-1 was granted")]
    assert [m.person for m in w.slack.posted] == [REQUESTER]
    assert [m.person for m in w.teams.posted] == [OWNER]


async def test_mail_goes_to_the_address_a_person_gave() -> None:
    w = world()
    await w.store.put_preferences(
        NotificationPreferences(person=REQUESTER, email="me@home.example.com")
    )
    await on_access_notification(notification("rejected", reason="no"), w.deps)
    assert w.mailed() == [("me@home.example.com", "Your access request req-1 was rejected")]


async def test_no_address_and_unknown_webhooks_send_nothing_but_the_rest_is_sent() -> None:
    w = world()
    await w.store.put_preferences(
        NotificationPreferences(person=REQUESTER, channels=["gone", "analysts"])
    )
    w.directory.owners("ada (no address)")
    await on_access_notification(notification("revoked", reason="left"), w.deps)
    assert [m.person for m in w.slack.posted] == [REQUESTER]
    # The owner's name is no address: only the operator is mailed.
    assert w.mailed() == [(OPERATOR, "Access request req-1 was revoked")]


async def test_a_digest_keeps_notices_until_the_schedule_sends_them_in_one_message() -> None:
    w = world()
    await w.store.put_preferences(NotificationPreferences(person=REQUESTER, digest=True))
    await on_access_notification(notification("pending", at=NOW), w.deps)
    await on_access_notification(notification("granted", at=NOW + timedelta(hours=1)), w.deps)
    await on_access_notification(
        notification("pending", request_id="req-2", reason="decision refused: stale", at=NOW),
        w.deps,
    )
    # Only the owner (and the operator, for the refusal) heard at once.
    assert {to for to, _ in w.mailed()} == {OWNER, OPERATOR}
    assert await w.store.digest_people() == [REQUESTER]
    w.mail.sent.clear()

    await on_digest(DigestFlush(digest_id="d-1"), w.deps)
    ((to, message),) = w.mail.sent
    assert to == REQUESTER
    assert message.subject == "meshcore digest: 3 updates"
    assert message.lines[0] == "req-1:"
    assert message.lines[1].endswith("Your access request req-1 was sent to its data owners")
    assert message.lines[2].endswith("Your access request req-1 was granted")
    assert message.lines[3] == "req-2:"
    assert "  Reason: decision refused: stale" in message.lines
    assert await w.store.digest_people() == []
    await on_digest(DigestFlush(digest_id="d-2"), w.deps)
    assert len(w.mail.sent) == 1  # nothing gathered since: nothing sent


def test_digest_batching_orders_by_time_and_groups_by_request() -> None:
    late, early = (
        notices_for(notification("granted", request_id=rid, at=at), [])[0]
        for rid, at in (("req-b", NOW + timedelta(minutes=5)), ("req-a", NOW))
    )
    message = digest(REQUESTER, [late, early])
    assert message is not None
    assert message.subject == "meshcore digest: 2 updates"
    assert [line for line in message.lines if line.endswith(":")] == ["req-a:", "req-b:"]
    assert digest(REQUESTER, []) is None


def test_a_notice_key_is_unique_per_request_event_and_role() -> None:
    one = Notice(person="p", role="owner", event="granted", about="r", subject="s", at=NOW)
    assert one.key() != one.model_copy(update={"role": "requester"}).key()
    assert one.key() != one.model_copy(update={"event": "revoked"}).key()
