"""Access requests and their state machine."""

from __future__ import annotations

import enum
import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field, model_validator

from meshcore.domain.errors import InvalidTransitionError
from meshcore.domain.ids import ACCOUNT_ID_PATTERN


class RequestState(enum.StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REJECTED = "rejected"
    REVOKED = "revoked"
    EXPIRED = "expired"


# Which states a request may move to from each state; every move is audited.
TRANSITIONS: dict[RequestState, frozenset[RequestState]] = {
    RequestState.PENDING: frozenset({RequestState.GRANTED, RequestState.REJECTED}),
    RequestState.GRANTED: frozenset({RequestState.REVOKED, RequestState.EXPIRED}),
    RequestState.REJECTED: frozenset(),
    RequestState.REVOKED: frozenset(),
    RequestState.EXPIRED: frozenset(),
}

OPEN_STATES = frozenset({RequestState.PENDING, RequestState.GRANTED})

# A data owner's decision ("approve", "reject", "revoke"): the state it needs the request in,
# and the state it moves the request to.
DECISION_MOVES: dict[str, tuple[RequestState, RequestState]] = {
    "approve": (RequestState.PENDING, RequestState.GRANTED),
    "reject": (RequestState.PENDING, RequestState.REJECTED),
    "revoke": (RequestState.GRANTED, RequestState.REVOKED),
}


def state_before(decision: str) -> RequestState:
    """The state a request must be in for `decision` to act on it."""
    return DECISION_MOVES[decision][0]


def state_after(decision: str) -> RequestState:
    """The state `decision` moves a request to."""
    return DECISION_MOVES[decision][1]


class TableName(BaseModel, frozen=True):
    """A table of the central catalog."""

    database: str
    table: str

    @classmethod
    def parse(cls, text: str) -> TableName:
        database, dot, table = text.partition(".")
        if not dot or not database or not table:
            raise ValueError(f"{text!r} is not DATABASE.TABLE")
        return cls(database=database, table=table)

    def __str__(self) -> str:
        return f"{self.database}.{self.table}"


# An IAM role ARN: partition, account, optional path, name of at most 64 characters of the
# characters IAM allows (IAM API Reference, CreateRole: RoleName and Path).
ROLE_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:iam::([0-9]{12}):role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}", re.ASCII
)


class AccessRequest(BaseModel):
    """A consumer's request for access to central tables, routed to their owners."""

    request_id: str = Field(default_factory=lambda: f"req-{uuid.uuid4().hex[:12]}")
    consumer_account: str = Field(pattern=ACCOUNT_ID_PATTERN)
    principal_arn: str | None = None
    # Either tables, or a whole producer domain (granted by LF-tag expression: every table of
    # the domain, now and later, without its sensitive columns).
    tables: list[TableName] = Field(default_factory=list)
    domain: str | None = None
    columns: list[str] = Field(default_factory=list)
    purpose: str = Field(min_length=1)
    duration_days: int = Field(90, ge=1, le=3650)
    owners: list[str] = Field(default_factory=list)
    requested_by: str = ""  # the person who asked (meshctl --requester, the portal's user)
    state: RequestState = RequestState.PENDING
    state_reason: str = ""
    last_refusal: str = ""  # why the latest decision on this request was not acted on
    # What was granted, so that revocation and expiry undo exactly that.
    granted_tables: list[TableName] = Field(default_factory=list)
    # table -> columns left out of the grant (sensitive, or pending classification)
    excluded_columns: dict[str, list[str]] = Field(default_factory=dict)
    # table -> the columns granted, by name (absent for grants recorded before they were named:
    # those are every column but the excluded ones)
    granted_columns: dict[str, list[str]] = Field(default_factory=dict)
    # table -> requested columns pending classification when the request was opened (a grant
    # reads them only once classified not sensitive, or where the owner approves them)
    pending_columns: dict[str, list[str]] = Field(default_factory=dict)
    resource_share_arns: list[str] = Field(default_factory=list)
    resource_links: list[str] = Field(default_factory=list)  # "database.table" in the consumer
    delivery: str = ""  # how the grant reached the consumer account, in words
    # GRANTED is recorded before Lake Formation is called; this turns true once the grants,
    # delivery and audit are done, so a retry after a crash knows to finish the work.
    grants_applied: bool = False
    granted_domain: str | None = None
    # When the requester was warned that access ends soon (the expiry sweep warns once).
    expiry_warned_at: datetime | None = None

    @model_validator(mode="after")
    def _tables_or_domain(self) -> AccessRequest:
        if bool(self.tables) == bool(self.domain):
            raise ValueError("a request names either tables or a domain, not both or neither")
        return self

    @model_validator(mode="after")
    def _principal_in_consumer_account(self) -> AccessRequest:
        """The grantee is the consumer account or one of its roles, never anyone else."""
        if self.principal_arn is None:
            return self
        match = ROLE_ARN.fullmatch(self.principal_arn)
        if match is None or match.group(1) != self.consumer_account:
            raise ValueError(
                f"principal {self.principal_arn!r} is not an IAM role ARN in the consumer "
                f"account {self.consumer_account} (arn:aws:iam::{self.consumer_account}:role/NAME)"
            )
        return self

    ticket_id: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    expires_at: datetime | None = None

    @property
    def grantee(self) -> str:
        """The Lake Formation principal: a role in the consumer account, or the account."""
        return self.principal_arn or self.consumer_account

    def terms_digest(self) -> str:
        """SHA-256 of what the owners are asked to approve, as the ticket shows it: who receives
        the grant, on what, which columns and for how long. A signed decision carries it, so a
        request changed after its ticket was opened no longer matches any approval."""
        terms = {
            "request_id": self.request_id,
            "consumer_account": self.consumer_account,
            "principal_arn": self.principal_arn,
            "tables": sorted(str(t) for t in self.tables),
            "domain": self.domain,
            "columns": sorted(self.columns),
            "duration_days": self.duration_days,
            "purpose": self.purpose,
        }
        canonical = json.dumps(terms, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def shown_state(self) -> str:
        """The state as people see it: "granting" while a recorded grant is being applied."""
        if self.state is RequestState.GRANTED and not self.grants_applied:
            return "granting"
        return self.state.value

    def can_become(self, to: RequestState) -> bool:
        return to in TRANSITIONS[self.state]

    def is_expired(self, now: datetime) -> bool:
        """Granted, and past its expiry: the expiry sweep revokes it."""
        return (
            self.state is RequestState.GRANTED
            and self.expires_at is not None
            and self.expires_at <= now
        )

    def days_left(self, now: datetime) -> int | None:
        """Whole days until granted access ends (rounded up), None when it does not end or is
        not granted."""
        if self.state is not RequestState.GRANTED or self.expires_at is None:
            return None
        seconds = (self.expires_at - now).total_seconds()
        return max(0, -int(-seconds // 86400))

    def due_expiry_warning(self, now: datetime, within_days: int) -> bool:
        """Granted, ending within `within_days` but not yet, and not warned yet."""
        left = self.days_left(now)
        return (
            left is not None
            and self.expiry_warned_at is None
            and not self.is_expired(now)
            and left <= within_days
        )

    def transition(self, to: RequestState, reason: str = "") -> AccessRequest:
        if not self.can_become(to):
            raise InvalidTransitionError(
                f"request {self.request_id} is {self.state.value}; it cannot become {to.value}"
            )
        return self.model_copy(update={"state": to, "state_reason": reason})

    def granted(self, now: datetime, expires_at: datetime | None = None) -> AccessRequest:
        """Granted until `expires_at` (the approval's expiry), or for the requested duration."""
        moved = self.transition(RequestState.GRANTED, "approved")
        until = expires_at or now + timedelta(days=self.duration_days)
        return moved.model_copy(update={"expires_at": until})

    def overlaps(self, other: AccessRequest) -> bool:
        """True when `other` is an open request by the same grantee for any of these tables."""
        if other.state not in OPEN_STATES or other.grantee != self.grantee:
            return False
        return bool(set(other.tables) & set(self.tables)) or (
            self.domain is not None and other.domain == self.domain
        )
