"""Peak memory and CPU of every process, read at the end of each scenario that starts a stack
(`Stack.worker_stats` and `Stack.emulator_stats`): a section with no measurement of its own."""

from __future__ import annotations

from typing import Any

from bench.rows import Column, Results, Row, Section, Target, table
from bench.stats import megabytes
from bench.throughput import consumer_label

TITLE = "Peak memory (VmHWM) at the end of each scenario"


def _scenarios(results: Results) -> list[tuple[str, list[dict[str, Any]]]]:
    """(scenario, its processes' readings) in the order the sections ran."""
    sections = results["sections"]
    found = [
        (f"sync, {consumer_label(r.get('consumer', '?'))}", r.get("memory", []))
        for r in sections.get("sustained", {}).get("runs", [])
    ]
    found += [(n, sections.get(n, {}).get("memory", [])) for n in ("scaling", "calls", "access")]
    found += [
        (f"repair {k}", s.get("memory", []))
        for k, s in sections.get("repair", {}).get("scenarios", {}).items()
    ]
    return [(label, procs) for label, procs in found if procs]


def section(results: Results) -> Section | None:
    """None when no scenario read its processes (the sections run did not start a stack)."""
    rows = []
    for label, procs in _scenarios(results):
        for i, proc in enumerate(procs):
            rows.append(
                Row.of(
                    "" if i else label,
                    proc["worker"],
                    megabytes(proc.get("vm_hwm_kib")),
                    proc.get("cpu_s"),
                )
            )
    if not rows:
        return None
    columns = [
        Column("scenario"),
        Column("process"),
        Column("peak RSS (MB)", 0),
        Column("CPU, lifetime (s)"),
    ]
    return Section(TITLE, (table(columns, rows),))


def targets(results: Results) -> list[Target]:
    """The highest VmHWM of a meshcore worker process (not the emulator, not the baseline)."""
    found = [
        (proc["worker"], float(proc["vm_hwm_kib"]))
        for _label, procs in _scenarios(results)
        for proc in procs
        if proc["worker"] not in ("emulator", "naive-worker") and proc.get("vm_hwm_kib")
    ]
    if not found:
        return []
    name, kib = max(found, key=lambda x: x[1])
    mb = megabytes(kib) or 0.0
    return [
        Target("peak RSS of any worker under load", "< 150 MB", f"{mb:.0f} MB ({name})", mb < 150)
    ]
