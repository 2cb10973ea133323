"""Reliability scenarios: the e2e stack, a row of results per test, and the table at the end."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import UTC, datetime
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
    scenario = request.node.get_closest_marker("scenario")
    name = scenario.args[0] if scenario else request.node.name
    if request.node.get_closest_marker("reliability") is not None:
        RESULTS.complete = True  # a `make reliability` run: print and write the table
    yield RESULTS.row(request.node.nodeid, name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, Result[pytest.TestReport]]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    row = RESULTS.rows.get(item.nodeid)
    if row is None:
        return
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
