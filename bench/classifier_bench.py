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

from classifier.engine import classify_column

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
