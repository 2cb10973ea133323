"""Glue GetDatabases, GetTables and GetPartitions return pages with NextToken.

AWS behaviour (AWS Glue Web API Reference): GetDatabases and GetTables take
``MaxResults`` between 1 and 100 (https://docs.aws.amazon.com/glue/latest/webapi/API_GetDatabases.html,
https://docs.aws.amazon.com/glue/latest/webapi/API_GetTables.html), GetPartitions between 1
and 1000 (https://docs.aws.amazon.com/glue/latest/webapi/API_GetPartitions.html); each
returns "A continuation token, if not all ... have yet been returned" as ``NextToken``,
which the next call passes back.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import ClientFactory


@pytest.fixture
def glue(client: ClientFactory) -> Any:
    return client("glue")


def test_get_tables_pages_by_max_results(glue: Any) -> None:
    glue.create_database(DatabaseInput={"Name": "sales"})
    names = [f"t{i:02}" for i in range(7)]
    for name in names:
        glue.create_table(DatabaseName="sales", TableInput={"Name": name})

    first = glue.get_tables(DatabaseName="sales", MaxResults=3)
    assert [t["Name"] for t in first["TableList"]] == names[:3]
    second = glue.get_tables(DatabaseName="sales", MaxResults=3, NextToken=first["NextToken"])
    assert [t["Name"] for t in second["TableList"]] == names[3:6]
    third = glue.get_tables(DatabaseName="sales", MaxResults=3, NextToken=second["NextToken"])
    assert [t["Name"] for t in third["TableList"]] == names[6:]
    assert "NextToken" not in third


def test_get_tables_returns_at_most_100_without_max_results(glue: Any) -> None:
    glue.create_database(DatabaseInput={"Name": "wide"})
    for i in range(101):
        glue.create_table(DatabaseName="wide", TableInput={"Name": f"t{i:03}"})

    page = glue.get_tables(DatabaseName="wide")

    assert len(page["TableList"]) == 100
    assert "NextToken" in page


def test_paginator_sees_every_database(glue: Any) -> None:
    for i in range(5):
        glue.create_database(DatabaseInput={"Name": f"db{i}"})

    pages = list(glue.get_paginator("get_databases").paginate(PaginationConfig={"PageSize": 2}))

    assert [len(p["DatabaseList"]) for p in pages] == [2, 2, 1]
    assert [d["Name"] for p in pages for d in p["DatabaseList"]] == [f"db{i}" for i in range(5)]


def test_get_partitions_pages_by_max_results(glue: Any) -> None:
    glue.create_database(DatabaseInput={"Name": "sales"})
    glue.create_table(
        DatabaseName="sales",
        TableInput={"Name": "orders", "PartitionKeys": [{"Name": "day", "Type": "string"}]},
    )
    glue.batch_create_partition(
        DatabaseName="sales",
        TableName="orders",
        PartitionInputList=[{"Values": [f"{d:02}"]} for d in range(1, 31)],
    )

    pages = list(
        glue.get_paginator("get_partitions").paginate(
            DatabaseName="sales", TableName="orders", PaginationConfig={"PageSize": 8}
        )
    )

    assert [len(p["Partitions"]) for p in pages] == [8, 8, 8, 6]
    assert len({tuple(p["Values"]) for page in pages for p in page["Partitions"]}) == 30


def test_malformed_next_token_is_rejected(glue: Any) -> None:
    glue.create_database(DatabaseInput={"Name": "sales"})
    with pytest.raises(ClientError) as raised:
        glue.get_tables(DatabaseName="sales", NextToken="not-a-token")
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"
