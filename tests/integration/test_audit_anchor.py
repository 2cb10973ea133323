"""An audit trail that cannot be rewritten: whoever may write the audit table (a worker's
PutItem) can move the head back, rewrite an entry and re-hash the rest, or swap two entries, and
the hash chain alone still links; checked against the latest signed anchor, it is broken.

Each attack below uses plain PutItem/DeleteItem calls on the audit table, as a worker's
credentials allow, after the chain was anchored."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from meshcore.aws.audit import HEAD_KEY, HEAD_SUBJECT, ONCE_SUBJECT, AuditLog, _entry, _item
from meshcore.aws.audit_anchor import AuditAnchors
from meshcore.aws.clients import AsyncAws, SyncAws
from meshcore.cli.main import main as meshctl
from meshcore.domain.errors import AccessDeniedError
from meshcore.provisioning.central import (
    AUDIT_ANCHOR_ACTIONS,
    audit_anchor_trust,
    ensure_audit_anchor_key,
    ensure_audit_anchor_table,
    ensure_tables,
)
from meshcore.provisioning.onboarding import ensure_role
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings


class Mesh:
    """The audit log as workers write it, and anchors as the audit-anchor role makes them."""

    def __init__(self, settings: MeshSettings, audit: AuditLog, signer: AuditAnchors) -> None:
        self.settings = settings
        self.audit = audit
        self.signer = signer
        self.db: Any = boto3.client("dynamodb", endpoint_url=settings.endpoint_url)

    def stored(self) -> list[dict[str, Any]]:
        """The audit entries as stored, by sequence number."""
        items = self.db.scan(TableName=self.settings.audit_table, ConsistentRead=True)["Items"]
        entries = [i for i in items if i["subject"]["S"] not in (HEAD_SUBJECT, ONCE_SUBJECT)]
        return sorted(entries, key=lambda i: int(i["seq"]["N"]))

    def put(self, item: dict[str, Any]) -> None:
        self.db.put_item(TableName=self.settings.audit_table, Item=item)

    def put_head(self, seq: int, hash_: str) -> None:
        self.put(
            {
                "subject": {"S": HEAD_SUBJECT},
                "at": {"S": HEAD_KEY},
                "seq": {"N": str(seq)},
                "hash": {"S": hash_},
            }
        )

    def rewrite_from(self, items: list[dict[str, Any]], start: int) -> None:
        """Re-hash entries `start`.. (1-based) so that every link holds again, and the head."""
        previous = _entry(items[start - 2]).hash if start > 1 else "0" * 64
        for item in items[start - 1 :]:
            entry = _entry(item)
            entry.prev_hash = previous
            entry.hash = entry.digest()
            self.db.delete_item(
                TableName=self.settings.audit_table,
                Key={"subject": item["subject"], "at": item["at"]},
            )
            self.put(_item(entry))
            previous = entry.hash
        self.put_head(len(items), previous)

    async def verify_cli(self) -> dict[str, Any]:
        out = io.StringIO()

        def run() -> int:
            with contextlib.redirect_stdout(out):
                return meshctl(["--json", "audit", "verify"])

        code = await asyncio.to_thread(run)  # meshctl runs its own event loop
        answer: dict[str, Any] = json.loads(out.getvalue())
        assert code == (0 if answer["intact"] else 1)
        return answer


@pytest.fixture
async def mesh(settings: MeshSettings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Mesh]:
    monkeypatch.setenv("MESHCORE_ENDPOINT_URL", str(settings.endpoint_url))
    sync = SyncAws(settings)
    result = Provisioned()
    ensure_tables(sync.client("dynamodb"), settings, result)
    ensure_audit_anchor_table(sync.client("dynamodb"), settings, result)
    ensure_role(
        sync.client("iam"),
        settings.roles.audit_anchor,
        audit_anchor_trust(settings),
        AUDIT_ANCHOR_ACTIONS,
        result,
    )
    ensure_audit_anchor_key(sync.client("kms"), settings, result)
    async with AsyncExitStack() as stack:
        aws = AsyncAws(settings, stack, "test")
        stack.push_async_callback(aws.aclose)
        role = settings.central_role_arn(settings.roles.audit_anchor)
        signer = AuditAnchors(
            AuditLog(await aws.assumed_client("dynamodb", role), settings.audit_table),
            await aws.assumed_client("dynamodb", role),
            await aws.assumed_client("kms", role),
            settings.audit_anchor_table,
            settings.audit_anchor_key_alias,
        )
        audit = AuditLog(await aws.client("dynamodb"), settings.audit_table)
        yield Mesh(settings, audit, signer)


async def record(mesh: Mesh, count: int) -> None:
    for i in range(count):
        await mesh.audit.record(f"request/r{i % 2}", "request.created", "grant-worker", n=i)


async def test_an_anchor_signs_the_head_and_verify_checks_against_it(mesh: Mesh) -> None:
    assert (await mesh.verify_cli())["reason"].startswith("no signed anchor")
    await record(mesh, 3)
    made = await mesh.signer.anchor(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert made.outcome == "anchored" and made.anchor is not None and made.anchor.seq == 3
    assert (await mesh.signer.anchor()).outcome == "unchanged"
    await record(mesh, 2)
    answer = await mesh.verify_cli()
    assert answer["intact"] and answer["entries"] == 5 and answer["unanchored_entries"] == 2
    assert answer["anchor"]["seq"] == 3 and answer["anchor"]["at"].startswith("2026-12-01T09:00")
    assert answer["anchor_signature_valid"]


async def test_only_the_audit_anchor_role_can_sign_an_anchor(
    mesh: Mesh, settings: MeshSettings
) -> None:
    await record(mesh, 1)
    async with AsyncExitStack() as stack:
        aws = AsyncAws(settings, stack, "test")
        stack.push_async_callback(aws.aclose)
        # The account's own credentials, as any role but the anchor's: the key policy says no.
        forger = AuditAnchors(
            mesh.audit,
            await aws.client("dynamodb"),
            await aws.client("kms"),
            settings.audit_anchor_table,
            settings.audit_anchor_key_alias,
        )
        with pytest.raises(AccessDeniedError, match="kms:Sign"):
            await forger.anchor()


async def test_moving_the_head_back_one_entry_is_found(mesh: Mesh) -> None:
    await record(mesh, 4)
    await mesh.signer.anchor()
    third = _entry(mesh.stored()[2])
    mesh.put_head(3, third.hash)  # entry 4 is still stored, past the head
    answer = await mesh.verify_cli()
    assert not answer["intact"] and answer["broken_at"] == 4, answer
    assert "past the head" in answer["reason"]
    # Also without its entry: the head is behind the anchored entry.
    fourth = mesh.stored()[3]
    mesh.db.delete_item(
        TableName=mesh.settings.audit_table, Key={"subject": fourth["subject"], "at": fourth["at"]}
    )
    answer = await mesh.verify_cli()
    assert not answer["intact"] and answer["broken_at"] == 4, answer
    assert "behind the anchored entry 4" in answer["reason"]


async def test_an_entry_rewritten_and_the_rest_rehashed_is_found(mesh: Mesh) -> None:
    await record(mesh, 5)
    await mesh.signer.anchor()
    items = mesh.stored()
    items[1]["details"] = {"S": json.dumps({"n": 99})}
    mesh.rewrite_from(items, 2)
    assert (await mesh.audit.verify()).intact  # every link holds again
    answer = await mesh.verify_cli()
    assert not answer["intact"] and answer["broken_at"] == 5, answer
    assert "no longer hash to the anchored hash" in answer["reason"]
    # ... and the anchoring step refuses to sign the rewritten chain.
    refused = await mesh.signer.anchor()
    assert refused.outcome == "refused" and refused.anchor is None
    assert not (await mesh.verify_cli())["intact"]


async def test_two_entries_swapped_are_found(mesh: Mesh) -> None:
    await record(mesh, 4)
    await mesh.signer.anchor()
    items = mesh.stored()
    second, third = _entry(items[1]), _entry(items[2])
    swapped = []
    for item, content, seq in ((items[1], third, 2), (items[2], second, 3)):
        mesh.db.delete_item(
            TableName=mesh.settings.audit_table, Key={"subject": item["subject"], "at": item["at"]}
        )
        swapped.append(_item(content.model_copy(update={"seq": seq})))
    mesh.rewrite_from([items[0], *swapped, items[3]], 2)
    assert (await mesh.audit.verify()).intact  # every link holds again
    answer = await mesh.verify_cli()
    assert not answer["intact"] and answer["broken_at"] == 4, answer


async def test_a_forged_anchor_is_not_trusted(mesh: Mesh, settings: MeshSettings) -> None:
    await record(mesh, 2)
    made = await mesh.signer.anchor()
    assert made.anchor is not None
    items = mesh.stored()
    items[0]["details"] = {"S": json.dumps({"n": 99})}
    mesh.rewrite_from(items, 1)
    # An anchor of the rewritten head, carrying a real signature of another head.
    head = await mesh.audit.head()
    mesh.db.put_item(
        TableName=settings.audit_anchor_table,
        Item={
            "chain": {"S": settings.audit_table},
            "seq": {"N": "3"},
            "hash": {"S": head.hash},
            "at": {"S": "2026-12-01T09:00:00.000000Z"},
            "key_id": {"S": made.anchor.key_id},
            "algorithm": {"S": "ECDSA_SHA_256"},
            "signature": {"B": made.anchor.signature},
        },
    )
    answer = await mesh.verify_cli()
    assert not answer["intact"] and not answer["anchor_signature_valid"], answer
    assert "no valid signature" in answer["reason"]


async def test_a_change_after_the_latest_anchor_is_covered_from_the_next_anchor_on(
    mesh: Mesh,
) -> None:
    """The documented window: entries appended after the latest anchor are checked link by
    link only, until the next anchor signs them."""
    await record(mesh, 2)
    await mesh.signer.anchor()
    await record(mesh, 2)
    items = mesh.stored()
    items[3]["details"] = {"S": json.dumps({"n": 99})}
    mesh.rewrite_from(items, 4)
    answer = await mesh.verify_cli()
    assert answer["intact"] and answer["unanchored_entries"] == 2
    await mesh.signer.anchor()
    items = mesh.stored()
    items[3]["details"] = {"S": json.dumps({"n": 100})}
    mesh.rewrite_from(items, 4)
    assert not (await mesh.verify_cli())["intact"]
