"""docker-compose.yml and the Dockerfile hold what operators rely on (checked without Docker;
`make compose-test` builds and runs them)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from meshcore.settings import NotifierSettings
from meshcore_devstack import compose_test
from meshcore_devstack.engine import debian_mirror

ROOT = Path(__file__).resolve().parents[2]
WORKERS = {
    "sync-worker": "sync_worker",
    "classifier": "classifier",
    "grant-worker": "grant_worker",
    "notifier": "notifier",
    "ticket-bridge": "ticket_bridge",
}
IMAGES = [*WORKERS, "portal", "emulator"]  # the Dockerfile's targets
BASE_IMAGE = "python:3.11-slim"


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def dockerfile_stages() -> dict[str, tuple[str, str]]:
    """The Dockerfile's stages by name: (what it starts FROM, its instructions)."""
    text = (ROOT / "Dockerfile").read_text()
    stages: dict[str, tuple[str, str]] = {}
    for chunk in re.split(r"^(?=FROM )", text, flags=re.M)[1:]:
        header, _, body = chunk.partition("\n")
        match = re.fullmatch(r"FROM (\S+) AS (\S+)", header.strip())
        assert match, f"every stage is named: {header!r}"
        assert match[2] not in stages, f"stage {match[2]} twice"
        stages[match[2]] = (match[1], body)
    return stages


def image_text(stages: dict[str, tuple[str, str]], target: str) -> str:
    """What makes the image of `target`: its instructions and those of the stages it starts
    FROM, down to the base image."""
    parts: list[str] = []
    while target in stages:
        target, body = stages[target]
        parts.insert(0, body)
    assert target == BASE_IMAGE
    return "\n".join(parts)


def test_the_stack_has_the_emulator_a_bootstrap_the_workers_and_the_portal() -> None:
    services = compose()["services"]
    assert set(services) == {"aws", "bootstrap", *WORKERS, "audit-anchor", "portal"}
    anchor = services["audit-anchor"]
    assert anchor["command"][:3] == ["meshctl", "audit", "anchor"]
    assert {"--assume-role", "--every"} <= set(anchor["command"])
    assert anchor["depends_on"]["bootstrap"]["condition"] == "service_completed_successfully"
    assert anchor["healthcheck"] == {"disable": True}
    assert services["bootstrap"]["command"] == ["meshctl", "bootstrap"]
    assert services["bootstrap"]["depends_on"]["aws"]["condition"] == "service_healthy"
    for name in [*WORKERS, "portal"]:
        worker = services[name]
        assert worker["restart"] == "unless-stopped"
        assert worker["depends_on"]["bootstrap"]["condition"] == "service_completed_successfully"
        assert worker["environment"]["MESHCORE_LOG_JSON"] == "true"
        assert "container_name" not in worker  # `--scale sync-worker=3` needs generated names
    for service in services.values():
        assert service["logging"]["driver"] == "json-file"


def test_every_image_is_a_target_of_the_one_dockerfile() -> None:
    services = compose()["services"]
    targets = {
        "aws": "emulator",
        "bootstrap": "grant-worker",
        "audit-anchor": "grant-worker",
        "portal": "portal",
        **{w: w for w in WORKERS},
    }
    stages = dockerfile_stages()
    for name, service in services.items():
        build = service["build"]
        assert build["context"] == "."
        assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
        assert build["target"] == targets[name] and build["target"] in stages
        assert service["image"] == f"meshcore/{targets[name]}:local"
    assert not (ROOT / "emulator/Dockerfile").exists()
    assert not list(ROOT.glob("services/*/Dockerfile"))


@pytest.mark.parametrize("service", IMAGES)
def test_each_image_is_non_root_healthchecked_and_installed_from_the_lock(service: str) -> None:
    stages = dockerfile_stages()
    image = image_text(stages, service)
    assert re.search(r"^USER meshcore$", image, re.M)
    assert re.search(r"^HEALTHCHECK ", image, re.M)
    # The image holds its service's venv and nothing else of the build.
    assert "COPY . ." not in image and "uv sync" not in image
    copies = re.findall(r"^COPY --from=(\S+) /opt/venv /opt/venv$", image, re.M)
    assert copies == ["venv"]
    # That venv: locked third-party dependencies first, then the sources, of one package only,
    # the one the build argument SERVICE names (docker-compose.yml passes the target's name).
    package = '"meshcore-$SERVICE"'
    venv = image_text(stages, copies[0])
    assert re.search(r"^ARG SERVICE$", venv, re.M)
    first = venv.index(f"uv sync --frozen --no-dev --no-install-workspace --package {package}\n")
    sources = venv.index("COPY . .")
    last = venv.index(f"uv sync --frozen --no-dev --no-editable --package {package}\n")
    assert first < sources < last
    assert set(re.findall(r"--package (\S+)", venv)) == {package}
    lock = re.search(r"^COPY .*\buv\.lock\b", venv, re.M)
    assert lock and lock.start() < first
    built_as = {s["build"]["target"]: s["build"]["args"] for s in compose()["services"].values()}
    assert built_as[service] == {"SERVICE": service}
    names = [
        p.read_text()
        for p in [ROOT / "emulator/pyproject.toml", *ROOT.glob("services/*/pyproject.toml")]
    ]
    assert any(f'\nname = "meshcore-{service}"\n' in f"\n{text}" for text in names)
    if service in WORKERS:
        assert "meshcore.runtime.heartbeat" in image and "HEARTBEAT_PATH" in image
        assert re.search(r"^STOPSIGNAL SIGTERM$", image, re.M)
    cmds = re.findall(r"^CMD .*$", image, re.M)
    module = {**WORKERS, "portal": "portal", "emulator": "meshcore_emulator"}[service]
    assert cmds[-1].startswith(f'CMD ["python3", "-m", "{module}"')


def test_the_base_image_comes_from_the_mirror_apt_uses(tmp_path: Path) -> None:
    deb822 = tmp_path / "debian.sources"
    deb822.write_text(
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n\n"
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n"
    )
    one_line = tmp_path / "sources.list"
    one_line.write_text("deb [arch=amd64] http://other.example/debian/ bookworm main\n")
    assert debian_mirror([deb822]) == "http://mirror.example/debian"
    assert debian_mirror([tmp_path / "missing", one_line]) == "http://other.example/debian/"
    assert debian_mirror([]) is None


def test_compose_test_is_skipped_not_failed_where_containers_cannot_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert compose_test.main([]) == compose_test.SKIPPED_EXIT


def test_the_bootstrap_and_the_notifier_read_the_same_mail_settings() -> None:
    services = compose()["services"]
    notifier = {k: v for k, v in services["notifier"]["environment"].items() if "NOTIFIER__" in k}
    bootstrap = services["bootstrap"]["environment"]
    # With MESHCORE_NOTIFIER_EMAIL=ses the bootstrap verifies the From address the notifier
    # sends from; the SMTP login the comment advertises is passed on.
    assert {k: bootstrap.get(k) for k in notifier} == notifier
    assert {"MESHCORE_NOTIFIER__SMTP_USERNAME", "MESHCORE_NOTIFIER__SMTP_PASSWORD"} <= set(notifier)
    default_from = notifier["MESHCORE_NOTIFIER__FROM_ADDRESS"].split(":-")[1].rstrip("}")
    assert default_from == NotifierSettings().from_address
