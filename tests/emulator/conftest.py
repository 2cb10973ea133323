"""Fixtures for the embedded AWS conformance tests.

One emulator serves the whole session; every test starts from empty AWS
accounts, no fault rules and no recorded violations.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from meshcore_emulator import EmbeddedAws

from .helpers import CENTRAL_ACCOUNT, NO_RETRIES, REGION, ClientFactory, assume_admin


@pytest.fixture
def aws(embedded_aws: EmbeddedAws) -> EmbeddedAws:
    """The session's emulator (tests/conftest.py); `fresh_aws` empties it around each test."""
    return embedded_aws


@pytest.fixture(autouse=True)
def fresh_aws(aws: EmbeddedAws) -> Iterator[None]:
    aws.reset()
    yield
    aws.reset()


@pytest.fixture(autouse=True)
def dummy_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's AWS profile, config files and credentials out of the tests."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture
def client(aws: EmbeddedAws) -> ClientFactory:
    """``client("glue")`` for the default account, ``client("glue", account=...)`` for another.

    Another account's credentials come from STS AssumeRole into its ``admin`` role.
    """
    new_client: Any = boto3.client  # services are chosen at run time: no stub overloads

    def make(service: str, *, account: str | None = None, config: Config = NO_RETRIES) -> Any:
        credentials: dict[str, str] = {}
        if account is not None and account != CENTRAL_ACCOUNT:
            credentials = assume_admin(make("sts"), account)
        return new_client(
            service,
            endpoint_url=aws.endpoint_url,
            region_name=REGION,
            config=config,
            **credentials,
        )

    return make
