"""Request id <-> ticket key, in the state table (the ticket bridge's items).

==============================  ====================  =========================================
pk                              sk                    item
==============================  ====================  =========================================
ticket#<request id>             link                  the ticket of a request (doc: TicketLink)
ticket-key#<ticket key>         link                  the same link, found by the ticket's key
==============================  ====================  =========================================

Only the ticket bridge's role (`meshcore-ticket-system`) and operators reach them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from meshcore.aws.errors import aws_errors
from meshcore.domain.tickets import TicketLink

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

LINK_SK = "link"


def request_key(request_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ticket#{request_id}"}, "sk": {"S": LINK_SK}}


def ticket_key(key: str) -> dict[str, Any]:
    return {"pk": {"S": f"ticket-key#{key}"}, "sk": {"S": LINK_SK}}


class DynamoTicketLinks:
    """`meshcore.domain.tickets.TicketLinks` on the state table."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    async def put(self, link: TicketLink) -> None:
        # By key first: a decision arriving on the ticket finds its request as soon as the
        # request's link (what makes a redelivered ticket message a no-op) is written.
        doc = {"doc": {"S": link.model_dump_json()}}
        with aws_errors(f"dynamodb:PutItem ticket-key {link.ticket_key}"):
            await self._db.put_item(
                TableName=self._table, Item={**ticket_key(link.ticket_key), **doc}
            )
        with aws_errors(f"dynamodb:PutItem ticket {link.request_id}"):
            await self._db.put_item(
                TableName=self._table, Item={**request_key(link.request_id), **doc}
            )

    async def _get(self, key: dict[str, Any], what: str) -> TicketLink | None:
        with aws_errors(f"dynamodb:GetItem {what}"):
            response = await self._db.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        item = response.get("Item")
        return TicketLink.model_validate_json(item["doc"]["S"]) if item else None

    async def of_request(self, request_id: str) -> TicketLink | None:
        return await self._get(request_key(request_id), f"ticket {request_id}")

    async def of_ticket(self, key: str) -> TicketLink | None:
        return await self._get(ticket_key(key), f"ticket-key {key}")
