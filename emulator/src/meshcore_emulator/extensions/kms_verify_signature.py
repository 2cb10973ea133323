"""KMS `Verify` fails with `KMSInvalidSignatureException` on a signature that does not verify.

AWS KMS API Reference, Verify (https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html):
"If the signature is verified, the value of the SignatureValid field in the response is True.
If the signature verification fails, the Verify operation fails with an
KMSInvalidSignatureException exception." and, under Errors, "KMSInvalidSignatureException: The
request was rejected because the signature verification failed. Signature verification fails
when it cannot confirm that signature was produced by signing the specified message with the
specified KMS key and signing algorithm." (HTTP 400). moto answers `SignatureValid: false`
instead, which AWS never does. Belongs upstream in moto.
"""

from __future__ import annotations

from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.kms.models import KmsBackend

from ._patching import wrap_method


class KMSInvalidSignatureException(JsonRESTError):
    code = 400

    def __init__(self) -> None:
        super().__init__(
            "KMSInvalidSignatureException",
            "The request was rejected because the signature verification failed.",
        )


def install() -> None:
    wrap_method(KmsBackend, "verify", _verify)


def _verify(original: Any, kms: KmsBackend, *args: Any, **kwargs: Any) -> Any:
    key_arn, valid, algorithm = original(kms, *args, **kwargs)
    if not valid:
        raise KMSInvalidSignatureException()
    return key_arn, valid, algorithm
