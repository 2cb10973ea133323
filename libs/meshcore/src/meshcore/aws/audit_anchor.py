"""Anchors of the audit chain: its head, signed with an asymmetric KMS key and kept where the
workers cannot write.

The hash chain alone shows a changed entry only to someone who remembers a hash: whoever may
write the audit table can rewrite an entry and re-hash every entry after it, and the chain is
intact again. An anchor remembers. It is the head's sequence number and hash, when it was taken
and which chain, signed by KMS `Sign` (ECC_NIST_P256, ECDSA_SHA_256) with a key whose key policy
lets only the audit-anchor role sign, and written (conditionally, never overwritten) to a table
only that role may write. Before signing, the anchoring step checks that the chain still hashes
to the previous anchor, so a rewrite of anchored history is never signed over.

`AuditAnchors.verify()` checks the latest anchor's signature (KMS `Verify`) and that the chain up
to the anchored entry still hashes to the anchored hash, besides every link, and that no entry
lies past the head. What changed after the latest anchor is detected from the next one on: the
anchor interval bounds that window.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from meshcore.aws.audit import AuditLog, ChainCheck, ChainPoint
from meshcore.aws.errors import aws_errors, error_code, translate
from meshcore.domain.errors import ConflictError

SIGNING_ALGORITHM = "ECDSA_SHA_256"
ANCHOR_KIND = "meshcore.audit-anchor"


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Anchor:
    chain: str  # the audit table whose head was signed
    seq: int
    hash: str
    at: datetime
    key_id: str = ""
    signature: bytes = b""

    @property
    def point(self) -> ChainPoint:
        return ChainPoint(self.seq, self.hash)

    def message(self) -> bytes:
        """The bytes signed: canonical JSON (sorted keys, no whitespace, UTF-8)."""
        body = {
            "kind": ANCHOR_KIND,
            "version": 1,
            "chain": self.chain,
            "seq": self.seq,
            "hash": self.hash,
            "at": _timestamp(self.at),
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def describe(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "at": _timestamp(self.at), "key": self.key_id}


@dataclass(frozen=True)
class AnchoredCheck:
    """The chain checked against its latest signed anchor."""

    chain: ChainCheck
    anchor: Anchor | None
    problem: str = ""  # about the anchor itself: none yet, or a signature that does not verify

    @property
    def intact(self) -> bool:
        return self.chain.intact and self.anchor is not None and not self.problem

    @property
    def unanchored(self) -> int:
        """Entries after the anchored one: checked link by link, vouched for by no anchor yet."""
        return max(0, self.chain.entries - (self.anchor.seq if self.anchor else 0))

    @property
    def reason(self) -> str:
        return self.problem or self.chain.reason


@dataclass(frozen=True)
class AnchorOutcome:
    outcome: str  # "anchored" | "unchanged" | "refused"
    anchor: Anchor | None
    check: AnchoredCheck


def _item(anchor: Anchor) -> dict[str, Any]:
    return {
        "chain": {"S": anchor.chain},
        "seq": {"N": str(anchor.seq)},
        "hash": {"S": anchor.hash},
        "at": {"S": _timestamp(anchor.at)},
        "key_id": {"S": anchor.key_id},
        "algorithm": {"S": SIGNING_ALGORITHM},
        "signature": {"B": anchor.signature},
    }


def _anchor(item: dict[str, Any]) -> Anchor:
    return Anchor(
        chain=item["chain"]["S"],
        seq=int(item["seq"]["N"]),
        hash=item["hash"]["S"],
        at=datetime.fromisoformat(item["at"]["S"].replace("Z", "+00:00")),
        key_id=item["key_id"]["S"],
        signature=bytes(item["signature"]["B"]),
    )


class AuditAnchors:
    """Signs the audit chain's head (as the audit-anchor role) and checks the chain against the
    latest anchor (as anyone allowed `kms:Verify` on the key)."""

    def __init__(self, audit: AuditLog, dynamodb: Any, kms: Any, table: str, key_id: str) -> None:
        self._audit = audit
        self._db = dynamodb
        self._kms = kms
        self._table = table
        self._key_id = key_id

    @property
    def chain(self) -> str:
        return self._audit.table

    async def latest(self) -> Anchor | None:
        with aws_errors("dynamodb:Query audit anchors"):
            response = await self._db.query(
                TableName=self._table,
                KeyConditionExpression="chain = :c",
                ExpressionAttributeValues={":c": {"S": self.chain}},
                ScanIndexForward=False,
                Limit=1,
                ConsistentRead=True,
            )
        items = response.get("Items", [])
        return _anchor(items[0]) if items else None

    async def signature_valid(self, anchor: Anchor) -> bool:
        """True only for a valid signature by the configured key over the anchor's message."""
        if not anchor.signature:
            return False
        try:
            response = await self._kms.verify(
                KeyId=self._key_id,
                Message=anchor.message(),
                MessageType="RAW",
                Signature=anchor.signature,
                SigningAlgorithm=SIGNING_ALGORITHM,
            )
        except ClientError as exc:
            # AWS answers a signature that does not verify with KMSInvalidSignatureException.
            if error_code(exc) == "KMSInvalidSignatureException":
                return False
            raise translate(exc, f"kms:Verify {self._key_id}") from exc
        return bool(response.get("SignatureValid"))

    async def verify(self) -> AnchoredCheck:
        anchor = await self.latest()
        if anchor is None:
            chain = await self._audit.verify()
            return AnchoredCheck(
                chain, None, "no signed anchor yet (`meshctl audit anchor` makes one)"
            )
        if anchor.chain != self.chain or not await self.signature_valid(anchor):
            chain = await self._audit.verify()
            return AnchoredCheck(
                chain, anchor, f"the latest anchor (entry {anchor.seq}) has no valid signature"
            )
        return AnchoredCheck(await self._audit.verify_to(anchor.point), anchor)

    async def anchor(self, now: datetime | None = None) -> AnchorOutcome:
        """Sign the chain's current head, once the chain up to it is checked and still hashes to
        the latest anchor. A broken chain is not signed ("refused"); nor is an unchanged head
        signed again ("unchanged")."""
        head = await self._audit.head()
        latest = await self.latest()
        if latest is not None and (
            latest.chain != self.chain or not await self.signature_valid(latest)
        ):
            chain = await self._audit.verify()
            problem = f"the latest anchor (entry {latest.seq}) has no valid signature"
            return AnchorOutcome("refused", None, AnchoredCheck(chain, latest, problem))
        if latest is not None and latest.point == head:
            # Nothing to sign; checking the chain is `verify`'s work (and costs a full read).
            return AnchorOutcome("unchanged", latest, AnchoredCheck(ChainCheck(head.seq), latest))
        points = [p for p in (latest.point if latest else None, head) if p is not None]
        check = AnchoredCheck(await self._audit.verify_to(*points), latest)
        if not check.chain.intact:
            return AnchorOutcome("refused", None, check)
        unsigned = Anchor(self.chain, head.seq, head.hash, now or datetime.now(UTC))
        with aws_errors(f"kms:Sign {self._key_id}"):
            response = await self._kms.sign(
                KeyId=self._key_id,
                Message=unsigned.message(),
                MessageType="RAW",
                SigningAlgorithm=SIGNING_ALGORITHM,
            )
        signed = Anchor(
            unsigned.chain,
            unsigned.seq,
            unsigned.hash,
            unsigned.at,
            str(response.get("KeyId", self._key_id)),
            bytes(response["Signature"]),
        )
        try:
            with aws_errors("dynamodb:PutItem audit anchor"):
                await self._db.put_item(
                    TableName=self._table,
                    Item=_item(signed),
                    # An anchor is written once: never overwritten, even by its own role.
                    ConditionExpression="attribute_not_exists(chain)",
                )
        except ConflictError:
            # Another anchoring step signed this head first.
            return AnchorOutcome("unchanged", await self.latest(), check)
        return AnchorOutcome("anchored", signed, check)
