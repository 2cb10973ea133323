"""Column-name evidence: tokenising, abbreviation expansion and phrase matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from classifier.engine.classes import SensitivityClass
from classifier.engine.lexicon import (
    ABBREVIATIONS,
    COUNT_PREFIXES,
    FOREIGN_WORDS,
    ID_LIKE,
    KEEP_WHOLE,
    LEADING_NEGATORS,
    NEGATORS,
    NEUTRAL,
    NON_PERSON_QUALIFIERS,
    PERSON_ENTITIES,
    REGION_HINTS,
    RULES,
    SEGMENT_SHORT_PIECES,
    Rule,
)
from classifier.engine.model import NameSource

RULE_ORDER = {rule: i for i, rule in enumerate(RULES)}
OWNERS = PERSON_ENTITIES - {"holder", "owner", "party"}
"""People a column's value may belong to, written after it in many languages."""
COMMENT_FACTOR = 0.6
"""Comment phrases count as weaker evidence than the column name."""
UNKNOWN_TRAILER_FACTOR = 0.65
"""Each unknown token after a phrase (``mobile_app``) weakens it."""


def _any_case(word: str) -> str:
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in word)


# A kept word starts a new word when it follows a non-letter, or starts with a capital
# after a lower-case letter (``clientIPv6``).
_KEEP_WHOLE_RE = re.compile(
    "|".join(
        rf"(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))({_any_case(w)})(?![a-z])"
        for w in sorted(KEEP_WHOLE)
    )
)
_WORD_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


@dataclass(frozen=True, slots=True)
class Token:
    canon: str
    raw: str
    raw_index: int


@dataclass(frozen=True, slots=True)
class NameHit:
    cls: SensitivityClass
    weight: float
    phrase: str
    raw_tokens: tuple[str, ...]
    source: NameSource
    note: str | None = None


def fold_accents(text: str) -> str:
    """``Straße`` -> ``Strasse``, ``teléfono`` -> ``telefono`` (case kept)."""
    if text.isascii():
        return text
    text = text.replace("ß", "ss").replace("ẞ", "SS")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def split_words(name: str) -> list[str]:
    """Lower-case words of a name: snake_case, camelCase, digits, dots and hyphens split;
    accents folded."""
    return list(_split_words(name))


@lru_cache(maxsize=8192)
def _split_words(name: str) -> tuple[str, ...]:
    isolated = _KEEP_WHOLE_RE.sub(lambda m: f" {m.group(0)} ", fold_accents(name))
    words: list[str] = []
    for chunk in re.split(r"[^0-9A-Za-z]+", isolated):
        if not chunk:
            continue
        if chunk.lower() in KEEP_WHOLE:
            words.append(chunk.lower())
            continue
        words.extend(w.lower() for w in _WORD_RE.findall(chunk))
    return tuple(words)


@cache
def _vocabulary() -> frozenset[str]:
    words: set[str] = set(ABBREVIATIONS)
    for expansion in ABBREVIATIONS.values():
        words.update(expansion)
    for rule in RULES:
        words.update(rule.phrase)
    words.update(NEGATORS, NEUTRAL, ID_LIKE, NON_PERSON_QUALIFIERS, PERSON_ENTITIES)
    return frozenset(words)


def _segment_vocabulary() -> frozenset[str]:
    return frozenset(w for w in _vocabulary() if len(w) >= 3 or w in SEGMENT_SHORT_PIECES)


@cache
def _whole_words() -> frozenset[str]:
    """Vocabulary without English abbreviations (``mname``, ``cust``): the known part of a
    glued word with an unknown part must be made of these."""
    abbreviations = set(ABBREVIATIONS) - set(FOREIGN_WORDS)
    return frozenset(w for w in _segment_vocabulary() if w not in abbreviations or len(w) <= 3)


MIN_KNOWN_PART = 4
"""A glued word with one unknown part is split only if its known part has this many letters..."""
MIN_UNKNOWN_PART = 3
"""... and the unknown part this many (``principaladdress``, ``sturmname``)."""


@cache
def _segment(word: str) -> tuple[str, ...]:
    """Split a glued word (``custid``, ``emailaddress``) into known words, fewest pieces first;
    failing that, into one unknown word and known words (``mainaddress``), longest known
    part first."""
    if word in _vocabulary() or len(word) < 4 or not word.isalpha():
        return (word,)
    known = _segment_known(word)
    if known is not None:
        return known
    best: tuple[str, ...] = (word,)
    best_known = 0
    whole = _whole_words()
    for cut in range(MIN_UNKNOWN_PART, len(word) - MIN_KNOWN_PART + 1):
        tail = _segment_known(word[cut:])  # unknown word first
        if tail is not None and len(word) - cut > best_known and whole.issuperset(tail):
            best, best_known = (word[:cut], *tail), len(word) - cut
    for cut in range(MIN_KNOWN_PART, len(word) - MIN_UNKNOWN_PART + 1):
        head = _segment_known(word[:cut])  # known words first
        if head is not None and cut > best_known and whole.issuperset(head):
            best, best_known = (*head, word[cut:]), cut
    return best


@cache
def _segment_known(word: str) -> tuple[str, ...] | None:
    """``word`` as known words only, fewest pieces first, or None."""
    vocab = _segment_vocabulary()
    if word in _vocabulary():
        return (word,)
    best: list[tuple[str, ...] | None] = [None] * (len(word) + 1)
    best[0] = ()
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 20), end):
            prefix = best[start]
            piece = word[start:end]
            if prefix is None or piece not in vocab:
                continue
            candidate = (*prefix, piece)
            current = best[end]
            if current is None or len(candidate) < len(current):
                best[end] = candidate
    result = best[len(word)]
    return result if result is not None and len(result) > 1 else None


def _singular(word: str) -> str:
    vocab = _vocabulary()
    if word in vocab or len(word) < 3 or not word.endswith("s"):
        return word
    for cut in (1, 2):
        stem = word[:-cut]
        if stem in vocab:
            return stem
    return word


@lru_cache(maxsize=8192)
def _tokens(name: str) -> tuple[Token, ...]:
    out: list[Token] = []
    for index, word in enumerate(split_words(name)):
        for piece in _segment(word):
            piece = _singular(piece)
            for canon in ABBREVIATIONS.get(piece, (piece,)):  # () drops a particle
                if out and out[-1].canon == canon:
                    continue
                out.append(Token(canon, word, index))
    return tuple(out)


def tokenise(name: str) -> tuple[str, ...]:
    """Canonical tokens of a column name, e.g. ``custEmailAddr`` -> customer, email, address."""
    return tuple(t.canon for t in _tokens(name))


def _find(tokens: Sequence[str], phrase: tuple[str, ...]) -> Iterable[int]:
    n = len(phrase)
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i : i + n]) == phrase:
            yield i


def _rule_weight(rule: Rule, canon: Sequence[str], start: int, whole_name: bool) -> float:
    """Weight of one phrase occurrence after looking at its neighbours; 0 when cancelled."""
    end = start + len(rule.phrase)
    before, after = canon[:start], canon[end:]
    if before and before[-1] in rule.not_after:
        return 0.0
    leading = before if whole_name else before[-2:]
    if any(t in LEADING_NEGATORS for t in leading):
        return 0.0
    if not whole_name and before[-2:] == ["number", "of"]:
        return 0.0
    trailing = after if whole_name else after[:1]
    negators = (NEGATORS - rule.allow_after) | rule.not_before
    if rule.cls is not SensitivityClass.CUSTOMER_IDENTIFIER:
        negators |= ID_LIKE
    if any(t in negators for t in trailing):
        return 0.0
    weight = rule.weight
    if whole_name:
        # an owner after the phrase (``email_cliente``, ``postcode_klant``) does not weaken it
        unknown = [
            t
            for t in trailing
            if not t.isdigit() and t not in NEUTRAL and t not in ID_LIKE and t not in OWNERS
        ]
        weight *= UNKNOWN_TRAILER_FACTOR ** min(len(unknown), 2)
    return weight


_NUMBER_PREFIXES = frozenset({"num", "no", "nbr", "n", "number"})


def _counts_things(raw: Sequence[str]) -> bool:
    """``num_emails``, ``total_cards``: a count. ``num_cliente`` is a customer number: after
    a number word, only a plural counts things."""
    if not raw or raw[0] not in COUNT_PREFIXES:
        return False
    if raw[0] in _NUMBER_PREFIXES:
        following = [w for w in raw[1:] if w != "of"]
        return bool(following) and following[0].endswith("s") and len(following[0]) > 3
    return True


@cache
def _rules_by_first_token() -> dict[str, tuple[Rule, ...]]:
    index: dict[str, list[Rule]] = {}
    for rule in RULES:
        index.setdefault(rule.phrase[0], []).append(rule)
    return {first: tuple(rules) for first, rules in index.items()}


def match_text(text: str, source: NameSource) -> list[NameHit]:
    """Phrase hits in a column name (``source="name"``) or a comment (weaker, local checks)."""
    return list(_match_text(text, source))


@lru_cache(maxsize=8192)
def _match_text(text: str, source: NameSource) -> tuple[NameHit, ...]:
    tokens = _tokens(text)
    canon = [t.canon for t in tokens]
    whole_name = source == "name"
    counted = whole_name and _counts_things([t.raw for t in tokens])
    hits: list[NameHit] = []
    index = _rules_by_first_token()
    present = set(canon)
    # rules in lexicon order, restricted to those whose first word occurs in the text
    rules = sorted(
        (r for first in present for r in index.get(first, ())), key=RULE_ORDER.__getitem__
    )
    for rule in rules:
        for start in _find(canon, rule.phrase):
            if counted and start > 0:
                continue
            weight = _rule_weight(rule, canon, start, whole_name)
            if weight <= 0:
                continue
            if not whole_name:
                weight *= COMMENT_FACTOR
            raw: list[str] = []
            for t in tokens[start : start + len(rule.phrase)]:
                if not raw or raw[-1] != t.raw:
                    raw.append(t.raw)
            hits.append(
                NameHit(rule.cls, weight, " ".join(rule.phrase), tuple(raw), source, rule.note)
            )
    return tuple(hits)


def best_hits(hits: Iterable[NameHit]) -> dict[SensitivityClass, NameHit]:
    """The strongest hit per class."""
    best: dict[SensitivityClass, NameHit] = {}
    for hit in hits:
        current = best.get(hit.cls)
        if current is None or hit.weight > current.weight:
            best[hit.cls] = hit
    return best


def other_head(name: str) -> str | None:
    """The name's head word when it says what the column is, and that is no sensitive class
    on its own (``ship_date``, ``order_number``, ``company_name``), else None.

    Whether the head contradicts a class depends on the class: ``number`` does not
    contradict phone numbers, ``location`` does not contradict street addresses
    (see ``lexicon.HEAD_COMPATIBLE``).
    """
    canon = tokenise(name)
    if not canon:
        return None
    head = canon[-1]
    if head in NEGATORS or head in ID_LIKE or head in {"number", "reference", "title"}:
        return head
    return None


def describes_something_else(name: str) -> bool:
    """The name's head word says what the column is, and it is no sensitive class."""
    return other_head(name) is not None


def context_words(*texts: str | None) -> set[str]:
    words: set[str] = set()
    for text in texts:
        if text:
            words.update(_context_words(text))
    return words


@lru_cache(maxsize=8192)
def _context_words(text: str) -> frozenset[str]:
    return frozenset(tokenise(text)) | frozenset(_split_words(text))


def region_from_context(words: Iterable[str], default: str = "US") -> str:
    """Phone-number region hinted at by context words, else ``default``."""
    found = {REGION_HINTS[w] for w in words if w in REGION_HINTS}
    return found.pop() if len(found) == 1 else default


def clear_caches() -> None:
    """Forget tokenised names (benchmarks measure cold names this way)."""
    for cached in (_split_words, _tokens, _match_text, _context_words):
        cached.cache_clear()
