import asyncio
from dataclasses import dataclass

import pytest

from sync_worker.coalesce import Coalescer


@dataclass(frozen=True)
class Keys:
    keys: frozenset[str]

    def merge(self, other: "Keys") -> "Keys":
        return Keys(self.keys | other.keys)


async def test_a_burst_for_one_key_costs_two_runs_and_every_key_is_seen() -> None:
    coalescer: Coalescer[Keys] = Coalescer()
    seen: list[frozenset[str]] = []

    async def run(work: Keys) -> None:
        seen.append(work.keys)
        await asyncio.sleep(0.01)

    await asyncio.gather(
        *(coalescer.submit("t", Keys(frozenset({str(i)})), run) for i in range(50))
    )
    assert coalescer.runs == 2
    assert frozenset().union(*seen) == {str(i) for i in range(50)}


async def test_different_keys_run_independently() -> None:
    coalescer: Coalescer[Keys] = Coalescer()

    async def run(work: Keys) -> None:
        await asyncio.sleep(0)

    await asyncio.gather(*(coalescer.submit(k, Keys(frozenset()), run) for k in "abc"))
    assert coalescer.runs == 3


async def test_a_failed_run_fails_every_caller_that_shared_it() -> None:
    coalescer: Coalescer[Keys] = Coalescer()
    gate = asyncio.Event()

    async def run(work: Keys) -> None:
        await gate.wait()
        if "bad" in work.keys:
            raise RuntimeError("boom")

    first = asyncio.create_task(coalescer.submit("t", Keys(frozenset({"ok"})), run))
    await asyncio.sleep(0)
    second = asyncio.create_task(coalescer.submit("t", Keys(frozenset({"bad"})), run))
    third = asyncio.create_task(coalescer.submit("t", Keys(frozenset({"x"})), run))
    await asyncio.sleep(0)
    gate.set()
    await first
    for task in (second, third):
        with pytest.raises(RuntimeError, match="boom"):
            await task


async def test_work_added_during_a_run_is_not_lost() -> None:
    coalescer: Coalescer[Keys] = Coalescer()
    seen: list[frozenset[str]] = []
    started = asyncio.Event()

    async def run(work: Keys) -> None:
        seen.append(work.keys)
        started.set()
        await asyncio.sleep(0.01)

    first = asyncio.create_task(coalescer.submit("t", Keys(frozenset({"a"})), run))
    await started.wait()
    await coalescer.submit("t", Keys(frozenset({"b"})), run)
    await first
    assert seen == [frozenset({"a"}), frozenset({"b"})]


async def test_the_first_caller_is_not_held_by_a_stream_of_later_work() -> None:
    coalescer: Coalescer[Keys] = Coalescer()
    seen: list[frozenset[str]] = []

    async def run(work: Keys) -> None:
        seen.append(work.keys)
        await asyncio.sleep(0.005)

    first = asyncio.create_task(coalescer.submit("t", Keys(frozenset({"first"})), run))
    later = []
    for i in range(20):  # work keeps arriving for the same table
        later.append(asyncio.create_task(coalescer.submit("t", Keys(frozenset({str(i)})), run)))
        await asyncio.sleep(0.004)
        if i == 5:
            assert first.done(), "the first caller must return once its own run is done"
    await asyncio.gather(first, *later)
    assert frozenset().union(*seen) == {"first", *(str(i) for i in range(20))}
