"""AWS identifiers as AWS spells them: ASCII only.

Python's `\\d` (and `str.isdigit`) take any script's digits, and so does a pydantic pattern's:
`١٢٣٤٥٦٧٨٩٠١٢` is twelve digits to them but no AWS account. Every account id meshcore reads
is checked here.
"""

from __future__ import annotations

import re

# For pydantic `Field(pattern=…)`: explicit ASCII digits, never `\d`.
ACCOUNT_ID_PATTERN = r"^[0-9]{12}$"
_ACCOUNT_ID = re.compile(ACCOUNT_ID_PATTERN, re.ASCII)


def is_account_id(text: str) -> bool:
    """Twelve ASCII digits."""
    return _ACCOUNT_ID.fullmatch(text) is not None


def is_ascii_digits(text: str) -> bool:
    """One or more ASCII digits (not `str.isdigit`, which takes any script's)."""
    return text.isascii() and text.isdigit()
