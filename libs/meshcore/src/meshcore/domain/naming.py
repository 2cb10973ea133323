"""How producer databases are named in the central catalog.

Convention: `<domain>__<source database>`. A producer domain is registered once, is unique,
and may not contain a double underscore, so the first `__` always splits the name back and two
producers' `sales` databases (`ar__sales`, `ap__sales`) can never collide.
"""

from __future__ import annotations

import re

from meshcore.domain.errors import PermanentError

DOMAIN_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
SEPARATOR = "__"
# Glue database names are at most 255 characters (Glue API: DatabaseInput.Name).
GLUE_NAME_MAX = 255


def validate_domain(domain: str) -> str:
    if not DOMAIN_PATTERN.match(domain) or len(domain) > 32:
        raise PermanentError(
            f"invalid producer domain {domain!r}: use lower-case letters, digits and single "
            "underscores, starting with a letter, at most 32 characters (e.g. 'ar', 'ledger')"
        )
    return domain


def central_database_name(domain: str, source_database: str) -> str:
    name = f"{validate_domain(domain)}{SEPARATOR}{source_database.lower()}"
    if len(name) > GLUE_NAME_MAX:
        raise PermanentError(
            f"central name for {domain}/{source_database} exceeds {GLUE_NAME_MAX} characters"
        )
    return name


def split_central_database_name(name: str) -> tuple[str, str]:
    domain, sep, source = name.partition(SEPARATOR)
    if not sep or not DOMAIN_PATTERN.match(domain) or not source:
        raise PermanentError(f"{name!r} is not a central database name (<domain>__<database>)")
    return domain, source
