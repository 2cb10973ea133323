"""The consumer account port: `ConsumerAccount` on the embedded AWS and `FakeConsumerShares`
agree on accepting shares and keeping resource links."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from meshcore.aws.consumer import ConsumerAccount
from meshcore.aws.ports import ConsumerShares
from meshcore.settings import MeshSettings
from meshcore_emulator.extensions import ram_invitations

from ..fakes.consumer import FakeConsumerShares
from .conftest import CENTRAL, CONSUMER, CONSUMER_ADMIN, REGION, boto, embedded, governed_lake


@dataclass
class Account:
    port: ConsumerShares
    fake: FakeConsumerShares | None
    settings: MeshSettings | None

    def offer(self, table: str) -> str:
        """The central account shares a table with the consumer account; the share's ARN."""
        if self.fake is not None:
            arn = f"arn:aws:ram:{REGION}:{CENTRAL}:resource-share/{table}"
            self.fake.offer(arn)
            return arn
        assert self.settings is not None
        share = boto(self.settings, "ram").create_resource_share(
            name=f"share-{table}",
            principals=[CONSUMER],
            resourceArns=[f"arn:aws:glue:{REGION}:{CENTRAL}:table/ar/{table}"],
        )
        return str(share["resourceShare"]["resourceShareArn"])

    def expire(self, share_arn: str) -> None:
        """The invitation to `share_arn` is left unanswered until RAM expires it."""
        if self.fake is not None:
            self.fake.expire(share_arn)
            return
        ram_invitations.advance(ram_invitations.EXPIRES_AFTER.total_seconds())

    def tables(self, database: str) -> list[str] | None:
        """The consumer catalog's tables in `database`, None when it does not exist."""
        if self.fake is not None:
            if database not in self.fake.catalog.databases:
                return None
            return sorted(t for db, t in self.fake.catalog.tables if db == database)
        assert self.settings is not None
        glue = boto(self.settings, "glue", CONSUMER_ADMIN)
        if database not in [d["Name"] for d in glue.get_databases()["DatabaseList"]]:
            return None
        return sorted(t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"])

    def create_own_table(self, database: str, table: str) -> None:
        """The consumer's own table (not a link), in its own database."""
        self.create_own_database(database)
        if self.fake is not None:
            self.fake.catalog.tables[(database, table)] = {"Name": table}
            return
        assert self.settings is not None
        boto(self.settings, "glue", CONSUMER_ADMIN).create_table(
            DatabaseName=database, TableInput={"Name": table}
        )

    def create_own_database(self, database: str) -> None:
        """The consumer's own database, not made by meshcore."""
        if self.fake is not None:
            self.fake.catalog.databases[database] = {"Name": database}
            return
        assert self.settings is not None
        boto(self.settings, "glue", CONSUMER_ADMIN).create_database(
            DatabaseInput={"Name": database}
        )


@pytest.fixture
async def account(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[Account]:
    if backend == "fake":
        fake = FakeConsumerShares(CONSUMER)
        yield Account(fake, fake, None)
        return
    settings: MeshSettings = request.getfixturevalue("settings")
    governed_lake(settings, CONSUMER, CONSUMER_ADMIN)
    async with embedded(settings) as aws:
        port = ConsumerAccount(
            await aws.assumed_client("ram", CONSUMER_ADMIN),
            await aws.assumed_client("glue", CONSUMER_ADMIN),
            CONSUMER,
        )
        yield Account(port, None, settings)


async def test_pending_shares_are_accepted_once(account: Account) -> None:
    invoices, payments = account.offer("invoices"), account.offer("payments")
    assert await account.port.accept_shares([invoices]) == [invoices]
    assert await account.port.accept_shares([invoices, payments]) == [payments]
    assert await account.port.accept_shares([invoices, payments]) == []
    assert await account.port.accept_shares([]) == []


async def test_links_are_idempotent_and_unlinking_drops_meshcores_empty_database(
    account: Account,
) -> None:
    assert await account.port.link_table(CENTRAL, "ar__fx", "rates") == "ar__fx.rates"
    assert await account.port.link_table(CENTRAL, "ar__fx", "rates") == "ar__fx.rates"
    await account.port.link_table(CENTRAL, "ar__fx", "history")
    assert account.tables("ar__fx") == ["history", "rates"]
    await account.port.unlink(CENTRAL, ["ar__fx.rates"])
    assert account.tables("ar__fx") == ["history"]
    await account.port.unlink(CENTRAL, ["ar__fx.history", "ar__fx.history"])
    assert account.tables("ar__fx") is None


async def test_unlinking_keeps_a_database_meshcore_did_not_create(account: Account) -> None:
    account.create_own_database("analytics")
    await account.port.link_table(CENTRAL, "analytics", "rates")
    await account.port.unlink(CENTRAL, ["analytics.rates"])
    assert account.tables("analytics") == []


async def test_a_consumers_own_table_of_the_same_name_is_neither_linked_nor_unlinked(
    account: Account,
) -> None:
    account.create_own_table("ar__fx", "rates")
    assert await account.port.link_table(CENTRAL, "ar__fx", "rates") is None
    await account.port.unlink(CENTRAL, ["ar__fx.rates"])
    assert account.tables("ar__fx") == ["rates"]


async def test_invitation_status_tells_pending_from_accepted(account: Account) -> None:
    invoices, payments = account.offer("invoices"), account.offer("payments")
    assert await account.port.invitation_status([]) == {}
    await account.port.accept_shares([invoices])
    assert await account.port.invitation_status([invoices, payments]) == {
        invoices: "ACCEPTED",
        payments: "PENDING",
    }


async def test_links_to_only_a_link_to_that_table(account: Account) -> None:
    assert not await account.port.links_to(CENTRAL, "ar__fx", "rates")
    await account.port.link_table(CENTRAL, "ar__fx", "rates")
    assert await account.port.links_to(CENTRAL, "ar__fx", "rates")
    assert not await account.port.links_to("999999999999", "ar__fx", "rates")
    account.create_own_table("ar__own", "rates")
    assert not await account.port.links_to(CENTRAL, "ar__own", "rates")


async def test_an_expired_invitation_is_reported_and_not_accepted(account: Account) -> None:
    invoices = account.offer("invoices")
    account.expire(invoices)
    assert await account.port.invitation_status([invoices]) == {invoices: "EXPIRED"}
    assert await account.port.accept_shares([invoices]) == []
    assert await account.port.invitation_status([invoices]) == {invoices: "EXPIRED"}
