"""What a principal may do with a table, combining every grant as Lake Formation documents it.

- Named grants and LF-tag expression grants add up (a union).
  https://docs.aws.amazon.com/lake-formation/latest/dg/lf-tag-considerations.html
- ``TableWithColumns`` carries SELECT on listed columns, or on all but the excluded ones;
  partition keys cannot be filtered out.
  https://docs.aws.amazon.com/lake-formation/latest/dg/data-filtering-notes.html
- An LF-tag expression ANDs its keys and ORs the values of a key; a column's tags are its own,
  else its table's, else its database's. A match on only some columns reduces ALL to
  SELECT+DESCRIBE and ALTER/DROP/INSERT/DELETE to DESCRIBE.
  https://docs.aws.amazon.com/lake-formation/latest/dg/tag-based-access-control.html
- A table whose default permissions gave IAM_ALLOWED_PRINCIPALS Super is governed by IAM alone
  in its own account, and nothing about it reaches another account through Lake Formation.
  https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html
- Another account sees what was granted to it (or to its principals) only once it accepted the
  RAM invitation; its principals then hold the grants made to them directly, plus what the
  account's data lake admin granted them, never beyond what the account received.
  https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-read-data.html
  https://docs.aws.amazon.com/lake-formation/latest/dg/accepting-ram-invite.html
- Data lake admins (and read-only admins) may DESCRIBE everything in their account, but hold
  no data access they were not granted; a table's creator holds every permission on it.
  https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moto.lakeformation.models import Permission
from moto.ram.models import ram_backends

from . import identity
from .catalog import Table, creator_of, effective_tags, iam_allowed

TABLE_PERMISSIONS = frozenset({"SELECT", "INSERT", "DELETE", "DESCRIBE", "ALTER", "DROP"})
WRITE_PERMISSIONS = frozenset({"INSERT", "DELETE", "ALTER", "DROP"})


@dataclass
class Access:
    """Table-level permissions, readable columns, and what of it may be granted on."""

    permissions: set[str] = field(default_factory=set)
    columns: set[str] = field(default_factory=set)
    grantable: set[str] = field(default_factory=set)
    grantable_columns: set[str] = field(default_factory=set)

    @property
    def any(self) -> bool:
        return bool(self.permissions or self.columns)

    def add(self, other: Access) -> None:
        self.permissions |= other.permissions
        self.columns |= other.columns
        self.grantable |= other.grantable
        self.grantable_columns |= other.grantable_columns

    def within(self, bound: Access) -> Access:
        return Access(
            self.permissions & bound.permissions,
            self.columns & bound.columns,
            self.grantable & bound.grantable,
            self.grantable_columns & bound.grantable_columns,
        )

    @classmethod
    def everything(cls, table: Table) -> Access:
        columns = set(table.columns)
        return cls(set(TABLE_PERMISSIONS), columns, set(TABLE_PERMISSIONS), columns)


def grants(store: str, region: str) -> list[Permission]:
    """The grants recorded in account `store`'s Lake Formation."""
    catalog = identity.backend(store, region).grants.get(store)
    return list(catalog.permissions) if catalog else []


def iam_only(table: Table) -> bool:
    """IAM_ALLOWED_PRINCIPALS holds Super on the table: Lake Formation does not govern it."""
    return ("table", table.database, table.name) in iam_allowed(table.catalog, table.region)


def _on_table(resource: dict[str, Any], store: str, table: Table) -> bool:
    named = resource.get("Table") or resource.get("TableWithColumns")
    if not named:
        return False
    return (
        (named.get("CatalogId") or store) == table.catalog
        and named.get("DatabaseName") == table.database
        and (named.get("Name") == table.name or "TableWildcard" in named)
    )


def expand_any(permissions: list[str]) -> set[str]:
    """Permission names with ALL/SUPER spelled out (for any resource kind)."""
    found = set(permissions)
    return found | TABLE_PERMISSIONS if found & {"ALL", "SUPER"} else found


def _expand(permissions: list[str]) -> set[str]:
    found = set(permissions)
    if found & {"ALL", "SUPER"}:
        found |= TABLE_PERMISSIONS
    return found & TABLE_PERMISSIONS


def _columns_matching(expression: list[dict[str, Any]], table: Table) -> set[str]:
    def matches(column: str) -> bool:
        tags = effective_tags(table, column)
        return all(
            set(tags.get(term["TagKey"], [])) & set(term["TagValues"]) for term in expression
        )

    return {c for c in table.columns if matches(c)}


def access_of_grant(grant: Permission, store: str, table: Table) -> Access:
    """What one recorded grant gives on `table`."""
    resource = grant.resource
    permissions = _expand(grant.permissions)
    grantable = _expand(grant.permissions_with_grant_options)
    every = set(table.columns)
    if "Table" in resource and _on_table(resource, store, table):
        columns = every if "SELECT" in permissions else set()
        return Access(permissions, columns, grantable, every if "SELECT" in grantable else set())
    if "TableWithColumns" in resource and _on_table(resource, store, table):
        spec = resource["TableWithColumns"]
        if "ColumnWildcard" in spec:
            excluded = set(spec["ColumnWildcard"].get("ExcludedColumnNames") or [])
            columns = every - excluded
        else:
            columns = every & set(spec.get("ColumnNames") or [])
        columns |= set(table.partition_keys)  # partition keys cannot be filtered out
        selected = columns if "SELECT" in permissions else set()
        return Access(set(), selected, set(), columns if "SELECT" in grantable else set())
    policy = resource.get("LFTagPolicy")
    if policy and policy.get("ResourceType") == "TABLE":
        if (policy.get("CatalogId") or store) != table.catalog:
            return Access()
        matched = _columns_matching(policy.get("Expression") or [], table)
        if not matched:
            return Access()
        if matched != every:  # partial: writes become DESCRIBE, ALL becomes SELECT+DESCRIBE
            permissions = (permissions - WRITE_PERMISSIONS) | {"DESCRIBE"}
            grantable = (grantable - WRITE_PERMISSIONS) | ({"DESCRIBE"} if grantable else set())
        columns = matched if "SELECT" in permissions else set()
        table_level = permissions - {"SELECT"} if matched != every else permissions
        return Access(table_level, columns, grantable, matched if "SELECT" in grantable else set())
    return Access()


def held(store: str, region: str, principals: set[str], table: Table) -> Access:
    """Everything account `store` granted any of `principals` on `table`."""
    found = Access()
    for grant in grants(store, region):
        if grant.principal.get("DataLakePrincipalIdentifier") in principals:
            found.add(access_of_grant(grant, store, table))
    return found


def shares_accepted(owner: str, receiver: str, region: str) -> bool:
    """`receiver` accepted a Lake Formation RAM share from `owner`."""
    # Imported here: the extensions package imports this module (the enforcing extensions).
    from ..extensions.ram_invitations import accepted_shares

    return bool(accepted_shares(ram_backends[owner][region], receiver))


def table_access(who: str, account: str, table: Table) -> Access:
    """What principal `who` of `account` may do with `table`."""
    owner, region = table.catalog, table.region
    if account == owner:
        if iam_only(table):
            return Access.everything(table)  # IAM alone decides (not evaluated here)
        if creator_of(owner, region, "table", table.database, table.name) == who:
            return Access.everything(table)
        found = held(owner, region, {who}, table)
        if identity.is_admin(who, owner, region) or identity.is_read_only_admin(who, owner, region):
            found.permissions.add("DESCRIBE")
        return found
    if iam_only(table) or not shares_accepted(owner, account, region):
        return Access()
    received = received_by(account, table)
    found = held(owner, region, {who}, table)  # granted to the principal directly
    found.add(held(account, region, {who}, table).within(received))
    if identity.is_admin(who, account, region) and received.any:
        found.permissions.add("DESCRIBE")
    return found


def received_by(account: str, table: Table) -> Access:
    """What the owner granted the account itself (the bound of its admin's regrants)."""
    return held(table.catalog, table.region, {account}, table)
