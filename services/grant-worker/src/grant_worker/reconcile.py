"""The scheduled access reconciliation: compare and heal (`meshcore.actions.reconcile`), then
publish the drift found (`AccessDrift`, alarmed on) before healing."""

from __future__ import annotations

import structlog

from grant_worker.dependencies import ACTOR, GrantDependencies
from meshcore.actions.reconcile import AccessPorts, reconcile_access, summary
from meshcore.messages.commands import AccessReconcile

log = structlog.get_logger()


async def on_access_reconcile(command: AccessReconcile, deps: GrantDependencies) -> None:
    ports = AccessPorts(
        state=deps.state,
        lakeformation=deps.lakeformation,
        audit=deps.audit,
        consumer_access=deps.consumer_access,
        catalog_id=deps.catalog_id,
        own_principals=deps.own_principals,
    )
    report = await reconcile_access(ports, command.heal, f"{ACTOR} (reconcile)")
    deps.metrics.value("AccessDrift", report.drift, "Count")
    deps.metrics.value("AccessDriftUnhealed", len(report.unhealed), "Count")
    for finding in report.findings:
        if not finding.healed:
            # Unexplained permissions and whatever healing could not restore: a person looks.
            log.warning(
                "access.drift",
                kind=finding.kind,
                subject=finding.subject,
                what=finding.what,
                error=finding.error,
            )
    structlog.contextvars.bind_contextvars(
        reconcile_id=command.reconcile_id,
        drift=report.drift,
        unhealed=len(report.unhealed),
        by_kind=summary(report.findings),
    )
