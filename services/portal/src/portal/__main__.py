"""`python -m portal`: serve the portal with uvicorn on the configured host and port."""

from __future__ import annotations

import uvicorn

from meshcore.runtime.logging import configure_logging
from portal.app import create_app
from portal.settings import PortalMeshSettings


def main() -> None:
    settings = PortalMeshSettings()
    configure_logging(settings.log_json)
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
