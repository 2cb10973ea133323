"""New tables and columns are unclassified until classified and reviewed (#14): what a column's
recommendations make its tag, which columns a grant may read without naming them, how pending
classification reads, and that table grants name their columns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from meshcore.domain.classification import (
    NOT_SENSITIVE,
    PENDING_CLASSIFICATION,
    SENSITIVITY_TAG_VALUES,
    UNCLASSIFIED,
    classification_label,
    is_sensitive_class,
    readable_by_default,
)
from meshcore.domain.column_access import Table, explain
from meshcore.domain.grants import table_grants
from meshcore.domain.recommendations import Recommendation, RecommendationState, column_sensitivity

S = RecommendationState
CENTRAL, CONSUMER = "123456789012", "444444444444"


def rec(cls: str, state: RecommendationState, decided_minutes_ago: int = 0) -> Recommendation:
    return Recommendation(
        database="ar__crm",
        table="customers",
        column="ssn",
        column_type="string",
        sensitivity_class=cls,
        confidence=0.85,
        explanation="name matches 'ssn'",
        state=state,
        decided_at=datetime.now(UTC) - timedelta(minutes=decided_minutes_ago)
        if state is not S.PENDING
        else None,
    )


def test_the_tag_values_include_unclassified_and_none() -> None:
    assert {NOT_SENSITIVE, UNCLASSIFIED} <= set(SENSITIVITY_TAG_VALUES)
    assert not is_sensitive_class(UNCLASSIFIED) and not is_sensitive_class(NOT_SENSITIVE)
    assert is_sensitive_class("national_identifier")


@pytest.mark.parametrize(
    ("recs", "tag"),
    [
        ([], NOT_SENSITIVE),  # the scan found nothing
        ([("national_identifier", S.PENDING)], UNCLASSIFIED),
        ([("national_identifier", S.ACCEPTED)], "national_identifier"),
        ([("national_identifier", S.AUTO_ACCEPTED)], "national_identifier"),
        ([("national_identifier", S.REJECTED)], NOT_SENSITIVE),
        ([("national_identifier", S.REJECTED), ("tax_identifier", S.PENDING)], UNCLASSIFIED),
        (
            [("national_identifier", S.ACCEPTED), ("tax_identifier", S.PENDING)],
            "national_identifier",
        ),
    ],
)
def test_a_scanned_columns_tag_follows_its_recommendations(
    recs: list[tuple[str, RecommendationState]], tag: str
) -> None:
    assert column_sensitivity(rec(cls, state) for cls, state in recs) == tag


@pytest.mark.parametrize(
    ("value", "pending", "readable", "label"),
    [
        (NOT_SENSITIVE, False, True, "none"),
        (NOT_SENSITIVE, True, False, PENDING_CLASSIFICATION),  # a recommendation awaits review
        (UNCLASSIFIED, False, False, PENDING_CLASSIFICATION),
        (None, False, False, PENDING_CLASSIFICATION),  # no tag at all: not classified either
        ("email_address", False, False, "email_address"),
    ],
)
def test_only_a_column_classified_not_sensitive_is_read_without_being_named(
    value: str | None, pending: bool, readable: bool, label: str
) -> None:
    assert readable_by_default(value, pending) is readable
    assert classification_label(value, pending) == label


def test_a_table_grant_names_its_columns_and_an_old_record_keeps_its_wildcard() -> None:
    named = table_grants(CONSUMER, CENTRAL, "ar__crm", "customers", ["ssn"], ["id", "status"])
    assert named[1]["Resource"]["TableWithColumns"]["ColumnNames"] == ["id", "status"]
    assert "ColumnWildcard" not in named[1]["Resource"]["TableWithColumns"]
    assert [e["Permissions"] for e in table_grants(CONSUMER, CENTRAL, "d", "t", ["a"], [])] == [
        ["DESCRIBE"]
    ]
    old = table_grants(CONSUMER, CENTRAL, "ar__crm", "customers", ["ssn"])
    assert old[1]["Resource"]["TableWithColumns"]["ColumnWildcard"] == {
        "ExcludedColumnNames": ["ssn"]
    }


def test_explain_says_pending_classification() -> None:
    table = Table(
        CENTRAL,
        "ar__crm",
        "customers",
        ["id", "ssn", "phone"],
        [],
        {"id": {"sensitivity": ["none"]}, "*": {"sensitivity": ["unclassified"]}},
        awaiting_review=frozenset({"phone"}),
    )
    policy: dict[str, Any] = {
        "LFTagPolicy": {
            "CatalogId": CENTRAL,
            "ResourceType": "TABLE",
            "Expression": [{"TagKey": "sensitivity", "TagValues": ["none"]}],
        }
    }
    grant = {"Principal": {"DataLakePrincipalIdentifier": CENTRAL}, "Resource": policy}
    answers = {a.column: a for a in explain(CENTRAL, table, [grant | {"Permissions": ["SELECT"]}])}
    assert answers["id"].readable and not answers["id"].pending
    for column in ("ssn", "phone"):
        assert not answers[column].readable and answers[column].pending
        assert answers[column].why_not.startswith(PENDING_CLASSIFICATION)
