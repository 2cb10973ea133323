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


# Tag values of the `sensitivity` LF-tag: every class, plus the explicit "none".
SENSITIVITY_TAG_VALUES = (*tuple(c.value for c in SensitivityClass), NOT_SENSITIVE)


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
