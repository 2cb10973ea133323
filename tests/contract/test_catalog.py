"""The Glue Data Catalog port: `GlueCatalog` on the embedded AWS and `FakeCatalog` agree."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from meshcore.aws.glue import GlueCatalog
from meshcore.aws.ports import Catalog, Row
from meshcore.domain.errors import ConflictError, NotFoundError, PermanentError
from meshcore.settings import MeshSettings

from ..fakes.glue import FakeCatalog
from .conftest import CENTRAL, embedded


@pytest.fixture
async def catalog(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[Catalog]:
    if backend == "fake":
        yield FakeCatalog(CENTRAL)
        return
    settings: MeshSettings = request.getfixturevalue("settings")
    async with embedded(settings) as aws:
        yield GlueCatalog(await aws.client("glue"), CENTRAL)


def table_input(name: str = "invoices", comment: str = "") -> Row:
    columns = [{"Name": "id", "Type": "string", "Comment": comment}]
    return {
        "Name": name,
        "StorageDescriptor": {"Columns": columns, "Location": f"s3://ar-data/{name}/"},
        "PartitionKeys": [{"Name": "year", "Type": "string"}],
        "Parameters": {"meshcore:source_version": "1"},
    }


def partition(year: str) -> Row:
    return {"Values": [year], "StorageDescriptor": {"Location": f"s3://ar-data/invoices/{year}/"}}


@pytest.fixture
async def invoices(catalog: Catalog) -> Catalog:
    await catalog.create_database({"Name": "ar__receivables", "Description": "AR"})
    await catalog.create_table("ar__receivables", table_input())
    return catalog


async def test_what_was_created_is_read_back(invoices: Catalog) -> None:
    database = await invoices.get_database("ar__receivables")
    table = await invoices.get_table("ar__receivables", "invoices")
    assert database is not None and database["Description"] == "AR"
    assert table is not None and table["Parameters"] == {"meshcore:source_version": "1"}
    assert table["StorageDescriptor"]["Location"] == "s3://ar-data/invoices/"
    assert [d["Name"] for d in await invoices.list_databases()] == ["ar__receivables"]
    assert [t["Name"] for t in await invoices.list_tables("ar__receivables")] == ["invoices"]


async def test_tables_are_read_by_name_in_few_calls(invoices: Catalog) -> None:
    # Names that are prefixes of one another: only the named ones come back, whichever way
    # the name filter matches.
    for name in ("invoices_2025", "invoices_2", "credits"):
        await invoices.create_table("ar__receivables", table_input(name))
    found = await invoices.tables_named("ar__receivables", ["invoices_2", "invoices", "gone"])
    assert [t["Name"] for t in found] == ["invoices", "invoices_2"]
    assert found[0]["StorageDescriptor"]["Location"] == "s3://ar-data/invoices/"
    many = [f"t{i:04d}_with_a_rather_long_name" for i in range(150)]  # past one Expression
    found = await invoices.tables_named("ar__receivables", [*many, "credits"])
    assert [t["Name"] for t in found] == ["credits"]
    with pytest.raises(PermanentError):
        await invoices.tables_named("ar__receivables", ["a.*"])
    with pytest.raises(NotFoundError):
        await invoices.tables_named("nope", ["invoices"])


async def test_what_does_not_exist_reads_as_none(invoices: Catalog) -> None:
    assert await invoices.get_database("nope") is None
    assert await invoices.get_table("ar__receivables", "nope") is None
    assert await invoices.get_table("nope", "invoices") is None
    with pytest.raises(NotFoundError):
        await invoices.list_tables("nope")


async def test_creating_twice_is_a_conflict(invoices: Catalog) -> None:
    with pytest.raises(ConflictError):
        await invoices.create_database({"Name": "ar__receivables"})
    with pytest.raises(ConflictError):
        await invoices.create_table("ar__receivables", table_input())


async def test_an_update_on_a_stale_version_loses_the_race(invoices: Catalog) -> None:
    read = await invoices.get_table("ar__receivables", "invoices")
    assert read is not None
    await invoices.update_table("ar__receivables", table_input(comment="first"), read["VersionId"])
    with pytest.raises(ConflictError):
        await invoices.update_table(
            "ar__receivables", table_input(comment="second"), read["VersionId"]
        )
    now = await invoices.get_table("ar__receivables", "invoices")
    assert now is not None and now["StorageDescriptor"]["Columns"][0]["Comment"] == "first"
    assert now["VersionId"] != read["VersionId"]


async def test_deletes_are_idempotent(invoices: Catalog) -> None:
    assert await invoices.delete_table("ar__receivables", "invoices") is True
    assert await invoices.delete_table("ar__receivables", "invoices") is False
    assert await invoices.get_table("ar__receivables", "invoices") is None
    assert await invoices.delete_database("ar__receivables") is True
    assert await invoices.delete_database("ar__receivables") is False
    assert await invoices.list_databases() == []


async def test_a_table_is_at_version_0_then_one_more_per_update(invoices: Catalog) -> None:
    """What lets sync-worker update a table it wrote last without reading it first."""
    read = await invoices.get_table("ar__receivables", "invoices")
    assert read is not None and read["VersionId"] == "0"
    await invoices.update_table("ar__receivables", table_input(comment="first"), "0")
    await invoices.update_table("ar__receivables", table_input(comment="second"), "1")
    now = await invoices.get_table("ar__receivables", "invoices")
    assert now is not None and now["VersionId"] == "2"


async def test_a_database_goes_with_its_tables(invoices: Catalog) -> None:
    await invoices.create_partitions("ar__receivables", "invoices", [partition("2025")])
    await invoices.delete_database("ar__receivables")
    await invoices.create_database({"Name": "ar__receivables"})
    assert await invoices.get_table("ar__receivables", "invoices") is None
    assert await invoices.list_tables("ar__receivables") == []


async def test_creating_absent_partitions_leaves_the_existing_ones(invoices: Catalog) -> None:
    await invoices.create_partitions("ar__receivables", "invoices", [partition("2025")])
    moved = partition("2025") | {"StorageDescriptor": {"Location": "s3://ar-data/moved/"}}
    existing = await invoices.create_absent_partitions(
        "ar__receivables", "invoices", [moved, partition("2026")]
    )
    assert existing == [["2025"]]
    listed = {
        p["Values"][0]: p["StorageDescriptor"]["Location"]
        for p in await invoices.list_partitions("ar__receivables", "invoices")
    }
    assert listed == {"2025": "s3://ar-data/invoices/2025/", "2026": "s3://ar-data/invoices/2026/"}
    with pytest.raises(NotFoundError):
        await invoices.create_absent_partitions("ar__receivables", "nope", [partition("2025")])


async def test_partitions_beyond_one_batch(invoices: Catalog) -> None:
    years = [str(y) for y in range(1900, 2030)]  # 130: more than one create or delete batch
    await invoices.create_partitions("ar__receivables", "invoices", [partition(y) for y in years])
    listed = await invoices.list_partitions("ar__receivables", "invoices")
    assert sorted(p["Values"][0] for p in listed) == years
    found = await invoices.get_partitions("ar__receivables", "invoices", [["1900"], ["1800"]])
    assert [p["Values"] for p in found] == [["1900"]]
    moved = partition("1900") | {"StorageDescriptor": {"Location": "s3://ar-data/moved/"}}
    await invoices.update_partitions("ar__receivables", "invoices", [moved])
    (read,) = await invoices.get_partitions("ar__receivables", "invoices", [["1900"]])
    assert read["StorageDescriptor"]["Location"] == "s3://ar-data/moved/"
    deleted = await invoices.delete_partitions(
        "ar__receivables", "invoices", [[y] for y in [*years, "1800"]]
    )
    assert deleted == len(years)  # 1800 was not there
    assert await invoices.list_partitions("ar__receivables", "invoices") == []


async def test_a_partition_created_twice_or_updated_when_gone_is_a_lost_race(
    invoices: Catalog,
) -> None:
    await invoices.create_partitions("ar__receivables", "invoices", [partition("2025")])
    with pytest.raises(ConflictError):
        await invoices.create_partitions(
            "ar__receivables", "invoices", [partition("2025"), partition("2026")]
        )
    # The entries that did not clash were created.
    assert len(await invoices.list_partitions("ar__receivables", "invoices")) == 2
    with pytest.raises(ConflictError):
        await invoices.update_partitions("ar__receivables", "invoices", [partition("1999")])


async def test_creating_absent_partitions_beyond_one_batch(invoices: Catalog) -> None:
    years = [str(y) for y in range(1900, 2030)]  # 130: more than one BatchCreatePartition
    created = await invoices.create_absent_partitions(
        "ar__receivables", "invoices", [partition(y) for y in years]
    )
    assert created == []
    again = await invoices.create_absent_partitions(
        "ar__receivables", "invoices", [partition(y) for y in years]
    )
    assert sorted(v[0] for v in again) == years
