"""The message contracts: AWS's documented Glue events parse exactly; bad bodies fail clearly."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from meshcore.messages.commands import (
    ACTOR_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REPAIR_PAGE_MAX,
    REQUEST_ID_MAX_LENGTH,
    SCAN_REQUEST_MAX_BYTES,
    TICKET_ID_MAX_LENGTH,
    AccessDecision,
    AccessNotification,
    AccessReconcile,
    DigestFlush,
    RepairCommand,
    RepairShard,
    scan_requests,
)
from meshcore.messages.contracts import render, schemas
from meshcore.messages.decode import (
    MalformedMessageError,
    decode_approvals_message,
    decode_notifications_message,
    decode_scan_request,
    decode_sync_message,
)
from meshcore.messages.eventbridge import GlueDatabaseEvent, GlueTableEvent

# Verbatim from the AWS Glue developer guide ("Automating AWS Glue with EventBridge").
DATABASE_EVENT = {
    "version": "0",
    "id": "5089ddb8-2ab5-4739-7323-8519741f53d7",
    "detail-type": "Glue Data Catalog Database State Change",
    "source": "aws.glue",
    "account": "123456789012",
    "time": "2019-04-25T15:40:07Z",
    "region": "us-east-1",
    "resources": ["arn:aws:glue:us-east-1:123456789012:table/dbname/table_name"],
    "detail": {
        "databaseName": "dbname",
        "typeOfChange": "CreateTable",
        "changedTables": ["table_name"],
    },
}
TABLE_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "abcdef00-1234-5678-9abc-def012345678",
    "detail-type": "Glue Data Catalog Table State Change",
    "source": "aws.glue",
    "account": "123456789012",
    "time": "2017-09-07T18:57:21Z",
    "region": "us-west-2",
    "resources": ["arn:aws:glue:us-west-2:123456789012:database/default/foo"],
    "detail": {
        "changedPartitions": ["2018,01", "2018,02"],
        "databaseName": "default",
        "tableName": "foo",
        "typeOfChange": "BatchCreatePartition",
    },
}


def test_documented_database_event_parses() -> None:
    event = decode_sync_message(json.dumps(DATABASE_EVENT))
    assert isinstance(event, GlueDatabaseEvent)
    assert event.account == "123456789012"
    assert event.detail.changed_tables == ["table_name"]


def test_documented_table_event_parses() -> None:
    event = decode_sync_message(json.dumps(TABLE_EVENT))
    assert isinstance(event, GlueTableEvent)
    assert event.detail.changed_partitions == ["2018,01", "2018,02"]


def test_bracketed_partition_lists_mean_the_same_partition() -> None:
    event = {
        **TABLE_EVENT,
        "detail": {**TABLE_EVENT["detail"], "changedPartitions": ["[2018, 01]", "2018,02"]},
    }
    decoded = decode_sync_message(json.dumps(event))
    assert isinstance(decoded, GlueTableEvent)
    assert decoded.detail.changed_partitions == ["2018,01", "2018,02"]


def test_repair_command_shares_the_catalog_queue() -> None:
    body = RepairCommand(repair_id="r1").model_dump_json()
    assert isinstance(decode_sync_message(body), RepairCommand)


def test_repair_shards_share_the_catalog_queue() -> None:
    shard = RepairShard(
        repair_id="r1",
        shard_id="t/222222222222/sales/00000",
        level="tables",
        producer_account="222222222222",
        database="sales",
        tables=["orders", "refunds"],
    )
    assert decode_sync_message(shard.model_dump_json()) == shard
    producer = {"kind": "catalog.repair-shard", "version": 1, "repair_id": "r1"}
    producer |= {"shard_id": "p/2", "level": "producer", "producer_account": "222222222222"}
    assert decode_sync_message(json.dumps(producer)).level == "producer"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"level": "database"}, "names its database"),
        ({"level": "database", "database": "sales", "tables": ["a"]}, "only it, names its tables"),
        ({"level": "tables", "database": "sales"}, "only it, names its tables"),
        (
            {"level": "tables", "database": "sales", "tables": ["t"] * (REPAIR_PAGE_MAX + 1)},
            "at most",
        ),
        ({"producer_account": "2222"}, "producer_account"),
        ({"level": "everything"}, "level"),
        ({"shard_id": ""}, "shard_id"),
    ],
)
def test_a_malformed_repair_shard_is_refused(change: dict[str, Any], reason: str) -> None:
    body = {"kind": "catalog.repair-shard", "version": 1, "repair_id": "r1", "shard_id": "p/2"}
    body |= {"level": "producer", "producer_account": "222222222222"} | change
    with pytest.raises(MalformedMessageError, match=reason):
        decode_sync_message(json.dumps(body))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected an object"),
        (json.dumps({"hello": "world"}), "neither a Glue catalog event"),
        (json.dumps({**DATABASE_EVENT, "source": "aws.s3"}), "unexpected event source"),
        (
            json.dumps({**DATABASE_EVENT, "detail-type": "Glue Job State Change"}),
            "not a valid catalog message",
        ),
        (
            json.dumps({**TABLE_EVENT, "detail": {"databaseName": "d"}}),
            "not a valid catalog message",
        ),
        (json.dumps({k: v for k, v in DATABASE_EVENT.items() if k != "account"}), "account"),
    ],
)
def test_malformed_bodies_fail_permanently_with_a_reason(body: str, reason: str) -> None:
    with pytest.raises(MalformedMessageError, match=reason):
        decode_sync_message(body)


def test_more_than_100_changed_tables_is_not_a_documented_event() -> None:
    event = {**DATABASE_EVENT, "detail": {**DATABASE_EVENT["detail"], "changedTables": ["t"] * 101}}  # type: ignore[dict-item]
    with pytest.raises(MalformedMessageError):
        decode_sync_message(json.dumps(event))


def test_canonical_bytes_ignore_field_order_and_whitespace() -> None:
    decision = AccessDecision(
        request_id="req-1",
        ticket_id="T-1",
        decision="approve",
        approver="ada",
        terms_digest="a" * 64,
        issued_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    reparsed = AccessDecision.model_validate_json(
        json.dumps(json.loads(decision.model_dump_json()), indent=4)
    )
    assert decision.canonical_bytes() == reparsed.canonical_bytes()
    assert b" " not in decision.canonical_bytes()


def test_signed_decision_rejects_unknown_fields() -> None:
    with pytest.raises(MalformedMessageError, match="surprise: Extra inputs"):
        decode_approvals_message(json.dumps({"kind": "access.signed-decision", "surprise": 1}))
    with pytest.raises(MalformedMessageError, match=r"decision: Field required \(\+2 more\)"):
        decode_approvals_message(json.dumps({"kind": "access.signed-decision"}))


def signed_body(**decision: Any) -> dict[str, Any]:
    fields = {
        "kind": "access.decision",
        "version": 2,
        "request_id": "req-1",
        "ticket_id": "T-1",
        "decision": "approve",
        "approver": "ada@ar.example.com",
        "terms_digest": "a" * 64,
        "issued_at": "2026-11-25T10:00:00Z",
    }
    return {
        "kind": "access.signed-decision",
        "version": 2,
        "decision": fields | decision,
        "key_id": "alias/meshcore-decisions",
        "signature": "AAAA",
    }


def revoke_body(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "access.revoke",
        "version": 2,
        "request_id": "req-1",
        "requested_by": "ops",
    } | fields


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (signed_body(request_id="r" * (REQUEST_ID_MAX_LENGTH + 1)), "decision.request_id"),
        (signed_body(ticket_id="T" * (TICKET_ID_MAX_LENGTH + 1)), "decision.ticket_id"),
        (signed_body(approver="a" * (ACTOR_MAX_LENGTH + 1)), "decision.approver"),
        (revoke_body(request_id="r" * (REQUEST_ID_MAX_LENGTH + 1)), "request_id"),
        (revoke_body(requested_by="o" * (ACTOR_MAX_LENGTH + 1)), "requested_by"),
        (revoke_body(reason="x" * (REASON_MAX_LENGTH + 1)), "reason"),
    ],
)
def test_oversized_claims_of_unverified_messages_are_malformed(
    body: dict[str, Any], field: str
) -> None:
    """What grant-worker audits before it verifies anything is bounded: a longer field is
    malformed at decode (dead-lettered with the reason), never written to the audit trail."""
    with pytest.raises(MalformedMessageError, match=rf"{field}: String should have at most"):
        decode_approvals_message(json.dumps(body))


def test_claims_at_their_bounds_decode() -> None:
    decode_approvals_message(
        json.dumps(
            signed_body(
                request_id="r" * REQUEST_ID_MAX_LENGTH,
                ticket_id="T" * TICKET_ID_MAX_LENGTH,
                approver="a" * ACTOR_MAX_LENGTH,
            )
        )
    )
    decode_approvals_message(
        json.dumps(
            revoke_body(
                request_id="r" * REQUEST_ID_MAX_LENGTH,
                requested_by="o" * ACTOR_MAX_LENGTH,
                reason="x" * REASON_MAX_LENGTH,
            )
        )
    )


def test_the_scheduled_access_reconcile_decodes_on_the_approvals_queue() -> None:
    # What the schedule's input template makes of a firing (see provisioning.central).
    body = json.dumps(
        {
            "kind": "access.reconcile",
            "version": 1,
            "reconcile_id": "scheduled-abc",
            "requested_at": "2026-12-02T10:00:00Z",
        }
    )
    decoded = decode_approvals_message(body)
    assert isinstance(decoded, AccessReconcile)
    assert decoded.heal and decoded.reconcile_id == "scheduled-abc"
    assert isinstance(decode_approvals_message(decoded.model_dump_json()), AccessReconcile)
    with pytest.raises(MalformedMessageError, match="reconcile_id"):
        decode_approvals_message(json.dumps({"kind": "access.reconcile", "version": 1}))
    with pytest.raises(MalformedMessageError):
        decode_approvals_message(
            json.dumps({"kind": "access.reconcile", "version": 2, "reconcile_id": "x"})
        )


def test_published_contracts_are_current() -> None:
    out = Path(__file__).parents[2] / "contracts"
    for name, schema in schemas().items():
        path = out / f"{name}.schema.json"
        assert path.exists(), f"{path.name} missing: run `make contracts`"
        assert path.read_text() == render(schema), f"{path.name} is stale: run `make contracts`"


def test_a_wide_tables_scan_is_split_into_requests_sqs_accepts() -> None:
    columns = [f"col_{i:05d}_{'é' * 60}" for i in range(10_000)]
    requests = scan_requests("ar__wide", "readings", columns, "table created")
    assert len(requests) > 1
    assert all(len(r.model_dump_json().encode()) <= SCAN_REQUEST_MAX_BYTES for r in requests)
    assert [c for r in requests for c in r.columns] == columns
    assert {(r.database, r.table, r.reason) for r in requests} == {
        ("ar__wide", "readings", "table created")
    }
    assert len(scan_requests("d", "t", ["a", "b"], "columns changed")) == 1


@pytest.mark.parametrize(
    "decode",
    [
        decode_sync_message,
        decode_approvals_message,
        decode_scan_request,
        decode_notifications_message,
    ],
)
def test_deeply_nested_bodies_are_malformed_before_parsing(decode: Any) -> None:
    with pytest.raises(MalformedMessageError, match="nests 100000 levels deep"):
        decode("[" * 100_000 + "]" * 100_000)
    # Brackets inside strings are text, not nesting.
    with pytest.raises(MalformedMessageError, match=r"not a valid|neither"):
        decode(json.dumps({"kind": "[" * 1000 + '\\"{'}))


def test_the_notifications_queue_carries_notifications_and_the_digest_schedule() -> None:
    note = AccessNotification(
        request_id="req-1",
        consumer_account="444444444444",
        state="granted",
        requested_by="analyst@consumer.example.com",
        owners=["ada@ar.example.com"],
        expiring_in_days=3,
    )
    assert decode_notifications_message(note.model_dump_json()) == note
    # What the schedule rule's input template becomes once EventBridge fills it.
    scheduled = '{"kind": "notify.digest", "version": 1, "digest_id": "scheduled-1", "requested_at": "2026-11-25T10:00:00Z"}'
    assert isinstance(decode_notifications_message(scheduled), DigestFlush)
    with pytest.raises(
        MalformedMessageError,
        match=r"not a valid notifications message: access\.notification\.request_id",
    ):
        decode_notifications_message('{"kind": "access.notification", "version": 1}')
    with pytest.raises(MalformedMessageError, match="not a valid notifications message"):
        decode_notifications_message('{"kind": "access.revoke", "request_id": "r"}')
    with pytest.raises(MalformedMessageError, match="expiring_in_days"):
        decode_notifications_message(
            note.model_copy(update={"expiring_in_days": -1}).model_dump_json()
        )
