"""Engine behaviours added after the corpus evaluation showed them missing."""

from __future__ import annotations

from datetime import date
from typing import TypedDict, Unpack

from classifier.engine import ColumnFacts, SensitivityClass, classify_column

C = SensitivityClass
TODAY = date(2026, 11, 1)


class Facts(TypedDict, total=False):
    """What a test says about a column besides its name (see ColumnFacts)."""

    type: str
    comment: str
    table: str


def top(name: str, sample: list[str] | None = None, **facts: Unpack[Facts]) -> C | None:
    recs = classify_column(ColumnFacts(name=name, **facts), sample, today=TODAY)
    return recs[0].sensitivity_class if recs else None


def test_surnames_missing_from_the_dictionary_do_not_contradict_a_surname_column() -> None:
    surnames = ["Więckiewicz", "Policht", "Korhonen", "Saarinen", "Holgersson"] * 20
    assert top("surname", surnames) is C.PERSON_NAME
    assert top("col_1", surnames) is None  # alone they are not evidence


def test_phone_in_other_languages() -> None:
    assert top("telefon") is C.PHONE_NUMBER
    assert top("cliente_telefono") is C.PHONE_NUMBER


def test_an_account_id_whose_comment_says_general_ledger_is_not_a_customer() -> None:
    ids = [str(n) for n in range(40000, 40100)]
    assert top("account_id", ids) is C.CUSTOMER_IDENTIFIER
    assert top("account_id", ids, comment="general ledger account") is None
