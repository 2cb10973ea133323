"""Revocation and expiry in process, with the fakes: exactly what was granted is undone, and
the resource links meshcore made, except those another grant still uses."""

from __future__ import annotations

from datetime import timedelta

from grant_worker.revocation import on_expiry_sweep, on_revoke_command, on_unsigned_revoke
from meshcore.domain.access import RequestState
from meshcore.messages.commands import (
    AccessDecision,
    ExpirySweep,
    RevokeCommand,
    SignedRevokeCommand,
)
from meshcore.runtime.dispatch import Delivery

from ...fakes.signing import FakeRevokeSigner
from .world import INVOICES, NOW, OWNER, PAYMENTS, World, pending, permissions, world


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


OPERATOR = "AROAOPERATOR:ada"


async def test_a_signed_operator_revoke_is_applied_once() -> None:
    w = await world()
    request_id = await granted(w)
    signed = await w.revoke_signer.sign(
        RevokeCommand(request_id=request_id, requested_by="ops@example.com")
    )
    sent = Delivery("m-9", 1, OPERATOR)
    await on_revoke_command(signed, sent, w.deps)
    await on_revoke_command(signed, sent, w.deps)  # redelivered
    assert w.state.request(request_id).state is RequestState.REVOKED
    assert await permissions(w) == set()
    assert w.audit.actions() == ["grant.created", "grant.revoked"]
    # The name is the operator's word; the key proves the operator role signed it, and SQS
    # says who sent it.
    assert w.audit.entries[-1].actor == (
        "ops@example.com (signed by arn:aws:iam::123456789012:role/meshcore-operator, "
        "sent by AROAOPERATOR:ada)"
    )


async def test_an_unsigned_revoke_is_refused_audited_and_changes_nothing() -> None:
    w = await world()
    request_id = await granted(w)
    before = await permissions(w)
    command = RevokeCommand(request_id=request_id, requested_by="ops@example.com")
    await on_unsigned_revoke(command, Delivery("m-9", 1, "AIDAINTRUDER"), w.deps)
    assert w.state.request(request_id).state is RequestState.GRANTED
    assert await permissions(w) == before
    assert w.consumer.links == [str(INVOICES)]
    refused = w.audit.entries[-1]
    assert (refused.action, refused.details["reason"], refused.details["signature"]) == (
        "decision.refused",
        "invalid signature",
        "unsigned",
    )
    assert refused.actor == "unverified (ops@example.com, sent by AIDAINTRUDER)"
    assert w.notified() == ["granted"]  # an unauthenticated message notifies nobody
    assert w.deps.metrics._counts[("DecisionsRefused", ())] == 1


async def forged(w: World, request_id: str) -> list[SignedRevokeCommand]:
    command = RevokeCommand(request_id=request_id, requested_by="ops@example.com")
    other_key = await FakeRevokeSigner().sign(command)
    valid = await w.revoke_signer.sign(command)
    # A valid MAC over another revoke, a decision key's MAC, and a signature that is not base64.
    retargeted = valid.model_copy(
        update={"revoke": command.model_copy(update={"reason": "another reason"})}
    )
    decision_mac = await w.signer.sign(
        AccessDecision(
            request_id=request_id,
            ticket_id="FIN-1",
            decision="revoke",
            approver=OWNER,
            terms_digest=w.state.request(request_id).terms_digest(),
            issued_at=NOW,
        )
    )
    return [
        other_key,
        retargeted,
        valid.model_copy(update={"signature": decision_mac.signature}),
        valid.model_copy(update={"signature": "not base64!"}),
    ]


async def test_a_forged_revoke_is_refused_audited_and_changes_nothing() -> None:
    w = await world()
    request_id = await granted(w)
    before = await permissions(w)
    for n, signed in enumerate(await forged(w, request_id)):
        await on_revoke_command(signed, Delivery(f"m-{n}", 1, OPERATOR), w.deps)
    assert w.state.request(request_id).state is RequestState.GRANTED
    assert await permissions(w) == before
    refusals = [e for e in w.audit.entries if e.action == "decision.refused"]
    assert [(e.details["reason"], e.details["signature"]) for e in refusals] == [
        ("invalid signature", "forged")
    ] * 4
    assert all(e.actor.startswith("unverified (ops@example.com") for e in refusals)
    assert w.notified() == ["granted"]


async def test_revoking_what_is_not_granted_is_refused() -> None:
    w = await world()
    request = w.state.add(pending())
    sent = Delivery("m-9", 1, OPERATOR)
    sign = w.revoke_signer.sign
    await on_revoke_command(
        await sign(RevokeCommand(request_id=request.request_id, requested_by="o")), sent, w.deps
    )
    await on_revoke_command(
        await sign(RevokeCommand(request_id="req-unknown", requested_by="o")), sent, w.deps
    )
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
