"""The local stack's single sign-on proxy: signs who the user is, as an Application Load Balancer
does, with a key pair it generates.

An ALB that authenticated a user passes the claims in `x-amzn-oidc-data`: a JWT signed ES256,
whose header names the key id (`kid`), the load balancer (`signer`), the issuer and expiry.
The portal checks it against the public key for that key id: in AWS the region's published key,
here this process's key (`portal_settings()` hands it to the portal). Nothing else in the
local stack can vouch for a user, exactly as in production.
"""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

HEADER = "x-amzn-oidc-data"
ISSUER = "https://sso.meshcore.local"
SIGNER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/meshcore-local/0"


class LocalSso:
    """A key pair and the tokens it signs."""

    def __init__(self, signer: str = SIGNER) -> None:
        self.signer = signer
        self.key_id = str(uuid.uuid4())
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.public_pem = (
            self._key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def token(
        self, user: str, lifetime: float = 600.0, signer: str | None = None, **claims: Any
    ) -> str:
        """`user`'s claims, signed with this proxy's key, as an ALB signs them (`signer`: as if
        another load balancer signed them)."""
        expires = int(time.time() + lifetime)
        return jwt.encode(
            {"sub": user, "email": user, "iss": ISSUER, "exp": expires, **claims},
            self._key,
            algorithm="ES256",
            headers={
                "kid": self.key_id,
                "signer": signer or self.signer,
                "iss": ISSUER,
                "client": "meshcore-portal",
                "exp": expires,
            },
        )

    def headers(self, user: str) -> dict[str, str]:
        """The header the proxy adds to `user`'s requests."""
        return {HEADER: self.token(user)}

    def portal_settings(self) -> dict[str, str]:
        """MESHCORE_PORTAL__ settings of a portal behind this proxy on plain-http loopback."""
        return {
            "oidc_public_key": self.public_pem,
            "oidc_signer": self.signer,
            # Plain http on loopback: a Secure cookie would never come back.
            "secure_cookies": "false",
        }


@functools.cache
def local_sso() -> LocalSso:
    """This process's proxy: the demo, `make up` and the compose test each sign with one."""
    return LocalSso()
