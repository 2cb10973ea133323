"""Lake Formation decides who may grant and revoke, and on what.

- Only data lake admins, the creator of a database or table, and holders of a permission WITH
  GRANT OPTION may grant or revoke it; anyone else gets AccessDeniedException.
  https://docs.aws.amazon.com/lake-formation/latest/dg/lake-formation-permissions.html
  https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html
- A grant on a database, table, column or LF-tag that does not exist is refused
  (EntityNotFoundException; a column that does not exist: InvalidInputException, the docs are
  silent and refusing is the stricter reading). PermissionsWithGrantOption must be a subset of
  Permissions; TableWithColumns carries SELECT only; DATA_LOCATION_ACCESS needs a registered
  location. https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GrantPermissions.html
  https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_TableWithColumnsResource.html
- Grants to an IAM principal of another account need cross-account version 3 or later and
  cannot carry the grant option; LF-tag expression grants to another account need version 3.
  https://docs.aws.amazon.com/lake-formation/latest/dg/optimize-ram.html
- An account that received a resource may grant it only to its own principals, only what it
  received with the grant option, only through its data lake admin, and never the grant option
  itself (passing it on and re-sharing to a third account are not documented: refused).
  https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-read-data.html
- Revoking what is not held: InvalidInputException "No permissions revoked".
- BatchGrantPermissions / BatchRevokePermissions report each refused entry in ``Failures``.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.lakeformation.exceptions import EntityNotFound, InvalidInput
from moto.lakeformation.models import LakeFormationBackend, Permission
from moto.lakeformation.responses import LakeFormationResponse

from ..caller import current_principal
from ..lakeformation import catalog, identity, permissions
from ._patching import wrap_method

IAM_ALLOWED = identity.IAM_ALLOWED_PRINCIPALS


class AccessDenied(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("AccessDeniedException", message)


def install() -> None:
    wrap_method(LakeFormationBackend, "grant_permissions", _grant)
    wrap_method(LakeFormationBackend, "revoke_permissions", _revoke)
    wrap_method(LakeFormationBackend, "batch_grant_permissions", _batch_grant)
    wrap_method(LakeFormationBackend, "batch_revoke_permissions", _batch_revoke)
    wrap_method(LakeFormationResponse, "batch_grant_permissions", _batch_grant_response)
    wrap_method(LakeFormationResponse, "batch_revoke_permissions", _batch_revoke_response)


# -- the single calls ---------------------------------------------------------------------------


def _bound(original: Any, lf: LakeFormationBackend, args: Any, kwargs: Any) -> list[Any]:
    """(catalog id, principal, resource, permissions, grantable), however moto passed them."""
    values = inspect.signature(original).bind(lf, *args, **kwargs).arguments
    catalog_id, principal, resource, perms, grantable = list(values.values())[1:6]
    return [catalog_id, principal or {}, resource or {}, list(perms or []), list(grantable or [])]


def _grant(original: Any, lf: LakeFormationBackend, *args: Any, **kwargs: Any) -> Any:
    catalog_id, principal, resource, perms, grantable = _bound(original, lf, args, kwargs)
    _authorise(lf, catalog_id, principal, resource, perms, grantable, granting=True)
    key = _iam_key(resource)
    if principal.get("DataLakePrincipalIdentifier") == IAM_ALLOWED and key:
        catalog.iam_allowed(lf.account_id, lf.region_name).add(key)
        return None
    return original(lf, catalog_id, principal, resource, perms, grantable)


def _revoke(original: Any, lf: LakeFormationBackend, *args: Any, **kwargs: Any) -> Any:
    catalog_id, principal, resource, perms, grantable = _bound(original, lf, args, kwargs)
    _authorise(lf, catalog_id, principal, resource, perms, grantable, granting=False)
    key = _iam_key(resource)
    if principal.get("DataLakePrincipalIdentifier") == IAM_ALLOWED and key:
        allowed = catalog.iam_allowed(lf.account_id, lf.region_name)
        if key not in allowed:
            raise InvalidInput("No permissions revoked.")
        allowed.discard(key)
        return None
    wanted = Permission(principal, resource, perms, grantable)
    held = lf.grants.get(lf.account_id)
    match = next(
        (p for p in (held.permissions if held else ()) if p.equal_principal_and_resouce(wanted)),
        None,
    )
    if match is None or not (
        set(perms) & set(match.permissions)
        or set(grantable) & set(match.permissions_with_grant_options)
    ):
        raise InvalidInput("No permissions revoked.")
    return original(lf, catalog_id, principal, resource, perms, grantable)


def _iam_key(resource: dict[str, Any]) -> tuple[str, ...] | None:
    if "Database" in resource:
        return ("database", resource["Database"]["Name"])
    if "Table" in resource and "Name" in resource["Table"]:
        return ("table", resource["Table"]["DatabaseName"], resource["Table"]["Name"])
    return None


# -- batches: each entry alone ------------------------------------------------------------------


def _entry_failures(lf: LakeFormationBackend, method: Any, catalog_id: str, entries: Any) -> Any:
    failures = []
    for entry in entries or []:
        try:
            method(
                lf,
                catalog_id,
                entry.get("Principal") or {},
                entry.get("Resource") or {},
                entry.get("Permissions") or [],
                entry.get("PermissionsWithGrantOption") or [],
            )
        except JsonRESTError as error:
            failures.append(
                {
                    "RequestEntry": entry,
                    "Error": {"ErrorCode": error.error_type, "ErrorMessage": error.message},
                }
            )
    return failures


def _batch_grant(_original: Any, lf: LakeFormationBackend, catalog_id: str, entries: Any) -> Any:
    return _entry_failures(lf, LakeFormationBackend.grant_permissions, catalog_id, entries)


def _batch_revoke(_original: Any, lf: LakeFormationBackend, catalog_id: str, entries: Any) -> Any:
    return _entry_failures(lf, LakeFormationBackend.revoke_permissions, catalog_id, entries)


def _batch_grant_response(_original: Any, response: LakeFormationResponse) -> str:
    catalog_id = response._get_param("CatalogId") or response.current_account
    batch: Any = response.lakeformation_backend.batch_grant_permissions  # wrapped: failures
    failures = batch(catalog_id, response._get_param("Entries"))
    return json.dumps({"Failures": failures or []})


def _batch_revoke_response(_original: Any, response: LakeFormationResponse) -> str:
    catalog_id = response._get_param("CatalogId") or response.current_account
    batch: Any = response.lakeformation_backend.batch_revoke_permissions  # wrapped: failures
    failures = batch(catalog_id, response._get_param("Entries"))
    return json.dumps({"Failures": failures or []})


# -- who may, on what ---------------------------------------------------------------------------


def _authorise(
    lf: LakeFormationBackend,
    catalog_id: str,
    principal: dict[str, str],
    resource: dict[str, Any],
    perms: list[str],
    grantable: list[str],
    granting: bool,
) -> None:
    store, region = lf.account_id, lf.region_name
    if catalog_id != store:
        raise AccessDenied("Grants are made in the caller's own catalog.")
    if granting and not set(grantable) <= set(perms):
        raise InvalidInput("Permissions with grant option should be a subset of permissions.")
    caller = current_principal()
    if caller is None:
        return  # the emulator itself (no signed request)
    who = identity.identity(caller)
    target = principal.get("DataLakePrincipalIdentifier", "")
    target_account = identity.account_of(target)
    external = target_account is not None and target_account != store
    owner = _owner(resource, store)
    if granting:
        _validate(resource, owner, region, perms)
    if granting and external:
        version = identity.cross_account_version(store, region)
        if not target.isdigit() and (version < 3 or grantable):
            raise InvalidInput(
                "Cross-account grants to IAM principals need cross-account version 3 or later "
                "and cannot include the grant option."
            )
        if "LFTagPolicy" in resource and version < 3:
            raise InvalidInput("LF-tag grants to another account need cross-account version 3.")
    if owner == store:
        if not _may_grant_own(who, store, region, resource, perms):
            raise AccessDenied(_denied(resource))
        return
    if external or grantable:
        raise AccessDenied("A received resource can be granted only to the account's principals.")
    if not identity.is_admin(who, store, region) or not _received_grantable(
        store, owner, region, resource, perms
    ):
        raise AccessDenied(_denied(resource))


def _owner(resource: dict[str, Any], store: str) -> str:
    for kind in ("Database", "Table", "TableWithColumns", "LFTagPolicy", "LFTag", "DataLocation"):
        if kind in resource:
            return str(resource[kind].get("CatalogId") or store)
    return store


def _denied(resource: dict[str, Any]) -> str:
    return f"Insufficient Lake Formation permission(s) to grant on {json.dumps(resource)}"


def _table_of(resource: dict[str, Any], owner: str, region: str) -> catalog.Table | None:
    spec = resource.get("Table") or resource.get("TableWithColumns") or {}
    if not spec.get("Name"):
        return None
    return catalog.find_table(owner, region, spec["DatabaseName"], spec["Name"])


def _validate(resource: dict[str, Any], owner: str, region: str, perms: list[str]) -> None:
    if "Database" in resource:
        if catalog.glue_database(owner, region, resource["Database"]["Name"]) is None:
            raise EntityNotFound
    elif "Table" in resource or "TableWithColumns" in resource:
        spec = resource.get("Table") or resource["TableWithColumns"]
        if catalog.glue_database(owner, region, spec["DatabaseName"]) is None:
            raise EntityNotFound
        table = _table_of(resource, owner, region)
        if spec.get("Name") and table is None:
            raise EntityNotFound
        if "TableWithColumns" in resource and table is not None:
            _validate_columns(spec, table, perms)
    elif "LFTagPolicy" in resource:
        for term in resource["LFTagPolicy"].get("Expression") or []:
            _tag_exists(owner, region, term["TagKey"], term.get("TagValues") or [])
    elif "LFTag" in resource:
        _tag_exists(owner, region, resource["LFTag"]["TagKey"], resource["LFTag"]["TagValues"])
    elif "DataLocation" in resource:
        arn = resource["DataLocation"]["ResourceArn"]
        if catalog.registered_location(owner, region, "s3://" + arn.split(":::", 1)[-1]) is None:
            raise InvalidInput(f"{arn} is not registered with Lake Formation.")


def _validate_columns(spec: dict[str, Any], table: catalog.Table, perms: list[str]) -> None:
    if set(perms) - {"SELECT"}:
        raise InvalidInput("TableWithColumns permits only SELECT.")
    if "ColumnNames" not in spec and "ColumnWildcard" not in spec:
        raise InvalidInput("TableWithColumns needs ColumnNames or ColumnWildcard.")
    named = set(spec.get("ColumnNames") or []) | set(
        (spec.get("ColumnWildcard") or {}).get("ExcludedColumnNames") or []
    )
    unknown = sorted(named - set(table.columns))
    if unknown:
        raise InvalidInput(f"Column(s) {', '.join(unknown)} do not exist in {table.name}.")


def _tag_exists(owner: str, region: str, key: str, values: list[str]) -> None:
    declared = identity.backend(owner, region).list_lf_tags(owner).get(key)
    if not declared or not set(values) <= set(declared):
        raise EntityNotFound


def _may_grant_own(
    who: str, store: str, region: str, resource: dict[str, Any], perms: list[str]
) -> bool:
    if identity.is_admin(who, store, region):
        return True
    table = _table_of(resource, store, region)
    if table is not None:
        if catalog.creator_of(store, region, "table", table.database, table.name) == who:
            return True
        held = permissions.held(store, region, {who}, table)
        wanted = set(perms)
        if "TableWithColumns" in resource:
            return "SELECT" in wanted and bool(held.grantable_columns)
        return wanted <= held.grantable | ({"SELECT"} if held.grantable_columns else set())
    if "Database" in resource:
        name = resource["Database"]["Name"]
        if catalog.creator_of(store, region, "database", name) == who:
            return True
        return _holds_grantable(store, region, who, resource, perms)
    return _holds_grantable(store, region, who, resource, perms)


def _holds_grantable(
    store: str, region: str, who: str, resource: dict[str, Any], perms: list[str]
) -> bool:
    """A grant to `who` (or to the account `who`) on exactly this resource, with the option."""
    return any(
        g.principal.get("DataLakePrincipalIdentifier") == who
        and _same(g.resource, resource, store)
        and set(perms) <= set(permissions.expand_any(g.permissions_with_grant_options))
        for g in permissions.grants(store, region)
    )


def _same(held: dict[str, Any], wanted: dict[str, Any], store: str) -> bool:
    def normal(resource: dict[str, Any]) -> str:
        copy = json.loads(json.dumps(resource))
        for spec in copy.values():
            if isinstance(spec, dict):
                spec.setdefault("CatalogId", store)
        return json.dumps(copy, sort_keys=True)

    return normal(held) == normal(wanted)


def _received_grantable(
    store: str, owner: str, region: str, resource: dict[str, Any], perms: list[str]
) -> bool:
    """What `owner` granted account `store` with the grant option, once accepted, covers this."""
    if not permissions.shares_accepted(owner, store, region):
        return False
    table = _table_of(resource, owner, region)
    if table is not None:
        received = permissions.received_by(store, table)
        wanted = set(perms)
        if "SELECT" in wanted and not received.grantable_columns:
            return False
        return wanted - {"SELECT"} <= received.grantable
    return _holds_grantable(owner, region, store, resource, perms)
