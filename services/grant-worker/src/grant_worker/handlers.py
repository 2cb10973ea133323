"""grant-worker's handlers: what the approvals queue carries, and who handles it.

Decisions are in `decisions`, revocation and expiry in `revocation`, delivery to the consumer
account in `delivery`; every transition is audited and told to the requester (`records`).
"""

from __future__ import annotations

from grant_worker.decisions import on_decision
from grant_worker.dependencies import GrantDependencies
from grant_worker.reconcile import on_access_reconcile
from grant_worker.records import audit_suppressed
from grant_worker.revocation import on_expiry_sweep, on_revoke_command, on_unsigned_revoke
from meshcore.messages.commands import (
    AccessReconcile,
    ExpirySweep,
    RevokeCommand,
    SignedAccessDecision,
    SignedRevokeCommand,
)
from meshcore.runtime.dispatch import Delivery, HandlerMap

__all__ = ["GrantDependencies", "handler_map"]


def handler_map(deps: GrantDependencies) -> HandlerMap:
    """What the approvals queue carries, and who handles it. Each handler first writes the
    summary of refusals left out of the audit trail in a minute that has ended, if any: the
    expiry sweep's schedule bounds how late that comes when nothing else arrives."""

    async def decision(signed: SignedAccessDecision, delivery: Delivery) -> None:
        await audit_suppressed(deps)
        await on_decision(signed, delivery, deps)

    async def revoke_command(command: SignedRevokeCommand, delivery: Delivery) -> None:
        await audit_suppressed(deps)
        await on_revoke_command(command, delivery, deps)

    async def unsigned_revoke(command: RevokeCommand, delivery: Delivery) -> None:
        await audit_suppressed(deps)
        await on_unsigned_revoke(command, delivery, deps)

    async def expiry_sweep(sweep: ExpirySweep, _delivery: Delivery) -> None:
        await audit_suppressed(deps)
        await on_expiry_sweep(sweep, deps)

    async def access_reconcile(command: AccessReconcile, _delivery: Delivery) -> None:
        await audit_suppressed(deps)
        await on_access_reconcile(command, deps)

    return {
        SignedAccessDecision: decision,
        SignedRevokeCommand: revoke_command,
        RevokeCommand: unsigned_revoke,
        ExpirySweep: expiry_sweep,
        AccessReconcile: access_reconcile,
    }
