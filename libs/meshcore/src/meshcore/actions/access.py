"""Requesting access and deciding on it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog

from meshcore.actions.context import Central
from meshcore.actions.discovery import pending_classification
from meshcore.aws.audit import AuditEntry
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.signing import DecisionSigner, RevokeSigner
from meshcore.domain.access import AccessRequest, TableName, state_before
from meshcore.domain.errors import InvalidTransitionError, MeshError, PermanentError
from meshcore.domain.naming import split_central_database_name
from meshcore.messages.commands import (
    AccessDecision,
    AccessNotification,
    Decision,
    RevokeCommand,
    SignedAccessDecision,
    SignedRevokeCommand,
    TicketRequest,
)

log = structlog.get_logger()


async def open_request(central: Central, draft: AccessRequest, requester: str) -> AccessRequest:
    """Validate, store as pending with its owners, route a ticket, audit. Returns the request."""
    glue = GlueCatalog(await central.aws.client("glue"), central.settings.central_account_id)
    owners: list[str] = []
    pending: dict[str, list[str]] = {}
    for table in draft.tables:
        found = await glue.get_table(table.database, table.table)
        if found is None:
            raise PermanentError(
                f"table {table} is not in the central catalog (see `meshctl search`)"
            )
        columns = {
            c["Name"]
            for c in [
                *found.get("StorageDescriptor", {}).get("Columns", []),
                *found.get("PartitionKeys", []),
            ]
        }
        unknown = sorted(set(draft.columns) - columns) if len(draft.tables) == 1 else []
        if unknown:
            raise PermanentError(f"table {table} has no columns {', '.join(unknown)}")
        domain, _source = split_central_database_name(table.database)
        producer = await central.state.producer_for_domain(domain)
        if producer is None:
            raise PermanentError(
                f"table {table} belongs to domain {domain!r}, which has no onboarded producer"
            )
        owners += [o for o in producer.owners if o not in owners]
        asked = set(draft.columns) or columns
        held = [c for c in await pending_classification(central, table) if c in asked]
        if held:
            pending[str(table)] = held
    if draft.domain:
        if draft.columns:
            raise PermanentError(
                "a domain-wide request grants non-sensitive columns only; request sensitive "
                "columns table by table (--table … --columns …)"
            )
        producer = await central.state.producer_for_domain(draft.domain)
        if producer is None:
            raise PermanentError(f"no onboarded producer has the domain {draft.domain!r}")
        owners = list(producer.owners)
    # An overlapping request has the same grantee, which is in the same consumer account.
    for other in await central.state.requests_of_consumer(draft.consumer_account):
        if draft.overlaps(other):
            raise PermanentError(
                f"{other.request_id} is already {other.state.value} for {draft.grantee} on "
                f"{', '.join(str(t) for t in other.tables)}"
            )
    request = draft.model_copy(
        update={
            "owners": owners,
            "ticket_id": None,
            "requested_by": requester,
            "pending_columns": pending,
        }
    )
    await central.state.create_request(request)
    await central.audit.record(
        f"request/{request.request_id}",
        "request.created",
        requester,
        grantee=request.grantee,
        tables=[str(t) for t in request.tables],
        domain=request.domain,
        purpose=request.purpose,
        **({"pending_columns": request.pending_columns} if request.pending_columns else {}),
    )
    tickets = await central.sender(central.settings.queues.tickets)
    await tickets.send(
        TicketRequest(
            request_id=request.request_id,
            consumer_account=request.consumer_account,
            principal_arn=request.principal_arn,
            tables=request.tables,
            domain=request.domain,
            columns=request.columns,
            purpose=request.purpose,
            duration_days=request.duration_days,
            owners=owners,
            created_at=request.created_at,
            terms_digest=request.terms_digest(),
            pending_columns=request.pending_columns,
            requested_by=requester,
        )
    )
    await central.audit.record(
        f"request/{request.request_id}",
        "request.routed",
        requester,
        queue=tickets.name,
        terms_digest=request.terms_digest(),
    )
    await tell_routed(central, request)
    return request


async def tell_routed(central: Central, request: AccessRequest) -> None:
    """The requester and the owners hear that it was routed (the notifier). Best effort: the
    request is created and its ticket routed, so a notification that cannot be sent is logged
    and does not make the request look failed."""
    try:
        notifications = await central.sender(central.settings.queues.notifications)
        await notifications.send(AccessNotification.of(request, reason="routed to its data owners"))
    except MeshError as exc:
        log.warning(
            "request.routed-notification-failed",
            request_id=request.request_id,
            error=type(exc).__name__,
        )


async def requests_of(central: Central, requester: str) -> list[AccessRequest]:
    """The requests `requester` opened, newest first."""
    mine = [r for r in await central.state.list_requests() if r.requested_by == requester]
    return sorted(mine, key=lambda r: r.created_at, reverse=True)


async def request_history(central: Central, request_id: str) -> list[AuditEntry]:
    return await central.audit.history(f"request/{request_id}")


async def routed_terms(central: Central, request_id: str) -> str:
    """The terms digest of the ticket routed for `request_id`."""
    for entry in await request_history(central, request_id):
        if entry.action == "request.routed" and "terms_digest" in entry.details:
            return str(entry.details["terms_digest"])
    raise PermanentError(f"no ticket was routed for {request_id} (see `meshctl requests`)")


def require_state(request: AccessRequest, decision: str) -> None:
    """Checked before anything is sent: a decision the request's state cannot take would only
    fail later, out of sight, in grant-worker."""
    needed = state_before(decision)
    if request.state is not needed:
        raise InvalidTransitionError(
            f"request {request.request_id} is {request.shown_state}: only a {needed.value} "
            f"request can be {'revoked' if decision == 'revoke' else decision + 'd'} "
            "(see `meshctl requests`)"
        )


async def post_decision(
    central: Central,
    request_id: str,
    decision: Decision,
    approver: str,
    ticket_id: str | None = None,
    tables: list[TableName] | None = None,
    sensitive_columns: list[str] | None = None,
    valid_for: timedelta | None = None,
) -> SignedAccessDecision:
    """Play the ticket system: sign a decision with the KMS key and post it to the approvals queue.

    Like the ticket system, it approves the terms the ticket showed: the digest routed with the
    ticket (in the audit trail), never the request as it is stored now."""
    request, _version = await central.state.get_request(request_id)  # unknown: NotFoundError
    require_state(request, decision)
    now = datetime.now(UTC)
    unsigned = AccessDecision(
        request_id=request_id,
        terms_digest=await routed_terms(central, request_id),
        ticket_id=ticket_id or f"TICKET-{uuid.uuid4().hex[:8].upper()}",
        decision=decision,
        approver=approver,
        tables=tables or [],
        sensitive_columns=sensitive_columns or [],
        expires_at=now + valid_for if valid_for else None,
        issued_at=now,
    )
    # Only the ticket system's role may sign (the key policy): play it as that role.
    settings = central.settings
    kms = await central.aws.assumed_client(
        "kms", settings.central_role_arn(settings.roles.ticket_system)
    )
    signer = DecisionSigner(kms, settings.decision_key_alias)
    signed = await signer.sign(unsigned)
    approvals = await central.sender(central.settings.queues.approvals)
    await approvals.send(signed)
    return signed


async def request_revocation(
    central: Central, request_id: str, by: str, reason: str
) -> SignedRevokeCommand:
    """Ask grant-worker to revoke a request's grants and resource links: the revoke is signed
    as the operator role (only it may, the revocation key's policy says) and posted with the
    caller's own credentials (SQS reports them to grant-worker as the sender)."""
    request, _version = await central.state.get_request(request_id)  # unknown: NotFoundError
    require_state(request, "revoke")
    command = RevokeCommand(request_id=request_id, requested_by=by, reason=reason)
    settings = central.settings
    kms = await central.aws.assumed_client(
        "kms", settings.central_role_arn(settings.roles.operator)
    )
    signed = await RevokeSigner(kms, settings.revocation_key_alias).sign(command)
    await (await central.sender(settings.queues.approvals)).send(signed)
    return signed
