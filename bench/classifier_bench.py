"""Classifier: columns per second (metadata only, and with a 100-value sample) and the macro F1
of the labelled evaluation corpus (tests/classifier_eval), in this process."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "classifier_eval"))

import evaluate
from corpus import TODAY, columns

from bench.rows import Column, Results, Row, Section, Target, ok, table
from classifier.engine import classify_column

TITLE = "Classifier"
SAMPLE = 100


def classifier_bench(values: int, seconds: float, repeats: int) -> dict[str, Any]:
    corpus = columns(values)
    truth = [evaluate.label(c) for c in corpus]
    f1 = {}
    for name, masked in (("names_visible", False), ("names_masked", True)):
        predicted = evaluate.engine_predictions(corpus, masked)
        f1[name] = round(evaluate.macro_f1(evaluate.scores(truth, predicted)), 3)
    metadata = []
    for i, c in enumerate(corpus, start=1):
        recs = classify_column(evaluate.facts(c, i, False), None, today=TODAY)
        metadata.append(recs[0].sensitivity_class.value if recs else evaluate.NOT_SENSITIVE)
    f1["metadata_only"] = round(evaluate.macro_f1(evaluate.scores(truth, metadata)), 3)
    # evaluate.throughput answers (per wall second, per CPU second of this process).
    measured = {
        "metadata_only": [evaluate.throughput(corpus, None, seconds) for _ in range(repeats)],
        "sample_100": [evaluate.throughput(corpus, SAMPLE, seconds) for _ in range(repeats)],
    }
    rates = {k: [wall for wall, _cpu in v] for k, v in measured.items()}
    cpu_rates = {k: [cpu for _wall, cpu in v] for k, v in measured.items()}
    return {
        "status": "ok",
        "columns": len(corpus),
        "values_per_column": values,
        "macro_f1": f1,
        "columns_per_s": {k: round(statistics.median(v)) for k, v in rates.items()},
        "columns_per_s_runs": {k: [round(x) for x in v] for k, v in rates.items()},
        "columns_per_cpu_s": {k: round(statistics.median(v)) for k, v in cpu_rates.items()},
        "window_s": seconds,
        "repeats": repeats,
    }


# -- the section's rows -----------------------------------------------------------------------

VIEWS = {
    "metadata_only": "metadata only",
    "sample_100": f"with a {SAMPLE}-value sample",
    "names_visible": "names visible",
    "names_masked": "names masked",
}


def section(results: Results) -> Section:
    c: dict[str, Any] = results["sections"]["classifier"]
    if failed := Section.failed(TITLE, c):
        return failed
    cps, runs, cpu = c["columns_per_s"], c["columns_per_s_runs"], c.get("columns_per_cpu_s", {})
    speed = table(
        [
            Column("classified from"),
            Column("median (columns/s)", 0),
            Column("rounds (columns/s)", 0),
            Column("median (columns per CPU s)", 0),
        ],
        [Row.of(VIEWS[k], cps[k], tuple(runs[k]), cpu.get(k)) for k in cps],
        f"The labelled corpus of tests/classifier_eval ({c['columns']} columns), in the "
        f"benchmark's process; {c['window_s']} s per round.",
    )
    quality = table(
        [Column("classified from"), Column("macro F1")],
        [Row.of(VIEWS.get(k, k), f1) for k, f1 in c["macro_f1"].items()],
        "Names masked: each column named col_N in a table t, with no comment or sibling "
        "columns (its type and values kept); metadata only: names, types and comments, no "
        "values.",
    )
    return Section(TITLE, (speed, quality))


def targets(results: Results) -> list[Target]:
    if not (c := ok(results, "classifier")):
        return []
    cps, f1 = c["columns_per_s"], c["macro_f1"]
    return [
        Target(
            f"classifier: columns/s metadata only / with a {SAMPLE}-value sample",
            "(no target)",
            f"{cps['metadata_only']:,} / {cps['sample_100']:,}",
        ),
        Target(
            "classifier: macro F1, names visible / masked / metadata only",
            "(no target)",
            f"{f1['names_visible']:.2f} / {f1['names_masked']:.2f} / {f1['metadata_only']:.2f}",
        ),
    ]
