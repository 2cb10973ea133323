"""classifier: scan a central table's columns and record recommendations with their evidence."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from classifier.engine import ColumnFacts, classify_column
from meshcore.aws.audit import AuditLog
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.state import StateStore
from meshcore.domain.recommendations import Recommendation
from meshcore.messages.decode import decode_scan_request
from meshcore.runtime.consumer import QueueMessage

log = structlog.get_logger()
ACTOR = "classifier"


@dataclass
class ClassifierDependencies:
    central: GlueCatalog
    state: StateStore
    audit: AuditLog


async def handle_scan(message: QueueMessage, deps: ClassifierDependencies) -> None:
    request = decode_scan_request(message.body)
    structlog.contextvars.bind_contextvars(database=request.database, table=request.table)
    table = await deps.central.get_table(request.database, request.table)
    if table is None:
        log.info("scan.table_gone")  # deleted since the request: nothing to classify
        return
    columns = [
        *table.get("StorageDescriptor", {}).get("Columns", []),
        *table.get("PartitionKeys", []),
    ]
    names = [c["Name"] for c in columns]
    wanted = set(request.columns) or set(names)
    new = 0
    for column in columns:
        if column["Name"] not in wanted:
            continue
        facts = ColumnFacts(
            name=column["Name"],
            type=column.get("Type", ""),
            comment=column.get("Comment"),
            table=request.table,
            sibling_columns=tuple(n for n in names if n != column["Name"]),
        )
        for found in classify_column(facts, sample=None):
            rec = Recommendation(
                database=request.database,
                table=request.table,
                column=column["Name"],
                column_type=facts.type,
                sensitivity_class=found.sensitivity_class.value,
                confidence=found.confidence,
                explanation=found.explanation,
                evidence={
                    k: v for k, v in found.evidence.items() if isinstance(v, str | int | float)
                },
            )
            if await deps.state.add_recommendation(rec):
                new += 1
                await deps.audit.record(
                    f"recommendation/{rec.recommendation_id}",
                    "recommendation.created",
                    ACTOR,
                    column=f"{rec.database}.{rec.table}.{rec.column}",
                    sensitivity_class=rec.sensitivity_class,
                    confidence=rec.confidence,
                )
                log.info(
                    "recommendation.created",
                    column=rec.column,
                    sensitivity_class=rec.sensitivity_class,
                    confidence=rec.confidence,
                    explanation=rec.explanation,
                )
    structlog.contextvars.bind_contextvars(columns_scanned=len(wanted), new_recommendations=new)
