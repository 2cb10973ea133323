"""The audit budget of unverified messages, on a fake clock: at most so many entries a minute,
the rest counted and handed back once as a summary when the minute has ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meshcore.runtime.audit_budget import AuditBudget

START = datetime(2026, 11, 25, 10, tzinfo=UTC)


def budget(per_minute: int = 3) -> tuple[AuditBudget, list[datetime]]:
    now = [START]
    return AuditBudget(per_minute, lambda: now[0]), now


def test_past_the_budget_entries_are_counted_not_admitted() -> None:
    b, _now = budget(3)
    admitted = [b.admit(request_id=f"req-{i}", reason="invalid signature") for i in range(10)]
    assert admitted == [True] * 3 + [False] * 7
    assert b.pending == 7
    assert b.summary() is None  # the minute still runs


def test_the_summary_comes_once_when_the_minute_has_ended() -> None:
    b, now = budget(3)
    for i in range(10):
        b.admit(request_id=f"req-{i}", reason="invalid signature")
    now[0] += timedelta(seconds=59)
    assert b.summary() is None
    now[0] += timedelta(seconds=1)
    summary = b.summary()
    assert summary is not None and summary.count == 7
    assert [s["request_id"] for s in summary.samples] == [f"req-{i}" for i in range(3, 8)]
    assert summary.details()["suppressed"] == 7
    assert summary.first_at == summary.last_at == START
    assert b.summary() is None and b.pending == 0


def test_a_new_minute_admits_again_and_keeps_what_the_last_one_left_out() -> None:
    b, now = budget(2)
    assert [b.admit(request_id=str(i), reason="r") for i in range(3)] == [True, True, False]
    now[0] += timedelta(minutes=1)
    assert b.admit(request_id="late", reason="r")  # allowed: take the summary first
    summary = b.summary()
    assert summary is not None and summary.count == 1
    assert [b.admit(request_id=str(i), reason="r") for i in range(2)] == [True, False]
    now[0] += timedelta(minutes=5)
    later = b.summary()
    assert later is not None and later.count == 1


def test_summaries_of_windows_not_taken_add_up_and_a_failed_one_is_put_back() -> None:
    b, now = budget(1)
    for _minute in range(3):
        b.admit(request_id="a", reason="r")
        b.admit(request_id="b", reason="r")
        now[0] += timedelta(minutes=1)
    summary = b.summary()
    assert summary is not None and summary.count == 3
    assert summary.first_at == START and summary.last_at == START + timedelta(minutes=2)
    b.put_back(summary)  # its write failed
    again = b.summary()
    assert again is not None and again.count == 3


def test_samples_are_bounded() -> None:
    b, now = budget(1)
    for i in range(1000):
        b.admit(request_id=f"req-{i}", reason="invalid signature")
    now[0] += timedelta(minutes=1)
    summary = b.summary()
    assert summary is not None and summary.count == 999 and len(summary.samples) == 5


def test_a_budget_admits_something() -> None:
    with pytest.raises(ValueError):
        budget(0)
