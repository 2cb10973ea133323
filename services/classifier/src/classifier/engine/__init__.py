"""Pure column classification engine: column metadata and an optional value sample in,
sensitivity-class recommendations out. No I/O, no AWS, and sampled values never leave it
(evidence holds statistics only)."""

from classifier.engine.classes import CLASS_DESCRIPTIONS, SensitivityClass
from classifier.engine.decide import THRESHOLD, classify_column
from classifier.engine.model import ColumnFacts, Evidence, Recommendation

__all__ = [
    "CLASS_DESCRIPTIONS",
    "THRESHOLD",
    "ColumnFacts",
    "Evidence",
    "Recommendation",
    "SensitivityClass",
    "classify_column",
]
