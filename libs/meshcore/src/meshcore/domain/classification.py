"""The sensitivity classes meshcore recommends, and how they become Lake Formation tags.

Lake Formation allows one value per tag key per resource, keys and values lower-case, so a
column carries at most one class under the key `sensitivity`.
"""

from __future__ import annotations

import enum

SENSITIVITY_TAG_KEY = "sensitivity"
# Every central database carries its producer domain, for tag-based (domain-wide) grants.
DOMAIN_TAG_KEY = "domain"
NOT_SENSITIVE = "none"
# What a new table (and so each of its columns, and any column added later) carries until the
# classifier found nothing in a column, or a reviewer (or the producer's policy) decided on what
# it found: no grant may read such a column yet.
UNCLASSIFIED = "unclassified"
PENDING_CLASSIFICATION = "pending classification"


class SensitivityClass(enum.StrEnum):
    PERSON_NAME = "person_name"
    EMAIL_ADDRESS = "email_address"
    PHONE_NUMBER = "phone_number"
    CUSTOMER_IDENTIFIER = "customer_identifier"
    BANK_ACCOUNT_NUMBER = "bank_account_number"
    IBAN = "iban"
    BANK_ROUTING_CODE = "bank_routing_code"
    PAYMENT_CARD_NUMBER = "payment_card_number"
    NATIONAL_IDENTIFIER = "national_identifier"
    TAX_IDENTIFIER = "tax_identifier"
    POSTAL_ADDRESS = "postal_address"
    DATE_OF_BIRTH = "date_of_birth"
    IP_ADDRESS = "ip_address"


# Tag values of the `sensitivity` LF-tag: every class, plus the explicit "none" and
# "unclassified".
SENSITIVITY_TAG_VALUES = (*tuple(c.value for c in SensitivityClass), NOT_SENSITIVE, UNCLASSIFIED)


def is_sensitive_class(value: str) -> bool:
    """A tag value naming a class (not "none", not "unclassified")."""
    return value not in (NOT_SENSITIVE, UNCLASSIFIED)


def readable_by_default(value: str | None, pending: bool = False) -> bool:
    """Whether a column with this effective `sensitivity` value (None: no value at all) may be
    read by a grant that did not name it: only one classified as not sensitive, with no
    recommendation awaiting review."""
    return value == NOT_SENSITIVE and not pending


def parse_sensitivity_class(value: str) -> SensitivityClass:
    """A class from its tag value; a sentence naming the valid ones otherwise."""
    try:
        return SensitivityClass(value.strip().lower())
    except ValueError:
        valid = ", ".join(c.value for c in SensitivityClass)
        raise ValueError(f"unknown sensitivity class {value!r}; one of: {valid}") from None


def auto_accepts(policy: dict[str, float], sensitivity_class: str, confidence: float) -> bool:
    """Whether a producer's auto-accept policy (class -> minimum confidence) accepts a
    recommendation without asking."""
    threshold = policy.get(sensitivity_class)
    return threshold is not None and confidence >= threshold


def classification_label(value: str | None, pending: bool = False) -> str:
    """How a column's classification reads to people: its class, "none", or "pending
    classification" (not classified yet, or a recommendation awaits review)."""
    if pending or value is None or value == UNCLASSIFIED:
        return PENDING_CLASSIFICATION
    return value
