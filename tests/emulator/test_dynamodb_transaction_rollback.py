"""A cancelled DynamoDB transaction changes nothing, whatever the table holds, and costs the same
at any table size.

AWS: "either all of them succeed, or all of them fail" (Amazon DynamoDB Developer Guide,
"Amazon DynamoDB Transactions: How it works",
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html).
meshcore_emulator.extensions.dynamodb_transaction_rollback undoes only the items a transaction
names; moto copies every table it names.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import ClientFactory


def table(client: ClientFactory) -> Any:
    ddb = client("dynamodb")
    ddb.create_table(
        TableName="t",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return ddb


def key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": "s"}}


def test_a_cancelled_transaction_leaves_every_item_as_it_was(client: ClientFactory) -> None:
    ddb = table(client)
    ddb.put_item(TableName="t", Item=key("kept") | {"v": {"S": "before"}})
    ddb.put_item(TableName="t", Item=key("gone") | {"v": {"S": "before"}})
    with pytest.raises(ClientError) as cancelled:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "t", "Item": key("new")}},
                {"Put": {"TableName": "t", "Item": key("kept") | {"v": {"S": "after"}}}},
                {"Delete": {"TableName": "t", "Key": key("gone")}},
                {
                    "Put": {
                        "TableName": "t",
                        "Item": key("kept2"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    items = {i["pk"]["S"]: i.get("v", {}).get("S") for i in ddb.scan(TableName="t")["Items"]}
    assert items == {"kept": "before", "gone": "before"}


def test_a_transaction_costs_the_same_in_a_big_table(client: ClientFactory) -> None:
    ddb = table(client)

    def transactions(count: int, start: int) -> float:
        began = time.perf_counter()
        for i in range(start, start + count):
            ddb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": "t", "Item": key(f"a{i}")}},
                    {"Put": {"TableName": "t", "Item": key(f"b{i}")}},
                ]
            )
        return time.perf_counter() - began

    small = transactions(20, 0)
    for block in range(0, 4000, 25):
        ddb.batch_write_item(
            RequestItems={
                "t": [{"PutRequest": {"Item": key(f"f{i}")}} for i in range(block, block + 25)]
            }
        )
    big = transactions(20, 100)
    # moto copies the 4,000 items twice per transaction: ~10x slower; generous for a noisy machine
    assert big < 4 * small + 0.5, (small, big)
