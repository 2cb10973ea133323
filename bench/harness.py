"""The benchmark's stack: the embedded AWS in its own process, a bootstrapped mesh, sync-workers.

Everything started here is stopped by `Stack.close` (also on failure or Ctrl-C); the load
generators of the benchmark run in this process, the emulator and the workers never do.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from meshcore.cli.main import main as meshctl_main
from meshcore_devstack.mesh import (
    CENTRAL,
    ONBOARDING_ROLE,
    PRODUCERS,
    MeshProducer,
    stack_environment,
)
from meshcore_devstack.processes import WorkerProcess, start_worker, wait_started

T = TypeVar("T")

LEDGER = MeshProducer("555555555555", "ledger", "lena@ledger.example.com")
ALL_PRODUCERS = (*PRODUCERS, LEDGER)

# The settings the benchmark runs the workers with; everything else keeps its default.
WORKER_SETTINGS = {
    # As the brief asks (and as the local stack runs): an idle worker polls once a second.
    "MESHCORE_WORKER__WAIT_TIME_SECONDS": "1",
    # Deviation from the default (60): the scheduled repair must not fire in the middle of a
    # measurement. Each scenario has its own emulator, so with 60 minutes it would only fire in
    # a scenario that runs an hour; 24 h makes that impossible.
    "MESHCORE_REPAIR_INTERVAL_MINUTES": "1440",
}

# Clients of the load generators: a few retries for robustness, room for several threads.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    max_pool_connections=16,
    connect_timeout=10,
    read_timeout=120,
)

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def emulator_session() -> Any:
    """A boto3 session with the embedded AWS's test credentials (central account)."""
    return boto3.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the emulator's fixed test credentials
        region_name="us-east-1",
    )


class ScenarioTimeout(Exception):
    """A scenario did not get where it should within its time limit."""


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.end

    def check(self, what: str) -> None:
        if self.expired():
            raise ScenarioTimeout(f"{what} did not happen within {self.seconds:.0f} s")


def wait_until(
    probe: Callable[[], T | None], what: str, deadline: Deadline, pause: float = 0.2
) -> T:
    while True:
        found = probe()
        if found:
            return found
        deadline.check(what)
        time.sleep(pause)


def wait_status(
    probe: Callable[[], object], what: str, deadline: Deadline, pause: float = 0.2
) -> str:
    """A scenario's status: "ok" once `probe` holds, "timeout" when `deadline` passes first."""
    try:
        wait_until(probe, what, deadline, pause)
    except ScenarioTimeout:
        return "timeout"
    return "ok"


# -- processes ---------------------------------------------------------------------------


def peak_memory_kib(pid: int) -> int | None:
    """VmHWM (peak resident set size) of a running process, in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a running process has used so far."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2 :].split()  # fields[0] is field 3 of proc(5)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_cpu() -> tuple[int, int] | None:
    """(busy, total) CPU time of the whole machine so far, every process's, in clock ticks."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def machine_busy(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The fraction of the machine's CPU time that was busy between two `machine_cpu` readings
    (1.0 = every core busy, whoever's processes)."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def _stop_process(process: subprocess.Popen[bytes], timeout: float) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


class Emulator:
    """`python -m meshcore_emulator` as a child process on a free loopback port."""

    def __init__(self, log_path: Path, extra_args: list[str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MESHCORE_"))}
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "meshcore_emulator", "--host", "127.0.0.1", "--port", "0"),
                *(extra_args or []),
            ],
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
        )
        try:
            self.endpoint_url = self._ready(Deadline(60))
        except BaseException:
            self.stop()
            raise
        parts = urlsplit(self.endpoint_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80

    def _ready(self, deadline: Deadline) -> str:
        stdout = self.process.stdout
        assert stdout is not None
        while not deadline.expired():
            readable, _, _ = select.select([stdout], [], [], deadline.remaining())
            if not readable:
                continue
            line = stdout.readline()
            if not line:
                raise RuntimeError(f"the emulator exited with {self.process.wait()}")
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if record.get("event") == "ready":
                    return str(record["endpoint_url"])
        raise ScenarioTimeout("the emulator did not start within 60 s")

    @property
    def pid(self) -> int:
        return self.process.pid

    def control(self, method: str, route: str, body: dict[str, Any] | None = None) -> Any:
        connection = http.client.HTTPConnection(self._host, self._port, timeout=120)
        try:
            sent = None if body is None else json.dumps(body).encode()
            connection.request(method, f"/_emulator/{route}", body=sent)
            response = connection.getresponse()
            answer = response.read()
        finally:
            connection.close()
        if response.status >= 400:
            raise RuntimeError(f"{method} /_emulator/{route}: {response.status} {answer[:200]!r}")
        return json.loads(answer or b"{}")

    def calls(self) -> Counter[str]:
        return Counter(self.control("GET", "calls")["calls"])

    def clear_calls(self) -> None:
        self.control("DELETE", "calls")

    def set_latency(self, ms: int, service: str = "*") -> None:
        """Delay every call (of `service`) by `ms` from now on, as AWS's round trip would."""
        self.clear_latency()
        if ms:
            self.control(
                "POST", "faults", {"service": service, "kind": "latency", "latency_ms": ms}
            )

    def clear_latency(self) -> None:
        self.control("DELETE", "faults?kind=latency")

    def violations(self) -> list[dict[str, Any]]:
        return list(self.control("GET", "violations")["violations"])

    def stop(self) -> int:
        code = _stop_process(self.process, timeout=20)
        if self.process.stdout:
            self.process.stdout.close()
        self._log.close()
        return code


# -- worker logs -------------------------------------------------------------------------


class LogTail:
    """The JSON lines a worker appended to its log since the last read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""

    def read(self) -> list[dict[str, Any]]:
        with self.path.open("rb") as log:
            log.seek(self._offset)
            data = log.read()
        self._offset += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        records = []
        for line in lines:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    records.append(record)
        return records


def handled_messages(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r.get("event") == "message.handled"]


# -- the mesh ----------------------------------------------------------------------------


class Stack:
    """A fresh emulator, a bootstrapped central account, onboarded producers, sync-workers.

    While it is open, os.environ holds the stack's environment so that meshctl can run in this
    process as an operator's shell would run it.
    """

    def __init__(
        self, name: str, log_root: Path, producers: tuple[MeshProducer, ...] = PRODUCERS
    ) -> None:
        self.name = name
        self.log_dir = log_root / name
        self.producers = producers
        self.workers: list[WorkerProcess] = []
        self._emulator: Emulator | None = None
        self._saved_env: dict[str, str] | None = None
        self._clients: dict[tuple[str, str], Any] = {}

    def __enter__(self) -> Stack:
        try:
            self.open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._emulator = Emulator(self.log_dir / "emulator.log")
        self.env = stack_environment(self._emulator.endpoint_url, **WORKER_SETTINGS)
        self._saved_env = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env)
        self.meshctl("bootstrap")
        for p in self.producers:
            self.meshctl(*p.onboarding())

    def close(self) -> None:
        """Stop the workers, then the emulator; restore the environment. Safe to call twice."""
        errors = []
        for worker in self.workers:
            try:
                if worker.process.poll() is None:
                    worker.process.send_signal(signal.SIGCONT)  # a paused worker cannot stop
                worker.stop()
            except BaseException as exc:  # keep stopping the others
                errors.append(exc)
        self.workers = []
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
        if self._saved_env is not None:
            os.environ.clear()
            os.environ.update(self._saved_env)
            self._saved_env = None
        if errors:
            raise errors[0]

    @property
    def emulator(self) -> Emulator:
        assert self._emulator is not None, "the stack is not open"
        return self._emulator

    @property
    def endpoint(self) -> str:
        return self.emulator.endpoint_url

    # -- meshctl ----------------------------------------------------------------------

    def run_meshctl(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = meshctl_main(list(args))
        if code == 130:  # meshctl turns Ctrl-C into its exit status: pass it on
            raise KeyboardInterrupt(f"meshctl {' '.join(args)} interrupted")
        return code, out.getvalue(), err.getvalue()

    def meshctl(self, *args: str) -> str:
        code, out, err = self.run_meshctl(*args)
        if code != 0:
            raise RuntimeError(f"meshctl {' '.join(args)} exited {code}: {err.strip()[-500:]}")
        return out

    # -- clients ----------------------------------------------------------------------

    def client(self, service: str, account: str = CENTRAL, fresh: bool = False) -> Any:
        """A boto3 client in `account` (via the onboarding role for member accounts).

        Clients are thread-safe once created; create them in the main thread (`fresh` gives a
        separate one, e.g. one per load-generating thread).
        """
        key = (service, account)
        if not fresh and key in self._clients:
            return self._clients[key]
        session = emulator_session()
        kwargs: dict[str, Any] = {"endpoint_url": self.endpoint, "config": CLIENT_CONFIG}
        if account != CENTRAL:
            creds = session.client("sts", **kwargs).assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/{ONBOARDING_ROLE}",
                RoleSessionName="meshcore-bench",
            )["Credentials"]
            session = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name="us-east-1",
            )
        client = session.client(service, **kwargs)
        if not fresh:
            self._clients[key] = client
        return client

    # -- workers ----------------------------------------------------------------------

    def start_sync_workers(self, count: int) -> list[WorkerProcess]:
        names = ["sync-worker"] if count == 1 else [f"sync-worker-{i}" for i in range(count)]
        started = [start_worker("sync-worker", self.env, self.log_dir, name=n) for n in names]
        self.workers += started
        wait_started(started, timeout=120)
        return started

    def add_sync_workers(self, count: int) -> list[WorkerProcess]:
        """`count` more sync-workers, numbered after those already running."""
        first = len(self.workers)
        names = [f"sync-worker-{i}" for i in range(first, first + count)]
        started = [start_worker("sync-worker", self.env, self.log_dir, name=n) for n in names]
        self.workers += started
        wait_started(started, timeout=120)
        return started

    def start_naive_worker(self) -> WorkerProcess:
        """The benchmark's naive baseline (bench/naive_worker.py) in place of sync-worker."""
        log_path = self.log_dir / "naive-worker.log"
        log_file = log_path.open("wb")
        domains = [f"{p.account}={p.domain}" for p in self.producers]
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.naive_worker", *domains],
            cwd=Path(__file__).resolve().parent.parent,
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        worker = WorkerProcess("naive-worker", process, log_path, log_file)
        self.workers.append(worker)
        wait_started([worker], timeout=120)
        return worker

    def pause_workers(self, paused: bool) -> None:
        """SIGSTOP (or SIGCONT) every worker: events queue up meanwhile, as in a burst."""
        for w in self.workers:
            w.process.send_signal(signal.SIGSTOP if paused else signal.SIGCONT)

    def worker_stats(self) -> list[dict[str, Any]]:
        """Peak memory and CPU time of each worker (read while they still run)."""
        return [
            {
                "worker": w.name,
                "pid": w.process.pid,
                "vm_hwm_kib": peak_memory_kib(w.process.pid),
                "cpu_s": cpu_seconds(w.process.pid),
            }
            for w in self.workers
        ]

    def emulator_stats(self) -> dict[str, Any]:
        return {
            "worker": "emulator",
            "pid": self.emulator.pid,
            "vm_hwm_kib": peak_memory_kib(self.emulator.pid),
            "cpu_s": cpu_seconds(self.emulator.pid),
        }

    def cpu_snapshot(self) -> dict[str, float]:
        """CPU seconds so far of the emulator and every worker, by name."""
        snapshot = {"emulator": cpu_seconds(self.emulator.pid) or 0.0}
        for w in self.workers:
            snapshot[w.name] = cpu_seconds(w.process.pid) or 0.0
        return snapshot

    def handled(self, since: dict[str, int] | None = None) -> list[dict[str, Any]]:
        """The `message.handled` lines of every worker (after `since`, a `handled_mark`)."""
        found = []
        for w in self.workers:
            records = handled_messages(LogTail(w.log_path).read())
            for record in records[(since or {}).get(w.name, 0) :]:
                record["worker"] = w.name
                found.append(record)
        return found

    def handled_mark(self) -> dict[str, int]:
        """How many messages each worker has handled so far (for `handled(since=...)`)."""
        return dict(Counter(h["worker"] for h in self.handled()))

    def purge_catalog_queue(self) -> int:
        """Purge the catalog-change queue; returns how many messages it held."""
        sqs = self.client("sqs")
        url = sqs.get_queue_url(QueueName="meshcore-catalog-changes")["QueueUrl"]
        attrs = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        sqs.purge_queue(QueueUrl=url)
        return int(attrs.get("ApproximateNumberOfMessages", 0))

    def queue_depth(self, name: str = "meshcore-catalog-changes") -> int:
        sqs = self.client("sqs")
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attrs = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs.get("ApproximateNumberOfMessages", 0)) + int(
            attrs.get("ApproximateNumberOfMessagesNotVisible", 0)
        )


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so that every `finally` stops what it started."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
