"""The scaling section's plan and report, from results made up here (no emulator, no timing)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import render, scaling
from bench.scaling import Load


def test_the_partition_load_is_about_370_glue_writes() -> None:
    load = Load()
    steps = scaling._steps(load)

    assert load.writes(producers=2) == 370
    assert steps[0] == ("create", 0)
    assert [k for kind, k in steps if kind == "partitions"] == list(range(load.batches))
    assert [k for kind, k in steps if kind == "schema"] == list(range(load.schema_changes))
    assert len(steps) == 1 + load.batches + load.schema_changes
    assert scaling._deleted(load) == [0, 4, 8, 12, 16]


def _results(four: float, p99: float, differences: int) -> dict[str, Any]:
    def run(workers: int, rate: float) -> dict[str, Any]:
        median = {"events_per_s": rate, "drain_seconds": 400 / rate, "handler_ms_p50": 120.0}
        return {"workers": workers, "status": "ok", "rounds": [], "median": median}

    load = {
        "status": "ok",
        "producers": 2,
        "workers": 4,
        "size": {"tables": 20, "batches": 5, "partitions": 100},
        "writes": 370,
        "lag_p50_s": 1.0,
        "lag_p99_s": p99,
        "converge_seconds": 30.0,
        "differences": differences,
    }
    scaled = {
        "status": "ok",
        "latency_ms": 30,
        "tables": 400,
        "runs": [run(1, 40.0), run(2, 80.0), run(4, four)],
        "load": load,
    }
    return {"sections": {"scaling": scaled}}


def test_targets_compare_four_workers_with_one_and_the_load_lag() -> None:
    scale, lag = scaling.targets(_results(four=150.0, p99=4.0, differences=0))
    assert scale.target == ">= 3.5x" and scale.met is True
    assert scale.measured.startswith("3.75x")
    assert lag.target == "<= 5" and lag.met is True

    scale, lag = scaling.targets(_results(four=100.0, p99=9.0, differences=0))
    assert scale.met is False and lag.met is False
    # A lag within the target does not count when the central copy is not what was written.
    assert scaling.targets(_results(four=150.0, p99=1.0, differences=3))[1].met is False


def test_section_reports_every_worker_count_and_the_load() -> None:
    md = render.markdown(scaling.section(_results(four=150.0, p99=4.0, differences=0)))
    assert "| 4 | ok | 400 x 0 |" in md
    assert "3.75" in md  # x 1 worker
    assert "2 producers x 20 tables x 5 x 100 partitions" in md
    assert "as written" in md


def test_other_latencies_are_reported_without_a_target() -> None:
    results = _results(four=150.0, p99=4.0, differences=0)
    results["sections"]["scaling"]["latency_ms"] = 100

    scale, lag = scaling.targets(results)

    assert (scale.target, scale.met) == ("(no target)", None)
    assert (lag.target, lag.met) == ("(no target)", None)
    assert "100 ms per call" in scale.measure
