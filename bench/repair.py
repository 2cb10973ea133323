"""Section 4: how long a full repair takes, from an empty central catalog and with no drift,
and what it costs in AWS calls per table.

The producer catalogs are created before the worker starts and the catalog-change queue is
purged, so the repair alone does the work. The repair is run as an operator runs it:
`meshctl repair --wait --json` (which polls the report in DynamoDB every 0.5 s).

Calls are compared with the minimum a full diff needs (`minimum_calls`): Glue calls only (the
Lake Formation tags, scan requests, shard messages and DynamoDB bookkeeping are shown apart).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.catalog import PARTITION_BATCH, PlannedTable, create_catalog, plan_tables
from bench.harness import ALL_PRODUCERS, Stack
from bench.render import fmt
from bench.rows import Column, Results, Row, Section, Table, Target, table
from bench.stats import split_calls, top_calls

TITLE = "Repair: from an empty central catalog, then with no drift"
TABLES_PER_DATABASE = 100
SETUP_THREADS = 4
# Glue's page sizes as the adapter asks for them (meshcore.aws.glue).
GET_TABLES_PAGE = 100
GET_PARTITIONS_PAGE = 1000


def _pages(count: int, size: int) -> int:
    return max(1, -(-count // size))


def minimum_calls(planned: list[PlannedTable], partitions: int) -> dict[str, int]:
    """The Glue calls a full diff cannot do without, per pass.

    Both: each producer's and the central database listing; each database's table listing on
    both sides; each partitioned table's partition listing (the producer's, and on the no-drift
    pass the central one too: nothing listing returns says partitions are unchanged). The first
    pass (central empty) lists one empty central page per database, and writes each database,
    each table and each partition batch."""
    producers = len({p.account for p in planned})
    per_database: dict[tuple[str, str], int] = {}
    for p in planned:
        per_database[(p.account, p.database)] = per_database.get((p.account, p.database), 0) + 1
    table_pages = sum(_pages(n, GET_TABLES_PAGE) for n in per_database.values())
    tables = len(planned)
    partitioned = tables if partitions else 0
    listings = _pages(partitions, GET_PARTITIONS_PAGE) if partitions else 0
    batches = _pages(partitions, PARTITION_BATCH) if partitions else 0
    first = (
        2 * producers
        + table_pages
        + len(per_database)  # the empty central listing
        + len(per_database)  # CreateDatabase
        + tables  # CreateTable
        + partitioned * (listings + batches)
    )
    no_drift = 2 * producers + 2 * table_pages + partitioned * 2 * listings
    return {"first": first, "no_drift": no_drift, "partition_listings": partitioned * 2 * listings}


def call_costs(calls: dict[str, int], tables: int, minimum: int) -> dict[str, Any]:
    """A run's calls by kind, per table and against the minimum."""
    glue = sum(n for k, n in calls.items() if k.startswith("glue:"))
    listings = calls.get("glue:GetPartitions", 0)
    return {
        "glue": glue,
        "minimum": minimum,
        "ratio": round(glue / minimum, 3) if minimum else None,
        "partition_listings": listings,
        "per_table_excl_partitions": round((glue - listings) / tables, 3) if tables else None,
        "lakeformation": sum(n for k, n in calls.items() if k.startswith("lakeformation:")),
        "sqs_sends": calls.get("sqs:SendMessage", 0) + calls.get("sqs:SendMessageBatch", 0),
        "dynamodb": sum(n for k, n in calls.items() if k.startswith("dynamodb:")),
    }


def _seconds(report: dict[str, Any]) -> float | None:
    if not report.get("finished_at"):
        return None
    started = datetime.fromisoformat(report["started_at"])
    return (datetime.fromisoformat(report["finished_at"]) - started).total_seconds()


def run_repair(stack: Stack, timeout: float) -> dict[str, Any]:
    stack.emulator.clear_calls()
    cpu_before = stack.cpu_snapshot()
    started = time.monotonic()
    code, out, err = stack.run_meshctl("--json", "repair", "--wait", "--timeout", str(timeout))
    wall = time.monotonic() - started
    calls = stack.emulator.calls()
    cpu_after = stack.cpu_snapshot()
    result: dict[str, Any] = {
        "wall_s": round(wall, 2),
        "calls": dict(sorted(calls.items(), key=lambda kv: -kv[1])),
        "calls_split": split_calls(calls),
        "cpu_seconds": {k: round(cpu_after[k] - cpu_before.get(k, 0.0), 2) for k in cpu_after},
    }
    try:
        report = json.loads(out)
    except ValueError:
        timed_out = "did not finish" in err
        return result | {
            "status": "timeout" if timed_out else "error",
            "error": (err.strip() or f"meshctl exited {code}")[-500:],
        }
    return result | {
        "status": "ok" if report.get("status") == "succeeded" else str(report.get("status")),
        "repair_id": report.get("repair_id"),
        "duration_s": _seconds(report),
        "drift": report.get("drift", {}),
        "drift_total": report.get("drift_total"),
        "tables_checked": report.get("tables_checked"),
        "databases_checked": report.get("databases_checked"),
        "errors": report.get("errors", [])[:5],
    }


def repair_scenario(
    log_root: Path,
    name: str,
    tables: int,
    partitions: int,
    timeout: float,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    with Stack(f"repair-{name}", log_root, producers=ALL_PRODUCERS) as stack:
        clients = {p.account: stack.client("glue", p.account) for p in ALL_PRODUCERS}
        planned = plan_tables(list(clients), tables, TABLES_PER_DATABASE, prefix="books")
        setup = create_catalog(clients, planned, partitions, SETUP_THREADS, progress)
        setup["purged_messages"] = stack.purge_catalog_queue()
        setup["queue_after_purge"] = stack.queue_depth()
        progress(
            f"catalog created in {setup['seconds']:.0f} s; purged {setup['purged_messages']} events"
        )
        stack.start_sync_workers(1)
        minimum = minimum_calls(planned, partitions)
        runs = []
        for label, least in (
            ("first (all drift)", minimum["first"]),
            ("second (no drift)", minimum["no_drift"]),
        ):
            progress(f"repair {label} ...")
            run = run_repair(stack, timeout)
            run["repair"] = label
            run["costs"] = call_costs(run["calls"], len(planned), least)
            runs.append(run)
            progress(
                f"repair {label}: {run['status']} in {run.get('duration_s') or run['wall_s']:.1f} s"
            )
            if run["status"] != "ok":
                break
        return {
            "status": "ok" if all(r["status"] == "ok" for r in runs) else runs[-1]["status"],
            "tables": tables,
            "partitions_per_table": partitions,
            "producers": len(clients),
            "setup": setup,
            "runs": runs,
            "memory": [*stack.worker_stats(), stack.emulator_stats()],
            "violations": stack.emulator.violations(),
        }


# -- the section's rows -----------------------------------------------------------------------


def section(results: Results) -> Section:
    repair: dict[str, Any] = results["sections"]["repair"]
    rows, details = [], []
    for key, scenario in repair.get("scenarios", {}).items():
        if "runs" not in scenario:
            rows.append(Row.of(key, "-", scenario.get("status"), *([None] * 8)))
            details.append(f"{key}: {scenario.get('error', '')}")
            continue
        setup = scenario["setup"]
        label = f"{scenario['tables']:,} tables x {scenario['partitions_per_table']} partitions"
        details.append(
            f"{key} setup: {setup['databases']} databases, {setup['tables']:,} tables, "
            f"{setup['partitions']:,} partitions in {setup['seconds']} s; purged "
            f"{setup['purged_messages']:,} events (queue after purge: {setup['queue_after_purge']})"
        )
        for run in scenario["runs"]:
            cpu = run.get("cpu_seconds", {})
            seconds = run.get("duration_s")
            checked = run.get("tables_checked")
            rows.append(
                Row.of(
                    label,
                    run["repair"],
                    run["status"],
                    seconds,
                    round(checked / seconds, 1) if seconds and checked else None,
                    run.get("drift_total"),
                    checked,
                    sum(run["calls"].values()),
                    cpu.get("emulator"),
                    round(sum(v for k, v in cpu.items() if k != "emulator"), 2),
                    round(cpu.get("emulator", 0) / run["wall_s"], 2) if run.get("wall_s") else None,
                )
            )
            label = ""
            drift = ", ".join(f"{k} {v:,}" for k, v in sorted(run.get("drift", {}).items()))
            details.append(f"  {run['repair']}: drift {drift or 'none'}")
            details.append(f"    calls: {top_calls(run['calls'], 10)}")
            if run.get("errors") or run.get("error"):
                details.append(f"    errors: {run.get('errors') or run.get('error')}")
    columns = [
        Column("scenario"),
        Column("repair"),
        Column("status"),
        Column("duration (s)"),
        Column("tables/s", 1),
        Column("drift"),
        Column("tables checked"),
        Column("AWS calls"),
        Column("emulator CPU (s)"),
        Column("workers CPU (s)"),
        Column("emulator busy (CPU s/s)"),
    ]
    note = (
        "One sync-worker, 3 producers, `meshctl repair --wait`; each scenario runs once (its "
        "size is the point). duration = the repair report's start to finish; AWS calls include "
        "meshctl's report polling (dynamodb:GetItem every 0.5 s); emulator busy = emulator CPU "
        "seconds / wall seconds."
    )
    return Section(TITLE, (table(columns, rows, note), costs_table(repair)), details=tuple(details))


def costs_table(repair: dict[str, Any]) -> Table:
    rows = []
    for scenario in repair.get("scenarios", {}).values():
        label = f"{scenario.get('tables', 0):,} tables x {scenario.get('partitions_per_table', 0)}"
        for run in scenario.get("runs", []):
            costs = run.get("costs")
            if not costs:
                continue
            rows.append(
                Row.of(
                    label,
                    run["repair"],
                    costs["glue"],
                    costs["minimum"],
                    costs["ratio"],
                    costs["per_table_excl_partitions"],
                    costs["partition_listings"],
                    costs["lakeformation"],
                    costs["sqs_sends"],
                    costs["dynamodb"],
                )
            )
            label = ""
    columns = [
        Column("scenario"),
        Column("repair"),
        Column("Glue calls"),
        Column("minimum (full diff)"),
        Column("Glue / minimum (x)", 3),
        Column("Glue per table excl. partition listings", 3),
        Column("partition listings"),
        Column("Lake Formation"),
        Column("SQS sends"),
        Column("DynamoDB"),
    ]
    note = (
        "AWS calls of one repair. minimum = the Glue calls a full diff cannot do without "
        "(listings of databases, tables and partitions; on the first pass the writes of each "
        "database, table and partition batch). Lake Formation = tags of new databases and "
        "tables; SQS sends = scan requests and the repair's shard messages; DynamoDB = the "
        "shards' results and report, and meshctl's polling."
    )
    return table(columns, rows, note)


def targets(results: Results) -> list[Target]:
    scenarios = results["sections"].get("repair", {}).get("scenarios", {})
    found = []
    if (a := scenarios.get("a")) and a.get("runs"):
        seconds = a["runs"][0].get("duration_s")
        found.append(
            Target(
                f"repair {a['tables']:,} tables x {a['partitions_per_table']} partitions, "
                f"{a['producers']} producers",
                "< 120 s",
                f"{fmt(seconds, 1)} s",
                None if seconds is None else seconds < 120,
            )
        )
    for key in ("a", "b"):
        runs = [r for r in scenarios.get(key, {}).get("runs", []) if r.get("costs")]
        if len(runs) >= 1:
            ratio = runs[0]["costs"]["ratio"]
            found.append(
                Target(
                    f"repair {key} first pass: Glue calls / minimum of a full diff",
                    "<= 1.1x",
                    f"{fmt(ratio, 3)}x",
                    None if ratio is None else ratio <= 1.1,
                )
            )
        if len(runs) >= 2:
            per = runs[1]["costs"]["per_table_excl_partitions"]
            found.append(
                Target(
                    f"repair {key} no-drift pass: Glue calls per table, plus "
                    f"{runs[1]['costs']['partition_listings']:,} partition listings",
                    "<= 1.1",
                    fmt(per, 3),
                    None if per is None else per <= 1.1,
                )
            )
    if (b := scenarios.get("b")) and b.get("runs"):
        found.append(
            Target(
                f"repair {b['tables']:,} tables: first pass / no drift",
                "(no target)",
                " / ".join(f"{fmt(r.get('duration_s'), 1)} s" for r in b["runs"]),
            )
        )
    return found
