"""Who hears is what meshcore's records say: the stored request's requester and the producer
registry's owners. The people a notification's body names are never mailed, and a
notification of a request meshcore does not have is dropped."""

from __future__ import annotations

from meshcore.messages.commands import ReviewColumn, ReviewNotification
from notifier.handlers import on_access_notification, on_review_notification

from .world import NOW, OPERATOR, OWNER, REQUESTER, notification, world

MALLORY = "victim@elsewhere.example.com"


async def test_the_body_names_no_one_who_hears() -> None:
    w = world()
    forged = notification("revoked", requested_by=MALLORY, owners=[MALLORY], reason="x")
    await on_access_notification(forged, w.deps, "m-1")
    assert [to for to, _ in w.mailed()] == [REQUESTER, OWNER, OPERATOR]


async def test_a_notification_of_an_unknown_request_is_dropped() -> None:
    w = world()
    await on_access_notification(notification("granted", request_id="req-forged"), w.deps, "m-1")
    assert w.mailed() == []


async def test_a_review_goes_to_the_registered_owners_of_the_tables_domain() -> None:
    w = world()
    review = ReviewNotification(
        database="ar__receivables",
        table="invoices",
        columns=[ReviewColumn(column="email", sensitivity_class="pii.email", confidence=0.9)],
        owners=[MALLORY],
        at=NOW,
    )
    await on_review_notification(review, w.deps, "m-1")
    assert [to for to, _ in w.mailed()] == [OWNER]
    await on_review_notification(
        review.model_copy(update={"database": "zz__unknown"}), w.deps, "m-2"
    )
    assert [to for to, _ in w.mailed()] == [OWNER]
