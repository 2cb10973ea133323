"""The LF-tag ports: `ColumnTags` and `ResourceTags` on the embedded AWS agree with
`FakeColumnTags` and `FakeResourceTags`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from meshcore.aws.lftags import ColumnTags, ResourceTags
from meshcore.aws.ports import ColumnTagging, ResourceTagging
from meshcore.domain.errors import NotFoundError
from meshcore.settings import MeshSettings

from ..fakes.lftags import FakeColumnTags, FakeResourceTags
from .conftest import CENTRAL, boto, embedded


def central_table(settings: MeshSettings) -> None:
    """ar.invoices, and the tag keys meshcore's bootstrap creates."""
    lakeformation, glue = boto(settings, "lakeformation"), boto(settings, "glue")
    lakeformation.create_lf_tag(
        TagKey="sensitivity", TagValues=["none", "unclassified", "email_address", "iban"]
    )
    lakeformation.create_lf_tag(TagKey="domain", TagValues=["ar"])
    glue.create_database(DatabaseInput={"Name": "ar"})
    columns = [{"Name": c, "Type": "string"} for c in ("invoice_id", "customer_email")]
    glue.create_table(
        DatabaseName="ar",
        TableInput={"Name": "invoices", "StorageDescriptor": {"Columns": columns}},
    )


@pytest.fixture
async def columns(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[ColumnTagging]:
    if backend == "fake":
        yield FakeColumnTags(CENTRAL, tables={("ar", "invoices")})
        return
    settings: MeshSettings = request.getfixturevalue("settings")
    central_table(settings)
    async with embedded(settings) as aws:
        yield ColumnTags(await aws.client("lakeformation"), CENTRAL)


async def test_a_column_carries_one_value_of_its_key(columns: ColumnTagging) -> None:
    assert await columns.value("ar", "invoices", "customer_email") is None
    assert await columns.assign("ar", "invoices", "customer_email", "email_address") is None
    assert await columns.assign("ar", "invoices", "customer_email", "email_address") == (
        "email_address"
    )
    assert await columns.assign("ar", "invoices", "customer_email", "iban") == "email_address"
    assert await columns.value("ar", "invoices", "customer_email") == "iban"
    assert await columns.value("ar", "invoices", "invoice_id") is None


async def test_unassigning_removes_only_that_value(columns: ColumnTagging) -> None:
    await columns.assign("ar", "invoices", "customer_email", "email_address")
    assert not await columns.unassign("ar", "invoices", "customer_email", "iban")
    assert await columns.value("ar", "invoices", "customer_email") == "email_address"
    assert await columns.unassign("ar", "invoices", "customer_email", "email_address")
    assert await columns.value("ar", "invoices", "customer_email") is None


async def test_a_table_not_in_the_catalog_is_not_found(columns: ColumnTagging) -> None:
    """A table dropped while it was classified: Lake Formation answers EntityNotFoundException."""
    with pytest.raises(NotFoundError):
        await columns.assign("ar", "dropped", "customer_email", "email_address")
    with pytest.raises(NotFoundError):
        await columns.settle("ar", "dropped", {"customer_email": "none"})


async def test_assigned_lists_each_column_s_own_value(columns: ColumnTagging) -> None:
    assert await columns.assigned("ar", "invoices") == {}
    await columns.assign("ar", "invoices", "customer_email", "email_address")
    assert await columns.assigned("ar", "invoices") == {"customer_email": "email_address"}


async def test_settling_tags_columns_but_keeps_a_sensitive_class(columns: ColumnTagging) -> None:
    await columns.assign("ar", "invoices", "customer_email", "email_address")
    wanted = {"invoice_id": "unclassified", "customer_email": "unclassified"}
    assert await columns.settle("ar", "invoices", wanted) == {"invoice_id": "unclassified"}
    assert await columns.assigned("ar", "invoices") == {
        "invoice_id": "unclassified",
        "customer_email": "email_address",
    }
    assert await columns.settle("ar", "invoices", {"invoice_id": "unclassified"}) == {}
    assert await columns.settle("ar", "invoices", {"invoice_id": "none"}) == {"invoice_id": "none"}
    assert await columns.value("ar", "invoices", "invoice_id") == "none"


async def test_columns_settled_in_one_call_keep_their_own_values(columns: ColumnTagging) -> None:
    wanted = {"invoice_id": "none", "customer_email": "none"}
    assert await columns.settle("ar", "invoices", wanted) == wanted
    assert await columns.assign("ar", "invoices", "customer_email", "iban") == "none"
    assert await columns.assigned("ar", "invoices") == {
        "invoice_id": "none",
        "customer_email": "iban",
    }


@dataclass
class Resources:
    port: ResourceTagging
    settings: MeshSettings | None

    def tags(self, database: str, table: str | None = None) -> dict[str, str]:
        if isinstance(self.port, FakeResourceTags):
            if table is None:
                return self.port.databases.get(database, {})
            return self.port.tables.get((database, table), {})
        assert self.settings is not None
        resource: dict[str, object] = (
            {"Database": {"CatalogId": CENTRAL, "Name": database}}
            if table is None
            else {"Table": {"CatalogId": CENTRAL, "DatabaseName": database, "Name": table}}
        )
        found = boto(self.settings, "lakeformation").get_resource_lf_tags(Resource=resource)
        key = "LFTagOnDatabase" if table is None else "LFTagsOnTable"
        return {t["TagKey"]: t["TagValues"][0] for t in found.get(key, [])}

    def column_tags(self, database: str, table: str, column: str) -> dict[str, str]:
        if isinstance(self.port, FakeResourceTags):
            return self.port.columns.get((database, table, column), {})
        assert self.settings is not None
        resource = {
            "TableWithColumns": {
                "CatalogId": CENTRAL,
                "DatabaseName": database,
                "Name": table,
                "ColumnNames": [column],
            }
        }
        found = boto(self.settings, "lakeformation").get_resource_lf_tags(
            Resource=resource, ShowAssignedLFTags=True
        )
        return {
            t["TagKey"]: t["TagValues"][0]
            for c in found.get("LFTagsOnColumns", [])
            if c["Name"] == column
            for t in c.get("LFTags", [])
        }


@pytest.fixture
async def resources(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[Resources]:
    if backend == "fake":
        yield Resources(FakeResourceTags(CENTRAL, tables={("ar", "invoices")}), None)
        return
    settings: MeshSettings = request.getfixturevalue("settings")
    central_table(settings)
    async with embedded(settings) as aws:
        yield Resources(ResourceTags(await aws.client("lakeformation"), CENTRAL), settings)


async def test_databases_and_tables_are_tagged(resources: Resources) -> None:
    await resources.port.tag_database("ar", "domain", "ar")
    await resources.port.tag_table("ar", "invoices", "sensitivity", "none")
    await resources.port.tag_table("ar", "invoices", "sensitivity", "none")  # idempotent
    assert resources.tags("ar") == {"domain": "ar"}
    assert resources.tags("ar", "invoices") == {"sensitivity": "none"}


async def test_tagging_what_the_catalog_does_not_hold_is_not_found(resources: Resources) -> None:
    with pytest.raises(NotFoundError):
        await resources.port.tag_database("gone", "domain", "ar")
    with pytest.raises(NotFoundError):
        await resources.port.tag_table("ar", "dropped", "sensitivity", "unclassified")
    with pytest.raises(NotFoundError):
        await resources.port.tag_columns("ar", "dropped", ["a"], "sensitivity", "unclassified")


async def test_columns_are_tagged_on_their_own(resources: Resources) -> None:
    await resources.port.tag_table("ar", "invoices", "sensitivity", "none")
    await resources.port.tag_columns("ar", "invoices", [], "sensitivity", "unclassified")
    assert resources.column_tags("ar", "invoices", "customer_email") == {}
    await resources.port.tag_columns(
        "ar", "invoices", ["invoice_id", "customer_email"], "sensitivity", "unclassified"
    )
    assert resources.column_tags("ar", "invoices", "customer_email") == {
        "sensitivity": "unclassified"
    }
    assert resources.column_tags("ar", "invoices", "invoice_id") == {"sensitivity": "unclassified"}
    assert resources.tags("ar", "invoices") == {"sensitivity": "none"}
