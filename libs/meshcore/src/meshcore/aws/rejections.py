"""Why a message was rejected, kept next to the dead-letter queue it is heading for.

The worker logs the reason, and also records it here by message id, so that an operator
looking at a dead-lettered message (`meshctl dlq show`) sees why without searching logs.
Entries expire with the dead-letter queue's retention (DynamoDB TTL attribute `expires`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

from meshcore.aws.errors import aws_errors

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

SK = "rejection"


def rejection_pk(message_id: str) -> str:
    """Keyed by message id, the one way it is read; the kind leads (see `meshcore.aws.state`)."""
    return f"rejection#{message_id}"


RETENTION_SECONDS = 14 * 24 * 3600  # the dead-letter queues' retention


class Rejection(BaseModel):
    message_id: str
    queue: str
    handler: str
    reason: str
    receive_count: int
    at: datetime


class RejectionLog:
    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    async def record(self, rejection: Rejection) -> None:
        with aws_errors(f"dynamodb:PutItem rejection {rejection.message_id}"):
            await self._db.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": rejection_pk(rejection.message_id)},
                    "sk": {"S": SK},
                    "doc": {"S": rejection.model_dump_json()},
                    "version": {"N": "1"},
                    "expires": {"N": str(int(time.time()) + RETENTION_SECONDS)},
                },
            )

    async def get(self, message_id: str) -> Rejection | None:
        with aws_errors(f"dynamodb:GetItem rejection {message_id}"):
            response = await self._db.get_item(
                TableName=self._table,
                Key={"pk": {"S": rejection_pk(message_id)}, "sk": {"S": SK}},
            )
        item = response.get("Item")
        return Rejection.model_validate_json(item["doc"]["S"]) if item else None


def rejection_now(
    message_id: str, queue: str, handler: str, reason: str, receive_count: int
) -> Rejection:
    return Rejection(
        message_id=message_id,
        queue=queue,
        handler=handler,
        reason=reason,
        receive_count=receive_count,
        at=datetime.now(UTC),
    )
