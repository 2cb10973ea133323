"""grant-worker's composition root."""

from __future__ import annotations

from grant_worker.handlers import GrantDependencies, handle_decision
from meshcore.aws.audit import AuditLog
from meshcore.aws.clients import AsyncAws
from meshcore.aws.lakeformation import LakeFormation
from meshcore.aws.signing import DecisionSigner
from meshcore.aws.state import StateStore
from meshcore.runtime.consumer import QueueMessage
from meshcore.runtime.metrics import Metrics
from meshcore.runtime.worker import Bootstrap, Route
from meshcore.settings import MeshSettings


def make_bootstrap(settings: MeshSettings) -> Bootstrap:
    async def bootstrap(aws: AsyncAws, metrics: Metrics) -> list[Route]:
        dynamodb = await aws.client("dynamodb")
        deps = GrantDependencies(
            state=StateStore(dynamodb, settings.state_table),
            audit=AuditLog(dynamodb, settings.audit_table),
            signer=DecisionSigner(await aws.client("kms"), settings.decision_key_alias),
            lakeformation=LakeFormation(await aws.client("lakeformation")),
            catalog_id=settings.central_account_id,
        )

        async def handle(message: QueueMessage) -> None:
            await handle_decision(message, deps)

        return [Route(settings.queues.approvals, handle, "grant.decision")]

    return bootstrap
