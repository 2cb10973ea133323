"""Credentials Lake Formation vended reach only the table's S3 path.

GetTemporaryGlueTableCredentials returns credentials "scoped down" to the table's location
(https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GetTemporaryGlueTableCredentials.html).
moto does not evaluate IAM, so the emulator refuses, with S3's AccessDenied (403), any S3 call
signed with vended credentials outside the path they were vended for.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qsl, unquote

from .calls import AwsCall
from .errors import AwsError

_LOCK = threading.Lock()
_SCOPES: dict[str, str] = {}  # access key id -> "bucket/prefix/"


def remember(access_key_id: str, location: str) -> None:
    scope = location.removeprefix("s3://").rstrip("/") + "/"
    with _LOCK:
        _SCOPES[access_key_id] = scope


def forget() -> None:
    with _LOCK:
        _SCOPES.clear()


def check(call: AwsCall, environ: dict[str, Any]) -> AwsError | None:
    """AccessDenied for an S3 call of vended credentials outside their path, else None."""
    if call.service != "s3":
        return None
    with _LOCK:
        scope = _SCOPES.get(call.access_key_id)
    if scope is None:
        return None
    bucket, _, key = unquote(environ.get("PATH_INFO", "")).lstrip("/").partition("/")
    if not key:  # a listing: its prefix decides
        key = dict(parse_qsl(environ.get("QUERY_STRING", ""))).get("prefix", "")
    target = f"{bucket}/{key}"
    # A listing of the path itself, without its trailing slash, is within it too.
    if target.startswith(scope) or (not key.endswith("/") and target + "/" == scope):
        return None
    return AwsError("AccessDenied", "Access Denied", status=403)
