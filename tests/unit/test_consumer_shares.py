"""Accepting RAM shares in a consumer account while other grants accept the same share."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError

from meshcore.aws.consumer import ConsumerAccount
from meshcore.domain.errors import MeshError

if TYPE_CHECKING:
    from types_aiobotocore_glue.client import GlueClient
    from types_aiobotocore_ram.client import RAMClient

SHARE = "arn:aws:ram:us-east-1:123456789012:resource-share/s1"
INVITATION = "arn:aws:ram:us-east-1:123456789012:resource-share-invitation/i1"


# The stand-ins below have only the client calls each test makes; the client the test does not
# use is None.
NO_RAM = cast("RAMClient", None)
NO_GLUE = cast("GlueClient", None)


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
    ram = cast("RAMClient", RaceRam("ResourceShareInvitationAlreadyAcceptedException"))
    consumer = ConsumerAccount(ram, NO_GLUE, "444444444444")
    assert asyncio.run(consumer.accept_shares([SHARE])) == []


def test_other_accept_failures_still_fail() -> None:
    ram = cast("RAMClient", RaceRam("ResourceShareInvitationExpiredException"))
    consumer = ConsumerAccount(ram, NO_GLUE, "444444444444")
    with pytest.raises(MeshError):
        asyncio.run(consumer.accept_shares([SHARE]))


class RaceGlue:
    """The links database is missing when looked up, but created by someone else just after."""

    def __init__(self) -> None:
        self.links: list[dict[str, Any]] = []

    async def get_database(self, **kwargs: Any) -> dict[str, Any]:
        raise _client_error("EntityNotFoundException", "GetDatabase")

    async def create_database(self, **kwargs: Any) -> dict[str, Any]:
        raise _client_error("AlreadyExistsException", "CreateDatabase")

    async def create_table(self, **kwargs: Any) -> dict[str, Any]:
        self.links.append(kwargs["TableInput"])
        return {}


def _client_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "no"}}, operation)  # type: ignore[arg-type]


def test_a_links_database_created_meanwhile_by_another_grant_is_used() -> None:
    glue = RaceGlue()
    consumer = ConsumerAccount(NO_RAM, cast("GlueClient", glue), "444444444444")
    assert asyncio.run(consumer.link_table("123456789012", "ar__fx", "rates")) == "ar__fx.rates"
    assert glue.links[0]["TargetTable"] == {
        "CatalogId": "123456789012",
        "DatabaseName": "ar__fx",
        "Name": "rates",
    }


class OwnTableGlue:
    """The consumer already has its own `ar__fx.rates` (not a link) in a database of that name."""

    def __init__(self) -> None:
        self.tables = {("ar__fx", "rates"): {"Name": "rates", "StorageDescriptor": {}}}
        self.deleted: list[str] = []

    async def get_database(self, **kwargs: Any) -> dict[str, Any]:
        return {"Database": {"Name": kwargs["Name"], "Parameters": {}}}

    async def create_table(self, **kwargs: Any) -> dict[str, Any]:
        raise _client_error("AlreadyExistsException", "CreateTable")

    async def get_table(self, **kwargs: Any) -> dict[str, Any]:
        key = (kwargs["DatabaseName"], kwargs["Name"])
        if key not in self.tables:
            raise _client_error("EntityNotFoundException", "GetTable")
        return {"Table": self.tables[key]}

    async def delete_table(self, **kwargs: Any) -> dict[str, Any]:
        self.deleted.append(f"{kwargs['DatabaseName']}.{kwargs['Name']}")
        return {}

    async def get_tables(self, **kwargs: Any) -> dict[str, Any]:
        return {"TableList": list(self.tables.values())}


def test_a_consumers_own_table_of_the_same_name_is_never_taken_for_a_link_nor_deleted() -> None:
    glue = OwnTableGlue()
    consumer = ConsumerAccount(NO_RAM, cast("GlueClient", glue), "444444444444")
    assert asyncio.run(consumer.link_table("123456789012", "ar__fx", "rates")) is None
    asyncio.run(consumer.unlink("123456789012", ["ar__fx.rates"]))
    assert glue.deleted == []
    # A real link to the central table is deleted.
    glue.tables[("ar__fx", "rates")] = {
        "Name": "rates",
        "TargetTable": {"CatalogId": "123456789012", "DatabaseName": "ar__fx", "Name": "rates"},
    }
    assert asyncio.run(consumer.link_table("123456789012", "ar__fx", "rates")) == "ar__fx.rates"
    asyncio.run(consumer.unlink("123456789012", ["ar__fx.rates"]))
    assert glue.deleted == ["ar__fx.rates"]
