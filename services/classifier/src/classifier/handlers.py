"""classifier: scan a central table's columns and record recommendations with their evidence.

For each wanted column the engine weighs the column's metadata and, where the producer allows
sampling, a bounded sample of its values read from S3. Each recommendation is then reconciled
with what is stored: a new one is recorded as pending (or auto-accepted by the producer's
policy); a pending one takes the new evidence; an accepted one stays as it is; a rejected one
is asked again only when its evidence changed materially. Then each scanned column is tagged:
``none`` when nothing was found in it (or all was rejected), ``unclassified`` while a
recommendation awaits review, the class once accepted. Sampled values stay in memory: they
are never stored, logged or audited, only the statistics the engine derives from them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import structlog

from classifier.engine import ColumnFacts, classify_column
from classifier.engine import Recommendation as Found
from classifier.samples import Sample
from meshcore.actions.review import Review, apply_policy, settle_columns
from meshcore.aws.ports import Sender
from meshcore.domain.errors import NotFoundError, PermanentError, RetryableError
from meshcore.domain.naming import split_central_database_name
from meshcore.domain.provenance import PRODUCER_ACCOUNT
from meshcore.domain.recommendations import (
    RULE_ACTOR,
    Recommendation,
    RecommendationState,
    RejectionRule,
)
from meshcore.domain.registry import Producer
from meshcore.domain.state_store import StateStore
from meshcore.messages.commands import (
    ClassificationScanRequest,
    ReviewColumn,
    ReviewNotification,
)
from meshcore.runtime.dispatch import Delivery

log = structlog.get_logger()
ACTOR = "classifier"

Row = dict[str, Any]
Sampler = Callable[[Producer, Row, str], Awaitable[Sample]]
"""Reads a bounded sample of a central table (its producer, GetTable's Table, the database)."""


class TableSource(Protocol):
    async def get_table(self, database: str, name: str) -> Row | None: ...


@dataclass
class ClassifierDependencies:
    central: TableSource
    state: StateStore
    review: Review
    sampler: Sampler
    today: Callable[[], date] = date.today
    # The notifications queue: the owners hear of columns awaiting their review (None: no one).
    notifications: Sender | None = None


async def producer_of(state: StateStore, database: str, table: Row) -> Producer | None:
    """The producer a central table came from: its provenance parameter, else its domain."""
    account = table.get("Parameters", {}).get(PRODUCER_ACCOUNT)
    if account:
        producer = await state.get_producer(account)
        if producer is not None:
            return producer
    try:
        domain, _ = split_central_database_name(database)
    except PermanentError:
        return None
    return await state.producer_for_domain(domain)


async def _sample(
    deps: ClassifierDependencies, producer: Producer | None, table: Row, database: str
) -> Sample | None:
    if producer is None or not producer.may_sample(table.get("Parameters", {})):
        return None
    try:
        sample = await deps.sampler(producer, table, database)
    except PermanentError as exc:
        # No values, but the metadata still tells a lot: classify without a sample.
        log.warning("scan.sample_failed", reason=str(exc))
        return None
    log.info(
        "scan.sampled",
        sample_format=sample.format,
        sample_objects=sample.objects,
        sample_rows=sample.rows,
        sample_bytes=sample.bytes_read,
    )
    return sample


def _evidence(found: Found, sample: Sample | None) -> dict[str, str | float | int]:
    evidence = found.evidence.as_dict()
    if sample is not None and evidence.get("sample_size"):
        evidence["sample_source"] = f"s3 {sample.format}, {sample.objects} object(s)"
    return evidence


# Receives of a scan request whose table (or column) is missing before it counts as deleted;
# below any queue's maxReceiveCount, so such a request never reaches the dead-letter queue.
TABLE_WAIT_RECEIVES = 3


async def on_scan(
    request: ClassificationScanRequest, delivery: Delivery, deps: ClassifierDependencies
) -> None:
    structlog.contextvars.bind_contextvars(database=request.database, table=request.table)
    table = await deps.central.get_table(request.database, request.table)
    if table is None:
        if delivery.receive_count < TABLE_WAIT_RECEIVES:
            # sync-worker asks for a scan before it writes the table: it may not be there yet.
            raise RetryableError(f"{request.database}.{request.table} not in the catalog yet")
        log.info("scan.table_gone")  # deleted since the request: nothing to classify
        return
    columns: list[dict[str, str]] = [
        *table.get("StorageDescriptor", {}).get("Columns", []),
        *table.get("PartitionKeys", []),
    ]
    names = [c["Name"] for c in columns]
    missing = set(request.columns) - set(names)
    if missing and delivery.receive_count < TABLE_WAIT_RECEIVES:
        # Likewise for new columns: the scan may overtake the write that adds them.
        raise RetryableError(f"columns {sorted(missing)} not in the catalog yet")
    wanted = (set(request.columns) or set(names)) & set(names)
    if not wanted:
        log.info("scan.columns_gone")  # renamed or dropped since the request
        return
    try:
        await _classify(request, table, columns, wanted, deps, again=delivery.receive_count > 1)
    except NotFoundError as exc:
        # Lake Formation knows the table no longer (dropped, or dropped and created again,
        # while it was scanned): done if it is gone, else scan what is there now.
        if await deps.central.get_table(request.database, request.table) is not None:
            raise RetryableError(f"the table changed during its scan: {exc}") from exc
        log.info("scan.table_gone")


async def _classify(
    request: ClassificationScanRequest,
    table: dict[str, Any],
    columns: list[dict[str, str]],
    wanted: set[str],
    deps: ClassifierDependencies,
    again: bool = False,
) -> None:
    names = [c["Name"] for c in columns]
    producer = await producer_of(deps.state, request.database, table)
    sample = await _sample(deps, producer, table, request.database)
    today = deps.today()

    found: list[Recommendation] = []
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
        values = sample.column(column["Name"]) if sample is not None else None
        for rec in classify_column(facts, sample=values, today=today):
            found.append(
                Recommendation(
                    database=request.database,
                    table=request.table,
                    column=column["Name"],
                    column_type=facts.type,
                    sensitivity_class=rec.sensitivity_class.value,
                    confidence=rec.confidence,
                    explanation=rec.explanation,
                    evidence=_evidence(rec, sample),
                )
            )

    rules = producer.rejection_rules if producer is not None else []
    counts = await reconcile(deps, found, rules)
    if producer is not None:
        pending = [r for r in found if r.recommendation_id in counts.open_ids]
        auto = await apply_policy(deps.review, producer, pending, ACTOR)
        counts.auto_accepted = len(auto)
        accepted = {r.recommendation_id for r in auto}
        # The owners are told after the recommendations are stored, so a crash (or a failed
        # send) between would lose the notice: a message received again tells of every column
        # still awaiting review (a notice twice rather than never).
        waiting = [
            r
            for r in pending
            if (again or r.recommendation_id in counts.opened_ids)
            and r.recommendation_id not in accepted
        ]
        await tell_owners(deps, producer, waiting)
    # Until now the scanned columns were unclassified (new) or kept their last tag: a column
    # the scan found nothing in becomes readable by grants (none), one awaiting review stays
    # unclassified.
    settled = await settle_columns(deps.review, request.database, request.table, sorted(wanted))
    structlog.contextvars.bind_contextvars(
        columns_scanned=len(wanted),
        sampled=sample is not None,
        new_recommendations=counts.created,
        rejected_by_rule=counts.rejected_by_rule,
        reopened_recommendations=counts.reopened,
        auto_accepted=counts.auto_accepted,
        tags_changed=len(settled),
    )


@dataclass
class Counts:
    created: int = 0
    reopened: int = 0
    updated: int = 0
    auto_accepted: int = 0
    rejected_by_rule: int = 0
    open_ids: frozenset[str] = frozenset()
    # Created or reopened by this scan, pending: what the owners have not been asked yet.
    opened_ids: frozenset[str] = frozenset()


async def tell_owners(
    deps: ClassifierDependencies, producer: Producer, waiting: list[Recommendation]
) -> None:
    """One notification per scan that opened recommendations: the owners review them."""
    if deps.notifications is None or not waiting:
        return
    await deps.notifications.send(
        ReviewNotification(
            database=waiting[0].database,
            table=waiting[0].table,
            columns=[
                ReviewColumn(
                    column=r.column,
                    sensitivity_class=r.sensitivity_class,
                    confidence=r.confidence,
                )
                for r in waiting
            ],
            owners=producer.owners,
        )
    )


async def reconcile(
    deps: ClassifierDependencies,
    found: list[Recommendation],
    rules: Sequence[RejectionRule] = (),
) -> Counts:
    """Store what the scan found without asking again what was decided: neither for this
    column (its stored recommendation) nor for columns named alike in the domain (the
    producer's remembered rejections)."""
    counts = Counts()
    if not found:
        return counts
    stored = {
        r.recommendation_id: (r, v)
        for r, v in await deps.state.recommendations_of_table(found[0].database, found[0].table)
    }
    open_ids: set[str] = set()
    opened: set[str] = set()
    for rec in found:
        rec_id = rec.recommendation_id
        current = stored.get(rec_id)
        if current is None:
            rule = next((r for r in rules if r.covers(rec)), None)
            if rule is not None:
                rec = rule.applied_to(rec)
            if await deps.state.add_recommendation(rec):
                if rule is not None:
                    counts.rejected_by_rule += 1
                    await _audit(
                        deps,
                        rec,
                        "recommendation.rejected_by_rule",
                        actor=RULE_ACTOR,
                        column_pattern=rule.column_pattern,
                        rejected_from=rule.rejected_from,
                    )
                    continue
                counts.created += 1
                open_ids.add(rec_id)
                opened.add(rec_id)
                await _audit(deps, rec, "recommendation.created")
            continue
        existing, version = current
        changed = existing.rescanned(rec)
        if changed is None:
            if existing.state is RecommendationState.PENDING:
                open_ids.add(rec_id)
            continue
        await deps.state.save_recommendation(changed, version)
        open_ids.add(rec_id)
        if changed.state is not existing.state:
            counts.reopened += 1
            opened.add(rec_id)
            await _audit(
                deps,
                changed,
                "recommendation.reopened",
                rejected_match_rate=(existing.rejected_evidence or {}).get("match_rate"),
            )
        else:
            counts.updated += 1
    counts.open_ids = frozenset(open_ids)
    counts.opened_ids = frozenset(opened)
    return counts


async def _audit(
    deps: ClassifierDependencies,
    rec: Recommendation,
    action: str,
    actor: str = ACTOR,
    **extra: object,
) -> None:
    await deps.review.audit.record(
        f"recommendation/{rec.recommendation_id}",
        action,
        actor,
        column=rec.column_ref,
        sensitivity_class=rec.sensitivity_class,
        confidence=rec.confidence,
        match_rate=rec.evidence.get("match_rate"),
        **extra,
    )
    log.info(
        action,
        column=rec.column,
        sensitivity_class=rec.sensitivity_class,
        confidence=rec.confidence,
        explanation=rec.explanation,
    )
