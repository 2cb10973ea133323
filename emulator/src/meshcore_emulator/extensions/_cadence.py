"""Work the embedded AWS does on its own every so often, as AWS does (SQS publishing its
metrics, CloudWatch evaluating alarms): a daemon thread calls `tick()` every `interval`
seconds; `set_interval` takes effect at once (tests shorten it), `stop` ends the thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Cadence:
    """Subclasses implement `tick(now)`; `name` names the thread and the log lines."""

    name = "cadence"
    default_interval = 60.0

    def __init__(
        self, interval: float | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.interval = self.default_interval if interval is None else interval
        self._clock = clock
        self._stop = threading.Event()
        self._wake = threading.Event()

    def tick(self, now: float | None = None) -> int:
        raise NotImplementedError

    def set_interval(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("the interval must be positive")
        self.interval = seconds
        self._wake.set()  # the next tick comes at the new cadence

    def run_in_background(self) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                self._wake.wait(self.interval)
                if self._wake.is_set():
                    self._wake.clear()
                    continue
                if self._stop.is_set():
                    return
                try:
                    self.tick()
                except Exception:  # one failed tick must never stop the thread
                    log.exception("%s: tick failed", self.name)

        threading.Thread(target=loop, name=self.name, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
