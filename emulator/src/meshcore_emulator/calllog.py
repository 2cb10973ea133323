"""Counts of the AWS calls the emulator answered, for benchmarks (calls per event) and tests."""

from __future__ import annotations

import threading
from collections import Counter


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def record(self, service: str, operation: str) -> None:
        with self._lock:
            self._counts[f"{service}:{operation}"] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
