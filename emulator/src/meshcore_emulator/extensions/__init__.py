"""Extensions that make moto behave like AWS where meshcore relies on it.

Each module closes one gap and documents the AWS behaviour it reproduces.
"""

from __future__ import annotations

import threading

from . import (
    dynamodb_isolation,
    event_envelope,
    eventbridge_schedules,
    glue_catalog_events,
    glue_paging,
    glue_table_versions,
    lakeformation_batch_grant_option,
    lakeformation_cross_account,
    lakeformation_resource_tags,
    ram_invitations,
)

_MODULES = (
    dynamodb_isolation,
    event_envelope,
    eventbridge_schedules,
    glue_catalog_events,
    glue_paging,
    glue_table_versions,
    ram_invitations,
    lakeformation_cross_account,
    lakeformation_batch_grant_option,
    lakeformation_resource_tags,
)
_lock = threading.Lock()


def install_all() -> None:
    """Install every extension; safe to call any number of times."""
    with _lock:
        for module in _MODULES:
            module.install()
