"""Plain-text tables and small statistics for the benchmark's output."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(values: Sequence[str]) -> str:
        # First column left-aligned (a label), the rest right-aligned (numbers).
        parts = [values[0].ljust(widths[0])]
        parts += [v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [f"\n== {title}", line(list(headers)), rule, *(line(r) for r in cells)]
    return "\n".join(out)


def notes(*lines: str) -> str:
    return "\n".join(f"   {line}" for line in lines)


def top_calls(calls: Counter[str] | dict[str, int], n: int = 8) -> str:
    ranked = sorted(calls.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{op} {count:,}" for op, count in ranked[:n] if count)


GLUE_READ_PREFIXES = ("Get", "BatchGet", "Search")


def split_calls(calls: Counter[str] | dict[str, int]) -> dict[str, int]:
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


def mib(kib: int | None) -> float | None:
    return None if kib is None else kib / 1024
