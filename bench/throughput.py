"""Sustained sync throughput and lag, and bursts: sync-workers or the naive baseline."""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.catalog import table_input
from bench.harness import Deadline, ScenarioTimeout, Stack, wait_status, wait_until
from bench.limits import table_pair_probe
from bench.render import fmt
from bench.rows import Column, Results, Row, Section, Target, table
from bench.stats import percentile, ratio, split_calls, top_calls
from meshcore_devstack.mesh import AR

TITLE = "Sync: sustained UpdateTable events and bursts"
SOURCE_VERSION = "meshcore:source_version"
PROBE_LANES = 4  # the raw section's best lane count on 2 cores


# -- 2. sustained events per second and end-to-end lag -----------------------------------


class _Poller(threading.Thread):
    """Polls the central tables round-robin (GetTable); records when each version first shows."""

    def __init__(
        self, glue: Any, database: str, final: dict[str, int], pause: float, stop: threading.Event
    ) -> None:
        super().__init__(daemon=True, name="central-poller")
        self._glue, self._database, self._final, self._pause = glue, database, final, pause
        self._stop_event = stop
        self.seen: dict[str, int] = dict.fromkeys(final, 0)
        self.first_seen: dict[tuple[str, int], float] = {}
        self.polls = 0
        self.errors = 0
        self.done = threading.Event()

    def run(self) -> None:
        names = list(self._final)
        while not self._stop_event.is_set():
            for name in names:
                if self.seen[name] >= self._final[name]:
                    continue
                try:
                    table = self._glue.get_table(DatabaseName=self._database, Name=name)["Table"]
                    version = int(table.get("Parameters", {}).get(SOURCE_VERSION) or 0)
                except Exception:
                    self.errors += 1
                    version = 0
                finally:
                    self.polls += 1
                now = time.monotonic()
                for v in range(self.seen[name] + 1, version + 1):
                    self.first_seen[(name, v)] = now
                self.seen[name] = max(self.seen[name], version)
                if self._pause:
                    time.sleep(self._pause)
            if all(self.seen[n] >= self._final[n] for n in names):
                self.done.set()
                return


def _plan(names: list[str], updates: int, threads: int) -> list[list[str]]:
    """Update i goes to table i % T; a table belongs to one producer thread, so that its
    versions follow from the order of that thread's calls."""
    plan: list[list[str]] = [[] for _ in range(threads)]
    for i in range(updates):
        plan[(i % len(names)) % threads].append(names[i % len(names)])
    return plan


class _Producers:
    """Producer threads updating their tables as fast as they can (UpdateTable, `rev` changes)."""

    def __init__(
        self, clients: list[Any], database: str, plan: list[list[str]], initial: dict[str, int]
    ) -> None:
        self._clients, self._database, self._plan = clients, database, plan
        self._initial = initial
        self.returned: dict[tuple[str, int], float] = {}  # (table, version) -> call returned
        self.starts: list[float] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self._barrier = threading.Barrier(len(clients) + 1)
        self._threads = [
            threading.Thread(target=self._produce, args=(k,), daemon=True)
            for k in range(len(clients))
        ]

    def _produce(self, k: int) -> None:
        glue, version = self._clients[k], dict(self._initial)
        try:
            self._barrier.wait()
            self.starts.append(time.monotonic())
            for name in self._plan[k]:
                if self.stop.is_set():
                    return
                version[name] += 1
                glue.update_table(
                    DatabaseName=self._database,
                    TableInput=table_input(name, False, rev=str(version[name])),
                )
                self.returned[(name, version[name])] = time.monotonic()
        except BaseException as exc:
            self.errors.append(exc)
            self._barrier.abort()

    def run(self, deadline: Deadline) -> float:
        """Start together, wait until all are done; returns when the first one started."""
        for t in self._threads:
            t.start()
        self._barrier.wait()
        for t in self._threads:
            t.join(deadline.remaining())
        if self.errors:
            raise self.errors[0]
        if any(t.is_alive() for t in self._threads):
            raise ScenarioTimeout("the producers did not finish in time")
        return min(self.starts)


Consumer = int | str  # how many sync-workers (0: nobody consumes), or "naive"


def consumer_label(consumer: Consumer) -> str:
    if consumer == "naive":
        return "naive baseline"
    return "producer alone" if consumer == 0 else f"{consumer} sync-worker(s)"


def sustained(
    log_root: Path,
    consumer: Consumer,
    tables: int,
    updates: int,
    producer_threads: int,
    timeout: float,
    poll_pause: float,
    repeats: int,
    probe_seconds: float,
    burst: tuple[int, int, int] | None = None,
    backlog: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """`repeats` rounds of `updates` UpdateTable events on `tables` tables, each on a fresh
    database of one stack; then, with `burst` = (events, tables, repeats), bursts: the consumer
    is paused (SIGSTOP) while the producers send, so that every event is queued at once."""
    with Stack(f"sustained-{str(consumer).replace(' ', '')}", log_root) as stack:
        if consumer == "naive":
            stack.start_naive_worker()
        elif consumer:
            stack.start_sync_workers(int(consumer))
        rounds = [
            _round(
                stack,
                consumer,
                f"sustained_{r}",
                tables,
                updates,
                producer_threads,
                timeout,
                poll_pause,
                probe_seconds,
            )
            for r in range(repeats)
        ]
        out: dict[str, Any] = {
            "status": _worst(rounds),
            "consumer": consumer,
            "tables": tables,
            "events": updates,
            "repeats": repeats,
            "rounds": rounds,
            "median": medians(rounds),
        }
        if backlog and consumer:
            out["backlog"] = _backlog(
                stack, consumer, backlog[0], backlog[1], producer_threads, timeout, probe_seconds
            )
        if burst and consumer:
            events, burst_tables, burst_repeats = burst
            bursts = [
                _round(
                    stack,
                    consumer,
                    f"burst_{r}",
                    burst_tables,
                    events,
                    producer_threads,
                    timeout,
                    poll_pause,
                    probe_seconds,
                    paused=True,
                )
                for r in range(burst_repeats)
            ]
            out["burst"] = {
                "status": _worst(bursts),
                "events": events,
                "tables": burst_tables,
                "repeats": burst_repeats,
                "rounds": bursts,
                "median": medians(bursts),
            }
        out["memory"] = [*stack.worker_stats(), stack.emulator_stats()]
        return out


MEDIAN_KEYS = (
    "events_per_s",
    "drained_seconds",
    "limit_per_s",
    "x_limit",
    "converge_seconds",
    "lag_p50_s",
    "lag_p99_s",
    "lag_max_s",
    "central_updates",
    "producer_updates_per_s",
    "poll_round_ms",
    "emulator_busy",
    "handler_ms_p50",
    "handler_ms_p99",
)


def medians(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each measure over the rounds that converged (and of calls per event)."""
    ok = [r for r in rounds if r.get("status") == "ok"]
    out: dict[str, Any] = {"rounds_ok": len(ok)}
    for key in MEDIAN_KEYS:
        values = [r[key] for r in ok if r.get(key) is not None]
        out[key] = round(statistics.median(values), 3) if values else None
    per_event = [r["worker_calls_per_event"] for r in ok if "worker_calls_per_event" in r]
    if per_event:
        out["worker_calls_per_event"] = {
            k: round(statistics.median(p[k] for p in per_event), 3) for k in per_event[0]
        }
    return out


def _worst(rounds: list[dict[str, Any]]) -> str:
    statuses = [r.get("status", "error") for r in rounds]
    return next((s for s in ("error", "timeout") if s in statuses), "ok")


def _round(
    stack: Stack,
    consumer: Consumer,
    database: str,
    tables: int,
    updates: int,
    producer_threads: int,
    timeout: float,
    poll_pause: float,
    probe_seconds: float,
    paused: bool = False,
) -> dict[str, Any]:
    clients = [stack.client("glue", AR, fresh=True) for _ in range(producer_threads)]
    central = stack.client("glue", fresh=True)
    ar = clients[0]
    target = f"ar__{database}"
    names = [f"t{i:03d}" for i in range(tables)]
    handled_start = stack.handled_mark()
    ar.create_database(DatabaseInput={"Name": database})
    for name in names:
        ar.create_table(DatabaseName=database, TableInput=table_input(name, False, rev="0"))
    initial = {
        n: int(ar.get_table(DatabaseName=database, Name=n)["Table"]["VersionId"]) for n in names
    }

    def created() -> bool:
        for n in names:
            try:
                params = central.get_table(DatabaseName=target, Name=n)["Table"]["Parameters"]
            except central.exceptions.EntityNotFoundException:
                return False
            if int(params.get(SOURCE_VERSION) or 0) < initial[n]:
                return False
        return True

    if consumer:
        wait_until(created, "the central copies of the new tables", Deadline(min(timeout, 180)))
        # Let the creation messages finish (logs only: no AWS calls while measuring).
        wait_until(
            lambda: (
                sum(1 for h in stack.handled(since=handled_start) if h.get("outcome") == "ok")
                >= tables + 1
            ),
            "the creation messages to be handled",
            Deadline(120),
        )
    else:
        stack.purge_catalog_queue()

    probe = table_pair_probe(stack.endpoint, f"probe_{database}", PROBE_LANES, probe_seconds)
    plan = _plan(names, updates, producer_threads)
    final = {n: initial[n] + sum(p.count(n) for p in plan) for n in names}
    producers = _Producers(clients, database, plan, initial)
    stack.emulator.clear_calls()
    handled_before = stack.handled_mark()
    cpu_before = stack.cpu_snapshot()
    stop_polling = threading.Event()
    poller = _Poller(central, target, final, poll_pause, stop_polling)
    deadline = Deadline(timeout)
    status = "ok"
    first = time.monotonic()
    produced_at = None
    producer_calls = updates
    if paused:
        stack.pause_workers(True)
    try:
        if consumer and not paused:
            poller.start()
        first = producers.run(deadline)
        produced_at = time.monotonic()
        if paused:
            wait_until(lambda: stack.queue_depth() >= updates, "every event to be queued", deadline)
            stack.emulator.clear_calls()
            producer_calls = 0
            cpu_before = stack.cpu_snapshot()
            first = time.monotonic()
            stack.pause_workers(False)
            paused = False
            poller.start()
        if consumer and not poller.done.wait(deadline.remaining()):
            raise ScenarioTimeout(f"not converged within {timeout:.0f} s")
    except ScenarioTimeout:
        status = "timeout"
    finally:
        if paused:
            stack.pause_workers(False)
        producers.stop.set()
        stop_polling.set()
        if poller.is_alive():
            poller.join(30)
    result: dict[str, Any] = {
        "status": status,
        "consumer": consumer,
        "tables": tables,
        "events": updates,
        "burst": producer_calls == 0,
        "producer_threads": producer_threads,
        "producer_seconds": None if produced_at is None else round(produced_at - first, 3),
        "poll_calls": poller.polls,
        "poll_errors": poller.errors,
        "limit_per_s": probe["per_s"],
    }
    if produced_at is not None and producer_calls:
        result["producer_updates_per_s"] = round(updates / (produced_at - first), 1)
    if consumer and status == "ok":
        converged = max(poller.first_seen[(n, final[n])] for n in names)
        seconds = converged - first
        result |= {
            "converge_seconds": round(seconds, 3),
            "events_per_s": round(updates / seconds, 1),
            "x_limit": round(updates / seconds / probe["per_s"], 3) if probe["per_s"] else None,
            "poll_round_ms": round(1000 * seconds * tables / max(poller.polls, 1), 1),
        }
        if producer_calls:  # in a burst every event waited for the resume: no lag to speak of
            lags = [
                poller.first_seen[key] - at
                for key, at in producers.returned.items()
                if key in poller.first_seen
            ]
            p50, p99 = percentile(lags, 50), percentile(lags, 99)
            result |= {
                "lag_samples": len(lags),
                "lag_p50_s": None if p50 is None else round(p50, 3),
                "lag_p99_s": None if p99 is None else round(p99, 3),
                "lag_max_s": round(max(lags), 3) if lags else None,
            }
        # Every event's message handled (from the logs, no AWS calls): then count calls.
        try:
            wait_until(
                lambda: _ok_updates(stack.handled(since=handled_before)) >= updates,
                "every update message to be handled",
                Deadline(max(deadline.remaining(), 60)),
                pause=0.1,
            )
            result["drained_seconds"] = round(time.monotonic() - first, 3)
        except ScenarioTimeout:
            result["drained_seconds"] = None
        if not producer_calls and result["drained_seconds"]:
            # A queued burst: the first convergence of each table already reads its final
            # version, so the rate is that of handling every queued message.
            rate = updates / result["drained_seconds"]
            result["events_per_s"] = round(rate, 1)
            result["x_limit"] = round(rate / probe["per_s"], 3) if probe["per_s"] else None
    time.sleep(0.5)  # the last delete batch
    span = time.monotonic() - first
    calls = stack.emulator.calls()
    cpu_after = stack.cpu_snapshot()
    worker_calls = calls.copy()
    worker_calls["glue:UpdateTable"] -= producer_calls  # the producer's
    worker_calls["glue:GetTable"] -= poller.polls  # the poller's
    worker_calls = +worker_calls
    handled = stack.handled(since=handled_before)
    cpu = {k: round(cpu_after[k] - cpu_before.get(k, 0.0), 2) for k in cpu_after}
    result |= _handled_summary(handled)
    result |= {
        "worker_calls": dict(worker_calls),
        "worker_calls_per_event": {
            k: round(v / updates, 3) for k, v in split_calls(worker_calls).items()
        },
        "central_updates": worker_calls.get("glue:UpdateTable", 0),
        "cpu_seconds": cpu,
        "emulator_busy": round(cpu["emulator"] / span, 2),
        "violations": stack.emulator.violations(),
    }
    return result


def _ok_updates(handled: list[dict[str, Any]]) -> int:
    return sum(1 for h in handled if h.get("outcome") == "ok" and h.get("change") == "UpdateTable")


def _handled_summary(handled: list[dict[str, Any]]) -> dict[str, Any]:
    outcomes = Counter(h.get("outcome", "?") for h in handled)
    durations = [float(h["duration_ms"]) for h in handled if "duration_ms" in h]
    worker_lags = [float(h["lag_s"]) for h in handled if "lag_s" in h]
    return {
        "messages": len(handled),
        "outcomes": dict(outcomes),
        "messages_with_write": sum(1 for h in handled if h.get("table.updated")),
        "handler_ms_p50": percentile(durations, 50),
        "handler_ms_p99": percentile(durations, 99),
        "worker_lag_s_p50": percentile(worker_lags, 50),
        "worker_lag_s_p99": percentile(worker_lags, 99),
        "messages_by_worker": dict(Counter(h["worker"] for h in handled)),
    }


def _backlog(
    stack: Stack,
    consumer: Consumer,
    tables: int,
    repeats: int,
    producer_threads: int,
    timeout: float,
    probe_seconds: float,
) -> dict[str, Any]:
    """The consumer alone against the emulator: with the consumer paused, one UpdateTable on
    each of `tables` tables (so nothing coalesces), then resume and time until every message is
    handled; `repeats` times on the same tables. events/s over the limit measured just before."""
    clients = [stack.client("glue", AR, fresh=True) for _ in range(producer_threads)]
    central = stack.client("glue", fresh=True)
    database = "backlog"
    names = [f"b{i:04d}" for i in range(tables)]
    mark = stack.handled_mark()
    clients[0].create_database(DatabaseInput={"Name": database})
    for name in names:
        clients[0].create_table(DatabaseName=database, TableInput=table_input(name, False))
    wait_until(
        lambda: sum(1 for h in stack.handled(since=mark) if h.get("outcome") == "ok") >= tables + 1,
        "the backlog tables to be synced",
        Deadline(timeout),
        pause=0.5,
    )
    rounds = []
    for r in range(repeats):
        probe = table_pair_probe(stack.endpoint, f"probe_backlog_{r}", PROBE_LANES, probe_seconds)
        version = {
            n: int(clients[0].get_table(DatabaseName=database, Name=n)["Table"]["VersionId"])
            for n in names
        }
        plan = _plan(names, tables, producer_threads)
        stack.pause_workers(True)
        try:
            _Producers(clients, database, plan, version).run(Deadline(timeout))
            wait_until(lambda: stack.queue_depth() >= tables, "the backlog", Deadline(timeout))
            stack.emulator.clear_calls()
            before = stack.handled_mark()
            cpu_before = stack.cpu_snapshot()
            started = time.monotonic()
        finally:
            stack.pause_workers(False)

        def drained(mark: dict[str, int] = before) -> bool:
            return _ok_updates(stack.handled(since=mark)) >= tables

        status = wait_status(
            drained, "every backlog message to be handled", Deadline(timeout), pause=0.05
        )
        seconds = time.monotonic() - started
        time.sleep(0.5)  # the last delete batch
        calls = stack.emulator.calls()
        cpu_after = stack.cpu_snapshot()
        final = central.get_table(DatabaseName=f"ar__{database}", Name=names[-1])["Table"]
        rate = tables / seconds
        rounds.append(
            {
                "status": status,
                "events": tables,
                "drained_seconds": round(seconds, 3),
                "events_per_s": round(rate, 1),
                "limit_per_s": probe["per_s"],
                "x_limit": round(rate / probe["per_s"], 3) if probe["per_s"] else None,
                "central_updates": calls.get("glue:UpdateTable", 0),
                "worker_calls_per_event": {
                    k: round(v / tables, 3) for k, v in split_calls(calls).items()
                },
                "worker_calls": dict(calls),
                "emulator_busy": round(
                    (cpu_after["emulator"] - cpu_before["emulator"]) / max(seconds, 1e-9), 2
                ),
                "last_table_version": final["Parameters"].get(SOURCE_VERSION),
            }
        )
    return {
        "status": _worst(rounds),
        "events": tables,
        "tables": tables,
        "repeats": repeats,
        "rounds": rounds,
        "median": medians(rounds),
    }


# -- the section's rows -----------------------------------------------------------------------

CALLS_PER_EVENT = (
    Column("glue reads/event"),
    Column("glue writes/event"),
    Column("sqs calls/event"),
)


def _per_event(measured: dict[str, Any]) -> tuple[float | None, ...]:
    per = measured.get("worker_calls_per_event", {})
    return (per.get("glue_reads"), per.get("glue_writes"), per.get("sqs"))


# The medians each table shows after who ran, its status and what ran; "per_event" stands for
# the worker's calls per event (Glue reads, Glue writes, SQS).
STREAM_COLUMNS = "events_per_s limit_per_s x_limit lag_p50_s lag_p99_s per_event central_updates"
BACKLOG_COLUMNS = "drained_seconds events_per_s limit_per_s x_limit per_event emulator_busy"
BURST_COLUMNS = "converge_seconds drained_seconds events_per_s central_updates"


def _median_row(who: str, part: dict[str, Any], label: str, columns: str) -> Row:
    m = part.get("median", {})
    cells = [
        cell
        for column in columns.split()
        for cell in (_per_event(m) if column == "per_event" else (m.get(column),))
    ]
    return Row.of(who, part.get("status"), label, *cells)


def section(results: Results) -> Section:
    runs: list[dict[str, Any]] = results["sections"]["sustained"].get("runs", [])
    stream, backlogs, bursts, details = [], [], [], []
    for run in runs:
        who = consumer_label(run.get("consumer", "?"))
        label = f"{run.get('events', '-')} x {run.get('repeats', '-')}"
        stream.append(_median_row(who, run, label, STREAM_COLUMNS))
        if backlog := run.get("backlog"):
            label = f"{backlog['events']} x {backlog['repeats']}"
            backlogs.append(_median_row(who, backlog, label, BACKLOG_COLUMNS))
        if burst := run.get("burst"):
            label = f"{burst['events']:,} on {burst['tables']} x {burst['repeats']}"
            bursts.append(_median_row(who, burst, label, BURST_COLUMNS))
        if run.get("status") not in ("ok", None) and "rounds" not in run:
            details.append(f"{who}: {run.get('status')}: {run.get('error', '')}")
        for r in [*run.get("rounds", []), *run.get("burst", {}).get("rounds", [])]:
            details.append(
                f"{who}{' burst' if r.get('burst') else ''}: {r.get('status')}, "
                f"{r.get('events_per_s')} events/s, lag p50/p99 {r.get('lag_p50_s')}/"
                f"{r.get('lag_p99_s')} s, poll round {r.get('poll_round_ms')} ms, central writes "
                f"{r.get('central_updates')}, outcomes {r.get('outcomes')}, emulator busy "
                f"{r.get('emulator_busy')}; calls: {top_calls(r.get('worker_calls', {}), 8)}"
            )
    tables = [
        table(
            [
                Column("consumer"),
                Column("status"),
                Column("events x rounds"),
                Column("events/s", 1),
                Column("limit (pairs/s)", 1),
                Column("x limit"),
                Column("lag p50 (s)"),
                Column("lag p99 (s)"),
                *CALLS_PER_EVENT,
                Column("central writes"),
            ],
            stream,
            "Live stream, medians over the rounds. limit = GetTable + UpdateTable pairs/s of a "
            f"tight async client ({PROBE_LANES} lanes) on the same emulator just before each "
            "round; x limit = the median of each round's events/s over its limit. Two producer "
            "threads update the tables as fast as they can; events/s = events / (first update "
            ".. every central copy at its final version). Lag = when a central poller first saw "
            "a version - when the producer's UpdateTable returned; its resolution is one poll "
            "round over the tables (a few hundred ms under load). The naive baseline "
            "(bench/naive_worker.py) handles one message at a time: receive, read, write, delete.",
        )
    ]
    if backlogs:
        tables.append(
            table(
                [
                    Column("consumer"),
                    Column("status"),
                    Column("queued events x rounds"),
                    Column("drain (s)"),
                    Column("events/s", 1),
                    Column("limit (pairs/s)", 1),
                    Column("x limit"),
                    *CALLS_PER_EVENT,
                    Column("emulator busy (CPU s/s)"),
                ],
                backlogs,
                "Queued backlog: the consumer alone against the emulator. With the consumer "
                "paused (SIGSTOP), one UpdateTable on each of the tables (nothing to coalesce), "
                "then resumed: events/s = events / time until every message was handled; medians "
                "over the rounds. emulator busy = its CPU seconds per second (1.0 = one core).",
            )
        )
    if bursts:
        tables.append(
            table(
                [
                    Column("consumer"),
                    Column("status"),
                    Column("burst (events on tables x rounds)"),
                    Column("converge (s)"),
                    Column("drain (s)"),
                    Column("events/s", 1),
                    Column("convergences"),
                ],
                bursts,
                "Burst: the consumer is paused (SIGSTOP) while the producers send, then resumed; "
                "converge = until every central copy shows its final version; drain = until "
                "every message was handled (events/s = events / drain); convergences = central "
                "UpdateTable calls.",
            )
        )
    return Section(TITLE, tuple(tables), details=tuple(details))


def _run(results: Results, consumer: Consumer) -> dict[str, Any] | None:
    for run in results["sections"].get("sustained", {}).get("runs", []):
        if run.get("consumer") == consumer and run.get("status") == "ok":
            return dict(run)
    return None


def targets(results: Results) -> list[Target]:
    one, four, naive = _run(results, 1), _run(results, 4), _run(results, "naive")
    found: list[Target] = []

    def backlog(run: dict[str, Any] | None) -> dict[str, Any]:
        return dict(((run or {}).get("backlog") or {}).get("median") or {})

    b1, b4, bn = backlog(one), backlog(four), backlog(naive)
    r1 = b1.get("x_limit")
    found.append(
        Target(
            "sync, 1 worker, queued backlog: events/s as a fraction of the limit",
            ">= 0.80",
            f"{fmt(r1)} ({fmt(b1.get('events_per_s'), 1)} events/s; limit "
            f"{fmt(b1.get('limit_per_s'), 1)} pairs/s)"
            if r1 is not None
            else "-",
            None if r1 is None else r1 >= 0.8,
        )
    )
    scale = ratio(b4.get("events_per_s"), b1.get("events_per_s"))
    found.append(
        Target(
            "sync, 4 workers, queued backlog: events/s (x limit; x 1 worker)",
            "scales: > 1 worker",
            f"{fmt(b4.get('events_per_s'), 1)} ({fmt(b4.get('x_limit'))} x limit; "
            f"{fmt(scale)} x 1 worker)"
            if b4
            else "-",
            None if scale is None else scale > 1.0,
        )
    )
    found.append(
        Target(
            "sync, 1 worker over the naive baseline, queued backlog (events/s)",
            "(no target)",
            f"{fmt(ratio(b1.get('events_per_s'), bn.get('events_per_s')))} x "
            f"({fmt(b1.get('events_per_s'), 1)} vs {fmt(bn.get('events_per_s'), 1)} events/s)"
            if bn
            else "-",
        )
    )

    def stream(run: dict[str, Any] | None) -> str:
        m = (run or {}).get("median", {})
        return f"{fmt(m.get('events_per_s'), 1)} ({fmt(m.get('x_limit'))})"

    found.append(
        Target(
            "sync, live stream: events/s (x limit), 1 worker / 4 workers / naive",
            "(no target)",
            " / ".join(stream(run) for run in (one, four, naive)),
        )
    )
    if one:
        m = one["median"]
        found.append(
            Target(
                "sync, 1 worker: end-to-end lag p50 / p99 (s)",
                "(no target)",
                f"{fmt(m['lag_p50_s'])} / {fmt(m['lag_p99_s'])}",
            )
        )
    if one and "worker_calls_per_event" in one["median"]:
        total = sum(one["median"]["worker_calls_per_event"].values())
        found.append(
            Target(
                "AWS calls per UpdateTable event in a stream (1 worker) / minimum 2.2",
                "<= 1.10",
                f"{total / 2.2:.2f} ({total:.2f} calls/event)",
                total / 2.2 <= 1.1,
            )
        )
    burst = (one or {}).get("burst")
    if burst and burst.get("median", {}).get("central_updates") is not None:
        conv = burst["median"]["central_updates"]
        naive_conv = ((naive or {}).get("burst") or {}).get("median", {}).get("central_updates")
        found.append(
            Target(
                f"burst of {burst['events']:,} events on {burst['tables']} tables: convergences",
                f"about {burst['tables']} (<= {burst['tables'] * 1.5:g})",
                f"{fmt(conv, 0)} (naive: {fmt(naive_conv, 0)})",
                conv <= burst["tables"] * 1.5,
            )
        )
    return found
