"""Who the user is, and the checks every request passes: identity, CSRF, response headers.

Identity comes from the header the single sign-on proxy sets (named in settings). Only when
development login is explicitly enabled may a session carry an identity picked in a form.
Every state-changing request is a POST whose form carries the session's CSRF token.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.settings import PortalSettings

CSRF_FIELD = "csrf_token"
CSRF_SESSION_KEY = "csrf"
DEV_USER_SESSION_KEY = "dev_user"
MAX_IDENTITY_LENGTH = 256

# No scripts at all; inline styles only; forms post back to the portal only.
SECURITY_HEADERS = {
    b"content-security-policy": (
        b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"x-frame-options": b"DENY",
    b"cache-control": b"no-store",
}


class NotSignedIn(Exception):
    """The request carries no identity."""


def _clean(identity: str | None) -> str | None:
    if identity is None:
        return None
    identity = identity.strip()
    if not identity or len(identity) > MAX_IDENTITY_LENGTH or not identity.isprintable():
        return None
    return identity


def current_user(request: Request, settings: PortalSettings) -> str:
    """The signed-in person, from the trusted header (or a development login)."""
    found = _clean(request.headers.get(settings.identity_header))
    if found is None and settings.dev_login:
        found = _clean(request.session.get(DEV_USER_SESSION_KEY))
    if found is None:
        raise NotSignedIn
    return found


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The POSTed form, after its CSRF token matched the session's; 403 otherwise."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(CSRF_SESSION_KEY)
    if (
        not isinstance(sent, str)
        or not isinstance(expected, str)
        or not expected
        or not hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise HTTPException(
            403, "the form's security token is missing or stale: reload the page and try again"
        )
    return form


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k not in SECURITY_HEADERS
                ]
                message["headers"] = headers + list(SECURITY_HEADERS.items())
            await send(message)

        await self.app(scope, receive, with_headers)
