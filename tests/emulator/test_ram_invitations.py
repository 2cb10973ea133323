"""RAM resource share invitations between accounts.

AWS behaviour:
- "Responding to resource share invitations in AWS RAM" (AWS RAM User Guide,
  https://docs.aws.amazon.com/ram/latest/userguide/working-with-shared-invitations.html):
  sharing with an account outside your organization sends that account an invitation
  it must accept before it can use the shared resources.
- GetResourceShareInvitations "Retrieves details about invitations that you have
  received for resource shares", filterable by invitation and share ARNs
  (https://docs.aws.amazon.com/ram/latest/APIReference/API_GetResourceShareInvitations.html).
- AcceptResourceShareInvitation / RejectResourceShareInvitation return the invitation
  with status ACCEPTED / REJECTED, and fail with
  ResourceShareInvitationAlreadyAcceptedException / ...AlreadyRejectedException when it
  was answered already (https://docs.aws.amazon.com/ram/latest/APIReference/API_AcceptResourceShareInvitation.html,
  https://docs.aws.amazon.com/ram/latest/APIReference/API_RejectResourceShareInvitation.html).
- The receiver's principal association (GetResourceShareAssociations,
  https://docs.aws.amazon.com/ram/latest/APIReference/API_GetResourceShareAssociations.html)
  is ASSOCIATED once accepted; GetResourceShares with resourceOwner OTHER-ACCOUNTS lists
  shares others have shared with the caller
  (https://docs.aws.amazon.com/ram/latest/APIReference/API_GetResourceShares.html).
- An invitation left unanswered expires: "Accepting and rejecting resource share invitations"
  (https://docs.aws.amazon.com/ram/latest/userguide/working-with-shared-invitations.html) gives
  seven days for the resource types it lists ("If you don't accept the invitation before it
  expires, the invitation is automatically declined"); its status is then EXPIRED
  (https://docs.aws.amazon.com/ram/latest/APIReference/API_ResourceShareInvitation.html), and
  answering it fails with ResourceShareInvitationExpiredException ("the specified invitation is
  past its expiration date and time", AcceptResourceShareInvitation's errors).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from meshcore_emulator import EmbeddedAws

from .helpers import CENTRAL_ACCOUNT, PRODUCER_ACCOUNT, REGION, ClientFactory, call_control

RECEIVER = PRODUCER_ACCOUNT
TABLE_ARN = f"arn:aws:glue:{REGION}:{CENTRAL_ACCOUNT}:table/sales/orders"


@pytest.fixture
def share_arn(client: ClientFactory) -> str:
    share = client("ram").create_resource_share(
        name="orders-share", principals=[RECEIVER], resourceArns=[TABLE_ARN]
    )
    arn: str = share["resourceShare"]["resourceShareArn"]
    return arn


def receiver_invitations(client: ClientFactory, **filters: Any) -> list[dict[str, Any]]:
    ram = client("ram", account=RECEIVER)
    invitations: list[dict[str, Any]] = ram.get_resource_share_invitations(**filters)[
        "resourceShareInvitations"
    ]
    return invitations


def principal_status(client: ClientFactory, share_arn: str) -> str:
    (association,) = client("ram").get_resource_share_associations(
        associationType="PRINCIPAL", resourceShareArns=[share_arn]
    )["resourceShareAssociations"]
    status: str = association["status"]
    return status


def test_sharing_with_another_account_sends_a_pending_invitation(
    client: ClientFactory, share_arn: str
) -> None:
    (invitation,) = receiver_invitations(client)

    assert invitation["status"] == "PENDING"
    assert invitation["resourceShareArn"] == share_arn
    assert invitation["resourceShareName"] == "orders-share"
    assert invitation["senderAccountId"] == CENTRAL_ACCOUNT
    assert invitation["receiverAccountId"] == RECEIVER
    assert invitation["resourceShareInvitationArn"].startswith(
        f"arn:aws:ram:{REGION}:{CENTRAL_ACCOUNT}:resource-share-invitation/"
    )
    assert principal_status(client, share_arn) == "ASSOCIATING"
    # The owner received no invitation.
    assert client("ram").get_resource_share_invitations()["resourceShareInvitations"] == []


def test_invitations_filter_by_share_and_invitation_arn(
    client: ClientFactory, share_arn: str
) -> None:
    (invitation,) = receiver_invitations(client)
    arn = invitation["resourceShareInvitationArn"]

    assert receiver_invitations(client, resourceShareArns=[share_arn]) == [invitation]
    assert receiver_invitations(client, resourceShareInvitationArns=[arn]) == [invitation]
    assert receiver_invitations(client, resourceShareArns=[share_arn + "-other"]) == []


def test_accepting_associates_the_receiver(client: ClientFactory, share_arn: str) -> None:
    ram = client("ram", account=RECEIVER)
    (invitation,) = receiver_invitations(client)

    accepted = ram.accept_resource_share_invitation(
        resourceShareInvitationArn=invitation["resourceShareInvitationArn"]
    )["resourceShareInvitation"]

    assert accepted["status"] == "ACCEPTED"
    assert receiver_invitations(client)[0]["status"] == "ACCEPTED"
    assert principal_status(client, share_arn) == "ASSOCIATED"
    shared_with_me = ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]
    assert [s["resourceShareArn"] for s in shared_with_me] == [share_arn]
    with pytest.raises(ClientError) as raised:
        ram.accept_resource_share_invitation(
            resourceShareInvitationArn=invitation["resourceShareInvitationArn"]
        )
    assert raised.value.response["Error"]["Code"] == (
        "ResourceShareInvitationAlreadyAcceptedException"
    )


def test_rejecting_leaves_the_share_unused(client: ClientFactory, share_arn: str) -> None:
    ram = client("ram", account=RECEIVER)
    (invitation,) = receiver_invitations(client)

    rejected = ram.reject_resource_share_invitation(
        resourceShareInvitationArn=invitation["resourceShareInvitationArn"]
    )["resourceShareInvitation"]

    assert rejected["status"] == "REJECTED"
    assert principal_status(client, share_arn) != "ASSOCIATED"
    assert ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"] == []
    with pytest.raises(ClientError) as raised:
        ram.accept_resource_share_invitation(
            resourceShareInvitationArn=invitation["resourceShareInvitationArn"]
        )
    assert raised.value.response["Error"]["Code"] == (
        "ResourceShareInvitationAlreadyRejectedException"
    )


def test_only_the_receiver_can_answer(client: ClientFactory, share_arn: str) -> None:
    (invitation,) = receiver_invitations(client)
    with pytest.raises(ClientError) as raised:
        client("ram").accept_resource_share_invitation(
            resourceShareInvitationArn=invitation["resourceShareInvitationArn"]
        )
    assert raised.value.response["Error"]["Code"] == "ResourceShareInvitationArnNotFoundException"


def test_malformed_invitation_arn_is_rejected(client: ClientFactory) -> None:
    with pytest.raises(ClientError) as raised:
        client("ram", account=RECEIVER).accept_resource_share_invitation(
            resourceShareInvitationArn="arn:aws:ram:us-east-1:123456789012:not-an-invitation"
        )
    assert raised.value.response["Error"]["Code"] == "MalformedArnException"


SEVEN_DAYS = 7 * 24 * 3600


def advance(aws: EmbeddedAws, seconds: float) -> None:
    status, body = call_control(
        aws.endpoint_url, "POST", "/_emulator/ram", {"advance_seconds": seconds}
    )
    assert status == 200, body


def test_an_invitation_left_seven_days_expires_and_cannot_be_accepted(
    aws: EmbeddedAws, client: ClientFactory, share_arn: str
) -> None:
    ram = client("ram", account=RECEIVER)
    advance(aws, SEVEN_DAYS - 60)
    assert receiver_invitations(client)[0]["status"] == "PENDING"

    advance(aws, 60)

    (invitation,) = receiver_invitations(client)
    assert invitation["status"] == "EXPIRED"
    assert principal_status(client, share_arn) == "FAILED"
    for answer in (ram.accept_resource_share_invitation, ram.reject_resource_share_invitation):
        with pytest.raises(ClientError) as raised:
            answer(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])
        assert raised.value.response["Error"]["Code"] == "ResourceShareInvitationExpiredException"
    assert ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"] == []


def test_an_accepted_invitation_does_not_expire(
    aws: EmbeddedAws, client: ClientFactory, share_arn: str
) -> None:
    (invitation,) = receiver_invitations(client)
    client("ram", account=RECEIVER).accept_resource_share_invitation(
        resourceShareInvitationArn=invitation["resourceShareInvitationArn"]
    )
    advance(aws, 2 * SEVEN_DAYS)
    assert receiver_invitations(client)[0]["status"] == "ACCEPTED"
    assert principal_status(client, share_arn) == "ASSOCIATED"


def test_the_expiry_can_be_set_and_a_reset_restores_it(
    aws: EmbeddedAws, client: ClientFactory, share_arn: str
) -> None:
    status, body = call_control(
        aws.endpoint_url, "POST", "/_emulator/ram", {"invitation_expiry_seconds": 60}
    )
    assert (status, body["ram"]["invitation_expiry_seconds"]) == (200, 60)
    advance(aws, 60)
    assert receiver_invitations(client)[0]["status"] == "EXPIRED"
    status, body = call_control(aws.endpoint_url, "POST", "/_emulator/ram", {"advance": 1})
    assert status == 400

    aws.reset()

    status, body = call_control(aws.endpoint_url, "POST", "/_emulator/ram", {})
    assert body["ram"] == {"advanced_seconds": 0, "invitation_expiry_seconds": SEVEN_DAYS}
