"""The sections of the benchmark in the order they run, and the report made of them: each
section's module turns its results into rows (`section`) and targets (`targets`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench import (
    access,
    calls,
    classifier_bench,
    cli_start,
    emulator_bench,
    limits,
    memory,
    repair,
    scaling,
    throughput,
)
from bench.render import targets as targets_section
from bench.rows import Results, Section, Target


@dataclass(frozen=True)
class Part:
    name: str  # its key in the results and in --only
    section: Callable[[Results], Section]
    targets: Callable[[Results], list[Target]]


SECTIONS = (
    Part("raw", limits.section, limits.targets),
    Part("sustained", throughput.section, throughput.targets),
    Part("scaling", scaling.section, scaling.targets),
    Part("calls", calls.section, calls.targets),
    Part("access", access.section, access.targets),
    Part("repair", repair.section, repair.targets),
    Part("classifier", classifier_bench.section, classifier_bench.targets),
    Part("emulator", emulator_bench.section, emulator_bench.targets),
    Part("cli", cli_start.section, cli_start.targets),
)
NAMES = tuple(p.name for p in SECTIONS)
BY_NAME = {p.name: p for p in SECTIONS}


def targets(results: Results) -> Section:
    """Every target of the sections that ran, then the peak memory's."""
    found = [t for p in SECTIONS if p.name in results["sections"] for t in p.targets(results)]
    return targets_section([*found, *memory.targets(results)])


def report(results: Results) -> list[Section]:
    """The whole report: the targets, each section that ran, the peak memory."""
    out = [targets(results)]
    out += [p.section(results) for p in SECTIONS if p.name in results["sections"]]
    if peak := memory.section(results):
        out.append(peak)
    return out
