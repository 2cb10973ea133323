"""Coalesce work on the same table: a burst of events costs about one convergence.

Work for a key accumulates while a convergence of that key runs; when it ends, one more run
takes everything that arrived meanwhile. Each caller returns once a run that started after its
work was added has finished (so it has seen state at least as new as its event), and shares
that run's failure if it fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, Protocol, Self, TypeVar

from meshcore.domain.errors import RetryableError


class Mergeable(Protocol):
    def merge(self, other: Self) -> Self: ...


W = TypeVar("W", bound=Mergeable)


@dataclass
class _Slot(Generic[W]):
    pending: W | None = None
    started: int = 0
    running: bool = False
    done: dict[int, asyncio.Event] = field(default_factory=dict)
    errors: dict[int, BaseException] = field(default_factory=dict)

    def finish(self, generation: int, error: BaseException | None) -> None:
        if error is not None:
            self.errors[generation] = error
        self.done.setdefault(generation, asyncio.Event()).set()


class Coalescer(Generic[W]):
    def __init__(self) -> None:
        self._slots: dict[Hashable, _Slot[W]] = {}
        self._continuations: set[asyncio.Task[None]] = set()
        self.runs = 0  # convergences actually run (for metrics and benchmarks)

    async def submit(self, key: Hashable, work: W, run: Callable[[W], Awaitable[None]]) -> None:
        slot = self._slots.setdefault(key, _Slot())
        slot.pending = work if slot.pending is None else slot.pending.merge(work)
        mine = slot.started + 1  # the next run to start takes this work
        done = slot.done.setdefault(mine, asyncio.Event())
        if not slot.running:
            await self._drive(key, slot, run, until=mine)
        await done.wait()
        if (error := slot.errors.get(mine)) is not None:
            raise error

    async def _drive(
        self, key: Hashable, slot: _Slot[W], run: Callable[[W], Awaitable[None]], until: int | None
    ) -> None:
        """Run merged work for `key`; a caller drives only up to its own run (`until`), so a
        hot table never holds one message in flight, and hands the rest to a task of its own."""
        slot.running = True
        try:
            while slot.pending is not None and (until is None or slot.started < until):
                work, slot.pending = slot.pending, None
                slot.started += 1
                self.runs += 1
                try:
                    await run(work)
                except Exception as exc:
                    slot.finish(slot.started, exc)
                else:
                    slot.finish(slot.started, None)
        except asyncio.CancelledError:
            # Shutting down: fail this run and whatever is pending so that no caller waits forever.
            interrupted = RetryableError("interrupted by shutdown")
            slot.finish(slot.started, interrupted)
            if slot.pending is not None:
                slot.finish(slot.started + 1, interrupted)
                slot.pending = None
            raise
        finally:
            if slot.pending is not None:
                task = asyncio.create_task(self._drive(key, slot, run, until=None))
                self._continuations.add(task)
                task.add_done_callback(self._continuations.discard)
            else:
                slot.running = False
                if self._slots.get(key) is slot:
                    del self._slots[key]
