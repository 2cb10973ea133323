"""Signing and verifying access decisions and operator revokes with KMS HMAC keys (the keys
never leave KMS)."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Final, Literal

from botocore.exceptions import ClientError

from meshcore.aws.errors import aws_errors, error_code, translate
from meshcore.messages.commands import (
    AccessDecision,
    RevokeCommand,
    SignedAccessDecision,
    SignedRevokeCommand,
)

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
        return await verify_mac(
            self._kms, self._key_id, signed.decision.canonical_bytes(), signed.signature
        )


class RevokeSigner:
    """Operator revokes: signed as the operator role, verified by grant-worker, with a key of
    their own (`alias/meshcore-revocations`). `signer` is who the key's policy lets sign (the
    operator role): whom a valid MAC proves."""

    def __init__(self, kms: KMSClient, key_id: str, signer: str = "") -> None:
        self._kms = kms
        self._key_id = key_id
        self.signer = signer

    async def sign(self, revoke: RevokeCommand) -> SignedRevokeCommand:
        with aws_errors(f"kms:GenerateMac {self._key_id}"):
            response = await self._kms.generate_mac(
                KeyId=self._key_id, MacAlgorithm=MAC_ALGORITHM, Message=revoke.canonical_bytes()
            )
        return SignedRevokeCommand(
            revoke=revoke,
            key_id=response.get("KeyId", self._key_id),
            signature=base64.b64encode(response["Mac"]).decode(),
        )

    async def verify(self, signed: SignedRevokeCommand) -> bool:
        """True only for a valid MAC by the configured key over the canonical revoke."""
        return await verify_mac(
            self._kms, self._key_id, signed.revoke.canonical_bytes(), signed.signature
        )


async def verify_mac(kms: KMSClient, key_id: str, message: bytes, signature: str) -> bool:
    """True only for a valid MAC (base64 `signature`) by `key_id` over `message`; the key id a
    message names is never used."""
    try:
        mac = base64.b64decode(signature, validate=True)
    except ValueError:
        return False
    try:
        response = await kms.verify_mac(
            KeyId=key_id, MacAlgorithm=MAC_ALGORITHM, Message=message, Mac=mac
        )
    except ClientError as exc:
        if error_code(exc) in ("KMSInvalidMacException", "InvalidKeyUsageException"):
            return False
        raise translate(exc, f"kms:VerifyMac {key_id}") from exc
    return bool(response.get("MacValid"))


def decision_digest(signed: SignedAccessDecision) -> str:
    """Identity of a signed decision for replay protection: the decision's canonical bytes (a
    different encoding of the same MAC must not look like a new decision)."""
    return hashlib.sha256(signed.decision.canonical_bytes()).hexdigest()
