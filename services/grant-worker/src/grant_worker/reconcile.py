"""The scheduled access reconciliation: compare and heal (`meshcore.actions.reconcile`), then
publish the drift found (`AccessDrift`, alarmed on) before healing."""

from __future__ import annotations

from dataclasses import fields

import structlog

from grant_worker.dependencies import ACTOR, GrantDependencies
from meshcore.actions.reconcile import AccessPorts, reconcile_access, summary
from meshcore.messages.commands import AccessReconcile

log = structlog.get_logger()


async def on_access_reconcile(command: AccessReconcile, deps: GrantDependencies) -> None:
    # Every port the reconciliation needs is one of the worker's dependencies, of the same name.
    ports = AccessPorts(**{port.name: getattr(deps, port.name) for port in fields(AccessPorts)})
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
