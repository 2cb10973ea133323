"""classifier's composition root."""

from __future__ import annotations

from classifier.handlers import ClassifierDependencies, handle_scan
from meshcore.aws.audit import AuditLog
from meshcore.aws.clients import AsyncAws
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.state import StateStore
from meshcore.runtime.consumer import QueueMessage
from meshcore.runtime.metrics import Metrics
from meshcore.runtime.worker import Bootstrap, Route
from meshcore.settings import MeshSettings


def make_bootstrap(settings: MeshSettings) -> Bootstrap:
    async def bootstrap(aws: AsyncAws, metrics: Metrics) -> list[Route]:
        dynamodb = await aws.client("dynamodb")
        deps = ClassifierDependencies(
            central=GlueCatalog(await aws.client("glue"), settings.central_account_id),
            state=StateStore(dynamodb, settings.state_table),
            audit=AuditLog(dynamodb, settings.audit_table),
        )

        async def handle(message: QueueMessage) -> None:
            await handle_scan(message, deps)

        return [Route(settings.queues.classification, handle, "classifier.scan")]

    return bootstrap
