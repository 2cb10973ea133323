"""What a worker did, kept as CloudWatch metric data until the publisher sends it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

NAMESPACE = "meshcore"
Dimensions = tuple[tuple[str, str], ...]


def _dims(dimensions: dict[str, str]) -> Dimensions:
    return tuple(sorted(dimensions.items()))


@dataclass
class Metrics:
    totals: Counter[tuple[str, str]] = field(default_factory=Counter)  # (queue, outcome), lifetime
    _counts: Counter[tuple[str, Dimensions]] = field(default_factory=Counter)
    _values: defaultdict[tuple[str, str, Dimensions], list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def record(self, queue: str, outcome: str, duration_ms: float) -> None:
        """One handled message (called by the queue consumer)."""
        self.totals[(queue, outcome)] += 1
        self.count("MessagesHandled", Queue=queue, Outcome=outcome)
        self.value("HandlerDuration", duration_ms, "Milliseconds", Queue=queue)

    def count(self, name: str, n: int = 1, **dimensions: str) -> None:
        self._counts[(name, _dims(dimensions))] += n

    def value(self, name: str, value: float, unit: str, **dimensions: str) -> None:
        samples = self._values[(name, unit, _dims(dimensions))]
        samples.append(value)
        if len(samples) > 10_000:  # bounded between publications
            del samples[:5_000]

    def drain(self, **common: str) -> list[dict[str, Any]]:
        """Everything recorded since the last drain, as PutMetricData datums."""

        def dims(d: Dimensions) -> list[dict[str, str]]:
            return [{"Name": k, "Value": v} for k, v in (*d, *common.items())]

        data: list[dict[str, Any]] = [
            {"MetricName": name, "Dimensions": dims(d), "Value": float(n), "Unit": "Count"}
            for (name, d), n in self._counts.items()
        ]
        for (name, unit, d), samples in self._values.items():
            # PutMetricData takes at most 150 values per datum.
            for start in range(0, len(samples), 150):
                chunk = samples[start : start + 150]
                data.append(
                    {"MetricName": name, "Dimensions": dims(d), "Values": chunk, "Unit": unit}
                )
        self._counts.clear()
        self._values.clear()
        return data
