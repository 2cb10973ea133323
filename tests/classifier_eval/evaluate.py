"""`make eval-classifier`: the classifier measured on the labelled corpus.

Prints per-class precision, recall and F1 and a confusion table, with column names visible and
with names masked (``col_17`` in table ``t``, no comment, no sibling columns), then the engine's
throughput in columns per second, metadata only and with a 100-value sample. When Presidio's
analyzer is importable it is evaluated side by side on the same values (pattern recognizers on a
blank spaCy pipeline: its NER models are not on PyPI, see docs/classification.md).

Run from the repository root: ``python tests/classifier_eval/evaluate.py [--values N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import TODAY, Column, columns

from classifier.engine import ColumnFacts, SensitivityClass, classify_column

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


def facts(column: Column, index: int, masked: bool) -> ColumnFacts:
    if masked:
        return ColumnFacts(name=f"col_{index}", type=column.type, table="t")
    return ColumnFacts(
        name=column.name,
        type=column.type,
        comment=column.comment,
        table=column.table,
        sibling_columns=column.siblings,
    )


def label(column: Column) -> str:
    return column.label.value if column.label else NOT_SENSITIVE


def engine_predictions(corpus: list[Column], masked: bool) -> list[str]:
    predicted = []
    for index, column in enumerate(corpus, start=1):
        recs = classify_column(facts(column, index, masked), column.values, today=TODAY)
        predicted.append(recs[0].sensitivity_class.value if recs else NOT_SENSITIVE)
    return predicted


def scores(
    truth: Sequence[str], predicted: Sequence[str]
) -> dict[str, tuple[float, float, float, int]]:
    """Per label: precision, recall, F1, support."""
    out = {}
    for name in LABELS:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p == name)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p == name != t)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == name != p)
        precision = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[name] = (precision, recall, f1, tp + fn)
    return out


def macro_f1(table: dict[str, tuple[float, float, float, int]]) -> float:
    present = [f1 for _, _, f1, support in table.values() if support]
    return sum(present) / len(present)


def report(title: str, truth: Sequence[str], predicted: Sequence[str]) -> float:
    table = scores(truth, predicted)
    print(f"\n{title}")
    print(f"  {'class':<22} {'n':>3} {'precision':>9} {'recall':>7} {'F1':>6}")
    for name, (p, r, f1, support) in table.items():
        print(f"  {name:<22} {support:>3} {p:>9.2f} {r:>7.2f} {f1:>6.2f}")
    macro = macro_f1(table)
    accuracy = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p) / len(truth)
    print(f"  macro F1 {macro:.3f}   accuracy {accuracy:.3f}")
    print("  confusion (rows: true class, columns: predicted)")
    counts = Counter(zip(truth, predicted, strict=True))
    print("  " + " " * 7 + "".join(f"{SHORT[p]:>6}" for p in LABELS))
    for t in LABELS:
        if not any(counts[(t, p)] for p in LABELS):
            continue
        cells = "".join(f"{counts[(t, p)] or '.':>6}" for p in LABELS)
        print(f"  {SHORT[t]:<7}{cells}")
    return macro


def mistakes(corpus: list[Column], predicted: Sequence[str]) -> None:
    for column, p in zip(corpus, predicted, strict=True):
        if label(column) != p:
            print(f"    {column.table}.{column.name}: {label(column)} predicted as {p}")


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


def throughput(corpus: list[Column], sample: int | None, seconds: float) -> float:
    """Columns classified per second (names visible)."""
    done, started = 0, time.perf_counter()
    while True:
        for index, column in enumerate(corpus, start=1):
            values = column.values[:sample] if sample else None
            classify_column(facts(column, index, False), values, today=TODAY)
            done += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return done / elapsed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=200, help="sampled values per column")
    parser.add_argument("--bench-seconds", type=float, default=2.0)
    parser.add_argument("--mistakes", action="store_true", help="list misclassified columns")
    args = parser.parse_args(argv)

    corpus = columns(args.values)
    truth = [label(c) for c in corpus]
    sensitive = sum(1 for t in truth if t != NOT_SENSITIVE)
    print(
        f"corpus: {len(corpus)} columns ({sensitive} sensitive, {len(corpus) - sensitive} not), "
        f"{args.values} sampled values each"
    )
    for masked in (False, True):
        predicted = engine_predictions(corpus, masked)
        report(f"meshcore classifier, names {'masked' if masked else 'visible'}", truth, predicted)
        if args.mistakes:
            mistakes(corpus, predicted)
        metadata_only = [
            (classify_column(facts(c, i, False), None, today=TODAY) or [None])[0]
            for i, c in enumerate(corpus, start=1)
        ]
    names_only = [r.sensitivity_class.value if r else NOT_SENSITIVE for r in metadata_only]
    report("meshcore classifier, metadata only (no sample)", truth, names_only)

    predict = presidio_predictor()
    if predict is None:
        print(
            "\nPresidio: not installed, so not compared (see docs/classification.md); "
            "datahub-classify: not compared (it downloads a spaCy model when imported)"
        )
    else:
        for masked in (False, True):
            predicted = [predict(c, masked) for c in corpus]
            report(
                f"Presidio analyzer (pattern recognizers, blank spaCy), names "
                f"{'masked' if masked else 'visible'}",
                truth,
                predicted,
            )
            if args.mistakes:
                mistakes(corpus, predicted)

    print("\nthroughput (one process, names visible)")
    print(
        f"  metadata only:          {throughput(corpus, None, args.bench_seconds):>9,.0f} columns/s"
    )
    print(
        f"  with a 100-value sample: {throughput(corpus, 100, args.bench_seconds):>8,.0f} columns/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
