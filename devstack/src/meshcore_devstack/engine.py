"""A private Docker engine for `make compose-test`, on a machine with no engine and no registry.

Debian's docker.io runs here once installed; base images cannot be pulled, so the one the
Dockerfile starts FROM is built with debootstrap (Debian bookworm with python3) and tagged with
that name. The engine keeps its data under `.compose/` in the repository, so images built once
are reused by the next run; it is stopped, by its pid, when the test ends.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PACKAGES = {
    "dockerd": "docker.io",
    "docker-compose": "docker-compose",
    "debootstrap": "debootstrap",
}
BASE_IMAGE = "python:3.11-slim"  # what the Dockerfile starts FROM
BASE_PACKAGES = "python3,python3-venv,ca-certificates"
HOST_CA_DIR = Path("/usr/local/share/ca-certificates")
# A unix socket path is at most 107 bytes; containerd puts its sockets below the exec root.
MAX_EXEC_ROOT_CHARS = 60


class Skipped(Exception):
    """This machine cannot run containers; nothing was tested."""


class Failed(Exception):
    """The engine, an image build or the stack failed."""


def say(text: str) -> None:
    print(f"compose-test: {text}", flush=True)


def run(
    args: list[str], env: dict[str, str] | None = None, quiet: bool = False, timeout: float = 1800
) -> str:
    """Run a command; its output is shown unless `quiet`, and returned. Raises Failed on error."""
    done = subprocess.run(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout
    )
    output = done.stdout.decode(errors="replace")
    if not quiet and output.strip():
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
    if done.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-20:])
        raise Failed(f"{' '.join(args[:3])} … exited {done.returncode}:\n{tail}")
    return output


def ensure_tools() -> None:
    """Install Debian's docker.io, docker-compose and debootstrap when missing (root only)."""
    if sys.platform != "linux" or os.geteuid() != 0:
        raise Skipped("the private Docker engine needs root on Linux")
    missing = [pkg for tool, pkg in PACKAGES.items() if shutil.which(tool) is None]
    if not missing:
        return
    if shutil.which("apt-get") is None:
        raise Skipped(f"needs {', '.join(missing)}, and there is no apt-get to install them")
    say(f"installing {' '.join(missing)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        run(["apt-get", "update", "-qq"], env=env, quiet=True)
        run(["apt-get", "install", "-y", "-qq", *missing], env=env, quiet=True)
    except Failed as exc:
        raise Skipped(f"apt-get could not install {', '.join(missing)}: {exc}") from exc


@dataclass
class Engine:
    """A running dockerd of ours: point docker and docker-compose at it with `env`."""

    pid: int
    socket: Path
    log_path: Path

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_HOST": f"unix://{self.socket}"}

    def docker(self, *args: str, quiet: bool = True, timeout: float = 1800) -> str:
        return run(["docker", *args], env=self.env, quiet=quiet, timeout=timeout)


def _stop_pid(pid: int, timeout: float = 30.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)


def _stale_engine(pidfile: Path) -> int | None:
    """The pid of a dockerd an interrupted earlier run left behind, if it still runs."""
    try:
        pid = int(pidfile.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"dockerd" in cmdline and str(pidfile).encode() in cmdline else None


@contextmanager
def engine(state_dir: Path, start_timeout: float = 90.0) -> Iterator[Engine]:
    """Start dockerd with its data under `state_dir`; stop it (and only it) on the way out."""
    state_dir.mkdir(parents=True, exist_ok=True)
    exec_root = state_dir / "run"
    if len(str(exec_root.resolve())) > MAX_EXEC_ROOT_CHARS:
        exec_root = Path(tempfile.mkdtemp(prefix="meshcore-docker-"))
    exec_root.mkdir(parents=True, exist_ok=True)
    pidfile = state_dir / "dockerd.pid"
    stale = _stale_engine(pidfile)
    if stale:
        say(f"stopping the engine an earlier run left behind (pid {stale})")
        _stop_pid(stale)
    socket = exec_root / "docker.sock"
    log_path = state_dir / "dockerd.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                "dockerd",
                "--data-root",
                str((state_dir / "docker").resolve()),
                "--exec-root",
                str(exec_root.resolve()),
                "--pidfile",
                str(pidfile),
                "--host",
                f"unix://{socket.resolve()}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started = Engine(process.pid, socket.resolve(), log_path)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if process.poll() is not None:
                raise Skipped(
                    f"dockerd exited {process.returncode} at start (log: {log_path}): "
                    + _last_line(log_path)
                )
            probe = subprocess.run(
                ["docker", "version", "--format", "{{.Server.Version}}"],
                env=started.env,
                capture_output=True,
            )
            if probe.returncode == 0:
                say(f"engine {probe.stdout.decode().strip()} up (pid {process.pid})")
                break
            if time.monotonic() > deadline:
                raise Skipped(f"dockerd did not answer within {start_timeout:.0f} s ({log_path})")
            time.sleep(0.5)
        yield started
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        say(f"engine stopped (pid {process.pid})")


def _last_line(path: Path) -> str:
    lines = path.read_text(errors="replace").strip().splitlines()
    return lines[-1] if lines else ""


def apt_sources() -> list[Path]:
    return [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]


def debian_mirror(sources: list[Path] | None = None) -> str | None:
    """The Debian mirror this machine's apt uses (None: debootstrap's default)."""
    for source in apt_sources() if sources is None else sources:
        try:
            text = source.read_text()
        except OSError:
            continue
        for uri in re.findall(r"^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", text, re.M):
            if re.search(r"/debian/?$", uri):
                return str(uri)
    return None


def ensure_base_image(engine: Engine, state_dir: Path) -> bool:
    """Build the FROM image with debootstrap unless the engine has it; True when it was built."""
    probe = subprocess.run(
        ["docker", "image", "inspect", BASE_IMAGE], env=engine.env, capture_output=True
    )
    if probe.returncode == 0:
        return False
    rootfs = state_dir / "rootfs"
    shutil.rmtree(rootfs, ignore_errors=True)
    mirror = debian_mirror()
    say(f"building {BASE_IMAGE} from Debian bookworm (debootstrap minbase + {BASE_PACKAGES})")
    run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={BASE_PACKAGES}",
            "bookworm",
            str(rootfs),
            *([mirror] if mirror else []),
        ],
        quiet=True,
    )
    # Builds reach the package index through whatever TLS interception this machine has.
    host_cas = sorted(HOST_CA_DIR.glob("*.crt"))
    for ca in host_cas:
        shutil.copy(ca, rootfs / "usr/local/share/ca-certificates" / ca.name)
    if host_cas:
        run(["chroot", str(rootfs), "update-ca-certificates"], quiet=True)
    for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for item in (rootfs / cache).glob("*"):
            if item.is_file():
                item.unlink()
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    imported = subprocess.run(
        [
            "docker",
            "import",
            "--change",
            "ENV LANG=C.UTF-8",
            "--change",
            'CMD ["python3"]',
            "-",
            BASE_IMAGE,
        ],
        stdin=tar.stdout,
        env=engine.env,
        capture_output=True,
    )
    if tar.stdout:
        tar.stdout.close()
    tar.wait()
    shutil.rmtree(rootfs, ignore_errors=True)
    if imported.returncode != 0 or tar.returncode != 0:
        raise Failed(f"docker import of {BASE_IMAGE} failed: {imported.stderr.decode().strip()}")
    return True
