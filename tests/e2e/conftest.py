"""A running local stack: the embedded AWS, a bootstrapped mesh, the worker processes and the
audit anchor."""

from __future__ import annotations

import contextlib
import io
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from meshcore.cli.main import main as meshctl
from meshcore_devstack.mesh import (
    CONSUMER,
    PRODUCERS,
    as_central_role,
    stack_environment,
)
from meshcore_devstack.processes import (
    ANCHOR,
    WorkerProcess,
    ready_timeout,
    start_anchor,
    start_worker,
    wait_started,
)
from meshcore_devstack.story import Story
from meshcore_emulator import EmbeddedAws

from ..least_privilege import RoleUse, role_uses

T = TypeVar("T")


@dataclass
class Stack:
    endpoint: str
    env: dict[str, str]
    workers: dict[str, WorkerProcess]
    log_dir: Path = Path()
    # The access key id each worker process signs with -> its kind, so that the emulator's call
    # log tells which worker made a call.
    worker_keys: dict[str, str] = field(default_factory=dict)
    # Every process started and not killed: stopped with SIGTERM and checked for exit 0 at the end.
    started: list[WorkerProcess] = field(default_factory=list)

    def launch(self, kind: str, name: str) -> WorkerProcess:
        """Start a worker of `kind` as its central role, with credentials of its own (does not
        wait)."""
        env = as_central_role(self.env, kind, f"local-{name}")
        self.worker_keys[env["AWS_ACCESS_KEY_ID"]] = kind
        worker = start_worker(kind, env, self.log_dir, name=name)
        self.started.append(worker)
        self.workers[name] = worker
        return worker

    def launch_anchor(self) -> WorkerProcess:
        """Start `meshctl audit anchor --every` as the audit-anchor role."""
        env = as_central_role(self.env, ANCHOR, f"local-{ANCHOR}")
        self.worker_keys[env["AWS_ACCESS_KEY_ID"]] = ANCHOR
        anchor = start_anchor(env, self.log_dir)
        self.started.append(anchor)
        # Its first anchor (of the empty chain) is signed at once.
        eventually(
            lambda: anchor.process.poll() is None and "audit.anchored" in anchor_log(anchor),
            "the first audit anchor",
            timeout=ready_timeout(),
        )
        return anchor

    def start(self, kind: str, name: str) -> WorkerProcess:
        """Start one more worker of `kind` (waits until it receives)."""
        worker = self.launch(kind, name)
        wait_started([worker])
        return worker

    def kill(self, name: str) -> None:
        """SIGKILL worker `name`: no drain, no cleanup, whatever it was doing."""
        worker = self.workers.pop(name)
        self.started.remove(worker)
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait()
        worker.log_file.close()

    def meshctl(self, *args: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = meshctl(list(args))
        assert code == 0, f"meshctl {' '.join(args)} exited {code}"
        return out.getvalue()

    def client(self, service: str, account: str | None = None) -> Any:
        return Story(self.endpoint).client(service, account)

    def queue_idle(self, name: str) -> bool:
        """No message waiting or in flight on queue `name`."""
        sqs = self.client("sqs")
        attrs = sqs.get_queue_attributes(
            QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return all(v == "0" for v in attrs.values())

    def log(self, worker: str) -> str:
        return self.workers[worker].log_path.read_text()

    def role_uses(self, aws: EmbeddedAws) -> list[RoleUse]:
        """What each kind of worker called, as which role of the infra templates."""
        return role_uses(aws.calls.by_principal(), self.worker_keys)


def anchor_log(anchor: WorkerProcess) -> str:
    if anchor.process.poll() is not None:
        raise AssertionError(f"the audit anchor exited: {anchor.log_path.read_text()}")
    return anchor.log_path.read_text()


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    """Poll until `probe` returns something truthy (no wall-clock assertion: a generous cap)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


StackFactory = Callable[..., Stack]


@pytest.fixture
def stack_factory(
    aws: EmbeddedAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StackFactory]:
    """Bootstrap the mesh and start workers: `stack_factory(sync_workers=4)`."""
    stacks: list[Stack] = []

    def make(
        sync_workers: int = 1,
        classifier: bool = True,
        grant_worker: bool = True,
        settings: dict[str, str] | None = None,
        notifier: bool = False,
        ticket_bridge: bool = False,
    ) -> Stack:
        """`settings`: more MESHCORE_* variables for every process. The notifier runs only
        when asked: other tests read the notifications queue themselves; so does the ticket
        bridge (as the ticket system's role), whose settings (MESHCORE_TICKETS__*) the test
        gives."""
        env = stack_environment(
            aws.endpoint_url,
            MESHCORE_WORKER__VISIBILITY_TIMEOUT_SECONDS="10",
            MESHCORE_WORKER__MAX_RECEIVE_COUNT="5",
            MESHCORE_WORKER__RETRY_BASE_SECONDS="1",
            MESHCORE_WORKER__RETRY_MAX_SECONDS="2",
            MESHCORE_WORKER__METRICS_INTERVAL_SECONDS="1",
            MESHCORE_AUDIT_ANCHOR_INTERVAL_SECONDS="1",
            **(settings or {}),
        )
        for key, value in env.items():
            if key.startswith(("AWS_", "MESHCORE_")):
                monkeypatch.setenv(key, value)
        stack = Stack(aws.endpoint_url, env, {}, tmp_path / "logs")
        stacks.append(stack)
        stack.meshctl("bootstrap")
        for p in PRODUCERS:
            stack.meshctl(*p.onboarding())
        stack.meshctl("onboard-consumer", CONSUMER)
        names = [f"sync-worker-{i}" if i else "sync-worker" for i in range(sync_workers)]
        kinds = {n: "sync-worker" for n in names}
        if classifier:
            kinds["classifier"] = "classifier"
        if grant_worker:
            kinds["grant-worker"] = "grant-worker"
        if notifier:
            kinds["notifier"] = "notifier"
        if ticket_bridge:
            kinds["ticket-bridge"] = "ticket-bridge"
        for name, kind in kinds.items():
            stack.launch(kind, name)
        wait_started(list(stack.workers.values()))
        stack.launch_anchor()
        return stack

    yield make
    codes = {w.name: w.stop() for stack in stacks for w in stack.started}
    assert all(code == 0 for code in codes.values()), codes
    # Every call the workers made stayed within AWS's documented limits.
    assert aws.violations == [], aws.violations
    # ... and within what the infra templates grant the role it was made as.
    keys = {key: kind for stack in stacks for key, kind in stack.worker_keys.items()}
    refused = [use for use in role_uses(aws.calls.by_principal(), keys) if use.ungranted]
    assert not refused, "\n".join(
        f"{use.describe()} called {sorted(use.ungranted)}, which the template does not grant"
        for use in refused
    )


@pytest.fixture
def stack(stack_factory: StackFactory) -> Stack:
    return stack_factory()
