"""`meshctl repair --wait` shows its progress by shards, databases and tables: a redrawn bar on a
terminal, and off a terminal (a log, CI) a line every few seconds and the finished one."""

from __future__ import annotations

import io

import pytest

from meshcore.cli.catalog import RepairProgress
from meshcore.domain.repair import RepairReport, RepairStatus


class Log(io.StringIO):
    def isatty(self) -> bool:
        return False


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def report(done: int, status: RepairStatus = RepairStatus.RUNNING) -> RepairReport:
    return RepairReport(
        repair_id="repair-1",
        shards_total=10,
        shards_done=done,
        producers_total=2,
        tables_checked=done * 7,
        status=status,
    )


def test_off_a_terminal_a_line_every_few_seconds_and_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [100.0]
    monkeypatch.setattr("meshcore.cli.catalog.time.monotonic", lambda: now[0])
    log = Log()
    progress = RepairProgress(log)
    for done, at in ((1, 100.0), (2, 101.0), (3, 106.0), (4, 107.0)):
        now[0] = at
        progress(report(done))
    now[0] = 108.0
    progress(report(10, RepairStatus.SUCCEEDED))
    lines = log.getvalue().splitlines()
    assert [line.split("] ")[1].split(" shards")[0] for line in lines] == [
        "1/10",
        "3/10",
        "10/10",
    ]
    assert all(line.startswith("repair-1: [") and "tables checked" in line for line in lines)


def test_on_a_terminal_the_bar_is_redrawn_in_place() -> None:
    terminal = Terminal()
    progress = RepairProgress(terminal)
    progress(report(1))
    progress(report(2))
    assert terminal.getvalue().count("\r") == 2 and "\n" not in terminal.getvalue()
