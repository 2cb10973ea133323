"""Reliability scenarios: the e2e stack, a row of results per test, and the table at the end."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..e2e.conftest import Stack, StackFactory, eventually, stack_factory
from .results import Results, Row, scale

if TYPE_CHECKING:
    from pluggy import Result

__all__ = ["Stack", "StackFactory", "eventually", "sizes", "stack_factory"]

RESULTS = Results()
# Reduced-size variants of the full scenarios run in the default `make test`; `make reliability`
# runs every scenario at full size (`-m "not smoke"`).
SMOKE = 100


def sizes(full_default: int = 2000, smoke: bool = True) -> list[Any]:
    """Parameters of a load scenario: the full size, and a smoke size for `make test` when the
    scenario covers what no end-to-end test does."""
    return [
        *([pytest.param(SMOKE, id="smoke", marks=pytest.mark.smoke)] if smoke else []),
        pytest.param(
            scale(full_default),
            id="full",
            marks=[pytest.mark.reliability, pytest.mark.timeout(1800)],
        ),
    ]


OUTPUT = Path(__file__).resolve().parents[2] / "reliability" / "results"


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Iterator[Row]:
    """This test's row; the test fills in load, faults and figures, the hook the result."""
    name = scenario_name(request)
    if request.node.get_closest_marker("reliability") is not None:
        RESULTS.complete = True  # a `make reliability` run: print and write the table
    yield RESULTS.row(request.node.nodeid, name)


def scenario_name(request: pytest.FixtureRequest) -> str:
    scenario = request.node.get_closest_marker("scenario")
    return str(scenario.args[0]) if scenario else str(request.node.name)


@pytest.fixture
def family_record(request: pytest.FixtureRequest, record: Row) -> Callable[[str], Row]:
    """`family_record(family)`: a further row of this test's scenario for one attack family
    (one row per family in the table); the hook gives it the test's result."""
    return partial(RESULTS.family_row, request.node.nodeid, scenario_name(request))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, Result[pytest.TestReport]]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    for row in RESULTS.rows_of(item.nodeid):
        if report.when == "call":
            row.seconds = round(call.duration, 1)
            row.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
            if hasattr(report, "wasxfail"):
                row.result = "xfail"
            else:
                row.result = "pass" if report.passed else "FAIL"
        elif report.failed and row.result in ("pass", "not run"):
            # Teardown checks (worker exit codes, AWS limit violations) fail the scenario too.
            row.result = f"FAIL ({report.when})"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS.complete:
        return  # `make test`: keep the last full results
    RESULTS.merge_earlier(OUTPUT)
    RESULTS.write(OUTPUT)
    terminalreporter.write_sep("=", "reliability")
    terminalreporter.write(RESULTS.markdown())
    terminalreporter.write_line(f"written to {OUTPUT.relative_to(OUTPUT.parents[1])}/")
