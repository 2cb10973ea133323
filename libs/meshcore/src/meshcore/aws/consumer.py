"""What meshcore does inside an onboarded consumer account: accept shares, keep resource links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from meshcore.aws.errors import aws_errors, error_code
from meshcore.domain.access import ROLE_ARN
from meshcore.domain.errors import AccessDeniedError, ConflictError, NotFoundError

if TYPE_CHECKING:
    from types_aiobotocore_glue.client import GlueClient
    from types_aiobotocore_glue.type_defs import TableInputTypeDef
    from types_aiobotocore_ram.client import RAMClient

# Marks the databases meshcore created for resource links, so revocation only removes its own.
LINKS_MARKER = "meshcore:resource_links"


def admin_role_in(account_id: str, role_arn: str) -> str:
    """`role_arn`, checked to be an IAM role of consumer account `account_id`: a consumer
    registry entry naming another account's role must not send meshcore's credentials there."""
    match = ROLE_ARN.fullmatch(role_arn)
    if match is None or match.group(1) != account_id:
        raise AccessDeniedError(
            f"consumer {account_id}'s admin role {role_arn!r} is not a role of that account: "
            "not assumed"
        )
    return role_arn


def _later(rank: tuple[bool, Any, str], than: tuple[bool, Any, str]) -> bool:
    """An accepted invitation first, then the most recent (when both carry a timestamp)."""
    if rank[0] != than[0]:
        return rank[0]
    if rank[1] is None or than[1] is None:
        return True
    return bool(rank[1] > than[1])


class ConsumerAccount:
    def __init__(self, ram: RAMClient, glue: GlueClient, account_id: str) -> None:
        self._ram = ram
        self._glue = glue
        self.account_id = account_id

    async def accept_shares(self, share_arns: list[str]) -> list[str]:
        """Accept pending invitations to these shares; returns the shares accepted now."""
        if not share_arns:
            return []
        with aws_errors(f"ram:GetResourceShareInvitations in {self.account_id}"):
            response = await self._ram.get_resource_share_invitations(resourceShareArns=share_arns)
        accepted = []
        for invitation in response.get("resourceShareInvitations", []):
            if invitation.get("status") != "PENDING":
                continue
            with aws_errors(f"ram:AcceptResourceShareInvitation in {self.account_id}"):
                try:
                    await self._ram.accept_resource_share_invitation(
                        resourceShareInvitationArn=invitation["resourceShareInvitationArn"]
                    )
                except ClientError as exc:
                    # Another grant to the same share accepted it since we listed it (grants
                    # run concurrently): accepted is what we want.
                    if error_code(exc) != "ResourceShareInvitationAlreadyAcceptedException":
                        raise
                    continue
            accepted.append(invitation["resourceShareArn"])
        return accepted

    async def link_table(self, owner_catalog: str, database: str, table: str) -> str | None:
        """A resource link `database.table` pointing at the shared table; idempotent. None when
        the consumer has a table of that name that is not this link: it is theirs, left alone."""
        try:
            with aws_errors(f"glue:GetDatabase {self.account_id}/{database}"):
                await self._glue.get_database(Name=database)
        except NotFoundError:
            try:
                with aws_errors(f"glue:CreateDatabase {self.account_id}/{database}"):
                    await self._glue.create_database(
                        DatabaseInput={
                            "Name": database,
                            "Description": f"resource links to {owner_catalog}:{database} (meshcore)",
                            "Parameters": {LINKS_MARKER: "true"},
                        }
                    )
            except ConflictError:
                pass  # a concurrent grant into the same database created it since we looked
        link: TableInputTypeDef = {
            "Name": table,
            "TargetTable": {"CatalogId": owner_catalog, "DatabaseName": database, "Name": table},
        }
        try:
            with aws_errors(f"glue:CreateTable link {self.account_id}/{database}.{table}"):
                await self._glue.create_table(DatabaseName=database, TableInput=link)
        except ConflictError:
            # AlreadyExistsException: ours only if it is this very link (a retry, or another
            # grant of the same table).
            if not await self.links_to(owner_catalog, database, table):
                return None
        return f"{database}.{table}"

    async def links_to(self, owner_catalog: str, database: str, table: str) -> bool:
        """The consumer's `database.table` is a resource link to the central table."""
        try:
            with aws_errors(f"glue:GetTable {self.account_id}/{database}.{table}"):
                found = (await self._glue.get_table(DatabaseName=database, Name=table))["Table"]
        except NotFoundError:
            return False
        target = found.get("TargetTable") or {}
        return (target.get("CatalogId"), target.get("DatabaseName"), target.get("Name")) == (
            owner_catalog,
            database,
            table,
        )

    async def invitation_status(self, share_arns: list[str]) -> dict[str, str]:
        """Share ARN -> the status of this account's invitation to it: an accepted one, else the
        latest (an expired invitation may be followed by a new one)."""
        if not share_arns:
            return {}
        found: dict[str, tuple[bool, Any, str]] = {}
        params: dict[str, Any] = {"resourceShareArns": share_arns}
        while True:
            with aws_errors(f"ram:GetResourceShareInvitations in {self.account_id}"):
                response = await self._ram.get_resource_share_invitations(**params)
            for invitation in response.get("resourceShareInvitations", []):
                arn, status = invitation.get("resourceShareArn"), invitation.get("status")
                if not arn or not status:
                    continue
                rank = (status == "ACCEPTED", invitation.get("invitationTimestamp"), str(status))
                if arn not in found or _later(rank, found[arn]):
                    found[arn] = rank
            if not response.get("nextToken"):
                return {arn: rank[2] for arn, rank in found.items()}
            params["nextToken"] = response["nextToken"]

    async def unlink(self, owner_catalog: str, links: list[str]) -> None:
        """Delete these resource links, each only while it still points at the central table
        (never a table of the consumer's that has the same name)."""
        emptied: set[str] = set()
        for link in links:
            database, _, table = link.partition(".")
            if not await self.links_to(owner_catalog, database, table):
                continue
            try:
                with aws_errors(f"glue:DeleteTable link {self.account_id}/{link}"):
                    await self._glue.delete_table(DatabaseName=database, Name=table)
            except NotFoundError:
                pass
            emptied.add(database)
        for database in emptied:
            try:
                with aws_errors(f"glue:GetDatabase {self.account_id}/{database}"):
                    db = (await self._glue.get_database(Name=database))["Database"]
                    page = await self._glue.get_tables(DatabaseName=database, MaxResults=1)
            except NotFoundError:
                continue
            remaining = page.get("TableList", [])
            if not remaining and db.get("Parameters", {}).get(LINKS_MARKER) == "true":
                with aws_errors(f"glue:DeleteDatabase {self.account_id}/{database}"):
                    await self._glue.delete_database(Name=database)
