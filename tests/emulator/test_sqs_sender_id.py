"""ReceiveMessage tells who sent each message (the ``SenderId`` system attribute).

Amazon SQS API Reference, ReceiveMessage, MessageSystemAttributeNames: "SenderId - For a user,
returns the user ID ... For an IAM role, returns the IAM role ID, for example
ABCDE1F2GH3I4JK5LMNOP:i-a123b456."
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).
A role session's messages carry ``<role id>:<session name>``; two senders are never confused.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict, Unpack

import boto3

from .helpers import CENTRAL_ACCOUNT, ClientFactory

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": CENTRAL_ACCOUNT}, "Action": "sts:AssumeRole"}
        ],
    }
)


class Credentials(TypedDict, total=False):
    aws_access_key_id: str
    aws_secret_access_key: str
    aws_session_token: str


def sqs_as(client: ClientFactory, **credentials: Unpack[Credentials]) -> Any:
    sqs = client("sqs")
    return boto3.client(
        "sqs", endpoint_url=sqs.meta.endpoint_url, region_name=sqs.meta.region_name, **credentials
    )


def received_sender(client: ClientFactory, url: str) -> str:
    (message,) = client("sqs").receive_message(
        QueueUrl=url, MessageSystemAttributeNames=["SenderId"]
    )["Messages"]
    client("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return str(message["Attributes"]["SenderId"])


def test_a_role_sessions_message_carries_the_role_id_and_session(client: ClientFactory) -> None:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="approvals")["QueueUrl"]
    role = client("iam").create_role(RoleName="operator", AssumeRolePolicyDocument=TRUST)["Role"]
    issued = client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="ada")["Credentials"]
    sqs_as(
        client,
        aws_access_key_id=issued["AccessKeyId"],
        aws_secret_access_key=issued["SecretAccessKey"],
        aws_session_token=issued["SessionToken"],
    ).send_message(QueueUrl=url, MessageBody="from the role")
    assert received_sender(client, url) == f"{role['RoleId']}:ada"
    sqs.send_message(QueueUrl=url, MessageBody="from the account's own key")
    assert received_sender(client, url) == CENTRAL_ACCOUNT


def test_a_users_message_carries_the_user_id(client: ClientFactory) -> None:
    iam = client("iam")
    user = iam.create_user(UserName="ticket-system")["User"]
    key = iam.create_access_key(UserName="ticket-system")["AccessKey"]
    url = client("sqs").create_queue(QueueName="approvals")["QueueUrl"]
    as_user = sqs_as(
        client, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    as_user.send_message(QueueUrl=url, MessageBody="from the user")
    assert received_sender(client, url) == user["UserId"]
