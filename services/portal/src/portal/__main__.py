"""`python -m portal`: serve the portal with uvicorn on the configured host and port."""

from __future__ import annotations

import signal
import sys

import uvicorn

from meshcore.runtime.logging import configure_logging
from portal.app import create_app
from portal.settings import PortalMeshSettings


def main() -> None:
    settings = PortalMeshSettings()
    configure_logging(settings.log_json)
    # uvicorn shuts down gracefully on SIGTERM, restores this handler and raises the signal
    # again: a stop asked for is a clean exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        create_app(settings),
        host=settings.portal.host,
        port=settings.portal.port,
        log_level="info",
        # Client addresses come from the SSO proxy; the portal does not rewrite them.
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
