"""What every meshctl command module shares."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

from pydantic import ValidationError

from meshcore.settings import MeshSettings

Command = Callable[[argparse.Namespace, MeshSettings], int]
AddCommand = Callable[[str, Command, str], argparse.ArgumentParser]


class UsageError(Exception):
    """A mistake in how meshctl was called."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake costs one line that says how to get help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return str(exc)
