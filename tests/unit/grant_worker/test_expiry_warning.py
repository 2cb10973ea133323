"""The expiry sweep warns the requester once when granted access ends within the warning
window, and records that it did."""

from __future__ import annotations

from datetime import timedelta

from grant_worker.revocation import on_expiry_sweep
from meshcore.domain.access import RequestState
from meshcore.messages.commands import AccessNotification, ExpirySweep

from .world import NOW, PAYMENTS, World, pending, world


async def granted(w: World, **more: object) -> str:
    request = w.state.add(pending(requested_by="analyst@consumer.example.com", **more))
    await w.decide(request.request_id, message_id=f"approve-{request.request_id}")
    return request.request_id


def warnings(w: World) -> list[AccessNotification]:
    return [
        m
        for m in w.notifications.sent
        if isinstance(m, AccessNotification) and m.expiring_in_days is not None
    ]


async def test_access_ending_within_the_window_is_warned_once() -> None:
    w = await world()
    soon = await granted(w, duration_days=10)
    later = await granted(w, tables=[PAYMENTS], duration_days=60)
    w.now[0] = NOW + timedelta(days=4)  # 6 days left of `soon`, 56 of `later`
    await on_expiry_sweep(ExpirySweep(sweep_id="s-1"), w.deps)
    await on_expiry_sweep(ExpirySweep(sweep_id="s-2"), w.deps)
    (warning,) = warnings(w)
    assert (warning.request_id, warning.expiring_in_days, warning.state) == (soon, 6, "granted")
    assert warning.requested_by == "analyst@consumer.example.com"
    assert w.state.request(soon).expiry_warned_at == NOW + timedelta(days=4)
    assert w.state.request(soon).state is RequestState.GRANTED
    assert w.state.request(later).expiry_warned_at is None


async def test_nothing_is_warned_outside_the_window_or_after_expiry() -> None:
    w = await world()
    request_id = await granted(w, duration_days=30)
    w.now[0] = NOW + timedelta(days=10)
    await on_expiry_sweep(ExpirySweep(sweep_id="s-1"), w.deps)
    assert warnings(w) == []
    w.now[0] = NOW + timedelta(days=31)  # expired before any sweep saw it within the window
    await on_expiry_sweep(ExpirySweep(sweep_id="s-2"), w.deps)
    assert warnings(w) == []
    assert w.state.request(request_id).state is RequestState.EXPIRED
