"""Shared constants and helpers for the embedded AWS conformance tests."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from typing import Any

from botocore.config import Config

REGION = "us-east-1"
CENTRAL_ACCOUNT = "123456789012"  # the account moto's default credentials belong to
PRODUCER_ACCOUNT = "222222222222"

# Tests that assert an error must see the first answer, not the outcome of a retry.
NO_RETRIES = Config(retries={"total_max_attempts": 1})

ClientFactory = Callable[..., Any]


def assume_admin(sts: Any, account: str) -> dict[str, str]:
    role = f"arn:aws:iam::{account}:role/admin"
    issued = sts.assume_role(RoleArn=role, RoleSessionName="conformance")["Credentials"]
    return {
        "aws_access_key_id": issued["AccessKeyId"],
        "aws_secret_access_key": issued["SecretAccessKey"],
        "aws_session_token": issued["SessionToken"],
    }


def queue_with_rule(
    client: ClientFactory,
    *,
    account: str | None = None,
    bus: str = "default",
    pattern: dict[str, Any] | None = None,
    name: str = "catalog-events",
) -> str:
    """An SQS queue receiving every event on ``bus`` that matches ``pattern``; its URL."""
    sqs = client("sqs", account=account)
    events = client("events", account=account)
    url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    pattern = pattern or {"source": ["aws.glue"]}
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
    return url


def drain(client: ClientFactory, url: str, *, account: str | None = None) -> list[dict[str, Any]]:
    """Every event waiting in the queue, parsed, in arrival order."""
    sqs = client("sqs", account=account)
    bodies: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return bodies
        bodies.extend(json.loads(message["Body"]) for message in batch)
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
            ],
        )


def call_control(endpoint_url: str, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
    """Call the emulator's HTTP control surface; returns status and decoded JSON body."""
    host, port = endpoint_url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        body = None if payload is None else json.dumps(payload)
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()
