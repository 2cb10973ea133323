"""Glue Data Catalog changes emit EventBridge events.

AWS behaviour ("Automating AWS Glue with EventBridge", AWS Glue Developer Guide,
https://docs.aws.amazon.com/glue/latest/dg/automating-awsglue-with-cloudwatch-events.html):
"Glue Data Catalog Database State Change" events are generated for CreateDatabase,
DeleteDatabase, CreateTable, DeleteTable and BatchDeleteTable, with ``typeOfChange``
(the API operation), ``databaseName`` and ``changedTables`` (up to 100 names per
notification); "Glue Data Catalog Table State Change" events are generated for
UpdateTable, CreatePartition, BatchCreatePartition, DeletePartition and
BatchDeletePartition, with ``tableName`` and ``changedPartitions`` (up to 100 per
notification, the partition values joined by commas, e.g. "2018,01"). The source is
``aws.glue`` and the event goes to the default bus of the account where the call ran.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.glue.models import glue_backends

from .helpers import (
    CENTRAL_ACCOUNT,
    PRODUCER_ACCOUNT,
    REGION,
    ClientFactory,
    drain,
    queue_with_rule,
)

DATABASE_CHANGE = "Glue Data Catalog Database State Change"
TABLE_CHANGE = "Glue Data Catalog Table State Change"


def table_arn(account: str, database: str, table: str) -> str:
    return f"arn:aws:glue:{REGION}:{account}:table/{database}/{table}"


def create_table(glue: Any, database: str, table: str) -> None:
    glue.create_table(
        DatabaseName=database,
        TableInput={"Name": table, "PartitionKeys": [{"Name": "year", "Type": "string"}]},
    )


def test_database_and_table_lifecycle_emit_database_state_changes(client: ClientFactory) -> None:
    queue = queue_with_rule(client)
    glue = client("glue")

    glue.create_database(DatabaseInput={"Name": "sales"})
    create_table(glue, "sales", "orders")
    glue.delete_table(DatabaseName="sales", Name="orders")
    glue.delete_database(Name="sales")

    events = drain(client, queue)
    assert [(e["detail-type"], e["detail"]["typeOfChange"]) for e in events] == [
        (DATABASE_CHANGE, "CreateDatabase"),
        (DATABASE_CHANGE, "CreateTable"),
        (DATABASE_CHANGE, "DeleteTable"),
        (DATABASE_CHANGE, "DeleteDatabase"),
    ]
    create_db, create_tbl = events[0], events[1]
    assert create_db["resources"] == [f"arn:aws:glue:{REGION}:{CENTRAL_ACCOUNT}:database/sales"]
    assert create_db["detail"] == {
        "databaseName": "sales",
        "typeOfChange": "CreateDatabase",
        "changedTables": [],
    }
    assert create_tbl["resources"] == [table_arn(CENTRAL_ACCOUNT, "sales", "orders")]
    assert create_tbl["detail"]["changedTables"] == ["orders"]
    assert create_tbl["source"] == "aws.glue"
    assert create_tbl["account"] == CENTRAL_ACCOUNT
    assert create_tbl["region"] == REGION


def test_partition_changes_emit_table_state_changes(client: ClientFactory) -> None:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "sales"})
    create_table(glue, "sales", "orders")
    queue = queue_with_rule(client, pattern={"detail-type": [TABLE_CHANGE]})

    glue.update_table(DatabaseName="sales", TableInput={"Name": "orders"})
    glue.create_partition(
        DatabaseName="sales", TableName="orders", PartitionInput={"Values": ["2017", "12"]}
    )
    glue.batch_create_partition(
        DatabaseName="sales",
        TableName="orders",
        PartitionInputList=[{"Values": ["2018", "01"]}, {"Values": ["2018", "02"]}],
    )
    glue.delete_partition(DatabaseName="sales", TableName="orders", PartitionValues=["2017", "12"])
    glue.batch_delete_partition(
        DatabaseName="sales",
        TableName="orders",
        PartitionsToDelete=[{"Values": ["2018", "01"]}, {"Values": ["2018", "02"]}],
    )

    events = drain(client, queue)
    assert [(e["detail"]["typeOfChange"], e["detail"]["changedPartitions"]) for e in events] == [
        ("UpdateTable", []),
        ("CreatePartition", ["2017,12"]),
        ("BatchCreatePartition", ["2018,01", "2018,02"]),
        ("DeletePartition", ["2017,12"]),
        ("BatchDeletePartition", ["2018,01", "2018,02"]),
    ]
    for event in events:
        assert event["detail"]["databaseName"] == "sales"
        assert event["detail"]["tableName"] == "orders"
        assert event["resources"] == [table_arn(CENTRAL_ACCOUNT, "sales", "orders")]


def test_batch_delete_table_emits_one_batch_event(client: ClientFactory) -> None:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "wide"})
    names = [f"t{i:03}" for i in range(99)]
    for name in names:
        create_table(glue, "wide", name)
    queue = queue_with_rule(client)

    glue.batch_delete_table(DatabaseName="wide", TablesToDelete=[*names, "missing"])

    events = drain(client, queue)
    assert len(events) == 1  # one BatchDeleteTable event, not 99 DeleteTable events
    assert events[0]["detail"]["typeOfChange"] == "BatchDeleteTable"
    assert events[0]["detail"]["changedTables"] == names  # the missing table was not deleted
    assert events[0]["resources"] == [table_arn(CENTRAL_ACCOUNT, "wide", n) for n in names]


def test_more_than_100_changed_names_are_split_across_events(client: ClientFactory) -> None:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "sales"})
    create_table(glue, "sales", "orders")
    queue = queue_with_rule(client)

    # The API caps a batch at 100 partitions, so drive the backend directly with 150.
    backend = glue_backends[CENTRAL_ACCOUNT][REGION]
    backend.batch_create_partition("sales", "orders", [{"Values": [f"{i:03}"]} for i in range(150)])

    events = drain(client, queue)
    assert [len(e["detail"]["changedPartitions"]) for e in events] == [100, 50]
    assert events[1]["detail"]["changedPartitions"][0] == "100"


def test_no_event_for_operations_aws_does_not_report(client: ClientFactory) -> None:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "sales"})
    create_table(glue, "sales", "orders")
    glue.create_partition(
        DatabaseName="sales", TableName="orders", PartitionInput={"Values": ["2018"]}
    )
    queue = queue_with_rule(client)

    glue.update_database(Name="sales", DatabaseInput={"Name": "sales", "Description": "x"})
    glue.update_partition(
        DatabaseName="sales",
        TableName="orders",
        PartitionValueList=["2018"],
        PartitionInput={"Values": ["2018"]},
    )
    glue.batch_update_partition(
        DatabaseName="sales",
        TableName="orders",
        Entries=[{"PartitionValueList": ["2018"], "PartitionInput": {"Values": ["2018"]}}],
    )

    assert drain(client, queue) == []


def test_failed_calls_emit_nothing(client: ClientFactory) -> None:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "sales"})
    create_table(glue, "sales", "orders")
    queue = queue_with_rule(client)

    with pytest.raises(ClientError):
        create_table(glue, "sales", "orders")  # already exists
    with pytest.raises(ClientError):
        glue.delete_table(DatabaseName="sales", Name="missing")
    with pytest.raises(ClientError):
        glue.create_database(DatabaseInput={"Name": "sales"})

    assert drain(client, queue) == []


def test_events_go_to_the_default_bus_of_the_calling_account(client: ClientFactory) -> None:
    central_queue = queue_with_rule(client)
    producer_queue = queue_with_rule(client, account=PRODUCER_ACCOUNT)

    client("glue", account=PRODUCER_ACCOUNT).create_database(DatabaseInput={"Name": "local"})

    assert drain(client, central_queue) == []
    (event,) = drain(client, producer_queue, account=PRODUCER_ACCOUNT)
    assert event["account"] == PRODUCER_ACCOUNT
    assert event["resources"] == [f"arn:aws:glue:{REGION}:{PRODUCER_ACCOUNT}:database/local"]
