"""What people read on the portal: evidence as a sentence, times relative to now, small charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from meshcore.domain.recommendations import evidence_sentence
from portal.charts import bar_chart, number
from portal.humane import as_utc, iso_utc, moment, relative_time

IBAN = {
    "name_tokens": "iban",
    "name_phrase": "iban",
    "name_source": "name",
    "name_weight": 0.8,
    "sample_size": 100,
    "non_empty": 100,
    "matched": 3,
    "match_rate": 0.03,
    "value_check": "valid IBANs",
}


@pytest.mark.parametrize(
    ("evidence", "sentence"),
    [
        (IBAN, "The name matches 'iban'; 3 of 100 sampled values are valid IBANs"),
        (
            {**IBAN, "sample_size": 0, "non_empty": 0, "matched": 0, "match_rate": 0.0},
            "The name matches 'iban'; no values were sampled",
        ),
        (
            {"name_phrase": "customer email", "name_source": "comment", "sample_size": 0},
            "The column comment mentions 'customer email'; no values were sampled",
        ),
        (
            {"name_phrase": "iban", "name_weight": 0.8, "sample_size": 5, "non_empty": 3},
            "The name matches 'iban'; only 3 of 5 sampled values were not empty, too few to check",
        ),
        (
            {"name_phrase": "iban", "name_weight": 0.8, "sample_size": 4, "non_empty": 1},
            "The name matches 'iban'; only 1 of 4 sampled values was not empty, too few to check",
        ),
        (
            {
                "name_weight": 0.0,
                "sample_size": 120,
                "non_empty": 100,
                "matched": 1,
                "value_check": "valid email addresses",
                "sample_source": "s3 parquet, 2 object(s)",
                "notes": "may be a general-ledger account",
            },
            "1 of 100 sampled values is valid email addresses; 20 more were empty; the name "
            "says nothing of it; sampled from s3 parquet, 2 object(s); may be a general-ledger "
            "account",
        ),
        ({"match_rate": 0.98}, "98 % of the sampled values match the class"),
        ({"rule": "rejected before"}, "Rule: rejected before"),
        ({}, "No evidence recorded"),
    ],
)
def test_evidence_reads_as_a_sentence(evidence: dict[str, object], sentence: str) -> None:
    assert evidence_sentence(evidence) == sentence


def test_no_key_value_pairs_reach_the_reader() -> None:
    text = evidence_sentence(IBAN)
    for key in IBAN:
        assert key not in text and "=" not in text


NOW = datetime(2026, 12, 2, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=3), "just now"),
        (timedelta(seconds=-3), "just now"),
        (timedelta(seconds=42), "42 seconds ago"),
        (timedelta(minutes=1, seconds=5), "1 minute ago"),
        (timedelta(minutes=2), "2 minutes ago"),
        (timedelta(hours=5, minutes=59), "5 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=-3), "in 3 days"),
        (timedelta(minutes=-30), "in 30 minutes"),
        (timedelta(days=45), "on 2026-10-18"),
    ],
)
def test_relative_times(delta: timedelta, text: str) -> None:
    assert relative_time(NOW - delta, NOW) == text


def test_exact_times_are_iso_8601_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert iso_utc(datetime(2026, 11, 25, 11, 0, tzinfo=paris)) == "2026-11-25T10:00:00Z"
    assert as_utc("2026-11-25T10:00:00+00:00") == datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert as_utc("2026-11-25T10:00:00Z") == datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert as_utc(datetime(2026, 11, 25, 10)) == datetime(2026, 11, 25, 10, tzinfo=UTC)  # naive
    assert as_utc(None) is None and as_utc("") is None and as_utc("yesterday") is None
    found = moment("2026-12-02T11:58:00+00:00", NOW)
    assert found is not None
    assert (found.iso, found.relative) == ("2026-12-02T11:58:00Z", "2 minutes ago")


START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_bar_per_period_as_tall_as_its_share_of_the_peak() -> None:
    points = {START: 2.0, START + timedelta(minutes=30): 4.0, START + timedelta(hours=23): 1.0}
    chart = bar_chart("Sync lag", points, START, 900, 96, " s", width=96 * 5, height=41)
    assert (chart.peak, chart.latest, chart.total, chart.empty) == (4.0, 1.0, 7.0, False)
    first, second, last = chart.bars
    assert (first.x, first.width, first.height, first.y) == (0.0, 4.0, 20.0, 21.0)
    assert (second.x, second.height, second.y) == (10.0, 40.0, 1.0)  # period 2, the peak
    assert last.x == 92 * 5 and last.height == 10.0
    assert second.label == "2026-12-01 12:30 UTC: 4 s"
    assert chart.summary == "peak 4 s, latest 1 s"
    assert bar_chart("x", {START: 1.25}, START, 900, 96).summary == "peak 1.25, latest 1.25"
    assert [number(v) for v in (7.0, 1.5, 0.125, 0.001, 1234.0)] == [
        "7",
        "1.5",
        "0.12",
        "0.001",
        "1234",
    ]


def test_periods_without_data_have_no_bar_and_points_outside_are_left_out() -> None:
    outside = {START - timedelta(minutes=15): 9.0, START + timedelta(hours=24): 9.0}
    assert bar_chart("x", outside, START, 900, 96).empty
    assert bar_chart("x", outside, START, 900, 96).summary == "no data points in the last 24 hours"
    assert bar_chart("x", {}, START, 900, 96).bars == []
    zero_and_tiny = bar_chart(
        "x",
        {START: 0.0, START + timedelta(hours=1): 1000.0, START + timedelta(hours=2): 0.001},
        START,
        900,
        96,
    )
    heights = [b.height for b in zero_and_tiny.bars]
    assert heights[0] == 0.0 and heights[2] == 1.0  # a tiny value still shows
    naive_aware = bar_chart(
        "x", {datetime(2026, 12, 1, 13, tzinfo=timezone(timedelta(hours=1))): 1.0}, START, 900, 96
    )
    assert naive_aware.bars[0].x == 0.0  # 13:00+01:00 is the first period (12:00 UTC)
