"""`make up` on a slow machine: a process that takes long to start is named while the others run,
a warning past the deadline stops nothing, and the stack comes up and stops cleanly.

The slow start is injected: a `sitecustomize` on the portal's path sleeps before the portal
imports anything (longer than the 30 s the stack once gave it, longer than the deadline set
here), as a cold import on a machine under load does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from meshcore_devstack.processes import free_port, ready_timeout

pytestmark = pytest.mark.e2e

SLOW_START_SECONDS = 35
SITECUSTOMIZE = f"""
import os, time
if "MESHCORE_PORTAL__PORT" in os.environ:
    time.sleep({SLOW_START_SECONDS})
"""


def test_make_up_waits_for_a_slow_portal_without_stopping_the_others(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MESHCORE_"))},
        "PYTHONPATH": str(tmp_path),
        "MESHCORE_READY_TIMEOUT_SECONDS": "20",
    }
    ports = ["--port", str(free_port()), "--portal-port", str(free_port())]
    up = subprocess.Popen(
        [sys.executable, "-m", "meshcore_devstack.up", *ports],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert up.stdout is not None
        for line in up.stdout:
            lines.append(line)
            if "meshctl status" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        came_up = ready.wait(SLOW_START_SECONDS + 3 * ready_timeout())
    finally:
        up.send_signal(signal.SIGTERM)
        status = up.wait(timeout=120)
        reader.join(timeout=10)
    out = "".join(lines)
    assert came_up, out[-4000:]
    assert status == 0, out[-4000:]
    assert "Traceback" not in out
    said = [line.split("| ", 1)[-1].strip() for line in lines if "meshcore |" in line]
    assert any(s.startswith("still starting after") and "portal" in s for s in said), said
    assert any("not ready after 20 s" in s and "still waiting" in s for s in said), said
    # The workers were ready (and working) long before the portal.
    worker_started = next(i for i, line in enumerate(lines) if "worker.started" in line)
    ready_at = next(i for i, s in enumerate(lines) if "meshcore | ready:" in s)
    assert worker_started < ready_at
    export = next(s for s in said if s.startswith("export "))
    for variable in ("MESHCORE_ENDPOINT_URL", "MESHCORE_ONBOARDING_ROLE", "AWS_ACCESS_KEY_ID"):
        assert f"{variable}=" in export, export
