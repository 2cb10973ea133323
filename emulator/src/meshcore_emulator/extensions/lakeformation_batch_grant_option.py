"""Lake Formation batch grants and revokes honour PermissionsWithGrantOption.

BatchGrantPermissions and BatchRevokePermissions entries carry the grantable
permissions in ``PermissionsWithGrantOption``, as GrantPermissions does. moto
reads a ``PermissionsWithGrantOptions`` key instead, so batch calls silently
drop the grant option.
"""

from __future__ import annotations

from typing import Any

from moto.lakeformation.models import LakeFormationBackend

from ._patching import wrap_method

_AWS_KEY = "PermissionsWithGrantOption"
_MOTO_KEY = "PermissionsWithGrantOptions"


def install() -> None:
    wrap_method(LakeFormationBackend, "batch_grant_permissions", _with_grant_option)
    wrap_method(LakeFormationBackend, "batch_revoke_permissions", _with_grant_option)


def _with_grant_option(
    original: Any, lakeformation: LakeFormationBackend, catalog_id: str, entries: Any
) -> Any:
    renamed = [
        {**entry, _MOTO_KEY: entry[_AWS_KEY]} if _AWS_KEY in entry else entry
        for entry in entries or []
    ]
    return original(lakeformation, catalog_id, renamed)
