"""Producer catalog objects the benchmark creates, and bulk creation with a few threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_glue.type_defs import PartitionInputTypeDef, TableInputTypeDef

# Glue's limit per BatchCreatePartition call.
PARTITION_BATCH = 100

COLUMNS = (
    ("entry_id", "string"),
    ("account_code", "string"),
    ("amount", "decimal(18,2)"),
    ("currency", "string"),
    ("booked_at", "timestamp"),
)


def table_input(name: str, partitioned: bool, **parameters: str) -> TableInputTypeDef:
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", **parameters},
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in COLUMNS],
            "Location": f"s3://producer-data/{name}/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
            },
        },
        "PartitionKeys": [{"Name": "day", "Type": "string"}] if partitioned else [],
    }


def day(index: int) -> str:
    return (date(2020, 1, 1) + timedelta(days=index)).isoformat()


def partition_input(table: str, value: str) -> PartitionInputTypeDef:
    return {
        "Values": [value],
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in COLUMNS],
            "Location": f"s3://producer-data/{table}/day={value}/",
        },
    }


def create_partitions(glue: Any, database: str, table: str, values: list[str]) -> None:
    for start in range(0, len(values), PARTITION_BATCH):
        response = glue.batch_create_partition(
            DatabaseName=database,
            TableName=table,
            PartitionInputList=[
                partition_input(table, v) for v in values[start : start + PARTITION_BATCH]
            ],
        )
        if response.get("Errors"):
            raise RuntimeError(f"BatchCreatePartition {database}.{table}: {response['Errors'][0]}")


@dataclass(frozen=True)
class PlannedTable:
    account: str
    database: str
    table: str


def plan_tables(
    accounts: list[str], tables: int, per_database: int, prefix: str
) -> list[PlannedTable]:
    """`tables` tables dealt round-robin to the accounts, in databases of `per_database`."""
    planned = []
    for i in range(tables):
        account = accounts[i % len(accounts)]
        k = i // len(accounts)
        planned.append(PlannedTable(account, f"{prefix}_{k // per_database:02d}", f"t{k:05d}"))
    return planned


def create_catalog(
    clients: dict[str, Any],
    planned: list[PlannedTable],
    partitions: int,
    threads: int,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """Create the planned databases, tables and partitions; returns counts and timing."""
    started = time.monotonic()
    databases = sorted({(p.account, p.database) for p in planned})
    for account, database in databases:
        clients[account].create_database(DatabaseInput={"Name": database})
    values = [day(i) for i in range(partitions)]
    done = 0
    lock = threading.Lock()
    step = max(1, len(planned) // 10)

    def create(p: PlannedTable) -> None:
        nonlocal done
        glue = clients[p.account]
        glue.create_table(DatabaseName=p.database, TableInput=table_input(p.table, bool(values)))
        if values:
            create_partitions(glue, p.database, p.table, values)
        with lock:
            done += 1
            if done % step == 0:
                progress(f"{done}/{len(planned)} tables ({time.monotonic() - started:.0f} s)")

    pool = ThreadPoolExecutor(max_workers=threads)
    try:
        for future in [pool.submit(create, p) for p in planned]:
            future.result()
    finally:
        # On failure or Ctrl-C, do not wait for thousands of queued creations.
        pool.shutdown(wait=True, cancel_futures=True)
    return {
        "databases": len(databases),
        "tables": len(planned),
        "partitions": len(planned) * partitions,
        "seconds": round(time.monotonic() - started, 1),
    }
