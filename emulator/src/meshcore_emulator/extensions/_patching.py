"""Idempotent wrapping of moto methods.

Each extension replaces a few moto methods with wrappers. Installing twice must
not wrap twice, so every replacement remembers which wrappers it carries.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_APPLIED = "__meshcore_emulator_wrappers__"


def wrap_method(owner: type, name: str, wrapper: Callable[..., Any]) -> None:
    """Replace ``owner.name`` by ``wrapper(original, self, *args, **kwargs)``, once."""
    # A method is a function of the class whose first argument is self.
    replace_function(owner, name, wrapper)


def add_method(owner: type, name: str, method: Callable[..., Any]) -> None:
    """Give ``owner`` a method moto does not implement (no-op if already there)."""
    if name not in vars(owner):
        setattr(owner, name, method)


def replace_function(module: Any, name: str, wrapper: Callable[..., Any]) -> None:
    """Replace the function ``module.name`` by ``wrapper(original, *args, **kwargs)``, once."""
    original = getattr(module, name)
    key = f"{wrapper.__module__}.{wrapper.__qualname__}"
    applied: tuple[str, ...] = getattr(original, _APPLIED, ())
    if key in applied:
        return

    @functools.wraps(original)
    def replacement(*args: Any, **kwargs: Any) -> Any:
        return wrapper(original, *args, **kwargs)

    setattr(replacement, _APPLIED, (*applied, key))
    setattr(module, name, replacement)
