"""A consumer account in memory (port: `meshcore.aws.ports.ConsumerShares`): RAM invitations
it received, and the resource links meshcore keeps in its catalog."""

from __future__ import annotations

from meshcore.aws.consumer import LINKS_MARKER

from .glue import FakeCatalog


class FakeConsumerShares:
    def __init__(self, account_id: str = "444444444444") -> None:
        self.account_id = account_id
        self.invitations: dict[str, str] = {}  # share ARN -> PENDING | ACCEPTED
        self.catalog = FakeCatalog(account_id)

    def offer(self, share_arn: str) -> None:
        """Another account shared something with this one: a pending invitation."""
        self.invitations.setdefault(share_arn, "PENDING")

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
