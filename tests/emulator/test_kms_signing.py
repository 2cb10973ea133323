"""KMS asymmetric signing as meshcore's audit anchors use it: only principals the key policy
allows may `Sign`, and `Verify` fails on a signature that does not verify.

AWS KMS Developer Guide, Key policies in AWS KMS
(https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html): "No AWS principal,
including the account root user or key creator, has any permissions to a KMS key unless they are
explicitly allowed, and never denied, in a key policy, IAM policy, or grant. Unless the key
policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key."

AWS KMS API Reference, Verify (https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html):
"If the signature verification fails, the Verify operation fails with an
KMSInvalidSignatureException exception." Keys are ECC_NIST_P256 with ECDSA_SHA_256
(https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from .helpers import CENTRAL_ACCOUNT, ClientFactory

ROOT = f"arn:aws:iam::{CENTRAL_ACCOUNT}:root"
SIGNER = f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/signer"
MESSAGE = b'{"seq":3}'


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal: str, *actions: str, **extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": list(actions),
        "Resource": "*",
        **extra,
    }


ONLY_THE_SIGNER_SIGNS = policy(
    allow(ROOT, "kms:Describe*", "kms:Get*", "kms:Put*", "kms:Verify"),
    allow(SIGNER, "kms:Sign", "kms:Verify"),
)


def signing_key(client: ClientFactory, key_policy: str | None = None) -> str:
    extra = {"Policy": key_policy} if key_policy else {}
    return str(
        client("kms").create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY", **extra)[
            "KeyMetadata"
        ]["KeyId"]
    )


def kms_as(client: ClientFactory, role_arn: str, session: str = "conformance") -> Any:
    kms = client("kms")
    issued = client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session)["Credentials"]
    return boto3.client(
        "kms",
        endpoint_url=kms.meta.endpoint_url,
        region_name=kms.meta.region_name,
        aws_access_key_id=issued["AccessKeyId"],
        aws_secret_access_key=issued["SecretAccessKey"],
        aws_session_token=issued["SessionToken"],
    )


def sign(kms: Any, key_id: str) -> bytes:
    return bytes(
        kms.sign(
            KeyId=key_id, Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256"
        )["Signature"]
    )


def test_only_the_role_the_key_policy_names_may_sign(client: ClientFactory) -> None:
    key_id = signing_key(client, ONLY_THE_SIGNER_SIGNS)
    with pytest.raises(ClientError) as refused:
        sign(client("kms"), key_id)  # the account's own credentials: not allowed kms:Sign
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "kms:Sign" in refused.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as other:
        sign(kms_as(client, f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/worker"), key_id)
    assert other.value.response["Error"]["Code"] == "AccessDeniedException"
    signature = sign(kms_as(client, SIGNER), key_id)
    # Anyone in the account may verify: the key policy allows the account kms:Verify.
    verified = client("kms").verify(
        KeyId=key_id,
        Message=MESSAGE,
        MessageType="RAW",
        Signature=signature,
        SigningAlgorithm="ECDSA_SHA_256",
    )
    assert verified["SignatureValid"] is True


def test_the_default_key_policy_lets_the_account_sign(client: ClientFactory) -> None:
    # The default key policy allows the account kms:* (and so enables IAM policies).
    assert sign(client("kms"), signing_key(client))


def test_a_deny_statement_wins_and_a_conditional_allow_allows_nothing(
    client: ClientFactory,
) -> None:
    denied = signing_key(
        client,
        policy(
            allow(ROOT, "kms:*"),
            {"Effect": "Deny", "Principal": {"AWS": SIGNER}, "Action": "kms:Sign", "Resource": "*"},
        ),
    )
    with pytest.raises(ClientError) as refused:
        sign(kms_as(client, SIGNER), denied)
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    conditional = signing_key(
        client,
        policy(
            allow(ROOT, "kms:Describe*", "kms:Get*"),
            allow(
                SIGNER,
                "kms:Sign",
                Condition={"StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256"}},
            ),
        ),
    )
    with pytest.raises(ClientError) as unevaluated:
        sign(kms_as(client, SIGNER), conditional)
    assert unevaluated.value.response["Error"]["Code"] == "AccessDeniedException"


def test_verify_fails_on_a_signature_that_does_not_verify(client: ClientFactory) -> None:
    key_id = signing_key(client)
    signature = sign(client("kms"), key_id)
    with pytest.raises(ClientError) as invalid:
        client("kms").verify(
            KeyId=key_id,
            Message=b'{"seq":4}',
            MessageType="RAW",
            Signature=signature,
            SigningAlgorithm="ECDSA_SHA_256",
        )
    assert invalid.value.response["Error"]["Code"] == "KMSInvalidSignatureException"
    other_key = signing_key(client)
    with pytest.raises(ClientError) as wrong_key:
        client("kms").verify(
            KeyId=other_key,
            Message=MESSAGE,
            MessageType="RAW",
            Signature=signature,
            SigningAlgorithm="ECDSA_SHA_256",
        )
    assert wrong_key.value.response["Error"]["Code"] == "KMSInvalidSignatureException"
