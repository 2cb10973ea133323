"""Glue/Hive column types reduced to the families that matter for classification."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from classifier.engine.classes import SensitivityClass as C


class TypeFamily(Enum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL_INTEGRAL = "decimal with scale 0"
    FRACTIONAL = "fractional number"
    DATE = "date"
    TIMESTAMP = "timestamp"
    BOOLEAN = "boolean"
    BINARY = "binary"
    COMPLEX = "complex"


_INTEGER = {"tinyint", "smallint", "int", "integer", "bigint", "long", "short", "byte"}
_FRACTIONAL = {"float", "double", "real", "double precision"}
_STRING = {"string", "varchar", "char", "text"}
_DECIMAL = re.compile(r"^(?:decimal|numeric|dec)\s*(?:\(\s*\d+\s*(?:,\s*(\d+)\s*)?\))?$")
_COMPLEX_PREFIXES = ("array", "map", "struct", "uniontype")


def type_family(glue_type: str) -> TypeFamily:
    """Family of a Glue/Hive type string; unknown types count as strings (the lenient choice)."""
    t = glue_type.strip().lower()
    base = t.split("(", 1)[0].strip()
    if base.startswith(_COMPLEX_PREFIXES) or "<" in t:
        return TypeFamily.COMPLEX
    if base in _STRING:
        return TypeFamily.STRING
    if base in _INTEGER:
        return TypeFamily.INTEGER
    if base in _FRACTIONAL:
        return TypeFamily.FRACTIONAL
    if base == "boolean" or base == "bool":
        return TypeFamily.BOOLEAN
    if base == "binary":
        return TypeFamily.BINARY
    if base == "date":
        return TypeFamily.DATE
    if base.startswith("timestamp"):
        return TypeFamily.TIMESTAMP
    decimal = _DECIMAL.match(t)
    if decimal is not None:
        scale = decimal.group(1)
        return TypeFamily.DECIMAL_INTEGRAL if scale in (None, "0") else TypeFamily.FRACTIONAL
    return TypeFamily.STRING


_S = TypeFamily.STRING
_NUMBERS = frozenset({TypeFamily.STRING, TypeFamily.INTEGER, TypeFamily.DECIMAL_INTEGRAL})

ALLOWED_FAMILIES: Mapping[C, frozenset[TypeFamily]] = MappingProxyType(
    {
        C.PERSON_NAME: frozenset({_S}),
        C.EMAIL_ADDRESS: frozenset({_S}),
        C.PHONE_NUMBER: _NUMBERS,
        C.CUSTOMER_IDENTIFIER: _NUMBERS,
        C.BANK_ACCOUNT_NUMBER: _NUMBERS,
        C.IBAN: frozenset({_S}),
        C.BANK_ROUTING_CODE: _NUMBERS,
        C.PAYMENT_CARD_NUMBER: _NUMBERS,
        C.NATIONAL_IDENTIFIER: _NUMBERS,
        C.TAX_IDENTIFIER: _NUMBERS,
        C.POSTAL_ADDRESS: _NUMBERS,
        C.DATE_OF_BIRTH: frozenset({_S, TypeFamily.INTEGER, TypeFamily.DATE, TypeFamily.TIMESTAMP}),
        C.IP_ADDRESS: frozenset({_S}),
    }
)


def allowed(cls: C, family: TypeFamily) -> bool:
    """Whether a column of this type family can hold values of the class."""
    return family in ALLOWED_FAMILIES[cls]
