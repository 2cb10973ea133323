"""Field-by-field comparison of producer catalogs with the central catalog."""

from __future__ import annotations

from typing import Any

from .conftest import Stack

TABLE_FIELDS = (
    "Description",
    "Owner",
    "TableType",
    "ViewOriginalText",
    "ViewExpandedText",
    "PartitionKeys",
)


def pages(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    return [row for page in client.get_paginator(operation).paginate(**params) for row in page[key]]


def partitions(glue: Any, database: str, table: str) -> dict[tuple[str, ...], Any]:
    return {
        tuple(p["Values"]): (p["StorageDescriptor"], p.get("Parameters", {}))
        for p in pages(glue, "get_partitions", "Partitions", DatabaseName=database, TableName=table)
    }


def differences(stack: Stack, account: str, domain: str) -> list[str]:
    """Everything that differs between one producer's catalog and its central copy."""
    source, central = stack.client("glue", account), stack.client("glue")
    found: list[str] = []
    source_dbs = {d["Name"]: d for d in pages(source, "get_databases", "DatabaseList")}
    central_dbs = {
        d["Name"]: d
        for d in pages(central, "get_databases", "DatabaseList")
        if d["Name"].startswith(domain + "__")
    }
    if {f"{domain}__{n}" for n in source_dbs} != set(central_dbs):
        found.append(f"databases: producer {sorted(source_dbs)} central {sorted(central_dbs)}")
    for name, db in source_dbs.items():
        target = f"{domain}__{name}"
        if target not in central_dbs:
            continue
        if db.get("Description") != central_dbs[target].get("Description"):
            found.append(f"database {name} description")
        source_tables = {
            t["Name"]: t for t in pages(source, "get_tables", "TableList", DatabaseName=name)
        }
        central_tables = {
            t["Name"]: t for t in pages(central, "get_tables", "TableList", DatabaseName=target)
        }
        if set(source_tables) != set(central_tables):
            found.append(
                f"tables of {name}: producer {sorted(source_tables)} central {sorted(central_tables)}"
            )
        for tname, table in source_tables.items():
            copy = central_tables.get(tname)
            if copy is None:
                continue
            for field in TABLE_FIELDS:
                if table.get(field) != copy.get(field):
                    found.append(f"{name}.{tname} {field}")
            if table.get("StorageDescriptor") != copy.get("StorageDescriptor"):
                found.append(f"{name}.{tname} StorageDescriptor")
            params = {
                k: v for k, v in copy.get("Parameters", {}).items() if not k.startswith("meshcore:")
            }
            if params != table.get("Parameters", {}):
                found.append(f"{name}.{tname} Parameters")
            if copy["Parameters"].get("meshcore:source_version") != str(table.get("VersionId")):
                found.append(f"{name}.{tname} source version")
            if table.get("PartitionKeys") and partitions(source, name, tname) != partitions(
                central, target, tname
            ):
                found.append(f"{name}.{tname} partitions")
    return found
