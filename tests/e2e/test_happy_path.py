"""The foundation's happy path through real worker processes and real producer Glue calls."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meshcore.domain.provenance import PRODUCER_ACCOUNT, SOURCE_DATABASE, SOURCE_VERSION
from meshcore_devstack.mesh import AR, PRODUCERS
from meshcore_devstack.story import INVOICE_MONTHS, Story, partition

from .conftest import Stack, eventually

pytestmark = pytest.mark.e2e


def test_producer_table_reaches_the_central_catalog_is_classified_and_granted(stack: Stack) -> None:
    """The story `make demo` tells and `make compose-test` plays, step by step, checked."""
    story = Story(stack.endpoint)
    story.producer_publishes()

    (table, parts), _ = story.synced()
    source = stack.client("glue", AR).get_table(DatabaseName="receivables", Name="invoices")
    source = source["Table"]
    assert table["StorageDescriptor"]["Columns"] == source["StorageDescriptor"]["Columns"]
    assert table["StorageDescriptor"]["Location"] == source["StorageDescriptor"]["Location"]
    assert table["PartitionKeys"] == source["PartitionKeys"]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"]["classification"] == "parquet"
    assert table["Parameters"][PRODUCER_ACCOUNT] == AR
    assert table["Parameters"][SOURCE_DATABASE] == "receivables"
    assert table["Parameters"][SOURCE_VERSION] == str(source["VersionId"])
    assert sorted(p["Values"] for p in parts) == [["2026", m] for m in INVOICE_MONTHS]
    assert {p["StorageDescriptor"]["Location"] for p in parts} == {
        partition("2026", m)["StorageDescriptor"]["Location"] for m in INVOICE_MONTHS
    }

    email, _ = story.recommended()
    assert email["sensitivity_class"] == "email_address"
    assert email["explanation"]
    story.accept(email)

    # Scanned: the columns it found nothing in are classified not sensitive; customer_id's
    # recommendation (a customer identifier) awaits review, so it is pending classification.
    scanned, _ = story.scanned()
    assert scanned == {
        "invoice_id": "none",
        "customer_id": "pending classification",
        "customer_email": "email_address",
        "amount": "none",
        "currency": "none",
        "year": "none",
        "month": "none",
    }
    # The owner rejects it (an internal key, not personal data): nothing is pending any more.
    classified, _ = story.classified()
    assert classified == scanned | {"customer_id": "none"}

    request = story.request_access("revenue dashboard")
    assert request["state"] == "pending" and request["owners"] == [PRODUCERS[0].owner]
    assert request["pending_columns"] == {}
    story.approve(request["request_id"])

    rows, _ = story.granted()
    select = next(r for r in rows if "TableWithColumns" in r["Resource"])
    assert select["Permissions"] == ["SELECT"]
    # By name: not the sensitive column, nor any the table gets later.
    assert select["Resource"]["TableWithColumns"]["ColumnNames"] == [
        "amount",
        "currency",
        "customer_id",
        "invoice_id",
        "month",
        "year",
    ]
    describe = next(r for r in rows if "Table" in r["Resource"])
    assert describe["Permissions"] == ["DESCRIBE"]

    # The grant is recorded as applied once Lake Formation, delivery and the audit are done.
    (_link, done), _ = story.delivered(request["request_id"])
    assert done["state"] == "granted"
    assert done["excluded_columns"] == {"ar__receivables.invoices": ["customer_email"]}
    actions = [e["action"] for e in story.meshctl_json("audit", f"request/{request['request_id']}")]
    assert actions == ["request.created", "request.routed", "grant.created"]


@pytest.mark.parametrize(
    "worker,queue",
    [
        ("sync-worker", "meshcore-catalog-changes"),
        ("classifier", "meshcore-classification"),
        ("grant-worker", "meshcore-approvals"),
    ],
)
def test_a_malformed_message_lands_in_the_dead_letter_queue_and_the_worker_keeps_running(
    stack: Stack, worker: str, queue: str
) -> None:
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName=queue + "-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="{this is not json")

    def dead_lettered() -> Any:
        return sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=0).get("Messages")

    messages = eventually(dead_lettered, f"the poison message in {queue}-dlq")
    assert messages[0]["Body"] == "{this is not json"
    assert stack.workers[worker].process.poll() is None, "the worker must keep running"
    rejected = [json.loads(line) for line in stack.log(worker).splitlines() if '"rejected"' in line]
    assert rejected and "body is not JSON" in rejected[0]["reason"]
