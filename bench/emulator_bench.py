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
from catalog import table_input
from harness import Emulator, cpu_seconds, emulator_session
from limits import table_pair_probe

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
