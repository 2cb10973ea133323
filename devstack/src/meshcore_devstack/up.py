"""`make up`: the whole stack as local processes, in the foreground, without Docker.

The embedded AWS on a fixed loopback port, a bootstrapped mesh (the same accounts as the demo),
the workers (sync-worker, classifier, grant-worker, notifier, ticket-bridge), the audit anchor and the portal, whose log lines are shown with a coloured
prefix. Each process is waited for on its own readiness (a worker's `worker.started`, the
anchor's first `audit.anchored`, the portal's /healthz): a slow one is named every few seconds
and never stops the others. Ctrl-C (or SIGTERM) stops every process with SIGTERM, then the
embedded AWS.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from meshcore.cli.main import main as meshctl
from meshcore_devstack.mesh import CONSUMER, PRODUCERS, as_central_role, stack_environment
from meshcore_devstack.processes import ANCHOR, WORKERS, answers, launch_portal, ready_timeout
from meshcore_emulator import EmbeddedAws

COLOURS = {
    "sync-worker": "36",
    "classifier": "35",
    "grant-worker": "33",
    "notifier": "93",
    "ticket-bridge": "96",
    "portal": "34",
    "audit-anchor": "31",
    "meshcore": "32",
}
_print_lock = threading.Lock()


def emit(name: str, line: str) -> None:
    prefix = f"{name:>12} | "
    if sys.stdout.isatty():
        prefix = f"\033[{COLOURS.get(name, '37')}m{prefix}\033[0m"
    with _print_lock:
        sys.stdout.write(prefix + line.rstrip("\n") + "\n")
        sys.stdout.flush()


# The line each process logs once it is ready (the portal is asked on /healthz instead).
READY_LINES = {**{name: b"worker.started" for name in WORKERS}, ANCHOR: b"audit.anchored"}
# How often the processes still starting are named.
PROGRESS_EVERY_SECONDS = 10.0
# What a second shell needs for meshctl (the workers' own tuning stays here).
SHELL_VARIABLES = (
    "MESHCORE_ENDPOINT_URL",
    "MESHCORE_CENTRAL_ACCOUNT_ID",
    "MESHCORE_ONBOARDING_ROLE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
)


def _pump(name: str, stream: IO[bytes], ready: set[str]) -> None:
    for raw in iter(stream.readline, b""):
        if name in READY_LINES and READY_LINES[name] in raw:
            ready.add(name)
        emit(name, raw.decode(errors="replace"))


def shell_line(env: dict[str, str]) -> str:
    """`export …` of every variable meshctl needs in another shell, quoted for the shell."""
    return "export " + " ".join(f"{k}={shlex.quote(env[k])}" for k in SHELL_VARIABLES if k in env)


class Readiness:
    """Which processes are ready, and what to tell about those that are not yet."""

    def __init__(self, names: list[str], deadline_s: float) -> None:
        self.names = names
        self.ready: set[str] = set()
        self.deadline_s = deadline_s
        self.began = time.monotonic()
        self._told_at = self.began
        self._warned = False
        self.announced = False

    def waiting(self) -> list[str]:
        return [n for n in self.names if n not in self.ready]

    def news(self) -> list[str]:
        """Lines to show now: progress every few seconds, one warning past the deadline."""
        now, waiting = time.monotonic(), self.waiting()
        elapsed = now - self.began
        if not waiting:
            if self.announced:
                return []
            self.announced = True
            return [f"ready: {len(self.names)} processes in {elapsed:.0f} s"]
        lines = []
        if now - self._told_at >= PROGRESS_EVERY_SECONDS:
            self._told_at = now
            lines.append(f"still starting after {elapsed:.0f} s: {', '.join(waiting)}")
        if elapsed > self.deadline_s and not self._warned:
            self._warned = True
            lines.append(
                f"{', '.join(waiting)} not ready after {self.deadline_s:.0f} s "
                "(MESHCORE_READY_TIMEOUT_SECONDS); still waiting, the others keep running: "
                "a busy machine starts Python slowly. Ctrl-C stops everything."
            )
        return lines


def _follow(name: str, path: Path, stop: threading.Event) -> None:
    """Show a log file's lines as they are written (the portal logs to a file)."""
    with path.open("rb") as stream:
        while not stop.is_set():
            line = stream.readline()
            if line:
                emit(name, line.decode(errors="replace"))
            else:
                stop.wait(0.2)


def bootstrap_mesh() -> None:
    for args in (
        ["bootstrap"],
        *(p.onboarding() for p in PRODUCERS),
        ["onboard-consumer", CONSUMER],
    ):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = meshctl(args)
        emit("meshcore", f"meshctl {' '.join(args)}: {out.getvalue().strip().splitlines()[-1]}")
        if code:
            raise SystemExit(code)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=4566, help="loopback port of the embedded AWS")
    parser.add_argument("--portal-port", type=int, default=8080, help="loopback port of the portal")
    args = parser.parse_args()
    try:
        aws = EmbeddedAws.start(host="127.0.0.1", port=args.port)
    except OSError as exc:
        print(
            f"make up: cannot listen on 127.0.0.1:{args.port} ({exc}); pass PORT=… to make up",
            file=sys.stderr,
        )
        return 2
    # How the notifier reaches people is the caller's (mail is off unless MESHCORE_NOTIFIER__EMAIL
    # says smtp or ses); nothing else of the caller's MESHCORE_* reaches the stack.
    notifier = {k: v for k, v in os.environ.items() if k.startswith("MESHCORE_NOTIFIER__")}
    # So is the ticket system the bridge opens tickets in (none unless MESHCORE_TICKETS__ADAPTER
    # says webhook, jira or servicenow); tickets link to this portal.
    tickets = {
        "MESHCORE_TICKETS__PORTAL_BASE_URL": f"http://127.0.0.1:{args.portal_port}",
        **{k: v for k, v in os.environ.items() if k.startswith("MESHCORE_TICKETS__")},
    }
    env = stack_environment(aws.endpoint_url, **notifier, **tickets)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("AWS_", "MESHCORE_"))})
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    workers: dict[str, subprocess.Popen[bytes]] = {}
    readiness = Readiness([*WORKERS, ANCHOR, "portal"], ready_timeout())
    status, told = 0, False
    try:
        bootstrap_mesh()

        def spawn(name: str, *argv: str) -> None:
            """`python argv` as the central role of `name`, its output pumped to ours."""
            process = subprocess.Popen(
                [sys.executable, *argv],
                env=as_central_role(env, name, name),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            workers[name] = process
            assert process.stdout is not None
            threading.Thread(
                target=_pump, args=(name, process.stdout, readiness.ready), daemon=True
            ).start()

        for name, module in WORKERS.items():
            spawn(name, "-m", module)
        # The audit chain's head, signed as the audit-anchor role every few seconds.
        spawn(ANCHOR, "-m", "meshcore.cli.main", "audit", "anchor", "--every")
        log_dir = Path(tempfile.mkdtemp(prefix="meshcore-portal-"))
        portal, portal_url = launch_portal(
            as_central_role(env, "portal", "portal"),
            log_dir,
            args.portal_port,
            dev_login="true",
            catalog_max_age_seconds="5",
        )
        workers["portal"] = portal.process
        threading.Thread(
            target=_follow, args=("portal", portal.log_path, stop), daemon=True
        ).start()
        emit("meshcore", f"starting {', '.join(readiness.names)}")
        while not stop.is_set():
            dead = {n: p.poll() for n, p in workers.items() if p.poll() is not None}
            if dead:
                said = ", ".join(f"{n} exited with status {c}" for n, c in dead.items())
                emit("meshcore", f"{said} (its last lines are above); stopping the stack")
                status = 1
                break
            if "portal" not in readiness.ready and answers(portal_url):
                readiness.ready.add("portal")
            for line in readiness.news():
                emit("meshcore", line)
            if readiness.announced and not told:
                _tell_how_to_use(portal_url, aws.endpoint_url, env)
                told = True
            stop.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        emit("meshcore", "stopping the workers")
        for process in workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = {}
        for name, process in workers.items():
            try:
                codes[name] = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = process.wait()
        aws.stop()
        emit("meshcore", "stopped: " + ", ".join(f"{n} exited {c}" for n, c in codes.items()))
    return status


def _tell_how_to_use(portal_url: str, endpoint_url: str, env: dict[str, str]) -> None:
    emit("meshcore", f"portal at {portal_url} (development login: any name)")
    emit("meshcore", f"embedded AWS at {endpoint_url}; in another shell:")
    emit("meshcore", f"  {shell_line(env)}")
    emit("meshcore", "  .venv/bin/meshctl status      (Ctrl-C here stops everything)")


if __name__ == "__main__":
    sys.exit(main())
