"""sync-worker end to end: real producer Glue calls, real events, real worker processes."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from meshcore_devstack.mesh import AP, AR
from meshcore_emulator import EmbeddedAws

from .catalog import differences
from .conftest import Stack, StackFactory, eventually

pytestmark = pytest.mark.e2e


def table(
    name: str, columns: list[tuple[str, str]], partitioned: bool = True, **extra: Any
) -> dict[str, Any]:
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "csv"},
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in columns],
            "Location": f"s3://producer-data/{name}/",
        },
        "PartitionKeys": [{"Name": "day", "Type": "string"}] if partitioned else [],
        **extra,
    }


def part(name: str, day: str) -> dict[str, Any]:
    return {
        "Values": [day],
        "StorageDescriptor": {"Columns": [], "Location": f"s3://producer-data/{name}/day={day}/"},
    }


def converged(stack: Stack, *producers: tuple[str, str]) -> bool:
    return not any(differences(stack, account, domain) for account, domain in producers)


def test_every_glue_change_type_converges_field_by_field(stack_factory: StackFactory) -> None:
    stack = stack_factory(grant_worker=False)
    ar, ap = stack.client("glue", AR), stack.client("glue", AP)
    # Two producers with the same database name never collide.
    for glue in (ar, ap):
        glue.create_database(DatabaseInput={"Name": "sales", "Description": "sales ledger"})
    ar.create_table(
        DatabaseName="sales",
        TableInput=table("orders", [("order_id", "string"), ("amount", "double")]),
    )
    ar.create_table(
        DatabaseName="sales",
        TableInput=table(
            "big_orders",
            [("order_id", "string")],
            partitioned=False,
            TableType="VIRTUAL_VIEW",
            ViewOriginalText="SELECT * FROM orders WHERE amount > 1000",
            ViewExpandedText="/* Presto View */",
        ),
    )
    ap.create_table(DatabaseName="sales", TableInput=table("bills", [("bill_id", "string")]))
    # 150 partitions: the producer's call is split in Glue's limit, the events in 100s.
    for start in (0, 100):
        ar.batch_create_partition(
            DatabaseName="sales",
            TableName="orders",
            PartitionInputList=[
                part("orders", f"2026-{i:04d}") for i in range(start, min(start + 100, 150))
            ],
        )
    ar.create_partition(
        DatabaseName="sales", TableName="orders", PartitionInput=part("orders", "2027-0001")
    )
    eventually(lambda: converged(stack, (AR, "ar"), (AP, "ap")), "creates to converge", timeout=60)

    ar.update_table(
        DatabaseName="sales",
        TableInput=table(
            "orders",
            [("order_id", "string"), ("amount", "decimal(18,2)"), ("customer_email", "string")],
            Description="orders, with contact",
        ),
    )
    ar.delete_partition(DatabaseName="sales", TableName="orders", PartitionValues=["2027-0001"])
    ar.batch_delete_partition(
        DatabaseName="sales",
        TableName="orders",
        PartitionsToDelete=[{"Values": [f"2026-{i:04d}"]} for i in range(25)],
    )
    ar.batch_delete_partition(
        DatabaseName="sales",
        TableName="orders",
        PartitionsToDelete=[{"Values": [f"2026-{i:04d}"]} for i in range(25, 30)],
    )
    ar.delete_table(DatabaseName="sales", Name="big_orders")
    ap.batch_delete_table(DatabaseName="sales", TablesToDelete=["bills"])
    eventually(
        lambda: converged(stack, (AR, "ar"), (AP, "ap")),
        "updates and deletes to converge",
        timeout=60,
    )
    central = stack.client("glue")
    assert (
        len(central.get_partitions(DatabaseName="ar__sales", TableName="orders")["Partitions"])
        == 120
    )

    ap.delete_database(Name="sales")
    eventually(lambda: converged(stack, (AP, "ap")), "the database delete to converge", timeout=60)
    assert "ar__sales" in {d["Name"] for d in central.get_databases()["DatabaseList"]}

    cloudwatch = stack.client("cloudwatch")

    def published() -> set[str]:
        names = {m["MetricName"] for m in cloudwatch.list_metrics(Namespace="meshcore")["Metrics"]}
        return (
            names
            if {"EventsProcessed", "SyncLag", "CatalogChanges", "MessagesHandled"} <= names
            else set()
        )

    eventually(published, "sync-worker metrics in CloudWatch")

    # The schema change asked the classifier to scan exactly the new and changed columns.
    scans = [
        json.loads(line)
        for line in stack.log("classifier").splitlines()
        if "message.handled" in line
    ]
    # A scan asked for before the table's write may wait for it (retry); none is refused.
    assert any(s["outcome"] == "ok" for s in scans)
    assert all(s["outcome"] in ("ok", "retry") for s in scans), scans


def test_a_delete_event_for_a_table_that_still_exists_keeps_it(stack_factory: StackFactory) -> None:
    stack = stack_factory(classifier=False, grant_worker=False)
    ar = stack.client("glue", AR)
    ar.create_database(DatabaseInput={"Name": "gl"})
    ar.create_table(
        DatabaseName="gl", TableInput=table("journal", [("id", "string")], partitioned=False)
    )
    eventually(
        lambda: not differences(stack, AR, "ar") or print(differences(stack, AR, "ar")),
        "the table to arrive",
    )
    forged = {
        "version": "0",
        "id": "f0",
        "detail-type": "Glue Data Catalog Database State Change",
        "source": "aws.glue",
        "account": AR,
        "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "databaseName": "gl",
            "typeOfChange": "DeleteTable",
            "changedTables": ["journal"],
        },
    }
    sqs = stack.client("sqs")
    sqs.send_message(
        QueueUrl=sqs.get_queue_url(QueueName="meshcore-catalog-changes")["QueueUrl"],
        MessageBody=json.dumps(forged),
    )
    eventually(
        lambda: '"change": "DeleteTable"' in stack.log("sync-worker"), "the event to be handled"
    )
    assert converged(stack, (AR, "ar"))


def test_an_event_from_an_unknown_account_is_dead_lettered_naming_the_account(
    stack_factory: StackFactory,
) -> None:
    stack = stack_factory(classifier=False, grant_worker=False)
    event = {
        "version": "0",
        "id": "e1",
        "detail-type": "Glue Data Catalog Database State Change",
        "source": "aws.glue",
        "account": "999999999999",
        "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"databaseName": "x", "typeOfChange": "CreateDatabase", "changedTables": []},
    }
    sqs = stack.client("sqs")
    sqs.send_message(
        QueueUrl=sqs.get_queue_url(QueueName="meshcore-catalog-changes")["QueueUrl"],
        MessageBody=json.dumps(event),
    )
    dlq = sqs.get_queue_url(QueueName="meshcore-catalog-changes-dlq")["QueueUrl"]
    eventually(
        lambda: sqs.receive_message(QueueUrl=dlq).get("Messages"),
        "the event in the dead-letter queue",
    )
    assert "account 999999999999, which is not an onboarded producer" in stack.log("sync-worker")


def test_repair_heals_every_kind_of_drift_and_reports_it(stack_factory: StackFactory) -> None:
    stack = stack_factory(classifier=False, grant_worker=False)
    ar = stack.client("glue", AR)
    ar.create_database(DatabaseInput={"Name": "ledger", "Description": "v1"})
    for name in ("entries", "accounts", "balances"):
        ar.create_table(DatabaseName="ledger", TableInput=table(name, [("id", "string")]))
        ar.batch_create_partition(
            DatabaseName="ledger",
            TableName=name,
            PartitionInputList=[part(name, f"d{i}") for i in range(5)],
        )
    eventually(lambda: converged(stack, (AR, "ar")), "the initial sync")
    # Let the stream settle, so that only the repair can heal the drift made below.
    eventually(lambda: stack.queue_idle("meshcore-catalog-changes"), "the event stream to settle")

    central = stack.client("glue")
    central.delete_table(DatabaseName="ar__ledger", Name="entries")  # deleted central table
    central.create_table(  # extra central table
        DatabaseName="ar__ledger",
        TableInput=table("ghost", [("id", "string")], Parameters={"meshcore:producer_account": AR}),
    )
    stale = central.get_table(DatabaseName="ar__ledger", Name="accounts")["Table"]  # stale schema
    stale_input = {
        k: stale[k]
        for k in ("Name", "StorageDescriptor", "PartitionKeys", "TableType", "Parameters")
    }
    stale_input["StorageDescriptor"]["Columns"] = [{"Name": "old", "Type": "int"}]
    central.update_table(DatabaseName="ar__ledger", TableInput=stale_input)
    central.batch_delete_partition(  # missing partitions
        DatabaseName="ar__ledger",
        TableName="balances",
        PartitionsToDelete=[{"Values": ["d0"]}, {"Values": ["d1"]}],
    )
    central.create_partition(  # extra partition
        DatabaseName="ar__ledger", TableName="balances", PartitionInput=part("balances", "d99")
    )
    ar.update_database(
        Name="ledger", DatabaseInput={"Name": "ledger", "Description": "v2"}
    )  # no event
    assert differences(stack, AR, "ar")

    report = json.loads(stack.meshctl("--json", "repair", "--wait", "--timeout", "60"))
    assert report["status"] == "succeeded", report["errors"]
    assert report["drift"] == {
        "database.updated": 1,
        "table.created": 1,
        "table.deleted": 1,
        "table.updated": 1,
        "partition.created": 2 + 5,  # the two missing, and the recreated table's five
        "partition.deleted": 1,
    }
    assert report["tables_checked"] == 4 and report["producers_total"] == 2
    assert differences(stack, AR, "ar") == []

    again = json.loads(stack.meshctl("--json", "repair", "--wait", "--timeout", "60"))
    assert again["drift"] == {} and again["drift_total"] == 0

    cloudwatch = stack.client("cloudwatch")

    def drift_metric() -> Any:
        stats = cloudwatch.get_metric_statistics(
            Namespace="meshcore",
            MetricName="RepairDrift",
            Dimensions=[{"Name": "Worker", "Value": "sync-worker"}],
            StartTime=datetime.now(UTC) - timedelta(hours=1),
            EndTime=datetime.now(UTC) + timedelta(minutes=1),
            Period=60,
            Statistics=["Maximum"],
        )["Datapoints"]
        return stats and max(d["Maximum"] for d in stats) == sum(report["drift"].values())

    eventually(drift_metric, "the first repair's drift in CloudWatch")


def test_the_repair_schedule_fires_a_repair_in_the_local_stack(
    stack_factory: StackFactory, aws: EmbeddedAws
) -> None:
    stack = stack_factory(classifier=False, grant_worker=False)
    aws.schedules.tick(time.time() + 3600)  # an hour later: the rate(60 minutes) rule is due

    def scheduled_report() -> Any:
        lines = [
            json.loads(line)
            for line in stack.log("sync-worker").splitlines()
            if '"repair.finished"' in line
        ]
        return lines[0] if lines else None

    finished = eventually(scheduled_report, "the scheduled repair to finish")
    assert finished["repair_id"].startswith("scheduled-") and finished["status"] == "succeeded"
