"""Section 7: the embedded AWS itself, with and without its speed extensions, in the same run.

Each variant runs in an emulator process of its own (the speed extensions patch moto for the
whole process): "moto" is started with --without-speed-extensions, "meshcore" as every other
section starts it. For each:

- send: one SendMessage into one queue at each depth (the queue filled with SendMessageBatch
  between measures): median wall time per call and the emulator's CPU time per call;
- tables: CreateTable for `tables` tables, with a rule routing Glue's catalog events to an SQS
  queue as the mesh does (nothing drains it): wall and emulator CPU seconds per block of 500
  (the target reads CPU: wall time on shared cores varies by a third from block to block).

The moto variant stops at a smaller depth and fewer tables: filling its queue is quadratic.
- pairs: GetTable + UpdateTable pairs/s by an async client (limits.table_pair_probe), and the
  emulator's CPU time per pair: the client costs about as much CPU per call as the emulator, so
  on 2 shared cores the observed rate is bounded by both; pairs per emulator CPU second is the
  rate the emulator alone could serve (one core: it holds the GIL).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.config import Config

from bench.catalog import table_input
from bench.harness import Emulator, cpu_seconds, emulator_session
from bench.limits import table_pair_probe
from bench.render import fmt
from bench.rows import Column, Results, Row, Section, Target, ok, table

TITLE = "The embedded AWS itself: without (moto) and with its speed extensions (meshcore)"
VARIANTS = {"moto": ["--without-speed-extensions"], "meshcore": []}
BLOCK = 500  # tables per timed block
CLIENT = Config(retries={"mode": "standard", "max_attempts": 3}, read_timeout=300)


def _client(endpoint: str, service: str) -> Any:
    return emulator_session().client(service, endpoint_url=endpoint, config=CLIENT)


def _fill(sqs: Any, url: str, depth: int, have: int) -> int:
    while have < depth:
        n = min(10, depth - have)
        entries = [{"Id": str(i), "MessageBody": f"fill {have + i}"} for i in range(n)]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
        have += n
    return have


def _sends(
    emulator: Emulator, depths: tuple[int, ...], calls: int, rounds: int
) -> list[dict[str, Any]]:
    """At each depth, `rounds` rounds of `calls` sends: the median round's emulator CPU per call
    (a round that holds a full garbage collection of the process is not the send's cost)."""
    sqs = _client(emulator.endpoint_url, "sqs")
    warm = sqs.create_queue(QueueName="warm")["QueueUrl"]
    for i in range(10):  # the first calls of a service cost more: not what is measured
        sqs.send_message(QueueUrl=warm, MessageBody=f"warm {i}")
    url = sqs.create_queue(QueueName="depth")["QueueUrl"]
    have, rows = 0, []
    for depth in depths:
        have = _fill(sqs, url, depth, have)
        walls, cpus = [], []
        for _ in range(rounds):
            cpu_before = cpu_seconds(emulator.pid) or 0.0
            for i in range(calls):
                started = time.perf_counter()
                sqs.send_message(QueueUrl=url, MessageBody=f"measured {i}")
                walls.append(time.perf_counter() - started)
            cpus.append(((cpu_seconds(emulator.pid) or 0.0) - cpu_before) * 1000 / calls)
            have += calls
        rows.append(
            {
                "depth": depth,
                "calls": calls * rounds,
                "wall_ms_p50": round(statistics.median(walls) * 1000, 3),
                "cpu_ms_per_call": round(statistics.median(cpus), 3),
                "cpu_ms_per_call_rounds": [round(c, 3) for c in cpus],
            }
        )
    return rows


def _tables(emulator: Emulator, tables: int) -> tuple[list[float], list[float]]:
    """Wall and emulator CPU seconds of each block of BLOCK CreateTables."""
    glue = _client(emulator.endpoint_url, "glue")
    sqs = _client(emulator.endpoint_url, "sqs")
    events = _client(emulator.endpoint_url, "events")
    url = sqs.create_queue(QueueName="catalog-changes")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    events.put_rule(Name="glue", EventPattern=json.dumps({"source": ["aws.glue"]}))
    events.put_targets(Rule="glue", Targets=[{"Id": "q", "Arn": arn["QueueArn"]}])
    glue.create_database(DatabaseInput={"Name": "bulk"})
    walls, cpus = [], []
    for start in range(0, tables, BLOCK):
        started, cpu_before = time.perf_counter(), cpu_seconds(emulator.pid) or 0.0
        for i in range(start, min(start + BLOCK, tables)):
            glue.create_table(DatabaseName="bulk", TableInput=table_input(f"t{i:05d}", False))
        walls.append(round(time.perf_counter() - started, 3))
        cpus.append(round((cpu_seconds(emulator.pid) or 0.0) - cpu_before, 2))
    return walls, cpus


def _variant(
    log_dir: Path,
    name: str,
    depths: tuple[int, ...],
    send_calls: int,
    tables: int,
    pair_window_s: float,
    repeats: int,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    emulator = Emulator(log_dir / f"emulator-{name}.log", extra_args=VARIANTS[name])
    try:
        # First calls create moto's backends and load service models: not per-call costs.
        table_pair_probe(emulator.endpoint_url, "warm", 4, 1.0)
        pairs, capacity = [], []
        for r in range(repeats):
            cpu_before = cpu_seconds(emulator.pid) or 0.0
            probe = table_pair_probe(emulator.endpoint_url, f"pairs{r}", 4, pair_window_s)
            cpu = (cpu_seconds(emulator.pid) or 0.0) - cpu_before
            pairs.append(probe["per_s"])
            capacity.append(round(probe["sequences"] / cpu, 1) if cpu else None)
        progress(f"{name}: pairs/s {pairs}, per emulator CPU s {capacity}")
        sends = _sends(emulator, depths, send_calls, repeats)
        progress(
            f"{name}: send " + ", ".join(f"{s['depth']:,}: {s['wall_ms_p50']} ms" for s in sends)
        )
        blocks, block_cpus = _tables(emulator, tables)
        progress(f"{name}: s per {BLOCK} tables {blocks}, emulator CPU s {block_cpus}")
        return {
            "pairs_per_s": pairs,
            "pairs_per_s_median": statistics.median(pairs),
            "pairs_per_cpu_s": capacity,
            "pairs_per_cpu_s_median": statistics.median(c for c in capacity if c)
            if any(capacity)
            else None,
            "send": sends,
            "tables": tables,
            "table_blocks_s": blocks,
            "table_blocks_cpu_s": block_cpus,
            "violations": emulator.violations(),
        }
    finally:
        emulator.stop()


def emulator_bench(
    log_root: Path,
    depths: tuple[int, ...],
    moto_depths: tuple[int, ...],
    send_calls: int,
    tables: int,
    moto_tables: int,
    pair_window_s: float,
    repeats: int,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    log_dir = log_root / "emulator"
    log_dir.mkdir(parents=True, exist_ok=True)
    variants = {
        name: _variant(
            log_dir,
            name,
            moto_depths if name == "moto" else depths,
            send_calls,
            moto_tables if name == "moto" else tables,
            pair_window_s,
            repeats,
            progress,
        )
        for name in VARIANTS
    }
    return {
        "status": "ok",
        "block": BLOCK,
        "tables": tables,
        "send_calls": send_calls,
        "pair_lanes": 4,
        "pair_window_s": pair_window_s,
        "variants": variants,
    }


# -- the section's rows -----------------------------------------------------------------------

NOTE = (
    "Each variant runs in an emulator process of its own: moto = `--without-speed-extensions`, "
    "meshcore = as every other section runs it. CPU per call is the emulator process's CPU time "
    "over the measured calls (pairs per emulator CPU s likewise: the rate the emulator alone "
    "could serve; the observed pairs/s is bounded by the client too, which costs about as much "
    "CPU per call on the same shared cores); the moto variant's queue is filled less deep "
    "(filling it is quadratic; so is creating its tables, whose events fill a queue). Table "
    "creation routes Glue's events to an SQS queue nobody drains, as the mesh does."
)


def _blocks_ratio(blocks: list[float]) -> float | None:
    return max(blocks) / blocks[0] if len(blocks) > 1 and blocks[0] else None


def section(results: Results) -> Section:
    emulator: dict[str, Any] = results["sections"]["emulator"]
    if failed := Section.failed(TITLE, emulator):
        return failed
    variants: dict[str, dict[str, Any]] = emulator["variants"]
    sends = table(
        [
            Column("variant"),
            Column("queue depth"),
            Column("CPU per call (ms)", 3),
            Column("wall p50 (ms)", 3),
            Column("calls"),
            Column("CPU per call, rounds (ms)", 3),
        ],
        [
            Row.of(
                name,
                s["depth"],
                s["cpu_ms_per_call"],
                s["wall_ms_p50"],
                s["calls"],
                tuple(s.get("cpu_ms_per_call_rounds", [])),
            )
            for name, v in variants.items()
            for s in v["send"]
        ],
        "SendMessage into one queue at each depth; CPU per call is the median round's.",
    )
    block = emulator["block"]
    tables = table(
        [
            Column("variant"),
            Column("tables"),
            Column(f"wall per {block} (s)"),
            Column(f"emulator CPU per {block} (s)"),
            Column("slowest / first, wall"),
            Column("slowest / first, CPU"),
        ],
        [
            Row.of(
                name,
                v.get("tables", emulator["tables"]),
                tuple(v["table_blocks_s"]),
                tuple(v.get("table_blocks_cpu_s", [])),
                _blocks_ratio(v["table_blocks_s"]),
                _blocks_ratio(v.get("table_blocks_cpu_s", [])),
            )
            for name, v in variants.items()
        ],
        f"CreateTable, in blocks of {block} tables.",
    )
    pairs = table(
        [
            Column("variant"),
            Column("median (pairs/s)", 1),
            Column("rounds (pairs/s)", 1),
            Column("median (pairs per emulator CPU s)", 1),
            Column("rounds (pairs per emulator CPU s)", 1),
        ],
        [
            Row.of(
                name,
                v["pairs_per_s_median"],
                tuple(v["pairs_per_s"]),
                v.get("pairs_per_cpu_s_median"),
                tuple(v.get("pairs_per_cpu_s", [])),
            )
            for name, v in variants.items()
        ],
        f"GetTable + UpdateTable pairs, {emulator['pair_lanes']} async lanes. {NOTE}",
    )
    return Section(TITLE, (sends, tables, pairs))


def _send(variant: dict[str, Any], depth: int) -> dict[str, Any] | None:
    return next((s for s in variant.get("send", []) if s["depth"] == depth), None)


def _moto_send(slow: dict[str, Any]) -> str:
    zero, deepest = _send(slow, 0), slow["send"][-1]
    if not zero or not zero["cpu_ms_per_call"]:
        return "-"
    return (
        f"{deepest['cpu_ms_per_call'] / zero['cpu_ms_per_call']:.2f} at depth {deepest['depth']:,}"
    )


def targets(results: Results) -> list[Target]:
    """The emulator's speed targets: flat costs with the speed extensions, and their gain."""
    emulator = ok(results, "emulator")
    variants: dict[str, dict[str, Any]] = emulator["variants"] if emulator else {}
    fast, slow = variants.get("meshcore"), variants.get("moto")
    if not emulator or not fast or not slow:
        return []
    found = []
    zero, deepest = _send(fast, 0), fast["send"][-1]
    # Too few calls can measure 0 ms of CPU (the clock ticks every 10 ms): no ratio then.
    if zero and zero["cpu_ms_per_call"] > 0 and deepest["depth"] > 0:
        ratio = deepest["cpu_ms_per_call"] / zero["cpu_ms_per_call"]
        found.append(
            Target(
                f"emulator: SendMessage at depth {deepest['depth']:,} / at depth 0 (CPU per call)",
                "<= 1.20",
                f"{ratio:.2f} ({deepest['cpu_ms_per_call']} vs {zero['cpu_ms_per_call']} ms; "
                f"moto alone: {_moto_send(slow)})",
                ratio <= 1.2,
            )
        )
    blocks = fast.get("table_blocks_cpu_s", [])
    if (ratio := _blocks_ratio(blocks)) is not None:
        found.append(
            Target(
                f"emulator: creating {emulator['tables']:,} tables, slowest / first "
                f"{emulator['block']}, CPU (events to SQS)",
                "<= 1.20",
                f"{ratio:.2f} (wall {fmt(_blocks_ratio(fast['table_blocks_s']))}; moto alone: "
                f"{fmt(_blocks_ratio(slow.get('table_blocks_cpu_s', [])))} over "
                f"{slow.get('tables', 0):,})",
                ratio <= 1.2,
            )
        )
    fast_cap, slow_cap = fast.get("pairs_per_cpu_s_median"), slow.get("pairs_per_cpu_s_median")
    if fast_cap and slow_cap:
        gain = fast_cap / slow_cap
        observed = fast["pairs_per_s_median"] / slow["pairs_per_s_median"]
        found.append(
            Target(
                "emulator: GetTable + UpdateTable pairs per emulator CPU s, with / without "
                "the speed extensions",
                ">= 2.0",
                f"{gain:.2f} ({fmt(fast_cap, 1)} vs {fmt(slow_cap, 1)}; observed pairs/s "
                f"{fmt(fast['pairs_per_s_median'], 1)} vs {fmt(slow['pairs_per_s_median'], 1)}, "
                f"{observed:.2f}x, client-bound)",
                gain >= 2.0,
            )
        )
    return found
