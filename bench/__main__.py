"""`make bench` (`python -m bench`): meshcore's workers against the embedded AWS's limit.

Sections (one printed section each; everything goes to bench/results/latest.json and, as one
markdown document with every target, to bench/results/latest.md):
- raw: the limit, raw capacity of the embedded AWS for the minimal call sequences (async client);
- sustained: UpdateTable events/s and end-to-end lag (1 and 4 sync-workers, and the naive
  baseline), a queued backlog, and a burst of events on a few tables (coalescing);
- scaling: sync with AWS's latency injected (30 ms per call): 1, 2 and 4 sync-workers on
  distinct tables, and a partition-heavy load of two producers at once on 4 workers (lag);
- calls: AWS calls per catalog change, by type, next to the minimum possible;
- access: approval to grant complete;
- repair: repair time, from an empty central catalog and with no drift;
- classifier: columns/s and macro F1;
- emulator: the embedded AWS itself, without and with its speed extensions;
then the peak memory of every process and the targets.

The machines this runs on are shared and noisy: it reports numbers, it never passes or fails on
them. Exit status 1 only when a section could not run (an error, not a slow result); a
scenario that does not converge within the time limit is reported as "timeout".

    python -m bench [--quick | --tiny] [--only SECTION,...] [--latency-ms MS] [--publish]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import cli_start, memory, render
from bench.access import access_scenario
from bench.calls import calls_per_change
from bench.classifier_bench import classifier_bench
from bench.emulator_bench import emulator_bench
from bench.harness import ScenarioTimeout, stop_on_sigterm
from bench.limits import raw_limits
from bench.repair import repair_scenario
from bench.scaling import Load, scaling
from bench.sections import BY_NAME, NAMES, report, targets
from bench.throughput import consumer_label, sustained

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"


@dataclass(frozen=True)
class Sizes:
    # The limit: each minimal call sequence repeated by 1 and by 4 async lanes, `repeats` windows.
    raw_lanes: tuple[int, ...] = (1, 4)
    raw_window_s: float = 3.0
    raw_batch: int = 10  # partitions per batch sequence
    repeats: int = 3  # rounds of each short measure; tables report the median
    tables: int = 20  # partitionless tables the producer updates
    updates: int = 200  # UpdateTable events per round
    producer_threads: int = 2
    consumers: tuple[int | str, ...] = (1, 4, "naive")
    poll_pause_s: float = 0.01  # between the lag poller's GetTable calls
    probe_window_s: float = 2.0  # the limit measured again before each round, in its stack
    burst_events: int = 1_000
    burst_tables: int = 10
    burst_repeats: int = 1  # a count more than a time
    backlog_tables: int = 100  # one queued event each: the consumer alone, nothing coalesces
    # Scaling: a fixed latency on every AWS call; sync-workers on distinct tables (one queued
    # UpdateTable each, per round), then the two-producer partition load on the most workers.
    scaling_latency_ms: int = 30
    scaling_workers: tuple[int, ...] = (1, 2, 4)
    scaling_tables: int = 1_000
    # Per producer: 20 tables x 5 x 100 partitions, 3 schema changes each, 5 deletes.
    load: Load = field(default_factory=Load)
    call_repeats: int = 3  # of each change type
    call_partitions: int = 10  # partitions per batch change
    access_requests: int = 200
    access_rate: float = 4.0  # approvals posted per second
    repair_tables: int = 850
    repair_partitions: int = 100  # per table
    bulk_tables: int = 5_000  # partitionless
    classifier_values: int = 200
    classifier_window_s: float = 2.0
    # The emulator alone. Its moto-only variant stops smaller: a send at depth d costs it about
    # 25 us x d of CPU, so filling a queue (or creating tables whose events fill one) is
    # quadratic: 10,000 messages would take it 20 minutes.
    emulator_depths: tuple[int, ...] = (0, 10_000, 50_000)
    emulator_moto_depths: tuple[int, ...] = (0, 2_000)
    emulator_send_calls: int = 200  # per round
    emulator_tables: int = 5_000
    emulator_moto_tables: int = 2_000
    emulator_pair_window_s: float = 3.0
    cli_rounds: int = 9  # fresh meshctl processes of each kind

    def quick(self) -> Sizes:
        """About 10x smaller everywhere: a smoke run."""
        return replace(self, **{f: v for f, (v, _) in SMALLER_SIZES.items() if v is not None})

    def tiny(self) -> Sizes:
        """Just enough to run every code path once (the smoke test)."""
        smaller = {f: v for f, (_, v) in SMALLER_SIZES.items() if v is not None}
        return replace(self.quick(), **smaller)


# The smaller presets side by side, field by field: (quick, tiny); None keeps the larger
# preset's value (tiny is made from quick).
SMALLER_SIZES: dict[str, tuple[Any, Any]] = {
    "raw_lanes": (None, (1, 2)),
    "raw_window_s": (1.0, 0.2),
    "repeats": (1, None),
    "tables": (4, 2),
    "updates": (60, 6),
    "consumers": (None, (1, "naive")),
    "probe_window_s": (1.0, 0.2),
    "burst_events": (100, 6),
    "burst_tables": (2, None),
    "backlog_tables": (20, 3),
    "scaling_workers": (None, (1, 2)),
    "scaling_tables": (400, 6),
    "load": (None, Load(tables=2, batches=2, partitions=5, schema_changes=1, deletes=1)),
    "call_repeats": (1, None),
    "access_requests": (20, 2),
    "access_rate": (10.0, None),
    "repair_tables": (85, 6),
    "repair_partitions": (10, 2),
    "bulk_tables": (500, 6),
    "classifier_values": (None, 20),
    "classifier_window_s": (0.5, 0.1),
    "emulator_depths": ((0, 10_000), (0, 20)),
    "emulator_moto_depths": ((0, 1_000), (0, 20)),
    "emulator_send_calls": (100, 5),
    "emulator_tables": (1_500, 6),
    "emulator_moto_tables": (1_000, 6),
    "emulator_pair_window_s": (2.0, 0.2),
}


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

    def show(name: str) -> None:
        """Print a section that has run and save the results so far."""
        say(render.text(BY_NAME[name].section(results)))
        write(args.out, results)

    if "raw" in args.only:
        say("\n-- the limit: raw capacity of the embedded AWS (async client) ...")
        sections["raw"] = guarded(
            lambda: raw_limits(
                logs, sizes.raw_lanes, sizes.raw_window_s, sizes.repeats, sizes.raw_batch
            )
        )
        show("raw")

    if "sustained" in args.only:
        runs = []
        for consumer in sizes.consumers:
            say(f"\n-- sustained events and bursts, {consumer_label(consumer)} ...")
            # The baseline's burst once: it is slow, and its count is one per event.
            burst = (
                sizes.burst_events,
                sizes.burst_tables,
                1 if consumer == "naive" else sizes.burst_repeats,
            )
            run = guarded(
                functools.partial(
                    sustained,
                    logs,
                    consumer,
                    sizes.tables,
                    sizes.updates,
                    sizes.producer_threads,
                    timeout,
                    sizes.poll_pause_s,
                    sizes.repeats,
                    sizes.probe_window_s,
                    burst=burst if consumer in (1, "naive") else None,
                    backlog=(sizes.backlog_tables, sizes.repeats),
                )
            )
            run.setdefault("consumer", consumer)
            runs.append(run)
            progress(f"{run['status']} in {run['seconds']} s")
        sections["sustained"] = {"status": "ok", "runs": runs}
        show("sustained")

    if "scaling" in args.only:
        say(
            f"\n-- sync scaling with {sizes.scaling_latency_ms} ms injected per call: "
            f"{', '.join(map(str, sizes.scaling_workers))} workers, then the partition load ..."
        )
        sections["scaling"] = guarded(
            lambda: scaling(
                logs,
                sizes.scaling_latency_ms,
                sizes.scaling_workers,
                sizes.scaling_tables,
                sizes.repeats,
                sizes.load,
                timeout,
                progress,
            )
        )
        show("scaling")

    if "calls" in args.only:
        say("\n-- AWS calls per change ...")
        sections["calls"] = guarded(
            lambda: calls_per_change(logs, sizes.call_repeats, sizes.call_partitions, timeout)
        )
        show("calls")

    if "access" in args.only:
        say(f"\n-- access: approval to grant, {sizes.access_requests} requests ...")
        sections["access"] = guarded(
            lambda: access_scenario(logs, sizes.access_requests, sizes.access_rate, timeout)
        )
        show("access")

    if "repair" in args.only:
        scenarios: dict[str, Any] = {}
        sections["repair"] = {"status": "ok", "scenarios": scenarios}
        plans = {
            "a": (sizes.repair_tables, sizes.repair_partitions),
            "b": (sizes.bulk_tables, 0),
        }
        for key, (tables, partitions) in plans.items():
            say(f"\n-- repair {key}: {tables:,} tables x {partitions} partitions ...")
            scenarios[key] = guarded(
                functools.partial(repair_scenario, logs, key, tables, partitions, timeout, progress)
            )
            write(args.out, results)
        show("repair")

    if "classifier" in args.only:
        say("\n-- classifier ...")
        sections["classifier"] = guarded(
            lambda: classifier_bench(
                sizes.classifier_values, sizes.classifier_window_s, sizes.repeats
            )
        )
        show("classifier")

    if "emulator" in args.only:
        say("\n-- the embedded AWS itself, without and with its speed extensions ...")
        sections["emulator"] = guarded(
            lambda: emulator_bench(
                logs,
                sizes.emulator_depths,
                sizes.emulator_moto_depths,
                sizes.emulator_send_calls,
                sizes.emulator_tables,
                sizes.emulator_moto_tables,
                sizes.emulator_pair_window_s,
                sizes.repeats,
                progress,
            )
        )
        show("emulator")

    if "cli" in args.only:
        say("\n-- meshctl start-up ...")
        sections["cli"] = guarded(lambda: cli_start.measure(sizes.cli_rounds))
        show("cli")

    if peak := memory.section(results):
        say(render.text(peak))


def write(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every size ~10x smaller")
    parser.add_argument("--tiny", action="store_true", help="every code path once (smoke test)")
    parser.add_argument(
        "--publish",
        action="store_true",
        help="also write the markdown document to bench/RESULTS.md (full runs only)",
    )
    parser.add_argument(
        "--only",
        default=",".join(NAMES),
        help=f"comma-separated sections to run (default: all of {','.join(NAMES)})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds a scenario may take to converge before it is reported as a timeout",
    )
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=None,
        help=f"the delay the scaling section injects on every AWS call "
        f"(default {Sizes.scaling_latency_ms})",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    if unknown := sorted(set(args.only) - set(NAMES)):
        parser.error(f"unknown section(s): {', '.join(unknown)}")
    stop_on_sigterm()

    if args.publish and (args.quick or args.tiny):
        parser.error("--publish is for full runs only")
    sizes = Sizes().tiny() if args.tiny else Sizes().quick() if args.quick else Sizes()
    if args.latency_ms is not None:
        if args.latency_ms < 0:
            parser.error("--latency-ms must be >= 0")
        sizes = replace(sizes, scaling_latency_ms=args.latency_ms)
    logs = args.out.parent / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    results: dict[str, Any] = {
        "meta": {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git_commit(),
            "size": "tiny" if args.tiny else "quick" if args.quick else "full",
            "sizes": asdict(sizes),
            "timeout_s": args.timeout,
            **machine(),
            "settings": "MESHCORE_WORKER__WAIT_TIME_SECONDS=1, MESHCORE_REPAIR_INTERVAL_MINUTES=1440",
        },
        "sections": {},
    }
    say(
        f"meshcore benchmark ({results['meta']['size']}): sections {', '.join(args.only)}; "
        f"worker logs in {_shown(logs)}/"
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
        table = render.document(results, report(results))
        args.out.with_suffix(".md").write_text(table)
        if args.publish and code == 0:
            (BENCH / "RESULTS.md").write_text(table)
    say(render.text(targets(results)))
    say(
        f"\ntotal run time {total:.0f} s ({total / 60:.1f} min); results in {_shown(args.out)} "
        f"and {_shown(args.out.with_suffix('.md'))}"
    )
    return code


def _statuses(sections: dict[str, Any]) -> set[str]:
    found = set()
    for section in sections.values():
        found.add(section.get("status"))
        runs = section.get("runs", [])
        for run in [
            *(runs if isinstance(runs, list) else []),
            *section.get("scenarios", {}).values(),
        ]:
            found.add(run.get("status"))
    return found


def machine() -> dict[str, Any]:
    """What the numbers were measured on: they mean little without it."""
    model = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gib = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 2**20, 1)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpus": cpus,
        "cpu_model": model,
        "memory_gib": memory_gib,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return path.name


if __name__ == "__main__":
    sys.exit(main())
