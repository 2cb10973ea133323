"""Decisions: name and value evidence combined into recommendations."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from faker import Faker
from stdnum import luhn

from classifier.engine import (
    CLASS_DESCRIPTIONS,
    ColumnFacts,
    Evidence,
    Recommendation,
    SensitivityClass,
    classify_column,
)
from classifier.engine.decide import select

C = SensitivityClass
TODAY = date(2025, 6, 1)


@pytest.fixture
def fake() -> Faker:
    f = Faker("en_US")
    f.seed_instance(1234)
    return f


def classify(
    name: str,
    type_: str = "string",
    sample: Sequence[str | None] | None = None,
    *,
    table: str = "t",
    comment: str | None = None,
    siblings: tuple[str, ...] = (),
) -> list[Recommendation]:
    facts = ColumnFacts(
        name=name, type=type_, comment=comment, table=table, sibling_columns=siblings
    )
    return classify_column(facts, sample, today=TODAY)


def top(recs: list[Recommendation]) -> C | None:
    return recs[0].sensitivity_class if recs else None


def luhn_number(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


# --- API and output shape ---------------------------------------------------------------


def test_public_api_example() -> None:
    recs = classify_column(
        ColumnFacts(
            name="cust_email", type="string", comment=None, table="customers",
            sibling_columns=("cust_id",),
        ),
        sample=None,
    )  # fmt: skip
    assert [r.sensitivity_class for r in recs] == [C.EMAIL_ADDRESS]
    assert recs[0].confidence == pytest.approx(0.7)
    assert "name matches 'email'" in recs[0].explanation


def test_classes_are_lake_formation_tag_values_with_descriptions() -> None:
    for cls in C:
        assert cls.value == cls.value.lower() and len(cls.value) <= 50
        assert cls.value.replace("_", "").isalpha()
        assert CLASS_DESCRIPTIONS[cls].endswith(".")


def test_records_are_frozen(fake: Faker) -> None:
    rec = classify("email", sample=[fake.email() for _ in range(50)])[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.confidence = 0.1  # type: ignore[misc]


def test_explanation_and_evidence_give_statistics_never_values(fake: Faker) -> None:
    sample = [fake.email() for _ in range(196)] + ["n/a", "", None, "not-an-email"]
    rec = classify("customer_email", sample=sample)[0]
    assert rec.sensitivity_class is C.EMAIL_ADDRESS
    assert rec.confidence >= 0.9
    assert rec.explanation == (
        "name matches 'email'; 99 % of 197 sampled non-empty values are valid email addresses"
    )
    ev = rec.evidence
    assert (ev.name_tokens, ev.name_phrase, ev.name_source) == (("email",), "email", "name")
    assert (ev.sample_size, ev.non_empty, ev.matched) == (200, 197, 196)
    assert ev.match_rate == pytest.approx(196 / 197, abs=1e-4)
    flat = ev.as_dict()
    assert dict(ev.items()) == flat
    text = rec.explanation + repr(flat)
    for value in sample:
        if value and "@" in value:
            assert value not in text


# --- traps ------------------------------------------------------------------------------


def test_sixteen_digit_order_ids_are_not_cards() -> None:
    rng = random.Random(7)
    ids = [str(rng.randrange(10**15, 10**16)) for _ in range(300)]
    assert classify("order_id", "bigint", ids) == []
    assert classify("col_4", "bigint", ids) == []


def test_sixteen_digit_luhn_valid_timestamps_are_not_cards() -> None:
    rng = random.Random(8)
    # microsecond timestamps, made Luhn-valid on purpose: no issuer uses prefix 17
    stamps = [
        luhn_number(str(1_700_000_000 + rng.randrange(10**8))[:10], 16, rng) for _ in range(200)
    ]
    assert classify("event_us", "bigint", stamps) == []
    assert classify("col_5", "string", stamps) == []


def test_sequential_ids_with_a_visa_prefix_are_not_cards() -> None:
    ids = [str(4_000_000_000_000_000 + i) for i in range(300)]
    assert classify("col_6", "bigint", ids) == []


def test_ship_date_is_not_an_ip_or_a_birth_date(fake: Faker) -> None:
    dates = [fake.date_between(TODAY - timedelta(days=700), TODAY).isoformat() for _ in range(200)]
    assert classify("ship_date", "date") == []
    assert classify("ship_date", "date", dates) == []


def test_zip_file_count_is_not_an_address() -> None:
    assert classify("zip_file_count", "int") == []
    assert classify("zip_file_count", "string", [str(n) for n in range(10000, 10200)]) == []


def test_email_sent_count_is_a_count() -> None:
    assert classify("email_sent_count", "bigint") == []
    assert classify("email_sent_count", "int", [str(n) for n in range(200)]) == []
    assert classify("email", "bigint") == []  # numbers cannot be email addresses
    assert classify("email_opt_in", "boolean") == []


def test_complex_and_fractional_types_are_never_tagged() -> None:
    assert classify("customer_emails", "array<string>") == []
    assert classify("ssn", "double") == []
    assert classify("card_number", "decimal(18,2)") == []
    assert top(classify("card_number", "decimal(19,0)")) is C.PAYMENT_CARD_NUMBER


# --- one positive and negative per class ------------------------------------------------


def test_person_name(fake: Faker) -> None:
    first = [fake.first_name() for _ in range(150)]
    full = [fake.name() for _ in range(150)]
    assert top(classify("first_name")) is C.PERSON_NAME
    assert classify("first_name", sample=first)[0].confidence >= 0.9
    assert top(classify("col_1", sample=full)) is C.PERSON_NAME
    assert top(classify("col_1", sample=first)) is C.PERSON_NAME  # single tokens too
    companies = [fake.company() for _ in range(150)]
    assert classify("company_name", sample=companies) == []
    assert classify("name", table="products", sample=[fake.catch_phrase() for _ in range(50)]) == []


def test_bare_name_column_depends_on_the_table() -> None:
    assert top(classify("name", table="customers")) is C.PERSON_NAME
    assert classify("name", table="products") == []


def test_email(fake: Faker) -> None:
    emails = [fake.email() for _ in range(200)]
    assert top(classify("col_2", sample=emails)) is C.EMAIL_ADDRESS
    assert 0.7 <= classify("col_2", sample=emails)[0].confidence < 0.9
    assert classify("contact_email", sample=emails)[0].confidence >= 0.9
    # a column named email whose values are hashes: the name alone is contradicted
    hashes = [fake.sha256() for _ in range(100)]
    assert classify("email", sample=hashes) == []


def _us_phone(rng: random.Random) -> str:
    area = rng.choice(["212", "415", "312", "617", "206", "303", "512", "650", "305", "404"])
    exchange = f"{rng.randrange(2, 10)}{rng.randrange(100):02d}"
    line = f"{rng.randrange(10000):04d}"
    return rng.choice(
        [f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}", f"+1 {area} {exchange} {line}"]
    )


def test_phone() -> None:
    rng = random.Random(3)
    phones = [_us_phone(rng) for _ in range(200)]
    assert classify("mobile_no", sample=phones)[0].confidence >= 0.9
    assert top(classify("col_3", sample=phones)) is C.PHONE_NUMBER
    bare = [p.replace("(", "").replace(")", "").replace(" ", "").replace("-", "") for p in phones]
    national = [b.removeprefix("+1") for b in bare]
    # bare 10-digit numbers that are all valid and spread like phone numbers speak alone...
    alone = classify("col_3", "bigint", national)
    assert top(alone) is C.PHONE_NUMBER and alone[0].confidence <= 0.7
    assert top(classify("phone", "bigint", national)) is C.PHONE_NUMBER
    # ... numbers issued from one block (invoice numbers) do not, though they are valid
    block = [str(2125550000 + 7 * i) for i in range(200)]
    assert classify("col_3", "bigint", block) == []


def test_phone_region_from_context() -> None:
    uk = ["020 7946 0958", "0161 496 0123", "0113 496 0999", "07700 900123", "029 2018 0123"] * 20
    found = classify("col_7", sample=uk)  # not valid as US numbers: the region is found
    assert top(found) is C.PHONE_NUMBER and "region GB" in found[0].explanation
    assert top(classify("col_7", sample=uk, table="uk_customers")) is C.PHONE_NUMBER
    assert top(classify("home_tel", sample=uk, table="customers_gb")) is C.PHONE_NUMBER


def test_customer_identifier_is_name_driven() -> None:
    ids = [f"C{n:07d}" for n in range(200)]
    rec = classify("cust_no", sample=ids)[0]
    assert rec.sensitivity_class is C.CUSTOMER_IDENTIFIER and 0.7 <= rec.confidence < 0.9
    assert top(classify("client_ref")) is C.CUSTOMER_IDENTIFIER
    assert classify("col_8", sample=ids) == []  # ids alone do not say whose they are
    assert top(classify("id", table="customers")) is C.CUSTOMER_IDENTIFIER
    assert classify("id", table="orders") == []


def test_account_id_says_it_may_be_a_ledger_account() -> None:
    plain = classify("account_id")[0]
    assert plain.sensitivity_class is C.CUSTOMER_IDENTIFIER
    assert "general-ledger" in plain.explanation
    ledger = classify("account_id", table="gl_postings", siblings=("journal_id", "debit"))[0]
    assert ledger.confidence < plain.confidence
    assert "ledger" in ledger.explanation


def test_bank_account_number() -> None:
    rng = random.Random(4)
    accounts = [str(rng.randrange(10**7, 10**12)) for _ in range(200)]
    rec = classify("bank_acct_no", sample=accounts)[0]
    assert rec.sensitivity_class is C.BANK_ACCOUNT_NUMBER and rec.confidence >= 0.8
    assert classify("col_9", sample=accounts) == []
    assert classify("bank_account_type", sample=["checking", "savings"] * 20) == []


def test_iban(fake: Faker) -> None:
    ibans = [fake.iban() for _ in range(200)]
    opaque = classify("col_17", sample=ibans)[0]
    assert opaque.sensitivity_class is C.IBAN and opaque.confidence >= 0.9
    assert "mod-97" in opaque.explanation
    assert classify("iban", sample=ibans)[0].confidence >= 0.95
    # an account number column that holds IBANs is an IBAN column
    assert top(classify("account_number", sample=ibans)) is C.IBAN
    broken = [i[:-1] + str((int(i[-1]) + 1) % 10) for i in ibans]  # checksums broken
    assert classify("col_17", sample=broken) == []


def test_bank_routing_code(fake: Faker) -> None:
    abas = [fake.aba() for _ in range(200)]
    assert classify("col_10", sample=abas)[0].sensitivity_class is C.BANK_ROUTING_CODE
    assert classify("col_10", sample=abas)[0].confidence >= 0.9
    sort_codes = [f"{n % 100:02d}-{n * 7 % 100:02d}-{n * 13 % 100:02d}" for n in range(100)]
    assert classify("sort_code", sample=sort_codes)[0].confidence >= 0.9
    rng = random.Random(5)
    nine_digits = [str(rng.randrange(10**8, 10**9)) for _ in range(200)]
    assert classify("col_10", sample=nine_digits) == []


def test_payment_card(fake: Faker) -> None:
    cards = [
        fake.credit_card_number(t) for t in ("visa16", "mastercard", "amex") for _ in range(70)
    ]
    rec = classify("col_11", sample=cards)[0]
    assert rec.sensitivity_class is C.PAYMENT_CARD_NUMBER and rec.confidence >= 0.9
    assert classify("card_number", sample=cards)[0].confidence >= 0.95
    assert top(classify("card_number")) is C.PAYMENT_CARD_NUMBER
    assert classify("card_type", sample=["VISA", "MC"] * 20) == []


def test_national_identifier(fake: Faker) -> None:
    ssns = [fake.ssn() for _ in range(200)]
    assert classify("ssn", sample=ssns)[0].confidence >= 0.9
    assert top(classify("col_12", sample=ssns)) is C.NATIONAL_IDENTIFIER
    bare = [s.replace("-", "") for s in ssns]
    # nine bare digits that are all valid SSNs, spread over many areas, speak alone...
    assert top(classify("col_12", sample=bare)) is C.NATIONAL_IDENTIFIER
    # ... numbers issued from one block do not
    assert classify("col_12", sample=[str(123450000 + 37 * i) for i in range(200)]) == []
    assert top(classify("social_security_no", sample=bare)) is C.NATIONAL_IDENTIFIER
    assert top(classify("ni_number", sample=["AB123456C", "CE987654A"] * 10)) is (
        C.NATIONAL_IDENTIFIER
    )


def test_tax_identifier(fake: Faker) -> None:
    eins = [fake.ein() for _ in range(200)]
    assert classify("ein", sample=eins)[0].confidence >= 0.9
    assert top(classify("col_13", sample=eins)) is C.TAX_IDENTIFIER
    vat = ["DE136695976", "GB980780684", "NL004495445B01"] * 10
    assert classify("col_13", sample=vat)[0].confidence >= 0.9
    assert classify("vat_rate", "decimal(5,2)", ["19.00", "7.00"] * 10) == []


def test_postal_address(fake: Faker) -> None:
    streets = [fake.street_address() for _ in range(200)]
    assert classify("billing_address", sample=streets)[0].confidence >= 0.9
    assert top(classify("col_14", sample=streets)) is C.POSTAL_ADDRESS
    zips = [fake.zipcode() for _ in range(200)]
    assert classify("zip", sample=zips)[0].confidence >= 0.9
    assert classify("col_14", sample=zips) == []  # five digits alone are anything
    assert classify("address_type", sample=["home", "work"] * 20) == []


def test_date_of_birth(fake: Faker) -> None:
    births = [fake.date_of_birth(minimum_age=18, maximum_age=90).isoformat() for _ in range(200)]
    assert classify("dob", "date", births)[0].confidence >= 0.9
    assert top(classify("birth_dt", "string")) is C.DATE_OF_BIRTH
    opaque = classify("col_15", "date", births)
    assert top(opaque) is C.DATE_OF_BIRTH and opaque[0].confidence < 0.7
    created = [
        fake.date_time_between(TODAY - timedelta(days=3000), TODAY).isoformat() for _ in range(100)
    ]
    assert classify("col_15", "timestamp", created) == []
    assert classify("dob", "date", ["2999-01-01"] * 30) == []  # contradicted: future dates


def test_ip_address(fake: Faker) -> None:
    ips = [fake.ipv4() for _ in range(100)] + [fake.ipv6() for _ in range(100)]
    assert classify("client_ip", sample=ips)[0].confidence >= 0.9
    assert top(classify("col_16", sample=ips)) is C.IP_ADDRESS
    assert classify("ip_country", sample=["US", "DE"] * 20) == []


# --- evidence rules -----------------------------------------------------------------------


def test_name_only_gives_moderate_confidence() -> None:
    for name, cls in [
        ("customer_email", C.EMAIL_ADDRESS),
        ("ssn", C.NATIONAL_IDENTIFIER),
        ("iban", C.IBAN),
        ("dob", C.DATE_OF_BIRTH),
    ]:
        rec = classify(name)[0]
        assert rec.sensitivity_class is cls
        assert 0.6 <= rec.confidence < 0.9
        assert "no sampled values were checked" in rec.explanation


def test_comment_alone_is_weak_but_supports_values(fake: Faker) -> None:
    assert classify("c_9", comment="Customer email address") == []
    emails = [fake.email() for _ in range(100)]
    rec = classify("c_9", comment="Customer email address", sample=emails)[0]
    assert rec.confidence >= 0.9
    assert "comment mentions" in rec.explanation


def test_small_samples_count_less(fake: Faker) -> None:
    ibans = [fake.iban() for _ in range(10)]
    assert (
        classify("col_1", sample=ibans)[0].confidence
        < classify("col_1", sample=ibans * 5)[0].confidence
    )
    assert classify("col_1", sample=ibans[:3]) == []  # too few values to count


def test_empty_sample_is_like_no_sample() -> None:
    assert classify("email", sample=[None, "", "  "] * 10)[0].confidence == pytest.approx(0.7)


def test_glue_match_rate_threshold_is_not_a_majority_vote(fake: Faker) -> None:
    # 60 % IBANs with junk: a checksum rate this high is not chance
    mixed = [fake.iban() for _ in range(60)] + ["unknown"] * 40
    assert top(classify("col_1", sample=mixed)) is C.IBAN
    # 20 % emails in free text: not an email column
    notes = [fake.email() for _ in range(20)] + [fake.sentence() for _ in range(80)]
    assert classify("col_1", sample=notes) == []


def test_values_can_overrule_a_contradicted_name(fake: Faker) -> None:
    # a column named for SSNs that holds employer numbers
    recs = classify("ssn", sample=[fake.ein() for _ in range(100)])
    assert [r.sensitivity_class for r in recs] == [C.TAX_IDENTIFIER]
    assert "the column name suggests another class" in recs[0].explanation


def _rec(cls: C, confidence: float) -> Recommendation:
    return Recommendation(cls, confidence, "", Evidence())


def test_a_close_second_class_is_reported_too() -> None:
    best, close, far = (
        _rec(C.TAX_IDENTIFIER, 0.85),
        _rec(C.NATIONAL_IDENTIFIER, 0.75),
        _rec(C.PERSON_NAME, 0.6),
    )
    assert select([far, close, best]) == [best, close]
    assert select([_rec(C.IBAN, 0.95), close]) == [_rec(C.IBAN, 0.95)]
    assert select([_rec(C.PERSON_NAME, 0.65), _rec(C.CUSTOMER_IDENTIFIER, 0.6)]) == [
        _rec(C.PERSON_NAME, 0.65)
    ]
    assert select([]) == []
    # a clear winner in practice stands alone
    assert len(classify("tin", sample=[f"536-90-{n:04d}" for n in range(1000, 1100)])) == 1


def test_too_few_values_are_reported_as_such() -> None:
    rec = classify("email", sample=["a@example.com", "b@example.org"])[0]
    assert rec.confidence == pytest.approx(0.7)
    assert "only 2 non-empty sampled values, too few to check" in rec.explanation
