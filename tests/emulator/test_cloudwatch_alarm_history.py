"""CloudWatch keeps each alarm's history (DescribeAlarmHistory); a new alarm starts in
INSUFFICIENT_DATA and an updated one keeps its state.

DescribeAlarmHistory: "If an alarm name is not specified, the histories for either all metric
alarms or all composite alarms are returned. CloudWatch retains the history of an alarm even if
you delete the alarm." MaxRecords is 1 to 100; ScanBy TimestampDescending or TimestampAscending.
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html)
PutMetricAlarm: "When this operation creates an alarm, the alarm state is immediately set to
INSUFFICIENT_DATA. ... When you update an existing alarm, its state is left unchanged."
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import ClientFactory


def alarm(cw: Any, name: str, threshold: float = 0.0) -> None:
    cw.put_metric_alarm(
        AlarmName=name,
        Namespace="meshcore",
        MetricName="RepairDrift",
        Dimensions=[{"Name": "Worker", "Value": "sync-worker"}],
        Statistic="Maximum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="GreaterThanThreshold",
    )


def state(cw: Any, name: str) -> str:
    found: str = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]
    return found


def test_a_new_alarm_has_insufficient_data_and_an_update_keeps_its_state(
    client: ClientFactory,
) -> None:
    cw = client("cloudwatch")
    alarm(cw, "drift")
    assert state(cw, "drift") == "INSUFFICIENT_DATA"
    cw.set_alarm_state(AlarmName="drift", StateValue="ALARM", StateReason="drift 3")
    alarm(cw, "drift", threshold=1.0)
    assert state(cw, "drift") == "ALARM"


def test_alarm_history_newest_first_with_old_and_new_state(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    alarm(cw, "drift")
    alarm(cw, "other")
    cw.set_alarm_state(AlarmName="drift", StateValue="ALARM", StateReason="drift 3")
    cw.set_alarm_state(AlarmName="drift", StateValue="OK", StateReason="drift 0")
    items = cw.describe_alarm_history(AlarmName="drift")["AlarmHistoryItems"]
    assert [i["HistoryItemType"] for i in items] == [
        "StateUpdate",
        "StateUpdate",
        "ConfigurationUpdate",
    ]
    assert items[0]["HistorySummary"] == "Alarm updated from ALARM to OK"
    data = json.loads(items[0]["HistoryData"])
    assert data["oldState"]["stateValue"] == "ALARM" and data["newState"]["stateValue"] == "OK"
    assert data["newState"]["stateReason"] == "drift 0"
    assert {i["AlarmName"] for i in items} == {"drift"} and items[0]["AlarmType"] == "MetricAlarm"
    states = cw.describe_alarm_history(AlarmName="drift", HistoryItemType="StateUpdate")
    assert len(states["AlarmHistoryItems"]) == 2
    oldest = cw.describe_alarm_history(ScanBy="TimestampAscending")["AlarmHistoryItems"]
    assert oldest[0]["HistorySummary"] == 'Alarm "drift" created'
    assert {i["AlarmName"] for i in oldest} == {"drift", "other"}  # every alarm's history


def test_alarm_history_by_date_paged_and_kept_after_deletion(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    alarm(cw, "drift")
    for value in ("ALARM", "OK", "ALARM"):
        cw.set_alarm_state(AlarmName="drift", StateValue=value, StateReason=value)
    cw.delete_alarms(AlarmNames=["drift"])
    now = datetime.now(UTC)
    later = cw.describe_alarm_history(StartDate=now + timedelta(minutes=5))
    assert later["AlarmHistoryItems"] == []
    first = cw.describe_alarm_history(
        AlarmName="drift", StartDate=now - timedelta(hours=1), MaxRecords=3
    )
    assert len(first["AlarmHistoryItems"]) == 3 and first["NextToken"]
    rest = cw.describe_alarm_history(AlarmName="drift", MaxRecords=3, NextToken=first["NextToken"])
    assert len(rest["AlarmHistoryItems"]) == 1 and "NextToken" not in rest
    assert rest["AlarmHistoryItems"][0]["HistorySummary"] == 'Alarm "drift" created'


@pytest.mark.parametrize(
    "wrong",
    [{"MaxRecords": 101}, {"HistoryItemType": "Nothing"}],  # 0: botocore refuses it first
)
def test_alarm_history_refuses_what_aws_refuses(client: ClientFactory, wrong: Any) -> None:
    cw = client("cloudwatch")
    with pytest.raises(ClientError) as refused:
        cw.describe_alarm_history(**wrong)
    assert refused.value.response["Error"]["Code"] in ("ValidationError", "InvalidParameterValue")
