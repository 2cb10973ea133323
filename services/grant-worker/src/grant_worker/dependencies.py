"""What grant-worker's handlers work with: the ports its composition root wires."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from grant_worker.delivery import ConsumerAccess
from meshcore.aws.audit import AuditLog
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.lakeformation import LakeFormation
from meshcore.aws.queues import QueueSender
from meshcore.aws.signing import DecisionSigner
from meshcore.domain.state_store import StateStore
from meshcore.runtime.metrics import Metrics

ACTOR = "grant-worker"


@dataclass
class GrantDependencies:
    state: StateStore
    audit: AuditLog
    signer: DecisionSigner
    lakeformation: LakeFormation
    catalog: GlueCatalog  # the central catalog
    notifications: QueueSender
    consumer_access: ConsumerAccess
    catalog_id: str
    metrics: Metrics
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
