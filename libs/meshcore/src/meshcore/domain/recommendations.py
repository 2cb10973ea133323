"""Sensitive-column recommendations, their review states, and when a decision is asked again."""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from meshcore.domain.classification import NOT_SENSITIVE, UNCLASSIFIED
from meshcore.domain.errors import InvalidTransitionError

EvidenceDict = dict[str, str | float | int]


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
APPLIED = frozenset({RecommendationState.ACCEPTED, RecommendationState.AUTO_ACCEPTED})
"""States whose class is (to be) the column's Lake Formation tag."""

MATERIAL_MATCH_RATE = 0.5
"""A rejected recommendation is asked again only when at least this fraction of sampled values
now match the class..."""
MATERIAL_RATE_INCREASE = 0.3
"""... and that fraction rose by at least this much since the rejection (or values were not
checked then)."""


def evidence_changed_materially(
    rejected: Mapping[str, object], current: Mapping[str, object]
) -> bool:
    """Whether evidence differs enough from what a reviewer rejected to ask them again.

    The name, type and comment of an unchanged column give the same evidence on every scan; what
    can change is how many sampled values match the class. A column whose values now match
    much more often than when it was rejected (say, a free-text column that now holds IBANs) is
    asked about again; noise between two samples is not.
    """
    now = current.get("match_rate")
    if not isinstance(now, int | float) or now < MATERIAL_MATCH_RATE:
        return False
    before = rejected.get("match_rate")
    if not isinstance(before, int | float):
        return True
    return now - before >= MATERIAL_RATE_INCREASE - 1e-9


class Recommendation(BaseModel):
    """A classification proposed for one column of one central table."""

    database: str
    table: str
    column: str
    column_type: str
    sensitivity_class: str
    confidence: float = Field(ge=0.0, le=1.0)
    explanation: str
    evidence: EvidenceDict = Field(default_factory=dict)
    state: RecommendationState = RecommendationState.PENDING
    decided_by: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    decided_at: datetime | None = None
    rejected_evidence: EvidenceDict | None = None
    """The evidence a reviewer saw when rejecting: the baseline for asking again."""
    reopened: int = 0
    """How often a rejection was reopened because the evidence changed materially."""

    @property
    def recommendation_id(self) -> str:
        """Stable per column and class: re-scanning an unchanged column finds the same id."""
        key = f"{self.database}\x00{self.table}\x00{self.column}\x00{self.column_type}\x00{self.sensitivity_class}"
        return "rec-" + hashlib.sha256(key.encode()).hexdigest()[:16]

    @property
    def column_ref(self) -> str:
        return f"{self.database}.{self.table}.{self.column}"

    @property
    def applied(self) -> bool:
        """Accepted by a person or by the producer's policy."""
        return self.state in APPLIED

    def same_column(self, other: Recommendation) -> bool:
        return (self.database, self.table, self.column) == (
            other.database,
            other.table,
            other.column,
        )

    def decide(self, to: RecommendationState, by: str) -> Recommendation:
        if to not in TRANSITIONS[self.state]:
            raise InvalidTransitionError(
                f"recommendation {self.recommendation_id} is {self.state.value}; "
                f"it cannot become {to.value}"
            )
        update: dict[str, object] = {
            "state": to,
            "decided_by": by,
            "decided_at": datetime.now(UTC),
        }
        if to is RecommendationState.REJECTED:
            update["rejected_evidence"] = dict(self.evidence)
        return self.model_copy(update=update)

    def rescanned(self, found: Recommendation) -> Recommendation | None:
        """This recommendation after a new scan found the same column and class again, or None
        when nothing changes (and nobody is asked anything).

        A pending one takes the new evidence; an accepted one stays as it is; a rejected one
        becomes pending again only when the evidence changed materially since the rejection.
        """
        fresh = {
            "confidence": found.confidence,
            "explanation": found.explanation,
            "evidence": dict(found.evidence),
        }
        if self.state is RecommendationState.PENDING:
            same = all(getattr(self, k) == v for k, v in fresh.items())
            return None if same else self.model_copy(update=fresh)
        if self.state is RecommendationState.REJECTED and evidence_changed_materially(
            self.rejected_evidence or self.evidence, found.evidence
        ):
            return self.model_copy(
                update={
                    **fresh,
                    "state": RecommendationState.PENDING,
                    "decided_by": None,
                    "decided_at": None,
                    "reopened": self.reopened + 1,
                }
            )
        return None


def column_sensitivity(recs: Iterable[Recommendation]) -> str:
    """The `sensitivity` tag value a scanned column carries, from its recommendations: the class
    of the one in force (accepted or auto-accepted, the latest decided), else ``unclassified``
    while one awaits review, else ``none`` (nothing found, or everything rejected)."""
    recs = list(recs)
    applied = [r for r in recs if r.applied]
    if applied:
        latest = max(applied, key=lambda r: r.decided_at or r.created_at)
        return latest.sensitivity_class
    if any(r.state is RecommendationState.PENDING for r in recs):
        return UNCLASSIFIED
    return NOT_SENSITIVE


RULE_ACTOR = "rejection-rule"
"""``decided_by`` of a recommendation rejected by a remembered rejection, not by a person."""

_DIGITS = re.compile(r"\d+")
_SEPARATORS = re.compile(r"[^\w#]|_")


def column_pattern(column: str) -> str:
    """A column name reduced to what repeats from table to table: lower case, separators
    dropped, each run of digits as ``#``. ``Address_Line_1`` and ``addressLine2`` are both
    ``addressline#``."""
    return _SEPARATORS.sub("", _DIGITS.sub("#", column.lower()))


class RejectionRule(BaseModel):
    """A producer's rejection remembered for its domain: the class is not recommended again,
    without asking, for columns named like the rejected one in any table of the domain,
    unless their evidence is materially stronger than what was rejected."""

    sensitivity_class: str
    column_pattern: str
    match_rate: float | None = None
    """Share of sampled values that matched when the reviewer rejected (None: not checked)."""
    rejected_by: str
    rejected_from: str
    """The recommendation whose rejection made the rule."""
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def from_rejection(cls, rec: Recommendation) -> RejectionRule:
        evidence = rec.rejected_evidence if rec.rejected_evidence is not None else rec.evidence
        rate = evidence.get("match_rate")
        return cls(
            sensitivity_class=rec.sensitivity_class,
            column_pattern=column_pattern(rec.column),
            match_rate=float(rate) if isinstance(rate, int | float) else None,
            rejected_by=rec.decided_by or "unknown",
            rejected_from=rec.recommendation_id,
        )

    @property
    def key(self) -> tuple[str, str]:
        return self.sensitivity_class, self.column_pattern

    def covers(self, rec: Recommendation) -> bool:
        """Same class, a column named alike, and evidence not materially stronger."""
        if (rec.sensitivity_class, column_pattern(rec.column)) != self.key:
            return False
        baseline = {} if self.match_rate is None else {"match_rate": self.match_rate}
        return not evidence_changed_materially(baseline, rec.evidence)

    def applied_to(self, rec: Recommendation) -> Recommendation:
        """``rec`` recorded as rejected by this rule, its explanation saying so."""
        said = (
            f"rejected without asking: {self.rejected_by} rejected {self.sensitivity_class} "
            f"for columns named like '{self.column_pattern}' in this domain "
            f"(recommendation {self.rejected_from})"
        )
        now = datetime.now(UTC)
        return rec.model_copy(
            update={
                "state": RecommendationState.REJECTED,
                "decided_by": RULE_ACTOR,
                "decided_at": now,
                "explanation": f"{rec.explanation}; {said}",
                "rejected_evidence": dict(rec.evidence),
            }
        )
