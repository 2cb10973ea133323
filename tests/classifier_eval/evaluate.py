"""`make eval-classifier`: the classifier measured on labelled corpora.

The default corpus is ``opendata.py``: tables that look like published open data in ten
locales, with a ``dev`` split (tuned on) and a ``heldout`` split (never tuned on). For each
split it prints, with column names visible and with names masked (``col_17`` in table ``t``, no
comment, no sibling columns): per-class precision of the top recommendation at the default
threshold, recall and F1, typed micro-F1 (a sensitive column counts as found only with its
right class), the same per locale, and how often checksum-validated columns (IBAN, card, ABA,
US SSN) are found. Then throughput on the held-out split: columns per second from metadata
alone and with a 100-value sample. ``--corpus finance`` runs the older finance corpus
(``corpus.py``). When Presidio's analyzer is importable it is evaluated side by side on the
finance corpus (pattern recognizers on a blank spaCy pipeline, see docs/classification.md).

Run from the repository root: ``python tests/classifier_eval/evaluate.py [--split heldout]``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import opendata
from corpus import TODAY, Column, columns

from classifier.engine import THRESHOLD, ColumnFacts, SensitivityClass, classify_column
from classifier.engine.names import clear_caches

NOT_SENSITIVE = "not_sensitive"
LABELS = [*(c.value for c in SensitivityClass), NOT_SENSITIVE]
SHORT = {
    "person_name": "name",
    "email_address": "email",
    "phone_number": "phone",
    "customer_identifier": "cust",
    "bank_account_number": "acct",
    "iban": "iban",
    "bank_routing_code": "route",
    "payment_card_number": "card",
    "national_identifier": "natid",
    "tax_identifier": "tax",
    "postal_address": "addr",
    "date_of_birth": "dob",
    "ip_address": "ip",
    NOT_SENSITIVE: "none",
}
Predictor = Callable[[Column, bool], str]
AnyColumn = Any
"""A column of either corpus (same fields: table, name, type, comment, siblings, label...)."""


def facts(column: AnyColumn, index: int, masked: bool) -> ColumnFacts:
    if masked:
        return ColumnFacts(name=f"col_{index}", type=column.type, table="t")
    return ColumnFacts(
        name=column.name,
        type=column.type,
        comment=column.comment,
        table=column.table,
        sibling_columns=column.siblings,
    )


def label(column: AnyColumn) -> str:
    return column.label.value if column.label else NOT_SENSITIVE


def engine_predictions(corpus: Sequence[AnyColumn], masked: bool) -> list[str]:
    predicted = []
    for index, column in enumerate(corpus, start=1):
        recs = classify_column(facts(column, index, masked), column.values, today=TODAY)
        predicted.append(recs[0].sensitivity_class.value if recs else NOT_SENSITIVE)
    return predicted


def scores(
    truth: Sequence[str], predicted: Sequence[str]
) -> dict[str, tuple[float, float, float, int]]:
    """Per label: precision, recall, F1, support. Precision is NaN for a label never
    predicted (there is nothing to be precise about); F1 is then 0 if the label occurs."""
    out = {}
    for name in LABELS:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p == name)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p == name != t)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == name != p)
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = (
            2 * precision * recall / (precision + recall)
            if tp
            else (0.0 if tp + fn else float("nan"))
        )
        out[name] = (precision, recall, f1, tp + fn)
    return out


def _cell(value: float, width: int) -> str:
    return f"{'-':>{width}}" if math.isnan(value) else f"{value:>{width}.2f}"


def macro_f1(table: dict[str, tuple[float, float, float, int]]) -> float:
    present = [0.0 if math.isnan(f1) else f1 for _, _, f1, support in table.values() if support]
    return sum(present) / len(present)


def typed_micro(truth: Sequence[str], predicted: Sequence[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 over sensitive columns: a prediction counts only with the
    right class; not-sensitive is the negative."""
    pairs = list(zip(truth, predicted, strict=True))
    tp = sum(1 for t, p in pairs if t == p != NOT_SENSITIVE)
    said = sum(1 for _, p in pairs if p != NOT_SENSITIVE)
    real = sum(1 for t, _ in pairs if t != NOT_SENSITIVE)
    precision = tp / said if said else 1.0
    recall = tp / real if real else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def report(title: str, truth: Sequence[str], predicted: Sequence[str]) -> float:
    table = scores(truth, predicted)
    print(f"\n{title}")
    print(
        f"  {'class':<22} {'n':>4} {'said':>5} {'precision':>9} {'recall':>7} {'F1':>6}"
        f"   (precision of the top recommendation at the threshold {THRESHOLD})"
    )
    said = Counter(predicted)
    for name, (p, r, f1, support) in table.items():
        print(
            f"  {name:<22} {support:>4} {said[name]:>5} {_cell(p, 9)} {_cell(r, 7)} {_cell(f1, 6)}"
        )
    macro = macro_f1(table)
    accuracy = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p) / len(truth)
    mp, mr, mf = typed_micro(truth, predicted)
    print(
        f"  typed micro-F1 {mf:.3f} (precision {mp:.3f}, recall {mr:.3f})   "
        f"macro F1 {macro:.3f}   accuracy {accuracy:.3f}"
    )
    print("  confusion (rows: true class, columns: predicted)")
    counts = Counter(zip(truth, predicted, strict=True))
    print("  " + " " * 7 + "".join(f"{SHORT[p]:>6}" for p in LABELS))
    for t in LABELS:
        if not any(counts[(t, p)] for p in LABELS):
            continue
        cells = "".join(f"{counts[(t, p)] or '.':>6}" for p in LABELS)
        print(f"  {SHORT[t]:<7}{cells}")
    return mf


def per_locale(corpus: Sequence[AnyColumn], truth: Sequence[str], predicted: Sequence[str]) -> None:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, column in enumerate(corpus):
        groups[column.locale].append(i)
    cells = []
    for locale in sorted(groups):
        idx = groups[locale]
        _, _, f1 = typed_micro([truth[i] for i in idx], [predicted[i] for i in idx])
        cells.append(f"{locale} {f1:.2f}")
    print("  typed micro-F1 per locale: " + ", ".join(cells))


def checksum_recall(
    corpus: Sequence[AnyColumn], truth: Sequence[str], predicted: Sequence[str]
) -> None:
    idx = [i for i, c in enumerate(corpus) if getattr(c, "checksum", False)]
    if not idx:
        return
    by_class: dict[str, list[bool]] = defaultdict(list)
    for i in idx:
        by_class[truth[i]].append(truth[i] == predicted[i])
    found = sum(sum(v) for v in by_class.values())
    wrong = sum(
        1 for t, p in zip(truth, predicted, strict=True)
        if p in by_class and p != t
    )  # fmt: skip
    detail = ", ".join(f"{SHORT[k]} {sum(v)}/{len(v)}" for k, v in sorted(by_class.items()))
    print(
        f"  checksum-validated columns (IBAN, card, ABA, US SSN) found: {found}/{len(idx)} "
        f"= {found / len(idx):.3f} ({detail}); false positives of those classes: {wrong}"
    )


def mistakes(corpus: Sequence[AnyColumn], predicted: Sequence[str]) -> None:
    for column, p in zip(corpus, predicted, strict=True):
        if label(column) != p:
            where = getattr(column, "locale", "")
            print(f"    {where} {column.table}.{column.name}: {label(column)} predicted as {p}")


SUMMARY: list[str] = []


def evaluate_split(name: str, corpus: Sequence[AnyColumn], show_mistakes: bool) -> None:
    truth = [label(c) for c in corpus]
    sensitive = sum(1 for t in truth if t != NOT_SENSITIVE)
    print(
        f"\n=== {name}: {len(corpus)} columns ({sensitive} sensitive, "
        f"{len(corpus) - sensitive} not), {len(corpus[0].values)} sampled values each ==="
    )
    for masked in (False, True):
        predicted = engine_predictions(corpus, masked)
        run = f"{name}, names {'masked' if masked else 'visible'}"
        micro = report(run, truth, predicted)
        table = scores(truth, predicted)
        worst = min(
            (p, c) for c, (p, _, _, _) in table.items() if c != NOT_SENSITIVE and not math.isnan(p)
        )
        SUMMARY.append(
            f"  {run:<48} typed micro-F1 {micro:.3f}   lowest class precision "
            f"{worst[0]:.2f} ({worst[1]})"
        )
        if hasattr(corpus[0], "locale"):
            per_locale(corpus, truth, predicted)
        checksum_recall(corpus, truth, predicted)
        if show_mistakes:
            mistakes(corpus, predicted)
    metadata_only = [
        next(iter(classify_column(facts(c, i, False), None, today=TODAY)), None)
        for i, c in enumerate(corpus, start=1)
    ]
    names_only = [r.sensitivity_class.value if r else NOT_SENSITIVE for r in metadata_only]
    report(f"{name}, metadata only (no sample)", truth, names_only)


# -- Presidio, side by side (optional) --------------------------------------------------------

PRESIDIO_ENTITIES = {
    "PERSON": "person_name",
    "EMAIL_ADDRESS": "email_address",
    "PHONE_NUMBER": "phone_number",
    "US_BANK_NUMBER": "bank_account_number",
    "IBAN_CODE": "iban",
    "ABA_ROUTING_NUMBER": "bank_routing_code",
    "CREDIT_CARD": "payment_card_number",
    "US_SSN": "national_identifier",
    "US_PASSPORT": "national_identifier",
    "US_DRIVER_LICENSE": "national_identifier",
    "UK_NINO": "national_identifier",
    "US_ITIN": "tax_identifier",
    "LOCATION": "postal_address",
    "IP_ADDRESS": "ip_address",
}
PRESIDIO_MIN_SCORE = 0.5
PRESIDIO_MIN_RATE = 0.5  # a column is the entity at least half its values are


def presidio_predictor() -> Predictor | None:
    """Presidio's analyzer with a blank English spaCy pipeline, or None if not installed."""
    try:
        import spacy
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
    except ImportError:
        return None

    class BlankSpacy(SpacyNlpEngine):  # type: ignore[misc]
        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    engine = BlankSpacy(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.load()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])

    def predict(column: Column, masked: bool) -> str:
        context = [] if masked else column.name.replace("_", " ").split()
        found: Counter[str] = Counter()
        values = [v for v in column.values if v]
        for value in values:
            results = analyzer.analyze(text=value, language="en", context=context)
            best = max(results, key=lambda r: r.score, default=None)
            if best is not None and best.score >= PRESIDIO_MIN_SCORE:
                mapped = PRESIDIO_ENTITIES.get(best.entity_type)
                if mapped:
                    found[mapped] += 1
        if not found or not values:
            return NOT_SENSITIVE
        name, count = found.most_common(1)[0]
        return name if count / len(values) >= PRESIDIO_MIN_RATE else NOT_SENSITIVE

    return predict


# -- throughput ------------------------------------------------------------------------------


def throughput(
    corpus: Sequence[AnyColumn], sample: int | None, seconds: float
) -> tuple[float, float]:
    """Columns classified per second of wall time and per second of this process's CPU time
    (names visible). One process, one thread: the CPU figure is the one-core rate even when
    other work shares the machine. Name caches are cleared before each pass over the corpus,
    so every pass sees its column names for the first time."""
    done = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while True:
        clear_caches()
        for index, column in enumerate(corpus, start=1):
            values = column.values[:sample] if sample else None
            classify_column(facts(column, index, False), values, today=TODAY)
            done += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            cpu = max(time.process_time() - cpu_started, 1e-9)
            return done / elapsed, done / cpu


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", choices=("opendata", "finance"), default="opendata")
    parser.add_argument(
        "--split", choices=(*opendata.SPLITS, "both"), default="both", help="opendata split"
    )
    parser.add_argument(
        "--variant", type=int, default=0, help="opendata: generate the splits from other seeds"
    )
    parser.add_argument("--values", type=int, default=200, help="sampled values per column")
    parser.add_argument("--bench-seconds", type=float, default=2.0)
    parser.add_argument("--mistakes", action="store_true", help="list misclassified columns")
    args = parser.parse_args(argv)

    bench: Sequence[AnyColumn]
    if args.corpus == "finance":
        corpus = columns(args.values)
        evaluate_split("finance corpus", corpus, args.mistakes)
        bench = corpus
        predict = presidio_predictor()
        if predict is None:
            print(
                "\nPresidio: not installed, so not compared (see docs/classification.md); "
                "datahub-classify: not compared (it downloads a spaCy model when imported)"
            )
        else:
            truth = [label(c) for c in corpus]
            for masked in (False, True):
                predicted = [predict(c, masked) for c in corpus]
                report(
                    f"Presidio analyzer (pattern recognizers, blank spaCy), names "
                    f"{'masked' if masked else 'visible'}",
                    truth,
                    predicted,
                )
    else:
        splits = opendata.SPLITS if args.split == "both" else (args.split,)
        bench = []
        for split in splits:
            corpus_split = opendata.columns(split, args.values, args.variant)
            evaluate_split(f"open-data corpus, {split} split", corpus_split, args.mistakes)
            bench = corpus_split
    print("\nsummary")
    print("\n".join(SUMMARY))
    where = "finance corpus" if args.corpus == "finance" else f"{splits[-1]} split"
    print(f"\nthroughput (one process, names visible, {where})")
    for label_, sample in (("metadata only", None), ("with a 100-value sample", 100)):
        wall, cpu = throughput(bench, sample, args.bench_seconds)
        print(
            f"  {label_ + ':':<25} {cpu:>9,.0f} columns per CPU second (one core), "
            f"{wall:>9,.0f} columns/s wall time"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
