"""Every transition of a request is audited, told to the requester and saved on the version
read; a refused decision is audited and recorded on the request. A refused message nobody could
verify is audited within a budget per minute (`audit_unverified`)."""

from __future__ import annotations

from typing import Any

import structlog

from grant_worker.dependencies import ACTOR, GrantDependencies
from meshcore.domain.access import AccessRequest
from meshcore.domain.errors import NotFoundError
from meshcore.messages.commands import AccessNotification

log = structlog.get_logger()

REPLAYED = "replayed decision"


# Where the summaries of refusals left out of the audit trail are (`meshctl audit SUBJECT`).
SUPPRESSED_SUBJECT = "refusals/unverified"


def subject(request_id: str) -> str:
    return f"request/{request_id}"


async def notify(
    deps: GrantDependencies, request: AccessRequest, reason: str = "", **more: Any
) -> None:
    notification = AccessNotification.of(request, reason, **more)
    await deps.notifications.send(notification)
    if deps.ticket_updates is not None:
        await deps.ticket_updates.send(notification)


async def record(
    deps: GrantDependencies,
    moved: AccessRequest,
    version: int,
    action: str,
    actor: str,
    **details: Any,
) -> None:
    """Audit a transition and tell the requester, then save it (only on the version read).

    Audit first: if anything after it fails, the retry repeats the transition, which is better
    than a state change without its audit entry. The entry is keyed by the transition (action
    from the version read), so a retry, or a second worker racing on the same request, does not
    audit it twice; the save on the version read lets only one of them move the request.
    """
    once = f"{subject(moved.request_id)}:{action}:{version}"
    await deps.audit.record_once(once, subject(moved.request_id), action, actor, **details)
    await notify(deps, moved)
    await deps.state.save_request(moved, version)
    deps.metrics.count("RequestTransitions", State=moved.state.value)
    log.info(action, request_id=moved.request_id, state=moved.state.value)


async def refuse(
    deps: GrantDependencies, request_id: str, reason: str, actor: str, **details: Any
) -> None:
    """No grant; the attempt is audited and, when the request exists, recorded on it."""
    await deps.audit.record(
        subject(request_id), "decision.refused", actor, reason=reason, **details
    )
    deps.metrics.count("DecisionsRefused")
    log.warning("decision.refused", request_id=request_id, reason=reason)
    try:
        request, version = await deps.state.get_request(request_id)
    except NotFoundError:
        return
    # Told once per reason: a captured decision replayed (or the same refusal again) must
    # not mail the requester, the owners and the operators each time.
    if reason != REPLAYED and reason != request.last_refusal:
        await notify(deps, request, reason=f"decision refused: {reason}")
    await deps.state.save_request(request.model_copy(update={"last_refusal": reason}), version)


async def audit_unverified(
    deps: GrantDependencies, request_id: str, reason: str, actor: str, **details: Any
) -> None:
    """Refuse a message nothing of which was verified: a decision whose signature does not
    verify, a decision or revoke for a request that does not exist. Whoever can post to the
    queue can send these as fast as they like, so they are audited within
    `deps.unverified_audit`'s budget a minute; past it they are counted, and one summary entry
    (`decision.refused.suppressed`) says how many were left out. Each is counted in
    `DecisionsRefused` (alarmed on) and logged either way; nothing is changed or notified."""
    admitted = deps.unverified_audit.admit(request_id=request_id, reason=reason, actor=actor)
    if admitted:
        await audit_suppressed(deps)
        await deps.audit.record(
            subject(request_id), "decision.refused", actor, reason=reason, **details
        )
    deps.metrics.count("DecisionsRefused")
    log.warning("decision.refused", request_id=request_id, reason=reason, audited=admitted)


async def audit_suppressed(deps: GrantDependencies) -> None:
    """Write the summary of refusals left out of the audit trail in a minute that has ended,
    if any (grant-worker asks at every message it handles)."""
    summary = deps.unverified_audit.summary()
    if summary is None:
        return
    try:
        await deps.audit.record(
            SUPPRESSED_SUBJECT, "decision.refused.suppressed", ACTOR, **summary.details()
        )
    except BaseException:
        deps.unverified_audit.put_back(summary)  # the next message tries again
        raise
    log.warning("decision.refused.suppressed", suppressed=summary.count)
