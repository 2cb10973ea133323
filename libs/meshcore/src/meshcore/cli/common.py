"""What every meshctl command module shares."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

from pydantic import ValidationError

from meshcore.actions.context import Central, central
from meshcore.settings import MeshSettings

T = TypeVar("T")

Command = Callable[[argparse.Namespace, MeshSettings], int]
AddCommand = Callable[[str, Command, str], argparse.ArgumentParser]


class UsageError(Exception):
    """A mistake in how meshctl was called."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake costs one line that says how to get help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


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
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return str(exc)
