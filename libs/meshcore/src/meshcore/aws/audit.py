"""The append-only audit trail, hash-chained so that tampering is detectable.

Every entry carries a sequence number and the hash of the entry before it; a head item holds
the latest sequence number and hash. An entry and the head move together in one DynamoDB
transaction that only succeeds on the head it read, so concurrent writers form one chain.
`verify()` walks the chain and reports the first broken link; `verify_to()` also checks it
against a point recorded by a signed anchor (`meshcore.aws.audit_anchor`), which is what makes a
chain rewritten with valid hashes detectable.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from meshcore.aws.errors import aws_errors
from meshcore.domain.errors import ConflictError, RetryableError

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient
    from types_aiobotocore_dynamodb.type_defs import (
        AttributeValueTypeDef,
        PutTypeDef,
        TransactWriteItemTypeDef,
    )

HEAD_SUBJECT, HEAD_KEY = "~chain", "head"
# Keys of entries appended at most once (`record(..., once=KEY)`), each written with its entry.
ONCE_SUBJECT = "~once"
GENESIS = "0" * 64
# Writers racing for the head retry this often (with jitter) before giving up for now.
APPEND_ATTEMPTS = 20


class AuditEntry(BaseModel):
    subject: str  # e.g. "request/req-1a2b", "recommendation/rec-…", "producer/2222…"
    action: str  # noun.verb, e.g. "request.created", "decision.refused"
    actor: str
    details: dict[str, Any] = Field(default_factory=dict)
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    seq: int = 0
    prev_hash: str = GENESIS
    hash: str = ""

    def digest(self) -> str:
        body = {
            "seq": self.seq,
            "subject": self.subject,
            "action": self.action,
            "actor": self.actor,
            "details": self.details,
            "at": self.at.isoformat(),
            "prev_hash": self.prev_hash,
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainPoint:
    """A point of the chain: the entry with sequence number `seq` has hash `hash` (seq 0: the
    empty chain, hash GENESIS)."""

    seq: int
    hash: str


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    broken_at: int | None = None  # sequence number of the first bad entry
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def _item(entry: AuditEntry) -> dict[str, AttributeValueTypeDef]:
    return {
        "subject": {"S": entry.subject},
        "at": {"S": f"{entry.at.isoformat()}#{entry.seq:012d}"},
        "seq": {"N": str(entry.seq)},
        "action": {"S": entry.action},
        "actor": {"S": entry.actor},
        "details": {"S": json.dumps(entry.details, default=str, sort_keys=True)},
        "prev_hash": {"S": entry.prev_hash},
        "hash": {"S": entry.hash},
    }


def _entry(item: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        subject=item["subject"]["S"],
        action=item["action"]["S"],
        actor=item["actor"]["S"],
        details=json.loads(item["details"]["S"]),
        at=datetime.fromisoformat(item["at"]["S"].split("#")[0]),
        seq=int(item["seq"]["N"]),
        prev_hash=item["prev_hash"]["S"],
        hash=item["hash"]["S"],
    )


class AuditLog:
    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    @property
    def table(self) -> str:
        return self._table

    async def head(self) -> ChainPoint:
        """The chain's head as stored now (sequence number 0 and GENESIS: empty)."""
        seq, hash_ = await self._head()
        return ChainPoint(seq, hash_)

    async def _head(self) -> tuple[int, str]:
        with aws_errors("dynamodb:GetItem audit head"):
            response = await self._db.get_item(
                TableName=self._table,
                Key={"subject": {"S": HEAD_SUBJECT}, "at": {"S": HEAD_KEY}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        return (int(item["seq"]["N"]), item["hash"]["S"]) if item else (0, GENESIS)

    async def record(self, subject: str, action: str, actor: str, **details: Any) -> AuditEntry:
        entry = await self._append(subject, action, actor, details, None)
        assert entry is not None  # only an entry recorded once may be skipped
        return entry

    async def record_once(
        self, once: str, subject: str, action: str, actor: str, **details: Any
    ) -> AuditEntry | None:
        """Append an entry at most once for the key `once`, however many writers race to record
        it (or retry); those that find it recorded get None."""
        return await self._append(subject, action, actor, details, once)

    async def _append(
        self, subject: str, action: str, actor: str, details: dict[str, Any], once: str | None
    ) -> AuditEntry | None:
        for attempt in range(APPEND_ATTEMPTS):
            seq, prev_hash = await self._head()
            entry = AuditEntry(
                subject=subject,
                action=action,
                actor=actor,
                details=details,
                seq=seq + 1,
                prev_hash=prev_hash,
            )
            entry.hash = entry.digest()
            try:
                with aws_errors(f"dynamodb:TransactWriteItems audit {subject}"):
                    await self._db.transact_write_items(
                        # Idempotent across botocore's own retries of this very attempt.
                        ClientRequestToken=f"{entry.hash[:32]}{attempt:04d}",
                        TransactItems=[
                            {
                                "Put": {
                                    "TableName": self._table,
                                    "Item": _item(entry),
                                    "ConditionExpression": "attribute_not_exists(subject)",
                                }
                            },
                            {"Put": self._head_put(entry, seq)},
                            *self._once_marker(once, entry.seq),
                        ],
                    )
                return entry
            except ConflictError:
                if once is not None and await self._recorded(once):
                    return None
                await asyncio.sleep(random.uniform(0, 0.02 * (attempt + 1)))
        raise RetryableError(f"audit: lost the race for the chain head {APPEND_ATTEMPTS} times")

    def _head_put(self, entry: AuditEntry, seq: int) -> PutTypeDef:
        """The head moves to `entry` only from the head that was read (`seq`)."""
        put: PutTypeDef = {
            "TableName": self._table,
            "Item": {
                "subject": {"S": HEAD_SUBJECT},
                "at": {"S": HEAD_KEY},
                "seq": {"N": str(entry.seq)},
                "hash": {"S": entry.hash},
            },
            "ConditionExpression": "attribute_not_exists(subject)",
        }
        if seq:
            put["ConditionExpression"] = "seq = :seq"
            put["ExpressionAttributeValues"] = {":seq": {"N": str(seq)}}
        return put

    def _once_marker(self, once: str | None, seq: int) -> list[TransactWriteItemTypeDef]:
        if once is None:
            return []
        item = {"subject": {"S": ONCE_SUBJECT}, "at": {"S": once}, "seq": {"N": str(seq)}}
        condition = "attribute_not_exists(subject)"
        return [{"Put": {"TableName": self._table, "Item": item, "ConditionExpression": condition}}]

    async def _recorded(self, once: str) -> bool:
        with aws_errors("dynamodb:GetItem audit once"):
            response = await self._db.get_item(
                TableName=self._table,
                Key={"subject": {"S": ONCE_SUBJECT}, "at": {"S": once}},
                ConsistentRead=True,
            )
        return "Item" in response

    async def _items(self, **kwargs: Any) -> list[dict[str, Any]]:
        method = self._db.query if "KeyConditionExpression" in kwargs else self._db.scan
        items: list[dict[str, Any]] = []
        while True:
            with aws_errors("dynamodb:Query/Scan audit"):
                response = await method(TableName=self._table, ConsistentRead=True, **kwargs)
            items += response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    async def history(self, subject: str) -> list[AuditEntry]:
        items = await self._items(
            KeyConditionExpression="subject = :s",
            ExpressionAttributeValues={":s": {"S": subject}},
        )
        return sorted((_entry(i) for i in items), key=lambda e: e.seq)

    async def verify(self) -> ChainCheck:
        """Check the chain up to the head read first (appends during the walk are allowed)."""
        return await self.verify_to()

    async def verify_to(self, *anchored: ChainPoint) -> ChainCheck:
        """Check the chain up to the head read first and, for each point a signed anchor
        recorded, that the entry at its sequence number still has its hash (every entry's hash
        covers the one before it, so the whole chain up to it is as it was when anchored).

        An entry past the head is a break: the head moves with every append in the same
        transaction, so an entry beyond the head (read again after the walk, when appends made
        meanwhile have moved it) is one whose head was moved back.
        """
        head_seq, head_hash = await self._head()
        stored = [
            _entry(i)
            for i in await self._items()
            if i["subject"]["S"] not in (HEAD_SUBJECT, ONCE_SUBJECT)
        ]
        entries = sorted((e for e in stored if e.seq <= head_seq), key=lambda e: e.seq)
        previous = GENESIS
        for expected_seq, entry in enumerate(entries, start=1):
            if entry.seq != expected_seq:
                return ChainCheck(len(entries), expected_seq, f"entry {expected_seq} is missing")
            if entry.prev_hash != previous:
                return ChainCheck(len(entries), entry.seq, "does not link to the entry before it")
            if entry.digest() != entry.hash:
                return ChainCheck(len(entries), entry.seq, "its content does not match its hash")
            previous = entry.hash
        if head_seq != len(entries) or head_hash != previous:
            return ChainCheck(
                len(entries), len(entries) + 1, "the head does not match the last entry"
            )
        beyond = [e.seq for e in stored if e.seq > head_seq]
        if beyond:
            now_seq, _ = await self._head()
            past = sorted(seq for seq in beyond if seq > now_seq)
            if past:
                return ChainCheck(
                    len(entries),
                    past[0],
                    f"entry {past[0]} is past the head (entry {now_seq}): the head was moved back",
                )
        for point in anchored:
            if point.seq > head_seq:
                return ChainCheck(
                    len(entries),
                    head_seq + 1,
                    f"the head (entry {head_seq}) is behind the anchored entry {point.seq}: "
                    "entries were removed",
                )
            if (entries[point.seq - 1].hash if point.seq else GENESIS) != point.hash:
                return ChainCheck(
                    len(entries),
                    point.seq,
                    f"entries 1 to {point.seq} no longer hash to the anchored hash: "
                    f"an entry up to {point.seq} was rewritten, removed or reordered",
                )
        return ChainCheck(len(entries))
