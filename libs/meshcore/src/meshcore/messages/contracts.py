"""The published contracts: JSON Schema of every message, written to `contracts/`.

Regenerate with `meshctl contracts --out contracts` (a test fails when they are stale).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from meshcore.messages.commands import (
    AccessDecision,
    AccessNotification,
    AccessReconcile,
    ClassificationScanRequest,
    DigestFlush,
    ExpirySweep,
    RepairCommand,
    RepairShard,
    ReviewNotification,
    RevokeCommand,
    SignedAccessDecision,
    SignedRevokeCommand,
    TicketRequest,
)
from meshcore.messages.eventbridge import GlueDatabaseEvent, GlueTableEvent
from meshcore.messages.tickets import TicketComment, TicketDecision, TicketOpened

CONTRACTS: dict[str, type[BaseModel]] = {
    "glue-database-state-change.v0": GlueDatabaseEvent,
    "glue-table-state-change.v0": GlueTableEvent,
    "classification-scan-request.v1": ClassificationScanRequest,
    "repair-command.v1": RepairCommand,
    "repair-shard.v1": RepairShard,
    "access-ticket.v1": TicketRequest,
    "access-decision.v2": AccessDecision,
    "signed-access-decision.v2": SignedAccessDecision,
    "access-revoke.v2": RevokeCommand,
    "signed-access-revoke.v1": SignedRevokeCommand,
    "access-expiry-sweep.v1": ExpirySweep,
    "access-notification.v1": AccessNotification,
    "access-reconcile.v1": AccessReconcile,
    "notify-digest.v1": DigestFlush,
    "classification-review-notification.v1": ReviewNotification,
    # The ticket bridge's generic JSON webhook (meshcore.messages.tickets).
    "ticket-webhook-open.v1": TicketOpened,
    "ticket-webhook-comment.v1": TicketComment,
    "ticket-webhook-decision.v1": TicketDecision,
}


def schemas() -> dict[str, dict[str, Any]]:
    return {name: model.model_json_schema(by_alias=True) for name, model in CONTRACTS.items()}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = out / f"{name}.schema.json"
        path.write_text(render(schema))
        written.append(path)
    return written
