"""A consumer account in memory (port: `meshcore.aws.ports.ConsumerShares`): RAM invitations
it received, and the resource links meshcore keeps in its catalog."""

from __future__ import annotations

from meshcore.aws.consumer import LINKS_MARKER

from .glue import FakeCatalog


class FakeConsumerShares:
    def __init__(self, account_id: str = "444444444444") -> None:
        self.account_id = account_id
        # share ARN -> the status of the latest invitation: PENDING | ACCEPTED | REJECTED | EXPIRED
        self.invitations: dict[str, str] = {}
        self.catalog = FakeCatalog(account_id)

    def offer(self, share_arn: str) -> None:
        """Another account associated this one with a share: a new pending invitation, unless
        the last one is still pending or was accepted."""
        if self.invitations.get(share_arn) not in ("PENDING", "ACCEPTED"):
            self.invitations[share_arn] = "PENDING"

    @property
    def links(self) -> list[str]:
        """Every resource link in the account's catalog, as `database.table`."""
        return sorted(f"{db}.{t}" for db, t in self.catalog.tables)

    async def accept_shares(self, share_arns: list[str]) -> list[str]:
        accepted = [a for a in share_arns if self.invitations.get(a) == "PENDING"]
        for arn in accepted:
            self.invitations[arn] = "ACCEPTED"
        return accepted

    async def link_table(self, owner_catalog: str, database: str, table: str) -> str | None:
        if await self.catalog.get_database(database) is None:
            marker = {"Name": database, "Parameters": {LINKS_MARKER: "true"}}
            await self.catalog.create_database(marker)
        target = {"CatalogId": owner_catalog, "DatabaseName": database, "Name": table}
        found = await self.catalog.get_table(database, table)
        if found is None:
            await self.catalog.create_table(database, {"Name": table, "TargetTable": target})
        elif found.get("TargetTable") != target:
            return None  # the consumer's own table of that name
        return f"{database}.{table}"

    def expire(self, share_arn: str) -> None:
        """The invitation to a share was left unanswered until RAM expired it."""
        self.invitations[share_arn] = "EXPIRED"

    async def invitation_status(self, share_arns: list[str]) -> dict[str, str]:
        return {a: self.invitations[a] for a in share_arns if a in self.invitations}

    async def links_to(self, owner_catalog: str, database: str, table: str) -> bool:
        target = {"CatalogId": owner_catalog, "DatabaseName": database, "Name": table}
        found = await self.catalog.get_table(database, table)
        return found is not None and found.get("TargetTable") == target

    async def unlink(self, owner_catalog: str, links: list[str]) -> None:
        emptied: set[str] = set()
        for link in links:
            database, _, table = link.partition(".")
            target = {"CatalogId": owner_catalog, "DatabaseName": database, "Name": table}
            if database not in self.catalog.databases:
                continue
            found = await self.catalog.get_table(database, table)
            if found is None or found.get("TargetTable") != target:
                continue  # never a table that is not this link
            await self.catalog.delete_table(database, table)
            emptied.add(database)
        for database in emptied:
            db = await self.catalog.get_database(database)
            if db is None or await self.catalog.list_tables(database):
                continue
            if db.get("Parameters", {}).get(LINKS_MARKER) == "true":
                await self.catalog.delete_database(database)
