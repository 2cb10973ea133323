"""Alarms reach someone: an operator's webhook, subscribed with `meshctl bootstrap
--alarm-webhook`, confirms its subscription, is told when a poisoned message reaches a
dead-letter queue, and is told again when the dead letters are gone.

The embedded AWS publishes the SQS metrics and evaluates the alarms every second here (its
cadence knobs; AWS does both every minute); the alarm's period stays AWS's one minute.
"""

from __future__ import annotations

import json

import pytest

from meshcore_devstack.processes import ready_timeout
from meshcore_emulator import EmbeddedAws

from ..webhook import Delivery, Webhook
from .conftest import StackFactory, eventually

pytestmark = pytest.mark.e2e

ALARM = "meshcore-approvals-dlq-not-empty"


def test_a_dead_letter_alarm_and_its_clearing_reach_the_operators_webhook(
    aws: EmbeddedAws, stack_factory: StackFactory
) -> None:
    aws.set_cadence(sqs_metrics_seconds=1, alarm_seconds=1)  # the next test's reset restores
    stack = stack_factory(classifier=False, grant_worker=True)
    with Webhook() as hook:
        out = stack.meshctl("bootstrap", "--alarm-webhook", hook.url)
        assert f"created  alarm subscription http {hook.url}" in out
        (answer,) = eventually(
            lambda: hook.confirmed, "the webhook confirming", timeout=ready_timeout()
        )
        assert "<ConfirmSubscriptionResponse" in answer and "<SubscriptionArn>" in answer
        # Subscribing again changes nothing (and asks for no second confirmation).
        again = json.loads(stack.meshctl("--json", "bootstrap", "--alarm-webhook", hook.url))
        assert again["changed"] is False

        sqs = stack.client("sqs")
        sqs.send_message(
            QueueUrl=sqs.get_queue_url(QueueName="meshcore-approvals")["QueueUrl"],
            MessageBody='{"kind": "nope"}',
        )

        def alarmed() -> list[Delivery]:
            return hook.alarm_notifications(ALARM, "ALARM")

        (alarm,) = eventually(alarmed, f"{ALARM} in ALARM at the webhook", ready_timeout())
        assert alarm.headers["x-amz-sns-message-type"] == "Notification"
        assert alarm.body["Subject"] == f'ALARM: "{ALARM}" in US East (N. Virginia)'
        message = alarm.message
        assert message["Trigger"]["Dimensions"] == [
            {"value": "meshcore-approvals-dlq", "name": "QueueName"}
        ]
        assert message["NewStateReason"].startswith("Threshold Crossed: 1 out of the last 1")
        assert "meshctl dlq list meshcore-approvals" in message["AlarmDescription"]
        facts = json.loads(stack.meshctl("--json", "status"))
        assert {"name": ALARM, "state": "ALARM"} in facts["alarms"]
        assert f"alarm {ALARM} in ALARM" in facts["health"]["problems"]

        # The operator finds poison: redriving it would only bring it back, so it is dropped.
        (letter,) = json.loads(stack.meshctl("--json", "dlq", "list", "meshcore-approvals"))
        assert letter["body"] == '{"kind": "nope"}'
        sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName="meshcore-approvals-dlq")["QueueUrl"])

        def cleared() -> list[Delivery]:
            return [
                d
                for d in hook.alarm_notifications(ALARM, "OK")
                if d.message["OldStateValue"] == "ALARM"
            ]

        # The alarm's one-minute period must first pass without a dead letter.
        (ok,) = eventually(cleared, f"{ALARM} back to OK at the webhook", ready_timeout())
        assert ok.body["Subject"] == f'OK: "{ALARM}" in US East (N. Virginia)'
        assert "was not greater than the threshold (0.0)" in ok.message["NewStateReason"]
        assert len(alarmed()) == 1  # one notification per change of state
        facts = json.loads(stack.meshctl("--json", "status"))
        assert {"name": ALARM, "state": "OK"} in facts["alarms"]
