"""A KMS key is used only by the principals its key policy allows.

AWS KMS Developer Guide, "Key policies in AWS KMS": "Unless the key policy explicitly allows it,
you cannot use IAM policies to allow access to a KMS key"
(https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html); the default key
policy's statement for the account "enables IAM policies"
(https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). A caller the
policy does not name gets AccessDeniedException. Stricter readings: an Allow with a Condition
allows nothing (conditions are not evaluated), a Deny with one refuses.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from .helpers import CENTRAL_ACCOUNT, NO_RETRIES, REGION, ClientFactory

ROOT = f"arn:aws:iam::{CENTRAL_ACCOUNT}:root"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}],
    }
)
MAC = {"MacAlgorithm": "HMAC_SHA_256", "Message": b"decision"}


def role_client(client: ClientFactory, name: str, service: str = "kms") -> Any:
    arn = client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    issued = client("sts").assume_role(RoleArn=arn, RoleSessionName="session")["Credentials"]
    new_client: Any = boto3.client  # the service is chosen at run time: no stub overload
    return new_client(
        service,
        endpoint_url=client("sts").meta.endpoint_url,
        region_name=REGION,
        config=NO_RETRIES,
        aws_access_key_id=issued["AccessKeyId"],
        aws_secret_access_key=issued["SecretAccessKey"],
        aws_session_token=issued["SessionToken"],
    )


def policy(*statements: dict[str, Any]) -> str:
    admin = {
        "Sid": "administer",
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": ["kms:Describe*", "kms:Get*", "kms:Put*", "kms:Create*", "kms:List*"],
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [admin, *statements]})


def allow(role: str, action: str, **extra: Any) -> dict[str, Any]:
    arn = f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/{role}"
    return {
        "Effect": "Allow",
        "Principal": {"AWS": arn},
        "Action": action,
        "Resource": "*",
        **extra,
    }


def mac_key(client: ClientFactory, key_policy: str | None) -> str:
    extra = {"Policy": key_policy} if key_policy else {}
    key = client("kms").create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC", **extra)
    return str(key["KeyMetadata"]["KeyId"])


def denied(call: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    return str(raised.value.response["Error"]["Message"])


def test_only_the_roles_a_key_policy_names_may_use_the_key(client: ClientFactory) -> None:
    key = mac_key(
        client,
        policy(allow("ticket-system", "kms:GenerateMac"), allow("verifier", "kms:VerifyMac")),
    )
    signer, verifier = role_client(client, "ticket-system"), role_client(client, "verifier")
    mac = signer.generate_mac(KeyId=key, **MAC)["Mac"]
    assert verifier.verify_mac(KeyId=key, Mac=mac, **MAC)["MacValid"]
    # Neither may do the other's job, and the account's own credentials may do neither: the
    # policy's account statement allows administration only.
    message = denied(lambda: verifier.generate_mac(KeyId=key, **MAC))
    assert "kms:GenerateMac" in message and "assumed-role/verifier/session" in message
    denied(lambda: signer.verify_mac(KeyId=key, Mac=mac, **MAC))
    denied(lambda: client("kms").generate_mac(KeyId=key, **MAC))
    denied(lambda: role_client(client, "stranger").generate_mac(KeyId=key, **MAC))
    assert client("kms").describe_key(KeyId=key)["KeyMetadata"]["KeyId"] == key


def test_the_default_policy_lets_the_accounts_iam_decide(client: ClientFactory) -> None:
    key = mac_key(client, None)
    assert client("kms").generate_mac(KeyId=key, **MAC)["Mac"]
    assert role_client(client, "anyone").generate_mac(KeyId=key, **MAC)["Mac"]


def test_conditions_are_read_strictly(client: ClientFactory) -> None:
    condition = {"Condition": {"StringEquals": {"kms:CallerAccount": CENTRAL_ACCOUNT}}}
    key = mac_key(client, policy(allow("conditional", "kms:GenerateMac", **condition)))
    denied(lambda: role_client(client, "conditional").generate_mac(KeyId=key, **MAC))
    deny = {**allow("barred", "kms:*"), "Effect": "Deny", **condition}
    key = mac_key(client, policy(allow("barred", "kms:GenerateMac"), deny))
    denied(lambda: role_client(client, "barred").generate_mac(KeyId=key, **MAC))
