"""meshctl entry point: parse, run one command, print one clear line on failure."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from meshcore.cli import access, catalog, discover, operate, provision
from meshcore.cli.common import Command, OneLineParser, UsageError, first_error
from meshcore.domain.errors import MeshError
from meshcore.messages.contracts import write_schemas
from meshcore.settings import MeshSettings


def cmd_contracts(args: argparse.Namespace, settings: MeshSettings) -> int:
    for path in write_schemas(Path(args.out)):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="meshctl", description="Operate the meshcore data mesh.")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
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
    p = add("contracts", cmd_contracts, "write the JSON Schemas of every message")
    p.add_argument("--out", default="contracts")
    return parser


def main(argv: Sequence[str] | None = None, settings: MeshSettings | None = None) -> int:
    """meshctl; `settings` (read from MESHCORE_* variables when not given) lets a caller in the
    same process point it elsewhere without touching the environment."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings or MeshSettings()
    except ValidationError as exc:
        print(
            f"meshctl: error: bad setting {first_error(exc)} (check MESHCORE_* variables)",
            file=sys.stderr,
        )
        return 2
    try:
        return int(args.handler(args, settings))
    except (UsageError, ValidationError, ValueError, OverflowError) as exc:
        # A value the user gave was not acceptable: say which, in one line. Commands let
        # ValueError and ValidationError from parsing their arguments come here.
        print(f"meshctl: error: {first_error(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"meshctl: error: {exc}", file=sys.stderr)
        return 1
    except MeshError as exc:
        print(f"meshctl: error: {exc}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as exc:
        # Anything an adapter did not translate still deserves one line, not a traceback.
        print(f"meshctl: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
