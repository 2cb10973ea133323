"""moto's request dispatch answers from a cache instead of the file system.

For every request moto's server looks up which service backend serves the request's host:
``DomainDispatcherApplication.get_backend_for_host`` lists moto's package directory and checks
each entry with ``os.path.isdir`` (a few hundred ``stat`` calls), then tries every service's URL
patterns, all under one lock that every request takes. Then ``BaseResponse.call_action`` lists
the response class's methods with ``inspect.getmembers`` to see whether the action exists. Both
answers depend only on their key (the host; the class) and on code that does not change while
the server runs, so each is computed once. Hosts that resolve to no backend are not cached, so
moto's warning about them is still printed every time; a name missing from a class's cached
methods is looked up on the class, so a method added later is still found.

Belongs upstream in moto (``moto/moto_server/werkzeug_app.py`` and ``moto/core/responses.py``).
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

import moto.core.responses as moto_responses
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from ._patching import replace_function, wrap_method


class _MethodNames(frozenset[str]):
    """The function names of a class; call_action only asks ``action in names``."""

    _clazz: type

    def __new__(cls, clazz: type, names: list[str]) -> _MethodNames:
        self = super().__new__(cls, names)
        self._clazz = clazz
        return self

    def __contains__(self, name: object) -> bool:
        if super().__contains__(name):
            return True
        # As inspect.getmembers(clazz, inspect.isfunction) would see it now.
        return isinstance(name, str) and inspect.isfunction(getattr(self._clazz, name, None))


_lock = threading.Lock()
_backends: dict[str, Any] = {}
_method_names: dict[type, _MethodNames] = {}


def install() -> None:
    wrap_method(DomainDispatcherApplication, "get_backend_for_host", _backend_for_host)
    replace_function(moto_responses, "method_names_from_class", _names_of_methods)


def _backend_for_host(original: Any, app: DomainDispatcherApplication, host: str | None) -> Any:
    if host is None:
        return None
    backend = _backends.get(host)
    if backend is None:
        backend = original(app, host)
        if backend is not None:
            with _lock:
                _backends[host] = backend
    return backend


def _names_of_methods(original: Any, clazz: type) -> _MethodNames:
    names = _method_names.get(clazz)
    if names is None:
        names = _MethodNames(clazz, original(clazz))
        with _lock:
            _method_names[clazz] = names
    return names
