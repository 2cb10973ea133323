"""The call being answered and who signed it, for extensions that authorise as AWS does.

The middleware sets the call for the duration of moto's answer; moto's backends run in the
same thread, so an extension wrapping a backend method can ask who is calling. Calls the
emulator makes itself (no signed request) have no caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .calls import AwsCall
from .principals import Principal, resolve

_CALL: ContextVar[AwsCall | None] = ContextVar("meshcore_emulator_call", default=None)
# A key always belongs to the principal it was issued for: resolve each once.
_RESOLVED: dict[str, Principal] = {}


@contextmanager
def answering(call: AwsCall) -> Iterator[None]:
    token = _CALL.set(call)
    try:
        yield
    finally:
        _CALL.reset(token)


def current_call() -> AwsCall | None:
    return _CALL.get()


def current_principal() -> Principal | None:
    call = _CALL.get()
    if call is None:
        return None
    principal = _RESOLVED.get(call.access_key_id)
    if principal is None:
        principal = _RESOLVED.setdefault(call.access_key_id, resolve(call.access_key_id))
    return principal


def forget() -> None:
    """Drop resolved keys (on reset: moto forgets the keys it issued)."""
    _RESOLVED.clear()
