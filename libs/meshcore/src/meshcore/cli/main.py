"""meshctl entry point: parse, run one command, print one clear line on failure."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from pydantic import ValidationError

from meshcore.cli import access, catalog, discover, notify, operate, provision
from meshcore.cli.common import Command, OneLineParser, UsageError, UsageExit, first_error
from meshcore.domain.errors import InvalidTransitionError, MeshError, UnknownNameError
from meshcore.messages.contracts import write_schemas
from meshcore.settings import MeshSettings


def cmd_contracts(args: argparse.Namespace, settings: MeshSettings) -> int:
    for path in write_schemas(Path(args.out)):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="meshctl", description="Operate the meshcore data mesh.")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--version", action="version", version=f"meshctl {version('meshcore')}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser
    )

    def add(name: str, handler: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
        )
        p.set_defaults(handler=handler)
        return p

    provision.register(add)
    discover.register(add)
    access.register(add)
    catalog.register(add)
    operate.register(add)
    notify.register(add)
    p = add("contracts", cmd_contracts, "write the JSON Schemas of every message")
    p.add_argument("--out", default="contracts")
    return parser


def main(argv: Sequence[str] | None = None, settings: MeshSettings | None = None) -> int:
    """meshctl; `settings` (read from MESHCORE_* variables when not given) lets a caller in the
    same process point it elsewhere without touching the environment."""
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageExit as exc:
        return fail(exc.message, 2, as_json)
    try:
        settings = settings or MeshSettings()
    except ValidationError as exc:
        return fail(f"bad setting {first_error(exc)} (check MESHCORE_* variables)", 2, as_json)
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return int(args.handler(args, settings))
    except (UsageError, ValidationError, ValueError, OverflowError) as exc:
        # A value the user gave was not acceptable: say which, in one line. Commands let
        # ValueError and ValidationError from parsing their arguments come here.
        return fail(first_error(exc), 2, as_json)
    except (UnknownNameError, InvalidTransitionError) as exc:
        # Something the user named is not there, or not in a state for what was asked.
        return fail(str(exc), 2, as_json)
    except (OSError, MeshError, BotoCoreError, ClientError) as exc:
        # Anything an adapter did not translate still deserves one line, not a traceback.
        return fail(str(exc), 1, as_json)
    except KeyboardInterrupt:
        return 130


def fail(message: str, status: int, as_json: bool) -> int:
    """One line on stderr (one JSON object with --json) and the exit status."""
    if as_json:
        print(json.dumps({"error": message, "exit_status": status}), file=sys.stderr)
    else:
        print(f"meshctl: error: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
