"""docker-compose.yml and the Dockerfiles hold what operators rely on (checked without Docker;
`make compose-test` builds and runs them)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from meshcore_devstack import compose_test
from meshcore_devstack.engine import debian_mirror

ROOT = Path(__file__).resolve().parents[2]
WORKERS = {"sync-worker": "sync_worker", "classifier": "classifier", "grant-worker": "grant_worker"}


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_the_stack_has_the_emulator_a_bootstrap_the_three_workers_and_the_portal() -> None:
    services = compose()["services"]
    assert set(services) == {"aws", "bootstrap", *WORKERS, "portal"}
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
        assert (ROOT / service["build"]["dockerfile"]).is_file()


@pytest.mark.parametrize("service", [*WORKERS, "portal", "emulator"])
def test_each_image_is_non_root_healthchecked_and_installed_from_the_lock(service: str) -> None:
    path = ROOT / ("emulator" if service == "emulator" else f"services/{service}") / "Dockerfile"
    text = path.read_text()
    package = "meshcore-emulator" if service == "emulator" else f"meshcore-{service}"
    assert f"uv sync --frozen --no-dev --no-editable --package {package}" in text
    assert re.search(r"^USER meshcore$", text, re.M)
    assert re.search(r"^HEALTHCHECK ", text, re.M)
    final_stage = text.split("\nFROM ")[-1]
    assert "COPY --from=build /opt/venv /opt/venv" in final_stage and "COPY . ." not in final_stage
    if service in WORKERS:
        assert "meshcore.runtime.heartbeat" in text and "HEARTBEAT_PATH" in text
        assert f'CMD ["python3", "-m", "{WORKERS[service]}"]' in text


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
