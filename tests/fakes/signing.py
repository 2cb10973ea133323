"""A KMS HMAC key in memory (port: `meshcore.aws.ports.DecisionSigning`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from meshcore.messages.commands import AccessDecision, SignedAccessDecision


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
