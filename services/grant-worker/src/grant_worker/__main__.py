"""`python -m grant_worker`: turn signed access decisions into Lake Formation grants."""

from __future__ import annotations

import sys

from grant_worker.app import make_bootstrap
from meshcore.runtime.worker import run
from meshcore.settings import MeshSettings


def main() -> int:
    settings = MeshSettings()
    return run("grant-worker", make_bootstrap(settings), settings)


if __name__ == "__main__":
    sys.exit(main())
