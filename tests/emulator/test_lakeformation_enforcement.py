"""Lake Formation enforces its permission model: who may grant, on what, and what a principal
may then read through the interface query engines use.

Each test cites the page it follows; the model and its sources are summarised in the modules
``meshcore_emulator/lakeformation/permissions.py`` and ``extensions/lakeformation_*.py``. Where
AWS leaves a case open, the stricter reading is taken and the test says so.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from .helpers import CENTRAL_ACCOUNT, NO_RETRIES, PRODUCER_ACCOUNT, REGION, ClientFactory

CONSUMER = PRODUCER_ACCOUNT  # any other account
THIRD = "555555555555"
ADMIN = f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/lake-admin"
OTHER_ADMIN = f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/second-admin"
STEWARD = f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/steward"
CONSUMER_ADMIN = f"arn:aws:iam::{CONSUMER}:role/consumer-admin"
ANALYST = f"arn:aws:iam::{CONSUMER}:role/analyst"
ENGINE_TAG = "meshcore-query-engine"
COLUMNS = ["invoice_id", "customer_email", "amount"]
LOCATION = "s3://ar-data/invoices/"


@pytest.fixture
def as_role(client: ClientFactory, aws: Any) -> Any:
    """as_role(role_arn, service, engine=False): a client signing as that role; `engine` adds the
    session tag a trusted query engine carries."""
    new_client: Any = boto3.client  # services are chosen at run time: no stub overloads

    def make(role_arn: str, service: str, engine: bool = False) -> Any:
        tags = [{"Key": "LakeFormationAuthorizedCaller", "Value": ENGINE_TAG}] if engine else []
        issued = client("sts").assume_role(
            RoleArn=role_arn, RoleSessionName="conformance", Tags=tags
        )["Credentials"]
        return new_client(
            service,
            endpoint_url=aws.endpoint_url,
            region_name=REGION,
            config=NO_RETRIES,
            aws_access_key_id=issued["AccessKeyId"],
            aws_secret_access_key=issued["SecretAccessKey"],
            aws_session_token=issued["SessionToken"],
        )

    return make


def lake_settings(admins: list[str], account: str, **more: Any) -> dict[str, Any]:
    """Lake Formation governs new objects (no IAM_ALLOWED_PRINCIPALS defaults)."""
    return {
        "DataLakeAdmins": [{"DataLakePrincipalIdentifier": a} for a in admins],
        "CreateDatabaseDefaultPermissions": [],
        "CreateTableDefaultPermissions": [],
        "Parameters": {"CROSS_ACCOUNT_VERSION": "4"},
        **more,
    }


def trusts_engine(account: str) -> dict[str, Any]:
    return {
        "AllowExternalDataFiltering": True,
        "ExternalDataFilteringAllowList": [{"DataLakePrincipalIdentifier": account}],
        "AuthorizedSessionTagValueList": [ENGINE_TAG],
    }


def table_input(name: str = "invoices") -> dict[str, Any]:
    return {
        "Name": name,
        "StorageDescriptor": {
            "Columns": [{"Name": c, "Type": "string"} for c in COLUMNS],
            "Location": LOCATION,
        },
        "PartitionKeys": [{"Name": "year", "Type": "string"}],
    }


@pytest.fixture
def central(client: ClientFactory, as_role: Any) -> Any:
    """A governed central catalog with ar.invoices, created by its admin; returns the admin's
    Lake Formation client."""
    client("lakeformation").put_data_lake_settings(
        DataLakeSettings=lake_settings([ADMIN, OTHER_ADMIN], CENTRAL_ACCOUNT)
        | trusts_engine(CENTRAL_ACCOUNT)
    )
    glue = as_role(ADMIN, "glue")
    glue.create_database(DatabaseInput={"Name": "ar"})
    glue.create_table(DatabaseName="ar", TableInput=table_input())
    lakeformation = as_role(ADMIN, "lakeformation")
    lakeformation.register_resource(
        ResourceArn="arn:aws:s3:::ar-data/invoices",
        RoleArn=f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/data-access",
        HybridAccessEnabled=True,
    )
    return lakeformation


def table(name: str = "invoices", catalog: str = CENTRAL_ACCOUNT) -> dict[str, Any]:
    return {"Table": {"CatalogId": catalog, "DatabaseName": "ar", "Name": name}}


def columns_but(*excluded: str, catalog: str = CENTRAL_ACCOUNT) -> dict[str, Any]:
    return {
        "TableWithColumns": {
            "CatalogId": catalog,
            "DatabaseName": "ar",
            "Name": "invoices",
            "ColumnWildcard": {"ExcludedColumnNames": list(excluded)},
        }
    }


def grant(lf: Any, who: str, resource: dict[str, Any], perms: list[str], **kw: Any) -> None:
    lf.grant_permissions(
        Principal={"DataLakePrincipalIdentifier": who}, Resource=resource, Permissions=perms, **kw
    )


def readable(glue: Any, catalog: str = CENTRAL_ACCOUNT, database: str = "ar") -> list[str]:
    answer = glue.get_unfiltered_table_metadata(
        CatalogId=catalog,
        DatabaseName=database,
        Name="invoices",
        SupportedPermissionTypes=["COLUMN_PERMISSION"],
    )
    return list(answer["AuthorizedColumns"])


def code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


# -- settings -----------------------------------------------------------------------------------


def test_settings_are_validated(client: ClientFactory) -> None:
    """API_DataLakeSettings.html: defaults are empty or IAM_ALLOWED_PRINCIPALS/ALL; external
    filtering needs its allow list; CROSS_ACCOUNT_VERSION 1-4 (the API reference's range)."""
    lf = client("lakeformation")
    bad = [
        {
            "CreateTableDefaultPermissions": [
                {"Principal": {"DataLakePrincipalIdentifier": ADMIN}, "Permissions": ["ALL"]}
            ]
        },
        {"AllowExternalDataFiltering": True},
        {"Parameters": {"CROSS_ACCOUNT_VERSION": "7"}},
        {"DataLakeAdmins": [{"DataLakePrincipalIdentifier": f"{ADMIN}{i}"} for i in range(31)]},
    ]
    for settings in bad:
        with pytest.raises(ClientError) as refused:
            lf.put_data_lake_settings(DataLakeSettings=settings)
        assert code(refused) == "InvalidInputException"


def test_a_new_account_is_governed_by_iam_alone(client: ClientFactory, as_role: Any) -> None:
    """change-settings.html: new accounts start with IAM_ALLOWED_PRINCIPALS defaults, so Lake
    Formation grants are not in effect; nothing of such a table reaches another account.
    (API_PutDataLakeSettings.html: settings are replaced whole, so the defaults are restated.)"""
    lf = client("lakeformation")
    iam_only = lf.get_data_lake_settings()["DataLakeSettings"]["CreateTableDefaultPermissions"]
    assert iam_only[0]["Principal"]["DataLakePrincipalIdentifier"] == "IAM_ALLOWED_PRINCIPALS"
    lf.put_data_lake_settings(
        DataLakeSettings={
            "DataLakeAdmins": [{"DataLakePrincipalIdentifier": ADMIN}],
            "CreateDatabaseDefaultPermissions": iam_only,
            "CreateTableDefaultPermissions": iam_only,
            "Parameters": {"CROSS_ACCOUNT_VERSION": "4"},
        }
        | trusts_engine(CENTRAL_ACCOUNT)
    )
    glue = as_role(ADMIN, "glue")
    glue.create_database(DatabaseInput={"Name": "ar"})
    glue.create_table(DatabaseName="ar", TableInput=table_input())
    # Same account: IAM decides (every column), whatever Lake Formation holds.
    assert readable(as_role(STEWARD, "glue", engine=True)) == [*COLUMNS, "year"]
    # Another account: a grant and an accepted share give nothing.
    grant(as_role(ADMIN, "lakeformation"), CONSUMER, columns_but(), ["SELECT"])
    accept_all(client)
    with pytest.raises(ClientError) as refused:
        readable(as_role(CONSUMER_ADMIN, "glue", engine=True))
    assert code(refused) == "AccessDeniedException"


def accept_all(client: ClientFactory, account: str = CONSUMER) -> None:
    ram = client("ram", account=account)
    for invitation in ram.get_resource_share_invitations()["resourceShareInvitations"]:
        if invitation["status"] == "PENDING":
            ram.accept_resource_share_invitation(
                resourceShareInvitationArn=invitation["resourceShareInvitationArn"]
            )


# -- who may grant ------------------------------------------------------------------------------


def test_only_admins_creators_and_grant_option_holders_grant(central: Any, as_role: Any) -> None:
    """lake-formation-permissions.html and implicit-permissions.html."""
    steward = as_role(STEWARD, "lakeformation")
    with pytest.raises(ClientError) as refused:
        grant(steward, ANALYST, table(), ["DESCRIBE"])
    assert code(refused) == "AccessDeniedException"

    grant(central, STEWARD, table(), ["DESCRIBE"])  # without the grant option
    with pytest.raises(ClientError) as refused:
        grant(steward, ANALYST, table(), ["DESCRIBE"])
    assert code(refused) == "AccessDeniedException"

    grant(central, STEWARD, table(), ["DESCRIBE"], PermissionsWithGrantOption=["DESCRIBE"])
    grant(steward, f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/reader", table(), ["DESCRIBE"])
    with pytest.raises(ClientError) as refused:  # DESCRIBE with grant option is not SELECT
        grant(steward, f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/reader", table(), ["SELECT"])
    assert code(refused) == "AccessDeniedException"


def test_grants_on_what_does_not_exist_are_refused(central: Any) -> None:
    """API_GrantPermissions.html (EntityNotFoundException, InvalidInputException) and
    API_TableWithColumnsResource.html. A column that does not exist: undocumented, refused."""
    cases = [
        (table("missing"), ["DESCRIBE"], {}, "EntityNotFoundException"),
        (columns_but("no_such_column"), ["SELECT"], {}, "InvalidInputException"),
        (columns_but(), ["DESCRIBE"], {}, "InvalidInputException"),
        (
            table(),
            ["DESCRIBE"],
            {"PermissionsWithGrantOption": ["SELECT"]},
            "InvalidInputException",
        ),
        (
            {
                "LFTagPolicy": {
                    "ResourceType": "TABLE",
                    "Expression": [{"TagKey": "nope", "TagValues": ["x"]}],
                }
            },
            ["SELECT"],
            {},
            "EntityNotFoundException",
        ),
        (
            {"DataLocation": {"ResourceArn": "arn:aws:s3:::elsewhere"}},
            ["DATA_LOCATION_ACCESS"],
            {},
            "InvalidInputException",
        ),
    ]
    for resource, perms, extra, expected in cases:
        with pytest.raises(ClientError) as refused:
            grant(central, STEWARD, resource, perms, **extra)
        assert code(refused) == expected, resource


def test_revoking_what_is_not_held_is_an_error(central: Any) -> None:
    """Observed AWS answer: InvalidInputException "No permissions revoked"."""
    with pytest.raises(ClientError) as refused:
        central.revoke_permissions(
            Principal={"DataLakePrincipalIdentifier": STEWARD},
            Resource=table(),
            Permissions=["DESCRIBE"],
        )
    assert code(refused) == "InvalidInputException"


def test_batch_grants_fail_entry_by_entry(central: Any) -> None:
    answer = central.batch_grant_permissions(
        Entries=[
            {
                "Id": "ok",
                "Principal": {"DataLakePrincipalIdentifier": STEWARD},
                "Resource": table(),
                "Permissions": ["DESCRIBE"],
            },
            {
                "Id": "bad",
                "Principal": {"DataLakePrincipalIdentifier": STEWARD},
                "Resource": table("missing"),
                "Permissions": ["DESCRIBE"],
            },
        ]
    )
    assert [f["RequestEntry"]["Id"] for f in answer["Failures"]] == ["bad"]
    assert answer["Failures"][0]["Error"]["ErrorCode"] == "EntityNotFoundException"


# -- drop and recreate --------------------------------------------------------------------------


def test_a_dropped_table_loses_its_permissions_and_tags(central: Any, as_role: Any) -> None:
    """granting-catalog-permissions.html: recreating a resource does not recover its
    permissions. LF-tags: undocumented, dropped with the resource (stricter)."""
    central.create_lf_tag(TagKey="sensitivity", TagValues=["none", "email_address"])
    central.add_lf_tags_to_resource(
        Resource=table(), LFTags=[{"TagKey": "sensitivity", "TagValues": ["none"]}]
    )
    grant(central, STEWARD, columns_but("customer_email"), ["SELECT"])
    glue = as_role(ADMIN, "glue")
    glue.delete_table(DatabaseName="ar", Name="invoices")
    glue.create_table(DatabaseName="ar", TableInput=table_input())

    rows = central.list_permissions()["PrincipalResourcePermissions"]
    assert [r for r in rows if r["Principal"]["DataLakePrincipalIdentifier"] == STEWARD] == []
    assert central.get_resource_lf_tags(Resource=table()).get("LFTagsOnTable", []) == []


# -- the query-engine interface -----------------------------------------------------------------


def test_only_a_trusted_engine_reads_and_only_what_is_granted(central: Any, as_role: Any) -> None:
    """permitting-third-party-call.html, API_GetUnfilteredTableMetadata.html, api-overview.html."""
    grant(central, STEWARD, columns_but("customer_email"), ["SELECT"])
    with pytest.raises(ClientError) as refused:  # no LakeFormationAuthorizedCaller session tag
        readable(as_role(STEWARD, "glue"))
    assert code(refused) == "AccessDeniedException"
    assert readable(as_role(STEWARD, "glue", engine=True)) == ["invoice_id", "amount", "year"]

    with pytest.raises(ClientError) as refused:  # an engine without column permissions
        as_role(STEWARD, "glue", engine=True).get_unfiltered_table_metadata(
            CatalogId=CENTRAL_ACCOUNT,
            DatabaseName="ar",
            Name="invoices",
            SupportedPermissionTypes=["NESTED_PERMISSION"],
        )
    assert code(refused) == "PermissionTypeMismatchException"

    with pytest.raises(ClientError) as refused:  # nothing granted
        readable(as_role(f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/nobody", "glue", engine=True))
    assert code(refused) == "AccessDeniedException"
    # An admin may describe but holds no data access it was not granted (its creator holds all).
    assert readable(as_role(OTHER_ADMIN, "glue", engine=True)) == []
    assert readable(as_role(ADMIN, "glue", engine=True)) == [*COLUMNS, "year"]


def test_credentials_are_vended_for_select_on_a_registered_location_only(
    central: Any, as_role: Any, client: ClientFactory
) -> None:
    """API_GetTemporaryGlueTableCredentials.html; the answer for an unregistered location is
    not documented: refused."""
    arn = f"arn:aws:glue:{REGION}:{CENTRAL_ACCOUNT}:table/ar/invoices"
    grant(central, STEWARD, table(), ["DESCRIBE"])
    engine = as_role(STEWARD, "lakeformation", engine=True)
    with pytest.raises(ClientError) as refused:  # DESCRIBE only
        engine.get_temporary_glue_table_credentials(TableArn=arn, Permissions=["SELECT"])
    assert code(refused) == "AccessDeniedException"

    grant(central, STEWARD, columns_but("customer_email"), ["SELECT"])
    vended = engine.get_temporary_glue_table_credentials(
        TableArn=arn, Permissions=["SELECT"], SupportedPermissionTypes=["COLUMN_PERMISSION"]
    )
    assert vended["VendedS3Path"] == [LOCATION]
    s3 = client("s3")
    s3.create_bucket(Bucket="ar-data")
    s3.put_object(Bucket="ar-data", Key="invoices/part-0.csv", Body=b"x")
    s3.put_object(Bucket="ar-data", Key="payroll/part-0.csv", Body=b"x")
    scoped = boto3.client(
        "s3",
        endpoint_url=s3.meta.endpoint_url,
        region_name=REGION,
        config=NO_RETRIES,
        aws_access_key_id=vended["AccessKeyId"],
        aws_secret_access_key=vended["SecretAccessKey"],
        aws_session_token=vended["SessionToken"],
    )
    assert scoped.get_object(Bucket="ar-data", Key="invoices/part-0.csv")["Body"].read() == b"x"
    with pytest.raises(ClientError) as refused:  # outside the vended path
        scoped.get_object(Bucket="ar-data", Key="payroll/part-0.csv")
    assert code(refused) == "AccessDenied"

    glue = as_role(ADMIN, "glue")
    glue.create_table(
        DatabaseName="ar",
        TableInput=table_input("elsewhere")
        | {
            "StorageDescriptor": {
                "Columns": [{"Name": "a", "Type": "string"}],
                "Location": "s3://other/x/",
            }
        },
    )
    grant(central, STEWARD, table("elsewhere"), ["SELECT"])
    with pytest.raises(ClientError) as refused:
        engine.get_temporary_glue_table_credentials(
            TableArn=f"arn:aws:glue:{REGION}:{CENTRAL_ACCOUNT}:table/ar/elsewhere",
            Permissions=["SELECT"],
        )
    assert code(refused) == "InvalidInputException"


def test_registration_needs_a_role_and_keeps_hybrid_mode(central: Any) -> None:
    """API_RegisterResource.html, API_ResourceInfo.html."""
    with pytest.raises(ClientError) as refused:
        central.register_resource(ResourceArn="arn:aws:s3:::ap-data")
    assert code(refused) == "InvalidInputException"
    (info,) = central.list_resources()["ResourceInfoList"]
    assert info["HybridAccessEnabled"] is True


# -- across accounts ----------------------------------------------------------------------------


@pytest.fixture
def consumer(client: ClientFactory) -> None:
    """The consumer account: its admin administers its data lake, and trusts the engine."""
    client("lakeformation", account=CONSUMER).put_data_lake_settings(
        DataLakeSettings=lake_settings([CONSUMER_ADMIN], CONSUMER) | trusts_engine(CONSUMER)
    )


def test_a_shared_table_reaches_principals_only_through_the_consumer_admin(
    central: Any, consumer: None, client: ClientFactory, as_role: Any
) -> None:
    """cross-account-read-data.html, accepting-ram-invite.html, data-filtering-notes.html: the
    recipient sees nothing before accepting; its admin grants its own principals what the account
    received, never more; passing on the grant option or re-sharing is undocumented: refused."""
    grant(
        central,
        CONSUMER,
        columns_but("customer_email"),
        ["SELECT"],
        PermissionsWithGrantOption=["SELECT"],
    )
    grant(central, CONSUMER, table(), ["DESCRIBE"], PermissionsWithGrantOption=["DESCRIBE"])
    consumer_lf = as_role(CONSUMER_ADMIN, "lakeformation")
    with pytest.raises(ClientError) as refused:  # not accepted yet
        grant(consumer_lf, ANALYST, columns_but(), ["SELECT"])
    assert code(refused) == "AccessDeniedException"

    accept_all(client)
    with pytest.raises(ClientError) as refused:  # the analyst holds nothing yet
        readable(as_role(ANALYST, "glue", engine=True))
    assert code(refused) == "AccessDeniedException"

    grant(consumer_lf, ANALYST, table(), ["DESCRIBE"])
    grant(consumer_lf, ANALYST, columns_but(), ["SELECT"])  # all columns asked: bounded
    assert readable(as_role(ANALYST, "glue", engine=True)) == ["invoice_id", "amount", "year"]

    for who, extra in (
        (f"arn:aws:iam::{THIRD}:role/x", {}),
        (ANALYST, {"PermissionsWithGrantOption": ["SELECT"]}),
    ):
        with pytest.raises(ClientError) as refused:
            grant(consumer_lf, who, columns_but(), ["SELECT"], **extra)
        assert code(refused) == "AccessDeniedException"
    with pytest.raises(ClientError) as refused:  # not the consumer's admin
        grant(
            as_role(ANALYST, "lakeformation"),
            f"arn:aws:iam::{CONSUMER}:role/b",
            table(),
            ["DESCRIBE"],
        )
    assert code(refused) == "AccessDeniedException"

    # Revoked at the source: the analyst's regrant is bounded by nothing.
    central.revoke_permissions(
        Principal={"DataLakePrincipalIdentifier": CONSUMER},
        Resource=columns_but("customer_email"),
        Permissions=["SELECT"],
        PermissionsWithGrantOption=["SELECT"],
    )
    assert readable(as_role(ANALYST, "glue", engine=True)) == []


def test_tag_expression_grants_cross_accounts_through_ram(
    central: Any, consumer: None, client: ClientFactory, as_role: Any
) -> None:
    """optimize-ram.html (version 3+: LF-tag grants use RAM and need acceptance),
    tag-based-access-control.html (inheritance, override), lf-tag-considerations.html."""
    central.create_lf_tag(TagKey="domain", TagValues=["ar"])
    central.create_lf_tag(TagKey="sensitivity", TagValues=["none", "email_address"])
    central.add_lf_tags_to_resource(
        Resource={"Database": {"Name": "ar"}}, LFTags=[{"TagKey": "domain", "TagValues": ["ar"]}]
    )
    central.add_lf_tags_to_resource(
        Resource=table(), LFTags=[{"TagKey": "sensitivity", "TagValues": ["none"]}]
    )
    central.add_lf_tags_to_resource(
        Resource={
            "TableWithColumns": {
                "DatabaseName": "ar",
                "Name": "invoices",
                "ColumnNames": ["customer_email"],
            }
        },
        LFTags=[{"TagKey": "sensitivity", "TagValues": ["email_address"]}],
    )
    policy = {
        "LFTagPolicy": {
            "CatalogId": CENTRAL_ACCOUNT,
            "ResourceType": "TABLE",
            "Expression": [
                {"TagKey": "domain", "TagValues": ["ar"]},
                {"TagKey": "sensitivity", "TagValues": ["none"]},
            ],
        }
    }
    grant(central, ANALYST, policy, ["SELECT", "DESCRIBE"])  # to the principal directly (v3+)
    with pytest.raises(ClientError) as refused:  # the invitation is not accepted yet
        readable(as_role(ANALYST, "glue", engine=True))
    assert code(refused) == "AccessDeniedException"
    accept_all(client)
    assert readable(as_role(ANALYST, "glue", engine=True)) == ["invoice_id", "amount", "year"]


def test_an_older_cross_account_version_cannot_grant_tags_across(central: Any) -> None:
    """optimize-ram.html: LF-tag grants to another account need version 3 (unset: version 1,
    the stricter reading of an undocumented default)."""
    central.put_data_lake_settings(
        DataLakeSettings=lake_settings([ADMIN], CENTRAL_ACCOUNT) | {"Parameters": {}}
    )
    central.create_lf_tag(TagKey="domain", TagValues=["ar"])
    policy = {
        "LFTagPolicy": {
            "ResourceType": "TABLE",
            "Expression": [{"TagKey": "domain", "TagValues": ["ar"]}],
        }
    }
    with pytest.raises(ClientError) as refused:
        grant(central, CONSUMER, policy, ["SELECT"])
    assert code(refused) == "InvalidInputException"


def test_a_resource_link_needs_create_table_and_grants_nothing(
    central: Any, consumer: None, client: ClientFactory, as_role: Any
) -> None:
    """create-resource-link-table.html, resource-links-about.html."""
    as_role(CONSUMER_ADMIN, "glue").create_database(DatabaseInput={"Name": "ar"})
    link = {
        "Name": "invoices",
        "TargetTable": {"CatalogId": CENTRAL_ACCOUNT, "DatabaseName": "ar", "Name": "invoices"},
    }
    with pytest.raises(ClientError) as refused:  # not the database's creator, not an admin
        as_role(ANALYST, "glue").create_table(DatabaseName="ar", TableInput=link)
    assert code(refused) == "AccessDeniedException"
    as_role(CONSUMER_ADMIN, "glue").create_table(DatabaseName="ar", TableInput=link)
    # Only its creator sees the link until DESCRIBE on it is granted (resource-links-about.html).
    with pytest.raises(ClientError) as refused:
        as_role(ANALYST, "glue").get_table(DatabaseName="ar", Name="invoices")
    assert code(refused) == "AccessDeniedException"
    on_link = {"Table": {"CatalogId": CONSUMER, "DatabaseName": "ar", "Name": "invoices"}}
    grant(as_role(CONSUMER_ADMIN, "lakeformation"), ANALYST, on_link, ["DESCRIBE"])
    seen = as_role(ANALYST, "glue").get_table(DatabaseName="ar", Name="invoices")["Table"]
    assert seen["TargetTable"]["CatalogId"] == CENTRAL_ACCOUNT
    with pytest.raises(ClientError) as refused:  # the link alone gives nothing on its target
        readable(as_role(CONSUMER_ADMIN, "glue", engine=True), catalog=CONSUMER)
    assert code(refused) == "AccessDeniedException"


def test_get_table_shows_only_what_lake_formation_lets_the_caller_see(
    central: Any, consumer: None, client: ClientFactory, as_role: Any
) -> None:
    """limitations.html: a column-limited caller's GetTable lists only its columns; no
    permission at all is AccessDeniedException, and GetTables leaves the table out;
    resource-links-glue-apis.html: a shared table is read with the owner's CatalogId."""
    reader = f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/reader"
    with pytest.raises(ClientError) as refused:
        as_role(reader, "glue").get_table(DatabaseName="ar", Name="invoices")
    assert code(refused) == "AccessDeniedException"
    assert as_role(reader, "glue").get_tables(DatabaseName="ar")["TableList"] == []

    grant(central, reader, columns_but("customer_email"), ["SELECT"])
    seen = as_role(reader, "glue").get_table(DatabaseName="ar", Name="invoices")["Table"]
    assert [c["Name"] for c in seen["StorageDescriptor"]["Columns"]] == ["invoice_id", "amount"]
    # Admins describe everything.
    whole = as_role(OTHER_ADMIN, "glue").get_table(DatabaseName="ar", Name="invoices")["Table"]
    assert [c["Name"] for c in whole["StorageDescriptor"]["Columns"]] == COLUMNS

    # Another account: nothing before its admin grants, then the shared columns.
    grant(
        central,
        CONSUMER,
        columns_but("customer_email"),
        ["SELECT"],
        PermissionsWithGrantOption=["SELECT"],
    )
    accept_all(client)
    analyst = as_role(ANALYST, "glue")
    with pytest.raises(ClientError) as refused:
        analyst.get_table(CatalogId=CENTRAL_ACCOUNT, DatabaseName="ar", Name="invoices")
    assert code(refused) == "EntityNotFoundException"
    grant(as_role(CONSUMER_ADMIN, "lakeformation"), ANALYST, columns_but(), ["SELECT"])
    seen = analyst.get_table(CatalogId=CENTRAL_ACCOUNT, DatabaseName="ar", Name="invoices")["Table"]
    assert [c["Name"] for c in seen["StorageDescriptor"]["Columns"]] == ["invoice_id", "amount"]
