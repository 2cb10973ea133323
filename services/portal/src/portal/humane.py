"""Times as people read them: "2 minutes ago", with the exact ISO 8601 UTC time kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

MINUTE, HOUR, DAY = 60, 3600, 86400


@dataclass(frozen=True)
class Moment:
    iso: str  # 2026-11-25T10:00:00Z: the datetime attribute and the hover text
    relative: str  # 2 minutes ago, in 3 days


def as_utc(value: datetime | str | float | None) -> datetime | None:
    """A datetime in UTC from a datetime (naive ones are UTC), ISO 8601 text or epoch seconds;
    None when there is none or it is not a time."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso_utc(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _amount(seconds: float) -> str:
    for size, unit in ((DAY, "day"), (HOUR, "hour"), (MINUTE, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'' if n == 1 else 's'}"
    n = int(seconds)
    return f"{n} second{'' if n == 1 else 's'}"


def relative_time(when: datetime, now: datetime) -> str:
    """How long ago (or how far ahead) `when` is from `now`: "just now", "2 minutes ago",
    "in 3 days"; a date beyond 30 days ("on 2026-11-25")."""
    seconds = (now - when).total_seconds()
    if abs(seconds) < 10:
        return "just now"
    if abs(seconds) >= 30 * DAY:
        return "on " + when.astimezone(UTC).date().isoformat()
    return f"{_amount(seconds)} ago" if seconds > 0 else f"in {_amount(-seconds)}"


def moment(value: datetime | str | float | None, now: datetime | None = None) -> Moment | None:
    when = as_utc(value)
    if when is None:
        return None
    return Moment(iso_utc(when), relative_time(when, now or datetime.now(UTC)))
