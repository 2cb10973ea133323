"""Small statistics of the benchmark: percentiles, medians, ratios, calls grouped by kind."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

MB = 1_000_000


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def megabytes(kib: float | None) -> float | None:
    """/proc's kB (KiB) in MB (10^6 bytes), the unit of every memory figure of the report."""
    return None if kib is None else kib * 1024 / MB


def top_calls(calls: Counter[str] | Mapping[str, float], n: int = 8) -> str:
    ranked = sorted(calls.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{op} {count:,}" for op, count in ranked[:n] if count)


GLUE_READ_PREFIXES = ("Get", "BatchGet", "Search")


def split_calls(calls: Counter[str] | Mapping[str, int]) -> dict[str, int]:
    """Calls grouped as glue reads, glue writes, sqs, dynamodb and other."""
    groups = {"glue_reads": 0, "glue_writes": 0, "sqs": 0, "dynamodb": 0, "other": 0}
    for name, count in calls.items():
        service, _, operation = name.partition(":")
        if service == "glue":
            key = "glue_reads" if operation.startswith(GLUE_READ_PREFIXES) else "glue_writes"
        elif service in ("sqs", "dynamodb"):
            key = service
        else:
            key = "other"
        groups[key] += count
    return groups
