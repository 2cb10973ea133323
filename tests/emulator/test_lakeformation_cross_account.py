"""Lake Formation cross-account grants create AWS RAM shares and invitations.

AWS behaviour:
- "Sharing Data Catalog tables and databases across AWS accounts" (Lake Formation
  Developer Guide, https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-permissions.html):
  granting Lake Formation permissions on a Data Catalog database or table to an external
  account (or an IAM principal in it) shares the resource through AWS RAM; outside an
  organization the receiving account gets a RAM invitation to accept.
- "Updating cross-account data sharing version settings" / cross-account data sharing
  versions (https://docs.aws.amazon.com/lake-formation/latest/dg/optimize-ram.html):
  from version 2 on, Lake Formation "optimizes the number of AWS RAM resource shares by
  mapping multiple cross-account permission grants with one AWS RAM resource share".
- ListPermissions returns ``AdditionalDetails.ResourceShare`` (DetailsMap,
  https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DetailsMap.html):
  "A resource share ARN for a catalog resource shared through AWS RAM."
- RevokePermissions removes the permission; the emulator keeps the RAM share, as Lake
  Formation does not delete existing shares on revoke.
- A RAM invitation left unanswered expires ("Accepting and rejecting resource share
  invitations", https://docs.aws.amazon.com/ram/latest/userguide/working-with-shared-invitations.html);
  Lake Formation shares a grant when it is granted (cross-account-permissions.html above), so a
  grant revoked and granted again associates the receiver with the share again and RAM sends a
  new invitation. Granting what the receiver already holds is left without effect on RAM (no
  documented re-invitation: the stricter reading).
"""

from __future__ import annotations

from typing import Any

import pytest

from meshcore_emulator import EmbeddedAws

from .helpers import CENTRAL_ACCOUNT, PRODUCER_ACCOUNT, REGION, ClientFactory, call_control

RECEIVER = PRODUCER_ACCOUNT


@pytest.fixture
def lakeformation(client: ClientFactory) -> Any:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "sales"})
    for table in ("orders", "refunds"):
        glue.create_table(DatabaseName="sales", TableInput={"Name": table})
    lakeformation = client("lakeformation")
    # Grants to another account's IAM principals need version 3 or later (optimize-ram.html).
    lakeformation.put_data_lake_settings(
        DataLakeSettings={"Parameters": {"CROSS_ACCOUNT_VERSION": "4"}}
    )
    return lakeformation


def table(name: str) -> dict[str, Any]:
    return {"Table": {"DatabaseName": "sales", "Name": name}}


def grant(lakeformation: Any, principal: str, resource: dict[str, Any]) -> None:
    lakeformation.grant_permissions(
        Principal={"DataLakePrincipalIdentifier": principal},
        Resource=resource,
        Permissions=["SELECT", "DESCRIBE"],
    )


def lakeformation_shares(client: ClientFactory) -> list[dict[str, Any]]:
    shares = client("ram").get_resource_shares(resourceOwner="SELF")["resourceShares"]
    return [s for s in shares if s["name"].startswith("LakeFormation-V4-")]


def shared_resources(client: ClientFactory, share_arn: str) -> list[str]:
    associations = client("ram").get_resource_share_associations(
        associationType="RESOURCE", resourceShareArns=[share_arn]
    )["resourceShareAssociations"]
    return [a["associatedEntity"] for a in associations]


def test_grant_to_another_account_creates_a_share_and_invitation(
    client: ClientFactory, lakeformation: Any
) -> None:
    grant(lakeformation, RECEIVER, table("orders"))

    (share,) = lakeformation_shares(client)
    assert share["owningAccountId"] == CENTRAL_ACCOUNT
    assert shared_resources(client, share["resourceShareArn"]) == [
        f"arn:aws:glue:{REGION}:{CENTRAL_ACCOUNT}:table/sales/orders"
    ]
    invitations = client("ram", account=RECEIVER).get_resource_share_invitations()
    (invitation,) = invitations["resourceShareInvitations"]
    assert invitation["status"] == "PENDING"
    assert invitation["resourceShareArn"] == share["resourceShareArn"]


def test_later_grants_to_the_same_account_reuse_the_share(
    client: ClientFactory, lakeformation: Any
) -> None:
    grant(lakeformation, RECEIVER, table("orders"))
    grant(lakeformation, f"arn:aws:iam::{RECEIVER}:role/analyst", table("refunds"))
    lakeformation.batch_grant_permissions(
        Entries=[
            {
                "Id": "db",
                "Principal": {"DataLakePrincipalIdentifier": RECEIVER},
                "Resource": {"Database": {"Name": "sales"}},
                "Permissions": ["DESCRIBE"],
            }
        ]
    )

    (share,) = lakeformation_shares(client)
    assert sorted(shared_resources(client, share["resourceShareArn"])) == [
        f"arn:aws:glue:{REGION}:{CENTRAL_ACCOUNT}:database/sales",
        f"arn:aws:glue:{REGION}:{CENTRAL_ACCOUNT}:table/sales/orders",
        f"arn:aws:glue:{REGION}:{CENTRAL_ACCOUNT}:table/sales/refunds",
    ]
    invitations = client("ram", account=RECEIVER).get_resource_share_invitations()
    assert len(invitations["resourceShareInvitations"]) == 1


def test_same_account_grants_do_not_share(client: ClientFactory, lakeformation: Any) -> None:
    grant(lakeformation, f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/steward", table("orders"))

    assert lakeformation_shares(client) == []


def test_list_permissions_names_the_resource_share(
    client: ClientFactory, lakeformation: Any
) -> None:
    grant(lakeformation, RECEIVER, table("orders"))
    grant(lakeformation, f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/steward", table("orders"))
    (share,) = lakeformation_shares(client)

    permissions = lakeformation.list_permissions()["PrincipalResourcePermissions"]

    by_principal = {p["Principal"]["DataLakePrincipalIdentifier"]: p for p in permissions}
    assert by_principal[RECEIVER]["AdditionalDetails"] == {
        "ResourceShare": [share["resourceShareArn"]]
    }
    assert "AdditionalDetails" not in by_principal[f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/steward"]


def test_receiver_accepts_and_sees_the_share(client: ClientFactory, lakeformation: Any) -> None:
    grant(lakeformation, RECEIVER, table("orders"))
    ram = client("ram", account=RECEIVER)
    (invitation,) = ram.get_resource_share_invitations()["resourceShareInvitations"]

    ram.accept_resource_share_invitation(
        resourceShareInvitationArn=invitation["resourceShareInvitationArn"]
    )

    (share,) = ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]
    assert share["resourceShareArn"] == invitation["resourceShareArn"]


def test_revoke_removes_the_permission_and_keeps_the_share(
    client: ClientFactory, lakeformation: Any
) -> None:
    grant(lakeformation, RECEIVER, table("orders"))

    lakeformation.revoke_permissions(
        Principal={"DataLakePrincipalIdentifier": RECEIVER},
        Resource=table("orders"),
        Permissions=["SELECT", "DESCRIBE"],
    )

    assert lakeformation.list_permissions()["PrincipalResourcePermissions"] == []
    (share,) = lakeformation_shares(client)
    assert share["status"] == "ACTIVE"


def test_a_grant_whose_invitation_expired_is_invited_anew_once_revoked_and_granted(
    aws: EmbeddedAws, client: ClientFactory, lakeformation: Any
) -> None:
    grant(lakeformation, RECEIVER, table("orders"))
    ram = client("ram", account=RECEIVER)
    call_control(aws.endpoint_url, "POST", "/_emulator/ram", {"advance_seconds": 7 * 24 * 3600})
    (expired,) = ram.get_resource_share_invitations()["resourceShareInvitations"]
    assert expired["status"] == "EXPIRED"

    grant(lakeformation, RECEIVER, table("orders"))  # already held: nothing new for RAM
    assert len(ram.get_resource_share_invitations()["resourceShareInvitations"]) == 1

    lakeformation.revoke_permissions(
        Principal={"DataLakePrincipalIdentifier": RECEIVER},
        Resource=table("orders"),
        Permissions=["SELECT", "DESCRIBE"],
    )
    grant(lakeformation, RECEIVER, table("orders"))

    old, new = ram.get_resource_share_invitations()["resourceShareInvitations"]
    assert (old["status"], new["status"]) == ("EXPIRED", "PENDING")
    assert new["resourceShareArn"] == expired["resourceShareArn"]
    ram.accept_resource_share_invitation(
        resourceShareInvitationArn=new["resourceShareInvitationArn"]
    )
    (share,) = ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]
    assert share["resourceShareArn"] == expired["resourceShareArn"]
