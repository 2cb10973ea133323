"""CloudWatch alarms keep a history (DescribeAlarmHistory), start in INSUFFICIENT_DATA, and keep
their state when updated.

- DescribeAlarmHistory "Retrieves the history for the specified alarm. You can filter the
  results by date range or item type. If an alarm name is not specified, the histories for
  either all metric alarms or all composite alarms are returned. CloudWatch retains the history
  of an alarm even if you delete the alarm." AlarmName, AlarmTypes (metric alarms when
  omitted), HistoryItemType, StartDate, EndDate, MaxRecords (1 to 100), NextToken, ScanBy
  (TimestampDescending or TimestampAscending).
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html
  Each item (AlarmHistoryItem) has AlarmName, AlarmType, Timestamp, HistoryItemType,
  HistorySummary and HistoryData (JSON; a state update's has ``oldState`` and ``newState``).
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_AlarmHistoryItem.html
- PutMetricAlarm: "When this operation creates an alarm, the alarm state is immediately set to
  INSUFFICIENT_DATA. ... When you update an existing alarm, its state is left unchanged, but the
  update completely overwrites the previous configuration of the alarm."
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html

moto does not implement DescribeAlarmHistory (a 500), starts every alarm in OK and resets the
state of an alarm it updates. Here creation and update are ConfigurationUpdate items and each
SetAlarmState a StateUpdate item, kept per account and region after the alarm is deleted. The
documentation does not say MaxRecords' default; it is 50 here, and history is kept for the
emulator's lifetime (AWS keeps 30 days). The alarm evaluation (extensions/cloudwatch_alarms.py)
records its state changes and actions here too. Belongs upstream in moto.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from moto.cloudwatch.exceptions import InvalidParameterValue, ValidationError
from moto.cloudwatch.models import Alarm, CloudWatchBackend
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from ._patching import add_method, wrap_method

ITEM_TYPES = (
    "ConfigurationUpdate",
    "StateUpdate",
    "Action",
    "AlarmContributorStateUpdate",
    "AlarmContributorAction",
)
DEFAULT_MAX_RECORDS = 50
_HISTORY = "_meshcore_alarm_history"


def install() -> None:
    wrap_method(CloudWatchBackend, "put_metric_alarm", _put_metric_alarm)
    wrap_method(CloudWatchBackend, "set_alarm_state", _set_alarm_state)
    add_method(CloudWatchResponse, "describe_alarm_history", _describe_alarm_history)


def history(backend: CloudWatchBackend) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] | None = getattr(backend, _HISTORY, None)
    if found is None:
        found = []
        setattr(backend, _HISTORY, found)
    return found


def record(backend: CloudWatchBackend, alarm: Alarm, kind: str, summary: str, data: Any) -> None:
    history(backend).append(
        {
            "AlarmName": alarm.name,
            "AlarmType": "CompositeAlarm" if alarm.rule else "MetricAlarm",
            "Timestamp": utcnow(),
            "HistoryItemType": kind,
            "HistorySummary": summary,
            "HistoryData": json.dumps(data),
        }
    )


def _state(alarm: Alarm) -> dict[str, Any]:
    return {"stateValue": alarm.state_value, "stateReason": alarm.state_reason}


def _put_metric_alarm(original: Any, backend: CloudWatchBackend, *args: Any, **kwargs: Any) -> Any:
    name = kwargs.get("name", args[0] if args else None)
    before = backend.alarms.get(name) if isinstance(name, str) else None
    alarm: Alarm = original(backend, *args, **kwargs)
    if before is not None:  # an update leaves the state as it was
        alarm.state_value, alarm.state_reason = before.state_value, before.state_reason
        alarm.state_reason_data = before.state_reason_data
        alarm.state_updated_timestamp = before.state_updated_timestamp
        alarm.history = before.history
        record(backend, alarm, "ConfigurationUpdate", f'Alarm "{alarm.name}" updated', {})
    else:
        alarm.state_value = "INSUFFICIENT_DATA"
        alarm.state_reason = "Unchecked: Initial alarm creation"
        record(backend, alarm, "ConfigurationUpdate", f'Alarm "{alarm.name}" created', {})
    return alarm


def _set_alarm_state(
    original: Any,
    backend: CloudWatchBackend,
    alarm_name: str,
    reason: str,
    reason_data: str,
    state_value: str,
) -> None:
    alarm = backend.alarms.get(alarm_name)
    old = _state(alarm) if alarm is not None else None
    original(backend, alarm_name, reason, reason_data, state_value)
    alarm = backend.alarms[alarm_name]
    new = {**_state(alarm), "stateReasonData": reason_data} if reason_data else _state(alarm)
    record(
        backend,
        alarm,
        "StateUpdate",
        f"Alarm updated from {old['stateValue'] if old else 'INSUFFICIENT_DATA'} to {state_value}",
        {"version": "1.0", "oldState": old, "newState": new},
    )


def _describe_alarm_history(response: CloudWatchResponse) -> ActionResult:
    name = response._get_param("AlarmName")
    types = response._get_param("AlarmTypes") or ["MetricAlarm"]
    kind = response._get_param("HistoryItemType")
    start: datetime | None = response._get_param("StartDate")
    end: datetime | None = response._get_param("EndDate")
    limit = response._get_param("MaxRecords")
    token = response._get_param("NextToken")
    scan_by = response._get_param("ScanBy") or "TimestampDescending"
    if kind is not None and kind not in ITEM_TYPES:
        raise ValidationError(
            f"1 validation error detected: Value '{kind}' at 'historyItemType' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{', '.join(ITEM_TYPES)}]"
        )
    if scan_by not in ("TimestampDescending", "TimestampAscending"):
        raise ValidationError(
            f"1 validation error detected: Value '{scan_by}' at 'scanBy' failed to satisfy "
            "constraint: Member must satisfy enum value set: [TimestampDescending, "
            "TimestampAscending]"
        )
    limit = DEFAULT_MAX_RECORDS if limit is None else int(limit)
    if not 1 <= limit <= 100:
        raise ValidationError(
            f"1 validation error detected: Value '{limit}' at 'maxRecords' failed to satisfy "
            "constraint: Member must have value between 1 and 100"
        )
    items = [
        item
        for item in history(response.cloudwatch_backend)
        if (name is None or item["AlarmName"] == name)
        and (name is not None or item["AlarmType"] in types)
        and (kind is None or item["HistoryItemType"] == kind)
        and (start is None or item["Timestamp"] >= start)
        and (end is None or item["Timestamp"] <= end)
    ]
    if scan_by == "TimestampDescending":
        items.reverse()
    offset = 0
    if token is not None:
        if not str(token).isdigit() or int(token) > len(items):
            raise InvalidParameterValue("The service cannot process the NextToken.")
        offset = int(token)
    page = items[offset : offset + limit]
    result: dict[str, Any] = {"AlarmHistoryItems": page}
    if offset + limit < len(items):
        result["NextToken"] = str(offset + limit)
    return ActionResult(result)
