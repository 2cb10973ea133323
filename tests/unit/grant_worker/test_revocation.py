"""Revocation and expiry in process, with the fakes: exactly what was granted is undone, and
the resource links meshcore made, except those another grant still uses."""

from __future__ import annotations

from datetime import timedelta

from grant_worker.revocation import on_expiry_sweep, on_revoke_command
from meshcore.domain.access import RequestState
from meshcore.messages.commands import ExpirySweep, RevokeCommand
from meshcore.runtime.dispatch import Delivery

from .world import INVOICES, NOW, PAYMENTS, World, pending, permissions, world


async def granted(w: World, **more: object) -> str:
    request = w.state.add(pending(**more))
    await w.decide(request.request_id, message_id=f"approve-{request.request_id}")
    assert w.state.request(request.request_id).grants_applied
    return request.request_id


async def test_a_revoke_decision_undoes_the_grant_and_its_links() -> None:
    w = await world()
    request_id = await granted(w)
    await w.decide(request_id, decision="revoke", message_id="revoke-1")
    revoked = w.state.request(request_id)
    assert revoked.state is RequestState.REVOKED
    assert await permissions(w) == set()
    assert w.consumer.links == [] and w.consumer.catalog.databases == {}
    assert w.audit.actions() == ["grant.created", "grant.revoked"]
    assert w.notified() == ["granted", "revoked"]


async def test_an_operator_revoke_is_applied_once() -> None:
    w = await world()
    request_id = await granted(w)
    command = RevokeCommand(request_id=request_id, requested_by="ops@example.com")
    sent = Delivery("m-9", 1, "AROAOPERATOR:ada")
    await on_revoke_command(command, sent, w.deps)
    await on_revoke_command(command, sent, w.deps)  # redelivered
    assert w.state.request(request_id).state is RequestState.REVOKED
    assert w.audit.actions() == ["grant.created", "grant.revoked"]
    # The name is a claim; the sender SQS reports is who sent it.
    assert w.audit.entries[-1].actor == "ops@example.com (sent by AROAOPERATOR:ada)"


async def test_revoking_what_is_not_granted_is_refused() -> None:
    w = await world()
    request = w.state.add(pending())
    sent = Delivery("m-9", 1, "AROAOPERATOR:ada")
    await on_revoke_command(
        RevokeCommand(request_id=request.request_id, requested_by="o"), sent, w.deps
    )
    await on_revoke_command(RevokeCommand(request_id="req-unknown", requested_by="o"), sent, w.deps)
    assert w.state.request(request.request_id).state is RequestState.PENDING
    reasons = [e.details["reason"] for e in w.audit.entries]
    assert reasons == ["request is pending, not granted", "unknown request"]


async def test_the_sweep_expires_only_what_expired() -> None:
    w = await world()
    short = await granted(w, duration_days=1)
    long = await granted(w, tables=[PAYMENTS], duration_days=30)
    w.now[0] = NOW + timedelta(days=2)
    await on_expiry_sweep(ExpirySweep(sweep_id="s-1"), w.deps)
    assert w.state.request(short).state is RequestState.EXPIRED
    assert w.state.request(long).state is RequestState.GRANTED
    assert {name for _kind, name, _p in await permissions(w)} == {"payments"}
    assert w.consumer.links == [str(PAYMENTS)]
    assert w.audit.actions(f"request/{short}") == ["grant.created", "grant.expired"]
    assert w.audit.entries[-1].actor == "grant-worker (expiry)"


async def test_a_link_another_granted_request_uses_is_kept() -> None:
    w = await world()
    first = await granted(w)
    second = await granted(w, principal_arn="arn:aws:iam::444444444444:role/analyst")
    await w.decide(first, decision="revoke", message_id="revoke-1")
    assert w.state.request(second).resource_links == [str(INVOICES)]
    assert w.consumer.links == [str(INVOICES)]
