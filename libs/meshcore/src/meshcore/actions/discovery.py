"""A dataset of the central catalog described: owners, schema with its Lake Formation tags,
provenance and who has access. Searching is `actions.catalog.search`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meshcore.actions.context import Central
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.lakeformation import LakeFormation
from meshcore.domain.access import RequestState, TableName
from meshcore.domain.classification import SENSITIVITY_TAG_KEY
from meshcore.domain.errors import NotFoundError
from meshcore.domain.naming import split_central_database_name
from meshcore.domain.provenance import PREFIX


@dataclass
class TableInfo:
    name: TableName
    domain: str
    owners: list[str]
    description: str
    columns: list[dict[str, Any]]  # name, type, comment, tags
    partition_keys: list[dict[str, Any]]
    provenance: dict[str, str]
    location: str
    access: list[dict[str, Any]] = field(default_factory=list)
    partition_count: int | None = None  # counted by `describe` only

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": str(self.name),
            "domain": self.domain,
            "owners": self.owners,
            "description": self.description,
            "columns": self.columns,
            "partition_keys": self.partition_keys,
            "provenance": self.provenance,
            "location": self.location,
            "access": self.access,
            "partition_count": self.partition_count,
        }


async def _clients(central: Central) -> tuple[GlueCatalog, LakeFormation]:
    glue = GlueCatalog(await central.aws.client("glue"), central.settings.central_account_id)
    return glue, LakeFormation(await central.aws.client("lakeformation"))


async def _info(central: Central, lf: LakeFormation, row: dict[str, Any]) -> TableInfo:
    name = TableName(database=row["DatabaseName"], table=row["Name"])
    domain, _source = split_central_database_name(name.database)
    producer = await central.state.producer_for_domain(domain)
    tags = await lf.column_tags(central.settings.central_account_id, name.database, name.table)
    descriptor = row.get("StorageDescriptor", {})
    columns = [
        {
            "name": c["Name"],
            "type": c.get("Type", ""),
            "comment": c.get("Comment", ""),
            "sensitivity": tags.get(c["Name"], {}).get(SENSITIVITY_TAG_KEY, []),
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
            {"name": k["Name"], "type": k.get("Type", "")} for k in row.get("PartitionKeys", [])
        ],
        provenance={k: v for k, v in row.get("Parameters", {}).items() if k.startswith(PREFIX)},
        location=descriptor.get("Location", ""),
    )


async def describe(central: Central, name: TableName) -> TableInfo:
    glue, lf = await _clients(central)
    row = await glue.get_table(name.database, name.table)
    if row is None:
        raise NotFoundError(f"table {name} is not in the central catalog (see `meshctl search`)")
    info = await _info(central, lf, {**row, "DatabaseName": name.database})
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
            "expires_at": r.expires_at.isoformat() if r.expires_at else None,
            "excluded_columns": r.excluded_columns.get(str(name), []),
        }
        for r in await central.state.list_requests()
        if r.state is RequestState.GRANTED
        and (
            name in r.granted_tables
            or (r.granted_domain is not None and r.granted_domain == domain)
        )
    ]
