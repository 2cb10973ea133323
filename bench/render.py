"""One printed table per section of the benchmark."""

from __future__ import annotations

from typing import Any

from report import mib, notes, table, top_calls


def _failed(title: str, section: dict[str, Any]) -> str | None:
    if section.get("status") in ("ok", None):
        return None
    return f"\n== {title}\n   {section.get('status')}: {section.get('error', '')}"


def raw(section: dict[str, Any]) -> str:
    title = (
        "1. Embedded AWS raw capacity: GetTable + UpdateTable pairs (one boto3 client per thread)"
    )
    if failed := _failed(title, section):
        return failed
    rows = [
        [
            f"{r['threads']} thread(s)",
            r["pairs"],
            r["seconds"],
            r["pairs_per_s"],
            r["p50_ms"],
            r["p99_ms"],
        ]
        for r in section["runs"]
    ]
    return table(
        title, ["clients", "pairs", "seconds", "pairs/s", "pair p50 ms", "pair p99 ms"], rows
    ) + (
        "\n" + notes("each thread runs N pairs on its own table; no bus rules, so no event routing")
    )


def who(workers: int | None) -> str:
    return "producer alone" if workers == 0 else f"{workers} sync-worker(s)"


def sustained(section: dict[str, Any]) -> str:
    title = "2. Sustained UpdateTable events: throughput and end-to-end lag"
    if failed := _failed(title, section):
        return failed
    runs = section["runs"]
    rows = [
        [
            who(r.get("workers")),
            r.get("status"),
            r.get("events"),
            r.get("producer_seconds"),
            r.get("producer_updates_per_s"),
            r.get("converge_seconds"),
            r.get("events_per_s"),
            r.get("ratio_to_raw"),
            r.get("lag_p50_s"),
            r.get("lag_p99_s"),
            r.get("lag_max_s"),
            r.get("lag_samples"),
            r.get("drained_seconds"),
        ]
        for r in runs
    ]
    out = table(
        title,
        [
            "workers",
            "status",
            "events",
            "produce s",
            "produced/s",
            "converge s",
            "events/s",
            "x raw",
            "lag p50 s",
            "lag p99 s",
            "lag max s",
            "samples",
            "drained s",
        ],
        rows,
    )
    detail = []
    for r in runs:
        if "worker_calls_per_event" not in r:
            continue
        per = r["worker_calls_per_event"]
        cpu = r.get("cpu_seconds", {})
        detail.append(
            [
                who(r.get("workers")),
                r.get("messages"),
                ", ".join(f"{k} {v}" for k, v in sorted(r.get("outcomes", {}).items())) or "-",
                r.get("central_updates"),
                per["glue_reads"],
                per["glue_writes"],
                per["sqs"],
                per["dynamodb"],
                r.get("handler_ms_p50"),
                r.get("handler_ms_p99"),
                cpu.get("emulator"),
                round(sum(v for k, v in cpu.items() if k != "emulator"), 2),
                r.get("emulator_busy"),
            ]
        )
    out += table(
        "2b. Where the time goes (from the first update until every message was handled)",
        [
            "workers",
            "messages",
            "outcomes",
            "central UpdateTable",
            "glue R/event",
            "glue W/event",
            "sqs/event",
            "ddb/event",
            "handler p50 ms",
            "handler p99 ms",
            "emulator CPU s",
            "workers CPU s",
            "emulator busy",
        ],
        detail,
    )
    lines = [
        "converge = first update sent .. every central table shows the final version; events/s = events / converge",
        "x raw = events/s / raw pairs/s (1 thread); lag = first time the poller saw the central copy at >=",
        "that version - when the producer's update_table returned; drained = every message handled",
        "emulator busy = emulator CPU s / wall s (1.0 = one core: its Python threads share one GIL)",
        "per-event calls and CPU are the workers' (producer's UpdateTable and poller's GetTable removed)",
    ]
    for r in runs:
        if r.get("poll_round_ms") is not None:
            lines.append(
                f"{who(r['workers'])}: poller {r['poll_calls']} GetTable calls, each table seen "
                f"every {r['poll_round_ms']} ms (the lag's resolution); worker-logged lag "
                f"(from the 1-s event time) p50 {r.get('worker_lag_s_p50')} s, p99 "
                f"{r.get('worker_lag_s_p99')} s; messages by worker {r.get('messages_by_worker')}"
            )
        if r.get("worker_calls"):
            lines.append(f"   worker calls: {top_calls(r['worker_calls'], 10)}")
    return out + "\n" + notes(*lines)


def calls(section: dict[str, Any]) -> str:
    title = (
        f"3. AWS calls of sync-worker per change (mean of {section.get('repeats')}), worker only"
    )
    if failed := _failed(title, section):
        return failed
    rows = []
    for r in section["rows"]:
        c, m = r["calls"], r["minimum"]
        rows.append(
            [
                r["change"],
                r["events"],
                c["glue_reads"],
                c["glue_writes"],
                c["sqs"],
                c["dynamodb"],
                c["other"],
                r["total"],
                "/".join(
                    f"{m[k]:g}" for k in ("glue_reads", "glue_writes", "sqs", "dynamodb", "other")
                ),
                r["minimum_total"],
                round(r["total"] / r["minimum_total"], 1) if r["minimum_total"] else None,
            ]
        )
    out = table(
        title,
        [
            "change",
            "events",
            "glue R",
            "glue W",
            "sqs",
            "ddb",
            "other",
            "total",
            "min R/W/sqs/ddb/other",
            "min",
            "x min",
        ],
        rows,
    )
    idle = section.get("idle_calls_per_s", {})
    lines = [
        f"idle worker: {', '.join(f'{k} {v}/s' for k, v in idle.items()) or 'no calls'} "
        "(included in sqs above for the length of each window)"
    ]
    lines += [f"{r['change']}: {top_calls(r['by_operation'], 12)}" for r in section["rows"]]
    return out + "\n" + notes(*lines)


def repair(section: dict[str, Any]) -> str:
    title = "4. Repair time (1 sync-worker, 3 producers, repair_concurrency default)"
    rows = []
    lines = []
    for key, scenario in section.get("scenarios", {}).items():
        if "runs" not in scenario:
            rows.append([key, "-", scenario.get("status"), *([None] * 8)])
            lines.append(f"{key}: {scenario.get('error', '')}")
            continue
        setup = scenario["setup"]
        label = (
            f"{key}: {scenario['tables']:,} tables x {scenario['partitions_per_table']} partitions"
        )
        lines.append(
            f"{key} setup: {setup['databases']} databases, {setup['tables']:,} tables, "
            f"{setup['partitions']:,} partitions in {setup['seconds']} s; purged "
            f"{setup['purged_messages']:,} events (queue after purge: {setup['queue_after_purge']})"
        )
        for run in scenario["runs"]:
            cpu = run.get("cpu_seconds", {})
            seconds = run.get("duration_s")
            rows.append(
                [
                    label,
                    run["repair"],
                    run["status"],
                    seconds,
                    round(run["tables_checked"] / seconds, 1)
                    if seconds and run.get("tables_checked")
                    else None,
                    run.get("drift_total"),
                    run.get("tables_checked"),
                    sum(run["calls"].values()),
                    cpu.get("emulator"),
                    round(sum(v for k, v in cpu.items() if k != "emulator"), 2),
                    round(cpu.get("emulator", 0) / run["wall_s"], 2) if run.get("wall_s") else None,
                ]
            )
            label = ""
            drift = ", ".join(f"{k} {v:,}" for k, v in sorted(run.get("drift", {}).items()))
            lines.append(f"  {run['repair']}: drift {drift or 'none'}")
            lines.append(f"    calls: {top_calls(run['calls'], 10)}")
            if run.get("errors") or run.get("error"):
                lines.append(f"    errors: {run.get('errors') or run.get('error')}")
    out = table(
        title,
        [
            "scenario",
            "repair",
            "status",
            "duration s",
            "tables/s",
            "drift",
            "tables checked",
            "AWS calls",
            "emulator CPU s",
            "worker CPU s",
            "emulator busy",
        ],
        rows,
    )
    lines.append(
        "AWS calls include meshctl's report polling (dynamodb:GetItem every 0.5 s); "
        "emulator busy = emulator CPU s / wall s"
    )
    return out + "\n" + notes(*lines)


def memory(results: dict[str, Any]) -> str:
    rows = []
    for name, section in results.items():
        scenarios: list[tuple[str, dict[str, Any]]] = []
        if name == "sustained":
            scenarios = [
                (f"sustained, {who(r.get('workers'))}", r) for r in section.get("runs", [])
            ]
        elif name == "calls":
            scenarios = [("calls per change", section)]
        elif name == "repair":
            scenarios = [(f"repair {k}", s) for k, s in section.get("scenarios", {}).items()]
        for label, scenario in scenarios:
            for proc in scenario.get("memory", []):
                rows.append([label, proc["worker"], mib(proc["vm_hwm_kib"]), proc["cpu_s"]])
                label = ""
    if not rows:
        return ""
    return table(
        "5. Peak memory (VmHWM) at the end of each scenario",
        ["scenario", "process", "VmHWM MiB", "CPU s (lifetime)"],
        rows,
    )
