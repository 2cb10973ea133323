"""Single-value checks."""

from __future__ import annotations

from datetime import date

import pytest

from classifier.engine.addresses import check_address
from classifier.engine.dates import looks_like_births, parse_date, plausible_birth_date
from classifier.engine.personnames import check_person_name
from classifier.engine.validators import (
    Strength,
    check_bank_account,
    check_card,
    check_customer_id,
    check_email,
    check_iban,
    check_ip,
    check_national_id,
    check_phone,
    check_routing,
    check_tax_id,
    has_card_issuer_prefix,
)

S = Strength
TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        ("4111111111111111", S.CHECKSUM),  # Visa
        ("4111 1111 1111 1111", S.CHECKSUM),
        ("5500-0000-0000-0004", S.CHECKSUM),  # Mastercard
        ("340000000000009", S.CHECKSUM),  # Amex, 15 digits
        ("6011000000000004", S.CHECKSUM),  # Discover
        ("3530111333300000", S.CHECKSUM),  # JCB
        ("4111111111111112", S.PLAUSIBLE),  # Luhn fails: card-shaped (test data, typos)
        ("4111XXXXXXXX1111", S.PLAUSIBLE),  # masked
        ("9999999999999995", S.PLAUSIBLE),  # Luhn passes, no issuer uses 9
        ("1700000000000001", S.PLAUSIBLE),  # a microsecond timestamp that passes Luhn
        ("340000000000008", S.PLAUSIBLE),  # Amex prefix, Luhn fails
        ("0000000000000000", S.NONE),
        ("41111111", S.NONE),
        ("not a card", S.NONE),
    ],
)
def test_card(value: str, strength: Strength) -> None:
    assert check_card(value) is strength


def test_issuer_prefix_needs_matching_length() -> None:
    assert has_card_issuer_prefix("340000000000009")  # Amex is 15 digits
    assert not has_card_issuer_prefix("3400000000000009")  # ... not 16


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        ("GB82WEST12345698765432", S.CHECKSUM),
        ("GB82 WEST 1234 5698 7654 32", S.CHECKSUM),
        ("DE89370400440532013000", S.CHECKSUM),
        ("NL91ABNA0417164300", S.CHECKSUM),
        ("GB82WEST12345698765433", S.NONE),  # mod-97 fails
        ("DE8937040044053201300", S.NONE),  # wrong length for DE
        ("12345678", S.NONE),
    ],
)
def test_iban(value: str, strength: Strength) -> None:
    assert check_iban(value) is strength


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        ("011000015", S.CHECKSUM),  # ABA: Federal Reserve Bank of Boston
        ("021000021", S.CHECKSUM),
        ("111000025", S.CHECKSUM),
        ("011000016", S.NONE),  # checksum fails
        ("991000026", S.NONE),  # no such district prefix
        ("20-00-00", S.VALID),  # UK sort code
        ("200000", S.PLAUSIBLE),
        ("DEUTDEFF", S.VALID),  # an 8-letter BIC is also an upper-case word
        ("PHARMACY", S.VALID),
        ("DEUTDEFF500", S.DISTINCTIVE),
        ("STANDARD", S.NONE),  # a word: 'ND' is not a country code... and no digits needed
        ("deutdeff", S.NONE),  # BICs are written in capitals
        ("hello", S.NONE),
    ],
)
def test_routing(value: str, strength: Strength) -> None:
    assert check_routing(value) is strength


def test_bank_account_shape() -> None:
    assert check_bank_account("12345678") is S.PLAUSIBLE
    assert check_bank_account("1234-5678-90") is S.PLAUSIBLE
    assert check_bank_account("123") is S.NONE
    assert check_bank_account("ABC12345") is S.NONE


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        ("536-90-4399", S.DISTINCTIVE),
        ("536904399", S.VALID),
        ("078-05-1120", S.NONE),  # the famous wallet-card SSN is blacklisted
        ("666-12-3456", S.NONE),  # area 666 is never issued
        ("000-12-3456", S.NONE),
        ("AB123456C", S.DISTINCTIVE),  # UK NINO
        ("AB 12 34 56 C", S.DISTINCTIVE),
        ("QQ123456C", S.PLAUSIBLE),  # Q is not a valid NINO prefix letter: only id-shaped
        ("hello world", S.NONE),
    ],
)
def test_national_id(value: str, strength: Strength) -> None:
    assert check_national_id(value) is strength


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        ("04-2103594", S.DISTINCTIVE),  # EIN
        ("042103594", S.VALID),
        ("00-1234567", S.NONE),  # no such EIN prefix
        ("536-90-4399", S.VALID),  # an individual's TIN is their SSN
        ("912-70-1234", S.VALID),  # ITIN
        ("DE136695976", S.CHECKSUM),  # VAT
        ("GB980780684", S.CHECKSUM),
        ("NL004495445B01", S.CHECKSUM),
        ("DE136695977", S.NONE),  # checksum fails
        ("hello", S.NONE),
    ],
)
def test_tax_id(value: str, strength: Strength) -> None:
    assert check_tax_id(value) is strength


def test_customer_id_shape() -> None:
    assert check_customer_id("C-000123") is S.PLAUSIBLE
    assert check_customer_id("3f2504e0-4f89-11d3-9a0c-0305e82c3301") is S.PLAUSIBLE
    assert check_customer_id("John Smith") is S.NONE
    assert check_customer_id("ACTIVE") is S.NONE


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        ("jane.doe@example.com", S.DISTINCTIVE),
        ("j.o'neil+tag@mail.example.co.uk", S.DISTINCTIVE),
        ("jane.doe@", S.NONE),
        ("jane doe@example.com", S.NONE),
        ("a@@example.com", S.NONE),
        ("user@localhost", S.NONE),
        ("not an email", S.NONE),
    ],
)
def test_email(value: str, strength: Strength) -> None:
    assert check_email(value) is strength


@pytest.mark.parametrize(
    ("value", "region", "strength"),
    [
        ("+1 (650) 253-0000", "US", S.DISTINCTIVE),
        ("650-253-0000", "US", S.DISTINCTIVE),
        ("650.253.0000 x123", "US", S.DISTINCTIVE),
        ("6502530000", "US", S.VALID),  # bare digits: valid, but could be anything
        ("020 7946 0958", "GB", S.DISTINCTIVE),
        ("020 7946 0958", "US", S.NONE),  # a UK number is not valid in the US
        ("+44 20 7946 0958", "US", S.DISTINCTIVE),  # international numbers carry their region
        ("555-0100", "US", S.PLAUSIBLE),  # possible length, not a valid number
        ("123-45-6789", "US", S.NONE),  # SSN-shaped
        ("2020-01-15", "US", S.NONE),  # a date
        ("hello", "US", S.NONE),
    ],
)
def test_phone(value: str, region: str, strength: Strength) -> None:
    assert check_phone(value, region) is strength


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        ("192.168.0.1", S.DISTINCTIVE),
        ("2001:db8::1", S.DISTINCTIVE),
        ("::ffff:10.0.0.1", S.DISTINCTIVE),
        ("999.1.1.1", S.NONE),
        ("1.2.3", S.NONE),
        ("12:30", S.NONE),
        ("3232235521", S.NONE),  # integer form is not accepted from strings
    ],
)
def test_ip(value: str, strength: Strength) -> None:
    assert check_ip(value) is strength


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        ("123 MAIN ST", S.DISTINCTIVE),
        ("4B North Oak Avenue Apt. 5", S.DISTINCTIVE),
        ("10 Downing Street", S.DISTINCTIVE),
        ("5711 Brittany Way Suite 115\nLake Kathleen, OR 40182", S.DISTINCTIVE),
        ("Flat 3\nBird Forest\nLondon", S.DISTINCTIVE),
        ("12 rue de la Paix", S.DISTINCTIVE),
        ("Hauptstraße 5", S.DISTINCTIVE),
        ("P.O. Box 1234", S.DISTINCTIVE),
        ("PSC 8792, Box 2432\nAPO AP 68084", S.DISTINCTIVE),
        ("SW1A 2AA", S.DISTINCTIVE),  # UK postcode
        ("K1A 0B1", S.DISTINCTIVE),  # Canadian postcode
        ("12345-6789", S.DISTINCTIVE),  # ZIP+4
        ("12345", S.VALID),  # ZIP: five digits are common
        ("2134", S.PLAUSIBLE),
        ("3 apples and 2 pears", S.NONE),
        ("Version 2 release", S.NONE),
        ("Main Street", S.NONE),  # no house number
        ("hello world", S.NONE),
    ],
)
def test_address(value: str, strength: Strength) -> None:
    assert check_address(value) is strength


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        ("John Smith", S.DISTINCTIVE),
        ("Smith, John", S.DISTINCTIVE),
        ("Dr. Jane Doe PhD", S.DISTINCTIVE),
        ("MARIA", S.DISTINCTIVE),  # single first names count
        ("José García", S.DISTINCTIVE),  # accents are folded
        ("O'Brien", S.VALID),  # a known last name only
        ("J.", S.PLAUSIBLE),  # a middle initial
        ("Bastrop WIC Clinic", S.NONE),  # facilities, storms, languages are no people
        ("Hurricane Dean", S.NONE),
        ("English", S.PLAUSIBLE),  # capitalised, but no longer a known name
        ("Anne-Marie Dupont", S.DISTINCTIVE),
        ("Xyzzy Qwerty", S.PLAUSIBLE),  # name-shaped, not in the dictionary
        ("Klein Group", S.NONE),  # company words
        ("Ellis, Jackson and Stephenson", S.NONE),
        ("Baker Street", S.NONE),  # a street name, not a person
        ("Blue Widget 3000", S.NONE),
        ("apple", S.NONE),
        ("", S.NONE),
    ],
)
def test_person_name(value: str, strength: Strength) -> None:
    assert check_person_name(value) is strength


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1980-05-17", (date(1980, 5, 17), False)),
        ("1980-05-17 00:00:00", (date(1980, 5, 17), False)),
        ("2024-05-17T13:45:00Z", (date(2024, 5, 17), True)),
        ("19800517", (date(1980, 5, 17), False)),
        ("05/17/1980", (date(1980, 5, 17), False)),
        ("17/05/1980", (date(1980, 5, 17), False)),
        ("17.05.1980", (date(1980, 5, 17), False)),
        ("May 17, 1980", (date(1980, 5, 17), False)),
        ("17 May 1980", (date(1980, 5, 17), False)),
        ("1980-02-30", None),
        ("hello", None),
        ("12345", None),
    ],
)
def test_parse_date(value: str, expected: tuple[date, bool] | None) -> None:
    assert parse_date(value) == expected


def test_birth_range() -> None:
    assert plausible_birth_date(date(1950, 1, 1), TODAY)
    assert not plausible_birth_date(date(1890, 1, 1), TODAY)  # older than 120
    assert not plausible_birth_date(date(2030, 1, 1), TODAY)  # in the future


def test_births_are_spread_over_decades_and_events_are_not() -> None:
    births = [date(1950 + 3 * i, 1 + i % 12, 1 + i) for i in range(20)]
    assert looks_like_births(births, 0, TODAY)
    recent = [date(2024, 1 + i % 12, 1 + i) for i in range(20)]
    assert not looks_like_births(recent, 0, TODAY)  # shipping dates: ages near 0
    assert not looks_like_births(births, 3, TODAY)  # times of day: events, not births
    narrow = [date(1990, 1 + i % 12, 1 + i) for i in range(20)]
    assert not looks_like_births(narrow, 0, TODAY)  # one cohort year: not spread
