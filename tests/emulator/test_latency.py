"""A fixed latency on every call: at start (``--latency-ms``) or at run time (control endpoint).

An emulator feature rather than AWS behaviour: it stands for the round trip of a real AWS call
(tens of milliseconds), so that a benchmark measures waiting as AWS would make a worker wait,
not the emulator's CPU. Calls delayed at the same time must wait at the same time, as they do
against AWS: the emulator serves each connection on its own thread and sleeps outside its locks.
No timing bound here is tight: the machines are shared; the assertions are about order and
overlap, with the serialized case far outside them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from meshcore_emulator import EmbeddedAws
from meshcore_emulator.faults import parse_latency

from .helpers import ClientFactory, call_control

DELAY_S = 0.5
CALLERS = 4


def test_a_call_takes_at_least_the_injected_latency(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    glue, sts = client("glue"), client("sts")
    glue.get_databases()  # connections open before anything is timed
    sts.get_caller_identity()
    spec = {"service": "glue", "kind": "latency", "latency_ms": int(DELAY_S * 1000)}
    assert call_control(aws.endpoint_url, "POST", "/_emulator/faults", spec)[0] == 201

    started = time.monotonic()
    glue.get_databases()
    assert time.monotonic() - started >= DELAY_S
    started = time.monotonic()
    sts.get_caller_identity()  # another service is not delayed
    assert time.monotonic() - started < DELAY_S


def test_concurrent_calls_wait_at_the_same_time(aws: EmbeddedAws, client: ClientFactory) -> None:
    clients = [client("sts") for _ in range(CALLERS)]
    for sts in clients:
        sts.get_caller_identity()  # one open connection per caller, before the latency
    aws.faults.add(service="sts", kind="latency", latency_ms=int(DELAY_S * 1000))
    barrier = threading.Barrier(CALLERS)
    spans: list[tuple[float, float]] = []
    errors: list[BaseException] = []

    def call(sts: Any) -> None:
        try:
            barrier.wait(timeout=30)
            started = time.monotonic()
            sts.get_caller_identity()
            spans.append((started, time.monotonic()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(sts,)) for sts in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors and len(spans) == CALLERS
    starts, ends = [s for s, _ in spans], [e for _, e in spans]
    assert all(end - start >= DELAY_S for start, end in spans)
    # Every call started before any answered: they were all waiting at once...
    assert max(starts) < min(ends)
    # ...and the server slept for them at once: one after the other, the answers would be at
    # least DELAY_S apart and the last CALLERS x DELAY_S after the first start.
    assert max(ends) - min(ends) < DELAY_S
    assert max(ends) - min(starts) < CALLERS * DELAY_S
    assert aws.faults.list()[0].injected == CALLERS


def test_latency_given_at_start_stays_across_resets(client: ClientFactory) -> None:
    second = EmbeddedAws.start(host="127.0.0.1", port=0, latency={"sts": int(DELAY_S * 1000)})
    try:
        (rule,) = second.faults.list()
        assert (rule.service, rule.kind, rule.latency_ms) == ("sts", "latency", 500)
        second.faults.add(service="glue", kind="throttle")

        assert call_control(second.endpoint_url, "POST", "/_emulator/reset")[0] == 200

        assert [(f.service, f.kind) for f in second.faults.list()] == [("sts", "latency")]
        status, _ = call_control(second.endpoint_url, "DELETE", "/_emulator/faults?kind=latency")
        assert status == 200
        assert second.faults.list() == []
    finally:
        second.stop()


def test_deleting_faults_of_one_kind_keeps_the_others(aws: EmbeddedAws) -> None:
    aws.faults.add(kind="latency", latency_ms=30)
    aws.faults.add(service="glue", kind="throttle", rate=0.1)

    assert call_control(aws.endpoint_url, "DELETE", "/_emulator/faults?kind=latency")[0] == 200
    assert [f.kind for f in aws.faults.list()] == ["throttle"]
    status, refused = call_control(aws.endpoint_url, "DELETE", "/_emulator/faults?kind=slow")
    assert status == 400 and "kind" in refused["error"]
    assert [f.kind for f in aws.faults.list()] == ["throttle"]


def test_latency_spec() -> None:
    assert parse_latency("30") == {"*": 30}
    assert parse_latency("glue=30, SQS=10") == {"glue": 30, "sqs": 10}
    assert parse_latency("") == {}
    for wrong in ("fast", "glue=", "glue=-1"):
        with pytest.raises(ValueError, match="latency"):
            parse_latency(wrong)


def test_cli_takes_the_latency_from_its_environment() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment["MESHCORE_EMULATOR_LATENCY_MS"] = "glue=30,sqs=10"
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
        status, listed = call_control(ready["endpoint_url"], "GET", "/_emulator/faults")
    finally:
        process.terminate()
        process.communicate(timeout=20)

    assert status == 200
    rules = [(f["service"], f["kind"], f["latency_ms"]) for f in listed["faults"]]
    assert rules == [("glue", "latency", 30), ("sqs", "latency", 10)]


def test_cli_refuses_a_malformed_latency() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "meshcore_emulator", "--latency-ms", "glue=fast"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert "latency" in run.stderr
