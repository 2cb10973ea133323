"""Undoing a grant: a revoke decision or command, and the expiry sweep."""

from __future__ import annotations

import structlog

from grant_worker.delivery import withdraw
from grant_worker.dependencies import ACTOR, GrantDependencies
from grant_worker.records import audit_unverified, record, refuse
from meshcore.domain.access import AccessRequest, RequestState
from meshcore.domain.errors import ConflictError, NotFoundError
from meshcore.domain.grants import request_grants
from meshcore.messages.commands import ExpirySweep, RevokeCommand
from meshcore.runtime.dispatch import Delivery


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


def revoker(command: RevokeCommand, delivery: Delivery) -> str:
    """Who revokes, for the audit: the name in the body is only a claim; the sender SQS
    reports (an IAM user id, or a role id and session) is who sent it."""
    return f"{command.requested_by} (sent by {delivery.sender_id or 'an unknown sender'})"


async def on_revoke_command(
    command: RevokeCommand, delivery: Delivery, deps: GrantDependencies
) -> None:
    structlog.contextvars.bind_contextvars(request_id=command.request_id, decision="revoke")
    actor = revoker(command, delivery)
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
    expired = failed = 0
    for request in await deps.state.list_requests():
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
    structlog.contextvars.bind_contextvars(sweep_id=sweep.sweep_id, expired=expired, failed=failed)
