"""sync-worker's handlers in process: Glue events from a producer converge the central catalog,
over the catalog and tagging fakes.

The state store is read only for the registry here; `Registry` stands in for it until the state
store brings its own fake.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from meshcore.domain.errors import PermanentError
from meshcore.domain.registry import Producer
from meshcore.messages.eventbridge import GlueDatabaseEvent, GlueTableEvent
from meshcore.runtime.dispatch import Delivery
from sync_worker.converge import Converger
from sync_worker.handlers import SyncDependencies, on_catalog_event
from sync_worker.repair import Repair

from ...fakes.glue import FakeCatalog
from ...fakes.lftags import FakeResourceTags
from ...fakes.queues import FakeSender

PRODUCER = Producer(
    account_id="222222222222",
    domain="ar",
    read_role_arn="arn:aws:iam::222222222222:role/meshcore-catalog-reader",
    owners=["ada@ar.example.com"],
)
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
DELIVERY = Delivery("m-1", 1)


class Registry:
    """The state store's registry reads (see the module docstring)."""

    async def get_producer(self, account_id: str) -> Producer | None:
        return PRODUCER if account_id == PRODUCER.account_id else None


class Sync:
    def __init__(self) -> None:
        self.source, self.central = FakeCatalog(PRODUCER.account_id), FakeCatalog()
        self.tags = FakeResourceTags()
        self.scans: list[tuple[str, str, list[str], str]] = []

        async def request_scan(database: str, table: str, columns: list[str], why: str) -> None:
            self.scans.append((database, table, columns, why))

        async def source_catalog(_producer: Producer) -> FakeCatalog:
            return self.source

        converger = Converger(self.central, request_scan, clock=lambda: NOW, tags=self.tags)
        state: Any = Registry()
        self.deps = SyncDependencies(
            state=state,
            converger=converger,
            source_catalog=source_catalog,
            repair=Repair(state, converger, source_catalog, 1, FakeSender()),
            clock=lambda: NOW,
        )

    async def producer_table(self, partitions: Sequence[str] = ()) -> None:
        await self.source.create_database({"Name": "receivables"})
        await self.source.create_table(
            "receivables",
            {
                "Name": "invoices",
                "StorageDescriptor": {
                    "Columns": [{"Name": "customer_email", "Type": "string"}],
                    "Location": "s3://ar-data/invoices/",
                },
                "PartitionKeys": [{"Name": "year", "Type": "string"}],
            },
        )
        await self.source.create_partitions(
            "receivables", "invoices", [{"Values": [p]} for p in partitions]
        )


def database_event(change: str, account: str = PRODUCER.account_id) -> GlueDatabaseEvent:
    return GlueDatabaseEvent.model_validate(
        {
            "id": "e-1",
            "source": "aws.glue",
            "account": account,
            "time": NOW,
            "region": "us-east-1",
            "detail-type": "Glue Data Catalog Database State Change",
            "detail": {
                "databaseName": "receivables",
                "typeOfChange": change,
                "changedTables": ["invoices"],
            },
        }
    )


def table_event(change: str, partitions: list[str]) -> GlueTableEvent:
    return GlueTableEvent.model_validate(
        {
            "id": "e-2",
            "source": "aws.glue",
            "account": PRODUCER.account_id,
            "time": NOW,
            "region": "us-east-1",
            "detail-type": "Glue Data Catalog Table State Change",
            "detail": {
                "databaseName": "receivables",
                "tableName": "invoices",
                "typeOfChange": change,
                "changedPartitions": partitions,
            },
        }
    )


async def test_a_created_table_appears_centrally_tagged_and_sent_to_classification() -> None:
    sync = Sync()
    await sync.producer_table(partitions=["2025", "2026"])
    await on_catalog_event(database_event("CreateTable"), DELIVERY, sync.deps)
    table = await sync.central.get_table("ar__receivables", "invoices")
    assert table is not None
    assert table["Parameters"]["meshcore:producer_account"] == PRODUCER.account_id
    partitions = await sync.central.list_partitions("ar__receivables", "invoices")
    assert sorted(p["Values"][0] for p in partitions) == ["2025", "2026"]
    assert sync.tags.databases == {"ar__receivables": {"domain": "ar"}}
    assert sync.tags.tables == {("ar__receivables", "invoices"): {"sensitivity": "unclassified"}}
    assert {(d, t, tuple(c)) for d, t, c, _why in sync.scans} == {
        ("ar__receivables", "invoices", ("customer_email", "year"))
    }


async def test_a_delete_event_for_a_table_that_still_exists_deletes_nothing() -> None:
    sync = Sync()
    await sync.producer_table()
    await on_catalog_event(database_event("CreateTable"), DELIVERY, sync.deps)
    await on_catalog_event(database_event("DeleteTable"), DELIVERY, sync.deps)
    assert await sync.central.get_table("ar__receivables", "invoices") is not None


async def test_a_table_gone_at_the_producer_is_deleted_centrally() -> None:
    sync = Sync()
    await sync.producer_table()
    await on_catalog_event(database_event("CreateTable"), DELIVERY, sync.deps)
    await sync.source.delete_table("receivables", "invoices")
    sync.deps.freshness = type(sync.deps.freshness)()  # a later event, not one already covered
    await on_catalog_event(table_event("UpdateTable", []), DELIVERY, sync.deps)
    assert await sync.central.get_table("ar__receivables", "invoices") is None


async def test_partition_events_converge_only_the_named_partitions() -> None:
    sync = Sync()
    await sync.producer_table(partitions=["2025"])
    await on_catalog_event(database_event("CreateTable"), DELIVERY, sync.deps)
    await sync.source.create_partitions("receivables", "invoices", [{"Values": ["2026"]}])
    await sync.source.delete_partitions("receivables", "invoices", [["2025"]])
    await on_catalog_event(table_event("BatchCreatePartition", ["2026"]), DELIVERY, sync.deps)
    partitions = await sync.central.list_partitions("ar__receivables", "invoices")
    assert sorted(p["Values"][0] for p in partitions) == ["2025", "2026"]


async def test_an_event_from_an_account_that_is_not_a_producer_is_refused() -> None:
    sync = Sync()
    with pytest.raises(PermanentError, match="not an onboarded producer"):
        await on_catalog_event(database_event("CreateTable", "999999999999"), DELIVERY, sync.deps)
    assert sync.central.databases == {}
