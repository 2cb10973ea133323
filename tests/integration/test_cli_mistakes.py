"""One consistent meshctl: every user mistake exits 2 with one plain line (one JSON object on
stderr with --json), checked before anything is queued, never a traceback."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from meshcore.cli.main import main as meshctl
from meshcore_emulator import EmbeddedAws

AR, CONSUMER = "222222222222", "444444444444"


@pytest.fixture
def mesh(aws: EmbeddedAws, monkeypatch: pytest.MonkeyPatch) -> EmbeddedAws:
    monkeypatch.setenv("MESHCORE_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv("MESHCORE_ONBOARDING_ROLE", "OrganizationAccountAccessRole")
    for args in (
        ["bootstrap"],
        ["onboard-producer", AR, "--domain", "ar", "--owner", "ada@ar.example.com"],
        ["onboard-consumer", CONSUMER],
    ):
        assert meshctl(args) == 0
    glue: Any = boto3.session.Session(region_name="us-east-1").client(
        "glue", endpoint_url=aws.endpoint_url
    )
    glue.create_database(
        DatabaseInput={"Name": "ar__ledger", "Parameters": {"meshcore:producer_account": AR}}
    )
    columns = [{"Name": "id", "Type": "string"}]
    glue.create_table(
        DatabaseName="ar__ledger",
        TableInput={
            "Name": "entries",
            "StorageDescriptor": {"Columns": columns},
            "Parameters": {"meshcore:producer_account": AR},
        },
    )
    return aws


def pending_request(capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    table = ["--table", "ar__ledger.entries", "--purpose", "month-end close"]
    assert meshctl(["--json", "request", "--consumer-account", CONSUMER, *table]) == 0
    return str(json.loads(capsys.readouterr().out)["request_id"])


MISTAKES = [
    (["nope"], "invalid choice: 'nope'"),
    (["repair", "--producer", "999999999999"], "999999999999 is not an onboarded producer"),
    (["classify", "ar__ledger.missing"], "no table ar__ledger.missing in the central catalog"),
    (["decide", "req-unknown", "approve", "--approver", "a@x.example"], "no access request"),
    (["revoke", "req-unknown"], "no access request req-unknown"),
    (["revoke", "{pending}"], "is pending: only a granted request can be revoked"),
    (["decide", "{pending}", "revoke", "--approver", "a@x.example"], "only a granted request"),
    (["dlq", "list", "meshcore-nope"], "meshcore-nope is not a meshcore queue"),
    (["dlq", "redrive", "meshcore-approvals", "--limit", "0"], "0 is below 1"),
    (["review", "accept", "rec-unknown", "--by", "a@x.example"], "no recommendation rec-unknown"),
    (
        ["request", "--consumer-account", "12", "--table", "ar__ledger.entries", "--purpose", "x"],
        "--consumer-account '12' is not a 12-digit AWS account id",
    ),
]


def test_every_mistake_is_one_plain_line_and_exit_2(
    mesh: EmbeddedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """One mesh for the whole table (each case in words and with --json)."""
    pending = pending_request(capsys)
    for argv, says in MISTAKES:
        argv = [pending if a == "{pending}" else a for a in argv]
        for as_json in (False, True):
            capsys.readouterr()
            status = meshctl(["--json", *argv] if as_json else argv)
            err = capsys.readouterr().err
            case = f"meshctl {' '.join(argv)}{' --json' if as_json else ''}: {err!r}"
            assert status == 2, case
            assert len(err.strip().splitlines()) == 1, case
            assert not any(w in err for w in ("Traceback", "Value error", "should match")), case
            message = json.loads(err)["error"] if as_json else err
            assert says in message, case
            assert not as_json or json.loads(err)["exit_status"] == 2, case


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        meshctl(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("meshctl ")
