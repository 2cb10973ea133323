"""Who a caller is to Lake Formation, and who administers an account's data lake.

Lake Formation names principals by IAM ARN: an assumed role is its role
(``arn:aws:iam::A:role/R``), an IAM user its user ARN. Credentials moto never issued belong
to moto's default user (what STS GetCallerIdentity answers for them).
https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DataLakePrincipal.html
"""

from __future__ import annotations

from typing import Any

from moto.iam.models import iam_backends
from moto.lakeformation.models import LakeFormationBackend, lakeformation_backends
from moto.sts.models import sts_backends

from ..principals import Principal

IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS"
# The session tag a trusted query engine carries (Lake Formation Developer Guide,
# "Application integration for full table access" / permitting third-party calls).
AUTHORIZED_CALLER_TAG = "LakeFormationAuthorizedCaller"


def identity(principal: Principal) -> str:
    """The DataLakePrincipalIdentifier of a caller."""
    if principal.role_arn:
        return principal.role_arn
    for account in list(iam_backends.values()):
        for iam in list(account.values()):
            user = iam.get_user_from_access_key_id(principal.access_key_id)
            if user is not None:
                return str(user.arn)
    return f"arn:aws:iam::{principal.account}:user/moto"


def session_tags(principal: Principal) -> dict[str, str]:
    """The session tags given to AssumeRole (recorded by the sts_session_tags extension)."""
    for account in list(sts_backends.values()):
        for sts in list(account.values()):
            assumed = sts.get_assumed_role_from_access_key(principal.access_key_id)
            if assumed is not None:
                tags: dict[str, str] = getattr(assumed, "meshcore_session_tags", {})
                return tags
    return {}


def backend(account: str, region: str) -> LakeFormationBackend:
    return lakeformation_backends[account][region]


def settings(account: str, region: str) -> dict[str, Any]:
    found: dict[str, Any] = backend(account, region).settings[account]
    return found


def _listed(entries: list[dict[str, Any]] | None, who: str) -> bool:
    return any(e.get("DataLakePrincipalIdentifier") == who for e in entries or [])


def is_admin(who: str, account: str, region: str) -> bool:
    return _listed(settings(account, region).get("DataLakeAdmins"), who)


def is_read_only_admin(who: str, account: str, region: str) -> bool:
    return _listed(settings(account, region).get("ReadOnlyAdmins"), who)


def cross_account_version(account: str, region: str) -> int:
    """CROSS_ACCOUNT_VERSION; unset counts as version 1 (the oldest: the stricter reading,
    since AWS leaves the default unstated)."""
    value = (settings(account, region).get("Parameters") or {}).get("CROSS_ACCOUNT_VERSION")
    try:
        return int(value) if value else 1
    except ValueError:
        return 1


def account_of(who: str) -> str | None:
    """The account of a principal identifier (an account id or an IAM ARN), else None."""
    if who.isdigit() and len(who) == 12:
        return who
    parts = who.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[4].isdigit():
        return parts[4]
    return None
