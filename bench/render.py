"""One printed table per section of the benchmark."""

from __future__ import annotations

from typing import Any

import emulator_report
import markdown
from report import mib, notes, table, top_calls


def _failed(title: str, section: dict[str, Any]) -> str | None:
    if section.get("status") in ("ok", None):
        return None
    return f"\n== {title}\n   {section.get('status')}: {section.get('error', '')}"


def raw(section: dict[str, Any]) -> str:
    title = "1. The limit: the embedded AWS alone, minimal call sequences (async client)"
    if failed := _failed(title, section):
        return failed
    return f"\n== {title}\n" + markdown._raw_md(section)


def who(consumer: int | str | None) -> str:
    from throughput import consumer_label

    return consumer_label(consumer if consumer is not None else "?")


def sustained(results: dict[str, Any]) -> str:
    title = "2. Sync: sustained UpdateTable events (medians) and bursts"
    out = f"\n== {title}\n" + markdown._sync_md(results)
    for run in results["sections"]["sustained"]["runs"]:
        if run.get("status") not in ("ok", None) and "rounds" not in run:
            out += f"\n   {who(run.get('consumer'))}: {run.get('status')}: {run.get('error', '')}"
            continue
        for r in [*run.get("rounds", []), *run.get("burst", {}).get("rounds", [])]:
            out += "\n   " + (
                f"{who(run.get('consumer'))}{' burst' if r.get('burst') else ''}: {r.get('status')} "
                f"events/s {r.get('events_per_s')}, lag p50/p99 {r.get('lag_p50_s')}/"
                f"{r.get('lag_p99_s')} s, poll round {r.get('poll_round_ms')} ms, central writes "
                f"{r.get('central_updates')}, outcomes {r.get('outcomes')}, emulator busy "
                f"{r.get('emulator_busy')}; calls: {top_calls(r.get('worker_calls', {}), 8)}"
            )
    return out


def access(section: dict[str, Any]) -> str:
    title = "4. Access: approval -> grant complete"
    if section.get("status") == "error":
        return f"\n== {title}\n   error: {section.get('error', '')}"
    return f"\n== {title}\n" + markdown._access_md(section)


def classifier(section: dict[str, Any]) -> str:
    title = "6. Classifier"
    if failed := _failed(title, section):
        return failed
    return f"\n== {title}\n" + markdown._classifier_md(section)


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
    title = "5. Repair time (1 sync-worker, 3 producers, repair_concurrency default)"
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


def emulator(section: dict[str, Any]) -> str:
    title = "7. The embedded AWS itself: without (moto) and with its speed extensions"
    if failed := _failed(title, section):
        return failed
    return table(title, *emulator_report.rows(section)) + "\n" + notes(emulator_report.NOTE)


def memory(results: dict[str, Any]) -> str:
    rows = []
    for name, section in results.items():
        scenarios: list[tuple[str, dict[str, Any]]] = []
        if name == "sustained":
            scenarios = [(f"sync, {who(r.get('consumer'))}", r) for r in section.get("runs", [])]
        elif name in ("calls", "access"):
            scenarios = [(name, section)]
        elif name == "repair":
            scenarios = [(f"repair {k}", s) for k, s in section.get("scenarios", {}).items()]
        for label, scenario in scenarios:
            for proc in scenario.get("memory", []):
                rows.append([label, proc["worker"], mib(proc["vm_hwm_kib"]), proc["cpu_s"]])
                label = ""
    if not rows:
        return ""
    return table(
        "8. Peak memory (VmHWM) at the end of each scenario",
        ["scenario", "process", "VmHWM MiB", "CPU s (lifetime)"],
        rows,
    )
