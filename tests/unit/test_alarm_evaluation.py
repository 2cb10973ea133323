"""The embedded AWS's alarm evaluation, from data points to state, without a thread or a backend.

CloudWatch ("Using Amazon CloudWatch alarms": "Evaluating an alarm" and "Configuring how
CloudWatch alarms treat missing data",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
"""

from __future__ import annotations

import pytest
from moto.cloudwatch.models import MetricAggregatedDatum, MetricDatum

from meshcore_emulator.extensions.cloudwatch_alarms import (
    ALARM,
    INSUFFICIENT_DATA,
    OK,
    Rule,
    evaluate,
    statistic,
)

GT0 = "GreaterThanThreshold"


def rule(
    missing: str | None = None,
    periods: int = 1,
    to_alarm: int | None = None,
    operator: str = GT0,
    threshold: float = 0.0,
) -> Rule:
    return Rule(operator, threshold, periods, to_alarm, missing)


def test_a_breaching_data_point_alarms_and_a_good_one_is_ok() -> None:
    alarmed = evaluate(rule("notBreaching"), [1.0], OK)
    assert alarmed.state == ALARM
    assert alarmed.reason.startswith("Threshold Crossed: 1 out of the last 1 datapoints [1.0]")
    assert "greater than the threshold (0.0)" in alarmed.reason
    ok = evaluate(rule("notBreaching"), [0.0], ALARM)
    assert ok.state == OK
    assert "[0.0] was not greater than the threshold (0.0)" in ok.reason


@pytest.mark.parametrize(
    ("operator", "value", "state"),
    [
        ("GreaterThanThreshold", 5.0, OK),
        ("GreaterThanOrEqualToThreshold", 5.0, ALARM),
        ("LessThanThreshold", 5.0, OK),
        ("LessThanOrEqualToThreshold", 5.0, ALARM),
        ("LessThanThreshold", 4.0, ALARM),
    ],
)
def test_comparison_operators(operator: str, value: float, state: str) -> None:
    assert evaluate(rule(operator=operator, threshold=5.0), [value], OK).state == state


def test_m_out_of_n_needs_datapoints_to_alarm_breaching_points() -> None:
    two_of_three = rule("notBreaching", periods=3, to_alarm=2)
    assert evaluate(two_of_three, [1.0, 0.0, 0.0], OK).state == OK
    assert evaluate(two_of_three, [1.0, 0.0, 1.0], OK).state == ALARM
    # Without DatapointsToAlarm every period must breach.
    assert evaluate(rule("notBreaching", periods=3), [1.0, 0.0, 1.0], OK).state == OK
    assert evaluate(rule("notBreaching", periods=3), [1.0, 1.0, 1.0], OK).state == ALARM


@pytest.mark.parametrize(
    ("missing", "current", "state"),
    [
        ("notBreaching", ALARM, OK),
        ("breaching", OK, ALARM),
        ("ignore", ALARM, ALARM),
        ("ignore", OK, OK),
        ("missing", OK, INSUFFICIENT_DATA),
        (None, ALARM, INSUFFICIENT_DATA),  # missing is the default
    ],
)
def test_a_range_without_data(missing: str | None, current: str, state: str) -> None:
    assert evaluate(rule(missing, periods=2), [None, None], current).state == state


def test_missing_points_count_as_told() -> None:
    three = rule("breaching", periods=3)
    assert evaluate(three, [1.0, None, None], OK).state == ALARM
    assert evaluate(rule("notBreaching", periods=3), [1.0, None, 1.0], OK).state == OK


def test_the_stricter_reading_when_too_few_points_exist_and_all_breach() -> None:
    # missing/ignore: 1 point of 3 exists and it breaches; the documentation does not state
    # the general rule, the emulator alarms.
    assert evaluate(rule("missing", periods=3), [None, None, 1.0], OK).state == ALARM
    assert evaluate(rule("ignore", periods=3), [None, 1.0, None], OK).state == ALARM
    assert evaluate(rule("missing", periods=3), [None, 0.0, 1.0], ALARM).state == OK


def test_statistics_over_plain_and_aggregated_samples() -> None:
    samples: list[MetricDatum | MetricAggregatedDatum] = [
        MetricDatum("ns", "m", 1.0, [], None),
        MetricDatum("ns", "m", 3.0, [], None),
        MetricAggregatedDatum("ns", "m", 0.5, 10.0, 2.0, 11.0, [], None),
    ]
    assert statistic(samples, "Maximum") == 10.0
    assert statistic(samples, "Minimum") == 0.5
    assert statistic(samples, "Sum") == 15.0
    assert statistic(samples, "SampleCount") == 4.0
    assert statistic(samples, "Average") == 3.75
    assert statistic([], "Maximum") is None
