"""`make bench`: how fast sync-worker keeps the central catalog converged, on the embedded AWS.

Sections (one printed table each; everything also goes to bench/results/latest.json):
1. raw capacity of the embedded AWS for the minimum calls of an UpdateTable convergence;
2. sustained UpdateTable events per second and end-to-end lag, 1 and 4 sync-workers;
3. AWS calls per catalog change, by type, next to the minimum possible;
4. repair time, from an empty central catalog and with no drift;
5. peak memory of each sync-worker (and the emulator) at the end of each scenario.

The machines this runs on are shared and noisy: it reports numbers, it never passes or fails on
them. Exit status 1 only when a section could not run (an error, not a slow result); a
scenario that does not converge within the time limit is reported as "timeout".

    python bench/sync_bench.py [--quick] [--only raw,sustained,calls,repair]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import render
from calls import calls_per_change
from harness import ScenarioTimeout, stop_on_sigterm
from repair import repair_scenario
from throughput import raw_capacity, sustained

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
SECTIONS = ("raw", "sustained", "calls", "repair")


@dataclass(frozen=True)
class Sizes:
    raw_pairs: int = 300  # GetTable + UpdateTable pairs per thread
    raw_threads: int = 4
    tables: int = 20  # partitionless tables the producer updates
    updates: int = 600  # UpdateTable events in total
    producer_threads: int = 2
    worker_counts: tuple[int, ...] = (0, 1, 4)  # 0: the producer alone, for reference
    poll_pause_s: float = 0.01  # between the lag poller's GetTable calls
    call_repeats: int = 3  # of each change type
    call_partitions: int = 10  # partitions per batch change
    repair_tables: int = 850
    repair_partitions: int = 100  # per table
    bulk_tables: int = 5_000  # partitionless

    def quick(self) -> Sizes:
        """About 10x smaller everywhere: a smoke run."""
        return replace(
            self,
            raw_pairs=30,
            tables=2,
            updates=60,
            call_repeats=1,
            repair_tables=85,
            repair_partitions=10,
            bulk_tables=500,
        )


def say(text: str) -> None:
    print(text, flush=True)


def progress(text: str) -> None:
    say(f"   .. {text}")


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def guarded(run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one scenario; a timeout or an error becomes its result instead of stopping the rest."""
    started = time.monotonic()
    try:
        result = run()
    except ScenarioTimeout as exc:
        result = {"status": "timeout", "error": str(exc)}
    except Exception as exc:
        traceback.print_exc()
        result = {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def run_sections(
    args: argparse.Namespace, sizes: Sizes, logs: Path, results: dict[str, Any]
) -> None:
    sections: dict[str, Any] = results["sections"]
    timeout = args.timeout
    if "raw" in args.only:
        say("\n-- 1. raw capacity ...")
        sections["raw"] = guarded(lambda: raw_capacity(logs, sizes.raw_pairs, sizes.raw_threads))
        say(render.raw(sections["raw"]))
        write(args.out, results)

    if "sustained" in args.only:
        runs = []
        for workers in sizes.worker_counts:
            say(f"\n-- 2. sustained events, {render.who(workers)} ...")
            run = guarded(
                lambda w=workers: sustained(
                    logs,
                    w,
                    sizes.tables,
                    sizes.updates,
                    sizes.producer_threads,
                    timeout,
                    sizes.poll_pause_s,
                )
            )
            run.setdefault("workers", workers)
            runs.append(run)
            progress(f"{run['status']} in {run['seconds']} s")
        raw_rate = _raw_rate(sections.get("raw"))
        for run in runs:
            if raw_rate and run.get("events_per_s"):
                run["ratio_to_raw"] = round(run["events_per_s"] / raw_rate, 2)
        sections["sustained"] = {"status": "ok", "runs": runs}
        say(render.sustained(sections["sustained"]))
        write(args.out, results)

    if "calls" in args.only:
        say("\n-- 3. AWS calls per change ...")
        sections["calls"] = guarded(
            lambda: calls_per_change(logs, sizes.call_repeats, sizes.call_partitions, timeout)
        )
        say(render.calls(sections["calls"]))
        write(args.out, results)

    if "repair" in args.only:
        scenarios: dict[str, Any] = {}
        sections["repair"] = {"status": "ok", "scenarios": scenarios}
        plans = {
            "a": (sizes.repair_tables, sizes.repair_partitions),
            "b": (sizes.bulk_tables, 0),
        }
        for key, (tables, partitions) in plans.items():
            say(f"\n-- 4{key}. repair of {tables:,} tables x {partitions} partitions ...")
            scenarios[key] = guarded(
                lambda k=key, t=tables, p=partitions: repair_scenario(
                    logs, k, t, p, timeout, progress
                )
            )
            write(args.out, results)
        say(render.repair(sections["repair"]))

    if text := render.memory(sections):
        say(text)


def _raw_rate(section: dict[str, Any] | None) -> float | None:
    if not section or section.get("status") != "ok":
        return None
    return float(section["runs"][0]["pairs_per_s"])


def write(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sync_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every size ~10x smaller")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run (default: all of {','.join(SECTIONS)})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds a scenario may take to converge before it is reported as a timeout",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    if unknown := sorted(set(args.only) - set(SECTIONS)):
        parser.error(f"unknown section(s): {', '.join(unknown)}")
    stop_on_sigterm()

    sizes = Sizes().quick() if args.quick else Sizes()
    logs = RESULTS / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    results: dict[str, Any] = {
        "meta": {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git_commit(),
            "quick": args.quick,
            "sizes": asdict(sizes),
            "timeout_s": args.timeout,
            "python": platform.python_version(),
            "cpus": _cpus(),
            "settings": "MESHCORE_WORKER__WAIT_TIME_SECONDS=1, MESHCORE_REPAIR_INTERVAL_MINUTES=1440",
        },
        "sections": {},
    }
    say(
        f"meshcore sync benchmark{' (quick)' if args.quick else ''}: sections {', '.join(args.only)}; "
        f"worker logs in {logs.relative_to(REPO)}/"
    )
    started = time.monotonic()
    code = 0
    try:
        run_sections(args, sizes, logs, results)
        statuses = _statuses(results["sections"])
        code = 1 if "error" in statuses else 0
    except KeyboardInterrupt:
        say("\ninterrupted: every process started was stopped")
        results["meta"]["interrupted"] = True
        code = 130
    finally:
        total = time.monotonic() - started
        results["meta"]["total_seconds"] = round(total, 1)
        write(args.out, results)
    say(f"\ntotal run time {total:.0f} s ({total / 60:.1f} min); results in {_shown(args.out)}")
    return code


def _statuses(sections: dict[str, Any]) -> set[str]:
    found = set()
    for section in sections.values():
        found.add(section.get("status"))
        for run in [*section.get("runs", []), *section.get("scenarios", {}).values()]:
            found.add(run.get("status"))
    return found


def _cpus() -> int | None:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return path.name


if __name__ == "__main__":
    sys.exit(main())
