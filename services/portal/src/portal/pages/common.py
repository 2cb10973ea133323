"""What every page needs: the signed-in user and the central account."""

from __future__ import annotations

from starlette.requests import Request

from meshcore.actions.context import Central
from portal.security import current_user
from portal.settings import PortalMeshSettings


def settings_of(request: Request) -> PortalMeshSettings:
    settings: PortalMeshSettings = request.app.state.settings
    return settings


def user_of(request: Request) -> str:
    return current_user(request, settings_of(request).portal)


def central_of(request: Request) -> Central:
    opened: Central = request.app.state.central
    return opened


def positive_int(text: str | None, default: int) -> int:
    try:
        value = int(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default
