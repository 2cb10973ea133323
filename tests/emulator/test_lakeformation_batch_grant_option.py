"""Lake Formation batch grants keep the grant option.

AWS behaviour (BatchPermissionsRequestEntry, Lake Formation API Reference,
https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_BatchPermissionsRequestEntry.html):
each entry of BatchGrantPermissions / BatchRevokePermissions carries ``Permissions`` and
``PermissionsWithGrantOption`` ("Indicates if the option to pass permissions is granted"),
exactly like GrantPermissions; ListPermissions reports both.
"""

from __future__ import annotations

from typing import Any

from .helpers import ClientFactory

STEWARD = {"DataLakePrincipalIdentifier": "arn:aws:iam::123456789012:role/steward"}
DATABASE = {"Database": {"Name": "sales"}}


def entry(**permissions: Any) -> dict[str, Any]:
    return {"Id": "steward", "Principal": STEWARD, "Resource": DATABASE, **permissions}


def test_batch_grant_and_revoke_carry_the_grant_option(client: ClientFactory) -> None:
    client("glue").create_database(DatabaseInput={"Name": "sales"})  # its creator may grant
    lakeformation = client("lakeformation")

    lakeformation.batch_grant_permissions(
        Entries=[entry(Permissions=["DESCRIBE"], PermissionsWithGrantOption=["DESCRIBE"])]
    )
    (granted,) = lakeformation.list_permissions()["PrincipalResourcePermissions"]
    assert granted["Permissions"] == ["DESCRIBE"]
    assert granted["PermissionsWithGrantOption"] == ["DESCRIBE"]

    lakeformation.batch_revoke_permissions(
        Entries=[entry(Permissions=[], PermissionsWithGrantOption=["DESCRIBE"])]
    )
    (remaining,) = lakeformation.list_permissions()["PrincipalResourcePermissions"]
    assert remaining["Permissions"] == ["DESCRIBE"]
    assert remaining["PermissionsWithGrantOption"] == []
