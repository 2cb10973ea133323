"""meshctl start-up: `--help` and a usage error next to a bare `python -c "import boto3"`.

Neither may import the AWS SDKs' clients (boto3 sessions, aiobotocore, aiohttp): a person who
mistypes a command hears about it at once. Each command is run as a fresh process, alternately,
several times; the best of each is compared with the best of the bare import (as `timeit`
advises: noise only ever adds time), measured in the same rounds so a busy machine slows both.
"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from bench.render import fmt
from bench.rows import Column, Results, Row, Section, Target, ok, table
from bench.stats import ratio

TITLE = "meshctl start-up"
COMMANDS = {
    "python -c 'import boto3'": [sys.executable, "-c", "import boto3"],
    "meshctl --help": [sys.executable, "-m", "meshcore.cli.main", "--help"],
    "meshctl (usage error)": [sys.executable, "-m", "meshcore.cli.main", "no-such-command"],
}
# Within "about the time" of the bare import.
TARGET_RATIO = 1.25


def measure(rounds: int) -> dict[str, Any]:
    seconds: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(rounds):
        for name, argv in COMMANDS.items():
            began = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=False)
            seconds[name].append(time.perf_counter() - began)
    return {"status": "ok", "rounds": rounds, "times": seconds}


def _best(result: dict[str, Any]) -> dict[str, float | None]:
    return {name: min(values, default=None) for name, values in result["times"].items()}


def section(results: Results) -> Section:
    result = ok(results, "cli")
    if result is None:
        return Section(TITLE, status="error", error=str(results["sections"].get("cli")))
    best = _best(result)
    base = best["python -c 'import boto3'"]
    rows = [
        Row.of(name, best[name], tuple(result["times"][name]), ratio(best[name], base))
        for name in COMMANDS
    ]
    columns = [
        Column("command"),
        Column("best (s)"),
        Column("rounds (s)"),
        Column("x import boto3"),
    ]
    note = (
        f"Each a fresh process, {result['rounds']} rounds taken in turn; x import boto3 = the "
        "command's best over the bare import's."
    )
    return Section(TITLE, (table(columns, rows, note),))


def targets(results: Results) -> list[Target]:
    result = ok(results, "cli")
    if result is None:
        return []
    best = _best(result)
    base = best["python -c 'import boto3'"]
    worst = max(
        (ratio(best[n], base) or 0.0 for n in COMMANDS if n.startswith("meshctl")), default=0.0
    )
    return [
        Target(
            "meshctl --help and a usage error: start-up / python -c 'import boto3'",
            f"<= {TARGET_RATIO:.2f}",
            fmt(worst, 2),
            worst <= TARGET_RATIO,
        )
    ]
