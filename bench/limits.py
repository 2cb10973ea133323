"""The limit: what the embedded AWS itself can do for the minimal call sequences of the workers.

A tight async client (aiobotocore, N coroutines on one event loop, as the workers run) repeats
each sequence as fast as the emulator answers, against a fresh emulator with no bus rules, so
nothing but the calls themselves costs time:

- table: GetTable + UpdateTable (one UpdateTable convergence);
- partitions: BatchGetPartition + BatchUpdatePartition of a batch of partitions;
- grant: one Lake Formation GrantPermissions (SELECT on a table to another account).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from bench.catalog import day, partition_input, table_input
from bench.harness import Emulator
from bench.rows import Column, Results, Row, Section, Target, table
from bench.stats import median, percentile

if TYPE_CHECKING:
    from mypy_boto3_glue.type_defs import PartitionInputTypeDef

TITLE = "The limit: the embedded AWS alone, minimal call sequences (async client)"
CONSUMER_ACCOUNT = "444444444444"
Step = Callable[[Any, Any, int, int], Awaitable[None]]  # (glue, lakeformation, lane, i)


async def _table_pair(glue: Any, lf: Any, lane: int, i: int) -> None:
    name = f"t{lane}"
    await glue.get_table(DatabaseName="raw", Name=name)
    await glue.update_table(DatabaseName="raw", TableInput=table_input(name, True, rev=str(i)))


def _partition_pair(batch: int) -> Step:
    async def step(glue: Any, lf: Any, lane: int, i: int) -> None:
        name = f"t{lane}"
        values = [day(k) for k in range(batch)]
        await glue.batch_get_partition(
            DatabaseName="raw",
            TableName=name,
            PartitionsToGet=[{"Values": [v]} for v in values],
        )
        await glue.batch_update_partition(
            DatabaseName="raw",
            TableName=name,
            Entries=[
                {"PartitionValueList": [v], "PartitionInput": _revised(name, v, i)} for v in values
            ],
        )

    return step


def _revised(table: str, value: str, i: int) -> PartitionInputTypeDef:
    partition = partition_input(table, value)
    partition["Parameters"] = {"rev": str(i)}
    return partition


async def _grant(glue: Any, lf: Any, lane: int, i: int) -> None:
    await lf.grant_permissions(
        Principal={"DataLakePrincipalIdentifier": CONSUMER_ACCOUNT},
        Resource={"Table": {"DatabaseName": "raw", "Name": f"t{lane}"}},
        Permissions=["SELECT"],
    )


async def _lanes(glue: Any, lf: Any, step: Step, lanes: int, seconds: float) -> dict[str, Any]:
    """`lanes` coroutines repeat `step` until `seconds` have passed."""
    latencies: list[float] = []
    await step(glue, lf, 0, 0)  # warm the connections
    end = time.perf_counter() + seconds

    async def lane(k: int) -> None:
        i = 0
        while time.perf_counter() < end:
            i += 1
            started = time.perf_counter()
            await step(glue, lf, k, i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(lane(k) for k in range(lanes)))
    elapsed = time.perf_counter() - started
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    return {
        "lanes": lanes,
        "sequences": len(latencies),
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": None if p50 is None else round(p50 * 1000, 2),
        "p99_ms": None if p99 is None else round(p99 * 1000, 2),
    }


def _client_kwargs(endpoint: str, lanes: int) -> dict[str, Any]:
    """The emulator's fixed test credentials (central account); no retries: a tight client."""
    return {
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "config": AioConfig(max_pool_connections=lanes + 2, retries={"max_attempts": 1}),
    }


async def _measure(
    endpoint: str, lanes: tuple[int, ...], seconds: float, repeats: int, batch: int
) -> dict[str, Any]:
    session = get_session()
    kwargs = _client_kwargs(endpoint, max(lanes))
    async with (
        session.create_client("glue", **kwargs) as glue,
        session.create_client("lakeformation", **kwargs) as lf,
    ):
        await glue.create_database(DatabaseInput={"Name": "raw"})
        values = [day(k) for k in range(batch)]
        for k in range(max(lanes)):
            name = f"t{k}"
            await glue.create_table(DatabaseName="raw", TableInput=table_input(name, True))
            await glue.batch_create_partition(
                DatabaseName="raw",
                TableName=name,
                PartitionInputList=[partition_input(name, v) for v in values],
            )
        sequences: dict[str, Step] = {
            "table": _table_pair,
            "partitions": _partition_pair(batch),
            "grant": _grant,
        }
        out: dict[str, Any] = {}
        for name, step in sequences.items():
            out[name] = {
                str(n): [await _lanes(glue, lf, step, n, seconds) for _ in range(repeats)]
                for n in lanes
            }
        return out


def raw_limits(
    log_root: Path, lanes: tuple[int, ...], seconds: float, repeats: int, batch: int
) -> dict[str, Any]:
    """Sequences per second of each minimal call sequence, `repeats` windows of `seconds`."""
    log_dir = log_root / "raw"
    log_dir.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(log_dir / "emulator.log")
    try:
        runs = asyncio.run(_measure(emulator.endpoint_url, lanes, seconds, repeats, batch))
        return {
            "status": "ok",
            "batch": batch,
            "window_s": seconds,
            "repeats": repeats,
            "runs": runs,
            "violations": emulator.violations(),
        }
    finally:
        emulator.stop()


async def _probe(endpoint: str, database: str, lanes: int, seconds: float) -> dict[str, Any]:
    session = get_session()
    async with session.create_client("glue", **_client_kwargs(endpoint, lanes)) as glue:
        await glue.create_database(DatabaseInput={"Name": database})
        for k in range(lanes):
            await glue.create_table(DatabaseName=database, TableInput=table_input(f"t{k}", True))

        async def step(glue: Any, lf: Any, lane: int, i: int) -> None:
            name = f"t{lane}"
            await glue.get_table(DatabaseName=database, Name=name)
            await glue.update_table(
                DatabaseName=database, TableInput=table_input(name, True, rev=str(i))
            )

        return await _lanes(glue, None, step, lanes, seconds)


def table_pair_probe(endpoint: str, database: str, lanes: int, seconds: float) -> dict[str, Any]:
    """The limit again, moments before a measurement and on its own emulator (the central
    account's tables, whose events no rule routes): the machine's load drifts in minutes."""
    return asyncio.run(_probe(endpoint, database, lanes, seconds))


# -- the section's rows -----------------------------------------------------------------------


def section(results: Results) -> Section:
    raw: dict[str, Any] = results["sections"]["raw"]
    if failed := Section.failed(TITLE, raw):
        return failed
    what = {
        "table": "GetTable + UpdateTable",
        "partitions": f"BatchGetPartition + BatchUpdatePartition ({raw['batch']} partitions)",
        "grant": "Lake Formation GrantPermissions",
    }
    rows = []
    for sequence, by_lanes in raw["runs"].items():
        for lanes, runs in by_lanes.items():
            rows.append(
                Row.of(
                    what.get(sequence, sequence),
                    int(lanes),
                    median([r["per_s"] for r in runs]),
                    tuple(r["per_s"] for r in runs),
                    median([r["p50_ms"] for r in runs]),
                    median([r["p99_ms"] for r in runs]),
                )
            )
    columns = [
        Column("sequence"),
        Column("async lanes"),
        Column("median (sequences/s)", 1),
        Column("rounds (sequences/s)", 1),
        Column("p50 (ms)"),
        Column("p99 (ms)"),
    ]
    note = (
        f"A tight aiobotocore client repeats each sequence for {raw['window_s']} s per round "
        "against a fresh emulator with no event rules; p50 and p99 are the medians over the "
        "rounds of each round's latency percentiles."
    )
    return Section(TITLE, (table(columns, rows, note),))


def targets(results: Results) -> list[Target]:
    return []
