"""`make up`: the whole stack as local processes, in the foreground, without Docker.

The embedded AWS on a fixed loopback port, a bootstrapped mesh (the same accounts as the demo),
the three workers and the audit anchor, whose log lines are shown with a coloured prefix. Ctrl-C
(or SIGTERM) stops every worker with SIGTERM, then the embedded AWS.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO

from meshcore.cli.main import main as meshctl
from meshcore_devstack.mesh import CONSUMER, PRODUCERS, as_central_role, stack_environment
from meshcore_devstack.processes import ANCHOR, WORKERS, start_portal
from meshcore_emulator import EmbeddedAws

COLOURS = {
    "sync-worker": "36",
    "classifier": "35",
    "grant-worker": "33",
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


def _pump(name: str, stream: IO[bytes]) -> None:
    for raw in iter(stream.readline, b""):
        emit(name, raw.decode(errors="replace"))


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
    env = stack_environment(aws.endpoint_url)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("AWS_", "MESHCORE_"))})
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    workers: dict[str, subprocess.Popen[bytes]] = {}
    try:
        bootstrap_mesh()
        for name, module in WORKERS.items():
            process = subprocess.Popen(
                [sys.executable, "-m", module],
                env=as_central_role(env, name, name),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            workers[name] = process
            assert process.stdout is not None
            threading.Thread(target=_pump, args=(name, process.stdout), daemon=True).start()
        # The audit chain's head, signed as the audit-anchor role every few seconds.
        anchor = subprocess.Popen(
            [sys.executable, "-m", "meshcore.cli.main", "audit", "anchor", "--every"],
            env=as_central_role(env, ANCHOR, ANCHOR),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        workers[ANCHOR] = anchor
        assert anchor.stdout is not None
        threading.Thread(target=_pump, args=(ANCHOR, anchor.stdout), daemon=True).start()
        log_dir = Path(tempfile.mkdtemp(prefix="meshcore-portal-"))
        portal, portal_url = start_portal(
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
        emit("meshcore", f"portal at {portal_url} (development login: any name)")
        emit("meshcore", f"embedded AWS at {aws.endpoint_url}; in another shell:")
        emit(
            "meshcore",
            f"  export MESHCORE_ENDPOINT_URL={aws.endpoint_url} AWS_ACCESS_KEY_ID=testing "
            "AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1",
        )
        emit("meshcore", "  .venv/bin/meshctl status      (Ctrl-C here stops everything)")
        while not stop.is_set():
            if any(p.poll() is not None for p in workers.values()):
                dead = [n for n, p in workers.items() if p.poll() is not None]
                emit("meshcore", f"{', '.join(dead)} exited; stopping the stack")
                break
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
