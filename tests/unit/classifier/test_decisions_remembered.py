"""A decision is remembered: what a rescan changes in a stored recommendation, and the
producer's sampling and auto-accept settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from meshcore.domain.classification import auto_accepts, parse_sensitivity_class
from meshcore.domain.recommendations import (
    RULE_ACTOR,
    Recommendation,
    RecommendationState,
    RejectionRule,
    column_pattern,
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


def named(column: str, table: str, rate: float | None, cls: str = "person_name") -> Recommendation:
    evidence: dict[str, str | float | int] = {"name_phrase": "name"}
    if rate is not None:
        evidence |= {"match_rate": rate, "non_empty": 100}
    return Recommendation(
        database="ar__sites",
        table=table,
        column=column,
        column_type="string",
        sensitivity_class=cls,
        confidence=0.6,
        explanation="name matches 'name'",
        evidence=evidence,
    )


def test_column_patterns_ignore_case_separators_and_numbering() -> None:
    assert column_pattern("Address_Line_1") == column_pattern("addressLine2") == "addressline#"
    assert column_pattern("Facility Name") == column_pattern("facility_name") == "facilityname"
    assert column_pattern("facility_name") != column_pattern("name")


def test_a_rejection_becomes_a_rule_for_columns_named_alike_in_the_domain() -> None:
    rejected = named("facility_name", "clinics", 0.6).decide(S.REJECTED, "ada")
    rule = RejectionRule.from_rejection(rejected)
    assert rule.key == ("person_name", "facilityname") and rule.match_rate == 0.6
    assert rule.rejected_by == "ada" and rule.rejected_from == rejected.recommendation_id
    # the next table's column with the same name and no stronger evidence is covered...
    assert rule.covers(named("FacilityName", "pharmacies", 0.65))
    # ... another class, another name, or much stronger evidence are not
    assert not rule.covers(named("FacilityName", "pharmacies", 0.65, cls="postal_address"))
    assert not rule.covers(named("owner_name", "pharmacies", 0.6))
    assert not rule.covers(named("facility_name", "pharmacies", 0.95))


def test_a_rule_rejects_without_asking_and_says_why() -> None:
    rule = RejectionRule.from_rejection(
        named("facility_name", "clinics", 0.6).decide(S.REJECTED, "ada")
    )
    found = named("facility_name", "pharmacies", 0.6)
    stored = rule.applied_to(found)
    assert stored.state is S.REJECTED and stored.decided_by == RULE_ACTOR
    assert stored.recommendation_id == found.recommendation_id
    assert stored.explanation.startswith(found.explanation)
    assert "ada rejected person_name for columns named like 'facilityname'" in stored.explanation
    assert stored.rejected_evidence == found.evidence
    # a rescan with the same evidence leaves it rejected; much stronger evidence asks again
    assert stored.rescanned(found) is None
    reopened = stored.rescanned(named("facility_name", "pharmacies", 0.95))
    assert reopened is not None and reopened.state is S.PENDING


def test_a_rule_from_a_name_only_rejection_yields_to_values_that_match() -> None:
    rule = RejectionRule.from_rejection(named("ref", "t", None, "iban").decide(S.REJECTED, "ada"))
    assert rule.match_rate is None
    assert rule.covers(named("ref", "u", None, "iban"))
    assert rule.covers(named("ref", "u", 0.3, "iban"))
    assert not rule.covers(named("ref", "u", 0.9, "iban"))


def test_the_producer_keeps_one_rule_per_class_and_pattern() -> None:
    first = RejectionRule.from_rejection(named("name", "a", 0.5).decide(S.REJECTED, "ada"))
    second = RejectionRule.from_rejection(named("NAME", "b", 0.7).decide(S.REJECTED, "bob"))
    p = producer().with_rejection_rule(first).with_rejection_rule(second)
    assert p.rejection_rules == [second]
    assert p.rejection_rule_for(named("Name", "c", 0.7)) == second
    assert p.rejection_rule_for(named("Name", "c", 0.7, cls="email_address")) is None
    assert p.without_rejection_rule("person_name", "name").rejection_rules == []
    assert Producer.model_validate_json(p.model_dump_json()) == p  # stored with the producer
