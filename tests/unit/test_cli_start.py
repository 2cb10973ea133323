"""`meshctl --help` and a usage error start without the AWS SDKs' clients: a person who mistypes
a command hears about it at once (the benchmark's `cli` section measures how fast)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from meshcore.cli.main import main
try:
    main({argv!r})
except SystemExit:
    pass
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {{"boto3", "aiobotocore", "aiohttp"}})
print("imported:", ",".join(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize("argv", [["--help"], ["no-such-command"], ["request", "--bad"]])
def test_usage_and_help_import_no_aws_client(argv: list[str]) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stderr.strip().splitlines()[-1] == "imported:", probe.stderr
