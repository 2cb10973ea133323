"""The foundation's happy path through real worker processes and real producer Glue calls."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meshcore_devstack.demo import invoices_table, partition
from meshcore_devstack.mesh import AR, CONSUMER, PRODUCERS

from .conftest import Stack, eventually

pytestmark = pytest.mark.e2e


def central_table(stack: Stack) -> Any:
    glue = stack.client("glue")
    try:
        return glue.get_table(DatabaseName="ar__receivables", Name="invoices")["Table"]
    except glue.exceptions.EntityNotFoundException:
        return None


def test_producer_table_reaches_the_central_catalog_is_classified_and_granted(stack: Stack) -> None:
    glue_ar = stack.client("glue", AR)
    glue_ar.create_database(DatabaseInput={"Name": "receivables"})
    glue_ar.create_table(DatabaseName="receivables", TableInput=invoices_table())
    glue_ar.batch_create_partition(
        DatabaseName="receivables",
        TableName="invoices",
        PartitionInputList=[partition("2026", m) for m in ("09", "10", "11")],
    )

    central = stack.client("glue")

    def synced() -> Any:
        table = central_table(stack)
        if table is None:
            return None
        parts = central.get_partitions(DatabaseName="ar__receivables", TableName="invoices")[
            "Partitions"
        ]
        return (table, parts) if len(parts) == 3 else None

    table, parts = eventually(synced, "central copy with 3 partitions")
    source = glue_ar.get_table(DatabaseName="receivables", Name="invoices")["Table"]
    assert table["StorageDescriptor"]["Columns"] == source["StorageDescriptor"]["Columns"]
    assert table["StorageDescriptor"]["Location"] == source["StorageDescriptor"]["Location"]
    assert table["PartitionKeys"] == source["PartitionKeys"]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"]["classification"] == "parquet"
    assert table["Parameters"]["meshcore:producer_account"] == AR
    assert table["Parameters"]["meshcore:source_database"] == "receivables"
    assert table["Parameters"]["meshcore:source_version"] == str(source["VersionId"])
    assert sorted(p["Values"] for p in parts) == [["2026", "09"], ["2026", "10"], ["2026", "11"]]
    assert {p["StorageDescriptor"]["Location"] for p in parts} == {
        partition("2026", m)["StorageDescriptor"]["Location"] for m in ("09", "10", "11")
    }

    def recommendations() -> Any:
        recs = json.loads(stack.meshctl("--json", "review", "list"))
        return recs if any(r["column"] == "customer_email" for r in recs) else None

    recs = eventually(recommendations, "a recommendation for customer_email")
    email = next(r for r in recs if r["column"] == "customer_email")
    assert email["sensitivity_class"] == "email_address"
    assert email["explanation"]
    stack.meshctl("review", "accept", email["id"], "--by", PRODUCERS[0].owner)

    # Scanned: the columns it found nothing in are classified not sensitive; customer_id's
    # recommendation (a customer identifier) awaits review, so it is pending classification.
    def classified() -> Any:
        described = json.loads(stack.meshctl("--json", "describe", "ar__receivables.invoices"))
        found = {
            c["name"]: c["classification"]
            for c in [*described["columns"], *described["partition_keys"]]
        }
        return found if found["invoice_id"] != "pending classification" else None

    assert eventually(classified, "the scan's classification") == {
        "invoice_id": "none",
        "customer_id": "pending classification",
        "customer_email": "email_address",
        "amount": "none",
        "currency": "none",
        "year": "none",
        "month": "none",
    }

    request = json.loads(
        stack.meshctl(
            "--json",
            "request",
            "--consumer-account",
            CONSUMER,
            "--table",
            "ar__receivables.invoices",
            "--purpose",
            "revenue dashboard",
        )
    )
    assert request["state"] == "pending" and request["owners"] == [PRODUCERS[0].owner]
    assert request["pending_columns"] == {"ar__receivables.invoices": ["customer_id"]}
    stack.meshctl("decide", request["request_id"], "approve", "--approver", PRODUCERS[0].owner)

    lf = stack.client("lakeformation")

    def granted() -> Any:
        rows = [
            r
            for r in lf.list_permissions()["PrincipalResourcePermissions"]
            if r["Principal"]["DataLakePrincipalIdentifier"] == CONSUMER
        ]
        return rows if len(rows) >= 2 else None

    rows = eventually(granted, "Lake Formation grants to the consumer")
    select = next(r for r in rows if "TableWithColumns" in r["Resource"])
    assert select["Permissions"] == ["SELECT"]
    # By name: neither the sensitive column nor the one pending review, nor any added later.
    assert select["Resource"]["TableWithColumns"]["ColumnNames"] == [
        "amount",
        "currency",
        "invoice_id",
        "month",
        "year",
    ]
    describe = next(r for r in rows if "Table" in r["Resource"])
    assert describe["Permissions"] == ["DESCRIBE"]

    # The grant is recorded as applied once Lake Formation, delivery and the audit are done.
    (done,) = eventually(
        lambda: [r for r in json.loads(stack.meshctl("--json", "requests")) if r["grants_applied"]],
        "the grant to be recorded as applied",
    )
    assert done["state"] == "granted"
    assert done["excluded_columns"] == {
        "ar__receivables.invoices": ["customer_email", "customer_id"]
    }
    actions = [
        e["action"]
        for e in json.loads(stack.meshctl("--json", "audit", f"request/{request['request_id']}"))
    ]
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
