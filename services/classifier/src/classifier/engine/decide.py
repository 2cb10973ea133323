"""Scoring: name evidence and value evidence combined into recommendations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from classifier.engine.classes import SensitivityClass as C
from classifier.engine.coltypes import allowed, type_family
from classifier.engine.lexicon import HEAD_COMPATIBLE, LEDGER_WORDS, PERSON_ENTITIES
from classifier.engine.model import ColumnFacts, Evidence, Recommendation
from classifier.engine.names import (
    NameHit,
    best_hits,
    context_words,
    match_text,
    other_head,
    region_from_context,
    tokenise,
)
from classifier.engine.validators import Strength
from classifier.engine.values import (
    PERSON_MIN_DISTINCT,
    PreparedSample,
    ValueStats,
    describe_check,
    is_flag_column,
)

THRESHOLD = 0.5
"""Recommendations below this confidence are dropped."""
MIN_VALUES = 5
"""Fewer non-empty sampled values than this are no value evidence."""
SMALL_SAMPLE = 20
"""Below this many non-empty values, values-only confidence is lowered."""
MIN_NAME_WEIGHT = 0.45
"""Weaker name hits are ignored."""
MIN_COMMENT_WEIGHT = 0.3
"""Weaker comment hits are ignored (comment hits are scaled down, see ``COMMENT_FACTOR``)."""
RUNNER_UP_GAP = 0.1
"""A second class is reported only when this close to the best one..."""
RUNNER_UP_FLOOR = 0.7
"""... and at least this confident."""

VALUES_ONLY_CAP: Mapping[C, float] = MappingProxyType(
    {
        C.EMAIL_ADDRESS: 0.85,
        C.IP_ADDRESS: 0.8,
        C.POSTAL_ADDRESS: 0.75,
        C.NATIONAL_IDENTIFIER: 0.75,
        C.PHONE_NUMBER: 0.7,
        C.TAX_IDENTIFIER: 0.7,
        C.PERSON_NAME: 0.7,
        C.BANK_ROUTING_CODE: 0.6,
        C.DATE_OF_BIRTH: 0.55,
    }
)
"""Confidence that distinctive but not checksum-validated values give on their own.
Classes missing here (customer identifiers, bank account numbers) need name evidence."""
VALUES_ONLY_RATE: Mapping[C, float] = MappingProxyType(
    {C.PERSON_NAME: 0.7, C.PHONE_NUMBER: 0.7, C.POSTAL_ADDRESS: 0.6}
)
SURNAMES_ONLY = 0.6
"""Confidence of values alone that are nearly all known last names, one word each (a
surname column); place names built from surnames are rarely single words throughout."""
SURNAME_RATE = 0.9
SURNAME_SINGLE_SHARE = 0.8
DEFAULT_VALUES_ONLY_RATE = 0.8
OTHER_NAME_PENALTY = 0.3
"""Values-only confidence lost when the name says the column is something else."""
LEDGER_PENALTY = 0.1
"""Lost by an account identifier when the table or its columns mention a ledger..."""
LEDGER_COMMENT_PENALTY = 0.3
"""... and when the column's own comment says so (usually enough to drop it)."""
CONTRADICTION_PENALTY = 0.4
"""Name confidence lost when almost no sampled value fits the class."""


@dataclass(frozen=True, slots=True)
class _Context:
    region: str
    ledger: bool
    ledger_comment: bool
    """The column's own comment says it is a ledger's."""
    person_table: bool
    customer_table: bool


def _context(facts: ColumnFacts, default_region: str) -> _Context:
    table = context_words(facts.table)
    siblings = context_words(*facts.sibling_columns[:200])
    own = context_words(facts.name, facts.comment)
    return _Context(
        region=region_from_context(table | own, default_region),
        ledger=bool((table | siblings | own) & LEDGER_WORDS),
        ledger_comment=bool(context_words(facts.comment) & LEDGER_WORDS),
        person_table=bool(table & PERSON_ENTITIES),
        customer_table=bool(table & {"customer", "client"}),
    )


def _name_hits(facts: ColumnFacts, ctx: _Context) -> dict[C, NameHit]:
    hits = best_hits(match_text(facts.name, "name"))
    person = hits.get(C.PERSON_NAME)
    if person is not None and person.phrase == "name" and ctx.person_table:
        hits[C.PERSON_NAME] = NameHit(
            C.PERSON_NAME, 0.6, "name", person.raw_tokens, "name",
            "the table name says it holds people",
        )  # fmt: skip
    if tokenise(facts.name) in (("id",), ("number",), ("key",)) and ctx.customer_table:
        hits[C.CUSTOMER_IDENTIFIER] = NameHit(
            C.CUSTOMER_IDENTIFIER, 0.6, "id", (facts.name.lower(),), "name",
            "the table name says it holds customers",
        )  # fmt: skip
    if facts.comment:
        for cls, hit in best_hits(match_text(facts.comment, "comment")).items():
            current = hits.get(cls)
            if current is None:
                hits[cls] = hit
            else:
                hits[cls] = NameHit(
                    cls, min(0.85, max(current.weight, hit.weight) + 0.05), current.phrase,
                    current.raw_tokens, current.source, current.note,
                )  # fmt: skip
    return {
        cls: hit
        for cls, hit in hits.items()
        if hit.weight >= (MIN_NAME_WEIGHT if hit.source == "name" else MIN_COMMENT_WEIGHT) - 1e-9
    }


def _pct(rate: float) -> str:
    return f"{rate * 100:.0f} %" if rate >= 1 or rate == 0 else f"{min(99, int(rate * 100))} %"


@dataclass(slots=True)
class _Score:
    confidence: float = 0.0
    level: Strength | None = None
    """Value strength the decision rests on, if any."""
    contradicted: bool = False
    values_only: bool = False


def _values_only(cls: C, stats: ValueStats, other_name: bool) -> _Score:
    checksum = stats.rate(Strength.CHECKSUM)
    if checksum >= 0.8:
        score = _Score(0.85 + 0.1 * checksum, Strength.CHECKSUM, values_only=True)
    elif checksum >= 0.5:
        score = _Score(0.5 + 0.4 * checksum, Strength.CHECKSUM, values_only=True)
    elif (
        cls is C.PERSON_NAME
        and stats.rate(Strength.DISTINCTIVE) < VALUES_ONLY_RATE[cls]
        and stats.rate(Strength.VALID) >= SURNAME_RATE
        and stats.single_words >= SURNAME_SINGLE_SHARE * stats.non_empty
    ):
        score = _Score(SURNAMES_ONLY, Strength.VALID, values_only=True)
        if other_name:
            score.confidence -= OTHER_NAME_PENALTY
    else:
        cap = VALUES_ONLY_CAP.get(cls)
        rate = stats.rate(Strength.DISTINCTIVE)
        if cap is None or rate < VALUES_ONLY_RATE.get(cls, DEFAULT_VALUES_ONLY_RATE):
            return _Score()
        score = _Score(cap if rate >= 0.95 else cap - 0.05, Strength.DISTINCTIVE, values_only=True)
        if other_name:
            score.confidence -= OTHER_NAME_PENALTY
    if stats.non_empty < SMALL_SAMPLE:
        score.confidence -= 0.1
    return score


WEAK_NAME = 0.5
"""Name hits below this weight (a bare ``name``, ``nombre``, ``client``) are ambiguous: only
most values passing a real validator confirm them, name-shaped values do not."""
WEAK_NAME_RATE = 0.7


def _with_name(weight: float, stats: ValueStats) -> _Score:
    valid = stats.rate(Strength.VALID)
    plausible = stats.rate(Strength.PLAUSIBLE)
    if valid >= (0.5 if weight >= WEAK_NAME - 1e-9 else WEAK_NAME_RATE):
        bonus = 0.05 if weight >= 0.6 else 0.0
        return _Score(min(0.99, 0.85 + bonus + 0.09 * valid), Strength.VALID)
    if plausible >= 0.5 and weight >= WEAK_NAME - 1e-9:
        return _Score(min(0.85, weight + 0.15), Strength.PLAUSIBLE)
    if plausible >= 0.2:
        return _Score(weight, Strength.PLAUSIBLE)
    penalty = CONTRADICTION_PENALTY if stats.non_empty >= 10 else 0.1
    return _Score(weight - penalty, Strength.PLAUSIBLE, contradicted=True)


def _only_plausible(stats: ValueStats) -> ValueStats:
    """The same statistics with every value that passed counted as merely PLAUSIBLE."""
    plausible = stats.at_least[Strength.PLAUSIBLE]
    at_least = tuple(
        plausible if s is Strength.PLAUSIBLE else (stats.non_empty if s is Strength.NONE else 0)
        for s in Strength
    )
    return ValueStats(stats.sample_size, stats.non_empty, at_least, stats.distinct, stats.region, 0)


def _reported_level(stats: ValueStats, floor: Strength) -> Strength:
    """The strongest level at or above ``floor`` that at least half the values reach."""
    for level in sorted(Strength, reverse=True):
        if level >= floor and stats.rate(level) >= 0.5:
            return level
    return floor


def _explain(
    cls: C,
    hit: NameHit | None,
    stats: ValueStats | None,
    score: _Score,
    region: str,
    name_says_other: bool,
) -> tuple[str, Evidence]:
    parts: list[str] = []
    notes: list[str] = []
    if hit is not None:
        raw = " ".join(hit.raw_tokens)
        said = f"'{raw}'" + (f" ({hit.phrase})" if hit.phrase != raw else "")
        parts.append(("name matches " if hit.source == "name" else "comment mentions ") + said)
        if hit.note:
            notes.append(hit.note)
    matched, rate, check = 0, None, None
    if stats is not None and stats.non_empty >= MIN_VALUES and score.level is not None:
        level = score.level
        if not score.values_only and not score.contradicted:
            level = _reported_level(stats, level)
        matched, rate = stats.count(level), stats.rate(level)
        check = describe_check(cls, level, region)
        text = f"{_pct(rate)} of {stats.non_empty} sampled non-empty values are {check}"
        parts.append(("but only " + text) if score.contradicted else text)
        if score.values_only and hit is None:
            parts.append(
                "the column name suggests another class"
                if name_says_other
                else "the column name gives no evidence"
            )
    elif hit is not None and stats is not None and stats.sample_size:
        parts.append(f"only {stats.non_empty} non-empty sampled values, too few to check")
    elif hit is not None:
        parts.append("no sampled values were checked")
    explanation = "; ".join(parts + notes)
    evidence = Evidence(
        name_tokens=hit.raw_tokens if hit else (),
        name_phrase=hit.phrase if hit else None,
        name_source=hit.source if hit else None,
        name_weight=round(hit.weight, 2) if hit else 0.0,
        sample_size=stats.sample_size if stats else 0,
        non_empty=stats.non_empty if stats else 0,
        matched=matched,
        match_rate=round(rate, 4) if rate is not None else None,
        value_check=check,
        notes=tuple(notes),
    )
    return explanation, evidence


def classify_column(
    facts: ColumnFacts,
    sample: Sequence[str | None] | None = None,
    *,
    today: date | None = None,
    default_region: str = "US",
) -> list[Recommendation]:
    """Recommend sensitivity classes for one column; an empty list means not sensitive.

    ``sample`` is an optional bounded sample of the column's values (strings or None).
    ``today`` anchors the age range of dates of birth (defaults to the current date);
    ``default_region`` is used to parse phone numbers unless the context names another.
    """
    family = type_family(facts.type)
    candidates = [cls for cls in C if allowed(cls, family)]
    if not candidates:
        return []
    ctx = _context(facts, default_region)
    hits = _name_hits(facts, ctx)
    prepared = PreparedSample(sample, ctx.region, today or date.today()) if sample else None
    if prepared is not None and is_flag_column(prepared.counts):
        return []  # yes/no values: a flag about the class, never the class itself
    head = None if hits else other_head(facts.name)

    # Classes the name points at first: when one of them is confirmed by its values, only
    # checksum classes could still come close, and the other checks are skipped.
    ordered = sorted(candidates, key=lambda c: c not in hits)
    recommendations: list[Recommendation] = []
    confirmed = False
    for cls in ordered:
        hit = hits.get(cls)
        if confirmed and hit is None and cls not in CHECKSUM_CLASSES:
            continue
        stats = _class_stats(prepared, cls, hit is not None)
        usable = stats if stats is not None and stats.non_empty >= MIN_VALUES else None
        score = _Score(hit.weight) if hit else _Score()
        if usable is not None:
            if hit is not None:
                score = _with_name(hit.weight, usable)
            other_name = head is not None and head not in HEAD_COMPATIBLE[cls]
            alone = _values_only(cls, usable, other_name)
            if alone.confidence > score.confidence:
                score = alone
        if hit is not None and hit.note and ctx.ledger:
            score.confidence -= LEDGER_COMMENT_PENALTY if ctx.ledger_comment else LEDGER_PENALTY
            hit = NameHit(
                hit.cls, hit.weight, hit.phrase, hit.raw_tokens, hit.source,
                f"{hit.note}, and the table context mentions a ledger",
            )  # fmt: skip
        if score.confidence < THRESHOLD:
            continue
        confirmed = confirmed or (hit is not None and score.confidence >= CONFIRMED)
        name_says_other = (head is not None and head not in HEAD_COMPATIBLE[cls]) or any(
            c is not cls for c in hits
        )
        region = stats.region if stats is not None and stats.region else ctx.region
        explanation, evidence = _explain(cls, hit, stats, score, region, name_says_other)
        recommendations.append(
            Recommendation(cls, round(min(score.confidence, 0.99), 2), explanation, evidence)
        )
    return select(recommendations)


CONFIRMED = 0.95
"""A name hit whose values bring it this far leaves room only for checksum classes."""
CHECKSUM_CLASSES = frozenset(
    {C.IBAN, C.PAYMENT_CARD_NUMBER, C.BANK_ROUTING_CODE, C.TAX_IDENTIFIER, C.NATIONAL_IDENTIFIER}
)
"""Classes whose check digits could still outscore a confirmed name."""


def _class_stats(prepared: PreparedSample | None, cls: C, named: bool) -> ValueStats | None:
    if prepared is None:
        return None
    stats = prepared.stats(cls, named)
    if (
        cls is C.PERSON_NAME
        and stats is not None
        and stats.distinct_names < PERSON_MIN_DISTINCT * stats.non_empty
    ):
        return _only_plausible(stats)
    return stats


def select(recommendations: Sequence[Recommendation]) -> list[Recommendation]:
    """The best recommendation, plus any other within ``RUNNER_UP_GAP`` of it and at least
    ``RUNNER_UP_FLOOR`` confident."""
    ranked = sorted(recommendations, key=lambda r: r.confidence, reverse=True)
    if not ranked:
        return []
    floor = max(RUNNER_UP_FLOOR, ranked[0].confidence - RUNNER_UP_GAP)
    return [ranked[0], *(r for r in ranked[1:] if r.confidence >= floor)]
