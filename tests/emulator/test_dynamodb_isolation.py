"""A DynamoDB transaction that fails never undoes other requests' writes.

AWS: transactions are atomic and serializable with other writes (Amazon DynamoDB Developer
Guide, "Isolation levels for DynamoDB transactions",
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-isolation):
a cancelled TransactWriteItems changes nothing, and a PutItem that succeeded stays.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError

from .helpers import ClientFactory

WRITES = 120


def test_cancelled_transactions_do_not_erase_concurrent_writes(client: ClientFactory) -> None:
    ddb = client("dynamodb")
    ddb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName="t", Item={"pk": {"S": "taken"}})

    def write(i: int) -> None:
        ddb.put_item(TableName="t", Item={"pk": {"S": f"w{i}"}})

    def cancelled(i: int) -> None:
        try:
            ddb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": "t", "Item": {"pk": {"S": f"x{i}"}}}},
                    {
                        "Put": {
                            "TableName": "t",
                            "Item": {"pk": {"S": "taken"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "TransactionCanceledException"

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: write(i) if i % 2 else cancelled(i), range(2 * WRITES)))

    keys = {item["pk"]["S"] for item in ddb.scan(TableName="t")["Items"]}
    assert keys == {"taken"} | {f"w{i}" for i in range(1, 2 * WRITES, 2)}
