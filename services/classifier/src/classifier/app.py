"""classifier's composition root."""

from __future__ import annotations

from functools import partial

from classifier.handlers import ClassifierDependencies, Row, on_scan
from classifier.samples import Sample, SampleLimits, SampleReader
from meshcore.actions.review import Review
from meshcore.aws.audit import AuditLog
from meshcore.aws.clients import AsyncAws
from meshcore.aws.errors import aws_errors
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.lftags import ColumnTags
from meshcore.aws.queues import QueueSender, queue_url
from meshcore.aws.state import DynamoStateStore
from meshcore.domain.registry import Producer
from meshcore.messages.commands import ClassificationScanRequest
from meshcore.messages.decode import decode_scan_request
from meshcore.runtime.metrics import Metrics
from meshcore.runtime.worker import Bootstrap, Route
from meshcore.settings import MeshSettings

# Partitions read when a partitioned table keeps no data under its own location.
SAMPLED_PARTITIONS = 3


def make_bootstrap(settings: MeshSettings, limits: SampleLimits | None = None) -> Bootstrap:
    async def bootstrap(aws: AsyncAws, metrics: Metrics) -> list[Route]:
        dynamodb = await aws.client("dynamodb")
        glue = await aws.client("glue")
        sqs = await aws.client("sqs")
        notifications = settings.queues.notifications
        state = DynamoStateStore(dynamodb, settings.state_table)
        review = Review(
            state,
            AuditLog(dynamodb, settings.audit_table),
            ColumnTags(await aws.client("lakeformation"), settings.central_account_id),
        )

        async def sample(producer: Producer, table: Row, database: str) -> Sample:
            assert producer.sample_role_arn is not None  # Producer.may_sample checked it
            s3 = await aws.assumed_client("s3", producer.sample_role_arn)

            async def partition_locations() -> list[str]:
                with aws_errors(f"glue:GetPartitions {database}.{table['Name']}"):
                    response = await glue.get_partitions(
                        DatabaseName=database,
                        TableName=table["Name"],
                        MaxResults=SAMPLED_PARTITIONS,
                    )
                return [
                    p["StorageDescriptor"]["Location"]
                    for p in response.get("Partitions", [])
                    if p.get("StorageDescriptor", {}).get("Location")
                ]

            return await SampleReader(s3, limits).read(table, partition_locations)

        deps = ClassifierDependencies(
            central=GlueCatalog(glue, settings.central_account_id),
            state=state,
            review=review,
            sampler=sample,
            notifications=QueueSender(sqs, await queue_url(sqs, notifications), notifications),
        )

        handlers = {ClassificationScanRequest: partial(on_scan, deps=deps)}
        return [
            Route(settings.queues.classification, "classifier.scan", decode_scan_request, handlers)
        ]

    return bootstrap
