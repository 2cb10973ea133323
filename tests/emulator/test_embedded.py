"""The embedded emulator's own surface: start, reset, control endpoints and the CLI.

These are emulator features rather than AWS behaviour; the AWS side they rely on is
moto's reset of every backend ("Moto server mode: reset",
https://docs.getmoto.org/en/latest/docs/server_mode.html#reset-api).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from meshcore_emulator import EmbeddedAws

from .helpers import ClientFactory, call_control, drain, queue_with_rule


def test_endpoint_is_loopback_with_the_bound_port(aws: EmbeddedAws) -> None:
    host, port = aws.endpoint_url.removeprefix("http://").split(":")
    assert host == "127.0.0.1"
    assert int(port) > 0
    assert call_control(aws.endpoint_url, "GET", "/_emulator/health") == (200, {"status": "ok"})


def test_a_second_instance_does_not_install_extensions_twice(client: ClientFactory) -> None:
    second = EmbeddedAws.start(host="127.0.0.1", port=0)
    try:
        health = call_control(second.endpoint_url, "GET", "/_emulator/health")
        assert health == (200, {"status": "ok"})
        queue = queue_with_rule(client)
        client("glue").create_database(DatabaseInput={"Name": "once"})
        assert len(drain(client, queue)) == 1
    finally:
        second.stop()


def test_reset_clears_accounts_faults_and_violations(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "sales"})
    with pytest.raises(ClientError):
        client("events").put_events(
            Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}"}] * 11
        )
    aws.faults.add(service="sqs", kind="throttle")

    aws.reset()

    assert glue.get_databases()["DatabaseList"] == []
    assert aws.faults.list() == []
    assert aws.violations == []
    client("sqs").list_queues()


def test_reset_over_http(aws: EmbeddedAws, client: ClientFactory) -> None:
    client("glue").create_database(DatabaseInput={"Name": "sales"})
    aws.faults.add(service="sqs", kind="throttle")

    assert call_control(aws.endpoint_url, "POST", "/_emulator/reset") == (200, {"status": "ok"})

    assert client("glue").get_databases()["DatabaseList"] == []
    assert aws.faults.list() == []


def test_unknown_control_endpoint_is_404(aws: EmbeddedAws) -> None:
    status, _ = call_control(aws.endpoint_url, "GET", "/_emulator/nothing")
    assert status == 404


def test_cli_serves_until_sigterm() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "meshcore_emulator", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert ready["event"] == "ready"
        health = call_control(ready["endpoint_url"], "GET", "/_emulator/health")
        assert health == (200, {"status": "ok"})

        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 0
    assert json.loads(stdout.splitlines()[-1]) == {
        "event": "stopped",
        "endpoint_url": ready["endpoint_url"],
    }
    assert "GET /_emulator/health" not in stderr  # the per-request log is silenced


def test_answered_calls_are_counted_by_service_and_operation(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    glue = client("glue")
    glue.get_databases()
    glue.get_databases()
    assert aws.calls.snapshot()["glue:GetDatabases"] == 2
    status, body = call_control(aws.endpoint_url, "GET", "/_emulator/calls")
    assert status == 200 and body["calls"]["glue:GetDatabases"] == 2
