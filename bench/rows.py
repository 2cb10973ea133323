"""What a section of the benchmark reports: tables of rows, notes, targets. Sections build these
from their results; `render` is the only code that turns them into text (terminal or markdown),
so a number reads the same, in the same unit, everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The JSON document of a run: {"meta": {...}, "sections": {name: result}}.
Results = dict[str, Any]

Number = int | float
# A list of numbers (e.g. one per round) is printed comma-separated in the column's format.
Cell = str | Number | tuple[Number | None, ...] | None


@dataclass(frozen=True)
class Column:
    """A column; its header states the unit of its numbers, e.g. "lag p99 (s)"."""

    header: str
    digits: int = 2  # decimals of a float


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]

    @classmethod
    def of(cls, *cells: Cell) -> Row:
        return cls(cells)


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    note: str = ""  # what the table measures and how: printed under it

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row.cells) != len(self.columns):
                raise ValueError(
                    f"a row of {len(row.cells)} cells under {len(self.columns)} columns"
                )


def table(columns: list[Column], rows: list[Row], note: str = "") -> Table:
    return Table(tuple(columns), tuple(rows), note)


@dataclass(frozen=True)
class Section:
    """One section of the report: its tables, or why it has none."""

    title: str
    tables: tuple[Table, ...] = ()
    status: str = "ok"  # the section's own status: ok, error, timeout
    error: str = ""
    # Per-round and per-scenario lines: the terminal prints them, the markdown document leaves
    # them to the JSON results.
    details: tuple[str, ...] = field(default=())

    @classmethod
    def failed(cls, title: str, result: dict[str, Any]) -> Section | None:
        """The section as its error, when its result is not ok."""
        if result.get("status") in ("ok", None):
            return None
        return cls(title, status=str(result.get("status")), error=str(result.get("error", "")))


@dataclass(frozen=True)
class Target:
    """A target of the benchmark next to what was measured; met is None for no target."""

    measure: str
    target: str
    measured: str
    met: bool | None = None


def ok(results: Results, name: str) -> dict[str, Any] | None:
    """A section's result when it ran and succeeded."""
    section = results["sections"].get(name)
    return dict(section) if isinstance(section, dict) and section.get("status") == "ok" else None
