"""A small third-party query engine, reading Lake Formation data the way EMR or any engine
outside AWS's own does.

For `SELECT columns FROM database.table` it asks Glue which columns its principal may read
(GetUnfilteredTableMetadata, following a resource link to its target), refuses a query naming any
other column, asks Lake Formation for S3 credentials scoped to the table
(GetTemporaryGlueTableCredentials) and reads the Parquet objects with them, projecting the
authorized columns. It uses only documented AWS calls, so it runs against AWS too, as a principal
whose session carries the tag the account trusts (``LakeFormationAuthorizedCaller``).
https://docs.aws.amazon.com/lake-formation/latest/dg/api-overview.html
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow.parquet as pq  # type: ignore[import-untyped]
from botocore.exceptions import ClientError

ClientFactory = Callable[..., Any]  # (service, **credentials) -> a boto3 client
SUPPORTED = ["COLUMN_PERMISSION"]


class QueryRefused(Exception):
    """Lake Formation (or the engine on its behalf) refused the query."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[dict[str, Any]]


def trust_engine(lakeformation: Any, account: str, tag_value: str) -> None:
    """What a consumer's data lake admin does once per engine: allow external data filtering for
    its account and trust sessions tagged `LakeFormationAuthorizedCaller=tag_value`
    (https://docs.aws.amazon.com/lake-formation/latest/dg/permitting-third-party-call.html)."""
    settings = lakeformation.get_data_lake_settings()["DataLakeSettings"]
    allow = settings.get("ExternalDataFilteringAllowList") or []
    tags = settings.get("AuthorizedSessionTagValueList") or []
    settings |= {
        "AllowExternalDataFiltering": True,
        "ExternalDataFilteringAllowList": [
            *allow,
            *(
                []
                if any(a["DataLakePrincipalIdentifier"] == account for a in allow)
                else [{"DataLakePrincipalIdentifier": account}]
            ),
        ],
        "AuthorizedSessionTagValueList": sorted({*tags, tag_value}),
    }
    lakeformation.put_data_lake_settings(DataLakeSettings=settings)


def select(
    client: ClientFactory,
    database: str,
    table: str,
    columns: list[str] | None = None,
    catalog: str | None = None,
) -> QueryResult:
    """`SELECT columns (all authorized ones when None) FROM database.table`, in the caller's own
    catalog (where a resource link leads to the shared table) or in `catalog`."""
    glue = client("glue")
    try:
        target = {"CatalogId": catalog, "DatabaseName": database, "Name": table}
        if catalog is None:
            found = glue.get_table(DatabaseName=database, Name=table)["Table"]
            target = found.get("TargetTable") or target | {"CatalogId": found["CatalogId"]}
        metadata = glue.get_unfiltered_table_metadata(
            CatalogId=target["CatalogId"],
            DatabaseName=target["DatabaseName"],
            Name=target["Name"],
            SupportedPermissionTypes=SUPPORTED,
        )
    except ClientError as exc:
        raise QueryRefused(f"{database}.{table}: {exc.response['Error']['Code']}") from exc
    authorized = list(metadata["AuthorizedColumns"])
    wanted = columns or authorized
    denied = [c for c in wanted if c not in authorized]
    if denied or not wanted:
        raise QueryRefused(
            f"{database}.{table}: no SELECT on {', '.join(denied) or 'any column'} "
            f"(authorized: {', '.join(authorized) or 'none'})"
        )
    if not metadata["IsRegisteredWithLakeFormation"]:
        raise QueryRefused(f"{database}.{table}: its data is not registered with Lake Formation")
    described = metadata["Table"]
    region = glue.meta.region_name
    arn = f"arn:aws:glue:{region}:{target['CatalogId']}:table/{target['DatabaseName']}/{target['Name']}"
    try:
        vended = client("lakeformation").get_temporary_glue_table_credentials(
            TableArn=arn, Permissions=["SELECT"], SupportedPermissionTypes=SUPPORTED
        )
    except ClientError as exc:
        raise QueryRefused(f"{database}.{table}: {exc.response['Error']['Code']}") from exc
    s3 = client(
        "s3",
        aws_access_key_id=vended["AccessKeyId"],
        aws_secret_access_key=vended["SecretAccessKey"],
        aws_session_token=vended["SessionToken"],
    )
    location = described["StorageDescriptor"]["Location"]
    return QueryResult(wanted, list(_rows(s3, location, wanted)))


def _rows(s3: Any, location: str, wanted: list[str]) -> Any:
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if not item["Key"].endswith(".parquet"):
                continue
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            partition = dict(
                part.split("=", 1) for part in item["Key"][len(prefix) :].split("/") if "=" in part
            )
            data = pq.read_table(io.BytesIO(body))
            present = [c for c in wanted if c in data.column_names]
            for record in data.select(present).to_pylist():
                yield {c: record.get(c, partition.get(c)) for c in wanted}
