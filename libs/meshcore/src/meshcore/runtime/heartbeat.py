"""A liveness file for container health checks.

Queue workers serve no HTTP, so a running worker rewrites a file every few seconds once its
routes are set up, and `python -m meshcore.runtime.heartbeat` (a container's health check)
succeeds only while that file is fresh: the process is up, it reached its queues, and its
event loop is not stuck. The file is removed when the worker stops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from pathlib import Path

from meshcore.settings import MeshSettings

# A file older than this many heartbeat intervals means the worker stopped beating.
MISSED_BEATS = 6


async def beat(path: Path, interval_seconds: float, stop: asyncio.Event) -> None:
    """Rewrite `path` with the current time every interval until `stop`, then remove it."""
    try:
        while not stop.is_set():
            await asyncio.to_thread(path.write_text, f"{time.time():.3f}\n")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


def age_seconds(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last beat, or None when there is no readable heartbeat."""
    try:
        last = float(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return (time.time() if now is None else now) - last


def main(argv: list[str] | None = None) -> int:
    settings = MeshSettings()
    parser = argparse.ArgumentParser(
        prog="python -m meshcore.runtime.heartbeat",
        description="exit 0 while the worker's heartbeat file is fresh (a container health check)",
    )
    parser.add_argument(
        "path",
        nargs="?",
        default=settings.worker.heartbeat_path,
        help="the heartbeat file (default: MESHCORE_WORKER__HEARTBEAT_PATH)",
    )
    args = parser.parse_args(argv)
    if not args.path:
        print("no heartbeat file: set MESHCORE_WORKER__HEARTBEAT_PATH", file=sys.stderr)
        return 2
    limit = MISSED_BEATS * settings.worker.heartbeat_interval_seconds
    age = age_seconds(Path(args.path))
    if age is None:
        print(f"unhealthy: no heartbeat in {args.path}", file=sys.stderr)
        return 1
    if age > limit:
        print(f"unhealthy: last heartbeat {age:.0f} s ago (limit {limit:.0f} s)", file=sys.stderr)
        return 1
    print(f"healthy: last heartbeat {age:.1f} s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main())
