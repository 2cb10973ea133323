"""What a repair of the central catalog found and fixed, assembled from its shards' results."""

from __future__ import annotations

import enum
from collections import Counter
from datetime import UTC, datetime

from pydantic import BaseModel, Field

MAX_ERRORS_KEPT = 100


class RepairStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # finished, but some producers or objects could not be compared


class RepairReport(BaseModel):
    repair_id: str
    producer_account: str | None = None
    status: RepairStatus = RepairStatus.RUNNING
    started_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    producers_total: int = 0
    producers_done: int = 0
    databases_checked: int = 0
    tables_checked: int = 0
    # "<kind>.<fix>" -> count, e.g. "table.created", "partition.deleted", "database.updated"
    drift: dict[str, int] = Field(default_factory=dict)
    errors: list[str] = Field(default_factory=list)
    errors_dropped: int = 0
    # A repair runs as shards (per producer, per database, per page of tables) any worker takes.
    shards_total: int = 0
    shards_done: int = 0

    @property
    def drift_total(self) -> int:
        return sum(self.drift.values())

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def note_error(self, error: str) -> None:
        """Keep the first errors in full and count the rest (the report is one DynamoDB item)."""
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error[:500])
        else:
            self.errors_dropped += 1

    def add_drift(self, changes: Counter[str]) -> None:
        for key, count in changes.items():
            self.drift[key] = self.drift.get(key, 0) + count


class ShardLevel(enum.StrEnum):
    PLAN = "plan"  # the repair command itself: which producers
    PRODUCER = "producer"  # one producer: its databases, and central ones it no longer has
    DATABASE = "database"  # one database: the database, then its tables (or their pages)
    TABLES = "tables"  # one page of a database's tables, by name
    REPORT = "report"  # not a shard: the claim of the one worker that tells the run finished


class RepairShardResult(BaseModel):
    """What one shard of a repair did, recorded once under its shard id (a redelivered shard
    that finds its result recorded does nothing again, so nothing is counted twice).

    `children` are the ids of the shards it sent: the repair is done when every shard named
    by the plan and by a recorded result has its own result."""

    shard_id: str
    level: ShardLevel
    children: list[str] = Field(default_factory=list)
    databases_checked: int = 0
    tables_checked: int = 0
    drift: dict[str, int] = Field(default_factory=dict)
    errors: list[str] = Field(default_factory=list)
    finished_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


PLAN_SHARD = "plan"
REPORT_CLAIM = "report"


def outstanding(results: list[RepairShardResult]) -> set[str]:
    """The shards named (by the plan and by recorded results) whose result is not recorded."""
    done = {r.shard_id for r in results}
    expected = {PLAN_SHARD} | {c for r in results for c in r.children}
    return expected - done


def assemble(header: RepairReport, results: list[RepairShardResult]) -> RepairReport:
    """The run's report from its shards' results: finished when no shard is outstanding.

    Only the shards the plan and the recorded results name count (a page sent by an attempt
    that crashed before recording, and re-planned differently, is not counted twice)."""
    report = header.model_copy(deep=True)
    expected = {PLAN_SHARD} | {c for r in results for c in r.children}
    counted = sorted((r for r in results if r.shard_id in expected), key=lambda r: r.shard_id)
    report.producers_done = sum(1 for r in counted if r.level is ShardLevel.PRODUCER)
    report.databases_checked = sum(r.databases_checked for r in counted)
    report.tables_checked = sum(r.tables_checked for r in counted)
    report.drift, report.errors, report.errors_dropped = {}, list(header.errors), 0
    for result in counted:
        report.add_drift(Counter(result.drift))
        for error in result.errors:
            report.note_error(error)
    report.shards_total = len(expected)
    report.shards_done = len(counted)
    if not outstanding(results):
        report.finished_at = max((r.finished_at for r in counted), default=header.started_at)
        report.status = RepairStatus.FAILED if report.errors else RepairStatus.SUCCEEDED
    return report
