"""One format for times: ISO 8601, UTC, to the second, with Z."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from meshcore.cli.access import _detail
from meshcore.domain.times import timestamp


def test_every_time_is_written_in_utc_to_the_second_with_z() -> None:
    moment = datetime(2026, 12, 2, 13, 50, 11, 654321, tzinfo=UTC)
    assert timestamp(moment) == "2026-12-02T13:50:11Z"
    paris = moment.astimezone(timezone(timedelta(hours=1)))
    assert timestamp(paris) == "2026-12-02T13:50:11Z"
    assert timestamp(moment.replace(tzinfo=None)) == "2026-12-02T13:50:11Z"


def test_audit_details_read_as_json_not_python() -> None:
    assert _detail(["ar__fx.rates", "ar__fx.spots"]) == '["ar__fx.rates","ar__fx.spots"]'
    assert _detail({"a": 1}) == '{"a":1}'
    assert _detail(True) == "true"
    assert _detail("approved by ada") == "approved by ada"
