from datetime import UTC, datetime, timedelta

import pytest

from grant_worker.verify import Refusal, check_decision
from meshcore.domain.access import AccessRequest, RequestState, TableName
from meshcore.messages.commands import AccessDecision

NOW = datetime(2026, 6, 1, tzinfo=UTC)
INVOICES = TableName.parse("ar__receivables.invoices")
PAYMENTS = TableName.parse("ar__receivables.payments")
OWNERS = {INVOICES: ["ada"], PAYMENTS: ["ada"]}


def request(**overrides: object) -> AccessRequest:
    fields: dict[str, object] = {
        "consumer_account": "444444444444",
        "tables": [INVOICES],
        "purpose": "p",
        "owners": ["ada"],
    }
    return AccessRequest.model_validate(fields | overrides)


def decision(**overrides: object) -> AccessDecision:
    fields: dict[str, object] = {
        "request_id": "req-1",
        "ticket_id": "T-1",
        "decision": "approve",
        "approver": "ada",
        "issued_at": NOW,
    }
    return AccessDecision.model_validate(fields | overrides)


def test_a_valid_approval_covers_the_requested_tables() -> None:
    assert check_decision(decision(), request(), OWNERS, NOW) == [INVOICES]


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
    ],
)
def test_refusals_say_why(change: dict[str, object], req: dict[str, object], reason: str) -> None:
    with pytest.raises(Refusal, match=reason):
        check_decision(decision(**change), request(**req), OWNERS, NOW)


def test_an_unknown_owner_list_refuses_everyone() -> None:
    with pytest.raises(Refusal, match="owners: none"):
        check_decision(decision(), request(), {}, NOW)
