from datetime import UTC, datetime, timedelta

import pytest

from grant_worker.verify import Refusal, check_decision
from meshcore.domain.access import AccessRequest, RequestState, TableName
from meshcore.messages.commands import AccessDecision

NOW = datetime(2026, 6, 1, tzinfo=UTC)
INVOICES = TableName.parse("ar__receivables.invoices")
PAYMENTS = TableName.parse("ar__receivables.payments")
OWNERS = {INVOICES: ["ada"], PAYMENTS: ["ada"]}


MAX_AGE = timedelta(hours=24)


def request(**overrides: object) -> AccessRequest:
    fields: dict[str, object] = {
        "request_id": "req-1",
        "consumer_account": "444444444444",
        "tables": [INVOICES],
        "purpose": "p",
        "owners": ["ada"],
    }
    return AccessRequest.model_validate(fields | overrides)


def decision(about: AccessRequest | None = None, **overrides: object) -> AccessDecision:
    fields: dict[str, object] = {
        "request_id": "req-1",
        "terms_digest": (about or request()).terms_digest(),
        "ticket_id": "T-1",
        "decision": "approve",
        "approver": "ada",
        "issued_at": NOW,
    }
    return AccessDecision.model_validate(fields | overrides)


def test_a_valid_approval_covers_the_requested_tables() -> None:
    assert check_decision(decision(), request(), OWNERS, NOW, MAX_AGE) == [INVOICES]


@pytest.mark.parametrize(
    ("change", "req", "reason"),
    [
        ({"approver": "mallory"}, {}, "mallory is not an owner"),
        ({"expires_at": NOW - timedelta(seconds=1)}, {}, "expired"),
        ({"tables": [PAYMENTS]}, {}, "not requested: ar__receivables.payments"),
        ({"ticket_id": "T-2"}, {"ticket_id": "T-1"}, "does not match"),
        ({}, {"state": RequestState.GRANTED}, "request is granted"),
        ({"decision": "revoke"}, {}, "request is pending; a revoke needs it granted"),
        (
            {"sensitive_columns": ["ssn"]},
            {"columns": ["email"]},
            "columns that were not requested: ssn",
        ),
        ({"sensitive_columns": ["ssn"]}, {}, "columns that were not requested: ssn"),
        ({"issued_at": NOW + timedelta(minutes=6)}, {}, "issued in the future"),
        ({"issued_at": NOW - timedelta(hours=25)}, {}, "more than 24 hours ago"),
    ],
)
def test_refusals_say_why(change: dict[str, object], req: dict[str, object], reason: str) -> None:
    with pytest.raises(Refusal, match=reason):
        check_decision(decision(request(**req), **change), request(**req), OWNERS, NOW, MAX_AGE)


def test_an_unknown_owner_list_refuses_everyone() -> None:
    with pytest.raises(Refusal, match="owners: none"):
        check_decision(decision(), request(), {}, NOW, MAX_AGE)


@pytest.mark.parametrize(
    "changed",
    [
        {"consumer_account": "666666666666"},
        {"principal_arn": "arn:aws:iam::444444444444:role/other"},
        {"tables": [PAYMENTS]},
        {"columns": ["ssn"]},
        {"duration_days": 3650},
        {"purpose": "something else"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_a_request_changed_after_its_ticket_matches_no_approval(changed: dict[str, object]) -> None:
    """The owner approved the terms the ticket showed; a stored request rewritten afterwards
    (one PutItem on the state table) is refused, whatever field was changed."""
    approved = decision(request())
    tampered = request().model_copy(update=changed)
    with pytest.raises(Refusal, match="other terms than the request holds"):
        check_decision(approved, tampered, OWNERS, NOW, MAX_AGE)


def test_a_decision_too_big_for_a_kms_mac_is_malformed() -> None:
    with pytest.raises(ValueError, match="KMS signs at most 4096"):
        decision(sensitive_columns=[f"column_{i:04d}" for i in range(400)])
