"""Date parsing for date-of-birth evidence."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from datetime import date, datetime

MAX_AGE_YEARS = 120

_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DAY_FIRST_OR_MONTH_FIRST = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$")
_TEXT_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y")


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(value: str) -> tuple[date, bool] | None:
    """A calendar date in a common format, and whether a non-midnight time of day came with it."""
    text = value.strip()
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
    if any(c.isalpha() for c in text) and len(text) <= 20:
        for fmt in _TEXT_FORMATS:
            try:
                return datetime.strptime(text, fmt).date(), False
            except ValueError:
                continue
    return None


def age_years(born: date, today: date) -> float:
    return (today - born).days / 365.25


def plausible_birth_date(born: date, today: date) -> bool:
    """A date that gives an age between 0 and ``MAX_AGE_YEARS``."""
    return 0 <= age_years(born, today) <= MAX_AGE_YEARS


def looks_like_births(dates: Sequence[date], times_of_day: int, today: date) -> bool:
    """Whether the dates are spread like people's birth dates, not like events.

    Birth dates carry no time of day, have a median age between 16 and 95 years and are
    spread over decades (interquartile range of at least 8 years).
    """
    if len(dates) < 5 or times_of_day > 0:
        return False
    ages = sorted(age_years(d, today) for d in dates)
    if not 16 <= statistics.median(ages) <= 95:
        return False
    quartiles = statistics.quantiles(ages, n=4)
    return quartiles[2] - quartiles[0] >= 8
