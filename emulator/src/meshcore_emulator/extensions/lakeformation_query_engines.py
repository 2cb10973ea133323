"""What query engines ask Lake Formation: the columns a principal may read, and S3 credentials.

- Glue GetUnfilteredTableMetadata answers, for the calling principal, the table, its
  ``AuthorizedColumns``, ``IsRegisteredWithLakeFormation`` and the permissions held; no
  permission at all is AccessDeniedException; an engine that does not support column
  permissions (``SupportedPermissionTypes``) gets PermissionTypeMismatchException.
  https://docs.aws.amazon.com/glue/latest/webapi/API_GetUnfilteredTableMetadata.html
  https://docs.aws.amazon.com/lake-formation/latest/dg/api-overview.html
- Lake Formation GetTemporaryGlueTableCredentials vends credentials of the location's
  registration role for the table's S3 path, only to a principal holding the permissions asked
  for, only for a registered location (what AWS answers for an unregistered one is not
  documented: refused with InvalidInputException), for 900 to 43,200 seconds.
  https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GetTemporaryGlueTableCredentials.html
- Both are for trusted engines only: the caller's account allows external data filtering, lists
  itself in ExternalDataFilteringAllowList, and the caller's session carries the tag
  ``LakeFormationAuthorizedCaller`` with a value of AuthorizedSessionTagValueList; or the
  account allows full-table external access and the caller may read every column.
  https://docs.aws.amazon.com/lake-formation/latest/dg/permitting-third-party-call.html
  https://docs.aws.amazon.com/lake-formation/latest/dg/using-cred-vending.html
- A resource link is followed once, to its target.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.glue.models import glue_backends
from moto.glue.responses import GlueResponse
from moto.lakeformation import urls as lakeformation_urls
from moto.lakeformation.exceptions import EntityNotFound, InvalidInput
from moto.lakeformation.responses import LakeFormationResponse
from moto.sts.models import sts_backends

from ..caller import current_principal
from ..lakeformation import catalog, identity, permissions
from ..lakeformation.catalog import Table
from ..principals import Principal
from ._patching import add_method
from .lakeformation_grant_authority import AccessDenied

_ROUTES = {"{0}/GetTemporaryGlueTableCredentials$": LakeFormationResponse.dispatch}
_TABLE_ARN = re.compile(r"^arn:aws[\w-]*:glue:([\w-]+):(\d{12}):table/([^/]+)/(.+)$")
MIN_DURATION, MAX_DURATION, DEFAULT_DURATION = 900, 43200, 3600


class PermissionTypeMismatch(JsonRESTError):
    def __init__(self) -> None:
        super().__init__(
            "PermissionTypeMismatchException",
            "The engine does not support the permission type the table's policy needs.",
        )


def install() -> None:
    lakeformation_urls.url_paths.update(_ROUTES)
    add_method(GlueResponse, "get_unfiltered_table_metadata", _unfiltered_table_metadata)
    add_method(
        LakeFormationResponse, "get_temporary_glue_table_credentials", _temporary_credentials
    )


def _caller() -> tuple[Principal, str]:
    principal = current_principal()
    if principal is None:
        raise AccessDenied("Unsigned request.")
    return principal, identity.identity(principal)


def _resolve(catalog_id: str, region: str, database: str, name: str) -> Table:
    table = catalog.find_table(catalog_id, region, database, name)
    if table is not None and table.target:
        target = table.target
        table = catalog.find_table(
            target.get("CatalogId") or catalog_id,
            region,
            target["DatabaseName"],
            target["Name"],
        )
    if table is None:
        raise EntityNotFound
    return table


def _authorise(
    principal: Principal, who: str, table: Table, supported: list[str]
) -> permissions.Access:
    access = permissions.table_access(who, principal.account, table)
    if not access.any:
        raise AccessDenied(f"Insufficient Lake Formation permission(s) on {table.name}")
    full = set(table.columns) <= access.columns
    settings = identity.settings(principal.account, table.region)
    allow_list = {
        e.get("DataLakePrincipalIdentifier")
        for e in settings.get("ExternalDataFilteringAllowList") or []
    }
    tag = identity.session_tags(principal).get(identity.AUTHORIZED_CALLER_TAG)
    trusted = (
        bool(settings.get("AllowExternalDataFiltering"))
        and principal.account in allow_list
        and tag is not None
        and tag in (settings.get("AuthorizedSessionTagValueList") or [])
    )
    if not trusted and not (settings.get("AllowFullTableExternalDataAccess") and full):
        raise AccessDenied("The caller is not a query engine this account trusts.")
    if not full and "COLUMN_PERMISSION" not in supported:
        raise PermissionTypeMismatch()
    return access


def _unfiltered_table_metadata(response: GlueResponse) -> ActionResult:
    params = response.parameters
    principal, who = _caller()
    catalog_id = params.get("CatalogId") or response.current_account
    table = _resolve(catalog_id, response.region, params["DatabaseName"], params["Name"])
    access = _authorise(principal, who, table, params.get("SupportedPermissionTypes") or [])
    described = glue_backends[table.catalog][table.region].get_table(table.database, table.name)
    registered = catalog.registered_location(table.catalog, table.region, table.location)
    return ActionResult(
        {
            "Table": described.as_dict(),
            "AuthorizedColumns": [c for c in table.columns if c in access.columns],
            "IsRegisteredWithLakeFormation": registered is not None,
            "CellFilters": [],
            "Permissions": sorted(access.permissions | ({"SELECT"} if access.columns else set())),
        }
    )


def _temporary_credentials(response: LakeFormationResponse) -> str:
    principal, who = _caller()
    match = _TABLE_ARN.match(response._get_param("TableArn") or "")
    if match is None:
        raise InvalidInput("TableArn is not a Glue table ARN.")
    region, owner, database, name = match.groups()
    wanted = set(response._get_param("Permissions") or [])
    duration = int(response._get_param("DurationSeconds") or DEFAULT_DURATION)
    if not wanted:
        raise InvalidInput("Permissions are required.")
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise InvalidInput(f"DurationSeconds must be {MIN_DURATION} to {MAX_DURATION}.")
    table = _resolve(owner, region, database, name)
    supported = response._get_param("SupportedPermissionTypes") or ["COLUMN_PERMISSION"]
    access = _authorise(principal, who, table, supported)
    held = access.permissions | ({"SELECT"} if access.columns else set())
    if not wanted <= held:
        raise AccessDenied(f"Insufficient Lake Formation permission(s) on {table.name}")
    registration = catalog.registered_location(table.catalog, table.region, table.location)
    if registration is None:
        raise InvalidInput(f"The location of {table.name} is not registered with Lake Formation.")
    sts = sts_backends[table.catalog]["aws"]
    vended = sts.assume_role(
        region_name=region,
        role_session_name="lakeformation-vended",
        role_arn=registration["RoleArn"],
        policy="",
        duration=duration,
        external_id="",
    )
    from .. import vended_credentials

    vended_credentials.remember(vended.access_key_id, table.location)
    return json.dumps(
        {
            "AccessKeyId": vended.access_key_id,
            "SecretAccessKey": vended.secret_access_key,
            "SessionToken": vended.session_token,
            "Expiration": (utcnow() + timedelta(seconds=duration)).timestamp(),
            "VendedS3Path": [table.location],
        }
    )
