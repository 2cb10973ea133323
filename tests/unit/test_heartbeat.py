"""The worker heartbeat a container health check reads."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from meshcore.runtime.heartbeat import age_seconds, beat, main


def test_a_beating_worker_is_healthy_and_its_file_goes_when_it_stops(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    seen: list[float | None] = []

    async def run() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(beat(path, 0.01, stop))
        # Until the first beat is written (a loaded machine may take a while to run the task).
        deadline = time.monotonic() + 30
        while not path.exists() and time.monotonic() < deadline:  # noqa: ASYNC110 - a file
            await asyncio.sleep(0.01)
        seen.append(age_seconds(path))
        assert main([str(path)]) == 0
        stop.set()
        await task

    asyncio.run(run())
    assert seen[0] is not None and seen[0] >= 0
    assert not path.exists()


def test_a_stale_or_missing_heartbeat_is_unhealthy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "heartbeat"
    assert main([str(path)]) == 1
    path.write_text(f"{time.time() - 31:.3f}\n")  # six missed 5-second beats
    assert main([str(path)]) == 1
    path.write_text("garbage\n")
    assert age_seconds(path) is None
    monkeypatch.setenv("MESHCORE_WORKER__HEARTBEAT_PATH", str(path))
    path.write_text(f"{time.time():.3f}\n")
    assert main([]) == 0


def test_without_a_heartbeat_file_configured_the_check_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MESHCORE_WORKER__HEARTBEAT_PATH", raising=False)
    assert main([]) == 2
