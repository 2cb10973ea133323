"""In-process counters of what a worker did; published by the worker, read by tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Metrics:
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    durations_ms: list[float] = field(default_factory=list)

    def record(self, queue: str, outcome: str, duration_ms: float) -> None:
        self.counts[(queue, outcome)] += 1
        self.durations_ms.append(duration_ms)
        if len(self.durations_ms) > 10_000:  # keep memory flat on long runs
            del self.durations_ms[:5_000]

    def count(self, outcome: str) -> int:
        return sum(n for (_q, o), n in self.counts.items() if o == outcome)
