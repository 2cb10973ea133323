"""How long a failed message stays invisible before the next attempt."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class ExponentialBackoff:
    """Exponential in the receive count, capped, with full jitter (AWS Architecture Blog,
    "Exponential Backoff And Jitter"), so a burst of failures does not return in lockstep."""

    base_seconds: float = 2.0
    max_seconds: float = 300.0
    jitter: bool = True

    def delay(self, receive_count: int) -> int:
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(receive_count - 1, 0))
        seconds = random.uniform(ceiling / 2, ceiling) if self.jitter else ceiling
        return max(1, round(seconds))
