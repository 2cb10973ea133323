"""Glue UpdateTable honours VersionId (optimistic concurrency).

UpdateTable's ``VersionId`` is "the version ID at which to update the table
contents" (UpdateTable, AWS Glue Web API Reference,
https://docs.aws.amazon.com/glue/latest/webapi/API_UpdateTable.html): when it is not
the table's current version, Glue rejects the update with
ConcurrentModificationException. moto ignores the parameter. The check and
the update run under one lock so two concurrent writers cannot both win.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.glue.exceptions import GlueClientError
from moto.glue.responses import GlueResponse

from ._patching import wrap_method

_update_lock = threading.Lock()


class ConcurrentModificationException(GlueClientError):
    def __init__(self, table: str, expected: str, current: str) -> None:
        super().__init__(
            "ConcurrentModificationException",
            f"Update table {table} failed due to concurrent modifications: "
            f"VersionId {expected} is not the current version {current}.",
        )


def install() -> None:
    wrap_method(GlueResponse, "update_table", _update_table)


def _update_table(original: Any, response: GlueResponse) -> Any:
    params = response.parameters
    expected = params.get("VersionId")
    with _update_lock:
        if expected is not None:
            table_name = params["TableInput"]["Name"]
            table = response.glue_backend.get_table(params["DatabaseName"], table_name)
            current = str(table._current_version)
            if str(expected) != current:
                raise ConcurrentModificationException(table_name, str(expected), current)
        return original(response)
