from datetime import UTC, datetime, timedelta

from sync_worker.work import Freshness, TableWork

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
TABLE = TableWork(table=True)
PARTS = TableWork(partitions=frozenset({"2026"}))
EVERYTHING = TableWork(table=True, all_partitions=True)


def test_an_event_older_than_a_later_convergence_is_covered() -> None:
    fresh = Freshness()
    fresh.record("t", TABLE, T0 + timedelta(seconds=3))
    assert fresh.covers("t", TABLE, T0)
    assert not fresh.covers("t", TABLE, T0 + timedelta(seconds=2))  # within the slack
    assert not fresh.covers("other", TABLE, T0)


def test_a_table_only_convergence_does_not_cover_partition_events() -> None:
    fresh = Freshness()
    fresh.record("t", TABLE, T0 + timedelta(minutes=1))
    assert not fresh.covers("t", PARTS, T0)
    fresh.record("t", EVERYTHING, T0 + timedelta(minutes=1))
    assert fresh.covers("t", PARTS, T0)
    assert fresh.covers("t", EVERYTHING, T0)


def test_a_late_finishing_older_convergence_never_moves_freshness_back() -> None:
    fresh = Freshness()
    fresh.record("t", TABLE, T0 + timedelta(minutes=2))
    fresh.record("t", TABLE, T0)
    assert fresh.covers("t", TABLE, T0 + timedelta(minutes=1))
