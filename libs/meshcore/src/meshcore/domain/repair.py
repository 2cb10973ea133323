"""What a repair of the central catalog found and fixed."""

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
