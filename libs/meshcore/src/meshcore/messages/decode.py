"""Turn a queue message body into its model; any failure is permanent (the body never changes)."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from meshcore.domain.errors import PermanentError
from meshcore.messages.commands import (
    AccessNotification,
    AccessReconcile,
    ApprovalsMessage,
    ClassificationScanRequest,
    DigestFlush,
    ExpirySweep,
    NotificationsMessage,
    RepairCommand,
    RepairShard,
    ReviewNotification,
    RevokeCommand,
    SignedAccessDecision,
    SignedRevokeCommand,
)
from meshcore.messages.eventbridge import GlueCatalogEvent, GlueDatabaseEvent, GlueTableEvent

M = TypeVar("M", bound=BaseModel)

SyncMessage = GlueDatabaseEvent | GlueTableEvent | RepairCommand | RepairShard
_glue_event: TypeAdapter[GlueDatabaseEvent | GlueTableEvent] = TypeAdapter(GlueCatalogEvent)


# No message of ours nests deeper than an EventBridge event's detail (about 6 levels); a body
# nested far deeper is an attack on the parser, refused before anything walks it.
MAX_NESTING = 32
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


class MalformedMessageError(PermanentError):
    """The body is not JSON, or not the shape its queue expects."""


def _nesting(body: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text, without parsing it."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", body)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _load(body: str) -> dict[str, Any]:
    if (nesting := _nesting(body)) > MAX_NESTING:
        raise MalformedMessageError(f"body nests {nesting} levels deep, at most {MAX_NESTING}")
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise MalformedMessageError(f"body is not JSON: {exc.msg} at position {exc.pos}") from exc
    if not isinstance(data, dict):
        raise MalformedMessageError(f"body is JSON {type(data).__name__}, expected an object")
    return data


def _explain(exc: ValidationError) -> str:
    # Unknown fields first: they usually say the sender speaks another contract version.
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def decode_model(body: str, model: type[M]) -> M:
    data = _load(body)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise MalformedMessageError(f"not a valid {model.__name__}: {_explain(exc)}") from exc


def decode_sync_message(body: str) -> SyncMessage:
    """A catalog-change queue carries Glue events (from EventBridge), repair commands and the
    shards a repair fans out into."""
    data = _load(body)
    try:
        if "detail-type" in data:
            if data.get("source") != "aws.glue":
                raise MalformedMessageError(f"unexpected event source {data.get('source')!r}")
            return _glue_event.validate_python(data)
        if data.get("kind") == "catalog.repair":
            return RepairCommand.model_validate(data)
        if data.get("kind") == "catalog.repair-shard":
            return RepairShard.model_validate(data)
    except ValidationError as exc:
        raise MalformedMessageError(f"not a valid catalog message: {_explain(exc)}") from exc
    raise MalformedMessageError(
        "neither a Glue catalog event (detail-type) nor a repair command "
        "(kind=catalog.repair or catalog.repair-shard)"
    )


def decode_scan_request(body: str) -> ClassificationScanRequest:
    return decode_model(body, ClassificationScanRequest)


ApprovalsBody = (
    SignedAccessDecision | SignedRevokeCommand | RevokeCommand | ExpirySweep | AccessReconcile
)
_approvals: TypeAdapter[ApprovalsBody] = TypeAdapter(ApprovalsMessage)


def decode_approvals_message(body: str) -> ApprovalsBody:
    """The approvals queue carries signed decisions, operator revokes (signed; an unsigned one
    is decoded so that it can be refused and audited), expiry sweeps and access
    reconciliations."""
    data = _load(body)
    try:
        return _approvals.validate_python(data)
    except ValidationError as exc:
        raise MalformedMessageError(f"not a valid approvals message: {_explain(exc)}") from exc


_notifications: TypeAdapter[AccessNotification | ReviewNotification | DigestFlush] = TypeAdapter(
    NotificationsMessage
)


def decode_notifications_message(
    body: str,
) -> AccessNotification | ReviewNotification | DigestFlush:
    """The notifications queue carries what happened to requests, columns awaiting review and
    the digest schedule."""
    data = _load(body)
    try:
        return _notifications.validate_python(data)
    except ValidationError as exc:
        raise MalformedMessageError(f"not a valid notifications message: {_explain(exc)}") from exc
