"""Shared fixtures: the embedded AWS on a free loopback port, and no developer AWS config."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from meshcore.settings import MeshSettings, WorkerSettings
from meshcore_emulator import EmbeddedAws


@pytest.fixture(autouse=True)
def _no_developer_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read ~/.aws or the caller's AWS_* / MESHCORE_* settings."""
    import os

    for name in list(os.environ):
        if name.startswith(("AWS_", "MESHCORE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


QUIET_SECONDS = 3600.0


@pytest.fixture(scope="session")
def embedded_aws() -> Iterator[EmbeddedAws]:
    # SQS metrics and alarm evaluation every hour: no test sees an alarm change state unless it
    # asks for a cadence (`aws.set_cadence(...)`; every reset restores these).
    aws = EmbeddedAws.start(
        host="127.0.0.1", port=0, sqs_metrics_interval=QUIET_SECONDS, alarm_interval=QUIET_SECONDS
    )
    yield aws
    aws.stop()


@pytest.fixture
def aws(embedded_aws: EmbeddedAws) -> EmbeddedAws:
    """The embedded AWS, emptied for this test."""
    embedded_aws.reset()
    return embedded_aws


@pytest.fixture
def settings(aws: EmbeddedAws) -> MeshSettings:
    return MeshSettings(
        endpoint_url=aws.endpoint_url,
        # Short polls and timeouts keep tests quick; the behaviour is the same.
        worker=WorkerSettings(
            concurrency=4,
            wait_time_seconds=1,
            visibility_timeout_seconds=5,
            max_receive_count=3,
            shutdown_grace_seconds=5,
            retry_base_seconds=1,
            retry_max_seconds=2,
        ),
    )
