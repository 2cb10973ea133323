"""Cross-account delivery as AWS does it: the grant rides a RAM share, which the consumer
accepts; resource links in the consumer's catalog make the tables queryable at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from meshcore.aws.ports import Catalog, ConsumerShares, Permissions
from meshcore.domain.access import AccessRequest, RequestState, TableName
from meshcore.domain.errors import PermanentError, RetryableError
from meshcore.domain.naming import split_central_database_name
from meshcore.domain.state_store import StateStore

# The consumer account, acting as the role that onboarding made its data lake admin.
# (consumer account, its admin role ARN as registered) -> the account's port
ConsumerAccess = Callable[[str, str], Awaitable[ConsumerShares]]


async def deliver(
    request: AccessRequest,
    lakeformation: Permissions,
    state: StateStore,
    consumer_access: ConsumerAccess,
    catalog_id: str,
    catalog: Catalog,
) -> AccessRequest:
    """Find the shares, and where the consumer is onboarded, accept them and link the tables
    (for a domain: the tables it has now; later ones are readable through the central catalog
    and linked by the next grant)."""
    tables, shares = await shared(request, lakeformation, catalog_id, catalog)
    consumer = await state.get_consumer(request.consumer_account)
    if consumer is None or consumer.admin_role_arn is None:
        return request.model_copy(
            update={
                "resource_share_arns": shares,
                "delivery": "shared through RAM; the consumer account accepts the invitation itself",
            }
        )
    if not shares and request.consumer_account != catalog_id:
        # Lake Formation shares asynchronously in AWS: try again shortly rather than record a
        # delivery that did not happen.
        raise RetryableError(f"no RAM share for {request.grantee} yet; delivery will be retried")
    account = await consumer_access(request.consumer_account, consumer.admin_role_arn)
    await account.accept_shares(shares)
    made = [await account.link_table(catalog_id, t.database, t.table) for t in tables]
    links = [link for link in made if link is not None]
    taken = [str(t) for t, link in zip(tables, made, strict=True) if link is None]
    delivery = (
        f"share accepted and {len(links)} resource links created in {request.consumer_account}"
    )
    if taken:
        delivery += f"; not linked, the consumer has its own table of that name: {', '.join(taken)}"
    return request.model_copy(
        update={"resource_share_arns": shares, "resource_links": links, "delivery": delivery}
    )


async def shared(
    request: AccessRequest, lakeformation: Permissions, catalog_id: str, catalog: Catalog
) -> tuple[list[TableName], list[str]]:
    """The tables granted (a domain's: those it has now) and the RAM shares carrying them."""
    shares: list[str] = []
    tables = list(request.granted_tables)
    if request.granted_domain is not None:
        tables = await domain_tables(catalog, request.granted_domain)
        shares = await lakeformation.shares_for(request.grantee)
    for table in request.granted_tables:
        for arn in await lakeformation.share_arns(
            request.grantee, catalog_id, table.database, table.table
        ):
            if arn not in shares:
                shares.append(arn)
    return tables, shares


async def domain_tables(catalog: Catalog, domain: str) -> list[TableName]:
    """The central tables of a producer domain now."""
    found = []
    for database in await catalog.list_databases():
        try:
            owner, _source = split_central_database_name(database["Name"])
        except PermanentError:
            continue  # not a producer's database
        if owner == domain:
            found += [
                TableName(database=database["Name"], table=t["Name"])
                for t in await catalog.list_tables(database["Name"])
            ]
    return found


async def withdraw(
    request: AccessRequest, state: StateStore, consumer_access: ConsumerAccess, catalog_id: str
) -> None:
    """Remove the resource links meshcore created for `request` in the consumer account, except
    those another granted request of the same account still relies on."""
    still_used = {
        link
        for other in await state.requests_of_consumer(request.consumer_account)
        if other.request_id != request.request_id and other.state is RequestState.GRANTED
        for link in other.resource_links
    }
    links = [link for link in request.resource_links if link not in still_used]
    if not links:
        return
    consumer = await state.get_consumer(request.consumer_account)
    if consumer is None or consumer.admin_role_arn is None:
        return
    account = await consumer_access(request.consumer_account, consumer.admin_role_arn)
    await account.unlink(catalog_id, links)
