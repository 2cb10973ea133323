"""What an approval leaves out: the sensitive columns it does not name, and tables whose data
Lake Formation cannot vend. The grant entries themselves are `domain.grants.request_grants`."""

from __future__ import annotations

from meshcore.aws.lakeformation import is_registered
from meshcore.aws.ports import Catalog, Permissions
from meshcore.domain.access import TableName
from meshcore.domain.classification import NOT_SENSITIVE, SENSITIVITY_TAG_KEY
from meshcore.domain.recommendations import RecommendationState
from meshcore.domain.state_store import StateStore


async def sensitive_columns(
    lakeformation: Permissions, state: StateStore, catalog_id: str, table: TableName
) -> set[str]:
    """Columns tagged sensitive in Lake Formation, and any whose classification was accepted
    but not yet tagged (the tag is applied by the review; this closes the gap in between)."""
    tags = await lakeformation.column_tags(catalog_id, table.database, table.table)
    tagged = {
        column
        for column, by_key in tags.items()
        if any(v != NOT_SENSITIVE for v in by_key.get(SENSITIVITY_TAG_KEY, []))
    }
    accepted = (RecommendationState.ACCEPTED, RecommendationState.AUTO_ACCEPTED)
    recommended = {
        r.column
        for r, _version in await state.recommendations_of_table(table.database, table.table)
        if r.state in accepted
    }
    return tagged | recommended


async def excluded_columns(
    lakeformation: Permissions,
    state: StateStore,
    catalog_id: str,
    scope: list[TableName],
    approved: list[str],
) -> dict[str, list[str]]:
    """Per table, the sensitive columns the approval does not name."""
    return {
        str(t): sorted(await sensitive_columns(lakeformation, state, catalog_id, t) - set(approved))
        for t in scope
    }


async def unregistered(
    catalog: Catalog, lakeformation: Permissions, scope: list[TableName]
) -> list[str]:
    """`db.table (s3://…)` for each table in scope whose data Lake Formation cannot vend
    (its location is not registered): a grant on it would reach no data."""
    registered = await lakeformation.registered_locations()
    missing = []
    for name in scope:
        table = await catalog.get_table(name.database, name.table)
        location = str(((table or {}).get("StorageDescriptor") or {}).get("Location") or "")
        if table is not None and not is_registered(location, registered):
            missing.append(f"{name} ({location or 'no location'})")
    return missing
