"""EventBridge schedule rules fire.

In AWS a rule with ``ScheduleExpression`` ``rate(N minute|minutes|hour|hours|day|days)`` on the
default bus sends a "Scheduled Event" (source ``aws.events``, the rule's ARN in ``resources``,
empty ``detail``) to its targets every N units, the first time one period after the rule is
created ("Creating an Amazon EventBridge rule that runs on a schedule", EventBridge User Guide).
A schedule rule has no event pattern and matches no other event. moto accepts such rules, never
fires them, and lets them match every event on the bus; this module makes them ignore events
and a scheduler fire them, from a daemon thread (``tick(now)`` lets tests advance time). Cron
expressions are not fired.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from moto.events.models import Rule, events_backends

from ._patching import wrap_method

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def install() -> None:
    wrap_method(Rule, "send_to_targets", _only_scheduled_events)


def _only_scheduled_events(original: Any, rule: Rule, event: Any, *args: Any, **kw: Any) -> Any:
    if rule.scheduled_expression and not _is_firing_of(rule, event):
        return None
    return original(rule, event, *args, **kw)


def _is_firing_of(rule: Rule, event: Any) -> bool:
    return (
        event.get("source") == "aws.events"
        and event.get("detail-type") == "Scheduled Event"
        and rule.arn in event.get("resources", [])
    )


def period_seconds(expression: str | None) -> int | None:
    match = _RATE.match(expression or "")
    if not match:
        return None
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]


class Scheduler:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.fired = 0

    def tick(self, now: float | None = None) -> int:
        """Fire every rule that is due at `now`; returns how many fired."""
        now = self._clock() if now is None else now
        fired = 0
        with self._lock:
            for rule in _schedule_rules():
                period = period_seconds(rule.scheduled_expression)
                if period is None or rule.state != "ENABLED":
                    continue
                due = self._next.setdefault(rule.arn, now + period)
                if now >= due:
                    self._next[rule.arn] = now + period
                    rule.send_to_targets(_scheduled_event(rule, now))
                    fired += 1
            self.fired += fired
        return fired

    def forget(self) -> None:
        with self._lock:
            self._next.clear()

    def run_in_background(self, interval: float = 1.0) -> None:
        def loop() -> None:
            while not self._stop.wait(interval):
                self.tick()

        threading.Thread(target=loop, name="eventbridge-schedules", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


def _schedule_rules() -> list[Any]:
    rules = []
    for account_backends in list(events_backends.values()):
        for backend in list(account_backends.values()):
            bus = backend.event_buses.get("default")
            if bus is not None:
                rules += [r for r in list(bus.rules.values()) if r.scheduled_expression]
    return rules


def _scheduled_event(rule: Any, now: float) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": rule.account_id,
        "time": now,  # moto renders epoch seconds as ISO-8601 on delivery
        "region": rule.region_name,
        "resources": [rule.arn],
        "detail": {},
        "ingestion-time": now,  # moto's template parser expects it, as for put_events
    }
