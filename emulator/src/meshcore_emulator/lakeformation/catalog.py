"""The Glue Data Catalog as Lake Formation sees it: which databases, tables and columns exist,
who created them, their LF-tags, and which S3 locations are registered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moto.glue.models import FakeDatabase, FakeTable, glue_backends

from . import identity

_CREATORS = "_meshcore_creators"


@dataclass(frozen=True)
class Table:
    catalog: str
    region: str
    database: str
    name: str
    columns: tuple[str, ...]  # data columns, then partition keys
    partition_keys: tuple[str, ...]
    location: str
    target: dict[str, Any] = field(default_factory=dict)  # TargetTable of a resource link

    @property
    def arn(self) -> str:
        return f"arn:aws:glue:{self.region}:{self.catalog}:table/{self.database}/{self.name}"


def glue_database(catalog: str, region: str, database: str) -> FakeDatabase | None:
    found: FakeDatabase | None = glue_backends[catalog][region].databases.get(database)
    return found


def find_table(catalog: str, region: str, database: str, name: str) -> Table | None:
    db = glue_database(catalog, region, database)
    fake: FakeTable | None = db.tables.get(name) if db else None
    if fake is None:
        return None
    current = fake.as_dict()
    sd = current.get("StorageDescriptor") or {}
    keys = tuple(k["Name"] for k in current.get("PartitionKeys") or [])
    columns = tuple(c["Name"] for c in sd.get("Columns") or []) + keys
    return Table(
        catalog,
        region,
        database,
        name,
        columns,
        keys,
        str(sd.get("Location") or ""),
        dict(current.get("TargetTable") or {}),
    )


def creators(catalog: str, region: str) -> dict[tuple[str, ...], str]:
    """("database", db) or ("table", db, name) -> the identity that created it."""
    backend = glue_backends[catalog][region]
    found: dict[tuple[str, ...], str] = vars(backend).setdefault(_CREATORS, {})
    return found


def creator_of(catalog: str, region: str, *key: str) -> str | None:
    return creators(catalog, region).get(key)


def iam_allowed(catalog: str, region: str) -> set[tuple[str, ...]]:
    """("database", db) / ("table", db, name) on which IAM_ALLOWED_PRINCIPALS holds Super."""
    lakeformation = identity.backend(catalog, region)
    found: set[tuple[str, ...]] = vars(lakeformation).setdefault("_meshcore_iam_allowed", set())
    return found


def effective_tags(table: Table, column: str) -> dict[str, list[str]]:
    """A column's LF-tags: its own, else its table's, else its database's, key by key
    (an assignment lower down overrides the inherited value of that key)."""
    lf = identity.backend(table.catalog, table.region)
    tags: dict[str, list[str]] = {}
    levels = (
        lf.lf_database_tags.get((table.catalog, table.database), []),
        lf.lf_table_tags.get((table.catalog, table.database, table.name), []),
        lf.lf_columns_tags.get((table.catalog, table.database, table.name, column), []),
    )
    for level in levels:
        for tag in level:
            tags[tag["TagKey"]] = list(tag["TagValues"])
    return tags


def registered_location(catalog: str, region: str, location: str) -> dict[str, Any] | None:
    """The registration (ResourceArn, RoleArn, …) covering an s3:// location, if any."""
    if not location.startswith("s3://"):
        return None
    path = location[len("s3://") :].rstrip("/") + "/"
    for arn, resource in identity.backend(catalog, region).resources.items():
        prefix = arn.split(":::", 1)[-1].rstrip("/") + "/"
        if path.startswith(prefix):
            info: dict[str, Any] = resource.to_dict()
            return info
    return None
