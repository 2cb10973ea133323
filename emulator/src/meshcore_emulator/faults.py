"""Fault injection: throttling, server errors and latency on chosen API calls.

Rules are evaluated in the order they were added. Every matching latency rule
that fires adds its delay; the first matching throttle or server_error rule
that fires answers the call instead of moto.

A fixed latency on every call (``python -m meshcore_emulator --latency-ms 30``, or per service:
``--latency-ms glue=30,sqs=10``) is a latency rule like any other, added at start and again after
each reset. The delay is slept in the request's own thread, before moto answers and outside
every lock of the emulator, so concurrent calls wait at the same time, as they do against AWS.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from .calls import AwsCall

FaultKind = Literal["throttle", "server_error", "latency"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)


@dataclass
class Fault:
    """One injection rule. ``count`` caps how many times it fires (None = no cap)."""

    service: str = "*"
    operation: str = "*"
    kind: FaultKind = "throttle"
    rate: float = 1.0
    count: int | None = None
    latency_ms: int = 0
    injected: int = field(default=0)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}, not {self.kind!r}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, not {self.rate}")
        if self.count is not None and self.count < 0:
            raise ValueError(f"count must be None or >= 0, not {self.count}")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must be >= 0, not {self.latency_ms}")

    @property
    def exhausted(self) -> bool:
        return self.count is not None and self.injected >= self.count

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    """What to do with one call: wait ``delay_ms``, then fail with ``error_kind`` if set."""

    delay_ms: int = 0
    error_kind: FaultKind | None = None


class FaultInjector:
    """Thread-safe set of fault rules shared by every request thread."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._random = random.Random(seed)

    def add(
        self,
        service: str = "*",
        operation: str = "*",
        kind: FaultKind = "throttle",
        rate: float = 1.0,
        count: int | None = None,
        latency_ms: int = 0,
    ) -> Fault:
        fault = Fault(service, operation, kind, float(rate), count, int(latency_ms))
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self, kind: str | None = None) -> None:
        """Remove every rule, or only the rules of ``kind``."""
        if kind is not None and kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}, not {kind!r}")
        with self._lock:
            self._faults[:] = [f for f in self._faults if kind is not None and f.kind != kind]

    def seed(self, value: int | None) -> None:
        """Make the ``rate`` draws reproducible."""
        with self._lock:
            self._random.seed(value)

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def decide(self, call: AwsCall) -> Decision:
        delay_ms = 0
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or not call.matches(fault.service, fault.operation):
                    continue
                if self._random.random() >= fault.rate:
                    continue
                fault.injected += 1
                if fault.kind == "latency":
                    delay_ms += fault.latency_ms
                    continue
                return Decision(delay_ms, fault.kind)
        return Decision(delay_ms)


def parse_latency(spec: str) -> dict[str, int]:
    """``"30"`` (every service) or ``"glue=30,sqs=10"`` (per service) -> {service: ms}."""
    latency: dict[str, int] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        service, _, ms = part.rpartition("=")
        try:
            value = int(ms)
        except ValueError:
            raise ValueError(f"latency must be MS or SERVICE=MS, not {part!r}") from None
        if value < 0:
            raise ValueError(f"latency must be >= 0 ms, not {value}")
        latency[service.strip().lower() or "*"] = value
    return latency
