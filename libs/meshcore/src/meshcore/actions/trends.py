"""The last hours of the metrics operators watch, and what the alarms did meanwhile.

The same data as the CloudWatch dashboard (`provisioning.alarms.dashboard_body`): sync-worker's
`SyncLag` (worst per period), `EventsProcessed` (per period, every change type), `RepairDrift`
(worst per period), and the dead-letter queues' `ApproximateNumberOfMessagesVisible`, which
Amazon SQS publishes itself (AWS/SQS; worst per period, summed over the queues). Read with
GetMetricData; each alarm's changes with DescribeAlarmHistory.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from meshcore.actions.context import Central
from meshcore.aws.errors import aws_errors
from meshcore.provisioning.central import dlq_name
from meshcore.runtime.metrics import NAMESPACE

if TYPE_CHECKING:
    from types_aiobotocore_cloudwatch.client import CloudWatchClient
    from types_aiobotocore_cloudwatch.type_defs import MetricDataQueryTypeDef

TREND_HOURS = 24
TREND_PERIOD_SECONDS = 900  # 96 periods a day
ALARM_PREFIX = "meshcore-"
HISTORY_LIMIT = 500  # alarm history items read at most
SYNC_WORKER = [{"Name": "Worker", "Value": "sync-worker"}]


@dataclass(frozen=True)
class Trend:
    key: str  # sync_lag, events, dead_letters, repair_drift
    title: str
    unit: str  # appended to values: " s", ""
    points: dict[datetime, float] = field(default_factory=dict)  # period start -> value


@dataclass(frozen=True)
class Trends:
    start: datetime  # the first period's start (UTC, aligned to the period)
    period_seconds: int
    periods: int
    series: list[Trend]


@dataclass(frozen=True)
class AlarmChange:
    alarm: str
    at: datetime
    kind: str  # StateUpdate, ConfigurationUpdate, Action
    summary: str
    old_state: str | None
    new_state: str | None
    reason: str | None


def window(now: datetime, hours: int, period_seconds: int) -> tuple[datetime, datetime]:
    """The `hours` up to the end of the period holding `now`, aligned to whole periods."""
    epoch = int(now.timestamp())
    end = datetime.fromtimestamp(epoch - epoch % period_seconds + period_seconds, UTC)
    return end - timedelta(hours=hours), end


def _stat(query_id: str, namespace: str, name: str, dims: list[Any], stat: str, period: int) -> Any:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": name, "Dimensions": dims},
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": True,
    }


async def _event_metrics(cloudwatch: CloudWatchClient) -> list[list[Any]]:
    """The dimension sets `EventsProcessed` was published with (one per change type), each
    once: summing a series twice would double the events."""
    found: dict[frozenset[tuple[str, str]], list[Any]] = {}
    kwargs: dict[str, Any] = {
        "Namespace": NAMESPACE,
        "MetricName": "EventsProcessed",
        "Dimensions": SYNC_WORKER,
    }
    while True:
        with aws_errors("cloudwatch:ListMetrics"):
            page = await cloudwatch.list_metrics(**kwargs)
        for metric in page.get("Metrics", []):
            dims = list(metric.get("Dimensions", []))
            found[frozenset((d["Name"], d["Value"]) for d in dims)] = dims
        if not page.get("NextToken"):
            return list(found.values())
        kwargs["NextToken"] = page["NextToken"]


async def metric_trends(
    central: Central,
    now: datetime | None = None,
    hours: int = TREND_HOURS,
    period_seconds: int = TREND_PERIOD_SECONDS,
) -> Trends:
    """Sync lag, events handled, dead letters and repair drift over the last `hours`."""
    cloudwatch = await central.aws.client("cloudwatch")
    start, end = window(now or datetime.now(UTC), hours, period_seconds)
    queries: list[Any] = [
        _stat("lag", NAMESPACE, "SyncLag", SYNC_WORKER, "Maximum", period_seconds),
        _stat("drift", NAMESPACE, "RepairDrift", SYNC_WORKER, "Maximum", period_seconds),
    ]
    queries += [
        _stat(f"events{i}", NAMESPACE, "EventsProcessed", dims, "Sum", period_seconds)
        for i, dims in enumerate(await _event_metrics(cloudwatch))
    ]
    queries += [
        _stat(
            f"dead{i}",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            [{"Name": "QueueName", "Value": dlq_name(queue)}],
            "Maximum",
            period_seconds,
        )
        for i, queue in enumerate(central.settings.queues.all())
    ]
    series: dict[str, defaultdict[datetime, float]] = defaultdict(lambda: defaultdict(float))
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "MetricDataQueries": cast("list[MetricDataQueryTypeDef]", queries),
            "StartTime": start,
            "EndTime": end,
            "ScanBy": "TimestampAscending",
        }
        if token:
            kwargs["NextToken"] = token
        with aws_errors("cloudwatch:GetMetricData"):
            answer = await cloudwatch.get_metric_data(**kwargs)
        for result in answer.get("MetricDataResults", []):
            key = result["Id"].rstrip("0123456789")
            for when, value in zip(result["Timestamps"], result["Values"], strict=True):
                series[key][when.astimezone(UTC)] += value
        token = answer.get("NextToken")
        if not token:
            break
    return Trends(
        start,
        period_seconds,
        hours * 3600 // period_seconds,
        [
            Trend("sync_lag", "Sync lag (worst)", " s", dict(series["lag"])),
            Trend("events", "Events handled", "", dict(series["events"])),
            Trend("dead_letters", "Dead letters (all queues)", "", dict(series["dead"])),
            Trend("repair_drift", "Repair drift (worst)", "", dict(series["drift"])),
        ],
    )


def _change(item: Any) -> AlarmChange:
    try:
        data = json.loads(item.get("HistoryData") or "{}")
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    old, new = data.get("oldState") or {}, data.get("newState") or {}
    return AlarmChange(
        alarm=item["AlarmName"],
        at=item["Timestamp"].astimezone(UTC),
        kind=item.get("HistoryItemType", ""),
        summary=item.get("HistorySummary", ""),
        old_state=old.get("stateValue"),
        new_state=new.get("stateValue"),
        reason=new.get("stateReason"),
    )


async def alarm_history(
    central: Central, since: datetime, limit: int = HISTORY_LIMIT
) -> dict[str, list[AlarmChange]]:
    """meshcore's alarms' history since `since`, newest first, by alarm name."""
    cloudwatch = await central.aws.client("cloudwatch")
    found: dict[str, list[AlarmChange]] = defaultdict(list)
    kwargs: dict[str, Any] = {
        "StartDate": since,
        "EndDate": datetime.now(UTC) + timedelta(minutes=1),
        "MaxRecords": 100,
        "ScanBy": "TimestampDescending",
    }
    read = 0
    while read < limit:
        with aws_errors("cloudwatch:DescribeAlarmHistory"):
            page = await cloudwatch.describe_alarm_history(**kwargs)
        items = page.get("AlarmHistoryItems", [])
        read += len(items)
        for item in items:
            if item.get("AlarmName", "").startswith(ALARM_PREFIX):
                found[item["AlarmName"]].append(_change(item))
        if not page.get("NextToken") or not items:
            break
        kwargs["NextToken"] = page["NextToken"]
    return dict(found)
