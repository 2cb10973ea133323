"""Sample evidence: the fraction of non-empty sampled values that pass each class's check."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

import phonenumbers

from classifier.engine.addresses import check_address
from classifier.engine.classes import SensitivityClass as C
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
)

MAX_VALUES = 1000
"""Values beyond this many are ignored (the sample is meant to hold a few hundred)."""
NULL_TOKENS = frozenset({"null", "none", "nil", "n/a", "na", "nan", "-", "--", "?", "(null)"})

_S = Strength
CHECK_DESCRIPTIONS: Mapping[C, Mapping[Strength, str]] = MappingProxyType(
    {
        C.PERSON_NAME: {
            _S.DISTINCTIVE: "names containing a known first or last name",
            _S.PLAUSIBLE: "capitalised name-like words",
        },
        C.EMAIL_ADDRESS: {_S.DISTINCTIVE: "valid email addresses"},
        C.PHONE_NUMBER: {
            _S.DISTINCTIVE: "valid formatted phone numbers (region {region})",
            _S.VALID: "valid phone numbers (region {region})",
            _S.PLAUSIBLE: "possible phone numbers (region {region})",
        },
        C.CUSTOMER_IDENTIFIER: {_S.PLAUSIBLE: "identifier-shaped tokens"},
        C.BANK_ACCOUNT_NUMBER: {_S.PLAUSIBLE: "6-17 digit account-number-shaped values"},
        C.IBAN: {_S.CHECKSUM: "IBANs passing the country format and mod-97 checksum"},
        C.BANK_ROUTING_CODE: {
            _S.CHECKSUM: "ABA routing numbers passing the 3-7-1 checksum",
            _S.DISTINCTIVE: "ABA routing numbers, BIC codes or sort codes that are not dates",
            _S.VALID: "ABA routing numbers, BIC codes or sort codes",
            _S.PLAUSIBLE: "routing-code-shaped values",
        },
        C.PAYMENT_CARD_NUMBER: {
            _S.CHECKSUM: "Luhn-valid card numbers with a known issuer prefix and length",
            _S.PLAUSIBLE: "Luhn-valid 12-19 digit numbers",
        },
        C.NATIONAL_IDENTIFIER: {
            _S.DISTINCTIVE: "formatted US SSNs or UK national insurance numbers",
            _S.VALID: "valid US SSNs or UK national insurance numbers",
            _S.PLAUSIBLE: "identifier-shaped values",
        },
        C.TAX_IDENTIFIER: {
            _S.CHECKSUM: "VAT numbers passing their country checksum",
            _S.DISTINCTIVE: "formatted US EINs or checksum-valid VAT numbers",
            _S.VALID: "valid US EINs, SSNs, ITINs, UK UTRs or VAT numbers",
            _S.PLAUSIBLE: "identifier-shaped values",
        },
        C.POSTAL_ADDRESS: {
            _S.DISTINCTIVE: "street addresses, PO boxes or distinctive postcodes",
            _S.VALID: "addresses or postal codes",
            _S.PLAUSIBLE: "address- or postcode-shaped values",
        },
        C.DATE_OF_BIRTH: {
            _S.DISTINCTIVE: "dates giving ages of 0-120 years, spread like birth dates",
            _S.VALID: "dates giving ages of 0-120 years",
        },
        C.IP_ADDRESS: {_S.DISTINCTIVE: "valid IPv4 or IPv6 addresses"},
    }
)


def describe_check(cls: C, level: Strength, region: str) -> str:
    """Text for values of a class that passed at least ``level``."""
    texts = CHECK_DESCRIPTIONS[cls]
    for candidate in sorted(texts, reverse=True):
        if candidate <= level:
            return texts[candidate].format(region=region)
    return texts[min(texts)].format(region=region)


@dataclass(frozen=True, slots=True)
class ValueStats:
    sample_size: int
    non_empty: int
    at_least: tuple[int, ...]
    """``at_least[s]`` = number of non-empty values whose strength is ``s`` or more."""

    def count(self, level: Strength) -> int:
        return self.at_least[level]

    def rate(self, level: Strength) -> float:
        return self.at_least[level] / self.non_empty if self.non_empty else 0.0


def clean_sample(sample: Sequence[str | None]) -> list[str]:
    """Non-empty values, stripped, without null markers, at most ``MAX_VALUES``."""
    values: list[str] = []
    for value in sample[:MAX_VALUES]:
        if value is None:
            continue
        text = str(value).strip()
        if text and text.lower() not in NULL_TOKENS:
            values.append(text)
    return values


def _checkers(region: str) -> dict[C, Callable[[str], Strength]]:
    return {
        C.PERSON_NAME: check_person_name,
        C.EMAIL_ADDRESS: check_email,
        C.PHONE_NUMBER: lambda v: check_phone(v, region),
        C.CUSTOMER_IDENTIFIER: check_customer_id,
        C.BANK_ACCOUNT_NUMBER: check_bank_account,
        C.IBAN: check_iban,
        C.BANK_ROUTING_CODE: check_routing,
        C.PAYMENT_CARD_NUMBER: check_card,
        C.NATIONAL_IDENTIFIER: check_national_id,
        C.TAX_IDENTIFIER: check_tax_id,
        C.POSTAL_ADDRESS: check_address,
        C.IP_ADDRESS: check_ip,
    }


def _tally(strengths: Sequence[Strength]) -> tuple[int, ...]:
    return tuple(sum(1 for s in strengths if s >= level) for level in Strength)


_PAIRS = re.compile(r"^(\d{2})[- ](\d{2})[- ](\d{2})$")
# Orderings of dd-dd-dd values that are dates or times: (limits of the three pairs).
_DATE_OR_TIME_SHAPES = ((31, 12, 99), (12, 31, 99), (99, 12, 31), (23, 59, 59))


def _routing_codes(values: Sequence[str]) -> tuple[int, ...]:
    """Routing strengths, with UK sort codes (``20-00-00``) promoted to DISTINCTIVE when the
    column's dd-dd-dd values cannot all be read as dates or times of one layout."""
    strengths = [check_routing(v) for v in values]
    pairs = [m for m in (_PAIRS.match(v) for v in values) if m]
    if len(pairs) >= 0.9 * len(values) and len(pairs) >= 5:
        numbers = [tuple(int(g) for g in m.groups()) for m in pairs]
        date_like = any(
            all(p <= lim for n in numbers for p, lim in zip(n, limits, strict=True))
            for limits in _DATE_OR_TIME_SHAPES
        )
        if not date_like:
            strengths = [Strength.DISTINCTIVE if s is Strength.VALID else s for s in strengths]
    return _tally(strengths)


def _birth_dates(values: Sequence[str], today: date) -> tuple[int, ...]:
    strengths: list[Strength] = []
    dates: list[date] = []
    times = 0
    for value in values:
        parsed = parse_date(value)
        if parsed is None or not plausible_birth_date(parsed[0], today):
            strengths.append(Strength.NONE)
            continue
        dates.append(parsed[0])
        times += parsed[1]
        strengths.append(Strength.VALID)
    if looks_like_births(dates, times, today):
        strengths = [Strength.DISTINCTIVE if s else s for s in strengths]
    return _tally(strengths)


def sample_region(values: Sequence[str], default: str) -> str:
    """The region most of the sample's international numbers (``+44 ...``) belong to.

    A column of one country's numbers usually writes some of them internationally; their
    region is then used for the national ones, instead of trying every region per value.
    """
    regions: Counter[str] = Counter()
    for value in values[:200]:
        if value.startswith(("+", "00")) and check_phone(value, default) >= Strength.VALID:
            number = phonenumbers.parse(value, default)
            region = phonenumbers.region_code_for_number(number)
            if region:
                regions[region] += 1
    if not regions:
        return default
    region, count = regions.most_common(1)[0]
    return region if count * 2 >= sum(regions.values()) else default


def score_sample(
    sample: Sequence[str | None], classes: Collection[C], region: str, today: date
) -> dict[C, ValueStats]:
    """Value statistics for each of ``classes``."""
    values = clean_sample(sample)
    if C.PHONE_NUMBER in classes:
        region = sample_region(values, region)
    checkers = _checkers(region)
    stats: dict[C, ValueStats] = {}
    for cls in classes:
        if cls is C.DATE_OF_BIRTH:
            at_least = _birth_dates(values, today)
        elif cls is C.BANK_ROUTING_CODE:
            at_least = _routing_codes(values)
        else:
            check = checkers[cls]
            at_least = _tally([check(v) for v in values])
        stats[cls] = ValueStats(len(sample), len(values), at_least)
    return stats
