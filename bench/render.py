"""The one renderer of the benchmark: a `rows.Section` as a terminal table or as markdown, and
the whole run as one markdown document. Both print every number of a column in the same
format, so the terminal and `RESULTS.md` never disagree."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from bench.rows import Cell, Column, Results, Row, Section, Table, Target, table

WIDTH = 100


def fmt(cell: Cell, digits: int = 2) -> str:
    if cell is None:
        return "-"
    if isinstance(cell, tuple):
        return ", ".join(fmt(c, digits) for c in cell)
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float):
        return f"{cell:,.{digits}f}"
    if isinstance(cell, int):
        return f"{cell:,}"
    return cell


def _cells(t: Table, row: Row) -> list[str]:
    return [fmt(c, col.digits) for c, col in zip(row.cells, t.columns, strict=True)]


def _numeric(t: Table) -> list[bool]:
    """Which columns hold numbers (aligned right); the first one is always a label."""
    return [
        i > 0 and any(isinstance(r.cells[i], int | float | tuple) for r in t.rows)
        for i in range(len(t.columns))
    ]


# -- the terminal ---------------------------------------------------------------------------


def _text_table(t: Table) -> list[str]:
    headers = [c.header for c in t.columns]
    cells = [_cells(t, r) for r in t.rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    numeric = _numeric(t)

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if right else v.ljust(w)
            for v, w, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in cells)]
    if t.note:
        out += textwrap.wrap(t.note, WIDTH, initial_indent="   ", subsequent_indent="   ")
    return out


def text(section: Section) -> str:
    """A section as the terminal prints it: each table aligned, its note, then the details."""
    out = ["", f"== {section.title}"]
    if section.status != "ok":
        out.append(f"   {section.status}: {section.error}")
    for i, t in enumerate(section.tables):
        if i:
            out.append("")
        out += _text_table(t)
    out += [f"   {line}" for line in section.details]
    return "\n".join(out)


# -- markdown -------------------------------------------------------------------------------


def _md_table(t: Table) -> list[str]:
    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    rule = "|" + "".join("---:|" if right else "---|" for right in _numeric(t))
    out = [line([c.header for c in t.columns]), rule]
    out += [line(_cells(t, r)) for r in t.rows]
    if t.note:
        out += ["", t.note]
    return out


def markdown(section: Section) -> str:
    """A section as the markdown document shows it (without the terminal's detail lines)."""
    out = [f"## {section.title}"]
    if section.status != "ok":
        out += ["", f"{section.status}: {section.error}"]
    for t in section.tables:
        out += ["", *_md_table(t)]
    return "\n".join(out)


def document(results: Results, sections: Sequence[Section]) -> str:
    """The run as one markdown document: the machine and sizes, then every section."""
    meta = results["meta"]
    load = ", ".join(str(x) for x in meta.get("load_average_at_start", []))
    parts = [
        "# meshcore benchmark results",
        "",
        f"Measured {meta['started_at']} at commit `{meta.get('commit')}` ({meta['size']} sizes, "
        f"{fmt(meta.get('total_seconds'), 0)} s in all) on {meta.get('cpus')} CPU(s) "
        f"({meta.get('cpu_model')}), {meta.get('memory_gib')} GiB, {meta.get('platform')}, "
        f"Python {meta.get('python')}; load average at start {load} (a shared machine). "
        "Everything runs on the embedded AWS, started by the benchmark. Short measures are the "
        f"median of {meta['sizes']['repeats']} rounds; the repairs run once each. Ratios divide "
        "numbers measured in this same run.",
    ]
    for section in sections:
        parts += ["", markdown(section)]
    return "\n".join(parts) + "\n"


# -- targets --------------------------------------------------------------------------------


def targets(found: Sequence[Target]) -> Section:
    """Every target of the run with its measurement, as a section of its own."""
    rows = [
        Row.of(
            t.measure, t.target, t.measured, "-" if t.met is None else "yes" if t.met else "**no**"
        )
        for t in found
    ]
    columns = [Column("measure"), Column("target"), Column("measured"), Column("met?")]
    return Section("Targets", (table(columns, rows),))
