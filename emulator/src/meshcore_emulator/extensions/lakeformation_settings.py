"""Lake Formation data lake settings, and the defaults they give new catalog objects.

- PutDataLakeSettings: at most 30 data lake admins and 30 read-only admins;
  CreateDatabaseDefaultPermissions / CreateTableDefaultPermissions are either empty or exactly
  IAM_ALLOWED_PRINCIPALS with ALL; AllowExternalDataFiltering needs a non-empty
  ExternalDataFilteringAllowList (at most 30 accounts); CROSS_ACCOUNT_VERSION is 1 to 4 (the API
  reference's range: the stricter of the two pages).
  https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DataLakeSettings.html
- A database created while CreateDatabaseDefaultPermissions names IAM_ALLOWED_PRINCIPALS is
  governed by IAM alone; its tables follow the database's CreateTableDefaultPermissions (taken
  from the account's setting when the database is created unless given). New accounts start
  IAM-only.
  https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html
- The creator of a database or table holds implicit permissions on it (recorded here).
  https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html

IAM-only objects are remembered in a set (not as moto grants) so that a catalog of thousands of
tables costs nothing per grant; ListPermissions does not list them.
"""

from __future__ import annotations

from typing import Any

from moto.glue.models import GlueBackend
from moto.lakeformation.exceptions import InvalidInput
from moto.lakeformation.models import LakeFormationBackend

from ..caller import current_principal
from ..lakeformation import catalog, identity
from ._patching import wrap_method

MAX_ADMINS = 30
MAX_ALLOW_LIST = 30
CROSS_ACCOUNT_VERSIONS = ("1", "2", "3", "4")
_TABLE_DEFAULTS = "_meshcore_table_defaults"


def install() -> None:
    wrap_method(LakeFormationBackend, "put_data_lake_settings", _put_settings)
    wrap_method(GlueBackend, "create_database", _create_database)
    wrap_method(GlueBackend, "create_table", _create_table)


def _names_iam(defaults: list[dict[str, Any]] | None) -> bool:
    return any(
        d.get("Principal", {}).get("DataLakePrincipalIdentifier") == "IAM_ALLOWED_PRINCIPALS"
        for d in defaults or []
    )


def _valid_defaults(name: str, defaults: Any) -> None:
    if defaults in (None, []):
        return
    ok = (
        isinstance(defaults, list)
        and len(defaults) == 1
        and _names_iam(defaults)
        and set(defaults[0].get("Permissions") or []) == {"ALL"}
    )
    if not ok:
        raise InvalidInput(f"{name} may only be empty or grant ALL to IAM_ALLOWED_PRINCIPALS.")


def _put_settings(
    original: Any, lakeformation: LakeFormationBackend, catalog_id: str, settings: dict[str, Any]
) -> None:
    if catalog_id != lakeformation.account_id:
        raise InvalidInput("CatalogId must be the caller's account.")
    for key in ("DataLakeAdmins", "ReadOnlyAdmins"):
        if len(settings.get(key) or []) > MAX_ADMINS:
            raise InvalidInput(f"{key} can have at most {MAX_ADMINS} principals.")
    for key in ("CreateDatabaseDefaultPermissions", "CreateTableDefaultPermissions"):
        _valid_defaults(key, settings.get(key))
    allow_list = settings.get("ExternalDataFilteringAllowList") or []
    if settings.get("AllowExternalDataFiltering") and not allow_list:
        raise InvalidInput("ExternalDataFilteringAllowList is required with external filtering.")
    if len(allow_list) > MAX_ALLOW_LIST:
        raise InvalidInput(f"ExternalDataFilteringAllowList has at most {MAX_ALLOW_LIST} entries.")
    version = (settings.get("Parameters") or {}).get("CROSS_ACCOUNT_VERSION")
    if version is not None and str(version) not in CROSS_ACCOUNT_VERSIONS:
        raise InvalidInput(
            f"CROSS_ACCOUNT_VERSION must be one of {', '.join(CROSS_ACCOUNT_VERSIONS)}."
        )
    original(lakeformation, catalog_id, settings)


def _caller_identity() -> str | None:
    principal = current_principal()
    return identity.identity(principal) if principal else None


def _create_database(
    original: Any, glue: GlueBackend, name: str, database_input: dict[str, Any], *a: Any, **kw: Any
) -> Any:
    database = original(glue, name, database_input, *a, **kw)
    settings = identity.settings(glue.account_id, glue.region_name)
    if _names_iam(settings.get("CreateDatabaseDefaultPermissions")):
        catalog.iam_allowed(glue.account_id, glue.region_name).add(("database", name))
    table_defaults = database_input.get(
        "CreateTableDefaultPermissions", settings.get("CreateTableDefaultPermissions")
    )
    vars(glue).setdefault(_TABLE_DEFAULTS, {})[name] = _names_iam(table_defaults)
    who = _caller_identity()
    if who:
        catalog.creators(glue.account_id, glue.region_name)[("database", name)] = who
    return database


def _create_table(
    original: Any, glue: GlueBackend, database: str, name: str, *a: Any, **kw: Any
) -> Any:
    table = original(glue, database, name, *a, **kw)
    if vars(glue).get(_TABLE_DEFAULTS, {}).get(database, True):
        # Databases created before this extension, or with IAM-only table defaults.
        catalog.iam_allowed(glue.account_id, glue.region_name).add(("table", database, name))
    who = _caller_identity()
    if who:
        catalog.creators(glue.account_id, glue.region_name)[("table", database, name)] = who
    return table
