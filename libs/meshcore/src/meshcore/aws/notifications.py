"""People's notification preferences and their gathering digests, in the state table.

Keyed like every item of the state table (`meshcore.aws.state`): the kind leads the partition
key, so only the roles given `notify-*` reach them (the notifier, and operators' meshctl):

==============================  ====================  =========================================
pk                              sk                    item
==============================  ====================  =========================================
notify-prefs#<person>           prefs                 how the person wants to hear (doc)
notify-digest#<person>          <at>#<request>#...    a notice kept for the next digest (doc)
notify-digests#pending          <person>              who has a digest gathering
notify-sent#<msg>#<person>#<c>  sent                  channel c delivered message msg (TTL)
==============================  ====================  =========================================
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from meshcore.aws.errors import aws_errors
from meshcore.domain.notifications import Notice, NotificationPreferences

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

PENDING = "notify-digests#pending"
PREFS_SK = "prefs"
SENT_SK = "sent"
SENT_RETENTION_SECONDS = 7 * 24 * 3600  # longer than a message stays on the queue


def sent_key(key: str) -> tuple[str, str]:
    return f"notify-sent#{key}", SENT_SK


def preferences_key(person: str) -> tuple[str, str]:
    return f"notify-prefs#{person}", PREFS_SK


def digest_of(person: str) -> str:
    return f"notify-digest#{person}"


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


class DynamoNotificationStore:
    """`meshcore.domain.notifications.NotificationStore` on the state table."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    async def get_preferences(self, person: str) -> NotificationPreferences | None:
        with aws_errors(f"dynamodb:GetItem notify-prefs {person}"):
            response = await self._db.get_item(
                TableName=self._table, Key=_key(*preferences_key(person)), ConsistentRead=True
            )
        item = response.get("Item")
        return NotificationPreferences.model_validate_json(item["doc"]["S"]) if item else None

    async def put_preferences(self, preferences: NotificationPreferences) -> None:
        pk, sk = preferences_key(preferences.person)
        with aws_errors(f"dynamodb:PutItem notify-prefs {preferences.person}"):
            await self._db.put_item(
                TableName=self._table,
                Item={**_key(pk, sk), "doc": {"S": preferences.model_dump_json()}},
            )

    async def add_to_digest(self, notice: Notice) -> None:
        # The notice first, then the listing: a crash between leaves a notice the next
        # notice for that person lists again, never a listing without its notices.
        with aws_errors(f"dynamodb:PutItem notify-digest {notice.person}"):
            await self._db.put_item(
                TableName=self._table,
                Item={
                    **_key(digest_of(notice.person), notice.key()),
                    "doc": {"S": notice.model_dump_json()},
                },
            )
            await self._db.put_item(TableName=self._table, Item=_key(PENDING, notice.person))

    async def _partition(self, pk: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        start: dict[str, Any] = {}
        while True:
            with aws_errors(f"dynamodb:Query {pk}"):
                response = await self._db.query(
                    TableName=self._table,
                    KeyConditionExpression="pk = :pk",
                    ExpressionAttributeValues={":pk": {"S": pk}},
                    ConsistentRead=True,
                    **start,
                )
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            start = {"ExclusiveStartKey": response["LastEvaluatedKey"]}

    async def digest_people(self) -> list[str]:
        return [str(i["sk"]["S"]) for i in await self._partition(PENDING)]

    async def digest_of(self, person: str) -> list[Notice]:
        return [
            Notice.model_validate_json(i["doc"]["S"])
            for i in await self._partition(digest_of(person))
        ]

    async def clear_digest(self, person: str, notices: list[Notice]) -> None:
        for notice in notices:
            with aws_errors(f"dynamodb:DeleteItem notify-digest {person}"):
                await self._db.delete_item(
                    TableName=self._table, Key=_key(digest_of(person), notice.key())
                )
        # A notice kept between this read and the delete below loses its listing until the
        # person's next notice lists them again (it is not lost: only sent a digest later).
        if not await self._partition(digest_of(person)):
            with aws_errors(f"dynamodb:DeleteItem notify-digests {person}"):
                await self._db.delete_item(TableName=self._table, Key=_key(PENDING, person))

    async def was_sent(self, key: str) -> bool:
        with aws_errors("dynamodb:GetItem notify-sent"):
            response = await self._db.get_item(
                TableName=self._table, Key=_key(*sent_key(key)), ConsistentRead=True
            )
        return "Item" in response

    async def mark_sent(self, key: str) -> None:
        with aws_errors("dynamodb:PutItem notify-sent"):
            await self._db.put_item(
                TableName=self._table,
                Item={
                    **_key(*sent_key(key)),
                    "expires": {"N": str(int(time.time()) + SENT_RETENTION_SECONDS)},
                },
            )
