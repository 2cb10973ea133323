"""grant-worker: verify a decision, then grant, reject or revoke; audit and notify every step.

Every handler is idempotent: a redelivered message finds the request already moved and does
nothing more, and a crash between granting and recording converges when the message returns
(grants and resource links are idempotent; the state moves only on the version it read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import structlog
from pydantic import BaseModel

from grant_worker.delivery import ConsumerAccess, deliver, withdraw
from grant_worker.grants import excluded_columns, grant_entries, unregistered
from grant_worker.verify import Refusal, check_decision
from meshcore.aws.audit import AuditLog
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.lakeformation import LakeFormation
from meshcore.aws.queues import QueueSender
from meshcore.aws.signing import DecisionSigner, decision_digest
from meshcore.aws.state import StateStore
from meshcore.domain.access import AccessRequest, RequestState, TableName
from meshcore.domain.errors import ConflictError, NotFoundError
from meshcore.domain.naming import split_central_database_name
from meshcore.messages.commands import (
    AccessNotification,
    ExpirySweep,
    RevokeCommand,
    SignedAccessDecision,
)
from meshcore.runtime.dispatch import Delivery, HandlerMap
from meshcore.runtime.metrics import Metrics

log = structlog.get_logger()
ACTOR = "grant-worker"


class DecisionClaim(BaseModel):
    message_id: str
    request_id: str


@dataclass
class GrantDependencies:
    state: StateStore
    audit: AuditLog
    signer: DecisionSigner
    lakeformation: LakeFormation
    catalog: GlueCatalog  # the central catalog
    notifications: QueueSender
    consumer_access: ConsumerAccess
    catalog_id: str
    metrics: Metrics
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


def subject(request_id: str) -> str:
    return f"request/{request_id}"


async def notify(deps: GrantDependencies, request: AccessRequest, reason: str = "") -> None:
    await deps.notifications.send(
        AccessNotification(
            request_id=request.request_id,
            consumer_account=request.consumer_account,
            state=request.state.value,
            reason=reason or request.state_reason,
            ticket_id=request.ticket_id,
            tables=request.tables,
        )
    )


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
    await notify(deps, request, reason=f"decision refused: {reason}")
    await deps.state.save_request(request.model_copy(update={"last_refusal": reason}), version)


async def owners_by_table(
    state: StateStore, tables: list[TableName], domain: str | None = None
) -> dict[TableName, list[str]]:
    """Owners per table; a domain request's owners are under the table `<domain>.*`."""
    owners: dict[TableName, list[str]] = {}
    if domain is not None:
        producer = await state.producer_for_domain(domain)
        owners[TableName(database=domain, table="*")] = producer.owners if producer else []
    for table in tables:
        domain, _source = split_central_database_name(table.database)
        producer = await state.producer_for_domain(domain)
        owners[table] = producer.owners if producer else []
    return owners


# -- signed decisions ---------------------------------------------------------------------------


PRE_STATE = {
    "approve": RequestState.PENDING,
    "reject": RequestState.PENDING,
    "revoke": RequestState.GRANTED,
}
OUTCOME = {
    "approve": RequestState.GRANTED,
    "reject": RequestState.REJECTED,
    "revoke": RequestState.REVOKED,
}


def already_applied(request: AccessRequest, signed: SignedAccessDecision) -> bool:
    """The decision's outcome is already on the request (a redelivery after success)."""
    decision = signed.decision
    done = request.state is OUTCOME[decision.decision] and request.ticket_id == decision.ticket_id
    return done and (decision.decision != "approve" or request.grants_applied)


def interrupted_grant(request: AccessRequest, signed: SignedAccessDecision) -> bool:
    """This approval was recorded but its grants were not finished (a crash in between)."""
    return (
        signed.decision.decision == "approve"
        and request.state is RequestState.GRANTED
        and request.ticket_id == signed.decision.ticket_id
        and not request.grants_applied
    )


async def on_decision(
    signed: SignedAccessDecision, delivery: Delivery, deps: GrantDependencies
) -> None:
    decision = signed.decision
    structlog.contextvars.bind_contextvars(
        request_id=decision.request_id, decision=decision.decision
    )
    about = {"ticket_id": decision.ticket_id, "decision": decision.decision}
    if not await deps.signer.verify(signed):
        # Unauthenticated: audited, but it may not change or notify anything.
        await deps.audit.record(
            subject(decision.request_id),
            "decision.refused",
            f"unverified ({decision.approver})",
            reason="invalid signature",
            **about,
        )
        deps.metrics.count("DecisionsRefused")
        log.warning("decision.refused", reason="invalid signature")
        return
    try:
        request, version = await deps.state.get_request(decision.request_id)
    except NotFoundError:
        await refuse(deps, decision.request_id, "unknown request", decision.approver, **about)
        return
    if interrupted_grant(request, signed):
        await finish_grant(deps, request, version, decision.approver)
        return
    digest = decision_digest(signed)
    claim = DecisionClaim(message_id=delivery.message_id, request_id=decision.request_id)
    if not await deps.state.claim_decision(digest, claim):
        first = await deps.state.decision_claim(digest, DecisionClaim)
        copy = first is not None and first.message_id != delivery.message_id
        # A copy (e.g. redriven from the dead-letter queue) of a decision that was never applied
        # may go on; a copy of one that already moved the request is a replay.
        if copy and request.state is not PRE_STATE[decision.decision]:
            await refuse(deps, decision.request_id, "replayed decision", decision.approver, **about)
            return
    if already_applied(request, signed):  # the same message delivered again
        log.info("decision.already_applied", request_id=request.request_id)
        return
    now = deps.clock()
    try:
        scope = check_decision(
            decision,
            request,
            await owners_by_table(deps.state, request.tables, request.domain),
            now,
        )
    except Refusal as refusal:
        await refuse(deps, request.request_id, str(refusal), decision.approver, **about)
        return
    request = request.model_copy(update={"ticket_id": decision.ticket_id})
    if decision.decision == "approve":
        try:
            excluded = await excluded_columns(
                deps.lakeformation, deps.state, deps.catalog_id, scope, decision.sensitive_columns
            )
        except NotFoundError as gone:
            # The producer deleted a table after the request: nothing may be granted on it.
            reason = f"a table in scope no longer exists: {gone}"
            await refuse(deps, request.request_id, reason, decision.approver, **about)
            return
        missing = await unregistered(deps.catalog, deps.lakeformation, scope)
        if missing:
            # Lake Formation would record the grant but vend no data: say so instead.
            reason = (
                f"the data of {', '.join(missing)} is not registered with Lake Formation; "
                "onboard its producer with --location"
            )
            await refuse(deps, request.request_id, reason, decision.approver, **about)
            return
        granted = request.granted(now, decision.expires_at).model_copy(
            update={
                "granted_tables": scope,
                "granted_domain": request.domain,
                "excluded_columns": excluded,
                "grants_applied": False,
            }
        )
        # Record what will be granted before granting it: a crash in between is finished by
        # the retry, and a revoke in between knows what to undo.
        version = await deps.state.save_request(granted, version)
        await finish_grant(deps, granted, version, decision.approver)
    elif decision.decision == "reject":
        rejected = request.transition(RequestState.REJECTED, "rejected by the data owner")
        await record(deps, rejected, version, "request.rejected", decision.approver, **about)
    else:
        await revoke(
            deps,
            request,
            version,
            RequestState.REVOKED,
            "revoked by the data owner",
            decision.approver,
        )


async def finish_grant(
    deps: GrantDependencies, granted: AccessRequest, version: int, approver: str
) -> None:
    """Grant exactly what the request records, deliver it, audit, notify, mark it applied."""
    entries = grant_entries(granted, deps.catalog_id)
    await deps.lakeformation.grant(entries)
    delivered = await deliver(
        granted, deps.lakeformation, deps.state, deps.consumer_access, deps.catalog_id, deps.catalog
    )
    current, current_version = await deps.state.get_request(granted.request_id)
    if current.grants_applied and current.ticket_id == granted.ticket_id:
        return  # another worker finished this grant while we granted the same entries
    if current.state is not RequestState.GRANTED or current.ticket_id != granted.ticket_id:
        # Revoked or expired while we granted: undo what we just did.
        await withdraw(delivered, deps.state, deps.consumer_access)
        await deps.lakeformation.revoke(entries)
        log.warning("grant.compensated", request_id=granted.request_id, state=current.state.value)
        return
    applied = delivered.model_copy(update={"grants_applied": True})
    await record(
        deps,
        applied,
        current_version,
        "grant.created",
        approver,
        ticket_id=applied.ticket_id,
        grantee=applied.grantee,
        tables=[str(t) for t in applied.granted_tables],
        excluded_columns=applied.excluded_columns,
        entries=len(entries),
        expires_at=str(applied.expires_at),
        resource_shares=applied.resource_share_arns,
        resource_links=applied.resource_links,
    )


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
    await withdraw(request, deps.state, deps.consumer_access)
    await deps.lakeformation.revoke(grant_entries(request, deps.catalog_id))
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


async def on_revoke_command(command: RevokeCommand, deps: GrantDependencies) -> None:
    structlog.contextvars.bind_contextvars(request_id=command.request_id, decision="revoke")
    try:
        request, version = await deps.state.get_request(command.request_id)
    except NotFoundError:
        await refuse(deps, command.request_id, "unknown request", command.requested_by)
        return
    if request.state is RequestState.REVOKED:
        return  # done already (redelivery)
    if request.state is not RequestState.GRANTED:
        await refuse(
            deps,
            request.request_id,
            f"request is {request.state.value}, not granted",
            command.requested_by,
        )
        return
    await revoke(deps, request, version, RequestState.REVOKED, command.reason, command.requested_by)


async def on_expiry_sweep(sweep: ExpirySweep, deps: GrantDependencies) -> None:
    now = deps.clock()
    expired = failed = 0
    for request in await deps.state.list_requests():
        if (
            request.state is not RequestState.GRANTED
            or not request.expires_at
            or request.expires_at > now
        ):
            continue
        current, version = await deps.state.get_request(request.request_id)
        if current.state is not RequestState.GRANTED:
            continue
        try:
            await revoke(
                deps, current, version, RequestState.EXPIRED, "access expired", f"{ACTOR} (expiry)"
            )
        except ConflictError:
            continue  # another worker moved it first
        expired += 1
    structlog.contextvars.bind_contextvars(sweep_id=sweep.sweep_id, expired=expired, failed=failed)


def handler_map(deps: GrantDependencies) -> HandlerMap:
    """What the approvals queue carries, and who handles it."""

    async def revoke_command(command: RevokeCommand, _delivery: Delivery) -> None:
        await on_revoke_command(command, deps)

    async def expiry_sweep(sweep: ExpirySweep, _delivery: Delivery) -> None:
        await on_expiry_sweep(sweep, deps)

    return {
        SignedAccessDecision: partial(on_decision, deps=deps),
        RevokeCommand: revoke_command,
        ExpirySweep: expiry_sweep,
    }
