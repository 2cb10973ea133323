"""Undoing a grant: a revoke decision or an operator's signed revoke, and the expiry sweep."""

from __future__ import annotations

from datetime import datetime

import structlog

from grant_worker.delivery import withdraw
from grant_worker.dependencies import ACTOR, GrantDependencies
from grant_worker.records import audit_unverified, notify, record, refuse
from meshcore.domain.access import AccessRequest, RequestState
from meshcore.domain.errors import ConflictError, NotFoundError
from meshcore.domain.grants import request_grants
from meshcore.messages.commands import ExpirySweep, RevokeCommand, SignedRevokeCommand
from meshcore.runtime.dispatch import Delivery

log = structlog.get_logger()


async def revoke(
    deps: GrantDependencies,
    request: AccessRequest,
    version: int,
    to: RequestState,
    reason: str,
    actor: str,
) -> None:
    """Undo exactly what was recorded as granted, and the resource links (idempotent)."""
    moved = request.transition(to, reason)  # refuses unless granted
    await withdraw(request, deps.state, deps.consumer_access, deps.catalog_id)
    await deps.lakeformation.revoke(request_grants(request, deps.catalog_id))
    action = "grant.expired" if to is RequestState.EXPIRED else "grant.revoked"
    await record(
        deps,
        moved,
        version,
        action,
        actor,
        grantee=request.grantee,
        tables=[str(t) for t in request.granted_tables],
        resource_links=request.resource_links,
        reason=reason,
    )


# -- operator revokes and the expiry sweep -------------------------------------------------------


def sender(delivery: Delivery) -> str:
    """The sender SQS reports (an IAM user id, or a role id and session): no body can claim it."""
    return delivery.sender_id or "an unknown sender"


def revoker(command: RevokeCommand, signer: str, delivery: Delivery) -> str:
    """Who revokes, for the audit: the name in the body is signed but still the operator's
    word; the signature proves the operator role made it and SQS says who sent it."""
    return f"{command.requested_by} (signed by {signer or 'the operator role'}, sent by {sender(delivery)})"


async def on_unsigned_revoke(
    command: RevokeCommand, delivery: Delivery, deps: GrantDependencies
) -> None:
    """A bare revoke: nobody vouches for it. Audited, and it changes and notifies nothing."""
    structlog.contextvars.bind_contextvars(request_id=command.request_id, decision="revoke")
    await refuse_unverified_revoke(deps, command, delivery, "unsigned")


async def refuse_unverified_revoke(
    deps: GrantDependencies, command: RevokeCommand, delivery: Delivery, why: str
) -> None:
    """Within the audit budget of unverified messages (`audit_unverified`)."""
    await audit_unverified(
        deps,
        command.request_id,
        "invalid signature",
        f"unverified ({command.requested_by}, sent by {sender(delivery)})",
        decision="revoke",
        signature=why,
    )


async def on_revoke_command(
    signed: SignedRevokeCommand, delivery: Delivery, deps: GrantDependencies
) -> None:
    command = signed.revoke
    structlog.contextvars.bind_contextvars(request_id=command.request_id, decision="revoke")
    if not await deps.revoke_verifier.verify(signed):
        await refuse_unverified_revoke(deps, command, delivery, "forged")
        return
    actor = revoker(command, deps.revoke_verifier.signer, delivery)
    try:
        request, version = await deps.state.get_request(command.request_id)
    except NotFoundError:
        await audit_unverified(deps, command.request_id, "unknown request", actor)
        return
    if request.state is RequestState.REVOKED:
        return  # done already (redelivery)
    if not request.can_become(RequestState.REVOKED):
        await refuse(
            deps, request.request_id, f"request is {request.state.value}, not granted", actor
        )
        return
    await revoke(deps, request, version, RequestState.REVOKED, command.reason, actor)


async def on_expiry_sweep(sweep: ExpirySweep, deps: GrantDependencies) -> None:
    now = deps.clock()
    expired = failed = warned = 0
    for request in await deps.state.list_requests():
        if request.due_expiry_warning(now, deps.expiry_warning_days):
            warned += await warn_expiry(deps, request.request_id, now)
        if not request.is_expired(now):
            continue
        current, version = await deps.state.get_request(request.request_id)
        if not current.is_expired(now):
            continue
        try:
            await revoke(
                deps, current, version, RequestState.EXPIRED, "access expired", f"{ACTOR} (expiry)"
            )
        except ConflictError:
            continue  # another worker moved it first
        expired += 1
    structlog.contextvars.bind_contextvars(
        sweep_id=sweep.sweep_id, expired=expired, failed=failed, warned=warned
    )


async def warn_expiry(deps: GrantDependencies, request_id: str, now: datetime) -> int:
    """Tell the requester, once, that access ends within `expiry_warning_days`: the warning
    is recorded on the request (on the version read) after it was sent, so a crash between
    the two sends it again rather than never. 1 when warned now."""
    current, version = await deps.state.get_request(request_id)
    if not current.due_expiry_warning(now, deps.expiry_warning_days):
        return 0
    await notify(deps, current, reason="access ends soon", expiring_in_days=current.days_left(now))
    try:
        await deps.state.save_request(current.model_copy(update={"expiry_warned_at": now}), version)
    except ConflictError:
        return 0  # another worker moved it first (and warned, or will)
    log.info("grant.expiry-warned", request_id=request_id, expires_at=str(current.expires_at))
    return 1
