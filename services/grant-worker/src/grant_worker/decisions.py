"""A signed decision: verified, then granted (and delivered), rejected or revoked.

Every step is idempotent: a redelivered message finds the request already moved and does
nothing more, and a crash between granting and recording converges when the message returns
(grants and resource links are idempotent; the state moves only on the version it read).
"""

from __future__ import annotations

import structlog
from pydantic import BaseModel

from grant_worker.delivery import deliver, withdraw
from grant_worker.dependencies import GrantDependencies
from grant_worker.grants import column_scope, unregistered
from grant_worker.records import REPLAYED, audit_unverified, record, refuse
from grant_worker.revocation import revoke
from grant_worker.verify import Refusal, check_decision
from meshcore.aws.signing import decision_digest
from meshcore.domain.access import (
    AccessRequest,
    RequestState,
    TableName,
    state_after,
    state_before,
)
from meshcore.domain.errors import NotFoundError
from meshcore.domain.grants import request_grants
from meshcore.domain.naming import split_central_database_name
from meshcore.domain.state_store import StateStore
from meshcore.messages.commands import SignedAccessDecision
from meshcore.runtime.dispatch import Delivery

log = structlog.get_logger()


class DecisionClaim(BaseModel):
    message_id: str
    request_id: str


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


def already_applied(request: AccessRequest, signed: SignedAccessDecision) -> bool:
    """The decision's outcome is already on the request (a redelivery after success)."""
    decision = signed.decision
    done = (
        request.state is state_after(decision.decision) and request.ticket_id == decision.ticket_id
    )
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
        await refuse_unverified(deps, signed, about)
        return
    try:
        request, version = await deps.state.get_request(decision.request_id)
    except NotFoundError:
        await audit_unverified(
            deps, decision.request_id, "unknown request", decision.approver, **about
        )
        return
    if interrupted_grant(request, signed):
        await finish_grant(deps, request, version, decision.approver)
        return
    if await is_replay(deps, signed, request, delivery):
        await refuse(deps, decision.request_id, REPLAYED, decision.approver, **about)
        return
    if already_applied(request, signed):  # the same message delivered again
        log.info("decision.already_applied", request_id=request.request_id)
        return
    try:
        owners = await owners_by_table(deps.state, request.tables, request.domain)
        scope = check_decision(decision, request, owners, deps.clock(), deps.decision_max_age)
    except Refusal as refusal:
        await refuse(deps, request.request_id, str(refusal), decision.approver, **about)
        return
    request = request.model_copy(update={"ticket_id": decision.ticket_id})
    if decision.decision == "approve":
        await approve(deps, signed, request, version, scope, about)
    elif decision.decision == "reject":
        rejected = request.transition(state_after("reject"), "rejected by the data owner")
        await record(deps, rejected, version, "request.rejected", decision.approver, **about)
    else:
        reason = "revoked by the data owner"
        await revoke(deps, request, version, state_after("revoke"), reason, decision.approver)


async def refuse_unverified(
    deps: GrantDependencies, signed: SignedAccessDecision, about: dict[str, str]
) -> None:
    """Unauthenticated: audited within the budget, but it may not change or notify anything."""
    decision = signed.decision
    actor = f"unverified ({decision.approver})"
    await audit_unverified(deps, decision.request_id, "invalid signature", actor, **about)


async def is_replay(
    deps: GrantDependencies,
    signed: SignedAccessDecision,
    request: AccessRequest,
    delivery: Delivery,
) -> bool:
    """A copy of a decision that already moved the request. A copy (e.g. redriven from the
    dead-letter queue) of one that was never applied may go on."""
    digest = decision_digest(signed)
    claim = DecisionClaim(message_id=delivery.message_id, request_id=signed.decision.request_id)
    if await deps.state.claim_decision(digest, claim):
        return False
    first = await deps.state.decision_claim(digest, DecisionClaim)
    copy = first is not None and first.message_id != delivery.message_id
    return copy and request.state is not state_before(signed.decision.decision)


async def approve(
    deps: GrantDependencies,
    signed: SignedAccessDecision,
    request: AccessRequest,
    version: int,
    scope: list[TableName],
    about: dict[str, str],
) -> None:
    """Record what will be granted, then grant it; refuse what would grant nothing."""
    decision = signed.decision
    try:
        columns = await column_scope(
            deps.lakeformation,
            deps.state,
            deps.catalog,
            deps.catalog_id,
            scope,
            decision.sensitive_columns,
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
    granted = request.granted(deps.clock(), decision.expires_at).model_copy(
        update={
            "granted_tables": scope,
            "granted_domain": request.domain,
            "excluded_columns": columns.excluded,
            "granted_columns": columns.granted,
            "grants_applied": False,
        }
    )
    # Record what will be granted before granting it: a crash in between is finished by the
    # retry, and a revoke in between knows what to undo.
    version = await deps.state.save_request(granted, version)
    await finish_grant(deps, granted, version, decision.approver)


async def finish_grant(
    deps: GrantDependencies, granted: AccessRequest, version: int, approver: str
) -> None:
    """Grant exactly what the request records, deliver it, audit, notify, mark it applied."""
    entries = request_grants(granted, deps.catalog_id)
    await deps.lakeformation.grant(entries)
    delivered = await deliver(
        granted, deps.lakeformation, deps.state, deps.consumer_access, deps.catalog_id, deps.catalog
    )
    current, current_version = await deps.state.get_request(granted.request_id)
    if current.grants_applied and current.ticket_id == granted.ticket_id:
        return  # another worker finished this grant while we granted the same entries
    if current.state is not RequestState.GRANTED or current.ticket_id != granted.ticket_id:
        # Revoked or expired while we granted: undo what we just did.
        await withdraw(delivered, deps.state, deps.consumer_access, deps.catalog_id)
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
