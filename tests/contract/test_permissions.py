"""The Lake Formation port: `LakeFormation` on the embedded AWS and `FakePermissions` agree."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from meshcore.aws.lakeformation import LakeFormation
from meshcore.aws.ports import Permissions, Row
from meshcore.domain.errors import MeshError
from meshcore.domain.grants import table_grants
from meshcore.settings import MeshSettings

from ..fakes.glue import FakeCatalog
from ..fakes.lakeformation import FakePermissions
from .conftest import CENTRAL, CONSUMER, boto, embedded

ROLE = f"arn:aws:iam::{CENTRAL}:role/analyst"
COLUMNS = ["invoice_id", "customer_email", "amount"]


@dataclass
class Lake:
    """The port, and what an operator or a producer does outside it."""

    port: Permissions
    fake: FakePermissions | None
    settings: MeshSettings | None

    def register(self, bucket_prefix: str) -> None:
        if self.fake is not None:
            self.fake.register(f"s3://{bucket_prefix}/")
            return
        assert self.settings is not None
        boto(self.settings, "lakeformation").register_resource(
            ResourceArn=f"arn:aws:s3:::{bucket_prefix}",
            RoleArn=f"arn:aws:iam::{CENTRAL}:role/data-access",
            HybridAccessEnabled=True,
        )

    def tag_column(self, table: str, column: str, value: str) -> None:
        if self.fake is not None:
            self.fake.tag_column("ar", table, column, "sensitivity", value)
            return
        assert self.settings is not None
        boto(self.settings, "lakeformation").add_lf_tags_to_resource(
            Resource={
                "TableWithColumns": {
                    "CatalogId": CENTRAL,
                    "DatabaseName": "ar",
                    "Name": table,
                    "ColumnNames": [column],
                }
            },
            LFTags=[{"TagKey": "sensitivity", "TagValues": [value]}],
        )

    def tag_table(self, table: str, value: str) -> None:
        if self.fake is not None:
            self.fake.tag_table("ar", table, "sensitivity", value)
            return
        assert self.settings is not None
        boto(self.settings, "lakeformation").add_lf_tags_to_resource(
            Resource={"Table": {"CatalogId": CENTRAL, "DatabaseName": "ar", "Name": table}},
            LFTags=[{"TagKey": "sensitivity", "TagValues": [value]}],
        )


def table_input(name: str) -> Row:
    columns = [{"Name": c, "Type": "string"} for c in COLUMNS]
    return {"Name": name, "StorageDescriptor": {"Columns": columns, "Location": "s3://ar/x/"}}


@pytest.fixture
async def lake(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[Lake]:
    """The central catalog has ar.invoices and ar.payments; the sensitivity tag exists."""
    if backend == "fake":
        catalog = FakeCatalog(CENTRAL)
        await catalog.create_database({"Name": "ar"})
        for name in ("invoices", "payments"):
            await catalog.create_table("ar", table_input(name))
        fake = FakePermissions(CENTRAL, catalog=catalog)
        yield Lake(fake, fake, None)
        return
    settings: MeshSettings = request.getfixturevalue("settings")
    glue, lakeformation = boto(settings, "glue"), boto(settings, "lakeformation")
    lakeformation.put_data_lake_settings(
        DataLakeSettings={"Parameters": {"CROSS_ACCOUNT_VERSION": "4"}}
    )
    lakeformation.create_lf_tag(
        TagKey="sensitivity", TagValues=["none", "unclassified", "email_address"]
    )
    glue.create_database(DatabaseInput={"Name": "ar"})
    for name in ("invoices", "payments"):
        glue.create_table(DatabaseName="ar", TableInput=table_input(name))
    async with embedded(settings) as aws:
        yield Lake(LakeFormation(await aws.client("lakeformation")), None, settings)


def granted(rows: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """(resource kind, table, permission) of each permission listed."""
    found = set()
    for row in rows:
        ((kind, resource),) = row["Resource"].items()
        for permission in row["Permissions"]:
            found.add((kind, resource.get("Name", ""), permission))
    return found


async def test_a_grant_is_listed_and_a_revoke_removes_it(lake: Lake) -> None:
    entries = table_grants(ROLE, CENTRAL, "ar", "invoices", ["customer_email"])
    await lake.port.grant(entries)
    assert granted(await lake.port.permissions_of(ROLE)) == {
        ("Table", "invoices", "DESCRIBE"),
        ("TableWithColumns", "invoices", "SELECT"),
    }
    assert await lake.port.permissions_of(f"arn:aws:iam::{CENTRAL}:role/other") == []
    await lake.port.revoke(entries)
    assert await lake.port.permissions_of(ROLE) == []


async def test_all_permissions_lists_every_principals_grants(lake: Lake) -> None:
    other = f"arn:aws:iam::{CENTRAL}:role/other"
    await lake.port.grant(table_grants(ROLE, CENTRAL, "ar", "invoices", ["customer_email"]))
    await lake.port.grant(table_grants(other, CENTRAL, "ar", "payments", []))
    rows = await lake.port.all_permissions()
    mine = [r for r in rows if r["Principal"]["DataLakePrincipalIdentifier"] == ROLE]
    theirs = [r for r in rows if r["Principal"]["DataLakePrincipalIdentifier"] == other]
    assert granted(mine) == granted(await lake.port.permissions_of(ROLE))
    assert granted(theirs) == {
        ("Table", "payments", "DESCRIBE"),
        ("TableWithColumns", "payments", "SELECT"),
    }
    select = next(r for r in mine if "TableWithColumns" in r["Resource"])
    assert select["Resource"]["TableWithColumns"]["ColumnWildcard"]["ExcludedColumnNames"] == [
        "customer_email"
    ]


async def test_revoking_what_is_not_granted_succeeds(lake: Lake) -> None:
    await lake.port.revoke(table_grants(ROLE, CENTRAL, "ar", "payments", []))


async def test_a_grant_on_a_table_that_does_not_exist_is_refused(lake: Lake) -> None:
    with pytest.raises(MeshError):
        await lake.port.grant(table_grants(ROLE, CENTRAL, "ar", "gone", []))
    assert await lake.port.permissions_of(ROLE) == []


async def test_a_grant_to_another_account_rides_a_ram_share(lake: Lake) -> None:
    await lake.port.grant(table_grants(CONSUMER, CENTRAL, "ar", "invoices", []))
    shares = await lake.port.share_arns(CONSUMER, CENTRAL, "ar", "invoices")
    assert len(shares) == 1 and shares[0].startswith("arn:aws:ram:")
    assert await lake.port.shares_for(CONSUMER) == shares
    assert await lake.port.share_arns(CONSUMER, CENTRAL, "ar", "payments") == []


async def test_a_grant_to_a_role_of_another_account_rides_its_share(lake: Lake) -> None:
    analyst = f"arn:aws:iam::{CONSUMER}:role/analyst"
    await lake.port.grant(table_grants(analyst, CENTRAL, "ar", "payments", []))
    (share,) = await lake.port.share_arns(analyst, CENTRAL, "ar", "payments")
    assert share.startswith("arn:aws:ram:")
    assert await lake.port.shares_for(analyst) == [share]


async def test_registered_locations(lake: Lake) -> None:
    assert await lake.port.registered_locations() == []
    lake.register("ar-data/invoices")
    assert await lake.port.registered_locations() == ["s3://ar-data/invoices/"]


async def test_column_tags_name_the_classified_columns(lake: Lake) -> None:
    lake.tag_column("invoices", "customer_email", "email_address")
    tags = await lake.port.column_tags(CENTRAL, "ar", "invoices")
    sensitive = {
        column: values
        for column, by_key in tags.items()
        if (values := [v for v in by_key.get("sensitivity", []) if v != "none"])
    }
    assert sensitive == {"customer_email": ["email_address"]}


async def test_table_tags_tell_the_table_s_own_from_its_columns(lake: Lake) -> None:
    assert await lake.port.table_tags(CENTRAL, "ar", "invoices") == ({}, {})
    lake.tag_table("invoices", "unclassified")
    lake.tag_column("invoices", "customer_email", "email_address")
    on_table, on_columns = await lake.port.table_tags(CENTRAL, "ar", "invoices")
    assert on_table == {"sensitivity": ["unclassified"]}
    assert {c: by_key for c, by_key in on_columns.items() if by_key} == {
        "customer_email": {"sensitivity": ["email_address"]}
    }
