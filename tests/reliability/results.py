"""One row per reliability scenario, collected while the tests run and written at the end."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

COLUMNS = (
    ("scenario", "scenario"),
    ("load", "load"),
    ("faults", "faults injected"),
    ("lost", "messages lost"),
    ("duplicated", "duplicated effects"),
    ("consistency", "final consistency"),
    ("result", "result"),
    ("seconds", "seconds"),
)


FULL_CHANGES = 2000  # the load of the crash and fault scenarios


def scale(default: int) -> int:
    """A scenario's full load: `default` at `RELIABILITY_CHANGES` (2,000, the issue's number)
    changes, in proportion otherwise (a smaller value for development)."""
    changes = int(os.environ.get("RELIABILITY_CHANGES", FULL_CHANGES))
    return max(1, default * changes // FULL_CHANGES)


@dataclass
class Row:
    scenario: str
    load: str = ""
    faults: str = ""
    lost: str = ""
    duplicated: str = ""
    consistency: str = ""
    result: str = "not run"
    seconds: float = 0.0
    finished_at: str = ""
    details: dict[str, Any] = field(default_factory=dict)


# A test's further rows (one per attack family, say) are keyed `<nodeid>#<family>`.
FAMILY = "#"


@dataclass
class Results:
    rows: dict[str, Row] = field(default_factory=dict)
    complete: bool = False  # a full-size scenario ran

    def row(self, nodeid: str, scenario: str) -> Row:
        return self.rows.setdefault(nodeid, Row(scenario))

    def family_row(self, nodeid: str, scenario: str, family: str) -> Row:
        """A further row of test `nodeid`, for one family of what it plays; its result is the
        test's."""
        return self.rows.setdefault(f"{nodeid}{FAMILY}{family}", Row(scenario))

    def rows_of(self, nodeid: str) -> list[Row]:
        """Test `nodeid`'s row and its family rows."""
        return [
            row
            for key, row in self.rows.items()
            if key == nodeid or key.startswith(f"{nodeid}{FAMILY}")
        ]

    def markdown(self) -> str:
        lines = [
            "| " + " | ".join(title for _, title in COLUMNS) + " |",
            "|" + "---|" * len(COLUMNS),
        ]
        for row in self.rows.values():
            lines.append("| " + " | ".join(str(getattr(row, key)) for key, _ in COLUMNS) + " |")
        return "\n".join(lines) + "\n"

    def merge_earlier(self, directory: Path) -> None:
        """Keep rows of scenarios this run did not run (`make reliability` runs them all)."""
        path = directory / "results.json"
        if not path.exists():
            return
        earlier = {r["nodeid"]: r for r in json.loads(path.read_text())["rows"] if "nodeid" in r}
        ran = {key.split(FAMILY, 1)[0] for key in self.rows}
        for nodeid, row in earlier.items():
            # A test that ran now replaces all its rows (a family it no longer plays goes).
            if nodeid.split(FAMILY, 1)[0] not in ran:
                self.rows[nodeid] = Row(**{k: v for k, v in row.items() if k != "nodeid"})
        self.rows = dict(sorted(self.rows.items(), key=lambda kv: kv[1].scenario))

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        machine = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.system(),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "changes": scale(FULL_CHANGES),
        }
        (directory / "results.json").write_text(
            json.dumps(
                {
                    "machine": machine,
                    "rows": [asdict(r) | {"nodeid": n} for n, r in self.rows.items()],
                },
                indent=2,
            )
            + "\n"
        )
        header = (
            f"Reliability scenarios (RELIABILITY_CHANGES={machine['changes']}, "
            f"{machine['cpus']} cores, Python {machine['python']}, {machine['finished_at']})\n\n"
        )
        (directory / "results.md").write_text(header + self.markdown())
