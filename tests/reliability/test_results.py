"""The results table: a test's family rows share its result and replace its earlier rows."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from .results import Results, Row

NODE = "tests/reliability/test_security.py::test_hostile[full]"


def test_family_rows_are_rows_of_their_test(tmp_path: Path) -> None:
    results = Results()
    main = results.row(NODE, "7 security")
    forged = results.family_row(NODE, "7 security", "decision forged")
    replayed = results.family_row(NODE, "7 security", "decision replayed")
    results.row("tests/reliability/test_other.py::test_x", "1 other")
    assert results.rows_of(NODE) == [main, forged, replayed]
    assert results.family_row(NODE, "7 security", "decision forged") is forged
    forged.consistency = "24/24 forged decisions refused and audited"
    assert "24/24 forged" in results.markdown()
    assert results.markdown().count("| 7 security |") == 3


def test_a_test_that_ran_again_replaces_its_earlier_family_rows(tmp_path: Path) -> None:
    earlier = Results()
    earlier.row(NODE, "7 security")
    earlier.family_row(NODE, "7 security", "gone")
    earlier.row("tests/reliability/test_other.py::test_x", "1 other")
    earlier.write(tmp_path)
    now = Results()
    now.row(NODE, "7 security")
    now.family_row(NODE, "7 security", "decision forged")
    now.merge_earlier(tmp_path)
    assert sorted(now.rows) == sorted(
        [NODE, f"{NODE}#decision forged", "tests/reliability/test_other.py::test_x"]
    )
    written = json.loads((tmp_path / "results.json").read_text())["rows"]
    assert {r["nodeid"] for r in written} >= {f"{NODE}#gone"}  # what the earlier run wrote
    assert asdict(Row("x")).keys() >= {"scenario", "consistency"}
