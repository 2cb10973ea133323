"""meshctl bootstrap / onboarding against the embedded AWS: complete and idempotent."""

from __future__ import annotations

import json
from typing import TypedDict

import boto3
import pytest
from botocore.exceptions import ClientError

from meshcore.aws.clients import SyncAws
from meshcore.messages.commands import RepairCommand
from meshcore.messages.decode import decode_sync_message
from meshcore.provisioning.central import REPAIR_RULE, bootstrap_central, dlq_name
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
    stale = alarms["meshcore-repair-stale"]
    assert stale["Period"] == 2 * 3600 and stale["TreatMissingData"] == "breaching"
    body = json.loads(cloudwatch.get_dashboard(DashboardName="meshcore")["DashboardBody"])
    titles = [w["properties"]["title"] for w in body["widgets"]]
    assert titles == [
        "Queue depth",
        "Dead letters",
        "Sync lag (s) and events",
        "Repair drift and failures",
    ]


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
