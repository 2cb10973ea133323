"""Worker chaos: SIGKILL a random worker at random moments and start a new one in its place."""

from __future__ import annotations

import random
import threading
from collections import Counter

from .conftest import Stack

KINDS = ("sync-worker", "classifier", "grant-worker")


class Chaos:
    def __init__(self, stack: Stack, seed: int, pause: tuple[float, float] = (1.0, 4.0)) -> None:
        self.stack = stack
        self.rng = random.Random(seed)
        self.pause = pause
        self.kills: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chaos", daemon=True)
        self._generation = 0
        self.error: BaseException | None = None

    def __enter__(self) -> Chaos:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        if self.error:
            raise self.error

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.rng.uniform(*self.pause)):
                self.kill_one()
        except BaseException as exc:  # surfaced by stop()
            self.error = exc

    def kill_one(self) -> None:
        name = self.rng.choice(sorted(self.stack.workers))
        kind = next(k for k in KINDS if name.startswith(k))
        self.stack.kill(name)
        self.kills[kind] += 1
        self._generation += 1
        self.stack.start(kind, f"{kind}-g{self._generation}")

    def describe(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.kills.items()))
        return f"{sum(self.kills.values())} SIGKILLs ({kinds}), each followed by a restart"
