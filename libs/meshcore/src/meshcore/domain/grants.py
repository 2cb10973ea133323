"""Which Lake Formation permissions meshcore grants, as batch entries: one place for every grant
it makes (an approved request to a consumer account or role, and step 8, a consumer account's
admin granting its own roles). Pure: the adapter (`aws.lakeformation`) only sends them.
"""

from __future__ import annotations

from typing import Any

from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.classification import DOMAIN_TAG_KEY, NOT_SENSITIVE, SENSITIVITY_TAG_KEY
from meshcore.domain.ids import is_account_id


def grant_option(principal: str, permissions: list[str]) -> list[str]:
    """What a grant passes on. To an account: everything, so that its data lake admin can grant
    its own roles (nobody else there has access until it does); to an IAM principal of another
    account: nothing, as Lake Formation allows none.
    https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-named-resource.html"""
    return list(permissions) if is_account_id(principal) else []


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


def request_grants(request: AccessRequest, catalog_id: str) -> list[dict[str, Any]]:
    """Exactly what was (or is to be) granted for `request`, from what it records: so that a
    revocation or expiry undoes the same entries."""
    if request.granted_domain is not None:
        return domain_grants(request.grantee, catalog_id, request.granted_domain)
    entries: list[dict[str, Any]] = []
    for table in request.granted_tables:
        excluded = request.excluded_columns.get(str(table), [])
        columns = request.granted_columns.get(str(table))
        entries += table_grants(
            request.grantee, catalog_id, table.database, table.table, excluded, columns
        )
    return entries


def role_grants(
    role_arn: str, consumer: str, central_catalog: str, tables: list[TableName]
) -> list[dict[str, Any]]:
    """Step 8, in the consumer account: DESCRIBE on each resource link, DESCRIBE on its target,
    SELECT on the target's columns (all of them: Lake Formation keeps the role within the
    columns the account received)."""
    entries = []
    for table in tables:
        link = {"CatalogId": consumer, "DatabaseName": table.database, "Name": table.table}
        target = {"CatalogId": central_catalog, "DatabaseName": table.database, "Name": table.table}
        entries += [
            entry(role_arn, {"Table": link}, ["DESCRIBE"]),
            entry(role_arn, {"Table": target}, ["DESCRIBE"]),
            entry(
                role_arn,
                {"TableWithColumns": target | {"ColumnWildcard": {"ExcludedColumnNames": []}}},
                ["SELECT"],
            ),
        ]
    return entries


def consumer_role_grants(
    role_arn: str,
    consumer: str,
    central_catalog: str,
    tables: list[TableName],
    domain: str | None,
) -> list[dict[str, Any]]:
    """What step 8 grants a consumer role: the linked tables, and the domain by LF-tag."""
    entries = role_grants(role_arn, consumer, central_catalog, tables)
    if domain is not None:
        entries += domain_grants(role_arn, central_catalog, domain)
    return entries
