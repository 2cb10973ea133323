"""`make bench` at its tiniest: the benchmark's code paths still run and write their table.

Sizes are a handful of calls; no number is asserted (the machine is shared), only that each
section ran and the results JSON and the markdown table are complete.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_tiny_benchmark_writes_results_and_table(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--tiny",
            "--only",
            "raw,classifier,emulator",
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    results = json.loads(out.read_text())
    raw = results["sections"]["raw"]
    assert raw["status"] == "ok"
    assert set(raw["runs"]) == {"table", "partitions", "grant"}
    assert all(r["per_s"] > 0 for runs in raw["runs"]["table"].values() for r in runs)
    assert raw["violations"] == []
    classifier = results["sections"]["classifier"]
    assert classifier["status"] == "ok"
    assert 0 < classifier["macro_f1"]["names_visible"] <= 1
    emulator = results["sections"]["emulator"]
    assert emulator["status"] == "ok"
    for variant in ("moto", "meshcore"):
        measured = emulator["variants"][variant]
        assert [s["depth"] for s in measured["send"]] == [0, 20]
        assert measured["table_blocks_s"] and measured["pairs_per_s_median"] > 0
        assert measured["violations"] == []
    assert results["meta"]["cpus"] and results["meta"]["python"]
    table = out.with_suffix(".md").read_text()
    for heading in ("## Targets", "## The limit", "## Classifier", "## The embedded AWS itself"):
        assert heading in table
    assert "GetTable + UpdateTable" in table
    # One renderer: the terminal and the markdown show the same columns, units in the headers.
    for header in ("median (sequences/s)", "p99 (ms)", "macro F1", "CPU per call (ms)"):
        assert header in table
        assert header in run.stdout
    assert (tmp_path / "logs" / "raw" / "emulator.log").exists()


def test_tiny_scaling_section_runs_alone(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--only", "scaling", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    scaling = json.loads(out.read_text())["sections"]["scaling"]
    assert scaling["status"] == "ok"
    assert [r["workers"] for r in scaling["runs"]] == [1, 2]
    assert all(r["median"]["events_per_s"] > 0 for r in scaling["runs"])
    load = scaling["load"]
    assert load["writes"] == 18 and load["lag_p99_s"] is not None
    assert load["differences"] == 0  # the central copy is what the producers wrote
    table = out.with_suffix(".md").read_text()
    assert "## Sync scaling with AWS latency injected" in table
    for header in ("x 1 worker", "lag p99 (s)", "central copy"):
        assert header in table
        assert header in run.stdout
