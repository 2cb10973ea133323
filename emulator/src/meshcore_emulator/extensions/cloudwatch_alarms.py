"""CloudWatch evaluates metric alarms and runs their SNS actions.

AWS ("Using Amazon CloudWatch alarms", CloudWatch User Guide,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html, its
sections "Evaluating an alarm" and "Configuring how CloudWatch alarms treat missing data"):
an alarm watches one metric's statistic over ``Period`` seconds; its evaluation range is the
last ``EvaluationPeriods`` periods, and it goes to ALARM when at least ``DatapointsToAlarm``
(default: ``EvaluationPeriods``) data points in the range breach ``Threshold`` by
``ComparisonOperator``. Missing data points are treated by ``TreatMissingData``:
``notBreaching`` (good), ``breaching`` (bad), ``ignore`` (the current state is kept when nothing
decides) and ``missing`` (the default: when every data point of the range is missing the alarm
goes to INSUFFICIENT_DATA). On a state change CloudWatch records a history
item and, when actions are enabled, runs the new state's actions (``AlarmActions``,
``OKActions``, ``InsufficientDataActions``); an SNS topic action publishes the alarm's JSON
notification (AlarmName, AlarmDescription, AWSAccountId, NewStateValue, NewStateReason,
StateChangeTime, Region, AlarmArn, OldStateValue, the actions, Trigger with the metric, its
dimensions and the evaluation settings) with the subject ``ALARM: "name" in <region name>``.

moto stores alarms (starting them in OK) and never evaluates them. This module evaluates every
metric alarm of every account and region from a daemon thread every 60 s, as CloudWatch does
(``interval`` configurable for tests: ``EmbeddedAws.start(alarm_interval=...)``,
``MESHCORE_EMULATOR_ALARM_SECONDS``, ``POST /_emulator/cloudwatch``; ``tick(now)`` evaluates
once). Period ``i`` of the range (oldest first) is ``[now - (N - i) * Period, now - (N - i - 1) *
Period)``, its data point the alarm's statistic over the samples in it.

Where the documentation leaves a case open, the stricter reading (the one that alarms) is
taken: with ``missing`` or ``ignore``, when fewer than ``DatapointsToAlarm`` data points exist
in the range and every one of them breaches, the alarm goes to ALARM (AWS's own table shows
partial ranges alarming; it does not state the rule in general). Not evaluated (left in their
state): alarms on metric math (``Metrics``), percentile (``ExtendedStatistic``) and anomaly
detection alarms, composite alarms. Actions other than SNS topics are not run. SetAlarmState
changes the state until the next evaluation and, on a change, runs the actions too (the
documented way to test an alarm's notifications), which moto's does not.

Each state change and each action run is an item of the alarm's history
(extensions/cloudwatch_alarm_history.py, which also starts a new alarm in INSUFFICIENT_DATA and
keeps an updated one's state): "StateUpdate" ("Alarm updated from OK to ALARM", the old and new
state in ``HistoryData``) and "Action" ("Successfully executed action arn:..." or "Failed to
execute action ...").

Belongs upstream in moto (``moto/cloudwatch/models.py``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.cloudwatch.models import (
    Alarm,
    CloudWatchBackend,
    MetricAggregatedDatum,
    MetricDatum,
    cloudwatch_backends,
)
from moto.sns.models import sns_backends

from ._cadence import Cadence
from ._patching import wrap_method
from .cloudwatch_alarm_history import record

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 60.0
OK, ALARM, INSUFFICIENT_DATA = "OK", "ALARM", "INSUFFICIENT_DATA"

_COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}

# The region names CloudWatch writes in notifications (others are written as their code).
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-central-1": "EU (Frankfurt)",
}


@dataclass(frozen=True)
class Rule:
    """What decides an alarm's state from its data points."""

    comparison_operator: str
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int | None = None
    treat_missing_data: str | None = None

    @property
    def needed(self) -> int:
        return self.datapoints_to_alarm or self.evaluation_periods

    @property
    def missing(self) -> str:
        return self.treat_missing_data or "missing"


@dataclass(frozen=True)
class Verdict:
    state: str
    reason: str


def evaluate(rule: Rule, datapoints: Sequence[float | None], current: str) -> Verdict:
    """The alarm's state from the data points of its evaluation range (oldest first, None for
    a period without data) and its current state."""
    compare, words = _COMPARISONS[rule.comparison_operator]
    present = [v for v in datapoints if v is not None]
    missing = len(datapoints) - len(present)
    breaching = sum(1 for v in present if compare(v, rule.threshold))
    if rule.missing == "breaching":
        breaching += missing
    needed = rule.needed
    shown = ", ".join(_number(v) for v in present)
    threshold = _number(rule.threshold)

    if breaching >= needed:
        return Verdict(ALARM, _crossed(breaching, len(datapoints), shown, words, threshold))
    # The stricter reading: fewer points than needed exist, and every one of them breaches.
    if rule.missing in ("missing", "ignore") and present and breaching == len(present) < needed:
        return Verdict(ALARM, _crossed(breaching, len(datapoints), shown, words, threshold))
    if not present and rule.missing in ("missing", "ignore"):
        if rule.missing == "ignore":
            return Verdict(current, "no data points: the current state is kept (ignore)")
        return Verdict(
            INSUFFICIENT_DATA,
            f"Insufficient Data: {len(datapoints)} datapoint"
            f"{'s were' if len(datapoints) != 1 else ' was'} unknown.",
        )
    if not present:
        return Verdict(
            OK,
            f"Threshold Crossed: no datapoints were received for {len(datapoints)} period"
            f"{'s' if len(datapoints) != 1 else ''} and {len(datapoints)} missing datapoint"
            f"{'s were' if len(datapoints) != 1 else ' was'} treated as [NonBreaching].",
        )
    return Verdict(
        OK,
        f"Threshold Crossed: {len(present)} datapoint{'s' if len(present) != 1 else ''} "
        f"[{shown}] {'were' if len(present) != 1 else 'was'} not {words} the threshold "
        f"({threshold}).",
    )


def _crossed(breaching: int, total: int, shown: str, words: str, threshold: str) -> str:
    points = f"[{shown}]" if shown else "[]"
    return (
        f"Threshold Crossed: {breaching} out of the last {total} datapoints {points} "
        f"{'were' if breaching != 1 else 'was'} {words} the threshold ({threshold}) "
        f"(minimum {breaching} datapoint{'s' if breaching != 1 else ''} for ALARM transition)."
    )


def _number(value: float) -> str:
    return repr(float(value))


def statistic(samples: Sequence[MetricDatum | MetricAggregatedDatum], stat: str) -> float | None:
    """One period's data point: the statistic over its samples (None: no samples)."""
    if not samples:
        return None
    mins: list[float] = []
    maxs: list[float] = []
    total = 0.0
    count = 0.0
    for sample in samples:
        if isinstance(sample, MetricAggregatedDatum):
            mins.append(sample.min)
            maxs.append(sample.max)
            total += sample.sum
            count += sample.sample_count
        else:
            mins.append(sample.value)
            maxs.append(sample.value)
            total += sample.value
            count += 1
    match stat:
        case "Maximum":
            return max(maxs)
        case "Minimum":
            return min(mins)
        case "Sum":
            return total
        case "SampleCount":
            return count
        case "Average":
            return total / count if count else None
    return None


def install() -> None:
    wrap_method(CloudWatchBackend, "set_alarm_state", _set_state_runs_actions)


def _set_state_runs_actions(
    original: Any, backend: CloudWatchBackend, alarm_name: str, *args: Any, **kw: Any
) -> Any:
    """SetAlarmState: the state changes until the next evaluation, and a change is recorded and
    runs the new state's actions, as an evaluated change does (PutMetricAlarm's sibling,
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html)."""
    alarm = backend.alarms.get(alarm_name)
    old = alarm.state_value if alarm else None
    answer = original(backend, alarm_name, *args, **kw)
    alarm = backend.alarms.get(alarm_name)
    if alarm is not None and old is not None and alarm.state_value != old:
        # (cloudwatch_alarm_history, which this wraps, has recorded the change)
        now = time.time()
        run_actions(backend, alarm, old, now)
    return answer


class AlarmEvaluator(Cadence):
    """Evaluates every metric alarm every `interval` seconds from a daemon thread."""

    name = "cloudwatch-alarms"
    default_interval = DEFAULT_INTERVAL_SECONDS

    def __init__(
        self, interval: float | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(interval, clock)
        self._lock = threading.Lock()
        self.changes = 0

    def tick(self, now: float | None = None) -> int:
        """Evaluate every alarm once; returns how many changed state."""
        now = self._clock() if now is None else now
        changed = 0
        with self._lock:
            for _account, regions in list(cloudwatch_backends.items()):
                for _region, backend in list(regions.items()):
                    for alarm in list(backend.alarms.values()):
                        try:
                            changed += self._evaluate(backend, alarm, now)
                        except Exception:  # one alarm never stops the others
                            log.exception("evaluating alarm %s", alarm.name)
            self.changes += changed
        return changed

    def _evaluate(self, backend: CloudWatchBackend, alarm: Alarm, now: float) -> int:
        if (
            alarm.metric_data_queries
            or alarm.extended_statistic
            or alarm.rule
            or not alarm.metric_name
            or alarm.comparison_operator not in _COMPARISONS
        ):
            return 0
        period = int(alarm.period)
        periods = int(alarm.evaluation_periods)
        start = now - periods * period
        samples = [
            d
            for d in list(backend.metric_data)
            if d.namespace == alarm.namespace
            and d.name == alarm.metric_name
            and sorted((x.name, x.value) for x in d.dimensions)
            == sorted((x.name, x.value) for x in alarm.dimensions)
            and start <= _epoch(d.timestamp) < now + 1e-6
        ]
        buckets: list[list[Any]] = [[] for _ in range(periods)]
        for sample in samples:
            index = min(periods - 1, int((_epoch(sample.timestamp) - start) // period))
            buckets[index].append(sample)
        datapoints = [statistic(b, alarm.statistic) for b in buckets]
        rule = Rule(
            alarm.comparison_operator,
            float(alarm.threshold),
            periods,
            int(alarm.datapoints_to_alarm) if alarm.datapoints_to_alarm else None,
            alarm.treat_missing_data,
        )
        old = alarm.state_value
        verdict = evaluate(rule, datapoints, old)
        if verdict.state == old:
            return 0
        reason_data = {
            "version": "1.0",
            "queryDate": _iso(now),
            "startDate": _iso(start),
            "statistic": alarm.statistic,
            "period": period,
            "recentDatapoints": [v for v in datapoints if v is not None],
            "threshold": float(alarm.threshold),
        }
        old_reason = alarm.state_reason
        alarm.update_state(verdict.reason, json.dumps(reason_data), verdict.state)
        record(
            backend,
            alarm,
            "StateUpdate",
            f"Alarm updated from {old} to {verdict.state}",
            {
                "version": "1.0",
                "oldState": {"stateValue": old, "stateReason": old_reason},
                "newState": {
                    "stateValue": verdict.state,
                    "stateReason": verdict.reason,
                    "stateReasonData": reason_data,
                },
            },
        )
        run_actions(backend, alarm, old, now)
        return 1


def run_actions(backend: CloudWatchBackend, alarm: Alarm, old: str, now: float) -> None:
    """Run the actions of the alarm's (new) state, when its actions are enabled."""
    if not alarm.actions_enabled:
        return
    actions = {
        ALARM: alarm.alarm_actions,
        OK: alarm.ok_actions,
        INSUFFICIENT_DATA: alarm.insufficient_data_actions,
    }[alarm.state_value]
    for action in actions or []:
        parts = action.split(":")
        if len(parts) != 6 or parts[2] != "sns":
            continue
        region, account = parts[3], parts[4]
        try:
            sns_backends[account][region].publish(
                notification(alarm, old, now),
                arn=action,
                subject=notification_subject(alarm),
            )
        except Exception as error:  # a failed action never stops evaluation
            log.warning("alarm %s: action %s failed: %s", alarm.name, action, error)
            record(
                backend,
                alarm,
                "Action",
                f"Failed to execute action {action}",
                {"actionState": "Failed", "error": str(error)},
            )
        else:
            record(
                backend,
                alarm,
                "Action",
                f"Successfully executed action {action}",
                {"actionState": "Succeeded", "notificationResource": action},
            )


def notification_subject(alarm: Alarm) -> str:
    region = REGION_NAMES.get(alarm.region_name, alarm.region_name)
    return f'{alarm.state_value}: "{alarm.name}" in {region}'[:100]


def notification(alarm: Alarm, old: str, now: float) -> str:
    """The JSON message CloudWatch publishes to an SNS topic on a state change."""
    account = alarm.alarm_arn.split(":")[4]
    return json.dumps(
        {
            "AlarmName": alarm.name,
            "AlarmDescription": alarm.description,
            "AWSAccountId": account,
            "AlarmConfigurationUpdatedTimestamp": _iso_datetime(
                alarm.configuration_updated_timestamp
            ),
            "NewStateValue": alarm.state_value,
            "NewStateReason": alarm.state_reason,
            "StateChangeTime": _iso(now),
            "Region": REGION_NAMES.get(alarm.region_name, alarm.region_name),
            "AlarmArn": alarm.alarm_arn,
            "OldStateValue": old,
            "OKActions": list(alarm.ok_actions),
            "AlarmActions": list(alarm.alarm_actions),
            "InsufficientDataActions": list(alarm.insufficient_data_actions),
            "Trigger": {
                "MetricName": alarm.metric_name,
                "Namespace": alarm.namespace,
                "StatisticType": "Statistic",
                "Statistic": (alarm.statistic or "").upper(),
                "Unit": alarm.unit,
                "Dimensions": [{"value": d.value, "name": d.name} for d in alarm.dimensions],
                "Period": int(alarm.period),
                "EvaluationPeriods": int(alarm.evaluation_periods),
                "DatapointsToAlarm": int(alarm.datapoints_to_alarm or alarm.evaluation_periods),
                "ComparisonOperator": alarm.comparison_operator,
                "Threshold": float(alarm.threshold),
                "TreatMissingData": alarm.treat_missing_data or "missing",
                "EvaluateLowSampleCountPercentile": alarm.evaluate_low_sample_count_percentile
                or "",
            },
        }
    )


def _epoch(timestamp: datetime) -> float:
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=UTC)
    return timestamp.timestamp()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def _iso_datetime(value: datetime) -> str:
    return _iso(_epoch(value))
