"""The call log records who made each call and the IAM actions it was authorised against.

AWS authorises a call as the principal whose access key signed it (SigV4, in the Authorization
header or a presigned URL's X-Amz-Credential, "Signature Version 4 signing process",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html); keys issued by STS
AssumeRole belong to the assumed role in its account
(https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html). The actions follow the
Service Authorization Reference (see meshcore_emulator.iam_actions for the operations whose
action has another name).
"""

from __future__ import annotations

import urllib.request

import boto3
from botocore.config import Config

from meshcore_emulator import EmbeddedAws
from meshcore_emulator.calllog import PrincipalCalls

from .helpers import CENTRAL_ACCOUNT, PRODUCER_ACCOUNT, REGION, ClientFactory, call_control


def by_key(aws: EmbeddedAws) -> dict[str, PrincipalCalls]:
    return {p.principal.access_key_id: p for p in aws.calls.by_principal()}


def test_long_term_keys_are_told_apart_by_key_id(aws: EmbeddedAws) -> None:
    for key in ("worker-one", "worker-two"):
        boto3.client(
            "glue",
            endpoint_url=aws.endpoint_url,
            region_name=REGION,
            aws_access_key_id=key,
            aws_secret_access_key="x",
        ).get_databases()
    seen = by_key(aws)
    for key in ("worker-one", "worker-two"):
        assert seen[key].principal.account == CENTRAL_ACCOUNT
        assert seen[key].principal.role_arn == ""
        assert seen[key].calls == {"glue:GetDatabases": 1}
        assert seen[key].actions == {"glue:GetDatabases"}


def test_assumed_role_calls_belong_to_the_role_and_its_session(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    client("glue", account=PRODUCER_ACCOUNT).get_databases()
    seen = aws.calls.by_principal()
    assumed = [p for p in seen if p.principal.role_arn]
    assert len(assumed) == 1
    principal = assumed[0].principal
    assert principal.account == PRODUCER_ACCOUNT
    assert principal.role_arn == f"arn:aws:iam::{PRODUCER_ACCOUNT}:role/admin"
    assert principal.role_name == "admin"
    assert principal.session_name == "conformance"
    assert principal.access_key_id.startswith("ASIA")
    assert assumed[0].actions == {"glue:GetDatabases"}
    # The AssumeRole call itself was made with the caller's own key.
    (base,) = [p for p in seen if not p.principal.role_arn]
    assert base.principal.access_key_id == "testing"
    assert base.actions == {"sts:AssumeRole"}


def test_actions_with_other_names_than_their_operation(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="a.csv", Body=b"x")
    s3.list_objects_v2(Bucket="data")
    s3.head_object(Bucket="data", Key="a.csv")
    s3.get_object(Bucket="data", Key="a.csv")["Body"].read()
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "m"}])
    dynamodb = client("dynamodb")
    dynamodb.create_table(
        TableName="t",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "t", "Item": {"pk": {"S": "a"}}}},
            {
                "Update": {
                    "TableName": "t",
                    "Key": {"pk": {"S": "b"}},
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"S": "1"}},
                }
            },
        ]
    )
    client("sts").get_caller_identity()

    actions = by_key(aws)["testing"].actions
    assert actions == {
        "s3:CreateBucket",
        "s3:PutObject",
        "s3:ListBucket",
        "s3:GetObject",
        "sqs:CreateQueue",
        "sqs:SendMessage",
        "dynamodb:CreateTable",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    }
    calls = by_key(aws)["testing"].calls
    assert calls["s3:HeadObject"] == 1 and calls["dynamodb:TransactWriteItems"] == 1
    assert calls["sts:GetCallerIdentity"] == 1  # counted, but it needs no permission


def test_dynamodb_items_are_recorded_by_partition_key(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    """The `dynamodb:LeadingKeys` condition key: the partition key values of the items each
    action reaches, per item in a transaction, every key of a batch, the key of a Query, none
    for a Scan (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html)."""
    dynamodb = client("dynamodb")
    dynamodb.create_table(
        TableName="t",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    aws.calls.clear()
    dynamodb.put_item(TableName="t", Item={"pk": {"S": "a#1"}, "sk": {"S": "x"}, "v": {"S": "big"}})
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "t", "Item": {"pk": {"S": "b#1"}, "sk": {"S": "x"}}}},
            {"Delete": {"TableName": "t", "Key": {"pk": {"S": "c#1"}, "sk": {"S": "x"}}}},
        ]
    )
    dynamodb.batch_get_item(
        RequestItems={
            "t": {
                "Keys": [
                    {"pk": {"S": "a#1"}, "sk": {"S": "x"}},
                    {"pk": {"S": "b#1"}, "sk": {"S": "x"}},
                ]
            }
        }
    )
    dynamodb.query(
        TableName="t",
        KeyConditionExpression="#p = :p AND begins_with(sk, :s)",
        ExpressionAttributeNames={"#p": "pk"},
        ExpressionAttributeValues={":p": {"S": "a#1"}, ":s": {"S": "x"}},
    )
    dynamodb.scan(TableName="t")
    items = {(i.action, i.table, i.leading_keys) for i in by_key(aws)["testing"].items}
    assert items == {
        ("dynamodb:PutItem", "t", frozenset({"a#1"})),
        ("dynamodb:PutItem", "t", frozenset({"b#1"})),
        ("dynamodb:DeleteItem", "t", frozenset({"c#1"})),
        ("dynamodb:BatchGetItem", "t", frozenset({"a#1", "b#1"})),
        ("dynamodb:Query", "t", frozenset({"a#1"})),
    }


def test_a_presigned_url_is_signed_by_its_key(aws: EmbeddedAws, client: ClientFactory) -> None:
    s3 = client("s3", account=PRODUCER_ACCOUNT, config=Config(signature_version="s3v4"))
    s3.create_bucket(Bucket="shared")
    s3.put_object(Bucket="shared", Key="k", Body=b"v")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "shared", "Key": "k"})
    aws.calls.clear()
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (the emulator's URL)
        assert response.read() == b"v"
    (seen,) = aws.calls.by_principal()
    assert seen.principal.account == PRODUCER_ACCOUNT and seen.principal.role_name == "admin"
    assert seen.calls == {"s3:GetObject": 1}


def test_principals_over_http(aws: EmbeddedAws, client: ClientFactory) -> None:
    client("glue", account=PRODUCER_ACCOUNT).get_databases()
    status, body = call_control(aws.endpoint_url, "GET", "/_emulator/calls")
    assert status == 200
    assumed = next(p for p in body["principals"] if p["principal"]["role_name"] == "admin")
    assert assumed["principal"]["account"] == PRODUCER_ACCOUNT
    assert assumed["principal"]["session_name"] == "conformance"
    assert assumed["calls"] == {"glue:GetDatabases": 1}
    assert assumed["actions"] == ["glue:GetDatabases"]
    assert call_control(aws.endpoint_url, "DELETE", "/_emulator/calls")[0] == 200
    assert call_control(aws.endpoint_url, "GET", "/_emulator/calls")[1] == {
        "calls": {},
        "principals": [],
    }
