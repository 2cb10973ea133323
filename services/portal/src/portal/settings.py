"""The portal's settings: the mesh's own, plus how people are identified and served."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from meshcore.settings import MeshSettings


class PortalSettings(BaseModel):
    """`MESHCORE_PORTAL__…` variables."""

    # Set by the organisation's single sign-on proxy in front of the portal, which must strip
    # it from what clients send: the portal trusts it as the user's identity.
    identity_header: str = "X-Forwarded-User"
    # A form that lets anyone pick an identity: for local development only.
    dev_login: bool = False
    # Signs the session cookie (which carries the CSRF token); unset: a new random key per
    # process, so sessions end when the portal restarts.
    session_secret: SecretStr | None = None
    secure_cookies: bool = False  # mark the session cookie Secure (behind HTTPS)
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    page_size: int = Field(25, ge=1, le=200)
    # The catalog page reuses its table listing this long (refreshed in the background);
    # 0 lists the central catalog on every search.
    catalog_max_age_seconds: float = Field(30.0, ge=0)


class PortalMeshSettings(MeshSettings):
    portal: PortalSettings = PortalSettings()
