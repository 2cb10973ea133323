"""`python -m notifier`: tell the people around the mesh what concerns them."""

from __future__ import annotations

import sys

from meshcore.runtime.worker import run
from meshcore.settings import MeshSettings
from notifier.app import make_bootstrap


def main() -> int:
    settings = MeshSettings()
    return run("notifier", make_bootstrap(settings), settings)


if __name__ == "__main__":
    sys.exit(main())
