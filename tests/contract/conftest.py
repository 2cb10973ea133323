"""One test suite, two backends: every contract test runs against the in-memory fake of a port
(`tests/fakes/`) and against its adapter on the embedded AWS.

A backend is a small "world": the port under test, and the few set-up steps that happen outside
the port (a table created by a producer, a location registered by an operator, a share offered
by another account), done on AWS with plain clients and on the fake through its helpers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import boto3
import pytest

from meshcore.aws.clients import AsyncAws
from meshcore.settings import MeshSettings

BACKENDS = ["fake", "embedded"]
CENTRAL = "123456789012"
CONSUMER = "444444444444"
REGION = "us-east-1"
# The central data lake's administrator on the embedded AWS: grants need one.
LAKE_ADMIN = f"arn:aws:iam::{CENTRAL}:role/contract-lake-admin"
CONSUMER_ADMIN = f"arn:aws:iam::{CONSUMER}:role/contract-consumer-admin"


@asynccontextmanager
async def embedded(settings: MeshSettings) -> AsyncIterator[AsyncAws]:
    """aiobotocore clients on the embedded AWS, closed after the test."""
    async with AsyncExitStack() as stack:
        aws = AsyncAws(settings, stack, session_name="contract")
        stack.push_async_callback(aws.aclose)
        yield aws


def boto(settings: MeshSettings, service: str, role_arn: str | None = None) -> Any:
    """A plain boto3 client for arranging a test, acting as `role_arn` when given."""
    credentials: dict[str, str] = {}
    if role_arn is not None:
        sts = boto3.client("sts", endpoint_url=settings.endpoint_url, region_name=REGION)
        issued = sts.assume_role(RoleArn=role_arn, RoleSessionName="contract")["Credentials"]
        credentials = {
            "aws_access_key_id": issued["AccessKeyId"],
            "aws_secret_access_key": issued["SecretAccessKey"],
            "aws_session_token": issued["SessionToken"],
        }
    new_client: Any = boto3.client  # the service is chosen at run time: no stub overload
    return new_client(
        service, endpoint_url=settings.endpoint_url, region_name=REGION, **credentials
    )


def governed_lake(settings: MeshSettings, account: str, admin: str) -> None:
    """Lake Formation governs the account, with `admin` as its data lake admin."""
    boto(settings, "lakeformation", admin).put_data_lake_settings(
        DataLakeSettings={
            "DataLakeAdmins": [{"DataLakePrincipalIdentifier": admin}],
            "CreateDatabaseDefaultPermissions": [],
            "CreateTableDefaultPermissions": [],
            "Parameters": {"CROSS_ACCOUNT_VERSION": "4"},
        }
    )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
