"""A flood of messages nobody can verify (forged decisions, decisions and revokes for requests
that do not exist) writes at most the budget of audit entries a minute and one summary of
what was left out; every refusal is still counted, and real decisions go on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from grant_worker.handlers import handler_map
from grant_worker.records import SUPPRESSED_SUBJECT
from meshcore.domain.access import RequestState
from meshcore.messages.commands import (
    AccessDecision,
    ExpirySweep,
    RevokeCommand,
    SignedAccessDecision,
)
from meshcore.runtime.dispatch import Delivery

from .world import NOW, OWNER, World, pending, world

FORGED, UNKNOWN_DECISIONS, UNKNOWN_REVOKES = 150, 40, 110


def refused_count(w: World) -> int:
    data = w.deps.metrics.drain(Worker="grant-worker")
    return int(sum(d["Value"] for d in data if d["MetricName"] == "DecisionsRefused"))


async def signed(w: World, request_id: str, forged: bool = False, **more: Any) -> Any:
    stored = w.state.requests.get(request_id)
    decision = AccessDecision(
        request_id=request_id,
        ticket_id="FIN-1",
        decision="approve",
        approver=OWNER,
        terms_digest=stored[0].terms_digest() if stored else "0" * 64,
        issued_at=w.now[0],
        **more,
    )
    result = await w.signer.sign(decision)
    return result.model_copy(update={"signature": "AAAA"}) if forged else result


async def flood(w: World) -> int:
    """Send the flood through grant-worker's handlers; returns how many messages it was."""
    handlers = handler_map(w.deps)
    sent = 0
    for i in range(FORGED):
        forged = await signed(w, f"req-forged-{i}", forged=True)
        await handlers[SignedAccessDecision](forged, Delivery(f"f-{i}", 1))
        sent += 1
    for i in range(UNKNOWN_DECISIONS):
        unknown = await signed(w, f"req-unknown-{i}")
        await handlers[SignedAccessDecision](unknown, Delivery(f"u-{i}", 1))
        sent += 1
    for i in range(UNKNOWN_REVOKES):
        command = RevokeCommand(request_id=f"req-gone-{i}", requested_by="ops@example.com")
        await handlers[RevokeCommand](command, Delivery(f"r-{i}", 1, "AROAOPS:ops"))
        sent += 1
    return sent


async def test_a_flood_writes_at_most_the_budget_and_one_summary() -> None:
    w = await world()
    bound = w.deps.unverified_audit_per_minute
    sent = await flood(w)
    assert sent > 3 * bound
    assert len(w.audit.entries) == bound
    assert refused_count(w) == sent  # each refusal is counted, audited or not

    # The minute ends; the next message, a real approval, is preceded by the summary.
    real = w.state.add(pending())
    w.now[0] = NOW + timedelta(minutes=1)
    await handler_map(w.deps)[SignedAccessDecision](
        await signed(w, real.request_id), Delivery("real-1", 1)
    )
    assert w.state.request(real.request_id).state is RequestState.GRANTED
    flooded = [e for e in w.audit.entries if e.subject != f"request/{real.request_id}"]
    assert len(flooded) == bound + 1
    (summary,) = [e for e in flooded if e.action == "decision.refused.suppressed"]
    assert summary.subject == SUPPRESSED_SUBJECT and summary.actor == "grant-worker"
    assert summary.details["suppressed"] == sent - bound
    assert len(summary.details["samples"]) == 5
    assert summary.details["samples"][0]["reason"] in ("invalid signature", "unknown request")
    assert w.audit.actions(f"request/{real.request_id}") == ["grant.created"]
    assert w.audit.entries[-2] is summary  # before the entry that was allowed after it


async def test_the_summary_is_written_at_the_next_message_of_any_kind() -> None:
    w = await world()
    sent = await flood(w)
    w.now[0] = NOW + timedelta(minutes=15)
    await handler_map(w.deps)[ExpirySweep](ExpirySweep(sweep_id="s-1"), Delivery("s-1", 1))
    assert w.audit.actions(SUPPRESSED_SUBJECT) == ["decision.refused.suppressed"]
    assert w.audit.entries[-1].details["suppressed"] == sent - w.deps.unverified_audit_per_minute
    # Once.
    await handler_map(w.deps)[ExpirySweep](ExpirySweep(sweep_id="s-2"), Delivery("s-2", 1))
    assert w.audit.actions(SUPPRESSED_SUBJECT) == ["decision.refused.suppressed"]


async def test_refusals_of_verified_decisions_on_known_requests_are_not_budgeted() -> None:
    w = await world()
    await flood(w)
    request = w.state.add(pending())
    await w.decide(request.request_id, approver="mallory@example.com")
    assert w.audit.actions(f"request/{request.request_id}") == ["decision.refused"]
    assert "not an owner" in w.state.request(request.request_id).last_refusal
