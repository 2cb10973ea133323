"""The append-only audit trail: every state change of a request, recommendation or grant."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from meshcore.aws.errors import aws_errors


class AuditEntry(BaseModel):
    subject: str  # e.g. "request/req-1a2b", "recommendation/rec-…", "grant/req-1a2b"
    action: str  # noun.verb, e.g. "request.created", "grant.refused"
    actor: str
    details: dict[str, Any] = Field(default_factory=dict)
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class AuditLog:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    async def record(self, subject: str, action: str, actor: str, **details: Any) -> AuditEntry:
        entry = AuditEntry(subject=subject, action=action, actor=actor, details=details)
        sort_key = f"{entry.at.isoformat()}#{uuid.uuid4().hex[:8]}"
        with aws_errors(f"dynamodb:PutItem audit {subject}"):
            await self._db.put_item(
                TableName=self._table,
                Item={
                    "subject": {"S": subject},
                    "at": {"S": sort_key},
                    "action": {"S": action},
                    "actor": {"S": actor},
                    "details": {"S": json.dumps(details, default=str, sort_keys=True)},
                },
                # Append-only: never overwrite an entry.
                ConditionExpression="attribute_not_exists(subject)",
            )
        return entry

    async def history(self, subject: str) -> list[AuditEntry]:
        entries: list[AuditEntry] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "subject = :s",
            "ExpressionAttributeValues": {":s": {"S": subject}},
        }
        while True:
            with aws_errors(f"dynamodb:Query audit {subject}"):
                response = await self._db.query(**kwargs)
            for item in response.get("Items", []):
                entries.append(
                    AuditEntry(
                        subject=item["subject"]["S"],
                        action=item["action"]["S"],
                        actor=item["actor"]["S"],
                        details=json.loads(item["details"]["S"]),
                        at=datetime.fromisoformat(item["at"]["S"].split("#")[0]),
                    )
                )
            if "LastEvaluatedKey" not in response:
                return entries
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
