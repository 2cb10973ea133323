"""Section 4: how long a full repair takes, from an empty central catalog and with no drift.

The producer catalogs are created before the worker starts and the catalog-change queue is
purged, so the repair alone does the work. The repair is run as an operator runs it:
`meshctl repair --wait --json` (which polls the report in DynamoDB every 0.5 s).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from catalog import create_catalog, plan_tables
from harness import ALL_PRODUCERS, Stack
from report import split_calls

TABLES_PER_DATABASE = 100
SETUP_THREADS = 4


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
        runs = []
        for label in ("first (all drift)", "second (no drift)"):
            progress(f"repair {label} ...")
            run = run_repair(stack, timeout)
            run["repair"] = label
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
