"""Account ids are twelve ASCII digits wherever meshcore reads one: Python's `\\d`, `isdigit`
and pydantic's patterns all take other scripts' digits, which are no AWS account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.grants import grant_option
from meshcore.domain.ids import is_account_id, is_ascii_digits
from meshcore.domain.registry import Consumer, Producer
from meshcore.messages.commands import RepairCommand
from meshcore.messages.eventbridge import GlueTableEvent
from meshcore.provisioning.lakeformation import principal_arn
from meshcore.settings import MeshSettings

UNICODE_ACCOUNTS = [
    "\u0664" * 12,  # Arabic-Indic digits
    "\uff14" * 12,  # fullwidth digits
    "4" * 11 + "\u096a",  # one Devanagari four
    "\U0001d7dc" * 12,  # mathematical double-struck digits
]


def test_ascii_digits_only() -> None:
    assert is_account_id("444444444444") and is_ascii_digits("30")
    assert not is_account_id("44444444444") and not is_account_id("4444444444444")
    assert not is_account_id("444444444444\n")
    for account in UNICODE_ACCOUNTS:
        assert account.isdigit()  # what Python's isdigit says
        assert not is_account_id(account) and not is_ascii_digits(account)


def table_event(account: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "e-1",
        "detail-type": "Glue Data Catalog Table State Change",
        "source": "aws.glue",
        "account": account,
        "time": "2026-11-25T10:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "databaseName": "db",
            "tableName": "t",
            "typeOfChange": "UpdateTable",
            "changedPartitions": [],
        },
    }


MODELS: dict[str, Callable[[str], Any]] = {
    "access request": lambda a: AccessRequest(
        consumer_account=a, tables=[TableName.parse("ar__db.t")], purpose="x", duration_days=1
    ),
    "access request role": lambda a: AccessRequest(
        consumer_account="444444444444",
        principal_arn=f"arn:aws:iam::{a}:role/analysts",
        tables=[TableName.parse("ar__db.t")],
        purpose="x",
        duration_days=1,
    ),
    "producer": lambda a: Producer(
        account_id=a, domain="ar", read_role_arn="arn:aws:iam::1:role/r", owners=["a@b.c"]
    ),
    "consumer": lambda a: Consumer(account_id=a),
    "repair command": lambda a: RepairCommand(repair_id="r-1", producer_account=a),
    "glue event": lambda a: GlueTableEvent.model_validate(table_event(a)),
    "settings": lambda a: MeshSettings(central_account_id=a),
}


@pytest.mark.parametrize("model", MODELS)
def test_every_model_refuses_unicode_digit_accounts(model: str) -> None:
    MODELS[model]("444444444444")  # an ASCII account is fine
    for account in UNICODE_ACCOUNTS:
        with pytest.raises((ValidationError, ValueError)):
            MODELS[model](account)


def test_grants_and_principals_take_only_ascii_accounts() -> None:
    assert grant_option("444444444444", ["SELECT"]) == ["SELECT"]
    assert principal_arn("arn:aws:sts::444444444444:assumed-role/r/s") == (
        "arn:aws:iam::444444444444:role/r"
    )
    for account in UNICODE_ACCOUNTS:
        assert grant_option(account, ["SELECT"]) == []
        caller = f"arn:aws:sts::{account}:assumed-role/r/s"
        assert principal_arn(caller) == caller  # not read as an account's role
