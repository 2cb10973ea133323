"""Lake Formation cross-account grants are shared through AWS RAM.

With the current cross-account data sharing versions, a grant on a Data Catalog
database or table to another account (or to an IAM principal in another
account) makes Lake Formation add the resource to a RAM resource share it owns
in the granting account, naming the receiving account as principal; the
receiver gets a RAM invitation. From cross-account version 3 on, LF-tag expression grants to
another account go through RAM too (the share names the catalog). Since version 2 Lake Formation maps several
grants to one share; the emulator keeps one share per receiving account.
ListPermissions then reports the share under ``AdditionalDetails.ResourceShare``.
moto records the grant only.

Revoking keeps the share and its resources, as Lake Formation leaves existing
RAM shares in place; the permission itself is removed by moto.

A grant of a permission the receiver did not hold (on that principal and resource) associates
the receiver with the share again; RAM sends a new invitation when its last one expired or was
rejected (``ram_invitations``). Granting what the receiver already holds changes nothing in RAM:
the stricter reading, since AWS documents no re-invitation for it; to share a grant again after
its invitation expired, revoke it, then grant it. (moto merges a grant into a held permission
in place, changing its hash inside a set, so that a later revoke failed; the merge is made with
the permission taken out of the set.)
"""

from __future__ import annotations

from typing import Any

from moto.lakeformation.models import LakeFormationBackend, Permission, PermissionCatalog
from moto.moto_api._internal import mock_random
from moto.ram.models import ResourceShare, ram_backends
from moto.utilities.utils import get_partition

from ._patching import wrap_method
from .ram_invitations import account_of

SHARE_NAME_PREFIX = "LakeFormation-V4-"


def install() -> None:
    wrap_method(LakeFormationBackend, "grant_permissions", _grant_permissions)
    wrap_method(LakeFormationBackend, "list_permissions", _list_permissions)
    wrap_method(PermissionCatalog, "add_permission", _add_permission)


def _add_permission(_original: Any, catalog: PermissionCatalog, permission: Permission) -> None:
    for held in list(catalog.permissions):
        if permission.equal_principal_and_resouce(held):
            catalog.permissions.remove(held)  # before merging changes its hash
            held.merge(permission)
            catalog.permissions.add(held)
            return
    catalog.permissions.add(permission)


def _grant_permissions(
    original: Any,
    lakeformation: LakeFormationBackend,
    catalog_id: str,
    principal: dict[str, str],
    resource: dict[str, Any],
    *args: Any,
    **kwargs: Any,
) -> Any:
    fresh = not _held(lakeformation, catalog_id, principal, resource)
    result = original(lakeformation, catalog_id, principal, resource, *args, **kwargs)
    receiver = _receiving_account(lakeformation, principal)
    arn = _resource_arn(lakeformation, catalog_id, resource)
    if receiver is not None and arn is not None:
        share = _share_for(lakeformation, receiver)
        if share is None:
            ram = ram_backends[lakeformation.account_id][lakeformation.region_name]
            name = f"{SHARE_NAME_PREFIX}{mock_random.get_random_hex(10).upper()}"
            ram.create_resource_share(name=name, principals=[receiver], resourceArns=[arn])
            return result
        if arn not in share.resource_arns:
            share.add_resources([arn])
        if fresh:
            share.add_principals([receiver])  # invites anew only when the last one lapsed
    return result


def _held(
    lakeformation: LakeFormationBackend,
    catalog_id: str,
    principal: dict[str, str],
    resource: dict[str, Any],
) -> bool:
    """`principal` holds some permission on exactly `resource` already."""
    catalog = lakeformation.grants.get(catalog_id)
    if catalog is None:
        return False
    probe = Permission(
        principal=principal, resource=resource, permissions=[], permissions_with_grant_options=[]
    )
    return any(probe.equal_principal_and_resouce(held) for held in catalog.permissions)


def _list_permissions(
    original: Any, lakeformation: LakeFormationBackend, *a: Any, **kw: Any
) -> Any:
    permissions: list[dict[str, Any]] = original(lakeformation, *a, **kw)
    for permission in permissions:
        receiver = _receiving_account(lakeformation, permission["Principal"])
        arn = _resource_arn(lakeformation, lakeformation.account_id, permission["Resource"])
        share = _share_for(lakeformation, receiver) if receiver else None
        if share is not None and arn in share.resource_arns:
            permission["AdditionalDetails"] = {"ResourceShare": [share.arn]}
    return permissions


def _receiving_account(
    lakeformation: LakeFormationBackend, principal: dict[str, str]
) -> str | None:
    account = account_of(principal.get("DataLakePrincipalIdentifier", ""))
    return account if account and account != lakeformation.account_id else None


def _resource_arn(
    lakeformation: LakeFormationBackend, catalog_id: str, resource: dict[str, Any]
) -> str | None:
    """ARN of the catalog database or table granted on; None for other resources
    and for resources owned by another account (those are not re-shared here)."""
    if "Database" in resource:
        owner = resource["Database"].get("CatalogId") or catalog_id
        path = f"database/{resource['Database']['Name']}"
    elif "Table" in resource or "TableWithColumns" in resource:
        table = resource.get("Table") or resource["TableWithColumns"]
        owner = table.get("CatalogId") or catalog_id
        name = table.get("Name") or "*"  # TableWildcard: every table of the database
        path = f"table/{table['DatabaseName']}/{name}"
    elif "LFTagPolicy" in resource:
        # Since version 3 an LF-tag grant to another account is shared through RAM as well;
        # the share names the catalog, whose matching objects the receiver then sees.
        owner = resource["LFTagPolicy"].get("CatalogId") or catalog_id
        path = "catalog/"
    else:
        return None
    if owner != lakeformation.account_id:
        return None
    region = lakeformation.region_name
    return f"arn:{get_partition(region)}:glue:{region}:{owner}:{path}"


def _share_for(lakeformation: LakeFormationBackend, receiver: str) -> ResourceShare | None:
    ram = ram_backends[lakeformation.account_id][lakeformation.region_name]
    for share in ram.resource_shares:
        if (
            share.name.startswith(SHARE_NAME_PREFIX)
            and share.status == "ACTIVE"
            and receiver in share.principals
        ):
            return share
    return None
