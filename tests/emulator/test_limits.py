"""Documented per-call limits are enforced by the service and recorded.

AWS behaviour: each service rejects a whole call that exceeds a documented limit;
botocore checks only minimum sizes client-side, so the oversize call reaches AWS.
- AWS Glue Web API Reference: BatchCreatePartition ``PartitionInputList`` at most 100,
  BatchUpdatePartition ``Entries`` at most 100, BatchDeletePartition
  ``PartitionsToDelete`` at most 25, BatchGetPartition ``PartitionsToGet`` at most 1000,
  BatchDeleteTable ``TablesToDelete`` at most 100, GetPartitions ``MaxResults`` 1-1000,
  GetTables/GetDatabases ``MaxResults`` 1-100
  (https://docs.aws.amazon.com/glue/latest/webapi/API_BatchDeletePartition.html and the
  sibling pages); violations come back as ValidationException ("The input fails to satisfy
  the constraints specified by an AWS service", Common Errors,
  https://docs.aws.amazon.com/glue/latest/webapi/CommonErrors.html).
- Lake Formation API Reference: BatchGrantPermissions / BatchRevokePermissions take "A list
  of up to 20 entries" (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_BatchGrantPermissions.html);
  AddLFTagsToResource ``LFTags`` and CreateLFTag ``TagValues`` hold 1-50 items.
- Amazon SQS API Reference: SendMessageBatch, DeleteMessageBatch and
  ChangeMessageVisibilityBatch take up to 10 entries, else TooManyEntriesInBatchRequest
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html);
  ReceiveMessage ``MaxNumberOfMessages`` is 1-10. A message, and a whole SendMessageBatch,
  is at most the queue's MaximumMessageSize, 262,144 bytes by default, else
  InvalidParameterValue
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
- DynamoDB API Reference: BatchWriteItem takes up to 25 put or delete requests
  (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html),
  TransactWriteItems up to 100 actions
  (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).
- EventBridge API Reference: PutEvents takes 1-10 entries
  (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html).
- AWS KMS API Reference: GenerateMac and VerifyMac take a ``Message`` of 1-4,096 bytes
  (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html,
  https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html); a longer one is a
  ValidationException (the stricter reading: the pages list no error for it, and the
  constraint is the service model's, which AWS's front end enforces with that error).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from meshcore_emulator import EmbeddedAws, Violation

from .helpers import ClientFactory, call_control

QUEUE = "http://sqs.us-east-1.localhost/123456789012/q"
TABLE = {"DatabaseName": "sales", "TableName": "orders"}
LF_TABLE = {"Table": {"DatabaseName": "sales", "Name": "orders"}}


def partitions(n: int) -> list[dict[str, Any]]:
    return [{"Values": [str(i)]} for i in range(n)]


def lf_entries(n: int) -> list[dict[str, Any]]:
    principal = {"DataLakePrincipalIdentifier": "arn:aws:iam::123456789012:role/r"}
    return [
        {"Id": str(i), "Principal": principal, "Resource": LF_TABLE, "Permissions": ["SELECT"]}
        for i in range(n)
    ]


def ddb_put(i: int) -> dict[str, Any]:
    return {"PutRequest": {"Item": {"pk": {"S": str(i)}}}}


# (service, method, parameters, parameter checked, maximum, error code)
OVERSIZE_CALLS = [
    ("glue", "batch_create_partition", {**TABLE, "PartitionInputList": partitions(101)},
     "PartitionInputList", 100, "ValidationException"),
    ("glue", "batch_update_partition",
     {**TABLE, "Entries": [{"PartitionValueList": p["Values"], "PartitionInput": p}
                           for p in partitions(101)]},
     "Entries", 100, "ValidationException"),
    ("glue", "batch_delete_partition", {**TABLE, "PartitionsToDelete": partitions(26)},
     "PartitionsToDelete", 25, "ValidationException"),
    ("glue", "batch_get_partition", {**TABLE, "PartitionsToGet": partitions(1001)},
     "PartitionsToGet", 1000, "ValidationException"),
    ("glue", "batch_delete_table",
     {"DatabaseName": "sales", "TablesToDelete": [f"t{i}" for i in range(101)]},
     "TablesToDelete", 100, "ValidationException"),
    ("glue", "get_partitions", {**TABLE, "MaxResults": 1001},
     "MaxResults", 1000, "ValidationException"),
    ("glue", "get_tables", {"DatabaseName": "sales", "MaxResults": 101},
     "MaxResults", 100, "ValidationException"),
    ("glue", "get_databases", {"MaxResults": 101}, "MaxResults", 100, "ValidationException"),
    ("lakeformation", "batch_grant_permissions", {"Entries": lf_entries(21)},
     "Entries", 20, "InvalidInputException"),
    ("lakeformation", "batch_revoke_permissions", {"Entries": lf_entries(21)},
     "Entries", 20, "InvalidInputException"),
    ("lakeformation", "add_lf_tags_to_resource",
     {"Resource": LF_TABLE,
      "LFTags": [{"TagKey": f"k{i}", "TagValues": ["v"]} for i in range(51)]},
     "LFTags", 50, "ValidationException"),
    ("lakeformation", "create_lf_tag",
     {"TagKey": "domain", "TagValues": [f"v{i}" for i in range(51)]},
     "TagValues", 50, "ValidationException"),
    ("sqs", "send_message_batch",
     {"QueueUrl": QUEUE, "Entries": [{"Id": str(i), "MessageBody": "m"} for i in range(11)]},
     "Entries", 10, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
    ("sqs", "delete_message_batch",
     {"QueueUrl": QUEUE, "Entries": [{"Id": str(i), "ReceiptHandle": "r"} for i in range(11)]},
     "Entries", 10, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
    ("sqs", "change_message_visibility_batch",
     {"QueueUrl": QUEUE,
      "Entries": [{"Id": str(i), "ReceiptHandle": "r", "VisibilityTimeout": 1}
                  for i in range(11)]},
     "Entries", 10, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
    ("sqs", "send_message", {"QueueUrl": QUEUE, "MessageBody": "x" * 262_145},
     "MessageBody", 262_144, "InvalidParameterValue"),
    ("sqs", "send_message_batch",
     {"QueueUrl": QUEUE,
      "Entries": [{"Id": "0", "MessageBody": "x" * 131_072},
                  {"Id": "1", "MessageBody": "x" * 131_073}]},
     "MessageBody", 262_144, "InvalidParameterValue"),
    ("sqs", "receive_message", {"QueueUrl": QUEUE, "MaxNumberOfMessages": 11},
     "MaxNumberOfMessages", 10, "InvalidParameterValue"),
    ("dynamodb", "batch_write_item",
     {"RequestItems": {"a": [ddb_put(i) for i in range(13)],
                       "b": [ddb_put(i) for i in range(13)]}},
     "RequestItems", 25, "ValidationException"),
    ("dynamodb", "transact_write_items",
     {"TransactItems": [{"Put": {"TableName": "a", "Item": {"pk": {"S": str(i)}}}}
                        for i in range(101)]},
     "TransactItems", 100, "ValidationException"),
    ("events", "put_events",
     {"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"} for _ in range(11)]},
     "Entries", 10, "ValidationException"),
    ("kms", "generate_mac",
     {"KeyId": "alias/k", "MacAlgorithm": "HMAC_SHA_256", "Message": b"m" * 4097},
     "Message", 4096, "ValidationException"),
    ("kms", "verify_mac",
     {"KeyId": "alias/k", "MacAlgorithm": "HMAC_SHA_256", "Message": b"m" * 4097,
      "Mac": b"0" * 32},
     "Message", 4096, "ValidationException"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("service", "method", "params", "parameter", "maximum", "code"),
    OVERSIZE_CALLS,
    ids=[f"{c[0]}.{c[1]}" for c in OVERSIZE_CALLS],
)
def test_oversize_call_is_rejected_and_recorded(
    aws: EmbeddedAws,
    client: ClientFactory,
    service: str,
    method: str,
    params: dict[str, Any],
    parameter: str,
    maximum: int,
    code: str,
) -> None:
    with pytest.raises(ClientError) as raised:
        getattr(client(service), method)(**params)

    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    (violation,) = aws.violations
    assert violation.parameter == parameter
    assert violation.maximum == maximum
    assert violation.actual == maximum + 1


def test_calls_at_the_limit_pass_and_are_not_recorded(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "sales"})
    glue.create_table(
        DatabaseName="sales",
        TableInput={"Name": "orders", "PartitionKeys": [{"Name": "p", "Type": "string"}]},
    )
    glue.batch_create_partition(**TABLE, PartitionInputList=partitions(100))
    glue.batch_delete_partition(**TABLE, PartitionsToDelete=partitions(25))
    glue.get_partitions(**TABLE, MaxResults=1000)
    glue.get_tables(DatabaseName="sales", MaxResults=100)
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "m"} for i in range(10)]
    )
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    kms = client("kms")
    key = kms.create_key(KeyUsage="GENERATE_VERIFY_MAC", KeySpec="HMAC_256")["KeyMetadata"]
    kms.generate_mac(KeyId=key["KeyId"], MacAlgorithm="HMAC_SHA_256", Message=b"m" * 4096)

    assert aws.violations == []


def test_violations_are_readable_over_http(aws: EmbeddedAws, client: ClientFactory) -> None:
    with pytest.raises(ClientError):
        client("glue").batch_delete_partition(**TABLE, PartitionsToDelete=partitions(30))

    status, body = call_control(aws.endpoint_url, "GET", "/_emulator/violations")

    assert status == 200
    assert body == {
        "violations": [
            {
                "service": "glue",
                "operation": "BatchDeletePartition",
                "parameter": "PartitionsToDelete",
                "maximum": 25,
                "actual": 30,
            }
        ]
    }
    assert aws.violations == [
        Violation("glue", "BatchDeletePartition", "PartitionsToDelete", 25, 30)
    ]
