"""What grant-worker's handlers work with: the ports its composition root wires."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from grant_worker.delivery import ConsumerAccess
from meshcore.aws.ports import (
    Audit,
    Catalog,
    DecisionVerifier,
    Permissions,
    RevokeVerifier,
    Sender,
)
from meshcore.domain.state_store import StateStore
from meshcore.runtime.audit_budget import AuditBudget
from meshcore.runtime.metrics import Metrics

ACTOR = "grant-worker"


@dataclass
class GrantDependencies:
    state: StateStore
    audit: Audit
    signer: DecisionVerifier
    revoke_verifier: RevokeVerifier  # operator revokes (their own key)
    lakeformation: Permissions
    catalog: Catalog  # the central catalog
    notifications: Sender
    consumer_access: ConsumerAccess
    catalog_id: str
    metrics: Metrics
    decision_max_age: timedelta = timedelta(hours=24)
    # meshcore's own roles and the data lake admins (the reconciliation leaves them out).
    own_principals: frozenset[str] = frozenset()
    # The expiry sweep warns the requester once when granted access ends within this.
    expiry_warning_days: int = 7
    # Each outcome again for the request's ticket (the ticket bridge comments on it); None: not sent.
    ticket_updates: Sender | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # Audit entries per minute that unverified messages may write (see `records.audit_unverified`).
    unverified_audit_per_minute: int = 60
    unverified_audit: AuditBudget = field(init=False)

    def __post_init__(self) -> None:
        self.unverified_audit = AuditBudget(self.unverified_audit_per_minute, lambda: self.clock())
