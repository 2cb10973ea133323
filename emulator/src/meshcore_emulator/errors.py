"""AWS error responses in the wire format of the protocol a call uses.

botocore reads the error code from a different place per protocol (``__type``
for JSON, ``X-Amzn-ErrorType`` for REST-JSON, ``<Code>`` for query and REST-XML,
``x-amzn-query-error`` for JSON services that keep their query-era codes), and
decides from that code and the HTTP status whether to retry.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape

from moto.core.utils import get_service_model

from .calls import AwsCall

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class AwsError:
    """An error as AWS reports it."""

    code: str
    message: str
    status: int = 400
    query_code: str | None = None  # code of query-compatible JSON services (SQS, CloudWatch)
    sender_fault: bool = True


# Services whose throttling error is not the generic ThrottlingException/400.
_THROTTLING: dict[str, AwsError] = {
    "sqs": AwsError("RequestThrottled", "Rate exceeded", query_code="RequestThrottled"),
    "lakeformation": AwsError("ThrottledException", "Rate exceeded", status=429),
    "ram": AwsError("ThrottlingException", "Rate exceeded", status=429),
    "s3": AwsError("SlowDown", "Please reduce your request rate.", status=503),
}

# The 5xx error each service models; InternalFailure is the AWS-wide common error.
_INTERNAL: dict[str, str] = {
    "glue": "InternalServiceException",
    "lakeformation": "InternalServiceException",
    "ram": "ServerInternalException",
    "dynamodb": "InternalServerError",
    "kms": "KMSInternalException",
    "events": "InternalException",
    "s3": "InternalError",
}


def throttling(call: AwsCall) -> AwsError:
    """The error a service returns when it throttles a call."""
    if call.service in _THROTTLING:
        return _THROTTLING[call.service]
    if call.protocol == "query":
        return AwsError("Throttling", "Rate exceeded")
    return AwsError("ThrottlingException", "Rate exceeded", query_code="Throttling")


def internal_failure(call: AwsCall) -> AwsError:
    """The error a service returns when it fails on its side."""
    code = _INTERNAL.get(call.service, "InternalFailure")
    message = "An internal error occurred. Retry your request."
    return AwsError(code, message, status=500, query_code="InternalFailure", sender_fault=False)


def render(call: AwsCall, error: AwsError) -> tuple[int, Headers, bytes]:
    """Status, headers and body of ``error`` as the service would send it."""
    request_id = str(uuid.uuid4())
    if call.protocol == "query":
        body = _xml_error_response(error, request_id)
        return error.status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body
    if call.protocol == "rest-xml":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        ).encode()
        return error.status, [("Content-Type", "application/xml")], body

    headers: Headers = [("x-amzn-RequestId", request_id), ("X-Amzn-ErrorType", error.code)]
    if call.protocol == "json":
        headers.append(("Content-Type", f"application/x-amz-json-{_json_version(call)}"))
        if call.query_compatible:
            fault = "Sender" if error.sender_fault else "Receiver"
            headers.append(("x-amzn-query-error", f"{error.query_code or error.code};{fault}"))
    else:
        headers.append(("Content-Type", "application/json"))
    body = json.dumps({"__type": error.code, "message": error.message}).encode()
    return error.status, headers, body


def _xml_error_response(error: AwsError, request_id: str) -> bytes:
    fault = "Sender" if error.sender_fault else "Receiver"
    return (
        "<ErrorResponse>"
        f"<Error><Type>{fault}</Type><Code>{escape(error.code)}</Code>"
        f"<Message>{escape(error.message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId>"
        "</ErrorResponse>"
    ).encode()


def _json_version(call: AwsCall) -> str:
    try:
        return str(get_service_model(call.service).metadata.get("jsonVersion", "1.0"))
    except Exception:  # not a botocore service
        return "1.0"
