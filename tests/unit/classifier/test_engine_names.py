"""Column-name tokenising and phrase matching."""

from __future__ import annotations

import pytest

from classifier.engine import SensitivityClass as C
from classifier.engine.names import (
    best_hits,
    describes_something_else,
    match_text,
    region_from_context,
    split_words,
    tokenise,
)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("customer_email", ["customer", "email"]),
        ("customerEmailAddress", ["customer", "email", "address"]),
        ("IPAddress", ["ip", "address"]),
        ("clientIPv6", ["client", "ipv6"]),
        ("address_line1", ["address", "line", "1"]),
        ("addr.line-2", ["addr", "line", "2"]),
        ("SSN", ["ssn"]),
        ("ssnLast4", ["ssn", "last4"]),
    ],
)
def test_split_words(name: str, words: list[str]) -> None:
    assert split_words(name) == words


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("cust_nm", ("customer", "name")),
        ("acct_no", ("account", "number")),
        ("bnk_acct_nbr", ("bank", "account", "number")),
        ("DOB", ("date", "of", "birth")),
        ("cust_addr", ("customer", "address")),
        ("home_ph", ("home", "phone")),
        ("tel_num", ("phone", "number")),
        ("fname", ("first", "name")),
        ("lname", ("last", "name")),
        ("zip", ("postal", "code")),
        ("zip_code", ("postal", "code")),
        ("postcode", ("postal", "code")),
        ("rtn", ("routing", "number")),
        # glued words are split into known words
        ("customerid", ("customer", "id")),
        ("acctno", ("account", "number")),
        ("emailaddress", ("email", "address")),
        ("dateofbirth", ("date", "of", "birth")),
        ("cardholder_name", ("card", "holder", "name")),
        # plural forms
        ("emails", ("email",)),
        ("addresses", ("address",)),
        # unknown words are kept as they are
        ("ship_date", ("ship", "date")),
        ("period", ("period",)),
        ("col_17", ("col", "17")),
    ],
)
def test_tokenise_expands_abbreviations(name: str, tokens: tuple[str, ...]) -> None:
    assert tokenise(name) == tokens


def _classes(name: str) -> dict[C, float]:
    return {cls: round(hit.weight, 2) for cls, hit in best_hits(match_text(name, "name")).items()}


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("customer_email", C.EMAIL_ADDRESS),
        ("e_mail", C.EMAIL_ADDRESS),
        ("first_name", C.PERSON_NAME),
        ("cardholder_name", C.PERSON_NAME),
        ("mobile_no", C.PHONE_NUMBER),
        ("home_phone_number", C.PHONE_NUMBER),
        ("cust_no", C.CUSTOMER_IDENTIFIER),
        ("client_ref", C.CUSTOMER_IDENTIFIER),
        ("account_id", C.CUSTOMER_IDENTIFIER),
        ("bank_acct_no", C.BANK_ACCOUNT_NUMBER),
        ("payee_iban", C.IBAN),
        ("aba_routing_number", C.BANK_ROUTING_CODE),
        ("sort_code", C.BANK_ROUTING_CODE),
        ("swift_bic", C.BANK_ROUTING_CODE),
        ("credit_card_number", C.PAYMENT_CARD_NUMBER),
        ("cc_num", C.PAYMENT_CARD_NUMBER),
        ("ssn", C.NATIONAL_IDENTIFIER),
        ("ni_number", C.NATIONAL_IDENTIFIER),
        ("vendor_tin", C.TAX_IDENTIFIER),
        ("vat_number", C.TAX_IDENTIFIER),
        ("billing_address_line1", C.POSTAL_ADDRESS),
        ("zip_code", C.POSTAL_ADDRESS),
        ("date_of_birth", C.DATE_OF_BIRTH),
        ("birthDate", C.DATE_OF_BIRTH),
        ("client_ip", C.IP_ADDRESS),
        ("ipv4_addr", C.IP_ADDRESS),
        ("remote_addr", C.IP_ADDRESS),
    ],
)
def test_phrases_recommend_their_class(name: str, cls: C) -> None:
    found = _classes(name)
    assert max(found, key=lambda c: found[c]) is cls
    assert found[cls] >= 0.55


@pytest.mark.parametrize(
    "name",
    [
        "ship_date",  # 'ip' is not a token of 'ship'
        "zip_file_count",  # a count of zip files
        "email_sent_count",  # a count
        "num_emails",  # a count
        "is_email_verified",
        "email_domain",
        "address_id",  # a surrogate key
        "mac_address",
        "username",
        "company_name",
        "product_name",
        "card_type",
        "card_last_4",
        "ssn_last4",
        "phone_country_code",
        "vat_amount",
        "vat_rate",
        "birth_place",
        "place_of_birth",
        "mobile_app_version",
        "ip_country",
        "hashed_email",
        "customer_type",
    ],
)
def test_traps_match_nothing(name: str) -> None:
    assert _classes(name) == {}


def test_email_address_is_not_a_postal_address() -> None:
    assert set(_classes("email_address")) == {C.EMAIL_ADDRESS}
    assert set(_classes("ip_address")) == {C.IP_ADDRESS}


def test_unknown_trailing_words_weaken_a_phrase() -> None:
    assert _classes("phone_area_code") == {}
    assert _classes("email_campaign")[C.EMAIL_ADDRESS] < 0.5
    assert _classes("email_work") == _classes("email")  # 'work' is a neutral qualifier


def test_comment_phrases_are_weaker_and_checked_locally() -> None:
    hits = best_hits(match_text("The customer's e-mail address, verified at signup", "comment"))
    assert hits[C.EMAIL_ADDRESS].weight < 0.5
    assert hits[C.EMAIL_ADDRESS].source == "comment"
    assert C.EMAIL_ADDRESS not in best_hits(match_text("Number of emails sent", "comment"))


def test_hit_keeps_the_raw_tokens_for_explanations() -> None:
    hit = best_hits(match_text("cust_dob", "name"))[C.DATE_OF_BIRTH]
    assert hit.raw_tokens == ("dob",)
    assert hit.phrase == "date of birth"


@pytest.mark.parametrize(
    ("name", "other"),
    [("ship_date", True), ("order_number", True), ("company_name", True), ("col_17", False)],
)
def test_describes_something_else(name: str, other: bool) -> None:
    assert describes_something_else(name) is other


def test_region_from_context() -> None:
    assert region_from_context({"customers"}) == "US"
    assert region_from_context({"uk", "customers"}) == "GB"
    assert region_from_context({"uk", "germany"}) == "US"  # conflicting hints: keep default
