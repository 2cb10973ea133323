"""CloudWatch evaluates metric alarms and publishes their state changes to SNS.

AWS: "Using Amazon CloudWatch alarms", CloudWatch User Guide
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html):
Period, EvaluationPeriods, DatapointsToAlarm, ComparisonOperator, Threshold, TreatMissingData;
a new alarm starts in INSUFFICIENT_DATA (PutMetricAlarm,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html), an
update leaves its state; on a state change the new state's actions run, and an SNS action
publishes the alarm's JSON notification. The evaluation rule itself (missing data, M out of N,
the stricter reading where the page is silent) is tested without a backend in
tests/unit/test_alarm_evaluation.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from meshcore_emulator import EmbeddedAws

from .helpers import CENTRAL_ACCOUNT, ClientFactory


@pytest.fixture(autouse=True)
def by_hand(aws: EmbeddedAws) -> Iterator[None]:
    """The background threads stay quiet: the test ticks (the reset after it restores them)."""
    aws.set_cadence(sqs_metrics_seconds=3600, alarm_seconds=3600)
    yield


def topic_into_queue(client: ClientFactory) -> tuple[str, str]:
    """An SNS topic delivering to an SQS queue (no confirmation needed); topic ARN, queue URL."""
    sqs, sns = client("sqs"), client("sns")
    url = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    topic: str = sns.create_topic(Name="alarms")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return topic, url


def notifications(client: ClientFactory, url: str) -> list[dict[str, Any]]:
    sqs = client("sqs")
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for m in batch:
            envelope = json.loads(m["Body"])
            found.append({"Subject": envelope.get("Subject"), **json.loads(envelope["Message"])})
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return found


def alarm(client: ClientFactory, name: str) -> dict[str, Any]:
    found: dict[str, Any] = client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"][
        0
    ]
    return found


def put_alarm(client: ClientFactory, topic: str, **overrides: Any) -> None:
    spec: dict[str, Any] = {
        "AlarmName": "work-dlq-not-empty",
        "AlarmDescription": "dead letters",
        "Namespace": "AWS/SQS",
        "MetricName": "ApproximateNumberOfMessagesVisible",
        "Dimensions": [{"Name": "QueueName", "Value": "work-dlq"}],
        "Statistic": "Maximum",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 0.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [topic],
        "OKActions": [topic],
    }
    client("cloudwatch").put_metric_alarm(**{**spec, **overrides})


def test_a_new_alarm_is_insufficient_data_and_an_update_keeps_its_state(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    topic, _ = topic_into_queue(client)
    put_alarm(client, topic)
    created = alarm(client, "work-dlq-not-empty")
    assert created["StateValue"] == "INSUFFICIENT_DATA"
    client("sqs").create_queue(QueueName="work-dlq")
    now = time.time()
    aws.sqs_metrics.tick(now)
    assert aws.alarms.tick(now) == 1
    assert alarm(client, "work-dlq-not-empty")["StateValue"] == "OK"
    put_alarm(client, topic, AlarmDescription="changed")
    assert alarm(client, "work-dlq-not-empty")["StateValue"] == "OK"


def test_a_dead_letter_alarms_then_clears_and_each_change_is_published(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    topic, inbox = topic_into_queue(client)
    put_alarm(client, topic)
    sqs = client("sqs")
    dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=dlq, MessageBody="dead")
    now = time.time()
    aws.sqs_metrics.tick(now)
    assert aws.alarms.tick(now) == 1
    alarmed = alarm(client, "work-dlq-not-empty")
    assert alarmed["StateValue"] == "ALARM"
    assert alarmed["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints")
    assert json.loads(alarmed["StateReasonData"])["recentDatapoints"] == [1.0]
    assert aws.alarms.tick(now + 1) == 0  # no change, no second notification

    (sent,) = notifications(client, inbox)
    assert sent["Subject"] == 'ALARM: "work-dlq-not-empty" in US East (N. Virginia)'
    assert sent["AlarmName"] == "work-dlq-not-empty"
    assert sent["AlarmDescription"] == "dead letters"
    assert sent["AWSAccountId"] == CENTRAL_ACCOUNT
    assert sent["NewStateValue"] == "ALARM"
    assert sent["OldStateValue"] == "INSUFFICIENT_DATA"
    assert sent["NewStateReason"] == alarmed["StateReason"]
    assert sent["AlarmArn"] == alarmed["AlarmArn"]
    assert sent["AlarmActions"] == [topic] and sent["OKActions"] == [topic]
    assert sent["StateChangeTime"].endswith("+0000")
    assert sent["Trigger"] == {
        "MetricName": "ApproximateNumberOfMessagesVisible",
        "Namespace": "AWS/SQS",
        "StatisticType": "Statistic",
        "Statistic": "MAXIMUM",
        "Unit": None,
        "Dimensions": [{"value": "work-dlq", "name": "QueueName"}],
        "Period": 60,
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "ComparisonOperator": "GreaterThanThreshold",
        "Threshold": 0.0,
        "TreatMissingData": "notBreaching",
        "EvaluateLowSampleCountPercentile": "",
    }

    sqs.purge_queue(QueueUrl=dlq)
    later = now + 61  # the 1.0 has left the one-minute period
    aws.sqs_metrics.tick(later)
    assert aws.alarms.tick(later) == 1
    (cleared,) = notifications(client, inbox)
    assert cleared["NewStateValue"] == "OK" and cleared["OldStateValue"] == "ALARM"
    assert cleared["Subject"].startswith('OK: "work-dlq-not-empty"')
    # Each change, and each action run, is in the alarm's history (newest first by default).
    items = client("cloudwatch").describe_alarm_history(AlarmName="work-dlq-not-empty")[
        "AlarmHistoryItems"
    ]
    assert [i["HistorySummary"] for i in items if i["HistoryItemType"] == "StateUpdate"] == [
        "Alarm updated from ALARM to OK",
        "Alarm updated from INSUFFICIENT_DATA to ALARM",
    ]
    assert f"Successfully executed action {topic}" in {i["HistorySummary"] for i in items}
    changes = client("cloudwatch").describe_alarm_history(
        AlarmName="work-dlq-not-empty", HistoryItemType="StateUpdate", ScanBy="TimestampAscending"
    )["AlarmHistoryItems"]
    first = json.loads(changes[0]["HistoryData"])
    assert first["oldState"]["stateValue"] == "INSUFFICIENT_DATA"
    assert first["newState"]["stateValue"] == "ALARM"
    assert first["newState"]["stateReason"] == alarmed["StateReason"]


def test_missing_data_breaching_alarms_and_disabled_actions_publish_nothing(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    topic, inbox = topic_into_queue(client)
    put_alarm(
        client,
        topic,
        AlarmName="no-repair",
        Namespace="meshcore",
        MetricName="RepairSucceeded",
        Dimensions=[{"Name": "Worker", "Value": "sync-worker"}],
        Statistic="Sum",
        Period=3600,
        Threshold=1.0,
        ComparisonOperator="LessThanThreshold",
        TreatMissingData="breaching",
        ActionsEnabled=False,
    )
    assert aws.alarms.tick() == 1
    assert alarm(client, "no-repair")["StateValue"] == "ALARM"
    assert notifications(client, inbox) == []
    client("cloudwatch").put_metric_data(
        Namespace="meshcore",
        MetricData=[
            {
                "MetricName": "RepairSucceeded",
                "Dimensions": [{"Name": "Worker", "Value": "sync-worker"}],
                "Value": 1.0,
            }
        ],
    )
    assert aws.alarms.tick() == 1
    assert alarm(client, "no-repair")["StateValue"] == "OK"


def test_m_out_of_n_over_periods(aws: EmbeddedAws, client: ClientFactory) -> None:
    topic, _ = topic_into_queue(client)
    put_alarm(
        client,
        topic,
        AlarmName="busy",
        Namespace="custom",
        MetricName="Load",
        Dimensions=[],
        Period=10,
        EvaluationPeriods=3,
        DatapointsToAlarm=2,
        Threshold=5.0,
    )
    cloudwatch = client("cloudwatch")
    start = time.time() - 30

    def point(at: float, value: float) -> None:
        cloudwatch.put_metric_data(
            Namespace="custom",
            MetricData=[{"MetricName": "Load", "Value": value, "Timestamp": at}],
        )

    point(start + 1, 9.0)  # first period: breaching
    point(start + 11, 1.0)  # second: not
    assert aws.alarms.tick(start + 30) == 1
    assert alarm(client, "busy")["StateValue"] == "OK"
    point(start + 21, 7.0)  # third: breaching, 2 of 3
    assert aws.alarms.tick(start + 30) == 1
    assert alarm(client, "busy")["StateValue"] == "ALARM"


def test_set_alarm_state_runs_the_actions_until_the_next_evaluation(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    topic, inbox = topic_into_queue(client)
    put_alarm(client, topic)
    client("cloudwatch").set_alarm_state(
        AlarmName="work-dlq-not-empty", StateValue="ALARM", StateReason="testing the pager"
    )
    (sent,) = notifications(client, inbox)
    assert (sent["NewStateValue"], sent["NewStateReason"]) == ("ALARM", "testing the pager")
    assert aws.alarms.tick() == 1  # no dead letter: the next evaluation puts it back
    (back,) = notifications(client, inbox)
    assert (back["OldStateValue"], back["NewStateValue"]) == ("ALARM", "OK")
