"""Signing and verifying access decisions with a KMS HMAC key (the key never leaves KMS)."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Final, Literal

from botocore.exceptions import ClientError

from meshcore.aws.errors import aws_errors, error_code, translate
from meshcore.messages.commands import AccessDecision, SignedAccessDecision

if TYPE_CHECKING:
    from types_aiobotocore_kms.client import KMSClient

MAC_ALGORITHM: Final[Literal["HMAC_SHA_256"]] = "HMAC_SHA_256"


class DecisionSigner:
    def __init__(self, kms: KMSClient, key_id: str) -> None:
        self._kms = kms
        self._key_id = key_id

    async def sign(self, decision: AccessDecision) -> SignedAccessDecision:
        with aws_errors(f"kms:GenerateMac {self._key_id}"):
            response = await self._kms.generate_mac(
                KeyId=self._key_id, MacAlgorithm=MAC_ALGORITHM, Message=decision.canonical_bytes()
            )
        return SignedAccessDecision(
            decision=decision,
            key_id=response.get("KeyId", self._key_id),
            signature=base64.b64encode(response["Mac"]).decode(),
        )

    async def verify(self, signed: SignedAccessDecision) -> bool:
        """True only for a valid MAC by the configured key over the canonical decision."""
        try:
            mac = signed.signature_bytes()
        except ValueError:
            return False
        try:
            response = await self._kms.verify_mac(
                KeyId=self._key_id,
                MacAlgorithm=MAC_ALGORITHM,
                Message=signed.decision.canonical_bytes(),
                Mac=mac,
            )
        except ClientError as exc:
            if error_code(exc) in ("KMSInvalidMacException", "InvalidKeyUsageException"):
                return False
            raise translate(exc, f"kms:VerifyMac {self._key_id}") from exc
        return bool(response.get("MacValid"))


def decision_digest(signed: SignedAccessDecision) -> str:
    """Identity of a signed decision for replay protection: the decision's canonical bytes (a
    different encoding of the same MAC must not look like a new decision)."""
    return hashlib.sha256(signed.decision.canonical_bytes()).hexdigest()
