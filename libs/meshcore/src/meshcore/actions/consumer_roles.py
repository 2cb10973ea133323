"""Step 8 of the flow: the consumer account's data lake admin grants its own IAM roles what the
account received, through the resource links, never beyond it (Lake Formation bounds a regrant by
what was shared with the account).
https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-read-data.html

meshcore's role in the consumer account (onboard-consumer made it the account's data lake admin)
makes the grants; each is audited under `consumer/<account>`.
"""

from __future__ import annotations

from typing import Any

from meshcore.actions.context import Central
from meshcore.aws.errors import aws_errors
from meshcore.aws.lakeformation import LakeFormation, domain_grants, entry
from meshcore.domain.access import ROLE_ARN, TableName
from meshcore.domain.errors import NotFoundError


def role_grants(
    role_arn: str, consumer: str, central_catalog: str, tables: list[TableName]
) -> list[dict[str, Any]]:
    """DESCRIBE on each resource link, DESCRIBE on its target, SELECT on the target's columns
    (all of them: Lake Formation keeps the role within the columns the account received)."""
    entries = []
    for table in tables:
        link = {"CatalogId": consumer, "DatabaseName": table.database, "Name": table.table}
        target = {"CatalogId": central_catalog, "DatabaseName": table.database, "Name": table.table}
        entries += [
            entry(role_arn, {"Table": link}, ["DESCRIBE"]),
            entry(role_arn, {"Table": target}, ["DESCRIBE"]),
            entry(
                role_arn,
                {"TableWithColumns": target | {"ColumnWildcard": {"ExcludedColumnNames": []}}},
                ["SELECT"],
            ),
        ]
    return entries


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
            raise NotFoundError(
                f"no resource link {table} in account {consumer}: is a request for it granted?"
            ) from exc
    entries = role_grants(role_arn, consumer, settings.central_account_id, tables)
    if domain is not None:
        entries += domain_grants(role_arn, settings.central_account_id, domain)
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
