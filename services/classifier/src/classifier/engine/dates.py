"""Date parsing for date-of-birth evidence."""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Sequence
from datetime import date

MAX_AGE_YEARS = 120

_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DAY_FIRST_OR_MONTH_FIRST = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$")
_DAY_MONTH_NAME_YEAR = re.compile(r"^(\d{1,2})\.?[\s-]+([^\W\d_]{3,10})\.?,?[\s-]+(\d{4})$")
_MONTH_NAME_DAY_YEAR = re.compile(r"^([^\W\d_]{3,10})\.?\s+(\d{1,2}),?\s+(\d{4})$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan enero ene janvier janv januar janeiro januari",
            "february feb febrero febrer fevrier fevr februar fevereiro fev februari",
            "march mar marzo mars marz marco maart mrt",
            "april apr abril abr avril avr",
            "may mayo mai maio mei",
            "june jun junio juin juni junho",
            "july jul julio juillet juil juli julho",
            "august aug agosto ago aout august augustus",
            "september sep sept septiembre septembre setembro set",
            "october oct octubre octobre oktober okt outubro out",
            "november nov noviembre novembre novembro",
            "december dec diciembre dic decembre dezember dez dezembro",
        ),
        start=1,
    )
    for name in names.split()
}
"""Month names and abbreviations in English, Spanish, French, German, Portuguese and Dutch
(accents folded)."""


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month(name: str) -> int | None:
    folded = unicodedata.normalize("NFKD", name.lower())
    return _MONTHS.get("".join(c for c in folded if not unicodedata.combining(c)))


def parse_date(value: str) -> tuple[date, bool] | None:
    """A calendar date in a common format, and whether a non-midnight time of day came with it.

    Regular expressions only (no ``strptime`` attempts): a value that has no digit or is too
    long to be a date is refused at once, which keeps non-date columns cheap."""
    text = value.strip()
    if len(text) < 6 or len(text) > 35 or (not text[-1].isdigit() and not text.endswith("Z")):
        return None
    match = _ISO.match(text)
    if match:
        parsed = _make(int(match[1]), int(match[2]), int(match[3]))
        has_time = any(match[i] not in (None, "0", "00") for i in (4, 5, 6))
        return (parsed, has_time) if parsed else None
    match = _COMPACT.match(text)
    if match:
        parsed = _make(int(match[1]), int(match[2]), int(match[3]))
        return (parsed, False) if parsed else None
    match = _DAY_FIRST_OR_MONTH_FIRST.match(text)
    if match:
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        parsed = _make(year, first, second) or _make(year, second, first)
        return (parsed, False) if parsed else None
    match = _DAY_MONTH_NAME_YEAR.match(text)
    if match:
        month = _month(match[2])
        parsed = _make(int(match[3]), month, int(match[1])) if month else None
        return (parsed, False) if parsed else None
    match = _MONTH_NAME_DAY_YEAR.match(text)
    if match:
        month = _month(match[1])
        parsed = _make(int(match[3]), month, int(match[2])) if month else None
        return (parsed, False) if parsed else None
    return None


def age_years(born: date, today: date) -> float:
    return (today - born).days / 365.25


def plausible_birth_date(born: date, today: date) -> bool:
    """A date that gives an age between 0 and ``MAX_AGE_YEARS``."""
    return 0 <= age_years(born, today) <= MAX_AGE_YEARS


MIN_MEDIAN_AGE = 25
"""Values alone say births only for a population whose median age is at least this..."""
MIN_AGE_SPREAD = 10
"""... spread over at least this many years between the quartiles."""
MAX_FUTURE_SHARE = 0.01
"""Expiry and schedule dates lie in the future; birth dates (almost) never do."""


def looks_like_births(
    dates: Sequence[date], times_of_day: int, today: date, future: int = 0
) -> bool:
    """Whether the dates are spread like people's birth dates, not like events.

    Birth dates carry no time of day, are not in the future, have a median age between 25
    and 95 years and are spread over decades (interquartile range of at least 10 years).
    Issue, expiry and event dates spread over decades pass the last test but usually not the
    others.
    """
    if len(dates) < 5 or times_of_day > 0 or future > MAX_FUTURE_SHARE * (len(dates) + future):
        return False
    ages = sorted(age_years(d, today) for d in dates)
    if not MIN_MEDIAN_AGE <= statistics.median(ages) <= 95:
        return False
    quartiles = statistics.quantiles(ages, n=4)
    return quartiles[2] - quartiles[0] >= MIN_AGE_SPREAD
