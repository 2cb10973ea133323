"""AssumeRole of a role whose trust policy requires an external id needs that id.

IAM User Guide, "Access to AWS accounts owned by third parties"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html):
the trust policy's ``StringEquals`` on ``sts:ExternalId`` admits only a caller that passes the
id; anyone else gets AccessDenied. Stricter reading: another condition beside it never holds.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import CENTRAL_ACCOUNT, ClientFactory

ROOT = f"arn:aws:iam::{CENTRAL_ACCOUNT}:root"


def trust(condition: dict[str, Any] | None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def role(client: ClientFactory, name: str, condition: dict[str, Any] | None) -> str:
    created = client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=trust(condition))
    return str(created["Role"]["Arn"])


def assume(client: ClientFactory, arn: str, **extra: str) -> Any:
    return client("sts").assume_role(RoleArn=arn, RoleSessionName="session", **extra)


def test_a_required_external_id_must_be_passed_and_match(client: ClientFactory) -> None:
    arn = role(client, "consumer-admin", {"StringEquals": {"sts:ExternalId": "meshcore:central"}})
    assert assume(client, arn, ExternalId="meshcore:central")["Credentials"]["AccessKeyId"]
    for extra in ({}, {"ExternalId": "someone-else"}):
        with pytest.raises(ClientError) as raised:
            assume(client, arn, **extra)
        assert raised.value.response["Error"]["Code"] == "AccessDenied"


def test_other_conditions_beside_it_are_read_strictly(client: ClientFactory) -> None:
    condition = {
        "StringEquals": {"sts:ExternalId": "x-id"},
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
    }
    arn = role(client, "strict", condition)
    with pytest.raises(ClientError):
        assume(client, arn, ExternalId="x-id")


def test_a_role_without_the_condition_is_assumed_with_or_without_an_id(
    client: ClientFactory,
) -> None:
    arn = role(client, "plain", None)
    assert assume(client, arn)["Credentials"]
    assert assume(client, arn, ExternalId="anything")["Credentials"]
