"""Lake Formation in memory (port: `meshcore.aws.ports.Permissions`).

Grants are kept per principal and resource, as ListPermissions reports them. A grant to another
account rides one RAM share per account, as Lake Formation's cross-account sharing (version 3
and later) does; a consumer fake registered in `consumers` receives its invitation. A grant of
a permission the principal did not hold associates its account with the share again: a new
invitation when the last one expired (granting what is held changes nothing in RAM).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from meshcore.aws.ports import PermissionEntry, Row
from meshcore.domain.errors import NotFoundError

from .consumer import FakeConsumerShares
from .glue import FakeCatalog

REGION = "us-east-1"
Key = tuple[str, str]  # principal, resource as canonical JSON


def _canonical(resource: Mapping[str, Any]) -> str:
    return json.dumps(resource, sort_keys=True)


def _account(principal: str) -> str:
    """The account of a Lake Formation principal: an account id, or an IAM ARN's account."""
    return principal.split(":")[4] if principal.startswith("arn:") else principal


class FakePermissions:
    def __init__(
        self,
        catalog_id: str = "123456789012",
        catalog: FakeCatalog | None = None,
        consumers: Mapping[str, FakeConsumerShares] | None = None,
    ) -> None:
        self.catalog_id = catalog_id
        self.catalog = catalog  # when given, grants on tables it lacks are refused
        self.consumers = dict(consumers or {})
        self.granted: dict[Key, tuple[set[str], set[str]]] = {}
        self.shares: dict[str, str] = {}  # grantee account -> share ARN
        self.locations: list[str] = []
        self.tags: dict[tuple[str, str], dict[str, dict[str, list[str]]]] = {}
        self.table_level: dict[tuple[str, str], dict[str, list[str]]] = {}

    # -- arranging what happens outside the port --------------------------------------------

    def register(self, location: str) -> None:
        self.locations.append(location.rstrip("/") + "/")

    def drop_table(self, database: str, table: str) -> None:
        """A table was dropped: Lake Formation drops every permission on it."""
        for key in list(self.granted):
            named = json.loads(key[1])
            found = named.get("Table") or named.get("TableWithColumns") or {}
            if (found.get("DatabaseName"), found.get("Name")) == (database, table):
                del self.granted[key]
        self.tags.pop((database, table), None)

    def tag_column(self, database: str, table: str, column: str, key: str, value: str) -> None:
        self.tags.setdefault((database, table), {}).setdefault(column, {})[key] = [value]

    def tag_table(self, database: str, table: str, key: str, value: str) -> None:
        self.table_level.setdefault((database, table), {})[key] = [value]

    # -- the port ---------------------------------------------------------------------------

    async def grant(self, entries: list[PermissionEntry]) -> None:
        for entry in entries:
            self._check_exists(entry["Resource"])
        for entry in entries:
            principal = entry["Principal"]["DataLakePrincipalIdentifier"]
            key = (principal, _canonical(entry["Resource"]))
            fresh = key not in self.granted
            permissions, grantable = self.granted.setdefault(key, (set(), set()))
            permissions.update(entry["Permissions"])
            grantable.update(entry.get("PermissionsWithGrantOption", []))
            self._share_with(principal, fresh)

    async def revoke(self, entries: list[PermissionEntry]) -> None:
        for entry in entries:
            principal = entry["Principal"]["DataLakePrincipalIdentifier"]
            key = (principal, _canonical(entry["Resource"]))
            if key not in self.granted:
                continue
            permissions, grantable = self.granted[key]
            permissions.difference_update(entry["Permissions"])
            grantable.difference_update(entry.get("PermissionsWithGrantOption", []))
            if not permissions:
                del self.granted[key]

    async def permissions_of(self, principal: str) -> list[Row]:
        return [
            self._row(p, json.loads(resource), permissions, grantable)
            for (p, resource), (permissions, grantable) in self.granted.items()
            if p == principal
        ]

    async def all_permissions(self) -> list[Row]:
        return [
            self._row(p, json.loads(resource), permissions, grantable)
            for (p, resource), (permissions, grantable) in self.granted.items()
        ]

    async def registered_locations(self) -> list[str]:
        return list(self.locations)

    async def column_tags(
        self, catalog_id: str, database: str, table: str
    ) -> dict[str, dict[str, list[str]]]:
        return (await self.table_tags(catalog_id, database, table))[1]

    async def table_tags(
        self, catalog_id: str, database: str, table: str
    ) -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
        if self.catalog is not None and (database, table) not in self.catalog.tables:
            raise NotFoundError(f"lakeformation:GetResourceLFTags {database}.{table}: not found")
        on_table = {k: list(v) for k, v in self.table_level.get((database, table), {}).items()}
        found = self.tags.get((database, table), {})
        return on_table, {c: {k: list(v) for k, v in keys.items()} for c, keys in found.items()}

    async def shares_for(self, principal: str) -> list[str]:
        rows = await self.permissions_of(principal)
        return list(dict.fromkeys(a for r in rows for a in r["AdditionalDetails"]["ResourceShare"]))

    async def share_arns(
        self, principal: str, catalog_id: str, database: str, table: str
    ) -> list[str]:
        named = {"CatalogId": catalog_id, "DatabaseName": database, "Name": table}
        arns: list[str] = []
        for row in await self.permissions_of(principal):
            resource = row["Resource"].get("Table") or row["Resource"].get("TableWithColumns")
            if resource and all(resource.get(k) == v for k, v in named.items()):
                arns += [a for a in row["AdditionalDetails"]["ResourceShare"] if a not in arns]
        return arns

    # -- helpers ----------------------------------------------------------------------------

    def _check_exists(self, resource: Mapping[str, Any]) -> None:
        named = resource.get("Table") or resource.get("TableWithColumns")
        if self.catalog is None or not named:
            return
        if (named["DatabaseName"], named["Name"]) not in self.catalog.tables:
            name = f"{named['DatabaseName']}.{named['Name']}"
            raise NotFoundError(f"lakeformation:BatchGrantPermissions: no table {name}")

    def _share_with(self, principal: str, fresh: bool) -> None:
        account = _account(principal)
        if account == self.catalog_id or (account in self.shares and not fresh):
            return
        arn = f"arn:aws:ram:{REGION}:{self.catalog_id}:resource-share/lf-{account}"
        self.shares[account] = arn
        if account in self.consumers:
            self.consumers[account].offer(arn)

    def _row(
        self, principal: str, resource: Row, permissions: set[str], grantable: set[str]
    ) -> Row:
        share = self.shares.get(_account(principal))
        return {
            "Principal": {"DataLakePrincipalIdentifier": principal},
            "Resource": resource,
            "Permissions": sorted(permissions),
            "PermissionsWithGrantOption": sorted(grantable),
            "AdditionalDetails": {"ResourceShare": [share] if share else []},
        }
