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


# Keys of the classifier's evidence that `evidence_sentence` words; others are named as they are.
_WORDED = frozenset(
    {
        "name_tokens",
        "name_phrase",
        "name_source",
        "name_weight",
        "sample_size",
        "non_empty",
        "matched",
        "match_rate",
        "value_check",
        "notes",
        "sample_source",
    }
)


def _count(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def evidence_sentence(evidence: Mapping[str, object]) -> str:
    """A recommendation's evidence as a sentence a data owner reads: "the name matches 'iban';
    3 of 100 sampled values are IBANs passing the country format and mod-97 checksum".

    Reads the statistics the classifier records (``classifier.engine.model.Evidence``, flattened:
    name phrase and source, sample size, non-empty and matched counts, match rate, value check,
    notes, sample source); keys it does not know are named as they are, never dropped.
    """
    parts: list[str] = []
    phrase = evidence.get("name_phrase")
    if phrase:
        where = (
            "the column comment mentions"
            if evidence.get("name_source") == "comment"
            else ("the name matches")
        )
        parts.append(f"{where} '{phrase}'")
    sampled, non_empty = _count(evidence.get("sample_size")), _count(evidence.get("non_empty"))
    matched, rate = _count(evidence.get("matched")), evidence.get("match_rate")
    check = evidence.get("value_check")
    if "sample_size" in evidence and not sampled:
        parts.append("no values were sampled")
    elif non_empty and check and matched is not None:
        parts.append(
            f"{matched} of {_plural(non_empty, 'sampled value')} {'is' if matched == 1 else 'are'} {check}"
        )
    elif isinstance(rate, int | float) and not isinstance(rate, bool):
        of = f" of {_plural(non_empty, 'sampled value')}" if non_empty else " of the sampled values"
        parts.append(f"{rate * 100:.0f} %{of} match the class")
    elif sampled:
        parts.append(
            f"only {non_empty or 0} of {_plural(sampled, 'sampled value')} "
            f"{'was' if (non_empty or 0) == 1 else 'were'} not empty, too few to check"
        )
    if sampled and non_empty is not None and sampled > non_empty and matched is not None and check:
        parts.append(
            f"{sampled - non_empty} more {'was' if sampled - non_empty == 1 else 'were'} empty"
        )
    if not phrase and matched and "name_weight" in evidence:
        parts.append("the name says nothing of it")  # the values alone
    source = evidence.get("sample_source")
    if source:
        parts.append(f"sampled from {source}")
    notes = evidence.get("notes")
    if notes:
        parts.append(str(notes))
    parts += [
        f"{key.replace('_', ' ')}: {value}"
        for key, value in sorted(evidence.items())
        if key not in _WORDED
    ]
    if not parts:
        return "No evidence recorded"
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:]
