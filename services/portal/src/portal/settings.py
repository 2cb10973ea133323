"""The portal's settings: the mesh's own, plus how people are identified and served."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator

from meshcore.settings import MeshSettings

# Where an Application Load Balancer publishes the public key of each key id it signs with
# (Elastic Load Balancing, "Authenticate users using an Application Load Balancer": user claims
# encoding and signature verification).
ALB_PUBLIC_KEY_URL = "https://public-keys.auth.elb.{region}.amazonaws.com/{kid}"


class PortalSettings(BaseModel):
    """`MESHCORE_PORTAL__…` variables."""

    # The header in which the single sign-on proxy passes the user's claims as a JWT it signs
    # (ES256): an Application Load Balancer's `x-amzn-oidc-data`. Nothing unsigned is trusted.
    identity_header: str = "x-amzn-oidc-data"
    # The claim that names the user.
    identity_claim: str = "email"
    # The public key the proxy signs with, PEM text or a PEM file (the local stack and tests);
    # unset: fetched per key id from `oidc_key_url` (production).
    oidc_public_key: str | None = None
    oidc_public_key_file: Path | None = None
    oidc_key_url: str = ALB_PUBLIC_KEY_URL
    # The load balancer's ARN, which must be the token's `signer`: an AWS region's ALB keys sign
    # for every load balancer in it, so without this check anyone's ALB could vouch for anyone.
    # Required when the keys come from `oidc_key_url`.
    oidc_signer: str | None = None
    # When set, the token's `iss` claim must equal it (the identity provider).
    oidc_issuer: str | None = None
    # People who see the operations page and who has access to every dataset (producers' data
    # owners see them for their own domains).
    operators: list[str] = Field(default_factory=list)
    # A form that lets anyone pick an identity: for local development only.
    dev_login: bool = False
    # Signs the session cookie and derives the CSRF tokens; unset: a new random key per
    # process, so sessions end when the portal restarts.
    session_secret: SecretStr | None = None
    # The session cookie is `__Host-meshcore_portal`, Secure: browsers send it over HTTPS only.
    # false only for plain-http local development (the cookie is then `meshcore_portal`).
    secure_cookies: bool = True
    # The portal's public origin (https://portal.example.com), which a POST's Origin header must
    # equal; unset: its host must be the request's Host.
    public_origin: str | None = None
    # Loopback unless configured: only the proxy on the same host (or the container's published
    # port) reaches the portal.
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    page_size: int = Field(25, ge=1, le=200)
    # The catalog page reuses its table listing this long (refreshed in the background);
    # 0 lists the central catalog on every search.
    catalog_max_age_seconds: float = Field(30.0, ge=0)
    # At start-up the portal reads the catalog listing before it serves, for at most this long;
    # a slower read goes on in the background while the catalog page says it is loading.
    catalog_warm_seconds: float = Field(60.0, ge=0)

    @field_validator(
        "oidc_public_key",
        "oidc_public_key_file",
        "oidc_signer",
        "oidc_issuer",
        "public_origin",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def keys_are_published(self) -> bool:
        """The proxy's keys come from `oidc_key_url`, not a local key."""
        return not (self.oidc_public_key or self.oidc_public_key_file)

    @property
    def cookie_name(self) -> str:
        # `__Host-`: Secure, path /, no Domain; browsers refuse it otherwise.
        return "__Host-meshcore_portal" if self.secure_cookies else "meshcore_portal"

    def configuration_problem(self) -> str | None:
        """Why the portal must not start with these settings, if it must not."""
        if self.keys_are_published and not self.oidc_signer and not self.dev_login:
            return (
                "MESHCORE_PORTAL__OIDC_SIGNER (the load balancer's ARN) is required when the "
                "proxy's keys come from MESHCORE_PORTAL__OIDC_KEY_URL; or give the proxy's "
                "public key (MESHCORE_PORTAL__OIDC_PUBLIC_KEY_FILE)"
            )
        return None


class PortalMeshSettings(MeshSettings):
    portal: PortalSettings = Field(default_factory=PortalSettings)
