"""`python -m ticket_bridge`: open tickets for access requests, sign the owners' decisions."""

from __future__ import annotations

import sys

from meshcore.runtime.worker import run
from meshcore.settings import MeshSettings
from ticket_bridge.app import make_bootstrap


def main() -> int:
    settings = MeshSettings()
    return run("ticket-bridge", make_bootstrap(settings), settings)


if __name__ == "__main__":
    sys.exit(main())
