"""`python -m classifier`: recommend sensitive-column classifications."""

from __future__ import annotations

import sys

from classifier.app import make_bootstrap
from meshcore.runtime.worker import run
from meshcore.settings import MeshSettings


def main() -> int:
    settings = MeshSettings()
    return run("classifier", make_bootstrap(settings), settings)


if __name__ == "__main__":
    sys.exit(main())
