"""The Lake Formation set-up cross-account grants need, in the central and member accounts.

- Central: who administers the data lake (whoever bootstraps, grant-worker's role, and the
  admins named in settings); read-only admins for the roles that only describe the catalog
  (sync-worker's repair, classifier, portal); no IAM_ALLOWED_PRINCIPALS defaults, so that Lake Formation governs every
  database and table meshcore creates; cross-account version 4, which LF-tag grants across
  accounts and hybrid-mode locations need; CREATE_DATABASE for sync-worker.
  https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html
  https://docs.aws.amazon.com/lake-formation/latest/dg/optimize-ram.html
- Producers: their S3 locations registered with Lake Formation in the central account, in hybrid
  access mode (the producer's own IAM access keeps working), with a central role Lake Formation
  assumes to reach them.
  https://docs.aws.amazon.com/lake-formation/latest/dg/hybrid-access-mode.html
- Consumers: meshcore's role administers the consumer's data lake, so that it can accept shares,
  keep resource links and grant the account's own roles what the account received.
  https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-read-data.html

PutDataLakeSettings replaces every setting, so each change reads, merges and writes back.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from meshcore.aws.errors import aws_errors, error_code
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings

CROSS_ACCOUNT_VERSION = "4"
_STS_ARN = re.compile(
    r"^arn:(aws[a-z-]*):sts::([0-9]{12}):(assumed-role|user)/([^/]+)(?:/.*)?$", re.ASCII
)
DATA_ACCESS_ACTIONS = ["s3:GetObject", "s3:ListBucket"]


def lf_tag_values(lakeformation: Any, key: str) -> list[str]:
    """The values of the LF-tag `key`; none when there is no such tag."""
    try:
        return list(lakeformation.get_lf_tag(TagKey=key).get("TagValues") or [])
    except ClientError as exc:
        if error_code(exc) != "EntityNotFoundException":
            raise
        return []


def principal_arn(caller_arn: str) -> str:
    """The Lake Formation principal of an STS GetCallerIdentity ARN (an assumed role is its
    role; a user is its IAM user)."""
    match = _STS_ARN.match(caller_arn)
    if match is None:
        return caller_arn
    partition, account, kind, name = match.groups()
    return f"arn:{partition}:iam::{account}:{'role' if kind == 'assumed-role' else 'user'}/{name}"


def _principals(entries: list[dict[str, str]] | None) -> list[str]:
    return [e["DataLakePrincipalIdentifier"] for e in entries or []]


def _as_entries(principals: list[str]) -> list[dict[str, str]]:
    return [{"DataLakePrincipalIdentifier": p} for p in principals]


def _merge(
    lakeformation: Any, what: str, result: Provisioned, change: dict[str, Any]
) -> dict[str, Any]:
    """Merge `change` into the current settings (lists of principals are unions)."""
    with aws_errors(f"lakeformation:GetDataLakeSettings ({what})"):
        current = lakeformation.get_data_lake_settings()["DataLakeSettings"]
    wanted = dict(current)
    for key, value in change.items():
        if key in ("DataLakeAdmins", "ReadOnlyAdmins"):
            merged = _principals(current.get(key))
            merged += [p for p in _principals(value) if p not in merged]
            wanted[key] = _as_entries(merged)
        elif key == "Parameters":
            wanted[key] = {**(current.get(key) or {}), **value}
        else:
            wanted[key] = value
    if wanted == current:
        result.add(what, "exists")
        return dict(current)
    with aws_errors(f"lakeformation:PutDataLakeSettings ({what})"):
        lakeformation.put_data_lake_settings(DataLakeSettings=wanted)
    result.add(what, "updated")
    return wanted


def ensure_central_lake(
    lakeformation: Any, sts: Any, settings: MeshSettings, result: Provisioned
) -> None:
    with aws_errors("sts:GetCallerIdentity"):
        operator = principal_arn(sts.get_caller_identity()["Arn"])
    roles = settings.roles
    admins = [
        operator,
        settings.central_role_arn(roles.grant_worker),
        *settings.lakeformation_admins,
    ]
    # Read-only admins describe the whole catalog: repair must see objects it did not create.
    readers = [
        settings.central_role_arn(role)
        for role in (roles.sync_worker, roles.classifier, roles.portal)
    ]
    _merge(
        lakeformation,
        "lake formation settings (admins, no IAM-only defaults, cross-account version 4)",
        result,
        {
            "DataLakeAdmins": _as_entries(admins),
            "ReadOnlyAdmins": _as_entries(readers),
            "CreateDatabaseDefaultPermissions": [],
            "CreateTableDefaultPermissions": [],
            "Parameters": {"CROSS_ACCOUNT_VERSION": CROSS_ACCOUNT_VERSION},
        },
    )
    grant_once(
        lakeformation,
        settings.central_role_arn(roles.sync_worker),
        {"Catalog": {}},
        ["CREATE_DATABASE"],
        f"CREATE_DATABASE for {roles.sync_worker}",
        result,
    )


def grant_once(
    lakeformation: Any,
    principal: str,
    resource: dict[str, Any],
    permissions: list[str],
    what: str,
    result: Provisioned,
) -> None:
    with aws_errors(f"lakeformation:ListPermissions ({what})"):
        rows = lakeformation.list_permissions(
            Principal={"DataLakePrincipalIdentifier": principal}, Resource=resource
        ).get("PrincipalResourcePermissions", [])
    held = {p for r in rows for p in r.get("Permissions", [])}
    if set(permissions) <= held:
        result.add(what, "exists")
        return
    with aws_errors(f"lakeformation:GrantPermissions ({what})"):
        lakeformation.grant_permissions(
            Principal={"DataLakePrincipalIdentifier": principal},
            Resource=resource,
            Permissions=permissions,
        )
    result.add(what, "created")


def s3_arn(location: str) -> str:
    """`s3://bucket/prefix` -> `arn:aws:s3:::bucket/prefix` (Lake Formation's resource ARN)."""
    path = location.removeprefix("s3://").strip("/")
    return f"arn:aws:s3:::{path}"


def register_locations(
    lakeformation: Any, settings: MeshSettings, locations: list[str], result: Provisioned
) -> None:
    """Register producer S3 locations in hybrid access mode; idempotent."""
    role = settings.central_role_arn(settings.roles.data_access)
    with aws_errors("lakeformation:ListResources"):
        registered = {
            r["ResourceArn"]: r for r in lakeformation.list_resources().get("ResourceInfoList", [])
        }
    for location in locations:
        arn = s3_arn(location)
        if arn in registered:
            result.add(f"lake formation location {location}", "exists")
            continue
        with aws_errors(f"lakeformation:RegisterResource {location}"):
            lakeformation.register_resource(ResourceArn=arn, RoleArn=role, HybridAccessEnabled=True)
        result.add(f"lake formation location {location} (hybrid access)", "created")


def data_access_trust() -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lakeformation.amazonaws.com"},
                    "Action": ["sts:AssumeRole", "sts:SetContext", "sts:SetSourceIdentity"],
                }
            ],
        }
    )


def ensure_consumer_lake(
    lakeformation: Any, admin_role_arn: str, account: str, result: Provisioned
) -> None:
    _merge(
        lakeformation,
        f"lake formation admin {admin_role_arn.rsplit('/', 1)[-1]} in {account}",
        result,
        {"DataLakeAdmins": _as_entries([admin_role_arn])},
    )
