import pytest

from meshcore.domain.errors import InvalidTransitionError
from meshcore.domain.recommendations import Recommendation, RecommendationState


def rec(**overrides: object) -> Recommendation:
    fields: dict[str, object] = {
        "database": "ar__receivables",
        "table": "invoices",
        "column": "customer_email",
        "column_type": "string",
        "sensitivity_class": "email_address",
        "confidence": 0.7,
        "explanation": "name matches 'email'",
    }
    fields.update(overrides)
    return Recommendation.model_validate(fields)


def test_id_is_stable_for_an_unchanged_column_and_changes_with_its_type() -> None:
    assert rec().recommendation_id == rec(confidence=0.9).recommendation_id
    assert rec().recommendation_id != rec(column_type="int").recommendation_id


def test_accept_then_reject_is_allowed_but_pending_cannot_return() -> None:
    accepted = rec().decide(RecommendationState.ACCEPTED, "ada")
    assert accepted.decided_by == "ada"
    rejected = accepted.decide(RecommendationState.REJECTED, "ada")
    with pytest.raises(InvalidTransitionError):
        rejected.decide(RecommendationState.PENDING, "ada")
