"""Sensitive-column recommendations and their review states."""

from __future__ import annotations

import enum
import hashlib
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from meshcore.domain.errors import InvalidTransitionError


class RecommendationState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    AUTO_ACCEPTED = "auto_accepted"


TRANSITIONS: dict[RecommendationState, frozenset[RecommendationState]] = {
    RecommendationState.PENDING: frozenset(
        {
            RecommendationState.ACCEPTED,
            RecommendationState.REJECTED,
            RecommendationState.AUTO_ACCEPTED,
        }
    ),
    # A decision stands until a person changes it explicitly.
    RecommendationState.ACCEPTED: frozenset({RecommendationState.REJECTED}),
    RecommendationState.AUTO_ACCEPTED: frozenset({RecommendationState.REJECTED}),
    RecommendationState.REJECTED: frozenset({RecommendationState.ACCEPTED}),
}


class Recommendation(BaseModel):
    """A classification proposed for one column of one central table."""

    database: str
    table: str
    column: str
    column_type: str
    sensitivity_class: str
    confidence: float = Field(ge=0.0, le=1.0)
    explanation: str
    evidence: dict[str, str | float | int] = Field(default_factory=dict)
    state: RecommendationState = RecommendationState.PENDING
    decided_by: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def recommendation_id(self) -> str:
        """Stable per column and class: re-scanning an unchanged column finds the same id."""
        key = f"{self.database}\x00{self.table}\x00{self.column}\x00{self.column_type}\x00{self.sensitivity_class}"
        return "rec-" + hashlib.sha256(key.encode()).hexdigest()[:16]

    def decide(self, to: RecommendationState, by: str) -> Recommendation:
        if to not in TRANSITIONS[self.state]:
            raise InvalidTransitionError(
                f"recommendation {self.recommendation_id} is {self.state.value}; "
                f"it cannot become {to.value}"
            )
        return self.model_copy(update={"state": to, "decided_by": by})
