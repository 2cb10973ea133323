"""What a provisioning run did, resource by resource."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Provisioned:
    steps: list[tuple[str, str]] = field(default_factory=list)  # (resource, created|exists|updated)

    def add(self, resource: str, outcome: str) -> None:
        self.steps.append((resource, outcome))

    @property
    def changed(self) -> bool:
        return any(outcome != "exists" for _r, outcome in self.steps)
