"""meshcore's own messages: scan requests, repair commands, tickets and signed decisions.

Every message carries `kind` (what it is) and `version` (of its contract). A new field that old
readers may ignore keeps the version; anything else is a new version.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from meshcore.domain.access import AccessRequest, TableName
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


# SQS refuses a body over 256 KiB; a producer's table may have thousands of columns with long
# names, so a scan request is split well below that (a refused send would block the central
# write that follows it, at every retry and every repair).
SCAN_REQUEST_MAX_BYTES = 64 * 1024


def scan_requests(
    database: str, table: str, columns: list[str], reason: str
) -> list[ClassificationScanRequest]:
    """Requests covering `columns`, each body under SCAN_REQUEST_MAX_BYTES."""
    budget = SCAN_REQUEST_MAX_BYTES - len(
        ClassificationScanRequest(database=database, table=table, reason=reason)
        .model_dump_json()
        .encode()
    )
    slices: list[list[str]] = [[]]
    used = 0
    for column in columns:
        size = len(json.dumps(column, ensure_ascii=False).encode()) + 1
        if slices[-1] and used + size > budget:
            slices.append([])
            used = 0
        slices[-1].append(column)
        used += size
    return [
        ClassificationScanRequest(database=database, table=table, columns=part, reason=reason)
        for part in slices
    ]


class RepairCommand(_Message):
    """Make sync-worker diff producer catalogs against the central one and heal the drift."""

    kind: Literal["catalog.repair"] = "catalog.repair"
    version: Literal[1] = 1
    repair_id: str
    producer_account: str | None = Field(None, pattern=ACCOUNT_ID_PATTERN)
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


RepairShardLevel = Literal["producer", "database", "tables"]
# At most this many table names in one shard (a page of GetTables): a body far under SQS's
# 256 KiB even with names of Glue's maximum length.
REPAIR_PAGE_MAX = 100


class RepairShard(_Message):
    """One part of a repair, which any sync-worker may take: a producer (its databases), one of
    its databases (the database, then its tables or their pages) or one page of tables by name.

    `shard_id` names the part within the repair (a redelivered or re-sent shard has the same
    id, so its result is recorded once)."""

    kind: Literal["catalog.repair-shard"] = "catalog.repair-shard"
    version: Literal[1] = 1
    repair_id: str = Field(min_length=1)
    shard_id: str = Field(min_length=1, max_length=1024)
    level: RepairShardLevel
    producer_account: str = Field(pattern=ACCOUNT_ID_PATTERN)
    database: str | None = Field(None, min_length=1, max_length=255)
    tables: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(
        default_factory=list, max_length=REPAIR_PAGE_MAX
    )
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @model_validator(mode="after")
    def _names_its_part(self) -> RepairShard:
        if self.level != "producer" and self.database is None:
            raise ValueError(f"a {self.level} shard names its database")
        if (self.level == "tables") != bool(self.tables):
            raise ValueError("a tables shard, and only it, names its tables")
        return self


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
    # The ticket system copies it into the owner's decision: the approval binds these terms.
    terms_digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    # Per table, the requested columns (every column, when none were named) pending
    # classification: the grant leaves them out unless the owner approves them as sensitive.
    pending_columns: dict[str, list[str]] = Field(default_factory=dict)
    # Who asked (meshctl --requester, the portal's user): the ticket shows it to the owners.
    requested_by: str = ""


Decision = Literal["approve", "reject", "revoke"]
# KMS GenerateMac and VerifyMac take a message of at most 4,096 bytes.
MAC_MESSAGE_MAX_BYTES = 4096
# grant-worker audits what a decision or a revoke claims before it has verified anything (a
# forged decision, a revoke of an unknown request): these bound what such a body may write into
# the audit trail. A longer field makes the body malformed, dead-lettered with the reason.
REQUEST_ID_MAX_LENGTH = 128
TICKET_ID_MAX_LENGTH = 128
ACTOR_MAX_LENGTH = 256
REASON_MAX_LENGTH = 1024


class AccessDecision(_Message):
    """A data owner's decision on an access request, as the ticket system reports it."""

    kind: Literal["access.decision"] = "access.decision"
    # Version 2: the decision carries the request's terms digest (TicketRequest.terms_digest).
    version: Literal[2] = 2
    request_id: str = Field(min_length=1, max_length=REQUEST_ID_MAX_LENGTH)
    ticket_id: str = Field(min_length=1, max_length=TICKET_ID_MAX_LENGTH)
    decision: Decision
    approver: str = Field(min_length=1, max_length=ACTOR_MAX_LENGTH)
    terms_digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    tables: list[TableName] = Field(default_factory=list)
    sensitive_columns: list[str] = Field(default_factory=list)
    expires_at: AwareDatetime | None = None
    issued_at: AwareDatetime

    @model_validator(mode="after")
    def _fits_a_mac(self) -> AccessDecision:
        size = len(self.canonical_bytes())
        if size > MAC_MESSAGE_MAX_BYTES:
            raise ValueError(
                f"the decision is {size} bytes; KMS signs at most {MAC_MESSAGE_MAX_BYTES}"
            )
        return self

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
    version: Literal[2] = 2  # carries an AccessDecision of version 2
    decision: AccessDecision
    key_id: str
    mac_algorithm: Literal["HMAC_SHA_256"] = "HMAC_SHA_256"
    signature: str

    def signature_bytes(self) -> bytes:
        return base64.b64decode(self.signature, validate=True)


class RevokeCommand(_Message):
    """An operator revokes a granted request (`meshctl revoke`), outside the ticket flow.

    grant-worker acts only on one signed by the operator role (`SignedRevokeCommand`); a bare
    one is refused and audited."""

    kind: Literal["access.revoke"] = "access.revoke"
    # Version 2: only signed (SignedRevokeCommand) revokes are applied.
    version: Literal[2] = 2
    request_id: str = Field(min_length=1, max_length=REQUEST_ID_MAX_LENGTH)
    requested_by: str = Field(min_length=1, max_length=ACTOR_MAX_LENGTH)
    reason: str = Field("revoked by operator", max_length=REASON_MAX_LENGTH)
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @model_validator(mode="after")
    def _fits_a_mac(self) -> RevokeCommand:
        size = len(self.canonical_bytes())
        if size > MAC_MESSAGE_MAX_BYTES:
            raise ValueError(
                f"the revoke is {size} bytes; KMS signs at most {MAC_MESSAGE_MAX_BYTES}"
            )
        return self

    def canonical_bytes(self) -> bytes:
        """The bytes that are signed: JSON with sorted keys, no whitespace, UTF-8. They carry
        `kind`, so a revoke's MAC is never a decision's (which are made by another key too)."""
        return json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()


class SignedRevokeCommand(_Message):
    """What `meshctl revoke` posts to the approvals queue.

    `signature` is base64 of HMAC-SHA256 over `revoke.canonical_bytes()`, made by the KMS key
    `key_id` (KMS GenerateMac, MacAlgorithm HMAC_SHA_256), which only the operator role may use
    to sign (`alias/meshcore-revocations`).
    """

    kind: Literal["access.signed-revoke"] = "access.signed-revoke"
    version: Literal[1] = 1  # carries a RevokeCommand of version 2
    revoke: RevokeCommand
    key_id: str
    mac_algorithm: Literal["HMAC_SHA_256"] = "HMAC_SHA_256"
    signature: str

    def signature_bytes(self) -> bytes:
        return base64.b64decode(self.signature, validate=True)


class ExpirySweep(_Message):
    """Revoke every granted request whose access has expired (posted on a schedule)."""

    kind: Literal["access.expiry-sweep"] = "access.expiry-sweep"
    version: Literal[1] = 1
    sweep_id: str = Field(min_length=1)
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class AccessReconcile(_Message):
    """Compare what Lake Formation, RAM and the consumer accounts hold with every granted
    request, and heal what meshcore owns (posted on a schedule; `meshctl access verify`)."""

    kind: Literal["access.reconcile"] = "access.reconcile"
    version: Literal[1] = 1
    reconcile_id: str = Field(min_length=1)
    heal: bool = True
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class AccessNotification(_Message):
    """What happened to a request (on the notifications queue, read by the notifier): its
    state and why. The requester and owners it carries are informative only: the notifier
    tells the people the stored request and the producer registry name. `expiring_in_days`
    set: a warning that granted access ends soon (the request stays granted). A refused
    decision keeps the request's state and says so in `reason` ("decision refused: …")."""

    kind: Literal["access.notification"] = "access.notification"
    version: Literal[1] = 1
    request_id: str
    consumer_account: str
    state: str
    reason: str = ""
    ticket_id: str | None = None
    tables: list[TableName] = Field(default_factory=list)
    domain: str | None = None
    requested_by: str = ""
    owners: list[str] = Field(default_factory=list)
    expires_at: datetime | None = None
    expiring_in_days: int | None = Field(None, ge=0)
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def of(cls, request: AccessRequest, reason: str = "", **more: object) -> AccessNotification:
        """The notification of `request` as it is now."""
        return cls.model_validate(
            {
                "request_id": request.request_id,
                "consumer_account": request.consumer_account,
                "state": request.state.value,
                "reason": reason or request.state_reason,
                "ticket_id": request.ticket_id,
                "tables": request.tables,
                "domain": request.domain,
                "requested_by": request.requested_by,
                "owners": request.owners,
                "expires_at": request.expires_at,
                **more,
            }
        )


class ReviewColumn(_Message):
    column: str
    sensitivity_class: str
    confidence: float = Field(ge=0, le=1)


class ReviewNotification(_Message):
    """Columns of a central table whose classification awaits the data owners' review: new
    recommendations (or reopened ones) the producer's policy did not accept (from the
    classifier, once per scan that opened them)."""

    kind: Literal["classification.review"] = "classification.review"
    version: Literal[1] = 1
    database: str = Field(min_length=1)
    table: str = Field(min_length=1)
    columns: list[ReviewColumn] = Field(min_length=1)
    owners: list[str] = Field(default_factory=list)
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class DigestFlush(_Message):
    """Send every person who asked for a digest what gathered for them since the last one
    (posted on a schedule to the notifications queue)."""

    kind: Literal["notify.digest"] = "notify.digest"
    version: Literal[1] = 1
    digest_id: str = Field(min_length=1)
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


NotificationsMessage = Annotated[
    AccessNotification | ReviewNotification | DigestFlush, Field(discriminator="kind")
]


ApprovalsMessage = Annotated[
    SignedAccessDecision | SignedRevokeCommand | RevokeCommand | ExpirySweep | AccessReconcile,
    Field(discriminator="kind"),
]
