"""Producers reviewing classification recommendations."""

from __future__ import annotations

from meshcore.actions.context import Central
from meshcore.domain.recommendations import Recommendation, RecommendationState


async def decide_recommendation(
    central: Central, rec_id: str, to: RecommendationState, by: str
) -> Recommendation:
    rec, version = await central.state.get_recommendation(rec_id)
    if rec.state == to:
        return rec  # idempotent: already decided this way
    decided = rec.decide(to, by)
    await central.state.save_recommendation(decided, version)
    await central.audit.record(
        f"recommendation/{rec_id}",
        f"recommendation.{to.value}",
        by,
        column=f"{rec.database}.{rec.table}.{rec.column}",
        sensitivity_class=rec.sensitivity_class,
    )
    return decided
