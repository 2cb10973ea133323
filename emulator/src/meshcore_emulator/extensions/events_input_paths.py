"""EventBridge compiles each target input path once, not once per event.

To deliver an event to a target moto renders the target's input template: for each input path
(by default eight of them, ``$.detail``, ``$.source``, ...) it calls ``jsonpath_ng.ext.parse``,
which builds a new PLY lexer and parser every time. That was about 13 ms of every Glue catalog
event delivered to a queue, more than the Glue call itself. A compiled path only answers
``find`` and holds no state, so compiled paths are shared, by path text.

Belongs upstream in moto (``moto/events/utils.py``: compile once; or jsonpath_ng: reuse the parser).
"""

from __future__ import annotations

import functools
from typing import Any

import jsonpath_ng.ext

from ._patching import replace_function


@functools.lru_cache(maxsize=1024)
def _compiled(original: Any, path: str, debug: bool | None) -> Any:
    return original(path, debug)


def _parse(original: Any, path: Any, debug: bool | None = None) -> Any:
    if not isinstance(path, str):
        return original(path, debug)
    return _compiled(original, path, debug)


def install() -> None:
    replace_function(jsonpath_ng.ext, "parse", _parse)
