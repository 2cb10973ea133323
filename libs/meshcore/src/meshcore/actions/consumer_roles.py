"""Step 8 of the flow: the consumer account's data lake admin grants its own IAM roles what the
account received, through the resource links, never beyond it (Lake Formation bounds a regrant by
what was shared with the account).
https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-read-data.html

meshcore's role in the consumer account (onboard-consumer made it the account's data lake admin)
makes the grants; each is audited under `consumer/<account>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from meshcore.actions.context import Central
from meshcore.actions.discovery import awaiting_review
from meshcore.aws.errors import aws_errors
from meshcore.aws.lakeformation import LakeFormation
from meshcore.domain import column_access
from meshcore.domain.access import ROLE_ARN, TableName
from meshcore.domain.errors import NotFoundError, UnknownNameError
from meshcore.domain.grants import consumer_role_grants

if TYPE_CHECKING:
    from types_aiobotocore_lakeformation.client import LakeFormationClient


def check_role(role_arn: str, consumer: str) -> None:
    match = ROLE_ARN.fullmatch(role_arn)
    if match is None or match.group(1) != consumer:
        raise ValueError(
            f"{role_arn!r} is not an IAM role of account {consumer} "
            f"(arn:aws:iam::{consumer}:role/NAME)"
        )


async def change_role_access(
    central: Central,
    grant: bool,
    consumer: str,
    role_arn: str,
    tables: list[TableName],
    domain: str | None,
    actor: str,
) -> list[dict[str, Any]]:
    """Grant (or revoke) `role_arn` the tables or the domain; returns the entries."""
    check_role(role_arn, consumer)
    registered = await central.state.get_consumer(consumer)
    if registered is None or registered.admin_role_arn is None:
        raise ValueError(f"account {consumer} is not onboarded: run `meshctl onboard-consumer`")
    settings = central.settings
    admin = registered.admin_role_arn
    glue = await central.aws.assumed_client("glue", admin)
    for table in tables:  # the links grant-worker created when the request was granted
        try:
            with aws_errors(f"glue:GetTable {consumer}/{table}"):
                await glue.get_table(DatabaseName=table.database, Name=table.table)
        except NotFoundError as exc:
            raise UnknownNameError(
                f"no resource link {table} in account {consumer}: is a request for it granted?"
            ) from exc
    entries = consumer_role_grants(role_arn, consumer, settings.central_account_id, tables, domain)
    lakeformation = LakeFormation(await central.aws.assumed_client("lakeformation", admin))
    await (lakeformation.grant(entries) if grant else lakeformation.revoke(entries))
    await central.audit.record(
        f"consumer/{consumer}",
        "consumer-role.granted" if grant else "consumer-role.revoked",
        actor,
        role=role_arn,
        tables=[str(t) for t in tables],
        domain=domain or "",
    )
    return entries


async def explain_access(
    central: Central, principal: str, name: TableName
) -> list[column_access.ColumnAccess]:
    """Per column of a central table, whether `principal` can read it and through which grant,
    from Lake Formation's own reads (ListPermissions, GetResourceLFTags, RAM invitations)."""
    catalog_id = central.settings.central_account_id
    glue = await central.aws.client("glue")
    with aws_errors(f"glue:GetTable {name}"):
        found = (await glue.get_table(DatabaseName=name.database, Name=name.table))["Table"]
    lf_client = await central.aws.client("lakeformation")
    lakeformation = LakeFormation(lf_client)
    table = column_access.Table(
        catalog_id,
        name.database,
        name.table,
        [c["Name"] for c in found.get("StorageDescriptor", {}).get("Columns", [])],
        [k["Name"] for k in found.get("PartitionKeys", [])],
        await _effective_tags(lf_client, catalog_id, name),
        frozenset(await awaiting_review(central, name)),
    )
    account = principal.split(":")[4] if principal.startswith("arn:") else principal
    owner_grants = await lakeformation.permissions_of(principal)
    account_grants: list[dict[str, Any]] = []
    accepted = True
    if account != catalog_id:
        owner_grants += await lakeformation.permissions_of(account)
        consumer = await central.state.get_consumer(account)
        if consumer is not None and consumer.admin_role_arn and principal != account:
            admin = consumer.admin_role_arn
            theirs = LakeFormation(await central.aws.assumed_client("lakeformation", admin))
            account_grants = await theirs.permissions_of(principal)
            ram = await central.aws.assumed_client("ram", admin)
            with aws_errors(f"ram:GetResourceShareInvitations in {account}"):
                invitations = (await ram.get_resource_share_invitations()).get(
                    "resourceShareInvitations", []
                )
            accepted = any(
                i.get("senderAccountId") == catalog_id and i.get("status") == "ACCEPTED"
                for i in invitations
            )
    return column_access.explain(principal, table, owner_grants, account_grants, accepted)


async def _effective_tags(
    lakeformation: LakeFormationClient, catalog_id: str, name: TableName
) -> dict[str, column_access.Tags]:
    """Each column's LF-tags: its own, else its table's, else its database's (key by key)."""

    def as_dict(tags: Sequence[Mapping[str, Any]]) -> column_access.Tags:
        return {t["TagKey"]: list(t["TagValues"]) for t in tags}

    with aws_errors(f"lakeformation:GetResourceLFTags {name}"):
        db = await lakeformation.get_resource_lf_tags(
            Resource={"Database": {"CatalogId": catalog_id, "Name": name.database}}
        )
        table = await lakeformation.get_resource_lf_tags(
            Resource={
                "Table": {
                    "CatalogId": catalog_id,
                    "DatabaseName": name.database,
                    "Name": name.table,
                }
            }
        )
    inherited = as_dict(db.get("LFTagOnDatabase", [])) | as_dict(table.get("LFTagsOnTable", []))
    return {
        column["Name"]: inherited | as_dict(column.get("LFTags", []))
        for column in table.get("LFTagsOnColumns", [])
    } | {"*": inherited}
