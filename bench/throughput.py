"""Sections 1 and 2: raw capacity of the embedded AWS, and sustained sync throughput and lag."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from catalog import table_input
from harness import (
    CLIENT_CONFIG,
    Deadline,
    Emulator,
    ScenarioTimeout,
    Stack,
    emulator_session,
    wait_until,
)
from report import percentile, split_calls

from meshcore_devstack.mesh import AR

SOURCE_VERSION = "meshcore:source_version"


def _ms(seconds: list[float]) -> dict[str, float | None]:
    p50, p99 = percentile(seconds, 50), percentile(seconds, 99)
    return {
        "p50_ms": None if p50 is None else round(p50 * 1000, 2),
        "p99_ms": None if p99 is None else round(p99 * 1000, 2),
    }


# -- 1. raw capacity ---------------------------------------------------------------------


def _pairs(clients: list[Any], tables: list[str], pairs: int) -> dict[str, Any]:
    """Each thread: `pairs` times GetTable then UpdateTable on its own table."""
    latencies: list[list[float]] = [[] for _ in clients]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(clients) + 1)

    def run(k: int) -> None:
        glue, name = clients[k], tables[k]
        try:
            glue.get_table(DatabaseName="raw", Name=name)  # warm the connection
            barrier.wait()
            for i in range(pairs):
                started = time.perf_counter()
                glue.get_table(DatabaseName="raw", Name=name)
                glue.update_table(
                    DatabaseName="raw", TableInput=table_input(name, False, rev=str(i))
                )
                latencies[k].append(time.perf_counter() - started)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(len(clients))]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    total = pairs * len(clients)
    return {
        "threads": len(clients),
        "pairs": total,
        "seconds": round(seconds, 3),
        "pairs_per_s": round(total / seconds, 1),
        **_ms([x for per_thread in latencies for x in per_thread]),
    }


def raw_capacity(log_root: Path, pairs: int, threads: int) -> dict[str, Any]:
    log_dir = log_root / "raw"
    log_dir.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(log_dir / "emulator.log")
    try:

        def glue() -> Any:
            session = emulator_session()
            return session.client("glue", endpoint_url=emulator.endpoint_url, config=CLIENT_CONFIG)

        setup = glue()
        setup.create_database(DatabaseInput={"Name": "raw"})
        names = [f"t{k}" for k in range(max(threads, 1))]
        for name in names:
            setup.create_table(DatabaseName="raw", TableInput=table_input(name, False, rev="0"))
        runs = [_pairs([glue()], names[:1], pairs)]
        runs.append(_pairs([glue() for _ in range(threads)], names[:threads], pairs))
        return {"status": "ok", "runs": runs, "calls": emulator.calls()}
    finally:
        emulator.stop()


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


def sustained(
    log_root: Path,
    workers: int,
    tables: int,
    updates: int,
    producer_threads: int,
    timeout: float,
    poll_pause: float,
) -> dict[str, Any]:
    """With workers=0: the producer alone (events routed to the queue, nobody consuming)."""
    with Stack(f"sustained-{workers}w", log_root) as stack:
        if workers:
            stack.start_sync_workers(workers)
        clients = [stack.client("glue", AR, fresh=True) for _ in range(producer_threads)]
        central = stack.client("glue", fresh=True)
        ar = clients[0]
        database, target = "sustained", "ar__sustained"
        names = [f"t{i:03d}" for i in range(tables)]
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

        if workers:
            wait_until(created, "the central copies of the new tables", Deadline(min(timeout, 180)))
            # Let the creation messages finish (logs only: no AWS calls while measuring).
            wait_until(
                lambda: sum(1 for h in stack.handled() if h.get("outcome") == "ok") >= tables + 1,
                "the creation messages to be handled",
                Deadline(120),
            )

        plan = _plan(names, updates, producer_threads)
        final = {n: initial[n] + sum(p.count(n) for p in plan) for n in names}
        producers = _Producers(clients, database, plan, initial)
        stack.emulator.clear_calls()
        handled_before = stack.handled_mark()
        cpu_before = stack.cpu_snapshot()
        poller = _Poller(central, target, final, poll_pause, producers.stop)
        deadline = Deadline(timeout)
        status = "ok"
        first = time.monotonic()
        produced_at = None
        try:
            if workers:
                poller.start()
            first = producers.run(deadline)
            produced_at = time.monotonic()
            if workers and not poller.done.wait(deadline.remaining()):
                raise ScenarioTimeout(f"not converged within {timeout:.0f} s")
        except ScenarioTimeout:
            status = "timeout"
        finally:
            producers.stop.set()
            if poller.is_alive():
                poller.join(30)
        result: dict[str, Any] = {
            "status": status,
            "workers": workers,
            "tables": tables,
            "events": updates,
            "producer_threads": producer_threads,
            "producer_seconds": None if produced_at is None else round(produced_at - first, 3),
            "poll_calls": poller.polls,
            "poll_errors": poller.errors,
        }
        if produced_at is not None:
            result["producer_updates_per_s"] = round(updates / (produced_at - first), 1)
        if workers and status == "ok":
            converged = max(poller.first_seen[(n, final[n])] for n in names)
            seconds = converged - first
            lags = [
                poller.first_seen[key] - at
                for key, at in producers.returned.items()
                if key in poller.first_seen
            ]
            p50, p99 = percentile(lags, 50), percentile(lags, 99)
            result |= {
                "converge_seconds": round(seconds, 3),
                "events_per_s": round(updates / seconds, 1),
                "lag_samples": len(lags),
                "lag_p50_s": None if p50 is None else round(p50, 3),
                "lag_p99_s": None if p99 is None else round(p99, 3),
                "lag_max_s": round(max(lags), 3) if lags else None,
                "poll_round_ms": round(1000 * seconds * tables / max(poller.polls, 1), 1),
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
        time.sleep(0.5)  # the last delete batch
        span = time.monotonic() - first
        calls = stack.emulator.calls()
        cpu_after = stack.cpu_snapshot()
        worker_calls = calls.copy()
        worker_calls["glue:UpdateTable"] -= updates  # the producer's
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
            "memory": [*stack.worker_stats(), stack.emulator_stats()],
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
