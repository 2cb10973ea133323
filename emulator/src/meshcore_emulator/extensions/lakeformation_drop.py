"""Dropping a database or table drops its Lake Formation permissions and LF-tags.

"Deleting a Data Catalog resource invalidates its permissions … Recreating the same resource
with the same name will not recover Lake Formation permissions" (Lake Formation Developer
Guide, https://docs.aws.amazon.com/lake-formation/latest/dg/granting-catalog-permissions.html).
What becomes of LF-tag assignments is not documented; they are dropped with the resource (the
stricter reading: a recreated table starts untagged). moto keeps both.
"""

from __future__ import annotations

from typing import Any

from moto.glue.models import GlueBackend
from moto.lakeformation.models import lakeformation_backends

from ..lakeformation import catalog
from ._patching import wrap_method


def install() -> None:
    wrap_method(GlueBackend, "delete_table", _delete_table)
    wrap_method(GlueBackend, "delete_database", _delete_database)


def _delete_table(original: Any, glue: GlueBackend, database: str, name: str) -> Any:
    result = original(glue, database, name)
    _forget(glue, database, name)
    return result


def _delete_database(original: Any, glue: GlueBackend, database: str) -> Any:
    tables = list(glue.databases[database].tables) if database in glue.databases else []
    result = original(glue, database)
    for name in tables:
        _forget(glue, database, name)
    _forget(glue, database, None)
    return result


def _forget(glue: GlueBackend, database: str, table: str | None) -> None:
    owner, region = glue.account_id, glue.region_name
    key: tuple[str, ...] = ("table", database, table) if table else ("database", database)
    catalog.creators(owner, region).pop(key, None)
    catalog.iam_allowed(owner, region).discard(key)
    # Grants on it, in the owner's Lake Formation and in every account it was shared with.
    for account in list(lakeformation_backends):
        lf = lakeformation_backends[account][region]
        held = lf.grants.get(account)
        if held is not None:
            for grant in [
                p
                for p in held.permissions
                if _on(
                    grant_of=p.resource,
                    owner=account,
                    catalog_id=owner,
                    database=database,
                    table=table,
                )
            ]:
                held.permissions.discard(grant)
    lf = lakeformation_backends[owner][region]
    if table is None:
        lf.lf_database_tags.pop((owner, database), None)
        return
    lf.lf_table_tags.pop((owner, database, table), None)
    for column in [k for k in lf.lf_columns_tags if k[:3] == (owner, database, table)]:
        lf.lf_columns_tags.pop(column, None)


def _on(
    grant_of: dict[str, Any], owner: str, catalog_id: str, database: str, table: str | None
) -> bool:
    for kind in ("Database", "Table", "TableWithColumns"):
        spec = grant_of.get(kind)
        if not spec or (spec.get("CatalogId") or owner) != catalog_id:
            continue
        if kind == "Database":
            return table is None and spec.get("Name") == database
        if spec.get("DatabaseName") != database:
            return False
        return table is None or spec.get("Name") == table
    return False
