"""Scenario 3: poison. Each bad message lands in its dead-letter queue (or is refused with an
audit entry) with its reason recorded; the workers never stop; metrics count them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from meshcore_devstack.mesh import AR, CONSUMER

from ..e2e.test_access import decision, post, sign
from ..e2e.test_catalog_sync import table
from .conftest import Stack, StackFactory, eventually
from .poison import dead_letters, metric_sum, send
from .results import Row

pytestmark = [pytest.mark.e2e, pytest.mark.scenario("3 poison")]

# SQS refuses bodies over 256 KiB (Amazon SQS Developer Guide, "Amazon SQS message quotas").
SQS_MAX_BODY = 262_144


def glue_event(account: str, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "poison",
        "detail-type": detail_type,
        "source": "aws.glue",
        "account": account,
        "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def table_change(account: str, **extra: Any) -> str:
    detail = {"databaseName": "fx", "tableName": "rates", "typeOfChange": "UpdateTable"}
    return json.dumps(glue_event(account, "Glue Data Catalog Table State Change", detail | extra))


POISON = {
    # case -> (queue, body)
    "malformed JSON": ("meshcore-catalog-changes", '{"detail-type": "Glue Data Catalog'),
    "wrong shape": ("meshcore-approvals", json.dumps({"kind": "access.signed-decision"})),
    "wrong shape (scan)": ("meshcore-classification", json.dumps({"columns": 7})),
    "unknown detail type": (
        "meshcore-catalog-changes",
        json.dumps(glue_event(AR, "Glue Data Catalog Crawler State Change", {"state": "x"})),
    ),
    # Just under SQS's limit (over it, SQS itself refuses the send: tests/emulator/test_limits).
    "oversized": (
        "meshcore-catalog-changes",
        json.dumps([table_change(AR), "x" * (SQS_MAX_BODY - 1_000)]),
    ),
    "account not onboarded": ("meshcore-catalog-changes", table_change("999999999999")),
}


def vanished_table_request(stack: Stack) -> str:
    """A pending request whose table the producer then deleted (and sync removed centrally)."""
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": "gone"})
    glue.create_table(DatabaseName="gone", TableInput=table("soon", [("id", "string")], False))
    central = stack.client("glue")

    def synced() -> bool:
        names = [t["Name"] for t in central.get_tables(DatabaseName="ar__gone")["TableList"]]
        return names == ["soon"]

    eventually(lambda: _quiet(synced), "the table in the central catalog")
    out = stack.meshctl(
        "--json", "request", "--consumer-account", CONSUMER, "--table", "ar__gone.soon",
        "--purpose", "poison",
    )  # fmt: skip
    request_id = str(json.loads(out)["request_id"])
    glue.delete_table(DatabaseName="gone", Name="soon")
    eventually(lambda: _quiet(lambda: not synced()), "the table gone from the central catalog")
    return request_id


def _quiet(probe: Any) -> Any:
    try:
        return probe()
    except ClientError:
        return False


def test_poison_is_dead_lettered_with_its_reason_and_counted(
    stack_factory: StackFactory, record: Row
) -> None:
    stack = stack_factory()
    sent = {case: (queue, send(stack, queue, body)) for case, (queue, body) in POISON.items()}
    vanished = vanished_table_request(stack)
    post(stack, sign(stack, decision(stack, vanished, ticket_id="FIN-9")))

    def all_dead() -> bool:
        letters = {q: dead_letters(stack, q) for q, _ in sent.values()}
        return all(mid in letters[q] for q, mid in sent.values())

    eventually(all_dead, "every poison message in its dead-letter queue", timeout=120)
    for case, (queue, message_id) in sent.items():
        shown = json.loads(stack.meshctl("--json", "dlq", "show", message_id))
        assert shown["reason"], case
        assert shown["queue"] == queue, case
    reasons = {
        case: json.loads(stack.meshctl("--json", "dlq", "show", mid))["reason"]
        for case, (_, mid) in sent.items()
    }
    assert "not JSON" in reasons["malformed JSON"]
    assert "not an onboarded producer" in reasons["account not onboarded"]

    def refused() -> Any:
        entries = json.loads(stack.meshctl("--json", "audit", vanished))
        return next((e for e in entries if e["action"] == "decision.refused"), None)

    refusal = eventually(refused, "the decision for a vanished table refused and audited")
    assert refusal["details"]["reason"]
    assert "ar__gone.soon" not in json.dumps(
        stack.client("lakeformation").list_permissions()["PrincipalResourcePermissions"]
    )

    # Nothing stopped, every worker still answers, and the rejections are counted.
    for worker in stack.workers.values():
        assert worker.process.poll() is None, worker.name
    counted = eventually(
        lambda: metric_sum(stack, "MessagesHandled", Outcome="rejected") >= len(POISON) or None,
        "the rejections in CloudWatch",
    )
    assert counted
    rejected = metric_sum(stack, "MessagesHandled", Outcome="rejected")
    # The workers still do their job afterwards.
    glue = stack.client("glue", AR)
    glue.create_table(DatabaseName="gone", TableInput=table("after", [("id", "string")], False))
    eventually(
        lambda: _quiet(
            lambda: stack.client("glue").get_table(DatabaseName="ar__gone", Name="after")
        ),
        "a table synced after the poison",
    )

    record.load = f"{len(POISON) + 1} poison messages on 3 queues"
    record.faults = ", ".join([*POISON, "decision for a deleted table"])
    record.lost = "0"
    record.duplicated = "0"
    record.consistency = (
        f"{len(POISON)}/{len(POISON)} dead-lettered with reason; refusal audited; "
        f"{rejected:.0f} rejected deliveries counted"
    )
