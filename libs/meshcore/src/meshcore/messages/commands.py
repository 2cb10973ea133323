"""meshcore's own messages: scan requests, repair commands, tickets and signed decisions.

Every message carries `kind` (what it is) and `version` (of its contract). A new field that old
readers may ignore keeps the version; anything else is a new version.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from meshcore.domain.access import TableName
from meshcore.domain.ids import ACCOUNT_ID_PATTERN


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClassificationScanRequest(_Message):
    """Ask the classifier to scan columns of a central table (all columns when empty)."""

    kind: Literal["classification.scan"] = "classification.scan"
    version: Literal[1] = 1
    database: str = Field(min_length=1, max_length=255)
    table: str = Field(min_length=1, max_length=255)
    columns: list[str] = Field(default_factory=list)
    reason: str = "requested"
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class RepairCommand(_Message):
    """Make sync-worker diff producer catalogs against the central one and heal the drift."""

    kind: Literal["catalog.repair"] = "catalog.repair"
    version: Literal[1] = 1
    repair_id: str
    producer_account: str | None = Field(None, pattern=ACCOUNT_ID_PATTERN)
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class TicketRequest(_Message):
    """Sent to the ticket system: route this access request to the data owners."""

    kind: Literal["access.ticket"] = "access.ticket"
    version: Literal[1] = 1
    request_id: str
    consumer_account: str
    principal_arn: str | None = None
    tables: list[TableName]
    domain: str | None = None  # a domain-wide request (tables is then empty)
    columns: list[str] = Field(default_factory=list)
    purpose: str
    duration_days: int
    owners: list[str]
    created_at: datetime


Decision = Literal["approve", "reject", "revoke"]


class AccessDecision(_Message):
    """A data owner's decision on an access request, as the ticket system reports it."""

    kind: Literal["access.decision"] = "access.decision"
    version: Literal[1] = 1
    request_id: str = Field(min_length=1)
    ticket_id: str = Field(min_length=1)
    decision: Decision
    approver: str = Field(min_length=1)
    tables: list[TableName] = Field(default_factory=list)
    sensitive_columns: list[str] = Field(default_factory=list)
    expires_at: AwareDatetime | None = None
    issued_at: AwareDatetime

    def canonical_bytes(self) -> bytes:
        """The bytes that are signed: JSON with sorted keys, no whitespace, UTF-8."""
        return json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()


class SignedAccessDecision(_Message):
    """What the ticket system posts to the approvals queue.

    `signature` is base64 of HMAC-SHA256 over `decision.canonical_bytes()`, made by the KMS key
    `key_id` (KMS GenerateMac, MacAlgorithm HMAC_SHA_256).
    """

    kind: Literal["access.signed-decision"] = "access.signed-decision"
    version: Literal[1] = 1
    decision: AccessDecision
    key_id: str
    mac_algorithm: Literal["HMAC_SHA_256"] = "HMAC_SHA_256"
    signature: str

    def signature_bytes(self) -> bytes:
        return base64.b64decode(self.signature, validate=True)


class RevokeCommand(_Message):
    """An operator revokes a granted request (`meshctl revoke`), outside the ticket flow."""

    kind: Literal["access.revoke"] = "access.revoke"
    version: Literal[1] = 1
    request_id: str = Field(min_length=1)
    requested_by: str = Field(min_length=1)
    reason: str = "revoked by operator"
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class ExpirySweep(_Message):
    """Revoke every granted request whose access has expired (posted on a schedule)."""

    kind: Literal["access.expiry-sweep"] = "access.expiry-sweep"
    version: Literal[1] = 1
    sweep_id: str = Field(min_length=1)
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class AccessNotification(_Message):
    """Tells the requester what happened to their request (on the notifications queue)."""

    kind: Literal["access.notification"] = "access.notification"
    version: Literal[1] = 1
    request_id: str
    consumer_account: str
    state: str
    reason: str = ""
    ticket_id: str | None = None
    tables: list[TableName] = Field(default_factory=list)
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))


ApprovalsMessage = Annotated[
    SignedAccessDecision | RevokeCommand | ExpirySweep, Field(discriminator="kind")
]
