"""Lake Formation grants in the central account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from meshcore.aws.errors import aws_errors, raise_batch_failures
from meshcore.aws.glue import chunks
from meshcore.domain.classification import DOMAIN_TAG_KEY, NOT_SENSITIVE, SENSITIVITY_TAG_KEY

# Lake Formation API reference: BatchGrantPermissions / BatchRevokePermissions take 20 entries.
BATCH_GRANT_MAX = 20


def grant_option(principal: str, permissions: list[str]) -> list[str]:
    """What a grant passes on. To an account: everything, so that its data lake admin can grant
    its own roles (nobody else there has access until it does); to an IAM principal of another
    account: nothing, as Lake Formation allows none.
    https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-named-resource.html"""
    return list(permissions) if principal.isdigit() else []


def entry(principal: str, resource: dict[str, Any], permissions: list[str]) -> dict[str, Any]:
    return {
        "Principal": {"DataLakePrincipalIdentifier": principal},
        "Resource": resource,
        "Permissions": permissions,
        "PermissionsWithGrantOption": grant_option(principal, permissions),
    }


def table_grants(
    principal: str,
    catalog_id: str,
    database: str,
    table: str,
    excluded_columns: list[str],
    columns: list[str] | None = None,
) -> list[dict[str, Any]]:
    """DESCRIBE on the table and SELECT on the named columns: a column the table gets later is
    not among them. Without `columns` (grants recorded before they were named): SELECT on every
    column but the excluded ones."""
    named = {"CatalogId": catalog_id, "DatabaseName": database, "Name": table}
    describe = entry(principal, {"Table": named}, ["DESCRIBE"])
    if columns is None:
        wildcard = {"ColumnWildcard": {"ExcludedColumnNames": sorted(excluded_columns)}}
        return [describe, entry(principal, {"TableWithColumns": named | wildcard}, ["SELECT"])]
    if not columns:
        return [describe]
    chosen = {"ColumnNames": sorted(columns)}
    return [describe, entry(principal, {"TableWithColumns": named | chosen}, ["SELECT"])]


def location_of(resource_arn: str) -> str:
    """`arn:aws:s3:::bucket/prefix` -> `s3://bucket/prefix/`."""
    return "s3://" + resource_arn.split(":::", 1)[-1].strip("/") + "/"


def is_registered(location: str, registered: list[str]) -> bool:
    """Whether an s3:// location lies under one of the registered prefixes."""
    path = location.rstrip("/") + "/"
    return any(path.startswith(prefix) for prefix in registered)


def domain_grants(grantee: str, catalog_id: str, domain: str) -> list[dict[str, Any]]:
    """Tag-based access control: DESCRIBE on the domain's databases, and DESCRIBE and SELECT on
    every table column of the domain classified not sensitive (tables are tagged
    `sensitivity=unclassified` when synced, which their columns inherit until the classifier
    tags each `none`, or its class once a reviewer accepted it)."""

    def policy(resource_type: str, expression: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "LFTagPolicy": {
                "CatalogId": catalog_id,
                "ResourceType": resource_type,
                "Expression": expression,
            }
        }

    in_domain: dict[str, Any] = {"TagKey": DOMAIN_TAG_KEY, "TagValues": [domain]}
    not_sensitive: dict[str, Any] = {"TagKey": SENSITIVITY_TAG_KEY, "TagValues": [NOT_SENSITIVE]}
    return [
        entry(grantee, policy("DATABASE", [in_domain]), ["DESCRIBE"]),
        entry(grantee, policy("TABLE", [in_domain, not_sensitive]), ["SELECT", "DESCRIBE"]),
    ]


def _already_revoked(failure: dict[str, Any]) -> bool:
    """BatchRevokePermissions reports revoking what is not granted as a failure
    ("No permissions revoked…"); for an undo that is success."""
    error = failure.get("Error", {})
    return error.get("ErrorCode") == "EntityNotFoundException" or str(
        error.get("ErrorMessage", "")
    ).startswith("No permissions revoked")


class LakeFormation:
    def __init__(self, client: Any) -> None:
        self._lf = client

    async def grant(self, entries: list[dict[str, Any]]) -> None:
        await self._batch("batch_grant_permissions", "BatchGrantPermissions", entries)

    async def revoke(self, entries: list[dict[str, Any]]) -> None:
        """Idempotent: a permission that is already gone counts as revoked."""
        await self._batch(
            "batch_revoke_permissions", "BatchRevokePermissions", entries, tolerate=_already_revoked
        )

    async def _batch(
        self,
        method: str,
        name: str,
        entries: list[dict[str, Any]],
        tolerate: Callable[[dict[str, Any]], bool] = lambda _failure: False,
    ) -> None:
        for batch in chunks(entries, BATCH_GRANT_MAX):
            numbered = [{"Id": str(i), **e} for i, e in enumerate(batch)]
            with aws_errors(f"lakeformation:{name}"):
                response = await getattr(self._lf, method)(Entries=numbered)
            raise_batch_failures(
                f"lakeformation:{name}",
                [
                    (
                        f.get("Error", {}).get("ErrorCode", ""),
                        f.get("Error", {}).get("ErrorMessage", ""),
                    )
                    for f in response.get("Failures", [])
                    if not tolerate(f)
                ],
            )

    async def permissions_of(self, principal: str) -> list[dict[str, Any]]:
        """Every permission of `principal` (ListPermissions filters by principal only together
        with a resource, so this pages through all and filters)."""
        rows: list[dict[str, Any]] = []
        params: dict[str, Any] = {}
        while True:
            with aws_errors("lakeformation:ListPermissions"):
                response = await self._lf.list_permissions(**params)
            rows.extend(
                r
                for r in response.get("PrincipalResourcePermissions", [])
                if r.get("Principal", {}).get("DataLakePrincipalIdentifier") == principal
            )
            if not response.get("NextToken"):
                return rows
            params["NextToken"] = response["NextToken"]

    async def registered_locations(self) -> list[str]:
        """The S3 prefixes registered with Lake Formation (`s3://bucket/prefix/`)."""
        rows: list[dict[str, Any]] = []
        params: dict[str, Any] = {}
        while True:
            with aws_errors("lakeformation:ListResources"):
                response = await self._lf.list_resources(**params)
            rows.extend(response.get("ResourceInfoList", []))
            if not response.get("NextToken"):
                break
            params["NextToken"] = response["NextToken"]
        return [location_of(r["ResourceArn"]) for r in rows]

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
