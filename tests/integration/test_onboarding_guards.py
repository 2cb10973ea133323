"""Onboarding cannot corrupt the catalog: everything is checked before anything is created, a
known account keeps its domain unless asked to move it, and a move removes the old central
databases and queues the repair that writes them again under the new name."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from meshcore.cli.main import main as meshctl
from meshcore.messages.commands import RepairCommand
from meshcore.messages.decode import decode_sync_message
from meshcore_emulator import EmbeddedAws

AR, OTHER = "222222222222", "555555555555"
ADA = "ada@ar.example.com"


@pytest.fixture
def central(aws: EmbeddedAws, monkeypatch: pytest.MonkeyPatch) -> EmbeddedAws:
    monkeypatch.setenv("MESHCORE_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv("MESHCORE_ONBOARDING_ROLE", "OrganizationAccountAccessRole")
    assert meshctl(["bootstrap"]) == 0
    return aws


def onboard(*args: str) -> int:
    return meshctl(["onboard-producer", *args])


def client(aws: EmbeddedAws, service: str, account: str | None = None) -> Any:
    """A client in the central account, or in `account` through its onboarding role."""
    session = boto3.session.Session(region_name="us-east-1")
    if account is None:
        return session.client(service, endpoint_url=aws.endpoint_url)  # type: ignore[call-overload]
    sts = client(aws, "sts")
    role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    creds = sts.assume_role(RoleArn=role, RoleSessionName="test")["Credentials"]
    return session.client(  # type: ignore[call-overload]
        service,
        endpoint_url=aws.endpoint_url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def nothing_created_in(aws: EmbeddedAws, account: str) -> None:
    roles = [r["RoleName"] for r in client(aws, "iam", account).list_roles()["Roles"]]
    assert [r for r in roles if r.startswith("meshcore")] == []
    assert client(aws, "events", account).list_rules()["Rules"] == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["12345", "--domain", "ar", "--owner", ADA], "not an AWS account id (12 digits)"),
        ([AR, "--domain", "ar", "--owner", "ada"], "'ada' is not an e-mail address"),
        ([AR, "--domain", "AR!", "--owner", ADA], "domain"),
    ],
)
def test_a_bad_value_is_one_line_exit_2_and_creates_nothing(
    central: EmbeddedAws, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    capsys.readouterr()
    assert onboard(*args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err, err
    assert "Value error" not in err and "should match pattern" not in err
    nothing_created_in(central, AR)


def test_a_taken_domain_is_refused_before_anything_is_created(
    central: EmbeddedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    assert onboard(AR, "--domain", "ar", "--owner", ADA) == 0
    capsys.readouterr()
    assert onboard(OTHER, "--domain", "ar", "--owner", ADA) == 2
    err = capsys.readouterr().err
    assert f"domain 'ar' belongs to account {AR}" in err
    nothing_created_in(central, OTHER)


def test_another_domain_for_a_known_account_needs_rename_domain(
    central: EmbeddedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    assert onboard(AR, "--domain", "ar", "--owner", ADA) == 0
    glue = client(central, "glue")
    for name, account in (("ar__ledger", AR), ("ar__foreign", OTHER)):
        glue.create_database(
            DatabaseInput={"Name": name, "Parameters": {"meshcore:producer_account": account}}
        )
    glue.create_table(DatabaseName="ar__ledger", TableInput={"Name": "entries"})
    capsys.readouterr()

    assert onboard(AR, "--domain", "ar2", "--owner", ADA) == 2
    assert "pass --rename-domain" in capsys.readouterr().err
    assert {d["Name"] for d in glue.get_databases()["DatabaseList"]} >= {"ar__ledger"}

    assert onboard(AR, "--domain", "ar2", "--owner", ADA, "--rename-domain", "--json") == 0
    out = capsys.readouterr().out
    assert "registry producer 222222222222 (ar2)" in out and "updated" in out
    names = {d["Name"] for d in glue.get_databases()["DatabaseList"]}
    # Only this account's databases of the old domain go; another account's stay.
    assert "ar__ledger" not in names and "ar__foreign" in names
    sqs = client(central, "sqs")
    url = sqs.get_queue_url(QueueName="meshcore-catalog-changes")["QueueUrl"]
    bodies = [
        m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    ]
    repairs = [d for d in map(decode_sync_message, bodies) if isinstance(d, RepairCommand)]
    assert [r.producer_account for r in repairs] == [AR]
    # The old domain is free again, the new one taken.
    capsys.readouterr()
    assert onboard(OTHER, "--domain", "ar", "--owner", ADA) == 0
    assert onboard(OTHER, "--domain", "ar2", "--owner", ADA, "--rename-domain") == 2
