"""sync-worker's composition root: wires real adapters to the handlers."""

from __future__ import annotations

from meshcore.aws.clients import AsyncAws
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.lftags import ResourceTags
from meshcore.aws.ports import Catalog
from meshcore.aws.queues import QueueSender, queue_url
from meshcore.aws.state import DynamoStateStore
from meshcore.domain.registry import Producer
from meshcore.messages.commands import scan_requests
from meshcore.messages.decode import decode_sync_message
from meshcore.runtime.metrics import Metrics
from meshcore.runtime.worker import Bootstrap, Route
from meshcore.settings import MeshSettings
from sync_worker.converge import Converger
from sync_worker.handlers import SyncDependencies, handler_map
from sync_worker.repair import Repair


def make_bootstrap(settings: MeshSettings) -> Bootstrap:
    async def bootstrap(aws: AsyncAws, metrics: Metrics) -> list[Route]:
        sqs = await aws.client("sqs")
        name = settings.queues.classification
        scans = QueueSender(sqs, await queue_url(sqs, name), name)
        # A repair's shards go back on the queue they came from, for any worker to take.
        changes = settings.queues.catalog_changes
        shards = QueueSender(sqs, await queue_url(sqs, changes), changes)

        async def request_scan(database: str, table: str, columns: list[str], reason: str) -> None:
            for request in scan_requests(database, table, columns, reason):
                await scans.send(request)

        async def source_catalog(producer: Producer) -> Catalog:
            client = await aws.assumed_client("glue", producer.read_role_arn)
            return GlueCatalog(client, producer.account_id)

        state = DynamoStateStore(await aws.client("dynamodb"), settings.state_table)
        central = GlueCatalog(await aws.client("glue"), settings.central_account_id)
        tags = ResourceTags(await aws.client("lakeformation"), settings.central_account_id)
        converger = Converger(central, request_scan, tags=tags)
        deps = SyncDependencies(
            state=state,
            converger=converger,
            source_catalog=source_catalog,
            repair=Repair(
                state,
                converger,
                source_catalog,
                settings.repair_concurrency,
                shards,
                settings.repair_page_size,
            ),
            metrics=metrics,
        )

        return [
            Route(
                settings.queues.catalog_changes,
                "sync.catalog_change",
                decode_sync_message,
                handler_map(deps),
            )
        ]

    return bootstrap
