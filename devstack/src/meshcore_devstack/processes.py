"""Worker processes of the local stack: start with the stack's environment, stop with SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from meshcore_devstack.sso import local_sso

WORKERS = {
    "sync-worker": "sync_worker",
    "classifier": "classifier",
    "grant-worker": "grant_worker",
    "notifier": "notifier",
    "ticket-bridge": "ticket_bridge",
}


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    def stop(self, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()
        return self.process.returncode


def start_worker(
    kind: str, env: dict[str, str], log_dir: Path, name: str | None = None
) -> WorkerProcess:
    """Start a worker of `kind` (a key of WORKERS); `name` tells replicas apart."""
    name = name or kind
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", WORKERS[kind]], env=env, stdout=log_file, stderr=subprocess.STDOUT
    )
    return WorkerProcess(name, process, log_path, log_file)


# The process that signs the audit chain's head, as the audit-anchor role, every
# MESHCORE_AUDIT_ANCHOR_INTERVAL_SECONDS (short in the local stack: `stack_environment`).
ANCHOR = "audit-anchor"


def start_anchor(env: dict[str, str], log_dir: Path, name: str = ANCHOR) -> WorkerProcess:
    """Start `meshctl audit anchor --every` with `env` (signed as the audit-anchor role)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "meshcore.cli.main", "audit", "anchor", "--every"],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    return WorkerProcess(name, process, log_path, log_file)


def ready_timeout() -> float:
    """How long a process may take to become ready: generous, since shared machines and
    laptops under load start Python slowly (MESHCORE_READY_TIMEOUT_SECONDS, default 180)."""
    try:
        return max(1.0, float(os.environ.get("MESHCORE_READY_TIMEOUT_SECONDS", "180")))
    except ValueError:
        return 180.0


def wait_started(workers: list[WorkerProcess], timeout: float | None = None) -> None:
    """Until each worker logged `worker.started`; raises if one exits first."""
    timeout = timeout or ready_timeout()
    deadline = time.monotonic() + timeout
    pending = list(workers)
    while pending and time.monotonic() < deadline:
        for worker in list(pending):
            if worker.process.poll() is not None:
                raise RuntimeError(
                    f"{worker.name} exited with {worker.process.returncode}: see {worker.log_path}"
                )
            if b"worker.started" in worker.log_path.read_bytes():
                pending.remove(worker)
        time.sleep(0.1)
    if pending:
        raise RuntimeError(
            f"{', '.join(w.name for w in pending)} did not start in {timeout:.0f} s "
            f"(see {', '.join(str(w.log_path) for w in pending)}; "
            "MESHCORE_READY_TIMEOUT_SECONDS allows more)"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def launch_portal(
    env: dict[str, str], log_dir: Path, port: int, **settings: str
) -> tuple[WorkerProcess, str]:
    """Start the portal on 127.0.0.1:`port` without waiting for it; returns it and its URL.
    It trusts this process's single sign-on proxy (`sso.local_sso()`, whose `headers(user)`
    say who a request is from) and serves plain http on loopback (cookies not Secure).
    `settings` are extra MESHCORE_PORTAL__ variables (e.g. DEV_LOGIN="true")."""
    settings = {**local_sso().portal_settings(), **settings}
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "portal.log"
    log_file = log_path.open("wb")
    portal_env = {
        **env,
        "MESHCORE_PORTAL__HOST": "127.0.0.1",
        "MESHCORE_PORTAL__PORT": str(port),
        **{f"MESHCORE_PORTAL__{k.upper()}": v for k, v in settings.items()},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "portal"], env=portal_env, stdout=log_file, stderr=subprocess.STDOUT
    )
    return WorkerProcess("portal", process, log_path, log_file), f"http://127.0.0.1:{port}"


def answers(url: str) -> bool:
    """True once the portal at `url` says it is healthy."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:  # noqa: S310
            return bool(answer.status == 200)
    except OSError:
        return False


def start_portal(
    env: dict[str, str], log_dir: Path, port: int, timeout: float | None = None, **settings: str
) -> tuple[WorkerProcess, str]:
    """`launch_portal`, then wait until it answers (`ready_timeout()` at the most)."""
    portal, url = launch_portal(env, log_dir, port, **settings)
    timeout = timeout or ready_timeout()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if portal.process.poll() is not None:
            raise RuntimeError(
                f"the portal exited with {portal.process.returncode}: see {portal.log_path}"
            )
        if answers(url):
            return portal, url
        time.sleep(0.1)
    portal.stop()
    raise RuntimeError(f"the portal did not answer within {timeout:.0f} s: see {portal.log_path}")
