"""What an approval grants and leaves out: per table, the columns it grants by name (every column
but those sensitive or pending classification that it does not name), and tables whose data Lake
Formation cannot vend. The grant entries themselves are `domain.grants.request_grants`."""

from __future__ import annotations

from dataclasses import dataclass, field

from meshcore.aws.lakeformation import is_registered
from meshcore.aws.ports import Catalog, Permissions
from meshcore.domain.access import TableName
from meshcore.domain.classification import SENSITIVITY_TAG_KEY, readable_by_default
from meshcore.domain.errors import NotFoundError
from meshcore.domain.recommendations import RecommendationState
from meshcore.domain.state_store import StateStore


async def table_columns(catalog: Catalog, table: TableName) -> list[str]:
    """A central table's columns and partition keys."""
    found = await catalog.get_table(table.database, table.table)
    if found is None:
        raise NotFoundError(f"{table} is not in the central catalog")
    return [
        c["Name"]
        for c in [
            *(found.get("StorageDescriptor") or {}).get("Columns", []),
            *found.get("PartitionKeys", []),
        ]
    ]


async def held_back_columns(
    lakeformation: Permissions,
    state: StateStore,
    catalog_id: str,
    table: TableName,
    columns: list[str],
) -> set[str]:
    """Columns a grant reads only where the approval names them: tagged with a sensitive class,
    not classified yet (`unclassified`, their own or their table's, or no sensitivity at all),
    or with a recommendation awaiting review or accepted but not yet tagged (the review tags
    it; this closes the gap in between)."""
    on_table, on_columns = await lakeformation.table_tags(catalog_id, table.database, table.table)

    def sensitivity(column: str) -> str | None:
        values = on_columns.get(column, {}).get(SENSITIVITY_TAG_KEY) or on_table.get(
            SENSITIVITY_TAG_KEY
        )
        return values[0] if values else None

    undecided = (
        RecommendationState.PENDING,
        RecommendationState.ACCEPTED,
        RecommendationState.AUTO_ACCEPTED,
    )
    recommended = {
        r.column
        for r, _version in await state.recommendations_of_table(table.database, table.table)
        if r.state in undecided
    }
    return {c for c in columns if not readable_by_default(sensitivity(c), c in recommended)}


@dataclass
class ColumnScope:
    """Per table (`db.table`): the columns granted by name, and those held back."""

    granted: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)


async def column_scope(
    lakeformation: Permissions,
    state: StateStore,
    catalog: Catalog,
    catalog_id: str,
    scope: list[TableName],
    approved: list[str],
) -> ColumnScope:
    """Per table, the columns to grant: every column but those held back (sensitive, or
    pending classification) that the approval does not name."""
    result = ColumnScope()
    for t in scope:
        columns = await table_columns(catalog, t)
        held = await held_back_columns(lakeformation, state, catalog_id, t, columns)
        excluded = held - set(approved)
        result.excluded[str(t)] = sorted(excluded)
        result.granted[str(t)] = [c for c in columns if c not in excluded]
    return result


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
