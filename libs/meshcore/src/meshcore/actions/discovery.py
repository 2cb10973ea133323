"""A dataset of the central catalog described: owners, schema with its Lake Formation tags,
provenance and who has access. Searching is `actions.catalog.search`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meshcore.actions.catalog import table_fields
from meshcore.actions.context import Central
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.lakeformation import LakeFormation
from meshcore.domain.access import RequestState, TableName
from meshcore.domain.classification import (
    PENDING_CLASSIFICATION,
    SENSITIVITY_TAG_KEY,
    classification_label,
    is_sensitive_class,
)
from meshcore.domain.errors import NotFoundError
from meshcore.domain.naming import split_central_database_name
from meshcore.domain.provenance import PREFIX
from meshcore.domain.recommendations import RecommendationState
from meshcore.domain.times import timestamp


@dataclass
class TableInfo:
    name: TableName
    domain: str
    owners: list[str]
    description: str
    columns: list[dict[str, Any]]  # name, type, comment, sensitivity (classes), classification
    partition_keys: list[dict[str, Any]]
    provenance: dict[str, str]
    location: str
    access: list[dict[str, Any]] = field(default_factory=list)
    partition_count: int | None = None  # counted by `describe` only

    def as_dict(self) -> dict[str, Any]:
        return table_fields(self)


async def _clients(central: Central) -> tuple[GlueCatalog, LakeFormation]:
    glue = GlueCatalog(await central.aws.client("glue"), central.settings.central_account_id)
    return glue, LakeFormation(await central.aws.client("lakeformation"))


async def _info(
    central: Central, lf: LakeFormation, row: dict[str, Any], pending: set[str] | None = None
) -> TableInfo:
    """A table's facts with each column's sensitivity classes and, with `pending` (the columns
    whose recommendations await review), its classification in words."""
    name = TableName(database=row["DatabaseName"], table=row["Name"])
    domain, _source = split_central_database_name(name.database)
    producer = await central.state.producer_for_domain(domain)
    on_table, tags = await lf.table_tags(
        central.settings.central_account_id, name.database, name.table
    )

    def values(column: str) -> list[str]:
        return tags.get(column, {}).get(SENSITIVITY_TAG_KEY, [])

    def classification(column: str) -> dict[str, str]:
        if pending is None:
            return {}
        found = values(column) or on_table.get(SENSITIVITY_TAG_KEY) or []
        value = found[0] if found else None
        return {"classification": classification_label(value, column in pending)}

    descriptor = row.get("StorageDescriptor", {})
    columns = [
        {
            "name": c["Name"],
            "type": c.get("Type", ""),
            "comment": c.get("Comment", ""),
            "sensitivity": [v for v in values(c["Name"]) if is_sensitive_class(v)],
            **classification(c["Name"]),
        }
        for c in descriptor.get("Columns", [])
    ]
    return TableInfo(
        name=name,
        domain=domain,
        owners=producer.owners if producer else [],
        description=row.get("Description", ""),
        columns=columns,
        partition_keys=[
            {"name": k["Name"], "type": k.get("Type", ""), **classification(k["Name"])}
            for k in row.get("PartitionKeys", [])
        ],
        provenance={k: v for k, v in row.get("Parameters", {}).items() if k.startswith(PREFIX)},
        location=descriptor.get("Location", ""),
    )


async def awaiting_review(central: Central, name: TableName) -> set[str]:
    """Columns of a table with a recommendation awaiting review."""
    return {
        r.column
        for r, _version in await central.state.recommendations_of_table(name.database, name.table)
        if r.state is RecommendationState.PENDING
    }


async def pending_classification(central: Central, name: TableName) -> list[str]:
    """Columns (and partition keys) of a table pending classification: not classified yet,
    or with a recommendation awaiting review. No grant reads them unless it names them."""
    info = await describe(central, name, with_access=False)
    return [
        c["name"]
        for c in [*info.columns, *info.partition_keys]
        if c.get("classification") == PENDING_CLASSIFICATION
    ]


async def describe(central: Central, name: TableName, with_access: bool = True) -> TableInfo:
    glue, lf = await _clients(central)
    row = await glue.get_table(name.database, name.table)
    if row is None:
        raise NotFoundError(f"table {name} is not in the central catalog (see `meshctl search`)")
    info = await _info(
        central,
        lf,
        {**row, "DatabaseName": name.database},
        pending=await awaiting_review(central, name),
    )
    if not with_access:
        return info
    info.access = await access_holders(central, name)
    if info.partition_keys:
        info.partition_count = len(await glue.list_partitions(name.database, name.table))
    else:
        info.partition_count = 0
    return info


async def access_holders(central: Central, name: TableName) -> list[dict[str, Any]]:
    """Granted requests that reach `name`: by naming it, or by its whole domain."""
    domain, _source = split_central_database_name(name.database)
    return [
        {
            "request_id": r.request_id,
            "grantee": r.grantee,
            "state": r.state.value,
            "scope": f"domain {r.granted_domain}" if r.granted_domain else "table",
            "expires_at": timestamp(r.expires_at) if r.expires_at else None,
            "excluded_columns": r.excluded_columns.get(str(name), []),
        }
        for r in await central.state.list_requests()
        if r.state is RequestState.GRANTED
        and (
            name in r.granted_tables
            or (r.granted_domain is not None and r.granted_domain == domain)
        )
    ]
