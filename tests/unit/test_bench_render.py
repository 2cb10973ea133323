"""The benchmark's one renderer: a section reads the same in the terminal and in markdown."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import render
from bench.rows import Column, Row, Section, Target, table


def _section() -> Section:
    rows = [
        Row.of("1 worker", "ok", 43.71, 0.4, (1.5, None)),
        Row.of("naive", "timeout", None, None, ()),
    ]
    columns = [
        Column("consumer"),
        Column("status"),
        Column("events/s", 1),
        Column("x limit"),
        Column("rounds (s)", 1),
    ]
    return Section("Sync", (table(columns, rows, "Medians over the rounds."),), details=("r1",))


def test_terminal_and_markdown_show_the_same_cells() -> None:
    text, md = render.text(_section()), render.markdown(_section())
    for cell in ("events/s", "43.7", "0.40", "1.5, -", "timeout", "Medians over the rounds."):
        assert cell in text
        assert cell in md
    assert "| 1 worker | ok | 43.7 | 0.40 | 1.5, - |" in md
    assert "|---|---|---:|---:|---:|" in md
    assert "r1" in text and "r1" not in md  # details are the terminal's


def test_a_failed_section_shows_its_error() -> None:
    failed = Section.failed("Access", {"status": "error", "error": "boom"})
    assert failed is not None
    assert "error: boom" in render.text(failed)
    assert "error: boom" in render.markdown(failed)
    assert Section.failed("Access", {"status": "ok"}) is None


def test_a_row_must_fill_every_column() -> None:
    with pytest.raises(ValueError, match="2 cells under 1 columns"):
        table([Column("a")], [Row.of(1, 2)])


def test_targets_mark_misses() -> None:
    md = render.markdown(
        render.targets([Target("p99", "< 2 s", "2.5 s", False), Target("x", "-", "1")])
    )
    assert "| p99 | < 2 s | 2.5 s | **no** |" in md
    assert "| x | - | 1 | - |" in md
