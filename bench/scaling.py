"""Sync scaling with AWS's latency: the emulator delays every call by a fixed time (30 ms, a
realistic AWS round trip), so that a worker waits as it would against AWS instead of being
bounded by the emulator's CPU.

One stack (two producers onboarded). With no latency, the distinct tables are created and
synced; then, for 1, 2 and 4 sync-workers (workers are added between the measures):

- distinct tables: with the workers paused (SIGSTOP), one UpdateTable on each of the tables
  (nothing to coalesce, no table written twice), then the latency on and the workers resumed:
  events/s = events / (resume .. the last of their messages handled, by the workers' own log
  timestamps); `repeats` rounds, the median;
- then, on the most workers and with the latency on, the partition-heavy load: two producers
  writing at once, each on its own tables: per table a CreateTable, `batches` x
  BatchCreatePartition of `partitions`, `schema_changes` UpdateTables adding a column; then
  `deletes` DeleteTables. Central pollers (threads) look for each write's effect in the central
  catalog; lag = first seen - the producer's call returned. Afterwards, with the latency off,
  the whole central copy is compared with what the producers wrote.
"""

from __future__ import annotations

import collections
import os
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.catalog import COLUMNS, PARTITION_BATCH, day, partition_input, table_input
from bench.harness import (
    Deadline,
    LogTail,
    ScenarioTimeout,
    Stack,
    handled_messages,
    machine_busy,
    machine_cpu,
    wait_status,
    wait_until,
)
from bench.render import fmt
from bench.rows import Column, Results, Row, Section, Target, ok, table
from bench.stats import median, percentile, ratio, split_calls, top_calls
from meshcore_devstack.mesh import PRODUCERS

TITLE = "Sync scaling with AWS latency injected (fixed delay on every call)"
DATABASE = "scaling"
LOAD_DATABASE = "load"
PRODUCER_THREADS = 4  # the backlog's UpdateTables, sent before the latency is switched on
POLL_THREADS = 6  # central pollers of the partition load
# The targets hold for 4 workers with 30 ms per call; other runs report without a target.
TARGET_LATENCY_MS = 30
TARGET_WORKERS = 4
TARGET_SCALE = 3.5  # 4 workers over 1
TARGET_LAG_P99_S = 5.0  # the partition load on 4 workers
CONCURRENCY = 8  # MESHCORE_WORKER__CONCURRENCY's default, which the workers run with


@dataclass(frozen=True)
class Load:
    """The partition-heavy load, per producer."""

    tables: int = 20
    batches: int = 5  # BatchCreatePartition calls per table
    partitions: int = 100  # per batch (Glue's limit)
    schema_changes: int = 3  # UpdateTables adding a column, per table
    deletes: int = 5  # DeleteTables at the end

    def writes(self, producers: int) -> int:
        per_table = 1 + self.batches + self.schema_changes
        return producers * (self.tables * per_table + self.deletes)


class _Handled:
    """Every worker's `message.handled` lines, read incrementally from their logs."""

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self._tails: dict[str, LogTail] = {}
        self.records: list[dict[str, Any]] = []

    def refresh(self) -> list[dict[str, Any]]:
        for w in self._stack.workers:
            tail = self._tails.setdefault(w.name, LogTail(w.log_path))
            for record in handled_messages(tail.read()):
                record["worker"] = w.name
                self.records.append(record)
        return self.records

    def mark(self) -> int:
        return len(self.refresh())


def _epoch(record: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(record["timestamp"])).timestamp()


def _ok(records: list[dict[str, Any]], change: str | None = None) -> list[dict[str, Any]]:
    return [
        r
        for r in records
        if r.get("outcome") == "ok" and (change is None or r.get("change") == change)
    ]


def scaling(
    log_root: Path,
    latency_ms: int,
    workers: tuple[int, ...],
    tables: int,
    repeats: int,
    load: Load,
    timeout: float,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    with Stack("scaling", log_root) as stack:
        logs = _Handled(stack)
        producer = PRODUCERS[0]
        glue = stack.client("glue", producer.account)
        names = [f"d{i:04d}" for i in range(tables)]
        glue.create_database(DatabaseInput={"Name": DATABASE})
        for name in names:
            glue.create_table(DatabaseName=DATABASE, TableInput=table_input(name, False, rev="0"))
        runs: list[dict[str, Any]] = []
        out: dict[str, Any] = {
            "status": "ok",
            "latency_ms": latency_ms,
            "tables": tables,
            "repeats": repeats,
            "runs": runs,
        }
        for count in workers:
            stack.add_sync_workers(count - len(stack.workers))
            if len(runs) == 0:  # the tables' creation, synced once with no latency
                wait_until(
                    lambda: len(_ok(logs.refresh())) >= tables + 1,
                    "the distinct tables to be synced",
                    Deadline(timeout),
                    pause=0.2,
                )
            rounds = []
            for r in range(repeats):
                rounds.append(
                    _distinct_round(stack, logs, producer.account, names, latency_ms, timeout)
                )
                progress(
                    f"{count} worker(s), round {r + 1}: {rounds[-1].get('events_per_s')} events/s"
                )
            runs.append(_summary(count, rounds))
        out["load"] = _partition_load(stack, logs, load, latency_ms, timeout, progress)
        out["memory"] = [*stack.worker_stats(), stack.emulator_stats()]
        statuses = [r["status"] for r in runs] + [out["load"]["status"]]
        out["status"] = next((s for s in ("error", "timeout") if s in statuses), "ok")
        return out


# -- distinct tables ----------------------------------------------------------------------------


def _distinct_round(
    stack: Stack,
    logs: _Handled,
    account: str,
    names: list[str],
    latency_ms: int,
    timeout: float,
) -> dict[str, Any]:
    clients = [stack.client("glue", account, fresh=True) for _ in range(PRODUCER_THREADS)]
    revision = str(time.monotonic_ns())

    def update(i: int) -> None:
        clients[i % PRODUCER_THREADS].update_table(
            DatabaseName=DATABASE, TableInput=table_input(names[i], False, rev=revision)
        )

    events = len(names)
    stack.pause_workers(True)
    try:
        with ThreadPoolExecutor(PRODUCER_THREADS) as pool:
            list(pool.map(update, range(events)))
        wait_until(lambda: stack.queue_depth() >= events, "the queued events", Deadline(timeout))
        mark = logs.mark()
        stack.emulator.set_latency(latency_ms)
        stack.emulator.clear_calls()
        cpu_before = stack.cpu_snapshot()
        machine_before = machine_cpu()
        resumed = time.time()
    finally:
        stack.pause_workers(False)
    status = wait_status(
        lambda: len(_ok(logs.refresh()[mark:], "UpdateTable")) >= events,
        "every queued event to be handled",
        Deadline(timeout),
        pause=0.05,
    )
    span = time.time() - resumed
    cpu_after = stack.cpu_snapshot()
    machine_after = machine_cpu()
    stack.emulator.clear_latency()
    time.sleep(0.2)  # the last delete batch
    calls = stack.emulator.calls()
    handled = logs.refresh()[mark:]
    done = _ok(handled, "UpdateTable")
    result: dict[str, Any] = {"status": status, "events": events, "handled": len(handled)}
    if status == "ok":
        drain = max(_epoch(r) for r in done) - resumed
        durations = [float(r["duration_ms"]) for r in done]
        rate = events / drain
        result |= {
            "drain_seconds": round(drain, 3),
            "events_per_s": round(rate, 1),
            "handler_ms_p50": percentile(durations, 50),
            "handler_ms_p99": percentile(durations, 99),
            # Little's law: messages in the handlers at once, on average, over the drain.
            "in_flight": round(rate * statistics.fmean(durations) / 1000, 1),
        }
    cpu = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
    result |= {
        "outcomes": dict(collections.Counter(r.get("outcome", "?") for r in handled)),
        "messages_by_worker": dict(collections.Counter(r["worker"] for r in done)),
        "cpu_seconds": {k: round(v, 2) for k, v in cpu.items()},
        "emulator_busy": round(cpu["emulator"] / span, 2),
        "workers_busy": round(sum(v for k, v in cpu.items() if k != "emulator") / span, 2),
        "machine_busy": _round(machine_busy(machine_before, machine_after)),
        "load_average": round(os.getloadavg()[0], 2),
        "calls": dict(calls),
        "calls_per_event": {k: round(v / events, 3) for k, v in split_calls(calls).items()},
    }
    return result


SUMMARY_KEYS = (
    "drain_seconds",
    "events_per_s",
    "handler_ms_p50",
    "handler_ms_p99",
    "in_flight",
    "emulator_busy",
    "workers_busy",
    "machine_busy",
)


def _summary(workers: int, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    good = [r for r in rounds if r["status"] == "ok"]
    medians: dict[str, Any] = {}
    for key in SUMMARY_KEYS:
        value = median([float(r[key]) for r in good if r.get(key) is not None])
        medians[key] = None if value is None else round(value, 3)
    if good:
        calls = {
            k: median([r["calls_per_event"][k] for r in good]) for k in good[0]["calls_per_event"]
        }
        medians["calls_per_event"] = calls
    status = next((s for s in ("error", "timeout") if s in [r["status"] for r in rounds]), "ok")
    return {"workers": workers, "status": status, "rounds": rounds, "median": medians}


# -- the partition-heavy load -------------------------------------------------------------------


@dataclass
class _Write:
    """One producer write and how to see its effect in the central catalog."""

    kind: str  # create, partitions, schema, delete
    database: str  # central
    table: str
    detail: str  # the partition value or the column to look for
    returned: float
    seen: float | None = None
    superseded: bool = False  # seen as the table's later deletion
    polls: int = 0


def _steps(load: Load) -> list[tuple[str, int]]:
    """One table's writes in the order a producer makes them: the table, then its partitions
    with the schema changes spread among them."""
    steps: list[tuple[str, int]] = [("create", 0)]
    batches = [("partitions", b) for b in range(load.batches)]
    changes = [("schema", c) for c in range(load.schema_changes)]
    every = max(1, -(-len(batches) // max(len(changes), 1)))
    while batches or changes:
        steps += batches[:every]
        batches = batches[every:]
        if changes:
            steps.append(changes.pop(0))
    return steps


def _columns(changes: int) -> list[dict[str, str]]:
    return [{"Name": n, "Type": t} for n, t in COLUMNS] + [
        {"Name": f"note_{c}", "Type": "string"} for c in range(changes)
    ]


def _schema_input(name: str, changes: int) -> dict[str, Any]:
    revised: dict[str, Any] = dict(table_input(name, True))
    revised["StorageDescriptor"] = {**revised["StorageDescriptor"], "Columns": _columns(changes)}
    return revised


def _deleted(load: Load) -> list[int]:
    """The tables each producer deletes at the end: spread over its tables."""
    step = max(1, load.tables // max(load.deletes, 1))
    return list(range(0, load.tables, step))[: load.deletes]


class _Poller:
    """Threads that look for each pending write's effect in the central catalog."""

    def __init__(self, clients: list[Any], deleted: set[tuple[str, str]]) -> None:
        self._clients = clients
        self._deleted = deleted  # (central database, table) the producer has deleted
        self.pending: collections.deque[_Write] = collections.deque()
        self.polls = 0
        self.errors = 0
        self.call_ms: list[float] = []  # how long each poll's GetTable/GetPartition took
        self.finished = threading.Event()  # no more writes will come
        self._threads = [
            threading.Thread(target=self._run, args=(c,), daemon=True, name="central-poller")
            for c in clients
        ]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def join(self, deadline: Deadline) -> bool:
        for t in self._threads:
            t.join(deadline.remaining())
        return not any(t.is_alive() for t in self._threads)

    def _run(self, glue: Any) -> None:
        while True:
            try:
                write = self.pending.popleft()
            except IndexError:
                if self.finished.is_set():
                    return
                time.sleep(0.01)
                continue
            began = time.monotonic()
            try:
                visible = self._visible(glue, write)
            except Exception:
                self.errors += 1
                visible = False
            self.call_ms.append((time.monotonic() - began) * 1000)
            self.polls += 1
            write.polls += 1
            if visible:
                write.seen = time.monotonic()
            else:
                self.pending.append(write)

    def _visible(self, glue: Any, write: _Write) -> bool:
        try:
            if write.kind == "partitions":
                glue.get_partition(
                    DatabaseName=write.database,
                    TableName=write.table,
                    PartitionValues=[write.detail],
                )
                return True
            found = glue.get_table(DatabaseName=write.database, Name=write.table)["Table"]
        except glue.exceptions.EntityNotFoundException:
            if write.kind == "delete":
                return True
            # Gone centrally after the producer deleted the table: converged to what exists.
            write.superseded = (write.database, write.table) in self._deleted
            return write.superseded
        if write.kind == "schema":
            columns = found.get("StorageDescriptor", {}).get("Columns", [])
            return any(c["Name"] == write.detail for c in columns)
        return write.kind == "create"


def _partition_load(
    stack: Stack,
    logs: _Handled,
    load: Load,
    latency_ms: int,
    timeout: float,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    producers = PRODUCERS
    clients = {p.account: stack.client("glue", p.account, fresh=True) for p in producers}
    for p in producers:
        clients[p.account].create_database(DatabaseInput={"Name": LOAD_DATABASE})
    wait_until(
        lambda: all(
            _central_database_exists(stack, f"{p.domain}__{LOAD_DATABASE}") for p in producers
        ),
        "the central load databases",
        Deadline(120),
    )
    deleted: set[tuple[str, str]] = set()
    poller = _Poller([stack.client("glue", fresh=True) for _ in range(POLL_THREADS)], deleted)
    writes: list[_Write] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(producers) + 1)
    steps = _steps(load)
    doomed = _deleted(load)

    def produce(account: str, domain: str) -> None:
        glue, central_db = clients[account], f"{domain}__{LOAD_DATABASE}"

        def wrote(kind: str, name: str, detail: str = "") -> None:
            write = _Write(kind, central_db, name, detail, time.monotonic())
            with lock:
                writes.append(write)
                if kind == "delete":
                    deleted.add((central_db, name))
            poller.pending.append(write)

        try:
            barrier.wait()
            for t in range(load.tables):
                name = f"p{t:03d}"
                for kind, k in steps:
                    if kind == "create":
                        glue.create_table(
                            DatabaseName=LOAD_DATABASE, TableInput=table_input(name, True)
                        )
                        wrote("create", name)
                    elif kind == "partitions":
                        values = [day(k * load.partitions + i) for i in range(load.partitions)]
                        for start in range(0, len(values), PARTITION_BATCH):
                            response = glue.batch_create_partition(
                                DatabaseName=LOAD_DATABASE,
                                TableName=name,
                                PartitionInputList=[
                                    partition_input(name, v)
                                    for v in values[start : start + PARTITION_BATCH]
                                ],
                            )
                            if response.get("Errors"):
                                raise RuntimeError(f"BatchCreatePartition: {response['Errors'][0]}")
                            wrote("partitions", name, values[start : start + PARTITION_BATCH][-1])
                    else:
                        glue.update_table(
                            DatabaseName=LOAD_DATABASE, TableInput=_schema_input(name, k + 1)
                        )
                        wrote("schema", name, f"note_{k}")
            for t in doomed:
                glue.delete_table(DatabaseName=LOAD_DATABASE, Name=f"p{t:03d}")
                wrote("delete", f"p{t:03d}")
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [
        threading.Thread(target=produce, args=(p.account, p.domain), daemon=True, name=p.domain)
        for p in producers
    ]
    for t in threads:
        t.start()
    stack.emulator.set_latency(latency_ms)
    stack.emulator.clear_calls()
    mark = logs.mark()
    cpu_before = stack.cpu_snapshot()
    machine_before = machine_cpu()
    deadline = Deadline(timeout)
    status = "ok"
    poller.start()
    barrier.wait()
    started = time.monotonic()
    produced_at = None
    try:
        for t in threads:
            t.join(deadline.remaining())
        if errors:
            raise errors[0]
        if any(t.is_alive() for t in threads):
            raise ScenarioTimeout("the producers did not finish in time")
        produced_at = time.monotonic()
        progress(f"load: {len(writes)} writes in {produced_at - started:.1f} s")
        poller.finished.set()
        if not poller.join(deadline):
            raise ScenarioTimeout(f"not converged within {timeout:.0f} s")
    except ScenarioTimeout:
        status = "timeout"
    finally:
        poller.finished.set()
        span = time.monotonic() - started
        cpu_after = stack.cpu_snapshot()
        machine_after = machine_cpu()
        stack.emulator.clear_latency()
    calls = stack.emulator.calls()
    handled = logs.refresh()[mark:]
    result: dict[str, Any] = {
        "status": status,
        "producers": len(producers),
        "workers": len(stack.workers),
        "size": asdict(load),
        "writes": len(writes),
        "writes_by_kind": dict(collections.Counter(w.kind for w in writes)),
        "producer_seconds": None if produced_at is None else round(produced_at - started, 3),
        "polls": poller.polls,
        "poll_errors": poller.errors,
    }
    seen = [w for w in writes if w.seen is not None]
    if status == "ok" and seen:
        lags = [w.seen - w.returned for w in seen if w.seen is not None]
        last = max(w.seen for w in seen if w.seen is not None)
        result |= {
            "converge_seconds": round(last - started, 3),
            "lag_p50_s": _round(percentile(lags, 50)),
            "lag_p99_s": _round(percentile(lags, 99)),
            "lag_max_s": _round(max(lags)),
            "lag_by_kind_p99_s": {
                kind: _round(
                    percentile([w.seen - w.returned for w in seen if w.kind == kind and w.seen], 99)
                )
                for kind in sorted({w.kind for w in seen})
            },
            "superseded": sum(1 for w in seen if w.superseded),
            # How often a pending write was looked at: the lag's resolution.
            "poll_gap_ms_p50": _round(
                percentile([1000 * (w.seen - w.returned) / w.polls for w in seen if w.seen], 50)
            ),
            "poll_call_ms_p50": _round(percentile(poller.call_ms, 50)),
            "poll_call_ms_p99": _round(percentile(poller.call_ms, 99)),
        }
    cpu = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
    durations = [float(r["duration_ms"]) for r in handled if "duration_ms" in r]
    result |= {
        "outcomes": dict(collections.Counter(r.get("outcome", "?") for r in handled)),
        "messages": len(handled),
        "changes_handled": dict(collections.Counter(str(r.get("change")) for r in handled)),
        "emulator_busy": round(cpu["emulator"] / span, 2),
        "workers_busy": round(sum(v for k, v in cpu.items() if k != "emulator") / span, 2),
        "machine_busy": _round(machine_busy(machine_before, machine_after)),
        "load_average": round(os.getloadavg()[0], 2),
        "handler_ms_p50": percentile(durations, 50),
        "handler_ms_p99": percentile(durations, 99),
        "in_flight": round(sum(durations) / 1000 / span, 1),
        "calls": dict(calls),
    }
    if status == "ok":
        differences = _differences(stack, load, doomed)
        result["differences"] = len(differences)
        result["differences_sample"] = differences[:5]
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _central_database_exists(stack: Stack, name: str) -> bool:
    glue = stack.client("glue")
    try:
        glue.get_database(Name=name)
    except glue.exceptions.EntityNotFoundException:
        return False
    return True


def _differences(stack: Stack, load: Load, doomed: list[int]) -> list[str]:
    """What the central copy lacks or has too much of, against what the producers wrote."""
    glue = stack.client("glue")
    found = []
    want_columns = [c["Name"] for c in _columns(load.schema_changes)]
    want_partitions = {day(i) for i in range(load.batches * load.partitions)}
    for p in PRODUCERS:
        database = f"{p.domain}__{LOAD_DATABASE}"
        for t in range(load.tables):
            name = f"p{t:03d}"
            try:
                central = glue.get_table(DatabaseName=database, Name=name)["Table"]
            except glue.exceptions.EntityNotFoundException:
                if t not in doomed:
                    found.append(f"{database}.{name}: missing")
                continue
            if t in doomed:
                found.append(f"{database}.{name}: not deleted")
                continue
            columns = [c["Name"] for c in central["StorageDescriptor"]["Columns"]]
            if columns != want_columns:
                found.append(f"{database}.{name}: columns {columns}")
            values = {
                part["Values"][0]
                for page in glue.get_paginator("get_partitions").paginate(
                    DatabaseName=database, TableName=name
                )
                for part in page["Partitions"]
            }
            if values != want_partitions:
                found.append(
                    f"{database}.{name}: {len(want_partitions - values)} partitions missing, "
                    f"{len(values - want_partitions)} extra"
                )
    return found


# -- the section's rows -------------------------------------------------------------------------


def section(results: Results) -> Section:
    result: dict[str, Any] = results["sections"]["scaling"]
    if "runs" not in result and (failed := Section.failed(TITLE, result)):
        return failed
    latency = result.get("latency_ms")
    runs: list[dict[str, Any]] = result.get("runs", [])
    one = next((r["median"].get("events_per_s") for r in runs if r["workers"] == 1), None)
    rows, details = [], []
    for run in runs:
        m = run["median"]
        per = m.get("calls_per_event", {})
        rows.append(
            Row.of(
                run["workers"],
                run["status"],
                f"{result.get('tables')} x {len(run['rounds'])}",
                m.get("drain_seconds"),
                m.get("events_per_s"),
                ratio(m.get("events_per_s"), one),
                m.get("handler_ms_p50"),
                m.get("in_flight"),
                per.get("glue_reads"),
                per.get("glue_writes"),
                per.get("sqs"),
                m.get("emulator_busy"),
                m.get("workers_busy"),
                m.get("machine_busy"),
            )
        )
        for r in run["rounds"]:
            details.append(
                f"{run['workers']} worker(s): {r['status']}, {r.get('events_per_s')} events/s, "
                f"handler p50/p99 {r.get('handler_ms_p50')}/{r.get('handler_ms_p99')} ms, "
                f"in flight {r.get('in_flight')}, by worker {r.get('messages_by_worker')}, "
                f"outcomes {r.get('outcomes')}; calls: {top_calls(r.get('calls', {}), 6)}"
            )
    tables = [
        table(
            [
                Column("sync-workers"),
                Column("status"),
                Column("events x rounds"),
                Column("drain (s)"),
                Column("events/s", 1),
                Column("x 1 worker"),
                Column("handler p50 (ms)", 0),
                Column("in flight", 1),
                Column("glue reads/event"),
                Column("glue writes/event"),
                Column("sqs calls/event"),
                Column("emulator busy (CPU s/s)"),
                Column("workers busy (CPU s/s)"),
                Column("machine busy (all cores)"),
            ],
            rows,
            f"Distinct tables, {latency} ms injected on every AWS call: with the workers paused, "
            "one UpdateTable on each table (nothing to coalesce), then the latency on and the "
            "workers resumed; events/s = events / (resume .. the last message handled, by the "
            "workers' log timestamps); medians over the rounds. in flight = events/s x mean "
            f"handler time: messages being handled at once (each worker takes at most "
            f"{CONCURRENCY}). busy = CPU seconds per second (1.0 = one core) over the drain; machine "
            "busy = the share of every core's time that was busy, whoever's processes (a shared "
            "machine).",
        )
    ]
    load = result.get("load") or {}
    if load:
        size = load.get("size", {})
        by_kind = load.get("writes_by_kind", {})
        lag_kinds = load.get("lag_by_kind_p99_s") or {}
        tables.append(
            table(
                [
                    Column("load"),
                    Column("status"),
                    Column("sync-workers"),
                    Column("Glue writes"),
                    Column("producers (s)"),
                    Column("converged (s)"),
                    Column("lag p50 (s)"),
                    Column("lag p99 (s)"),
                    Column("lag max (s)"),
                    Column("central copy"),
                    Column("handler p50 (ms)", 0),
                    Column("in flight", 1),
                    Column("emulator busy (CPU s/s)"),
                    Column("workers busy (CPU s/s)"),
                    Column("machine busy (all cores)"),
                ],
                [
                    Row.of(
                        f"{load.get('producers')} producers x {size.get('tables')} tables x "
                        f"{size.get('batches')} x {size.get('partitions')} partitions",
                        load.get("status"),
                        load.get("workers"),
                        load.get("writes"),
                        load.get("producer_seconds"),
                        load.get("converge_seconds"),
                        load.get("lag_p50_s"),
                        load.get("lag_p99_s"),
                        load.get("lag_max_s"),
                        _copy(load),
                        load.get("handler_ms_p50"),
                        load.get("in_flight"),
                        load.get("emulator_busy"),
                        load.get("workers_busy"),
                        load.get("machine_busy"),
                    )
                ],
                f"Two producers writing at once, {latency} ms injected on every AWS call: per "
                f"table a CreateTable, {size.get('batches')} BatchCreatePartition of "
                f"{size.get('partitions')}, {size.get('schema_changes')} UpdateTables adding a "
                f"column; then {size.get('deletes')} DeleteTables each. Lag = when a central "
                f"poller ({POLL_THREADS} threads) first saw a write's effect - when the "
                "producer's call returned; how often a pending write was looked at (the lag's "
                "resolution) is in the details. converged = first write .. the last one seen. "
                "central copy = after the load, with no latency: tables, columns and partitions "
                "as the producers left them. in flight = handler seconds per second: messages "
                "being handled at once.",
            )
        )
        details.append(
            f"load: writes {by_kind}; lag p99 by kind {lag_kinds}; superseded by a delete "
            f"{load.get('superseded')}; polls {load.get('polls')} ({load.get('poll_errors')} "
            f"errors; a pending write looked at every {load.get('poll_gap_ms_p50')} ms, p50; "
            f"a poll's call took {load.get('poll_call_ms_p50')} ms p50, "
            f"{load.get('poll_call_ms_p99')} p99); handler p99 {load.get('handler_ms_p99')} ms; "
            f"messages {load.get('messages')}, outcomes {load.get('outcomes')}; "
            f"calls: {top_calls(load.get('calls', {}), 8)}"
        )
        if load.get("status") not in ("ok", None):
            details.append(f"load: {load.get('status')}: {load.get('error', '')}")
        for difference in load.get("differences_sample", []):
            details.append(f"load, central copy: {difference}")
    return Section(TITLE, tuple(tables), details=tuple(details))


def _copy(load: dict[str, Any]) -> str:
    differences = load.get("differences")
    if differences is None:
        return "-"
    return "as written" if differences == 0 else f"{differences} differences"


def targets(results: Results) -> list[Target]:
    result = ok(results, "scaling") or {}
    if not result:
        return []
    latency = result.get("latency_ms")
    found: list[Target] = []
    rates = {r["workers"]: r["median"].get("events_per_s") for r in result.get("runs", [])}
    one, most = rates.get(1), max(rates, default=None)
    if one and most and most > 1:
        scale = ratio(rates[most], one)
        judged = latency == TARGET_LATENCY_MS and most == TARGET_WORKERS
        found.append(
            Target(
                f"sync, {latency} ms per call, distinct tables: {most} workers / 1 worker "
                "(events/s)",
                f">= {TARGET_SCALE:g}x" if judged else "(no target)",
                f"{fmt(scale)}x ({fmt(rates[most], 1)} vs {fmt(one, 1)} events/s; "
                + ", ".join(f"{w}: {fmt(ratio(v, one))}x" for w, v in sorted(rates.items()))
                + ")",
                None if scale is None or not judged else scale >= TARGET_SCALE,
            )
        )
    load = result.get("load") or {}
    p99 = load.get("lag_p99_s")
    if load:
        judged = latency == TARGET_LATENCY_MS and load.get("workers") == TARGET_WORKERS
        found.append(
            Target(
                f"two-producer partition load ({load.get('writes')} Glue writes), "
                f"{load.get('workers')} workers, {latency} ms per call: lag p99 (s)",
                f"<= {TARGET_LAG_P99_S:g}" if judged else "(no target)",
                f"{fmt(p99)} (p50 {fmt(load.get('lag_p50_s'))}; converged in "
                f"{fmt(load.get('converge_seconds'))} s; central copy {_copy(load)})"
                if p99 is not None
                else str(load.get("status")),
                None
                if p99 is None or not judged
                else p99 <= TARGET_LAG_P99_S and load.get("differences") == 0,
            )
        )
    return found
