"""What every page needs: the signed-in user and the central account."""

from __future__ import annotations

from starlette.requests import Request

from meshcore.actions.context import Central
from meshcore.actions.review import owned_domains
from portal.security import current_user, is_operator
from portal.settings import PortalMeshSettings


def settings_of(request: Request) -> PortalMeshSettings:
    settings: PortalMeshSettings = request.app.state.settings
    return settings


def user_of(request: Request) -> str:
    return current_user(request, settings_of(request).portal)


async def owns_or_operates(request: Request, user: str, domain: str | None = None) -> bool:
    """An operator, or a data owner of `domain` (of any producer when None)."""
    if is_operator(settings_of(request).portal, user):
        return True
    owned = await owned_domains(central_of(request), user)
    return bool(owned) if domain is None else domain in owned


def central_of(request: Request) -> Central:
    opened: Central = request.app.state.central
    return opened


def positive_int(text: str | None, default: int) -> int:
    try:
        value = int(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default
