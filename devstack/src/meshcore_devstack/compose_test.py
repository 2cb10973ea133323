"""`make compose-test`: build the container images, run docker-compose.yml, play a scenario.

On a private Docker engine (see engine.py): build every image, `docker-compose up` with three
sync-workers, wait until every container is healthy, then, against the published embedded AWS:
onboard two producers and a consumer; a producer table reaches the central catalog; the
classifier recommends; an approval becomes Lake Formation grants and a resource link; a poison
message is dead-lettered, found with its reason and redriven; the repair schedule fires and a
repair succeeds; `meshctl status` reports it; every worker logged JSON; SIGTERM stops every
worker with exit status 0. Everything it started is removed, also on failure.

Exit status: 0 passed, 1 failed, 3 skipped because this machine cannot run containers.
`--validate` only checks the compose file (`docker-compose config -q`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from meshcore_devstack.compose_scenario import (
    REPAIR_INTERVAL_MINUTES,
    catalog_and_access,
    dead_letters,
    notifier_consumes,
    portal_pages,
    scheduled_repair,
)
from meshcore_devstack.engine import (
    Engine,
    Failed,
    Skipped,
    engine,
    ensure_base_image,
    ensure_tools,
    run,
    say,
)
from meshcore_devstack.mesh import stack_environment
from meshcore_devstack.sso import local_sso
from meshcore_devstack.story import Story, StoryFailed, wait_for

SKIPPED_EXIT = 3
PROJECT = "meshcore-compose-test"
WORKER_SERVICES = ("sync-worker", "classifier", "grant-worker", "notifier", "ticket-bridge")
SYNC_WORKERS = 3
HEALTHY_TIMEOUT_SECONDS = 180.0


@dataclass
class Compose:
    engine: Engine
    root: Path
    port: int
    portal_port: int

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in self.engine.env.items() if not k.startswith(("AWS_", "MESHCORE_"))}
        return {
            **env,
            "COMPOSE_PROJECT_NAME": PROJECT,
            "MESHCORE_AWS_PORT": str(self.port),
            "MESHCORE_PORTAL_PORT": str(self.portal_port),
            "MESHCORE_REPAIR_INTERVAL_MINUTES": str(REPAIR_INTERVAL_MINUTES),
            # The portal trusts this run's single sign-on proxy (the scenario signs as it).
            "MESHCORE_PORTAL_OIDC_PUBLIC_KEY": local_sso().public_pem,
            "MESHCORE_PORTAL_OIDC_SIGNER": local_sso().signer,
        }

    def __call__(self, *args: str, quiet: bool = True, timeout: float = 1800) -> str:
        return run(
            ["docker-compose", "-f", str(self.root / "docker-compose.yml"), *args],
            env=self.env,
            quiet=quiet,
            timeout=timeout,
        )

    def containers(self) -> list[dict[str, Any]]:
        ids = self("ps", "-a", "-q").split()
        if not ids:
            return []
        return list(json.loads(self.engine.docker("inspect", *ids)))


@dataclass
class Timings:
    phases: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.phases[name] = time.monotonic() - started
            say(f"{name}: {self.phases[name]:.0f} s")

    def line(self) -> str:
        return ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.phases.items())


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise Failed("no free loopback port")


def service_of(container: dict[str, Any]) -> str:
    return str(container["Config"]["Labels"]["com.docker.compose.service"])


def wait_healthy(compose: Compose) -> list[dict[str, Any]]:
    """Until aws and every worker replica is healthy and bootstrap exited 0."""
    expected = {
        "aws": 1,
        "sync-worker": SYNC_WORKERS,
        "classifier": 1,
        "grant-worker": 1,
        "notifier": 1,
        "ticket-bridge": 1,
        "portal": 1,
    }

    def ready() -> list[dict[str, Any]] | None:
        containers = compose.containers()
        for c in containers:
            state = c["State"]
            if service_of(c) == "bootstrap" and not state["Running"] and state["ExitCode"]:
                raise StoryFailed(f"bootstrap exited {state['ExitCode']}")
            if state["Running"] and state.get("Health", {}).get("Status") == "unhealthy":
                raise StoryFailed(f"{c['Name']} is unhealthy: {state['Health']['Log'][-1:]}")
        healthy: dict[str, int] = {}
        for c in containers:
            if c["State"].get("Health", {}).get("Status") == "healthy":
                healthy[service_of(c)] = healthy.get(service_of(c), 0) + 1
        return containers if healthy == expected else None

    containers, took = wait_for("every container healthy", ready, HEALTHY_TIMEOUT_SECONDS)
    say(f"all {sum(expected.values())} long-running containers healthy after {took:.0f} s")
    return containers


def show_image_sizes(engine: Engine) -> None:
    out = engine.docker("images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}")
    sizes = sorted(line for line in out.splitlines() if line.startswith(("meshcore/", "python:")))
    say("image sizes: " + ", ".join(sizes))


def json_logs(compose: Compose) -> None:
    """Every line each worker replica wrote is one JSON object; each worker started."""
    for container in compose.containers():
        service = service_of(container)
        if service not in WORKER_SERVICES:
            continue
        out = compose.engine.docker("logs", container["Id"])
        lines = [line for line in out.splitlines() if line.strip()]
        events = []
        for line in lines:
            try:
                events.append(json.loads(line)["event"])
            except (ValueError, KeyError, TypeError) as exc:
                raise StoryFailed(f"{container['Name']} logged a non-JSON line: {line!r}") from exc
        if "worker.started" not in events:
            raise StoryFailed(f"{container['Name']} never logged worker.started")
    say("every worker replica logs JSON lines")


def graceful_stop(compose: Compose) -> None:
    """SIGTERM drains every worker; each exits 0."""
    compose("stop")
    codes = {
        c["Name"].lstrip("/"): c["State"]["ExitCode"]
        for c in compose.containers()
        if service_of(c) in WORKER_SERVICES
    }
    if len(codes) != SYNC_WORKERS + 4 or any(codes.values()):
        raise StoryFailed(f"workers did not stop cleanly: {codes}")
    say(f"{len(codes)} workers stopped on SIGTERM with exit status 0")


def scenario(compose: Compose) -> None:
    endpoint = f"http://127.0.0.1:{compose.port}"
    os.environ.update(
        {
            k: v
            for k, v in stack_environment(endpoint).items()
            if k.startswith(("AWS_", "MESHCORE_"))
        }
    )
    story = Story(endpoint, say)
    catalog_and_access(story)
    portal_pages(story, f"http://127.0.0.1:{compose.portal_port}")
    dead_letters(story)
    notifier_consumes(story)
    scheduled_repair(story)
    json_logs(compose)


def show_logs(compose: Compose) -> None:
    try:
        compose("logs", "--no-color", "--tail", "40", quiet=False, timeout=120)
    except Failed as exc:
        say(f"could not show the logs: {exc}")


def compose_test(root: Path, port: int) -> None:
    timings = Timings()
    ensure_tools()
    state_dir = root / ".compose"
    with engine(state_dir) as docker:
        with timings.phase("base image"):
            built = ensure_base_image(docker, state_dir)
        if not built:
            say("base image cached from an earlier run")
        compose = Compose(docker, root, free_port(port), free_port(8080))
        # Containers an interrupted earlier run left in this engine would restart with it.
        compose("down", "--volumes", "--remove-orphans", timeout=300)
        with timings.phase("build"):
            compose("build", quiet=True)
            docker.docker("image", "prune", "--force")  # earlier builds' images; keeps the cache
        show_image_sizes(docker)
        try:
            with timings.phase("up"):
                compose("up", "-d", "--scale", f"sync-worker={SYNC_WORKERS}", timeout=600)
                wait_healthy(compose)
            with timings.phase("scenario"):
                scenario(compose)
            with timings.phase("stop"):
                graceful_stop(compose)
        except Exception:
            show_logs(compose)
            raise
        finally:
            with timings.phase("down"):
                compose("down", "--volumes", "--remove-orphans", timeout=300)
        say("timings: " + timings.line())


def validate(root: Path) -> int:
    if shutil.which("docker-compose") is None:
        say("docker-compose is not installed; cannot validate docker-compose.yml")
        return SKIPPED_EXIT
    done = subprocess.run(
        ["docker-compose", "-f", str(root / "docker-compose.yml"), "config", "-q"], cwd=root
    )
    if done.returncode == 0:
        say("docker-compose.yml is valid")
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make compose-test", description=__doc__)
    parser.add_argument("--port", type=int, default=4566, help="preferred port of the AWS")
    parser.add_argument("--validate", action="store_true", help="only validate the compose file")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[3]
    if not (root / "docker-compose.yml").exists():
        root = Path.cwd()
    if args.validate:
        return validate(root)
    started = time.monotonic()
    # SIGTERM unwinds like Ctrl-C, so that the stack and the engine are still taken down.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        compose_test(root, args.port)
    except Skipped as exc:
        say(f"skipped, this machine cannot run containers: {exc}")
        return SKIPPED_EXIT
    except (StoryFailed, Failed) as exc:
        say(f"FAILED: {exc}")
        return 1
    except Exception:
        traceback.print_exc()
        say("FAILED: unexpected error (above)")
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    say(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
