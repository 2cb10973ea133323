"""Who the user is, and the checks every request passes: identity, CSRF, response headers.

Identity comes from the JWT the single sign-on proxy signs (an Application Load Balancer's
`x-amzn-oidc-data`, ES256): its signature is checked against the proxy's public key for the
token's key id, its `signer` against the configured load balancer, its expiry, and a request
carrying the header more than once is refused. Only when development login is explicitly
enabled may a session carry an identity picked in a form.

Every state-changing request is a POST from the portal's own pages (Origin, Sec-Fetch-Site)
whose form carries a CSRF token derived from the user's identity and the session's id; the
session id is new at every login and whenever the identity changes.

Every refusal is logged as `portal.refused` with its family (identity, cross-site,
unauthorised, input) and reason: the portal's audit of what it turned away.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
import secrets
import time
import urllib.request
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import jwt
import structlog
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.settings import PortalSettings

log = structlog.get_logger()

CSRF_FIELD = "csrf_token"
SESSION_ID_KEY = "sid"  # the session's random id, new at every login
SESSION_FOR_KEY = "for"  # the identity the session id was issued to
DEV_USER_SESSION_KEY = "dev_user"
MAX_IDENTITY_LENGTH = 256
MAX_TOKEN_LENGTH = 16 * 1024
KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,128}", re.ASCII)
KEYS_CACHED = 64
UNKNOWN_KEY_RETRY_SECONDS = 60.0
CLOCK_SKEW_SECONDS = 30

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
    """The request carries no identity, or one that was refused (`reason`)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


class Refused(HTTPException):
    """A request turned away for a security reason; logged as `portal.refused`."""

    def __init__(self, status_code: int, family: str, reason: str, detail: str) -> None:
        super().__init__(status_code, detail)
        self.family = family
        self.reason = reason


def audit_refusal(conn: HTTPConnection, status: int, family: str, reason: str) -> None:
    log.warning(
        "portal.refused",
        path=conn.url.path,
        method=conn.scope.get("method", ""),
        status=status,
        family=family,
        reason=reason,
    )


def _clean(identity: object) -> str | None:
    if not isinstance(identity, str):
        return None
    identity = identity.strip()
    if not identity or len(identity) > MAX_IDENTITY_LENGTH or not identity.isprintable():
        return None
    return identity


class IdentityRefused(Exception):
    """The identity header is present but not to be trusted."""


class ProxyKeys:
    """The proxy's ES256 public keys by key id: one local key (PEM text or file; the local stack
    and tests), or each key id's key fetched once from the URL template (production)."""

    def __init__(self, settings: PortalSettings, region: str) -> None:
        self.settings = settings
        self.region = region
        self._local: EllipticCurvePublicKey | None = None
        pem = settings.oidc_public_key
        if settings.oidc_public_key_file is not None:
            pem = Path(settings.oidc_public_key_file).read_text()
        if pem:
            key = load_pem_public_key(pem.encode())
            if not isinstance(key, EllipticCurvePublicKey):
                raise ValueError("the proxy's public key must be an EC (ES256) key")
            self._local = key
        self._fetched: OrderedDict[str, EllipticCurvePublicKey] = OrderedDict()
        self._unknown: dict[str, float] = {}
        self._lock = asyncio.Lock()

    def url(self, kid: str) -> str:
        return self.settings.oidc_key_url.format(region=self.region, kid=quote(kid, safe=""))

    def _fetch(self, kid: str) -> EllipticCurvePublicKey:
        url = self.url(kid)
        if urlsplit(url).scheme not in ("https", "file"):
            raise IdentityRefused(f"the key URL {url!r} is neither https nor a file")
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (checked above)
            key = load_pem_public_key(answer.read(64 * 1024))
        if not isinstance(key, EllipticCurvePublicKey):
            raise IdentityRefused(f"key {kid} is not an EC key")
        return key

    async def key(self, kid: str) -> EllipticCurvePublicKey:
        if self._local is not None:
            return self._local
        if not KEY_ID.fullmatch(kid):
            raise IdentityRefused("malformed key id")
        async with self._lock:  # one fetch at a time: a flood of key ids costs one each
            if kid in self._fetched:
                self._fetched.move_to_end(kid)
                return self._fetched[kid]
            if time.monotonic() < self._unknown.get(kid, 0.0):
                raise IdentityRefused(f"unknown key id {kid}")
            try:
                key = await asyncio.to_thread(self._fetch, kid)
            except (OSError, ValueError) as exc:
                if len(self._unknown) > 10 * KEYS_CACHED:
                    self._unknown.clear()
                self._unknown[kid] = time.monotonic() + UNKNOWN_KEY_RETRY_SECONDS
                raise IdentityRefused(f"unknown key id {kid} ({type(exc).__name__})") from exc
            self._fetched[kid] = key
            while len(self._fetched) > KEYS_CACHED:
                self._fetched.popitem(last=False)
            return key


async def verified_identity(token: str, keys: ProxyKeys, settings: PortalSettings) -> str:
    """The user a proxy-signed JWT names; IdentityRefused unless every check passes."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise IdentityRefused("identity token too long")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise IdentityRefused(f"malformed identity token ({exc})") from exc
    if header.get("alg") != "ES256":
        raise IdentityRefused(f"identity token algorithm {header.get('alg')!r} is not ES256")
    if keys.settings.keys_are_published and not settings.oidc_signer:
        raise IdentityRefused("no load balancer is configured to vouch for identities")
    if settings.oidc_signer is not None and header.get("signer") != settings.oidc_signer:
        raise IdentityRefused(f"identity token signed by {header.get('signer')!r}")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise IdentityRefused("identity token without a key id")
    key = await keys.key(kid)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["ES256"],
            issuer=settings.oidc_issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp"], "verify_aud": False},
        )
    except jwt.PyJWTError as exc:
        raise IdentityRefused(f"identity token refused ({exc})") from exc
    identity = _clean(claims.get(settings.identity_claim))
    if identity is None:
        raise IdentityRefused(f"identity token without a usable {settings.identity_claim!r}")
    return identity


IDENTITY_SCOPE_KEY = "meshcore.identity"


class Identity:
    """Checks the proxy's signed identity once per request, before any page runs, and leaves
    the outcome in the request's scope: `(user, None)` or `(None, why it was refused)`."""

    def __init__(self, app: ASGIApp, settings: PortalSettings, region: str) -> None:
        self.app = app
        self.settings = settings
        self.keys = ProxyKeys(settings, region)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            name = self.settings.identity_header.lower().encode("latin-1")
            values = [v for k, v in scope.get("headers", []) if k.lower() == name]
            outcome: tuple[str | None, str | None] = (None, None)
            if len(values) > 1:
                outcome = (None, f"{len(values)} {self.settings.identity_header} headers")
            elif values:
                try:
                    token = values[0].decode("latin-1").strip()
                    outcome = (await verified_identity(token, self.keys, self.settings), None)
                except IdentityRefused as exc:
                    outcome = (None, str(exc))
            scope[IDENTITY_SCOPE_KEY] = outcome
        await self.app(scope, receive, send)


def signed_in_as(request: HTTPConnection, settings: PortalSettings) -> str | None:
    """The signed-in person, or None; NotSignedIn when the identity presented was refused."""
    outcome: tuple[str | None, str | None] = request.scope.get(IDENTITY_SCOPE_KEY, (None, None))
    found, refusal = outcome
    if refusal:
        raise NotSignedIn(refusal)
    if found is None and settings.dev_login:
        found = _clean(request.session.get(DEV_USER_SESSION_KEY))
    return found


def current_user(request: HTTPConnection, settings: PortalSettings) -> str:
    """The signed-in person, from the proxy's signed identity (or a development login)."""
    found = signed_in_as(request, settings)
    if found is None:
        raise NotSignedIn
    return found


def _identity_for_csrf(request: HTTPConnection) -> str:
    try:
        return signed_in_as(request, request.app.state.settings.portal) or ""
    except NotSignedIn:
        return ""


def new_session(request: HTTPConnection, identity: str) -> str:
    """A new session id for `identity` (at login): earlier forms' tokens stop working."""
    sid = secrets.token_urlsafe(32)
    request.session[SESSION_ID_KEY] = sid
    request.session[SESSION_FOR_KEY] = identity
    return sid


def _session_id(request: HTTPConnection, identity: str) -> str:
    sid = request.session.get(SESSION_ID_KEY)
    if not isinstance(sid, str) or not sid or request.session.get(SESSION_FOR_KEY) != identity:
        sid = new_session(request, identity)
    return sid


def _derive(key: bytes, sid: str, identity: str) -> str:
    mac = hmac.new(key, f"csrf\n{sid}\n{identity}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def csrf_token(request: HTTPConnection) -> str:
    """The CSRF token of this identity in this session (the session id is created on first
    use and renewed when the identity changes)."""
    identity = _identity_for_csrf(request)
    return _derive(request.app.state.csrf_key, _session_id(request, identity), identity)


def check_origin(request: Request, settings: PortalSettings) -> None:
    """A POST must come from the portal's own pages: Sec-Fetch-Site same-origin (or none,
    typed by the user), and an Origin equal to the portal's. Clients that send neither (not a
    browser) still need the token."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise Refused(403, "cross-site", f"Sec-Fetch-Site {site}", "cross-site form refused")
    origin = request.headers.get("origin")
    if origin is None:
        return
    if settings.public_origin is not None:
        ok = origin.rstrip("/") == settings.public_origin.rstrip("/")
    else:
        parts = urlsplit(origin)
        ok = parts.scheme in ("http", "https") and parts.netloc == request.headers.get("host")
    if not ok:
        raise Refused(403, "cross-site", f"Origin {origin[:200]}", "cross-site form refused")


async def checked_form(request: Request) -> FormData:
    """The POSTed form, after its origin and CSRF token were checked; 403 otherwise."""
    check_origin(request, request.app.state.settings.portal)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    identity = _identity_for_csrf(request)
    sid = request.session.get(SESSION_ID_KEY)
    if (
        not isinstance(sent, str)
        or not isinstance(sid, str)
        or not sid
        or request.session.get(SESSION_FOR_KEY) != identity
        or not hmac.compare_digest(
            sent.encode(), _derive(request.app.state.csrf_key, sid, identity).encode()
        )
    ):
        raise Refused(
            403,
            "cross-site",
            "CSRF token missing or not this user's",
            "the form's security token is missing or stale: reload the page and try again",
        )
    return form


def is_operator(settings: PortalSettings, user: str) -> bool:
    wanted = user.strip().lower()
    return any(wanted == o.strip().lower() for o in settings.operators)


def path_segment(value: object) -> str:
    """One URL path segment: every reserved character quoted, `/` included."""
    return quote(str(value), safe="")


def path_segments(request: Request, prefix: str) -> list[str]:
    """The decoded segments after `prefix` of the path as sent (so a quoted `/` stays inside
    its segment)."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    rest = path[len(prefix) :] if path.startswith(prefix) else ""
    try:
        return [unquote(s, errors="strict") for s in rest.split("/")]
    except UnicodeDecodeError as exc:
        raise HTTPException(404, "no such page") from exc


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
