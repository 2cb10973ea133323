"""How meshctl prints: a readable table for people, `--json` for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from meshcore.domain.times import timestamp


def _plain(value: Any) -> Any:
    """What JSON cannot say by itself: times as `timestamp` writes them, the rest as text."""
    return timestamp(value) if isinstance(value, datetime) else str(value)


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=_plain, sort_keys=True)
    sys.stdout.write("\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers], *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
