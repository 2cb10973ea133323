"""`python -m sync_worker`: keep the central catalog converged with every producer catalog."""

from __future__ import annotations

import sys

from meshcore.runtime.worker import run
from meshcore.settings import MeshSettings
from sync_worker.app import make_bootstrap


def main() -> int:
    settings = MeshSettings()
    return run("sync-worker", make_bootstrap(settings), settings)


if __name__ == "__main__":
    sys.exit(main())
