"""How much of the audit trail messages nobody has verified may fill.

A forged decision or a revoke of an unknown request is audited before anything about it is
known, so whoever can post to the queue could otherwise fill the audit trail as fast as they
post. A worker gives such entries a budget per minute (per process); past it, each one is
counted instead of appended, and the count, with the first few of what was left out, is handed
back once as a summary: at the next entry allowed after the minute, or whenever the worker
asks for it after the minute ended (it does at every message it handles).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

WINDOW = timedelta(minutes=1)
SAMPLES = 5


@dataclass
class Suppressed:
    """Entries left out of the audit trail: how many, when, and the first few of them."""

    count: int
    first_at: datetime
    last_at: datetime
    samples: list[dict[str, str]] = field(default_factory=list)

    def merge(self, later: Suppressed, limit: int = SAMPLES) -> Suppressed:
        return Suppressed(
            self.count + later.count,
            min(self.first_at, later.first_at),
            max(self.last_at, later.last_at),
            (self.samples + later.samples)[:limit],
        )

    def details(self) -> dict[str, Any]:
        """The summary's audit details."""
        return {
            "suppressed": self.count,
            "first_at": self.first_at.isoformat(),
            "last_at": self.last_at.isoformat(),
            "samples": self.samples,
        }


class AuditBudget:
    """At most `per_minute` entries per window of a minute (which starts at the first entry
    after the previous one ended); what is refused past it is counted. Pure: the clock is
    given, nothing is written here."""

    def __init__(
        self, per_minute: int, clock: Callable[[], datetime], samples: int = SAMPLES
    ) -> None:
        if per_minute < 1:
            raise ValueError("an audit budget allows at least one entry a minute")
        self.per_minute = per_minute
        self.samples = samples
        self._clock = clock
        self._window_start: datetime | None = None
        self._used = 0
        self._current: Suppressed | None = None  # left out in the window that is running
        self._ended: Suppressed | None = None  # left out in windows that ended, not yet taken

    def admit(self, **sample: str) -> bool:
        """True: append the entry (take `summary()` first); False: it was counted instead."""
        now = self._clock()
        self._roll(now)
        if self._window_start is None:
            self._window_start = now
        if self._used < self.per_minute:
            self._used += 1
            return True
        left_out = Suppressed(1, now, now, [dict(sample)][: self.samples])
        self._current = (
            left_out if self._current is None else self._current.merge(left_out, self.samples)
        )
        return False

    def summary(self) -> Suppressed | None:
        """What was left out in windows that have ended, once (None: nothing, or the window
        in which it was left out still runs)."""
        self._roll(self._clock())
        taken, self._ended = self._ended, None
        return taken

    def put_back(self, summary: Suppressed) -> None:
        """A summary that could not be written: handed back again by the next `summary()`."""
        self._ended = summary if self._ended is None else summary.merge(self._ended, self.samples)

    @property
    def pending(self) -> int:
        """Entries counted and not yet handed back in a summary."""
        return sum(s.count for s in (self._current, self._ended) if s is not None)

    def _roll(self, now: datetime) -> None:
        if self._window_start is None or now < self._window_start + WINDOW:
            return
        if self._current is not None:
            ended, current = self._ended, self._current
            self._ended = current if ended is None else ended.merge(current, self.samples)
        self._window_start, self._used, self._current = None, 0, None
