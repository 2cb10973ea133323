"""The audit trail is one hash chain, even with concurrent writers, and tampering shows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import boto3
import pytest

from meshcore.aws.audit import AuditLog
from meshcore.aws.clients import AsyncAws, SyncAws
from meshcore.provisioning.central import ensure_tables
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings


def stored_entries(settings: MeshSettings, subject: str) -> tuple[Any, list[dict[str, Any]]]:
    """The raw audit items of `subject`, and a client to tamper with them."""
    dynamodb: Any = boto3.client("dynamodb", endpoint_url=settings.endpoint_url)
    items = dynamodb.query(
        TableName=settings.audit_table,
        KeyConditionExpression="subject = :s",
        ExpressionAttributeValues={":s": {"S": subject}},
    )["Items"]
    return dynamodb, items


@pytest.fixture
async def audit(settings: MeshSettings) -> AsyncIterator[AuditLog]:
    ensure_tables(SyncAws(settings).client("dynamodb"), settings, Provisioned())
    async with AsyncExitStack() as stack:
        yield AuditLog(
            await AsyncAws(settings, stack, "test").client("dynamodb"), settings.audit_table
        )


async def test_concurrent_writers_form_one_intact_chain(audit: AuditLog) -> None:
    await asyncio.gather(
        *(audit.record(f"request/r{i % 3}", "request.created", "t", n=i) for i in range(15))
    )
    check = await audit.verify()
    assert check.intact and check.entries == 15
    history = await audit.history("request/r0")
    assert {e.details["n"] for e in history} == {0, 3, 6, 9, 12}
    assert [e.seq for e in history] == sorted({e.seq for e in history})


async def test_a_changed_entry_is_the_first_broken_link(
    audit: AuditLog, settings: MeshSettings
) -> None:
    for i in range(4):
        await audit.record("request/r", "request.created", "t", n=i)
    dynamodb, items = stored_entries(settings, "request/r")
    third = next(i for i in items if i["seq"]["N"] == "3")
    third["details"] = {"S": '{"n": 99}'}
    dynamodb.put_item(TableName=settings.audit_table, Item=third)
    check = await audit.verify()
    assert check.broken_at == 3 and "content does not match" in check.reason


async def test_a_deleted_entry_is_found(audit: AuditLog, settings: MeshSettings) -> None:
    for i in range(3):
        await audit.record("request/r", "request.created", "t", n=i)
    dynamodb, items = stored_entries(settings, "request/r")
    second = next(i for i in items if i["seq"]["N"] == "2")
    dynamodb.delete_item(
        TableName=settings.audit_table, Key={"subject": second["subject"], "at": second["at"]}
    )
    check = await audit.verify()
    assert check.broken_at == 2 and "missing" in check.reason


async def test_an_entry_recorded_once_is_appended_once_however_many_race(audit: AuditLog) -> None:
    # Two grant-workers finishing the same grant, and a retry of one of them.
    results = await asyncio.gather(
        *(
            audit.record_once("request/r:grant.created:3", "request/r", "grant.created", "w")
            for _ in range(4)
        ),
        audit.record("request/r", "request.routed", "t"),
    )
    assert sum(r is not None for r in results[:4]) == 1
    assert (
        await audit.record_once("request/r:grant.created:3", "request/r", "grant.created", "w")
        is None
    )
    assert [e.action for e in await audit.history("request/r")].count("grant.created") == 1
    assert (await audit.verify()).intact


async def test_an_entry_past_the_head_is_a_broken_link(
    audit: AuditLog, settings: MeshSettings
) -> None:
    """The head moves with every append in the same transaction: an entry beyond it is one
    whose head was moved back (by a PutItem on the head item)."""
    for i in range(3):
        await audit.record("request/r", "request.created", "t", n=i)
    dynamodb, items = stored_entries(settings, "request/r")
    second = next(i for i in items if i["seq"]["N"] == "2")
    dynamodb.put_item(
        TableName=settings.audit_table,
        Item={
            "subject": {"S": "~chain"},
            "at": {"S": "head"},
            "seq": {"N": "2"},
            "hash": second["hash"],
        },
    )
    check = await audit.verify()
    assert check.broken_at == 3 and "past the head" in check.reason
