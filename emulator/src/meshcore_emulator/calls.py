"""Identify which AWS service and operation an incoming HTTP request calls.

The emulator sits in front of moto and needs to know, before moto sees the
request, which API call it is: to inject faults, to check documented limits and
to render errors in the protocol the client speaks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, Literal
from urllib.parse import parse_qsl

from moto.core.request import Request
from moto.core.routing import get_service_router
from moto.core.utils import get_service_model

Protocol = Literal["json", "rest-json", "query", "rest-xml"]

# SigV4 signing names that differ from the botocore service name.
_SIGNING_NAME_TO_SERVICE = {"monitoring": "cloudwatch", "eventbridge": "events"}

# The SigV4 credential: access key id / date / region / signing name / aws4_request, in the
# Authorization header ("Credential=...") or, for a presigned URL, the X-Amz-Credential parameter.
_CREDENTIAL_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_PRESIGNED_SCOPE = re.compile(r"([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class AwsCall:
    """One API call: who it is for, what it does and what it carries."""

    service: str  # botocore service name, e.g. "glue", "cloudwatch"
    operation: str  # operation name from the service model, "" when unknown
    region: str
    protocol: Protocol
    query_compatible: bool  # JSON service that still reports query-protocol error codes
    params: dict[str, Any] = field(default_factory=dict)
    access_key_id: str = ""  # the key that signed the request: who is calling

    def matches(self, service: str, operation: str) -> bool:
        """True when the given service/operation pattern ("*" = any) selects this call."""
        wanted = service.lower()
        wanted = _SIGNING_NAME_TO_SERVICE.get(wanted, wanted)
        return (service == "*" or wanted == self.service) and (
            operation == "*" or operation.lower() == self.operation.lower()
        )


def identify(environ: dict[str, Any], body: bytes) -> AwsCall | None:
    """Return the call a signed AWS request makes, or None for anything else."""
    credential = _credential(environ)
    if credential is None:
        return None
    access_key_id, region, signing_name = credential
    service = _SIGNING_NAME_TO_SERVICE.get(signing_name, signing_name)
    model_protocol, query_compatible = _service_protocol(service)

    target = environ.get("HTTP_X_AMZ_TARGET", "")
    content_type = environ.get("CONTENT_TYPE", "")
    if target:
        return AwsCall(
            service=service,
            operation=target.rsplit(".", 1)[-1],
            region=region,
            protocol="json",
            query_compatible=query_compatible,
            params=_json_object(body),
            access_key_id=access_key_id,
        )
    form = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    if content_type.startswith("application/x-www-form-urlencoded"):
        form.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if "Action" in form:
        return AwsCall(
            service=service,
            operation=form["Action"],
            region=region,
            protocol="query",
            query_compatible=False,
            params=form,
            access_key_id=access_key_id,
        )
    protocol: Protocol = "rest-xml" if model_protocol == "rest-xml" else "rest-json"
    return AwsCall(
        service=service,
        operation=_rest_operation(service, environ, body),
        region=region,
        protocol=protocol,
        query_compatible=False,
        params=_json_object(body) if protocol == "rest-json" else {},
        access_key_id=access_key_id,
    )


def _credential(environ: dict[str, Any]) -> tuple[str, str, str] | None:
    """(access key id, region, lower-case signing name) of a SigV4-signed request."""
    scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if scope is None:
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        scope = _PRESIGNED_SCOPE.fullmatch(query.get("X-Amz-Credential", ""))
    if scope is None:
        return None
    return scope.group(1), scope.group(2), scope.group(3).lower()


def _service_protocol(service: str) -> tuple[str, bool]:
    try:
        model = get_service_model(service)
    except Exception:  # unknown to botocore: treat as a plain JSON service
        return "json", False
    return str(model.protocol), "awsQueryCompatible" in model.metadata


def _rest_operation(service: str, environ: dict[str, Any], body: bytes) -> str:
    """Match method and path against the service model's HTTP bindings."""
    try:
        router = get_service_router(service)
        request = Request({**environ, "wsgi.input": BytesIO(body)})
        operation, _ = router.match(request)
    except Exception:  # no binding matches: moto will answer it as it sees fit
        return ""
    return str(operation.name)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
