"""Accepting RAM shares in a consumer account while other grants accept the same share."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from botocore.exceptions import ClientError

from meshcore.aws.consumer import ConsumerAccount
from meshcore.domain.errors import MeshError

SHARE = "arn:aws:ram:us-east-1:123456789012:resource-share/s1"
INVITATION = "arn:aws:ram:us-east-1:123456789012:resource-share-invitation/i1"


class RaceRam:
    """Lists the invitation as pending, but it is accepted by someone else before we accept."""

    def __init__(self, code: str) -> None:
        self.code = code

    async def get_resource_share_invitations(self, **kwargs: Any) -> dict[str, Any]:
        return {
            "resourceShareInvitations": [
                {
                    "status": "PENDING",
                    "resourceShareArn": SHARE,
                    "resourceShareInvitationArn": INVITATION,
                }
            ]
        }

    async def accept_resource_share_invitation(self, **kwargs: Any) -> dict[str, Any]:
        error = {"Error": {"Code": self.code, "Message": "no"}, "ResponseMetadata": {}}
        raise ClientError(error, "AcceptResourceShareInvitation")  # type: ignore[arg-type]


def test_an_invitation_accepted_meanwhile_is_not_an_error() -> None:
    consumer = ConsumerAccount(
        RaceRam("ResourceShareInvitationAlreadyAcceptedException"), None, "444444444444"
    )
    assert asyncio.run(consumer.accept_shares([SHARE])) == []


def test_other_accept_failures_still_fail() -> None:
    consumer = ConsumerAccount(
        RaceRam("ResourceShareInvitationExpiredException"), None, "444444444444"
    )
    with pytest.raises(MeshError):
        asyncio.run(consumer.accept_shares([SHARE]))
