"""Who hears what: the requester every step, the owners what concerns their tables, operators
refusals and revocations; each person once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from meshcore.messages.commands import ReviewColumn, ReviewNotification
from notifier.audience import notices_for, review_notices

from .world import NOW, OPERATOR, OWNER, REQUESTER, notification


def heard(state: str = "granted", **more: object) -> list[tuple[str, str, str]]:
    return [
        (n.person, n.role, n.event) for n in notices_for(notification(state, **more), [OPERATOR])
    ]


@pytest.mark.parametrize(
    ("state", "reason", "expected"),
    [
        ("pending", "routed to its data owners", [REQUESTER, OWNER]),
        ("granted", "approved", [REQUESTER, OWNER]),
        ("rejected", "not for this purpose", [REQUESTER]),
        ("revoked", "left the team", [REQUESTER, OWNER, OPERATOR]),
        ("expired", "access expired", [REQUESTER, OWNER]),
        ("pending", "decision refused: stale decision", [REQUESTER, OWNER, OPERATOR]),
        ("granted", "decision refused: approver owns no table", [REQUESTER, OWNER, OPERATOR]),
    ],
)
def test_who_hears_each_outcome(state: str, reason: str, expected: list[str]) -> None:
    assert [person for person, _role, _event in heard(state, reason=reason)] == expected


def test_a_refusal_and_a_rejection_tell_the_reason() -> None:
    (refused, *_) = notices_for(notification("pending", reason="decision refused: replay"), [])
    assert refused.event == "refused" and "Reason: decision refused: replay" in refused.lines
    (rejected,) = notices_for(notification("rejected", reason="not for this purpose"), [])
    assert rejected.subject == "Your access request req-1 was rejected"
    assert "Reason: not for this purpose" in rejected.lines


def test_owners_are_asked_to_decide_when_a_request_is_routed() -> None:
    requester, owner = notices_for(notification("pending"), [])
    assert owner.role == "owner" and owner.subject == "Access request req-1 awaits your decision"
    assert f"Requested by: {REQUESTER}" in owner.lines
    assert requester.subject == "Your access request req-1 was sent to its data owners"


def test_expiring_soon_tells_the_requester_alone_in_how_many_days() -> None:
    ends = NOW + timedelta(days=3)
    (notice,) = notices_for(notification(expiring_in_days=3, expires_at=ends), [OPERATOR])
    assert (notice.person, notice.event) == (REQUESTER, "expiring")
    assert notice.subject == "Your access (req-1) ends in 3 days"
    assert "Access ends: 2026-11-28 10:00 UTC" in notice.lines


def test_a_person_with_two_roles_hears_once_as_the_first() -> None:
    assert heard("revoked", owners=[REQUESTER, OWNER]) == [
        (REQUESTER, "requester", "revoked"),
        (OWNER, "owner", "revoked"),
        (OPERATOR, "operator", "revoked"),
    ]


def test_a_request_without_a_named_requester_still_tells_its_owners() -> None:
    assert heard("granted", requested_by="") == [(OWNER, "owner", "granted")]


def test_a_state_nobody_is_told_about_gives_no_notice() -> None:
    assert heard("granting") == []


def test_owners_hear_which_columns_await_their_review() -> None:
    n = ReviewNotification(
        database="ar__receivables",
        table="invoices",
        columns=[
            ReviewColumn(column="customer_email", sensitivity_class="email_address", confidence=0.9)
        ],
        owners=[OWNER, "piet@ap.example.com", OWNER],
        at=NOW,
    )
    notices = review_notices(n)
    assert [(x.person, x.role, x.event) for x in notices] == [
        (OWNER, "owner", "review"),
        ("piet@ap.example.com", "owner", "review"),
    ]
    assert notices[0].subject == "1 column of ar__receivables.invoices awaits your review"
    assert "- customer_email: email_address (90% confident)" in notices[0].lines
