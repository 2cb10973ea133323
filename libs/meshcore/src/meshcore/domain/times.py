"""One way to write a time for people and scripts: ISO 8601, UTC, to the second, with `Z`
(`2026-12-02T13:50:11Z`), in meshctl's tables and JSON alike."""

from __future__ import annotations

from datetime import UTC, datetime


def timestamp(moment: datetime) -> str:
    """`moment` in UTC as ISO 8601 to the second; a naive time is taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
