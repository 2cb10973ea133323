"""Two grants to one consumer share one RAM invitation: the second accept loses the race."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from meshcore.aws.consumer import ConsumerAccount

if TYPE_CHECKING:
    from types_aiobotocore_glue.client import GlueClient
    from types_aiobotocore_ram.client import RAMClient

SHARE = "arn:aws:ram:us-east-1:123456789012:resource-share/s"


class Ram:
    async def get_resource_share_invitations(self, **_: Any) -> dict[str, Any]:
        invitation = {"status": "PENDING", "resourceShareArn": SHARE}
        return {"resourceShareInvitations": [invitation | {"resourceShareInvitationArn": "i"}]}

    async def accept_resource_share_invitation(self, **_: Any) -> None:
        raise ClientError(
            {
                "Error": {
                    "Code": "ResourceShareInvitationAlreadyAcceptedException",
                    "Message": "accepted",
                }
            },
            "AcceptResourceShareInvitation",
        )


async def test_an_invitation_accepted_meanwhile_is_not_an_error() -> None:
    # Only RAM is used: no Glue client.
    consumer = ConsumerAccount(cast("RAMClient", Ram()), cast("GlueClient", None), "444444444444")
    assert await consumer.accept_shares([SHARE]) == []
