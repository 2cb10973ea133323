"""What every meshctl command module shares."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

from pydantic import ValidationError

from meshcore.actions.context import Central, central
from meshcore.domain.ids import ACCOUNT_ID_PATTERN
from meshcore.settings import MeshSettings

T = TypeVar("T")

Command = Callable[[argparse.Namespace, MeshSettings], int]
AddCommand = Callable[[str, Command, str], argparse.ArgumentParser]


class UsageError(Exception):
    """A mistake in how meshctl was called."""


class UsageExit(Exception):
    """argparse found a mistake in the command line: `message` says what and how to get help."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake costs one line that says how to get help (printed by the
    caller, in words or as JSON)."""

    def error(self, message: str) -> NoReturn:
        raise UsageExit(f"{message} (see `{self.prog} --help`)")


def on_central(settings: MeshSettings, action: Callable[[Central], Awaitable[T]]) -> T:
    """Run one command's `action` on the central account's adapters, opened for it."""

    async def run() -> T:
        async with central(settings) as c:
            return await action(c)

    return asyncio.run(run())


def add_actor_option(parser: argparse.ArgumentParser, option: str, who: str) -> None:
    """Who an audited change is recorded as done by (meshctl unless named)."""
    parser.add_argument(option, default="meshctl", help=f"{who} (for the audit trail)")


def add_table_option(parser: argparse.ArgumentParser, help: str) -> None:
    """`--table DB.TABLE`, repeatable: tables of the central catalog."""
    parser.add_argument("--table", action="append", metavar="DB.TABLE", help=help)


def first_error(exc: Exception) -> str:
    """The first thing wrong, in words a person reads (not pydantic's)."""
    if not isinstance(exc, ValidationError):
        return str(exc)
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    given = err.get("input")
    if err["type"] == "string_pattern_mismatch":
        pattern = str((err.get("ctx") or {}).get("pattern", ""))
        what = "an AWS account id (12 digits)" if pattern == ACCOUNT_ID_PATTERN else "valid here"
        return f"{where}: {given!r} is not {what}"
    if err["type"] == "missing":
        return f"{where} is required"
    return f"{where}: {str(err['msg']).removeprefix('Value error, ')}"


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is below 1")
    return value
