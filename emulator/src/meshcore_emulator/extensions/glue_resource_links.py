"""Creating a Glue resource link needs Lake Formation permission in the caller's catalog.

A table resource link (CreateTable with ``TargetTable``) needs CREATE_TABLE on the database it
is created in: held by data lake admins, by the database's creator, by IAM_ALLOWED_PRINCIPALS on
an IAM-only database, or granted. The target is not checked, and the link grants nothing on it.
https://docs.aws.amazon.com/lake-formation/latest/dg/create-resource-link-table.html
https://docs.aws.amazon.com/lake-formation/latest/dg/resource-links-about.html
"""

from __future__ import annotations

from typing import Any

from moto.glue.models import GlueBackend

from ..caller import current_principal
from ..lakeformation import catalog, identity, permissions
from ._patching import wrap_method
from .lakeformation_grant_authority import AccessDenied


def install() -> None:
    wrap_method(GlueBackend, "create_table", _create_table)


def _create_table(
    original: Any, glue: GlueBackend, database: str, name: str, table_input: Any, *a: Any, **k: Any
) -> Any:
    caller = current_principal()
    if caller is not None and (table_input or {}).get("TargetTable"):
        who = identity.identity(caller)
        owner, region = glue.account_id, glue.region_name
        allowed = (
            identity.is_admin(who, owner, region)
            or catalog.creator_of(owner, region, "database", database) == who
            or ("database", database) in catalog.iam_allowed(owner, region)
            or any(
                g.principal.get("DataLakePrincipalIdentifier") == who
                and (g.resource.get("Database") or {}).get("Name") == database
                and permissions.expand_any(g.permissions) & {"CREATE_TABLE", "ALL", "SUPER"}
                for g in permissions.grants(owner, region)
            )
        )
        if not allowed:
            raise AccessDenied(
                f"Insufficient Lake Formation permission(s): Required Create Table on {database}"
            )
    return original(glue, database, name, table_input, *a, **k)
