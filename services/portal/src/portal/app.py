"""The portal's composition root: settings, the central account's adapters, routes, safety."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from meshcore.actions.catalog import CatalogSnapshot
from meshcore.actions.context import Central, central
from meshcore.domain.errors import (
    AccessDeniedError,
    MeshError,
    NotFoundError,
    PermanentError,
    RetryableError,
)
from portal.pages import access, catalog, login, operations, review
from portal.rendering import render
from portal.security import Identity, NotSignedIn, Refused, SecurityHeaders, audit_refusal
from portal.settings import PortalMeshSettings

log = structlog.get_logger()


FAMILIES = {401: "identity", 403: "unauthorised", 400: "input", 404: "input"}


def _status_of(exc: MeshError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, AccessDeniedError):
        return 403
    if isinstance(exc, PermanentError):
        return 400
    if isinstance(exc, RetryableError):
        return 503
    return 500


async def _mesh_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MeshError)
    status = _status_of(exc)
    if status in FAMILIES:
        audit_refusal(request, status, FAMILIES[status], str(exc))
    else:
        log.warning("portal.failed", path=request.url.path, status=status, reason=str(exc))
    return render(request, "error.html", status, user=None, message=str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, Refused):
        audit_refusal(request, exc.status_code, exc.family, exc.reason)
    return render(request, "error.html", exc.status_code, user=None, message=exc.detail)


async def _not_signed_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotSignedIn)
    if request.app.state.settings.portal.dev_login and not exc.reason:
        return RedirectResponse("/login", status_code=303)
    audit_refusal(request, 401, "identity", exc.reason or "no identity")
    return render(
        request,
        "error.html",
        401,
        user=None,
        message="You are not signed in: open the portal through your organisation's "
        "single sign-on.",
    )


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def _warm(snapshot: CatalogSnapshot, opened: Central, seconds: float) -> None:
    """Read the catalog listing before serving, for at most `seconds`: the first page shows
    the tables, never "0 tables" for a catalog not read yet. A slower read goes on in the
    background and the catalog page says it is loading."""
    if snapshot.max_age_seconds <= 0:
        return
    snapshot.start(opened)
    try:
        if not await snapshot.wait(seconds):
            log.info("portal.catalog_loading", waited_seconds=seconds)
    except MeshError as exc:  # the first search will try again and show the problem
        log.warning("portal.catalog_unavailable", reason=str(exc))


def create_app(settings: PortalMeshSettings) -> Starlette:
    problem = settings.portal.configuration_problem()
    if problem:
        raise ValueError(problem)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # One set of clients of the central account for the portal's lifetime: the only
        # AWS identity the portal ever has.
        async with central(settings) as opened:
            app.state.central = opened
            app.state.catalog = CatalogSnapshot(settings.portal.catalog_max_age_seconds)
            await _warm(app.state.catalog, opened, settings.portal.catalog_warm_seconds)
            log.info("portal.started", host=settings.portal.host, port=settings.portal.port)
            yield

    secret = (
        settings.portal.session_secret.get_secret_value()
        if settings.portal.session_secret
        else secrets.token_urlsafe(32)
    )
    app = Starlette(
        routes=[
            Route("/", catalog.catalog_page),
            # Names may hold any character, `/` too: the page reads the path as sent.
            Route("/datasets/{name:path}", catalog.dataset_page),
            Route("/request", access.request_form, methods=["GET", "POST"]),
            Route("/requests", access.my_requests),
            Route("/review", review.review_page, methods=["GET", "POST"]),
            Route("/operations", operations.operations_page),
            Route("/login", login.login, methods=["GET", "POST"]),
            Route("/logout", login.logout, methods=["POST"]),
            Route("/healthz", healthz),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie=settings.portal.cookie_name,
                same_site="lax",
                https_only=settings.portal.secure_cookies,
            ),
            Middleware(Identity, settings=settings.portal, region=settings.region),
        ],
        exception_handlers={
            MeshError: _mesh_error,
            HTTPException: _http_error,
            NotSignedIn: _not_signed_in,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.csrf_key = hmac.new(secret.encode(), b"meshcore-portal-csrf", hashlib.sha256).digest()
    return app
