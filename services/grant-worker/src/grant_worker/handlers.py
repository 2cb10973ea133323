"""grant-worker: verify a signed decision, then grant, reject or revoke — and audit it all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from pydantic import BaseModel

from grant_worker.verify import Refusal, check_decision
from meshcore.aws.audit import AuditLog
from meshcore.aws.lakeformation import LakeFormation, table_grants
from meshcore.aws.signing import DecisionSigner, decision_digest
from meshcore.aws.state import StateStore
from meshcore.domain.access import AccessRequest, RequestState, TableName
from meshcore.domain.errors import NotFoundError
from meshcore.domain.naming import split_central_database_name
from meshcore.domain.recommendations import RecommendationState
from meshcore.messages.commands import SignedAccessDecision
from meshcore.messages.decode import decode_signed_decision
from meshcore.runtime.consumer import QueueMessage

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
    catalog_id: str
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


async def owners_by_table(state: StateStore, tables: list[TableName]) -> dict[TableName, list[str]]:
    owners: dict[TableName, list[str]] = {}
    for table in tables:
        domain, _source = split_central_database_name(table.database)
        producer = await state.producer_for_domain(domain)
        owners[table] = producer.owners if producer else []
    return owners


async def sensitive_columns(state: StateStore, table: TableName) -> set[str]:
    """Columns classified sensitive by an accepted recommendation."""
    accepted = (RecommendationState.ACCEPTED, RecommendationState.AUTO_ACCEPTED)
    return {
        r.column
        for r in await state.list_recommendations()
        if r.database == table.database and r.table == table.table and r.state in accepted
    }


async def excluded_columns(
    state: StateStore, scope: list[TableName], approved: list[str]
) -> dict[str, list[str]]:
    """Per table, the sensitive columns the approval does not name."""
    return {str(t): sorted(await sensitive_columns(state, t) - set(approved)) for t in scope}


def grant_entries(
    grantee: str, catalog_id: str, scope: list[TableName], excluded: dict[str, list[str]]
) -> list[dict[str, object]]:
    entries = []
    for table in scope:
        entries += table_grants(
            grantee, catalog_id, table.database, table.table, excluded.get(str(table), [])
        )
    return entries


async def refuse(
    deps: GrantDependencies,
    request: AccessRequest,
    version: int,
    reason: str,
    signed: SignedAccessDecision,
) -> None:
    subject = f"request/{request.request_id}"
    await deps.audit.record(
        subject,
        "decision.refused",
        signed.decision.approver,
        reason=reason,
        ticket_id=signed.decision.ticket_id,
        decision=signed.decision.decision,
    )
    await deps.state.save_request(request.model_copy(update={"last_refusal": reason}), version)
    log.warning("decision.refused", request_id=request.request_id, reason=reason)


async def handle_decision(message: QueueMessage, deps: GrantDependencies) -> None:
    signed = decode_signed_decision(message.body)
    decision = signed.decision
    structlog.contextvars.bind_contextvars(
        request_id=decision.request_id, decision=decision.decision
    )
    subject = f"request/{decision.request_id}"
    if not await deps.signer.verify(signed):
        await deps.audit.record(
            subject,
            "decision.refused",
            decision.approver,
            reason="invalid signature",
            ticket_id=decision.ticket_id,
        )
        log.warning("decision.refused", reason="invalid signature")
        return
    claim = DecisionClaim(message_id=message.message_id, request_id=decision.request_id)
    if not await deps.state.claim_decision(decision_digest(signed), claim):
        # SQS may deliver the same message twice; only a different message is a replay.
        first = await deps.state.decision_claim(decision_digest(signed), DecisionClaim)
        if first is None or first.message_id != message.message_id:
            await deps.audit.record(
                subject,
                "decision.refused",
                decision.approver,
                reason="replayed decision",
                ticket_id=decision.ticket_id,
            )
            log.warning("decision.refused", reason="replayed decision")
            return
    try:
        request, version = await deps.state.get_request(decision.request_id)
    except NotFoundError:
        await deps.audit.record(
            subject,
            "decision.refused",
            decision.approver,
            reason="unknown request",
            ticket_id=decision.ticket_id,
        )
        log.warning("decision.refused", reason="unknown request")
        return
    now = deps.clock()
    try:
        scope = check_decision(
            decision, request, await owners_by_table(deps.state, request.tables), now
        )
    except Refusal as refusal:
        await refuse(deps, request, version, str(refusal), signed)
        return
    if decision.decision == "approve":
        excluded = await excluded_columns(deps.state, scope, decision.sensitive_columns)
        entries = grant_entries(request.grantee, deps.catalog_id, scope, excluded)
        await deps.lakeformation.grant(entries)
        days = None
        if decision.expires_at is not None:
            days = max(1, (decision.expires_at - now).days)
        updated = request.granted(now, days).model_copy(
            update={
                "ticket_id": decision.ticket_id,
                "granted_tables": scope,
                "excluded_columns": excluded,
            }
        )
        await deps.state.save_request(updated, version)
        await deps.audit.record(
            subject,
            "grant.created",
            decision.approver,
            ticket_id=decision.ticket_id,
            grantee=request.grantee,
            tables=[str(t) for t in scope],
            entries=len(entries),
            expires_at=str(updated.expires_at),
        )
        log.info("grant.created", grantee=request.grantee, tables=[str(t) for t in scope])
    elif decision.decision == "reject":
        await deps.state.save_request(
            request.transition(RequestState.REJECTED, "rejected by owner"), version
        )
        await deps.audit.record(
            subject, "request.rejected", decision.approver, ticket_id=decision.ticket_id
        )
    else:
        entries = grant_entries(
            request.grantee, deps.catalog_id, request.granted_tables, request.excluded_columns
        )
        await deps.lakeformation.revoke(entries)
        await deps.state.save_request(
            request.transition(RequestState.REVOKED, "revoked by owner"), version
        )
        await deps.audit.record(
            subject,
            "grant.revoked",
            decision.approver,
            ticket_id=decision.ticket_id,
            grantee=request.grantee,
            entries=len(entries),
        )
