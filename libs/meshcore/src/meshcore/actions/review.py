"""Deciding on classification recommendations: by a reviewer, or by a producer's policy.

An accepted (or auto-accepted) recommendation becomes the column's ``sensitivity`` LF-tag in
the central catalog. A column carries one value per tag key, so accepting another class for the
same column replaces the tag and retires the recommendation it came from. Rejecting one tags the
column ``none`` when nothing else stands for it (an accepted class is removed); while another
recommendation for the column awaits review it stays ``unclassified``, which no grant reads.

A person's rejection is also remembered as a rule of the producer's domain (class and column
name pattern), so the classifier records the same false positive in the domain's other tables
as rejected instead of asking again; a person accepting that class for such a column drops
the rule.

The tag is written before the state, so a failure in between leaves the recommendation as it
was and repeating the decision completes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from meshcore.actions.context import Central
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.lftags import ColumnTags
from meshcore.aws.ports import Audit, ColumnTagging
from meshcore.domain.access import TableName
from meshcore.domain.classification import auto_accepts
from meshcore.domain.errors import (
    AccessDeniedError,
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
)
from meshcore.domain.naming import split_central_database_name
from meshcore.domain.recommendations import (
    Recommendation,
    RecommendationState,
    RejectionRule,
    column_pattern,
    column_sensitivity,
)
from meshcore.domain.registry import Producer
from meshcore.domain.state_store import StateStore
from meshcore.messages.commands import ClassificationScanRequest

S = RecommendationState


@dataclass
class Review:
    """The ports a decision needs."""

    state: StateStore
    audit: Audit
    tags: ColumnTagging


async def review_ports(central: Central) -> Review:
    lakeformation = await central.aws.client("lakeformation")
    return Review(
        central.state,
        central.audit,
        ColumnTags(lakeformation, central.settings.central_account_id),
    )


async def decide_recommendation(
    central: Central, rec_id: str, to: RecommendationState, by: str
) -> Recommendation:
    """A reviewer's decision: ``accepted`` or ``rejected``."""
    review = await review_ports(central)
    if to is S.ACCEPTED:
        return await accept(review, rec_id, by)
    if to is S.REJECTED:
        return await reject(review, rec_id, by)
    raise InvalidTransitionError(f"a reviewer accepts or rejects; {to.value} is not a decision")


async def owned_domains(central: Central, person: str) -> list[str]:
    """The producer domains whose registered data owners include `person`."""
    wanted = person.strip().lower()
    return sorted(
        p.domain
        for p in await central.state.list_producers()
        if wanted in (o.strip().lower() for o in p.owners)
    )


def domain_of(rec: Recommendation) -> str:
    return split_central_database_name(rec.database)[0]


async def pending_for_owner(central: Central, person: str) -> list[Recommendation]:
    """Pending recommendations of the domains `person` owns, most confident first."""
    found: list[Recommendation] = []
    for domain in await owned_domains(central, person):
        found += [
            r
            for r in await central.state.list_recommendations(domain)
            if r.state is S.PENDING and domain_of(r) == domain
        ]
    return sorted(found, key=lambda r: (-r.confidence, r.column_ref))


async def decide_as_owner(
    central: Central, rec_id: str, to: RecommendationState, owner: str
) -> Recommendation:
    """A decision by a person, allowed only on recommendations of a domain they own."""
    found = await central.state.find_recommendation(rec_id)
    if found is None:
        raise NotFoundError(f"no recommendation {rec_id}")
    domain = domain_of(found[0])
    if domain not in await owned_domains(central, owner):
        raise AccessDeniedError(
            f"{owner} is not a data owner of the domain {domain!r} and cannot review {rec_id}"
        )
    return await decide_recommendation(central, rec_id, to, owner)


async def _read(review: Review, rec_id: str) -> tuple[Recommendation, int]:
    found = await review.state.find_recommendation(rec_id)
    if found is None:
        raise NotFoundError(f"no recommendation {rec_id} (see `meshctl review list --state all`)")
    return found


async def accept(
    review: Review, rec_id: str, by: str, *, auto: bool = False, **details: object
) -> Recommendation:
    """Accept (``auto``: by the producer's policy) and tag the column with the class."""
    rec, version = await _read(review, rec_id)
    to = S.AUTO_ACCEPTED if auto else S.ACCEPTED
    if auto and rec.state is not S.PENDING:
        return rec  # decided in the meantime: a policy never overrides a decision
    if rec.applied:
        # Already in force: make sure the tag is there (it may have been lost in between).
        await review.tags.assign(rec.database, rec.table, rec.column, rec.sensitivity_class)
        return rec
    decided = rec.decide(to, by)
    replaced = await review.tags.assign(rec.database, rec.table, rec.column, rec.sensitivity_class)
    await review.state.save_recommendation(decided, version)
    if not auto:
        await _forget_rejection(review, decided, by)
    if replaced and replaced != rec.sensitivity_class:
        details["replaced_tag"] = replaced
    await _record_decision(review, rec, to, by, confidence=rec.confidence, **details)
    await _retire_other_classes(review, decided, by)
    return decided


async def _record_decision(
    review: Review, rec: Recommendation, state: S, by: str, **details: object
) -> None:
    """The audit record of a decision on `rec`: its column, its class and what else it did."""
    await review.audit.record(
        f"recommendation/{rec.recommendation_id}",
        f"recommendation.{state.value}",
        by,
        column=rec.column_ref,
        sensitivity_class=rec.sensitivity_class,
        **details,
    )


async def _retire_other_classes(review: Review, kept: Recommendation, by: str) -> None:
    """Accepted recommendations of another class for the same column lost their tag: they
    are recorded as rejected, so the state and the tag agree."""
    for other, version in await review.state.recommendations_of_table(kept.database, kept.table):
        if (
            other.same_column(kept)
            and other.applied
            and other.sensitivity_class != kept.sensitivity_class
        ):
            await review.state.save_recommendation(other.decide(S.REJECTED, by), version)
            await _record_decision(
                review, other, S.REJECTED, by, replaced_by=kept.recommendation_id
            )


async def reject(review: Review, rec_id: str, by: str) -> Recommendation:
    """Reject, and tag the column with what its recommendations now say: ``none`` when nothing
    else stands for it (an accepted class is removed), ``unclassified`` while another awaits
    review, or the class another accepted recommendation (for an earlier type of the column)
    still holds."""
    rec, version = await _read(review, rec_id)
    if rec.state is S.REJECTED:
        return rec
    decided = rec.decide(S.REJECTED, by)
    others = [
        o
        for o, _ in await review.state.recommendations_of_table(rec.database, rec.table)
        if o.same_column(rec) and o.recommendation_id != rec_id
    ]
    tag = column_sensitivity([*others, decided])
    replaced = await review.tags.assign(rec.database, rec.table, rec.column, tag)
    await review.state.save_recommendation(decided, version)
    tag_removed = rec.applied and replaced == rec.sensitivity_class != tag
    await _record_decision(review, rec, S.REJECTED, by, tag=tag, tag_removed=tag_removed)
    await _remember_rejection(review, decided, by)
    return decided


RULE_SAVE_ATTEMPTS = 3


async def _update_domain_producer(
    review: Review, rec: Recommendation, change: Callable[[Producer], Producer | None]
) -> Producer | None:
    """Apply ``change`` to the producer of the recommendation's domain (optimistically, read
    again on a concurrent change); None when there is no such producer or nothing changed."""
    producer = await review.state.producer_for_domain(domain_of(rec))
    if producer is None:
        return None
    for attempt in range(RULE_SAVE_ATTEMPTS):
        found = await review.state.get_producer_versioned(producer.account_id)
        if found is None:
            return None
        current, version = found
        changed = change(current)
        if changed is None:
            return None
        try:
            await review.state.save_producer(changed, version)
            return changed
        except ConflictError:
            if attempt == RULE_SAVE_ATTEMPTS - 1:
                raise
    return None


async def _remember_rejection(review: Review, rejected: Recommendation, by: str) -> None:
    rule = RejectionRule.from_rejection(rejected)
    saved = await _update_domain_producer(review, rejected, lambda p: p.with_rejection_rule(rule))
    if saved is not None:
        await _record_rule(
            review,
            saved,
            "remembered",
            rule.key,
            by,
            match_rate=rule.match_rate,
            rejected_from=rule.rejected_from,
        )


async def _forget_rejection(review: Review, accepted: Recommendation, by: str) -> None:
    key = (accepted.sensitivity_class, column_pattern(accepted.column))

    def drop(producer: Producer) -> Producer | None:
        if not any(r.key == key for r in producer.rejection_rules):
            return None
        return producer.without_rejection_rule(*key)

    saved = await _update_domain_producer(review, accepted, drop)
    if saved is not None:
        await _record_rule(review, saved, "forgotten", key, by, accepted=accepted.recommendation_id)


async def _record_rule(
    review: Review,
    producer: Producer,
    event: str,
    key: tuple[str, str],
    by: str,
    **details: object,
) -> None:
    """The audit record of a rejection rule (class, column pattern) the domain's producer
    remembered or forgot."""
    sensitivity_class, pattern = key
    await review.audit.record(
        f"producer/{producer.account_id}",
        f"rejection_rule.{event}",
        by,
        sensitivity_class=sensitivity_class,
        column_pattern=pattern,
        **details,
    )


async def apply_policy(
    review: Review, producer: Producer, recs: list[Recommendation], actor: str
) -> list[Recommendation]:
    """Auto-accept the pending recommendations the producer's policy admits: per column the
    most confident admitted one, and only where nothing is accepted for that column yet."""
    if not producer.auto_accept or not recs:
        return []
    tables = {(r.database, r.table) for r in recs}
    current: list[Recommendation] = []
    for database, name in tables:
        current += [r for r, _ in await review.state.recommendations_of_table(database, name)]
    by_id = {r.recommendation_id: r for r in current}
    taken = {(r.database, r.table, r.column) for r in current if r.applied}
    accepted: list[Recommendation] = []
    candidates = sorted(
        (by_id.get(r.recommendation_id, r) for r in recs),
        key=lambda r: r.confidence,
        reverse=True,
    )
    for rec in candidates:
        column = (rec.database, rec.table, rec.column)
        if (
            rec.state is not S.PENDING
            or column in taken
            or not auto_accepts(producer.auto_accept, rec.sensitivity_class, rec.confidence)
        ):
            continue
        taken.add(column)
        accepted.append(
            await accept(
                review,
                rec.recommendation_id,
                actor,
                auto=True,
                producer=producer.account_id,
                threshold=producer.auto_accept[rec.sensitivity_class],
            )
        )
    return accepted


async def settle_columns(
    review: Review, database: str, table: str, columns: list[str]
) -> dict[str, str]:
    """After a scan: tag each scanned column with what its recommendations say (``none`` when
    the scan found nothing in it, ``unclassified`` while one awaits review, else the class in
    force). Returns the columns whose tag changed, with their new value."""
    recs = [r for r, _ in await review.state.recommendations_of_table(database, table)]
    wanted = {
        column: column_sensitivity(r for r in recs if r.column == column) for column in columns
    }
    return await review.tags.settle(database, table, wanted)


async def recommendations(
    central: Central, producer_account: str | None = None, state: str = "all"
) -> list[Recommendation]:
    """Recommendations, of one producer's tables and in one state ("all" for any)."""
    if producer_account:
        producer = await central.state.get_producer(producer_account)
        if producer is None:
            raise ValueError(f"{producer_account} is not an onboarded producer")
        recs = await central.state.list_recommendations(producer.domain)
    else:
        recs = await central.state.list_recommendations()
    return [r for r in recs if state == "all" or r.state.value == state]


async def change_auto_accept(
    central: Central,
    account: str,
    changes: dict[str, float | None],
    by: str,
    clear: bool = False,
) -> tuple[dict[str, float], bool]:
    """Set (class -> minimum confidence) or remove (class -> None) classes of a producer's
    auto-accept policy, after dropping all of them when `clear`; audited. Returns the policy
    and whether it changed."""
    found = await central.state.get_producer_versioned(account)
    if found is None:
        raise ValueError(f"{account} is not an onboarded producer")
    producer, version = found
    policy = {} if clear else dict(producer.auto_accept)
    for cls, threshold in changes.items():
        if threshold is None:
            policy.pop(cls, None)
        else:
            policy[cls] = threshold
    if policy == producer.auto_accept:
        return policy, False
    await central.state.save_producer(producer.model_copy(update={"auto_accept": policy}), version)
    await central.audit.record(
        f"producer/{account}", "producer.policy_changed", by, auto_accept=policy
    )
    return policy, True


async def queue_scan(central: Central, table: TableName, reason: str) -> str:
    """Ask the classifier to scan a central table; returns the message id."""
    catalog = GlueCatalog(await central.aws.client("glue"), central.settings.central_account_id)
    if await catalog.get_table(table.database, table.table) is None:
        raise NotFoundError(f"no table {table} in the central catalog (see `meshctl search`)")
    sender = await central.sender(central.settings.queues.classification)
    return await sender.send(
        ClassificationScanRequest(database=table.database, table=table.table, reason=reason)
    )
