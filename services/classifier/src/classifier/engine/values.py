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
from classifier.engine.personnames import check_person_name, known_in
from classifier.engine.validators import (
    NOT_PHONE,
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
            _S.DISTINCTIVE: "names containing a known first name",
            _S.VALID: "names containing a known first or last name",
            _S.PLAUSIBLE: "capitalised name-like words or initials",
        },
        C.EMAIL_ADDRESS: {_S.DISTINCTIVE: "valid email addresses"},
        C.PHONE_NUMBER: {
            _S.DISTINCTIVE: (
                "valid phone numbers (region {region}), formatted or spread like real numbers"
            ),
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
            _S.PLAUSIBLE: "card-shaped numbers (12-19 digits failing the issuer checks, or masked)",
        },
        C.NATIONAL_IDENTIFIER: {
            _S.CHECKSUM: (
                "national identifiers passing their check digits (DNI/NIE, NIR, CPF, CURP, "
                "codice fiscale, citizen card)"
            ),
            _S.DISTINCTIVE: (
                "US SSNs (formatted, or bare and spread like real ones), BSNs or UK national "
                "insurance numbers"
            ),
            _S.VALID: "valid US SSNs, BSNs or UK national insurance numbers",
            _S.PLAUSIBLE: "identifier-shaped values",
        },
        C.TAX_IDENTIFIER: {
            _S.CHECKSUM: "VAT numbers, CNPJs, NITs or CIFs passing their check digits",
            _S.DISTINCTIVE: "formatted US EINs or checksum-valid VAT numbers",
            _S.VALID: "valid US EINs, SSNs, ITINs, UK UTRs, NIFs, SIRENs, RFCs or VAT numbers",
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
    distinct: int = 0
    """Distinct non-empty values."""
    region: str | None = None
    """Region the values were checked in (phone numbers)."""
    single_words: int = 0
    """Non-empty values that are one word (particles aside): surnames, not places."""
    distinct_names: int = 0
    """Distinct known first and last names among the values (person names only): storms,
    species or languages repeat a few."""

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


def _tally(strengths: Mapping[str, Strength], counts: Mapping[str, int]) -> tuple[int, ...]:
    """``at_least`` counts over the whole sample from the strength of each distinct value."""
    totals = [0] * len(Strength)
    for value, strength in strengths.items():
        totals[strength] += counts[value]
    at_least = [0] * len(Strength)
    running = 0
    for level in reversed(Strength):
        running += totals[level]
        at_least[level] = running
    return tuple(at_least)


def _promote(strengths: dict[str, Strength], when: Callable[[str], bool]) -> None:
    """VALID values that pass ``when`` become DISTINCTIVE (a column-level finding)."""
    for value, strength in strengths.items():
        if strength is Strength.VALID and when(value):
            strengths[value] = Strength.DISTINCTIVE


_PAIRS = re.compile(r"^(\d{2})[- ](\d{2})[- ](\d{2})$")
# Orderings of dd-dd-dd values that are dates or times: (limits of the three pairs).
_DATE_OR_TIME_SHAPES = ((31, 12, 99), (12, 31, 99), (99, 12, 31), (23, 59, 59))


def _routing_codes(strengths: dict[str, Strength], counts: Counter[str]) -> None:
    """UK sort codes (``20-00-00``) become DISTINCTIVE when the column's dd-dd-dd values cannot
    all be read as dates or times of one layout; 8-letter BICs when enough of the column's
    BICs are unmistakable codes (branch codes, digits), so a column of upper-case words whose
    letters happen to spell a country code (``PHARMACY``) stays VALID."""
    values = list(counts)
    pairs = [m for m in (_PAIRS.match(v) for v in values) if m]
    if len(pairs) >= 0.9 * len(values) and len(pairs) >= 5:
        numbers = [tuple(int(g) for g in m.groups()) for m in pairs]
        date_like = any(
            all(p <= lim for n in numbers for p, lim in zip(n, limits, strict=True))
            for limits in _DATE_OR_TIME_SHAPES
        )
        if not date_like:
            _promote(strengths, lambda v: _PAIRS.match(v) is not None)
            return
    codes = sum(1 for s in strengths.values() if s is Strength.DISTINCTIVE)
    words = sum(1 for v, s in strengths.items() if s is Strength.VALID and v.isalpha())
    if codes and words and codes >= 0.3 * (codes + words):
        _promote(strengths, str.isalpha)


def _birth_dates(counts: Counter[str], today: date) -> tuple[int, ...]:
    strengths: dict[str, Strength] = {}
    dates: list[date] = []
    times = future = 0
    for value, count in counts.items():
        parsed = parse_date(value)
        if parsed is not None and parsed[0] > today:
            future += count
        if parsed is None or not plausible_birth_date(parsed[0], today):
            strengths[value] = Strength.NONE
            continue
        dates.extend([parsed[0]] * count)
        times += parsed[1] * count
        strengths[value] = Strength.VALID
    if looks_like_births(dates, times, today, future):
        _promote(strengths, lambda _: True)
    return _tally(strengths, counts)


SPREAD_MIN_VALUES = 20
"""Column-level spread tests need at least this many matching values..."""
SSN_AREA_SPREAD = 0.5
"""... distinct SSN areas (first three digits) per valid bare SSN, and ..."""
PHONE_PREFIX_SPREAD = 0.3
"""... distinct leading six digits per valid bare phone number: identifiers issued from one
block (invoice 510023456, 510023519...) share their leading digits, SSNs and phone numbers
do not."""
SSN_MIN_RATE = 0.95
"""Bare 9-digit SSNs speak alone only when nearly all values pass (about one random 9-digit
number in eight is no valid SSN)..."""
PHONE_MIN_RATE = 0.9
"""... and bare phone digits when nine in ten are valid numbers of the region."""


def _spread(values: Sequence[str], width: int) -> float:
    keys = {"".join(c for c in v if c.isdigit())[:width] for v in values}
    return len(keys) / len(values) if values else 0.0


def _bare_numbers(
    strengths: dict[str, Strength], counts: Counter[str], spread: float, width: int, rate: float
) -> None:
    """Promote bare digit strings that validate (VALID) to DISTINCTIVE when nearly every value
    of the column validates and they are spread like real numbers, not issued from a block."""
    total = sum(counts.values())
    valid = [v for v, s in strengths.items() if s is Strength.VALID]
    passing = sum(counts[v] for v, s in strengths.items() if s >= Strength.VALID)
    if (
        len(valid) >= SPREAD_MIN_VALUES
        and passing >= rate * total
        and _spread(valid, width) >= spread
    ):
        _promote(strengths, lambda _: True)


PHONE_REGIONS = (
    "US", "GB", "CA", "AU", "IE", "IN", "ES", "MX", "CO", "AR", "CL", "PE", "FR", "BE", "CH",
    "DE", "AT", "NL", "BR", "PT", "IT",
)  # fmt: skip
"""Regions tried for a column of phone-shaped values that mostly fail the default region."""
REGION_PROBE = 20
"""Distinct values each candidate region is tried on."""
REGION_MIN_RATE = 0.8
REGION_FIRST_ROUND = 8


def sample_region(
    values: Sequence[str], default: str, formatted_only: bool = False
) -> tuple[str, bool]:
    """The region the sample's phone numbers belong to, and whether it was found by trying
    regions on national numbers (then bare digits are no evidence on their own: a random
    digit string is valid somewhere).

    First the region most of its international numbers (``+44 ...``) belong to. Else, when
    the values are phone-shaped but not nearly all valid in ``default`` (a Colombian table
    read with a US default), the candidate region in which most of a few values are valid.
    """
    regions: Counter[str] = Counter()
    for value in values[:200]:
        if value.startswith(("+", "00")) and check_phone(value, default) >= Strength.VALID:
            number = phonenumbers.parse(value, default)
            region = phonenumbers.region_code_for_number(number)
            if region:
                regions[region] += 1
    if regions:
        region, count = regions.most_common(1)[0]
        return (region if count * 2 >= sum(regions.values()) else default), False
    probe = [v for v in values if phone_shaped(v)][:REGION_PROBE]
    if len(probe) < max(5, 0.6 * min(len(values), REGION_PROBE)):
        return default, False
    if formatted_only:
        # without a phone name only formatted numbers can count (bare digits found valid by
        # trying regions are no evidence): no need to try regions for bare digits
        # formatted national numbers of at least nine digits: shorter ones (postcodes such
        # as 9101-978) are valid in permissive numbering plans (Germany's) by accident
        probe = [v for v in probe if not v.isdigit() and _digit_count(v) >= 9]
        if len(probe) < 5:
            return default, False
    scores = {default: sum(check_phone(v, default) >= Strength.VALID for v in probe)}
    if scores[default] >= 0.95 * len(probe):
        return default, False
    first = probe[:REGION_FIRST_ROUND]
    for region in PHONE_REGIONS:
        if region in scores:
            continue
        # a first round on a few values keeps most regions from being tried on all of them
        if sum(check_phone(v, region) >= Strength.VALID for v in first) < 0.75 * len(first):
            continue
        scores[region] = sum(check_phone(v, region) >= Strength.VALID for v in probe)
    best = max(scores, key=lambda r: scores[r])
    if scores[best] >= REGION_MIN_RATE * len(probe) and scores[best] > scores[default] + 1:
        return best, True
    return default, False


_PHONE_CHARS = frozenset("0123456789+-() ./")


_DATE_SHAPE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})$")


def phone_shaped(value: str) -> bool:
    """Digits with phone punctuation only, and not a date."""
    digits = sum(c.isdigit() for c in value)
    return (
        7 <= digits <= 15
        and all(c in _PHONE_CHARS for c in value)
        and not _DATE_SHAPE.match(value)
        and not NOT_PHONE.match(value)
    )


BOOLEAN_TOKENS = frozenset(
    [
        "yes",
        "no",
        "y",
        "n",
        "true",
        "false",
        "t",
        "f",
        "si",
        "sí",
        "oui",
        "non",
        "ja",
        "nein",
        "sim",
        "nao",
        "não",
        "nee",
        "0",
        "1",
        "x",
    ]
)
"""Values of yes/no flags in the corpus' languages."""


def is_flag_column(counts: Counter[str]) -> bool:
    """At most three distinct values, all yes/no tokens: a flag, whatever its name says
    (``ssn_provided``, ``has_phone``)."""
    return 0 < len(counts) <= 3 and all(v.lower() in BOOLEAN_TOKENS for v in counts)


PERSON_MIN_DISTINCT = 0.2
"""Values alone say person names only when at least this share of them are distinct: a
column of a few repeated names is storms, species, languages or conditions."""


_NO_DIGITS = str.maketrans("", "", "0123456789")


def _digit_count(value: str) -> int:
    return len(value) - len(value.translate(_NO_DIGITS))


def _has_digit(value: str) -> bool:
    return _digit_count(value) > 0


PREFILTERS: Mapping[C, Callable[[str], bool]] = MappingProxyType(
    {
        C.PERSON_NAME: lambda v: not _has_digit(v),
        C.EMAIL_ADDRESS: lambda v: "@" in v,
        C.PHONE_NUMBER: lambda v: 7 <= _digit_count(v) <= 21,
        C.IBAN: lambda v: len(v) >= 15 and v[:2].isalpha() and v[2:4].isdigit(),
        C.BANK_ROUTING_CODE: lambda v: len(v) <= 12,
        C.PAYMENT_CARD_NUMBER: lambda v: 12 <= _digit_count(v) <= 19,
        C.NATIONAL_IDENTIFIER: _has_digit,
        C.TAX_IDENTIFIER: lambda v: _has_digit(v) and not (v.isdigit() and len(v) != 14),
        C.POSTAL_ADDRESS: lambda v: _has_digit(v) or " " in v,
        C.DATE_OF_BIRTH: lambda v: 6 <= len(v) <= 35 and _has_digit(v),
        C.IP_ADDRESS: lambda v: "." in v or ":" in v,
    }
)
"""Cheap necessary conditions of each class's value check at the level that decides without a
name (bare digit strings other than 14-digit CNPJs are at most VALID tax identifiers, which
never decide alone). A class without name evidence is only checked when at least
``VALUES_ONLY_MIN_SHARE`` of the values pass its prefilter: values alone never decide below
that share, so the check could not change the outcome."""
VALUES_ONLY_MIN_SHARE = 0.5
PROBE = 20
"""Without name evidence, a class is checked on this many distinct values first..."""
PROBE_MIN_SHARE = 0.4
"""... and on the rest only if at least this share of them passed at some level: values alone
decide only from a share of 0.5 (checksums) or 0.7 (other checks) up."""
NEEDS_NAME = frozenset({C.CUSTOMER_IDENTIFIER, C.BANK_ACCOUNT_NUMBER})
"""Classes whose values never decide alone: not checked without name evidence."""


def _prefilter_shares(counts: Counter[str], total: int) -> dict[C, float]:
    """``PREFILTERS`` of every class at once, inlined: the same conditions, one pass."""
    k = dict.fromkeys(PREFILTERS, 0)
    for v, n in counts.items():
        size = len(v)
        digits = size - len(v.translate(_NO_DIGITS))
        if digits:
            k[C.NATIONAL_IDENTIFIER] += n
            if not (v.isdigit() and size != 14):
                k[C.TAX_IDENTIFIER] += n
            k[C.POSTAL_ADDRESS] += n
            if 6 <= size <= 35:
                k[C.DATE_OF_BIRTH] += n
            if 7 <= digits <= 21:
                k[C.PHONE_NUMBER] += n
            if 12 <= digits <= 19:
                k[C.PAYMENT_CARD_NUMBER] += n
            if size >= 15 and v[:2].isalpha() and v[2:4].isdigit():
                k[C.IBAN] += n
        else:
            k[C.PERSON_NAME] += n
            if " " in v:
                k[C.POSTAL_ADDRESS] += n
        if "@" in v:
            k[C.EMAIL_ADDRESS] += n
        if size <= 12:
            k[C.BANK_ROUTING_CODE] += n
        if "." in v or ":" in v:
            k[C.IP_ADDRESS] += n
    return {c: passed / (total or 1) for c, passed in k.items()}


class PreparedSample:
    """A cleaned sample whose statistics are computed per class on demand."""

    def __init__(self, sample: Sequence[str | None], region: str, today: date) -> None:
        self.sample_size = len(sample)
        self.values = clean_sample(sample)
        self.counts = Counter(self.values)
        self.distinct = list(self.counts)
        self.default_region = region
        self.today = today
        self._region: tuple[str, bool] | None = None
        self._shares: dict[C, float] | None = None

    def region(self, named: bool) -> tuple[str, bool]:
        if self._region is None:
            self._region = sample_region(self.distinct, self.default_region, not named)
        return self._region

    def _share(self, cls: C) -> float:
        """Share of the values that pass the class's prefilter (``PREFILTERS``; computed for
        all classes in one pass over the distinct values)."""
        if self._shares is None:
            self._shares = _prefilter_shares(self.counts, len(self.values))
        return self._shares.get(cls, 1.0)

    def stats(self, cls: C, named: bool = True) -> ValueStats | None:
        """Statistics of ``cls``; None when, without name evidence (``named`` false), values
        could not decide the class anyway."""
        if not named and (cls in NEEDS_NAME or self._share(cls) < VALUES_ONLY_MIN_SHARE):
            return None
        counts, distinct = self.counts, self.distinct
        region, found_by_trying = self.default_region, False
        strengths: dict[str, Strength] = {}
        if cls is C.DATE_OF_BIRTH:
            at_least = _birth_dates(counts, self.today)
        else:
            if cls is C.PHONE_NUMBER:
                region, found_by_trying = self.region(named)
            check = _checkers(region)[cls]
            if not named and len(distinct) > PROBE:
                probe = {v: check(v) for v in distinct[:PROBE]}
                if sum(1 for x in probe.values() if x) < PROBE_MIN_SHARE * PROBE:
                    return None
                strengths = probe | {v: check(v) for v in distinct[PROBE:]}
            else:
                strengths = {v: check(v) for v in distinct}
            if cls is C.BANK_ROUTING_CODE:
                _routing_codes(strengths, counts)
            elif cls is C.NATIONAL_IDENTIFIER:
                _bare_numbers(strengths, counts, SSN_AREA_SPREAD, 3, SSN_MIN_RATE)
            elif cls is C.PHONE_NUMBER and not found_by_trying:
                _bare_numbers(strengths, counts, PHONE_PREFIX_SPREAD, 6, PHONE_MIN_RATE)
            at_least = _tally(strengths, counts)
        phone_region = region if cls is C.PHONE_NUMBER else None
        single = names = 0
        if cls is C.PERSON_NAME:
            single = _single_words(counts)
            names = len(
                {n for v, s in strengths.items() if s >= Strength.VALID for n in known_in(v)}
            )
        return ValueStats(
            self.sample_size,
            len(self.values),
            at_least,
            len(distinct),
            phone_region,
            single,
            names,
        )


_PARTICLES = frozenset(str.split("van von der den de la le di da del dos das du ter ten"))


def _single_words(counts: Counter[str]) -> int:
    return sum(
        n
        for v, n in counts.items()
        if len([w for w in v.split() if w.lower() not in _PARTICLES]) == 1
    )


def score_sample(
    sample: Sequence[str | None], classes: Collection[C], region: str, today: date
) -> dict[C, ValueStats]:
    """Value statistics for each of ``classes`` (all checked). Each distinct value is checked
    once."""
    prepared = PreparedSample(sample, region, today)
    out: dict[C, ValueStats] = {}
    for cls in classes:
        stats = prepared.stats(cls)
        if stats is not None:
            out[cls] = stats
    return out
