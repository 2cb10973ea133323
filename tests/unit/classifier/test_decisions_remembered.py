"""A decision is remembered: what a rescan changes in a stored recommendation, and the
producer's sampling and auto-accept settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from meshcore.domain.classification import auto_accepts, parse_sensitivity_class
from meshcore.domain.recommendations import (
    Recommendation,
    RecommendationState,
    evidence_changed_materially,
)
from meshcore.domain.registry import Producer

S = RecommendationState


def rec(rate: float | None = None, confidence: float = 0.7, **extra: object) -> Recommendation:
    evidence: dict[str, str | float | int] = {"name_phrase": "iban"}
    if rate is not None:
        evidence |= {"match_rate": rate, "non_empty": 100}
    return Recommendation(
        database="ar__pay",
        table="payees",
        column="ref",
        column_type="string",
        sensitivity_class="iban",
        confidence=confidence,
        explanation="…",
        evidence=evidence,
        **extra,  # type: ignore[arg-type]
    )


def test_an_unchanged_pending_recommendation_is_left_alone_and_new_evidence_is_taken() -> None:
    pending = rec(0.9, 0.95)
    assert pending.rescanned(rec(0.9, 0.95)) is None
    updated = pending.rescanned(rec(0.95, 0.97))
    assert updated is not None and updated.state is S.PENDING and updated.confidence == 0.97


def test_an_accepted_recommendation_is_never_asked_again() -> None:
    accepted = rec(0.2).decide(S.ACCEPTED, "ada")
    assert accepted.rescanned(rec(0.99, 0.99)) is None
    auto = rec(0.2).decide(S.AUTO_ACCEPTED, "classifier")
    assert auto.rescanned(rec(0.99, 0.99)) is None


def test_a_rejection_records_the_evidence_and_returns_only_on_a_material_change() -> None:
    rejected = rec(0.3, 0.6).decide(S.REJECTED, "ada")
    assert rejected.rejected_evidence == rec(0.3).evidence and rejected.decided_at
    assert rejected.rescanned(rec(0.3, 0.6)) is None
    assert rejected.rescanned(rec(0.45, 0.65)) is None  # noise, not a change
    reopened = rejected.rescanned(rec(0.95, 0.97))
    assert reopened is not None and reopened.state is S.PENDING
    assert reopened.reopened == 1 and reopened.decided_by is None
    assert reopened.rejected_evidence == rejected.rejected_evidence
    # rejected again with the new evidence: that is the new baseline
    again = reopened.decide(S.REJECTED, "ada")
    assert again.rescanned(rec(0.97, 0.97)) is None


def test_material_change_rules() -> None:
    assert evidence_changed_materially({}, {"match_rate": 0.8})  # values were not checked
    assert not evidence_changed_materially({}, {"match_rate": 0.4})  # too few match
    assert not evidence_changed_materially({"match_rate": 0.7}, {"match_rate": 0.9})
    assert evidence_changed_materially({"match_rate": 0.2}, {"match_rate": 0.5})
    assert not evidence_changed_materially({"match_rate": 0.2}, {})


def producer(**fields: object) -> Producer:
    base: dict[str, object] = {
        "account_id": "222222222222",
        "domain": "ar",
        "read_role_arn": "arn:aws:iam::222222222222:role/meshcore-catalog-reader",
        "owners": ["ada@ar.example.com"],
    }
    return Producer.model_validate(base | fields)


def test_sampling_needs_the_producer_permission_and_its_role_and_a_table_may_opt_out() -> None:
    role = "arn:aws:iam::222222222222:role/meshcore-sample-reader"
    assert not producer().may_sample({})
    assert not producer(allow_sampling=True).may_sample({})  # no role to sample with
    allowed = producer(allow_sampling=True, sample_role_arn=role)
    assert allowed.may_sample({}) and allowed.may_sample({"meshcore.sampling": "allow"})
    assert not allowed.may_sample({"meshcore.sampling": "DENY"})


def test_auto_accept_policy_is_validated_and_applied_per_class() -> None:
    policy = producer(auto_accept={"IBAN": 0.9, "email_address": 0.95}).auto_accept
    assert policy == {"iban": 0.9, "email_address": 0.95}
    assert auto_accepts(policy, "iban", 0.9) and not auto_accepts(policy, "iban", 0.89)
    assert not auto_accepts(policy, "person_name", 0.99)
    with pytest.raises(ValidationError):
        producer(auto_accept={"salary": 0.9})
    with pytest.raises(ValidationError):
        producer(auto_accept={"iban": 1.5})
    assert parse_sensitivity_class(" Email_Address ").value == "email_address"
