"""The queue, KMS and audit ports: `QueueSender`, `DecisionSigner` and `AuditLog` on the
embedded AWS agree with `FakeSender`, `FakeSigner` and `FakeAudit`."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from meshcore.aws.audit import AuditLog
from meshcore.aws.ports import Audit, DecisionSigning, Sender
from meshcore.aws.queues import QueueSender, queue_url
from meshcore.aws.signing import DecisionSigner
from meshcore.messages.commands import AccessDecision, AccessNotification
from meshcore.provisioning.central import ensure_queue, ensure_tables
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings

from ..fakes.audit import FakeAudit
from ..fakes.queues import FakeSender
from ..fakes.signing import FakeSigner
from .conftest import boto, embedded

QUEUE = "contract-notifications"


@pytest.fixture
async def sender(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[Sender]:
    if backend == "fake":
        yield FakeSender(QUEUE)
        return
    settings: MeshSettings = request.getfixturevalue("settings")
    ensure_queue(boto(settings, "sqs"), QUEUE, settings, Provisioned())
    async with embedded(settings) as aws:
        sqs = await aws.client("sqs")
        yield QueueSender(sqs, await queue_url(sqs, QUEUE), QUEUE)


def received(sender: Sender, request: pytest.FixtureRequest) -> list[str]:
    if isinstance(sender, FakeSender):
        return [m.model_dump_json() for m in sender.sent]
    sqs = boto(request.getfixturevalue("settings"), "sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    return [m["Body"] for m in messages]


async def test_a_sent_message_arrives_as_its_json(
    sender: Sender, request: pytest.FixtureRequest
) -> None:
    note = AccessNotification(
        request_id="req-1", consumer_account="444444444444", state="granted", tables=[]
    )
    message_id = await sender.send(note)
    assert message_id and sender.name == QUEUE
    (body,) = received(sender, request)
    assert AccessNotification.model_validate_json(body) == note


@pytest.fixture
async def signer(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[DecisionSigning]:
    if backend == "fake":
        yield FakeSigner()
        return
    settings: MeshSettings = request.getfixturevalue("settings")
    # The adapter's contract, with a key anyone in the account may use: bootstrap's key lets
    # only the ticket system sign and only grant-worker verify (tests/e2e/test_access.py).
    kms = boto(settings, "kms")
    key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    kms.create_alias(AliasName=settings.decision_key_alias, TargetKeyId=key["KeyId"])
    async with embedded(settings) as aws:
        yield DecisionSigner(await aws.client("kms"), settings.decision_key_alias)


def decision(**changes: object) -> AccessDecision:
    fields: dict[str, object] = {
        "request_id": "req-1",
        "ticket_id": "FIN-1",
        "decision": "approve",
        "approver": "ada@ar.example.com",
        "terms_digest": "a" * 64,
        "issued_at": datetime(2026, 11, 25, 10, tzinfo=UTC),
    }
    return AccessDecision.model_validate(fields | changes)


async def test_a_signed_decision_verifies(signer: DecisionSigning) -> None:
    assert await signer.verify(await signer.sign(decision()))


async def test_a_changed_decision_or_a_garbled_signature_does_not(
    signer: DecisionSigning,
) -> None:
    signed = await signer.sign(decision())
    changed = signed.model_copy(update={"decision": decision(approver="mallory@example.com")})
    assert not await signer.verify(changed)
    assert not await signer.verify(signed.model_copy(update={"signature": "not base64!"}))
    other = base64.b64encode(b"\0" * 32).decode()
    assert not await signer.verify(signed.model_copy(update={"signature": other}))


@pytest.fixture
async def audit(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[Audit]:
    if backend == "fake":
        yield FakeAudit()
        return
    settings: MeshSettings = request.getfixturevalue("settings")
    ensure_tables(boto(settings, "dynamodb"), settings, Provisioned())
    async with embedded(settings) as aws:
        yield AuditLog(await aws.client("dynamodb"), settings.audit_table)


async def test_entries_are_numbered_in_order(audit: Audit) -> None:
    first = await audit.record("request/r", "request.created", "ada", tables=["ar.x"])
    second = await audit.record("request/r", "grant.created", "grant-worker")
    assert (first.seq, second.seq) == (1, 2)
    assert json.loads(json.dumps(first.details)) == {"tables": ["ar.x"]}


async def test_an_entry_keyed_once_is_recorded_once(audit: Audit) -> None:
    once = "request/r:grant.created:3"
    entry = await audit.record_once(once, "request/r", "grant.created", "w")
    assert entry is not None and entry.action == "grant.created"
    assert await audit.record_once(once, "request/r", "grant.created", "w") is None
    assert (await audit.record("request/r", "grant.revoked", "w")).seq == 2
