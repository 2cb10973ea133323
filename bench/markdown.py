"""The benchmark as one markdown document: the machine, every target with its measurement, and
one table per section. Ratios are of numbers measured in the same run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import emulator_report
from report import fmt, table

MB = 1_000_000


def _ok(section: dict[str, Any] | None) -> bool:
    return bool(section) and section.get("status") == "ok"  # type: ignore[union-attr]


def _run(results: dict[str, Any], consumer: int | str) -> dict[str, Any] | None:
    for run in results["sections"].get("sustained", {}).get("runs", []):
        if run.get("consumer") == consumer and run.get("status") == "ok":
            return dict(run)
    return None


def limit(results: dict[str, Any], sequence: str = "table") -> float | None:
    """The embedded AWS's capacity for a sequence: the best median over the lane counts."""
    raw = results["sections"].get("raw")
    if not _ok(raw):
        return None
    medians = [_median([r["per_s"] for r in runs]) for runs in raw["runs"][sequence].values()]
    return max(m for m in medians if m is not None)


def _median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def summary(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measure, target, measured, met?) for every target of the benchmark."""
    rows: list[tuple[str, str, str, str]] = []
    raw = limit(results)
    one, four, naive = _run(results, 1), _run(results, 4), _run(results, "naive")
    one_rate = one["median"]["events_per_s"] if one else None
    four_rate = four["median"]["events_per_s"] if four else None
    naive_rate = naive["median"]["events_per_s"] if naive else None

    def add(measure: str, target: str, measured: str, met: bool | None) -> None:
        rows.append((measure, target, measured, "-" if met is None else "yes" if met else "**no**"))

    def backlog(run: dict[str, Any] | None) -> dict[str, Any]:
        return dict(((run or {}).get("backlog") or {}).get("median") or {})

    b1, b4, bn = backlog(one), backlog(four), backlog(naive)
    r1 = b1.get("x_limit")
    add(
        "sync, 1 worker, queued backlog: events/s as a fraction of the limit",
        ">= 0.80",
        f"{fmt(r1)} ({fmt(b1.get('events_per_s'), 1)}/s; limit {fmt(b1.get('limit_per_s'), 1)}/s)"
        if r1 is not None
        else "-",
        None if r1 is None else r1 >= 0.8,
    )
    scale = _ratio(b4.get("events_per_s"), b1.get("events_per_s"))
    add(
        "sync, 4 workers, queued backlog: events/s (x limit; x 1 worker)",
        "scales: > 1 worker",
        f"{fmt(b4.get('events_per_s'), 1)} ({fmt(b4.get('x_limit'))} x limit; "
        f"{fmt(scale)} x 1 worker)"
        if b4
        else "-",
        None if scale is None else scale > 1.0,
    )
    add(
        "sync, 1 worker over the naive baseline, queued backlog (events/s)",
        "(no target)",
        f"{fmt(_ratio(b1.get('events_per_s'), bn.get('events_per_s')))} x "
        f"({fmt(b1.get('events_per_s'), 1)} vs {fmt(bn.get('events_per_s'), 1)}/s)"
        if bn
        else "-",
        None,
    )
    s1, _ = _x_limit(one, raw)
    s4, _ = _x_limit(four, raw)
    sn, _ = _x_limit(naive, raw)
    add(
        "sync, live stream: events/s (x limit), 1 worker / 4 workers / naive",
        "(no target)",
        " / ".join(
            f"{fmt(rate, 1)} ({fmt(x)})"
            for rate, x in ((one_rate, s1), (four_rate, s4), (naive_rate, sn))
        ),
        None,
    )
    if one:
        m = one["median"]
        add(
            "sync, 1 worker: end-to-end lag p50 / p99 (s)",
            "(no target)",
            f"{fmt(m['lag_p50_s'])} / {fmt(m['lag_p99_s'])}",
            None,
        )
    worst = _worst_calls(results)
    if worst is not None:
        label, ratio = worst
        add(
            "AWS calls per change / minimum (worst change)",
            "<= 1.10",
            f"{ratio:.2f} ({label})",
            ratio <= 1.1,
        )
    if one and "worker_calls_per_event" in one["median"]:
        per = one["median"]["worker_calls_per_event"]
        total = sum(per.values())
        add(
            "AWS calls per UpdateTable event in a stream (1 worker) / minimum 2.2",
            "<= 1.10",
            f"{total / 2.2:.2f} ({total:.2f} calls/event)",
            total / 2.2 <= 1.1,
        )
    burst = (one or {}).get("burst")
    if burst and burst.get("median", {}).get("central_updates") is not None:
        conv = burst["median"]["central_updates"]
        naive_conv = ((naive or {}).get("burst") or {}).get("median", {}).get("central_updates")
        add(
            f"burst of {burst['events']:,} events on {burst['tables']} tables: convergences",
            f"about {burst['tables']} (<= {burst['tables'] * 1.5:g})",
            f"{fmt(conv, 0)} (naive: {fmt(naive_conv, 0)})",
            conv <= burst["tables"] * 1.5,
        )
    repair = results["sections"].get("repair", {}).get("scenarios", {})
    if (a := repair.get("a")) and a.get("runs"):
        seconds = a["runs"][0].get("duration_s")
        add(
            f"repair {a['tables']:,} tables x {a['partitions_per_table']} partitions, 3 producers",
            "< 120 s",
            f"{fmt(seconds, 1)} s",
            None if seconds is None else seconds < 120,
        )
    if (b := repair.get("b")) and b.get("runs"):
        add(
            f"repair {b['tables']:,} tables: first pass / no drift",
            "(no target)",
            " / ".join(f"{fmt(r.get('duration_s'), 1)} s" for r in b["runs"]),
            None,
        )
    access = results["sections"].get("access")
    if access and access.get("latency_p99_s") is not None:
        add(
            f"access: approval -> grant complete p50 / p99, {access['requests']} requests",
            "p99 < 2 s",
            f"{fmt(access['latency_p50_s'])} / {fmt(access['latency_p99_s'])} s",
            access["latency_p99_s"] < 2.0,
        )
    peak = _peak_worker_rss(results)
    if peak is not None:
        name, kib = peak
        add(
            "peak RSS of any worker under load",
            "< 150 MB",
            f"{kib * 1024 / MB:.0f} MB ({name})",
            kib * 1024 < 150 * MB,
        )
    classifier = results["sections"].get("classifier")
    if _ok(classifier):
        cps = classifier["columns_per_s"]
        f1 = classifier["macro_f1"]
        add(
            "classifier: columns/s metadata only / with a 100-value sample",
            "(no target)",
            f"{cps['metadata_only']:,} / {cps['sample_100']:,}",
            None,
        )
        add(
            "classifier: macro F1, names visible / masked / metadata only",
            "(no target)",
            f"{f1['names_visible']:.2f} / {f1['names_masked']:.2f} / {f1['metadata_only']:.2f}",
            None,
        )
    rows += emulator_report.targets(results["sections"].get("emulator"))
    return rows


def _x_limit(run: dict[str, Any] | None, raw: float | None) -> tuple[float | None, float | None]:
    """A sync rate over the limit measured in its own stack just before each round (median of
    the rounds' ratios), else over the raw section's limit."""
    if not run:
        return None, None
    m = run["median"]
    if m.get("x_limit") is not None:
        return m["x_limit"], m.get("limit_per_s")
    return _ratio(m.get("events_per_s"), raw), raw


def _worst_calls(results: dict[str, Any]) -> tuple[str, float] | None:
    calls = results["sections"].get("calls")
    if not _ok(calls):
        return None
    ratios = [
        (r["change"], r["total"] / r["minimum_total"]) for r in calls["rows"] if r["minimum_total"]
    ]
    return max(ratios, key=lambda x: x[1]) if ratios else None


def _peak_worker_rss(results: dict[str, Any]) -> tuple[str, int] | None:
    """The highest VmHWM of a meshcore worker process (not the emulator, not the baseline)."""
    found: list[tuple[str, int]] = []
    for proc in _processes(results):
        if proc["worker"] in ("emulator", "naive-worker") or proc.get("vm_hwm_kib") is None:
            continue
        found.append((proc["worker"], int(proc["vm_hwm_kib"])))
    return max(found, key=lambda x: x[1]) if found else None


def _processes(results: dict[str, Any]) -> list[dict[str, Any]]:
    sections = results["sections"]
    out: list[dict[str, Any]] = []
    for run in sections.get("sustained", {}).get("runs", []):
        out += run.get("memory", [])
    for name in ("calls", "access"):
        out += sections.get(name, {}).get("memory", [])
    for scenario in sections.get("repair", {}).get("scenarios", {}).values():
        out += scenario.get("memory", [])
    return out


def targets(results: dict[str, Any]) -> str:
    return table("Targets", ["measure", "target", "measured", "met?"], summary(results))


# -- markdown -----------------------------------------------------------------------------


def _md(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def document(results: dict[str, Any]) -> str:
    meta = results["meta"]
    sizes = meta["sizes"]
    parts = [
        "# meshcore benchmark results",
        "",
        f"Measured {meta['started_at']} at commit `{meta.get('commit')}` ({meta['size']} sizes, "
        f"{fmt(meta.get('total_seconds'), 0)} s in all) on {meta.get('cpus')} CPU(s) "
        f"({meta.get('cpu_model')}), {meta.get('memory_gib')} GiB, {meta.get('platform')}, "
        f"Python {meta.get('python')}; load average at start "
        f"{', '.join(str(x) for x in meta.get('load_average_at_start', []))} (a shared machine). "
        f"Everything runs on the embedded AWS, started by the benchmark. Short measures are the "
        f"median of {sizes['repeats']} rounds; the repairs run once each. Ratios divide numbers "
        f"measured in this same run.",
        "",
        "## Targets",
        "",
        _md(["measure", "target", "measured", "met?"], summary(results)),
    ]
    sections = results["sections"]
    if _ok(sections.get("raw")):
        parts += ["", "## The limit: the embedded AWS alone", "", _raw_md(sections["raw"])]
    if sections.get("sustained"):
        parts += ["", "## Sync: sustained events and bursts", "", _sync_md(results)]
    if _ok(sections.get("calls")):
        parts += ["", "## AWS calls per change (sync-worker)", "", _calls_md(sections["calls"])]
    if sections.get("access"):
        parts += ["", "## Access", "", _access_md(sections["access"])]
    if sections.get("repair"):
        parts += ["", "## Repair", "", _repair_md(sections["repair"])]
    if _ok(sections.get("classifier")):
        parts += ["", "## Classifier", "", _classifier_md(sections["classifier"])]
    if _ok(sections.get("emulator")):
        parts += ["", "## The embedded AWS itself: with and without its speed extensions", ""]
        parts += [_md(*emulator_report.rows(sections["emulator"])), "", emulator_report.NOTE]
    if rows := _memory_rows(results):
        parts += ["", "## Peak memory (VmHWM)", "", _md(["scenario", "process", "MB"], rows)]
    return "\n".join(parts) + "\n"


def _raw_md(raw: dict[str, Any]) -> str:
    what = {
        "table": "GetTable + UpdateTable",
        "partitions": f"BatchGetPartition + BatchUpdatePartition ({raw['batch']} partitions)",
        "grant": "Lake Formation GrantPermissions",
    }
    rows = []
    for sequence, by_lanes in raw["runs"].items():
        for lanes, runs in by_lanes.items():
            rows.append(
                [
                    what.get(sequence, sequence),
                    lanes,
                    _median([r["per_s"] for r in runs]),
                    ", ".join(fmt(r["per_s"], 1) for r in runs),
                    _median([r["p50_ms"] for r in runs]),
                    _median([r["p99_ms"] for r in runs]),
                ]
            )
    return (
        _md(
            ["sequence", "async lanes", "median /s", "rounds /s", "p50 ms", "p99 ms"],
            rows,
        )
        + f"\n\nA tight aiobotocore client repeats each sequence for {raw['window_s']} s per round "
        "against a fresh emulator with no event rules. The limit used below is the best median."
    )


def _sync_md(results: dict[str, Any]) -> str:
    from throughput import consumer_label

    raw = limit(results)
    rows, bursts = [], []
    for run in results["sections"]["sustained"]["runs"]:
        m = run.get("median", {})
        per = m.get("worker_calls_per_event", {})
        rows.append(
            [
                consumer_label(run.get("consumer", "?")),
                run.get("status"),
                f"{run.get('events', '-')} x {run.get('repeats', '-')}",
                m.get("events_per_s"),
                m.get("limit_per_s"),
                _x_limit(run, raw)[0] if run.get("rounds") else None,
                m.get("lag_p50_s"),
                m.get("lag_p99_s"),
                per.get("glue_reads"),
                per.get("glue_writes"),
                per.get("sqs"),
                m.get("central_updates"),
            ]
        )
        if burst := run.get("burst"):
            b = burst.get("median", {})
            bursts.append(
                [
                    consumer_label(run.get("consumer", "?")),
                    burst.get("status"),
                    f"{burst['events']:,} on {burst['tables']} x {burst['repeats']}",
                    b.get("converge_seconds"),
                    b.get("drained_seconds"),
                    b.get("events_per_s"),
                    b.get("central_updates"),
                ]
            )
    text = _md(
        [
            "consumer",
            "status",
            "events x rounds",
            "events/s",
            "limit/s",
            "x limit",
            "lag p50 s",
            "lag p99 s",
            "glue R/event",
            "glue W/event",
            "sqs/event",
            "central writes",
        ],
        rows,
    )
    text += (
        "\n\nMedians over the rounds. limit/s = GetTable + UpdateTable pairs/s of a tight "
        "async client (4 lanes) on the same emulator just before each round; x limit = the "
        "median of each round's events/s over its limit. Two producer threads update the tables as fast as they can; "
        "events/s = events / (first update .. every central copy at its final version). Lag = "
        "when a central poller first saw a version - when the producer's UpdateTable returned; "
        "its resolution is one poll round over the tables (a few hundred ms under load). "
        "The naive baseline (bench/naive_worker.py) handles one message at a time: receive, "
        "read, write, delete."
    )
    backlogs = []
    for run in results["sections"]["sustained"]["runs"]:
        if backlog := run.get("backlog"):
            b = backlog.get("median", {})
            per = b.get("worker_calls_per_event", {})
            backlogs.append(
                [
                    consumer_label(run.get("consumer", "?")),
                    backlog.get("status"),
                    f"{backlog['events']} x {backlog['repeats']}",
                    b.get("drained_seconds"),
                    b.get("events_per_s"),
                    b.get("limit_per_s"),
                    b.get("x_limit"),
                    per.get("glue_reads"),
                    per.get("glue_writes"),
                    per.get("sqs"),
                    b.get("emulator_busy"),
                ]
            )
    if backlogs:
        text += "\n\n" + _md(
            [
                "consumer",
                "status",
                "queued events x rounds",
                "drain s",
                "events/s",
                "limit/s",
                "x limit",
                "glue R/event",
                "glue W/event",
                "sqs/event",
                "emulator busy",
            ],
            backlogs,
        )
        text += (
            "\n\nQueued backlog: the consumer alone against the emulator. With the consumer "
            "paused (SIGSTOP), one UpdateTable on each of the tables (nothing to coalesce), then "
            "resumed: events/s = events / time until every message was handled; medians over the "
            "rounds. emulator busy = its CPU seconds per second (1.0 = one core)."
        )
    if bursts:
        text += "\n\n" + _md(
            ["consumer", "status", "burst", "converge s", "drain s", "events/s", "convergences"],
            bursts,
        )
        text += (
            "\n\nBurst: the consumer is paused (SIGSTOP) while the producers send, then resumed; "
            "converge = until every central copy shows its final version; drain = until every "
            "message was handled (events/s = events / drain); convergences = central UpdateTable "
            "calls."
        )
    return text


def _calls_md(calls: dict[str, Any]) -> str:
    rows = []
    for r in calls["rows"]:
        c, m = r["calls"], r["minimum"]
        rows.append(
            [
                r["change"],
                c["glue_reads"],
                c["glue_writes"],
                c["sqs"],
                c["dynamodb"],
                c["other"],
                r["total"],
                "/".join(f"{m[k]:g}" for k in ("glue_reads", "glue_writes", "sqs")),
                r["minimum_total"],
                _ratio(r["total"], r["minimum_total"]),
            ]
        )
    idle = calls.get("idle_calls_per_s", {})
    return (
        _md(
            [
                "change",
                "glue R",
                "glue W",
                "sqs",
                "ddb",
                "other",
                "total",
                "min R/W/sqs",
                "min",
                "x min",
            ],
            rows,
        )
        + f"\n\nMean of {calls['repeats']} of each change, made alone; includes the idle long "
        f"polls in each window ({', '.join(f'{k} {v}/s' for k, v in idle.items()) or 'none'})."
    )


def _access_md(access: dict[str, Any]) -> str:
    if access.get("status") not in ("ok", "timeout") or "requests" not in access:
        return f"{access.get('status')}: {access.get('error', '')}"
    top = list(access.get("calls_per_grant", {}).items())[:8]
    return _md(
        ["requests", "approvals/s", "granted", "applied", "p50 s", "p99 s", "max s", "outcomes"],
        [
            [
                access["requests"],
                access["approvals_per_s"],
                access["granted"],
                access["grants_applied"],
                access["latency_p50_s"],
                access["latency_p99_s"],
                access["latency_max_s"],
                ", ".join(f"{k} {v}" for k, v in access.get("outcomes", {}).items()),
            ]
        ],
    ) + (
        "\n\nOne grant-worker; the reference ticket system posts signed approvals at a steady "
        "pace; latency = from posting to grant-worker's log of the handled approval (grants, "
        "RAM share accepted, resource link, request recorded). Calls per grant: "
        + ", ".join(f"{k} {v}" for k, v in top)
        + _stored_md(access.get("with_recommendations"))
    )


def _stored_md(stored: dict[str, Any] | None) -> str:
    """The row of one grant decided with many recommendations stored."""
    if not stored or stored.get("latency_s") is None:
        return ""
    calls = ", ".join(f"{k} {v}" for k, v in stored.get("dynamodb_calls", {}).items())
    return (
        f"\n\nOne grant with {stored['stored']:,} recommendations stored: "
        f"{stored['latency_s']} s from posting to handled; its DynamoDB calls: {calls}."
    )


def _repair_md(repair: dict[str, Any]) -> str:
    rows = []
    for key, s in repair.get("scenarios", {}).items():
        if "runs" not in s:
            rows.append([key, "-", s.get("status"), None, None, None])
            continue
        label = f"{s['tables']:,} tables x {s['partitions_per_table']} partitions"
        for run in s["runs"]:
            rows.append(
                [
                    label,
                    run["repair"],
                    run["status"],
                    run.get("duration_s"),
                    run.get("drift_total"),
                    sum(run["calls"].values()),
                ]
            )
    return (
        _md(["scenario", "repair", "status", "seconds", "drift", "AWS calls"], rows)
        + "\n\nOne sync-worker, 3 producers, `meshctl repair --wait`; each scenario runs once "
        "(its size is the point)."
    )


def _classifier_md(c: dict[str, Any]) -> str:
    cps, runs, f1 = c["columns_per_s"], c["columns_per_s_runs"], c["macro_f1"]
    return _md(
        ["measure", "median", "rounds"],
        [
            ["columns/s, metadata only", cps["metadata_only"], runs["metadata_only"]],
            ["columns/s, 100-value sample", cps["sample_100"], runs["sample_100"]],
            ["macro F1, names visible", f1["names_visible"], ""],
            ["macro F1, names masked", f1["names_masked"], ""],
            ["macro F1, metadata only", f1["metadata_only"], ""],
        ],
    ) + (
        f"\n\nThe labelled corpus of tests/classifier_eval ({c['columns']} columns), one process "
        f"in the benchmark's; {c['window_s']} s per round."
    )


def _memory_rows(results: dict[str, Any]) -> list[list[Any]]:
    from throughput import consumer_label

    sections = results["sections"]
    scenarios: list[tuple[str, list[dict[str, Any]]]] = [
        (f"sync, {consumer_label(r.get('consumer', '?'))}", r.get("memory", []))
        for r in sections.get("sustained", {}).get("runs", [])
    ]
    scenarios += [(n, sections.get(n, {}).get("memory", [])) for n in ("calls", "access")]
    scenarios += [
        (f"repair {k}", s.get("memory", []))
        for k, s in sections.get("repair", {}).get("scenarios", {}).items()
    ]
    rows = []
    for label, procs in scenarios:
        for proc in procs:
            kib = proc.get("vm_hwm_kib")
            rows.append([label, proc["worker"], None if kib is None else round(kib * 1024 / MB)])
            label = ""
    return rows
