"""EventBridge schedule rules fire.

AWS: a rule with ``ScheduleExpression: rate(N minutes)`` on the default bus sends a
"Scheduled Event" (source ``aws.events``, the rule ARN in ``resources``) to its targets every
N minutes, applying each target's InputTransformer ("Creating an Amazon EventBridge rule that
runs on a schedule" and "Amazon EventBridge input transformation", EventBridge User Guide:
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
"""

from __future__ import annotations

import json
import time

from meshcore_emulator import EmbeddedAws
from meshcore_emulator.extensions.eventbridge_schedules import period_seconds

from .helpers import ClientFactory


def test_rate_expressions_are_understood() -> None:
    assert period_seconds("rate(5 minutes)") == 300
    assert period_seconds("rate(1 hour)") == 3600
    assert period_seconds("rate(2 days)") == 172800
    assert period_seconds("cron(0 12 * * ? *)") is None


def test_a_rate_rule_fires_once_per_period_through_its_input_transformer(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    sqs, events = client("sqs"), client("events")
    url = sqs.create_queue(QueueName="scheduled")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name="every-5", ScheduleExpression="rate(5 minutes)")
    events.put_targets(
        Rule="every-5",
        Targets=[
            {
                "Id": "q",
                "Arn": arn,
                "InputTransformer": {
                    "InputPathsMap": {"id": "$.id", "source": "$.source"},
                    "InputTemplate": '{"run": "r-<id>", "from": "<source>"}',
                },
            }
        ],
    )
    now = time.time()
    assert aws.schedules.tick(now) == 0  # first firing one period after creation
    assert aws.schedules.tick(now + 299) == 0
    assert aws.schedules.tick(now + 300) == 1
    assert aws.schedules.tick(now + 301) == 0
    assert aws.schedules.tick(now + 600) == 1
    bodies = [
        json.loads(m["Body"])
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    ]
    assert len(bodies) == 2
    assert all(b["from"] == "aws.events" and b["run"].startswith("r-") for b in bodies)
    assert bodies[0]["run"] != bodies[1]["run"]


def test_disabled_rules_do_not_fire(aws: EmbeddedAws, client: ClientFactory) -> None:
    events = client("events")
    events.put_rule(Name="off", ScheduleExpression="rate(1 minute)", State="DISABLED")
    now = time.time()
    aws.schedules.tick(now)
    assert aws.schedules.tick(now + 3600) == 0


def test_a_schedule_rule_matches_no_other_event(aws: EmbeddedAws, client: ClientFactory) -> None:
    sqs, events = client("sqs"), client("events")
    url = sqs.create_queue(QueueName="scheduled-only")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name="hourly", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule="hourly", Targets=[{"Id": "q", "Arn": arn}])
    events.put_events(Entries=[{"Source": "shop", "DetailType": "Order", "Detail": "{}"}])
    client("glue").create_database(DatabaseInput={"Name": "emits_an_event"})
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
