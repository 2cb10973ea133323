"""Input and output records of the engine (frozen, comparable, free of sampled values)."""

from __future__ import annotations

from collections.abc import ItemsView
from dataclasses import dataclass, field, fields
from typing import Literal

from classifier.engine.classes import SensitivityClass

NameSource = Literal["name", "comment"]


@dataclass(frozen=True, slots=True)
class ColumnFacts:
    """What the catalogue says about one column.

    ``type`` is the Glue/Hive type string (``string``, ``bigint``, ``decimal(18,2)``...);
    ``table`` and ``sibling_columns`` (the table's other column names) are context.
    """

    name: str
    type: str = "string"
    comment: str | None = None
    table: str | None = None
    sibling_columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Statistics behind a recommendation. Holds metadata and counts only, never values."""

    name_tokens: tuple[str, ...] = ()
    """Tokens of the column name (or comment) that matched a phrase of the class."""
    name_phrase: str | None = None
    """The canonical phrase matched, e.g. ``customer email``."""
    name_source: NameSource | None = None
    name_weight: float = 0.0
    """Confidence the name (or comment) alone gives the class."""
    sample_size: int = 0
    """Values given, empty ones included."""
    non_empty: int = 0
    matched: int = 0
    """Non-empty values that passed the class's value check at the level used."""
    match_rate: float | None = None
    """``matched / non_empty``; None when no usable sample was given."""
    value_check: str | None = None
    """What the values were checked with, e.g. ``Luhn checksum with issuer prefix and length``."""
    notes: tuple[str, ...] = field(default=())
    """Context remarks, e.g. that an account id may be a general-ledger account."""

    def as_dict(self) -> dict[str, str | float | int]:
        """Flat scalar form for storage: tuples joined with ``, ``, unset fields left out."""
        flat: dict[str, str | float | int] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                if value:
                    flat[f.name] = ", ".join(value)
            elif value is not None:
                flat[f.name] = value
        return flat

    def items(self) -> ItemsView[str, str | float | int]:
        """Mapping-style view of :meth:`as_dict`."""
        return self.as_dict().items()


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One recommended sensitivity class for a column."""

    sensitivity_class: SensitivityClass
    confidence: float
    explanation: str
    evidence: Evidence
