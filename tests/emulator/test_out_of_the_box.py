"""AWS behaviours meshcore relies on that moto already reproduces.

- STS AssumeRole returns credentials of the role's account
  (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html); calls made with
  them act in that account and see only its resources.
- SQS moves a message to the dead-letter queue once its receive count exceeds the redrive
  policy's ``maxReceiveCount`` ("Using dead-letter queues in Amazon SQS",
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
- KMS HMAC keys (KeySpec HMAC_256, KeyUsage GENERATE_VERIFY_MAC) compute and verify MACs
  ("HMAC keys in AWS KMS", https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html;
  GenerateMac, https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html).
- DynamoDB conditional writes fail with ConditionalCheckFailedException when the condition
  is false ("Condition expressions",
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from .helpers import CENTRAL_ACCOUNT, PRODUCER_ACCOUNT, ClientFactory


def test_assumed_role_credentials_act_in_the_roles_account(client: ClientFactory) -> None:
    identity = client("sts", account=PRODUCER_ACCOUNT).get_caller_identity()
    assert identity["Account"] == PRODUCER_ACCOUNT
    assert identity["Arn"].startswith(f"arn:aws:sts::{PRODUCER_ACCOUNT}:assumed-role/admin/")

    client("sqs", account=PRODUCER_ACCOUNT).create_queue(QueueName="producer-only")
    assert "QueueUrls" not in client("sqs").list_queues()
    assert client("sts").get_caller_identity()["Account"] == CENTRAL_ACCOUNT


def test_sqs_redrives_to_the_dead_letter_queue(client: ClientFactory) -> None:
    sqs = client("sqs")
    dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    work = sqs.create_queue(
        QueueName="work", Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": "0"}
    )["QueueUrl"]
    sqs.send_message(QueueUrl=work, MessageBody="poison")

    received = [len(sqs.receive_message(QueueUrl=work).get("Messages", [])) for _ in range(3)]

    assert received == [1, 1, 0]
    (moved,) = sqs.receive_message(QueueUrl=dlq)["Messages"]
    assert moved["Body"] == "poison"


def test_kms_hmac_keys_generate_and_verify_macs(client: ClientFactory) -> None:
    kms = client("kms")
    key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]

    mac = kms.generate_mac(KeyId=key["KeyId"], Message=b"grant", MacAlgorithm="HMAC_SHA_256")["Mac"]
    verified = kms.verify_mac(
        KeyId=key["KeyId"], Message=b"grant", MacAlgorithm="HMAC_SHA_256", Mac=mac
    )

    assert verified["MacValid"] is True
    with pytest.raises(ClientError) as raised:
        kms.verify_mac(KeyId=key["KeyId"], Message=b"other", MacAlgorithm="HMAC_SHA_256", Mac=mac)
    assert raised.value.response["Error"]["Code"] == "KMSInvalidMacException"


def test_dynamodb_conditional_writes(client: ClientFactory) -> None:
    dynamodb = client("dynamodb")
    dynamodb.create_table(
        TableName="leases",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    item = {"pk": {"S": "lease"}, "owner": {"S": "a"}}
    dynamodb.put_item(TableName="leases", Item=item, ConditionExpression="attribute_not_exists(pk)")

    with pytest.raises(ClientError) as raised:
        dynamodb.put_item(
            TableName="leases", Item=item, ConditionExpression="attribute_not_exists(pk)"
        )
    assert raised.value.response["Error"]["Code"] == "ConditionalCheckFailedException"

    dynamodb.update_item(
        TableName="leases",
        Key={"pk": {"S": "lease"}},
        UpdateExpression="SET #o = :new",
        ConditionExpression="#o = :old",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":new": {"S": "b"}, ":old": {"S": "a"}},
    )
    stored = dynamodb.get_item(TableName="leases", Key={"pk": {"S": "lease"}})["Item"]
    assert stored["owner"] == {"S": "b"}
