"""Glue GetDatabases, GetTables and GetPartitions return pages.

These calls return at most ``MaxResults`` items (GetDatabases and GetTables up to
100, GetPartitions up to 1,000) and a ``NextToken`` while more remain. moto
returns every item in one response. Without ``MaxResults`` the emulator uses the
largest page, so a caller that ignores ``NextToken`` loses items here as it
would on AWS. Too large a ``MaxResults`` is rejected by the limits check.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from moto.core.responses import ActionResult
from moto.glue.exceptions import InvalidInputException
from moto.glue.responses import GlueResponse

from ._patching import wrap_method

# operation method -> (list key in the response, largest page)
_PAGED = {
    "get_databases": ("DatabaseList", 100),
    "get_tables": ("TableList", 100),
    "get_partitions": ("Partitions", 1000),
}


def install() -> None:
    for method, (key, largest) in _PAGED.items():
        wrap_method(GlueResponse, method, _pager(key, largest))


def _pager(key: str, largest: int) -> Any:
    def page(original: Any, response: GlueResponse) -> ActionResult:
        params = response.parameters
        size = int(params.get("MaxResults") or largest)
        start = _decode(params.get("NextToken"))
        result: ActionResult = original(response)
        body = dict(result.result)  # type: ignore[call-overload]
        items = body.get(key, [])
        body[key] = items[start : start + size]
        if start + size < len(items):
            body["NextToken"] = _encode(start + size)
        return ActionResult(body)

    page.__qualname__ = f"page_{key}"
    return page


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidInputException("GetPaged", f"Invalid NextToken: {token}") from error
    if not isinstance(offset, int) or offset < 0:
        raise InvalidInputException("GetPaged", f"Invalid NextToken: {token}")
    return int(offset)
