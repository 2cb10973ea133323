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
    glue_column_filtering,
    glue_paging,
    glue_resource_links,
    glue_table_versions,
    lakeformation_batch_grant_option,
    lakeformation_cross_account,
    lakeformation_drop,
    lakeformation_grant_authority,
    lakeformation_locations,
    lakeformation_query_engines,
    lakeformation_resource_tags,
    lakeformation_settings,
    ram_invitations,
    sts_session_tags,
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
    # Lake Formation enforcement: installed after the extensions above, so that the checks wrap
    # them (a refused grant makes no RAM share).
    sts_session_tags,
    lakeformation_settings,
    lakeformation_grant_authority,
    lakeformation_drop,
    lakeformation_locations,
    lakeformation_query_engines,
    glue_resource_links,
    glue_column_filtering,
)
_lock = threading.Lock()


def install_all() -> None:
    """Install every extension; safe to call any number of times."""
    with _lock:
        for module in _MODULES:
            module.install()
