"""Development login: pick an identity in a form. Refused unless explicitly enabled."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal.pages.common import settings_of
from portal.rendering import render
from portal.security import DEV_USER_SESSION_KEY, MAX_IDENTITY_LENGTH, checked_form, new_session


async def login(request: Request) -> Response:
    if not settings_of(request).portal.dev_login:
        raise HTTPException(404, "there is no login here: sign in through single sign-on")
    error = ""
    if request.method == "POST":
        form = await checked_form(request)
        identity = str(form.get("identity", "")).strip()
        if identity and len(identity) <= MAX_IDENTITY_LENGTH and identity.isprintable():
            request.session[DEV_USER_SESSION_KEY] = identity
            new_session(request, identity)  # a new session id: new CSRF tokens
            return RedirectResponse("/", status_code=303)
        error = "give a name or e-mail address (printable, at most 256 characters)"
    return render(request, "login.html", user=None, error=error)


async def logout(request: Request) -> Response:
    await checked_form(request)
    request.session.pop(DEV_USER_SESSION_KEY, None)
    new_session(request, "")
    return RedirectResponse("/login" if settings_of(request).portal.dev_login else "/", 303)
