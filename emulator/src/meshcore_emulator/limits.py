"""Documented per-call limits, enforced server-side and recorded when broken.

botocore validates only minimum sizes on the client, so an oversize batch
reaches the service, which rejects the whole call. Every rejection is also kept
in a :class:`ViolationLog` so tests can assert that code under test never
exceeds a limit.
"""

from __future__ import annotations

import base64
import re
import threading
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .calls import AwsCall
from .errors import AwsError

# What is measured: a list's length, a number's value, the items of a map of lists, a text's
# UTF-8 bytes, or a blob's bytes (base64 in JSON protocols).
Measure = Literal["length", "value", "items", "bytes", "blob"]

_CORAL_LENGTH = (
    "1 validation error detected: Value '[...]' at '{member}' failed to satisfy constraint: "
    "Member must have length less than or equal to {maximum}"
)
_CORAL_VALUE = (
    "1 validation error detected: Value '{actual}' at '{member}' failed to satisfy "
    "constraint: Member must have value less than or equal to {maximum}"
)
SQS_MAX_MESSAGE_BYTES = 262_144
_SQS_BATCH = "Maximum number of entries per request are {maximum}. You have sent {actual}."


@dataclass(frozen=True)
class Limit:
    service: str
    operation: str
    parameter: str
    maximum: int
    measure: Measure = "length"
    code: str = "ValidationException"
    message: str = _CORAL_LENGTH
    query_code: str | None = None

    def size_of(self, params: dict[str, Any]) -> int | None:
        """How large the request is on this limit's parameter (None if absent)."""
        value = params.get(self.parameter)
        if self.measure == "value":
            return _as_int(value)
        if self.measure == "bytes":
            bodies = _strings_named(params, self.parameter)
            return sum(len(b.encode()) for b in bodies) if bodies else None
        if self.measure == "blob":
            return len(base64.b64decode(value)) if isinstance(value, str) else None
        if self.measure == "items":
            return sum(len(v) for v in value.values()) if isinstance(value, dict) else None
        if isinstance(value, list):
            return len(value)
        return _flattened_length(params, self.parameter)

    def error(self, actual: int) -> AwsError:
        member = self.parameter[:1].lower() + self.parameter[1:]
        message = self.message.format(member=member, maximum=self.maximum, actual=actual)
        return AwsError(self.code, message, query_code=self.query_code)


def _sqs_batch(operation: str) -> Limit:
    return Limit(
        "sqs",
        operation,
        "Entries",
        10,
        code="TooManyEntriesInBatchRequest",
        message=_SQS_BATCH,
        query_code="AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    )


def _sqs_body(operation: str) -> Limit:
    # A message, or a whole batch, is at most 256 KiB: the default MaximumMessageSize of the
    # queues meshcore creates.
    return Limit(
        "sqs",
        operation,
        "MessageBody",
        SQS_MAX_MESSAGE_BYTES,
        "bytes",
        code="InvalidParameterValue",
        message=(
            "One or more parameters are invalid. Reason: Message must be shorter than "
            "{maximum} bytes."
        ),
        query_code="InvalidParameterValue",
    )


def _lakeformation_batch(operation: str) -> Limit:
    # No length constraint in the service model: Lake Formation checks it itself and
    # answers with the only input error the operation models.
    return Limit(
        "lakeformation",
        operation,
        "Entries",
        20,
        code="InvalidInputException",
        message="Entries can contain at most {maximum} items, got {actual}.",
    )


LIMITS: tuple[Limit, ...] = (
    Limit("glue", "BatchCreatePartition", "PartitionInputList", 100),
    Limit("glue", "BatchUpdatePartition", "Entries", 100),
    Limit("glue", "BatchDeletePartition", "PartitionsToDelete", 25),
    Limit("glue", "BatchGetPartition", "PartitionsToGet", 1000),
    Limit("glue", "BatchDeleteTable", "TablesToDelete", 100),
    Limit("glue", "GetPartitions", "MaxResults", 1000, "value", message=_CORAL_VALUE),
    Limit("glue", "GetTables", "MaxResults", 100, "value", message=_CORAL_VALUE),
    Limit("glue", "GetDatabases", "MaxResults", 100, "value", message=_CORAL_VALUE),
    _lakeformation_batch("BatchGrantPermissions"),
    _lakeformation_batch("BatchRevokePermissions"),
    Limit("lakeformation", "AddLFTagsToResource", "LFTags", 50),
    Limit("lakeformation", "CreateLFTag", "TagValues", 50),
    _sqs_batch("SendMessageBatch"),
    _sqs_batch("DeleteMessageBatch"),
    _sqs_batch("ChangeMessageVisibilityBatch"),
    Limit(
        "sqs",
        "ReceiveMessage",
        "MaxNumberOfMessages",
        10,
        "value",
        code="InvalidParameterValue",
        message=(
            "Value {actual} for parameter MaxNumberOfMessages is invalid. "
            "Reason: Must be between 1 and 10, if provided."
        ),
        query_code="InvalidParameterValue",
    ),
    _sqs_body("SendMessage"),
    _sqs_body("SendMessageBatch"),
    Limit(
        "dynamodb",
        "BatchWriteItem",
        "RequestItems",
        25,
        "items",
        message="Too many items requested for the BatchWriteItem call",
    ),
    Limit("dynamodb", "TransactWriteItems", "TransactItems", 100),
    Limit("events", "PutEvents", "Entries", 10),
    Limit("kms", "GenerateMac", "Message", 4096, "blob"),
    Limit("kms", "VerifyMac", "Message", 4096, "blob"),
)


@dataclass(frozen=True)
class Violation:
    """A call that broke a documented limit (and was rejected for it)."""

    service: str
    operation: str
    parameter: str
    maximum: int
    actual: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ViolationLog:
    """Thread-safe record of every limit violation since the last clear."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._violations: list[Violation] = []

    def record(self, violation: Violation) -> None:
        with self._lock:
            self._violations.append(violation)

    def snapshot(self) -> list[Violation]:
        with self._lock:
            return list(self._violations)

    def clear(self) -> None:
        with self._lock:
            self._violations.clear()


def check(call: AwsCall) -> tuple[Violation, AwsError] | None:
    """The first limit ``call`` breaks, with the error AWS answers, or None."""
    for limit in LIMITS:
        if limit.service != call.service or limit.operation != call.operation:
            continue
        actual = limit.size_of(call.params)
        if actual is not None and actual > limit.maximum:
            violation = Violation(
                call.service, call.operation, limit.parameter, limit.maximum, actual
            )
            return violation, limit.error(actual)
    return None


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _flattened_length(params: dict[str, Any], name: str) -> int | None:
    """Length of a list sent in query form: ``Name.member.N.x`` or ``Name.N``."""
    pattern = re.compile(rf"^{re.escape(name)}\.(?:member\.)?(\d+)(?:\.|$)")
    indexes = {m.group(1) for key in params if (m := pattern.match(key))}
    return len(indexes) if indexes else None


def _strings_named(value: Any, name: str) -> list[str]:
    """Every string under key `name` (or a query key ending in `.name`), at any depth."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and (key == name or key.endswith("." + name)):
                found.append(item)
            else:
                found += _strings_named(item, name)
    elif isinstance(value, list):
        for item in value:
            found += _strings_named(item, name)
    return found
