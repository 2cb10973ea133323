"""KMS HMAC keys in memory (ports: `meshcore.aws.ports.DecisionSigning`, `RevokeSigning`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from meshcore.messages.commands import (
    AccessDecision,
    RevokeCommand,
    SignedAccessDecision,
    SignedRevokeCommand,
)


class FakeSigner:
    def __init__(
        self, key_id: str = "alias/meshcore-decisions", secret: bytes | None = None
    ) -> None:
        self.key_id = key_id
        self._secret = secret or secrets.token_bytes(32)

    def _mac(self, message: bytes) -> bytes:
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    async def sign(self, decision: AccessDecision) -> SignedAccessDecision:
        mac = self._mac(decision.canonical_bytes())
        return SignedAccessDecision(
            decision=decision, key_id=self.key_id, signature=base64.b64encode(mac).decode()
        )

    async def verify(self, signed: SignedAccessDecision) -> bool:
        try:
            mac = signed.signature_bytes()
        except ValueError:
            return False
        return hmac.compare_digest(mac, self._mac(signed.decision.canonical_bytes()))


class FakeRevokeSigner:
    """The revocation key in memory (port: `meshcore.aws.ports.RevokeSigning`)."""

    def __init__(
        self,
        key_id: str = "alias/meshcore-revocations",
        secret: bytes | None = None,
        signer: str = "arn:aws:iam::123456789012:role/meshcore-operator",
    ) -> None:
        self.key_id = key_id
        self.signer = signer
        self._secret = secret or secrets.token_bytes(32)

    def _mac(self, message: bytes) -> bytes:
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    async def sign(self, revoke: RevokeCommand) -> SignedRevokeCommand:
        mac = self._mac(revoke.canonical_bytes())
        return SignedRevokeCommand(
            revoke=revoke, key_id=self.key_id, signature=base64.b64encode(mac).decode()
        )

    async def verify(self, signed: SignedRevokeCommand) -> bool:
        try:
            mac = signed.signature_bytes()
        except ValueError:
            return False
        return hmac.compare_digest(mac, self._mac(signed.revoke.canonical_bytes()))
