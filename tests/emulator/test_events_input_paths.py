"""EventBridge renders each event into its target's input, with input paths compiled once.

AWS behaviour ("Transforming target input", Amazon EventBridge User Guide,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html): an
input transformer's InputPathsMap names JSON paths into the event, and InputTemplate is filled
with the values they select; without a transformer the target receives the whole event.
``extensions/events_input_paths.py`` shares each compiled path; every event must still get its
own values.
"""

from __future__ import annotations

import json
from typing import Any

from .helpers import ClientFactory


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return url, arn["QueueArn"]


def _bodies(sqs: Any, url: str) -> list[Any]:
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return sorted((json.loads(m["Body"]) for m in got), key=json.dumps)


def test_each_event_fills_its_own_template_and_whole_events_pass(client: ClientFactory) -> None:
    sqs, events = client("sqs"), client("events")
    shaped_url, shaped_arn = _queue(sqs, "shaped")
    whole_url, whole_arn = _queue(sqs, "whole")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
    transformer = {
        "InputPathsMap": {"id": "$.detail.id", "kind": "$.detail-type"},
        "InputTemplate": '{"order": <id>, "kind": "<kind>"}',
    }
    events.put_targets(
        Rule="orders",
        Targets=[
            {"Id": "shaped", "Arn": shaped_arn, "InputTransformer": transformer},
            {"Id": "whole", "Arn": whole_arn},
        ],
    )
    for i in (1, 2, 3):
        entry = {"Source": "shop", "DetailType": f"k{i}", "Detail": json.dumps({"id": i})}
        events.put_events(Entries=[entry])

    assert _bodies(sqs, shaped_url) == [{"order": i, "kind": f"k{i}"} for i in (1, 2, 3)]
    whole = _bodies(sqs, whole_url)
    assert sorted((e["detail"]["id"], e["detail-type"], e["source"]) for e in whole) == [
        (i, f"k{i}", "shop") for i in (1, 2, 3)
    ]
