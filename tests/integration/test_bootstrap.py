"""meshctl bootstrap / onboarding against the embedded AWS: complete and idempotent."""

from __future__ import annotations

import json
from typing import TypedDict

import boto3
import pytest
from botocore.exceptions import ClientError

from meshcore.aws.clients import SyncAws
from meshcore.messages.commands import AccessReconcile, RepairCommand
from meshcore.messages.decode import decode_approvals_message, decode_sync_message
from meshcore.provisioning.central import (
    ACCESS_RECONCILE_RULE,
    REPAIR_RULE,
    bootstrap_central,
    dlq_name,
)
from meshcore.provisioning.onboarding import onboard_consumer, onboard_producer
from meshcore.settings import MeshSettings


class ExternalId(TypedDict, total=False):
    """The optional `ExternalId` of an AssumeRole call."""

    ExternalId: str


def test_bootstrap_creates_queues_with_dead_letter_queues_and_is_idempotent(
    settings: MeshSettings,
) -> None:
    first = bootstrap_central(SyncAws(settings), settings)
    assert first.changed
    second = bootstrap_central(SyncAws(settings), settings)
    assert not second.changed, [s for s in second.steps if s[1] != "exists"]

    sqs = boto3.client("sqs", endpoint_url=settings.endpoint_url)
    for name in settings.queues.all():
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        redrive = json.loads(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"][
                "RedrivePolicy"
            ]
        )
        assert redrive["deadLetterTargetArn"].endswith(":" + dlq_name(name))
        assert int(redrive["maxReceiveCount"]) == settings.worker.max_receive_count


def test_bootstrap_defines_the_operator_alarms(settings: MeshSettings) -> None:
    bootstrap_central(SyncAws(settings), settings)
    cloudwatch = boto3.client("cloudwatch", endpoint_url=settings.endpoint_url)
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}
    assert (
        alarms["meshcore-catalog-changes-dlq-not-empty"]["MetricName"]
        == "ApproximateNumberOfMessagesVisible"
    )
    assert alarms["meshcore-approvals-oldest-message"]["Threshold"] == 300
    assert alarms["meshcore-repair-drift"]["MetricName"] == "RepairDrift"
    drift = alarms["meshcore-access-drift"]
    assert (drift["MetricName"], drift["Dimensions"]) == (
        "AccessDrift",
        [{"Name": "Worker", "Value": "grant-worker"}],
    )
    assert drift["ComparisonOperator"] == "GreaterThanThreshold" and drift["Threshold"] == 0
    refused = alarms["meshcore-decisions-refused"]
    assert (refused["MetricName"], refused["Dimensions"], refused["Statistic"]) == (
        "DecisionsRefused",
        [{"Name": "Worker", "Value": "grant-worker"}],
        "Sum",
    )
    stale = alarms["meshcore-repair-stale"]
    assert stale["Period"] == 2 * 3600 and stale["TreatMissingData"] == "breaching"
    body = json.loads(cloudwatch.get_dashboard(DashboardName="meshcore")["DashboardBody"])
    titles = [w["properties"]["title"] for w in body["widgets"]]
    assert titles == [
        "Queue depth",
        "Dead letters",
        "Sync lag (s) and events",
        "Repair and access drift, repair failures",
    ]


def test_every_alarm_notifies_the_alarm_topic_and_operators_subscribe_once(
    settings: MeshSettings,
) -> None:
    # Nothing listens on port 9: the confirmation POST fails, the subscription stays pending.
    webhook = "http://127.0.0.1:9/meshcore-alarms"
    operators = {"alarm_emails": ["ops@example.com"], "alarm_webhooks": [webhook]}
    first = bootstrap_central(SyncAws(settings), settings, **operators)
    assert ("sns topic meshcore-alarms", "created") in first.steps
    assert (f"alarm subscription http {webhook}", "created") in first.steps
    second = bootstrap_central(SyncAws(settings), settings, **operators)
    assert not second.changed, [s for s in second.steps if s[1] != "exists"]
    # Without the options, nothing is unsubscribed either.
    assert not bootstrap_central(SyncAws(settings), settings).changed

    sns = boto3.client("sns", endpoint_url=settings.endpoint_url)
    (topic,) = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert topic.endswith(":meshcore-alarms")
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted((s["Protocol"], s["Endpoint"]) for s in subscriptions) == [
        ("email", "ops@example.com"),
        ("http", webhook),
    ]
    for subscription in subscriptions:  # each waits for its operator to confirm
        attributes = sns.get_subscription_attributes(
            SubscriptionArn=subscription["SubscriptionArn"]
        )["Attributes"]
        assert attributes["PendingConfirmation"] == "true"
    cloudwatch = boto3.client("cloudwatch", endpoint_url=settings.endpoint_url)
    alarms = cloudwatch.describe_alarms()["MetricAlarms"]
    assert len(alarms) == 2 * len(settings.queues.all()) + 4
    for alarm in alarms:
        assert (alarm["AlarmActions"], alarm["OKActions"]) == ([topic], [topic]), alarm


def test_an_alarm_webhook_must_be_http_or_https(settings: MeshSettings) -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        bootstrap_central(SyncAws(settings), settings, alarm_webhooks=["ftp://example.com/x"])


def test_onboarding_a_producer_twice_changes_nothing_the_second_time(
    settings: MeshSettings,
) -> None:
    bootstrap_central(SyncAws(settings), settings)
    central = SyncAws(settings)
    member = central.assumed(settings.role_arn("222222222222", "OrganizationAccountAccessRole"))
    first, role_arn = onboard_producer(central, member, settings, "222222222222")
    assert first.changed and role_arn == "arn:aws:iam::222222222222:role/meshcore-catalog-reader"
    second, _ = onboard_producer(central, member, settings, "222222222222")
    assert not second.changed, second.steps


def test_bootstrap_schedules_repair_with_a_new_repair_id_per_firing(settings: MeshSettings) -> None:
    bootstrap_central(SyncAws(settings), settings)
    events = boto3.client("events", endpoint_url=settings.endpoint_url)
    rule = events.describe_rule(Name=REPAIR_RULE)
    assert rule["ScheduleExpression"] == "rate(60 minutes)"
    (target,) = events.list_targets_by_rule(Rule=REPAIR_RULE)["Targets"]
    assert target["Arn"].endswith(":meshcore-catalog-changes")
    transformer = target["InputTransformer"]
    # What EventBridge sends when the schedule fires: the template with the event's id and time.
    body = (
        transformer["InputTemplate"]
        .replace("<id>", "5089ddb8")
        .replace("<time>", "2026-11-25T10:00:00Z")
    )
    command = decode_sync_message(body)
    assert isinstance(command, RepairCommand)
    assert command.repair_id == "scheduled-5089ddb8"


def test_bootstrap_schedules_the_access_reconcile_on_the_approvals_queue(
    settings: MeshSettings,
) -> None:
    bootstrap_central(SyncAws(settings), settings)
    events = boto3.client("events", endpoint_url=settings.endpoint_url)
    rule = events.describe_rule(Name=ACCESS_RECONCILE_RULE)
    assert rule["ScheduleExpression"] == "rate(60 minutes)"
    (target,) = events.list_targets_by_rule(Rule=ACCESS_RECONCILE_RULE)["Targets"]
    assert target["Arn"].endswith(":meshcore-approvals")
    body = (
        target["InputTransformer"]["InputTemplate"]
        .replace("<id>", "5089ddb8")
        .replace("<time>", "2026-11-25T10:00:00Z")
    )
    command = decode_approvals_message(body)
    assert isinstance(command, AccessReconcile)
    assert command.reconcile_id == "scheduled-5089ddb8" and command.heal


def test_a_consumers_admin_role_is_assumed_only_with_meshcores_external_id(
    settings: MeshSettings,
) -> None:
    central = SyncAws(settings)
    member = central.assumed(settings.role_arn("444444444444", "OrganizationAccountAccessRole"))
    first, role_arn = onboard_consumer(member, settings)
    second, _ = onboard_consumer(member, settings)
    assert first.changed and not second.changed, second.steps
    assert central.assumed(role_arn).account_id() == "444444444444"
    sts = boto3.client("sts", endpoint_url=settings.endpoint_url, region_name=settings.region)
    extras: tuple[ExternalId, ...] = ({}, {"ExternalId": "someone-else"})
    for extra in extras:
        with pytest.raises(ClientError, match="AccessDenied"):
            sts.assume_role(RoleArn=role_arn, RoleSessionName="confused-deputy", **extra)
