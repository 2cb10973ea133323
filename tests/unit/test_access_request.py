from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from meshcore.domain.access import (
    DECISION_MOVES,
    TRANSITIONS,
    AccessRequest,
    RequestState,
    TableName,
)
from meshcore.domain.errors import InvalidTransitionError


def request(**overrides: object) -> AccessRequest:
    fields: dict[str, object] = {
        "consumer_account": "444444444444",
        "tables": [TableName.parse("ar__receivables.invoices")],
        "purpose": "dashboard",
    }
    fields.update(overrides)
    return AccessRequest.model_validate(fields)


def test_pending_request_can_be_granted_with_expiry() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    granted = request(duration_days=30).granted(now)
    assert granted.state is RequestState.GRANTED
    assert granted.expires_at == now + timedelta(days=30)


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (RequestState.PENDING, RequestState.REVOKED),
        (RequestState.REJECTED, RequestState.GRANTED),
        (RequestState.REVOKED, RequestState.GRANTED),
        (RequestState.GRANTED, RequestState.PENDING),
    ],
)
def test_forbidden_transitions_raise(start: RequestState, to: RequestState) -> None:
    with pytest.raises(InvalidTransitionError, match=f"cannot become {to.value}"):
        request(state=start).transition(to)


def test_overlap_is_an_open_request_of_the_same_grantee_on_a_shared_table() -> None:
    mine = request()
    assert mine.overlaps(request())
    assert not mine.overlaps(request(state=RequestState.REJECTED))
    assert not mine.overlaps(request(consumer_account="555555555555"))
    assert not mine.overlaps(request(tables=[TableName.parse("ar__receivables.payments")]))


def test_grantee_is_the_role_when_one_is_named() -> None:
    role = "arn:aws:iam::444444444444:role/analyst"
    assert request(principal_arn=role).grantee == role
    assert request().grantee == "444444444444"


@pytest.mark.parametrize("text", ["invoices", ".invoices", "db.", ""])
def test_table_names_need_database_and_table(text: str) -> None:
    with pytest.raises(ValueError, match=r"DATABASE\.TABLE"):
        TableName.parse(text)


@pytest.mark.parametrize(
    "principal",
    [
        "arn:aws:iam::999999999999:role/analyst",  # another account
        "arn:aws:iam::444444444444:user/analyst",  # not a role
        "arn:aws:iam::444444444444:role/a'b",
        "arn:aws:iam::444444444444:role/x\\narn:aws:iam::999999999999:role/y",
        "*",
    ],
)
def test_the_principal_is_a_role_in_the_consumer_account(principal: str) -> None:
    with pytest.raises(ValidationError, match="not an IAM role ARN in the consumer account"):
        AccessRequest(
            consumer_account="444444444444",
            principal_arn=principal,
            tables=[TableName(database="ar__x", table="t")],
            purpose="p",
        )
    assert AccessRequest(
        consumer_account="444444444444",
        principal_arn="arn:aws:iam::444444444444:role/team/analyst-01",
        tables=[TableName(database="ar__x", table="t")],
        purpose="p",
    ).grantee.endswith("analyst-01")


def test_every_decision_moves_a_request_along_an_allowed_transition() -> None:
    for before, after in DECISION_MOVES.values():
        assert after in TRANSITIONS[before]


def test_a_granted_request_is_shown_granting_until_applied_and_expires_after_its_date() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    granted = request(duration_days=30).granted(now)
    assert granted.shown_state == "granting"
    assert granted.model_copy(update={"grants_applied": True}).shown_state == "granted"
    assert not granted.is_expired(now) and granted.is_expired(now + timedelta(days=30))
    assert not request().is_expired(now + timedelta(days=365))
