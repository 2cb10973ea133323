"""The evaluation script runs (its numbers are measured by `make eval-classifier`, not
asserted here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "classifier_eval" / "evaluate.py"


def test_the_evaluation_prints_scores_confusion_and_throughput(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = importlib.util.spec_from_file_location("classifier_evaluate", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["classifier_evaluate"] = module
    spec.loader.exec_module(module)
    assert module.main(["--values", "20", "--bench-seconds", "0.01"]) == 0
    out = capsys.readouterr().out
    for text in (
        "dev split",
        "heldout split",
        "names visible",
        "names masked",
        "typed micro-F1",
        "per locale",
        "checksum-validated columns",
        "precision",
        "confusion",
        "summary",
        "columns/s",
    ):
        assert text in out
    assert module.main(["--corpus", "finance", "--values", "20", "--bench-seconds", "0.01"]) == 0
