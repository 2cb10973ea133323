"""Glue GetTable and GetTables answer as Lake Formation lets the caller see.

For a table Lake Formation governs, a caller with no permission on it gets
AccessDeniedException (GetTables leaves it out); a caller with column-limited SELECT only sees
the permitted columns, with ``spark.sql.sources.schema*`` parameters removed (other parameters
are returned unmodified, as AWS does). Admins and read-only admins (DESCRIBE), the table's
creator and holders of any table-level permission see it whole; so does everyone for a table
governed by IAM alone. A resource link is a table like any other here: only its creator, admins
and principals granted on it see it. GetTable with another account's ``CatalogId`` reads that catalog, as
Lake Formation allows for tables shared with the caller. https://docs.aws.amazon.com/lake-formation/latest/dg/limitations.html
https://docs.aws.amazon.com/lake-formation/latest/dg/resource-links-glue-apis.html
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.glue.exceptions import TableNotFoundException
from moto.glue.models import FakeTable, glue_backends
from moto.glue.responses import GlueResponse

from ..caller import current_principal
from ..lakeformation import catalog, identity, permissions
from ._patching import wrap_method
from .lakeformation_grant_authority import AccessDenied

_SPARK_SCHEMA = "spark.sql.sources.schema"


def install() -> None:
    wrap_method(GlueResponse, "get_table", _get_table)
    wrap_method(GlueResponse, "get_tables", _get_tables)


def _visible(fake: FakeTable, owner: str, region: str) -> dict[str, Any] | None:
    """The table as the caller may see it; None when it may not see it at all."""
    described: dict[str, Any] = fake.as_dict()
    principal = current_principal()
    if principal is None:
        return described  # the emulator itself
    who = identity.identity(principal)
    if principal.account == owner and (
        ("table", fake.database_name, fake.name) in catalog.iam_allowed(owner, region)
        or catalog.creator_of(owner, region, "table", fake.database_name, fake.name) == who
        or identity.is_admin(who, owner, region)
        or identity.is_read_only_admin(who, owner, region)
    ):
        return described
    table = catalog.find_table(owner, region, fake.database_name, fake.name)
    if table is None:
        return None
    access = permissions.table_access(who, principal.account, table)
    if access.permissions:
        return described
    if not access.columns:
        return None
    sd = dict(described.get("StorageDescriptor") or {})
    sd["Columns"] = [c for c in sd.get("Columns") or [] if c["Name"] in access.columns]
    params = {
        k: v
        for k, v in (described.get("Parameters") or {}).items()
        if not k.startswith(_SPARK_SCHEMA)
    }
    return described | {"StorageDescriptor": sd, "Parameters": params}


def _get_table(original: Any, response: GlueResponse) -> Any:
    params = response.parameters
    owner = params.get("CatalogId") or response.current_account
    if current_principal() is None:
        return original(response)
    backend = glue_backends[owner][response.region]
    fake = backend.get_table(str(params.get("DatabaseName")), str(params.get("Name")))
    seen = _visible(fake, owner, response.region)
    if seen is None:
        if owner != response.current_account:
            raise TableNotFoundException(fake.name)  # not shared with the caller
        raise AccessDenied(f"Insufficient Lake Formation permission(s) on {fake.name}")
    return ActionResult({"Table": seen})


def _get_tables(original: Any, response: GlueResponse) -> Any:
    result = original(response)
    if current_principal() is None:
        return result
    owner, region = response.current_account, response.region
    database = glue_backends[owner][region].get_database(str(response.parameters["DatabaseName"]))
    shown = []
    for described in result.result.get("TableList", []):  # type: ignore[attr-defined]
        fake = database.tables.get(described["Name"])
        seen = _visible(fake, owner, region) if fake else None
        if seen is not None:
            shown.append(seen)
    return ActionResult({**result.result, "TableList": shown})  # type: ignore[dict-item]
