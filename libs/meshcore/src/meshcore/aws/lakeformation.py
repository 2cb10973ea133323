"""Lake Formation calls: batch grants and revokes (the entries are built in `domain.grants`),
permissions, registered locations and column tags."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from meshcore.aws.errors import aws_errors, raise_batch_failures
from meshcore.aws.glue import chunks

if TYPE_CHECKING:
    from types_aiobotocore_lakeformation.client import LakeFormationClient
    from types_aiobotocore_lakeformation.type_defs import (
        BatchPermissionsRequestEntryTypeDef,
        ListPermissionsRequestTypeDef,
        ListResourcesRequestTypeDef,
    )

# Lake Formation API reference: BatchGrantPermissions / BatchRevokePermissions take 20 entries.
BATCH_GRANT_MAX = 20


def location_of(resource_arn: str) -> str:
    """`arn:aws:s3:::bucket/prefix` -> `s3://bucket/prefix/`."""
    return "s3://" + resource_arn.split(":::", 1)[-1].strip("/") + "/"


def is_registered(location: str, registered: list[str]) -> bool:
    """Whether an s3:// location lies under one of the registered prefixes."""
    path = location.rstrip("/") + "/"
    return any(path.startswith(prefix) for prefix in registered)


def _already_revoked(failure: dict[str, Any]) -> bool:
    """BatchRevokePermissions reports revoking what is not granted as a failure
    ("No permissions revoked…"); for an undo that is success."""
    error = failure.get("Error", {})
    return error.get("ErrorCode") == "EntityNotFoundException" or str(
        error.get("ErrorMessage", "")
    ).startswith("No permissions revoked")


def _numbered(
    entries: list[dict[str, Any]],
) -> list[list[BatchPermissionsRequestEntryTypeDef]]:
    """Batches within the documented limit, each entry with its id in the batch."""
    return [
        [cast("BatchPermissionsRequestEntryTypeDef", {"Id": str(i), **e}) for i, e in enumerate(b)]
        for b in chunks(entries, BATCH_GRANT_MAX)
    ]


def _raise_failures(
    what: str,
    failures: Sequence[Any],
    tolerate: Callable[[dict[str, Any]], bool] = lambda _failure: False,
) -> None:
    raise_batch_failures(
        what,
        [
            (f.get("Error", {}).get("ErrorCode", ""), f.get("Error", {}).get("ErrorMessage", ""))
            for f in failures
            if not tolerate(f)
        ],
    )


class LakeFormation:
    def __init__(self, client: LakeFormationClient) -> None:
        self._lf = client

    async def grant(self, entries: list[dict[str, Any]]) -> None:
        for batch in _numbered(entries):
            with aws_errors("lakeformation:BatchGrantPermissions"):
                response = await self._lf.batch_grant_permissions(Entries=batch)
            _raise_failures("lakeformation:BatchGrantPermissions", response.get("Failures", []))

    async def revoke(self, entries: list[dict[str, Any]]) -> None:
        """Idempotent: a permission that is already gone counts as revoked."""
        for batch in _numbered(entries):
            with aws_errors("lakeformation:BatchRevokePermissions"):
                response = await self._lf.batch_revoke_permissions(Entries=batch)
            _raise_failures(
                "lakeformation:BatchRevokePermissions",
                response.get("Failures", []),
                tolerate=_already_revoked,
            )

    async def permissions_of(self, principal: str) -> list[dict[str, Any]]:
        """Every permission of `principal` (ListPermissions filters by principal only together
        with a resource, so this pages through all and filters)."""
        return [
            r
            for r in await self.all_permissions()
            if r.get("Principal", {}).get("DataLakePrincipalIdentifier") == principal
        ]

    async def all_permissions(self) -> list[dict[str, Any]]:
        """Every permission in the account's Lake Formation, paged through ListPermissions."""
        rows: list[dict[str, Any]] = []
        params: ListPermissionsRequestTypeDef = {}
        while True:
            with aws_errors("lakeformation:ListPermissions"):
                response = await self._lf.list_permissions(**params)
            rows.extend(
                cast(dict[str, Any], r) for r in response.get("PrincipalResourcePermissions", [])
            )
            if not response.get("NextToken"):
                return rows
            params["NextToken"] = response["NextToken"]

    async def registered_locations(self) -> list[str]:
        """The S3 prefixes registered with Lake Formation (`s3://bucket/prefix/`)."""
        arns: list[str] = []
        params: ListResourcesRequestTypeDef = {}
        while True:
            with aws_errors("lakeformation:ListResources"):
                response = await self._lf.list_resources(**params)
            arns.extend(r["ResourceArn"] for r in response.get("ResourceInfoList", []))
            if not response.get("NextToken"):
                break
            params["NextToken"] = response["NextToken"]
        return [location_of(arn) for arn in arns]

    async def column_tags(
        self, catalog_id: str, database: str, table: str
    ) -> dict[str, dict[str, list[str]]]:
        """Column -> tag key -> values, as assigned to the columns of a table."""
        return (await self.table_tags(catalog_id, database, table))[1]

    async def table_tags(
        self, catalog_id: str, database: str, table: str
    ) -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
        """Tag key -> values assigned to the table itself, and column -> tag key -> values
        assigned to its columns (one GetResourceLFTags)."""
        with aws_errors(f"lakeformation:GetResourceLFTags {database}.{table}"):
            response = await self._lf.get_resource_lf_tags(
                Resource={
                    "Table": {"CatalogId": catalog_id, "DatabaseName": database, "Name": table}
                },
                ShowAssignedLFTags=True,
            )
        on_table = {t["TagKey"]: list(t["TagValues"]) for t in response.get("LFTagsOnTable", [])}
        return on_table, {
            column["Name"]: {t["TagKey"]: list(t["TagValues"]) for t in column.get("LFTags", [])}
            for column in response.get("LFTagsOnColumns", [])
        }

    async def shares_for(self, principal: str) -> list[str]:
        """Every RAM share through which Lake Formation delivers `principal`'s grants."""
        arns: list[str] = []
        for row in await self.permissions_of(principal):
            for arn in row.get("AdditionalDetails", {}).get("ResourceShare", []):
                if arn not in arns:
                    arns.append(arn)
        return arns

    async def share_arns(
        self, principal: str, catalog_id: str, database: str, table: str
    ) -> list[str]:
        """The RAM shares through which Lake Formation delivers `principal`'s grants on a table."""
        with aws_errors(f"lakeformation:ListPermissions {database}.{table}"):
            response = await self._lf.list_permissions(
                Principal={"DataLakePrincipalIdentifier": principal},
                Resource={
                    "Table": {"CatalogId": catalog_id, "DatabaseName": database, "Name": table}
                },
            )
        arns: list[str] = []
        for row in response.get("PrincipalResourcePermissions", []):
            for arn in row.get("AdditionalDetails", {}).get("ResourceShare", []):
                if arn not in arns:
                    arns.append(arn)
        return arns
