"""Map botocore errors into the domain's vocabulary at the adapter boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)

from meshcore.domain.errors import (
    AccessDeniedError,
    ConflictError,
    MeshError,
    NotFoundError,
    PermanentError,
    RetryableError,
)

RETRYABLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "RequestThrottledException",
        "InternalFailure",
        "InternalServiceException",
        "InternalServerException",
        "InternalError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "OperationTimeoutException",
        "TransactionConflictException",
        "KMSInternalException",
        # Credentials that expired mid-flight are refreshed on the next attempt.
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
    }
)
# A lost race: re-reading both sides and converging again resolves it.
CONFLICT_CODES = frozenset(
    {
        "ConcurrentModificationException",
        "ConditionalCheckFailedException",
        "AlreadyExistsException",
        "TransactionCanceledException",
        "ResourceShareInvitationAlreadyAcceptedException",
    }
)
NOT_FOUND_CODES = frozenset(
    {
        "EntityNotFoundException",
        "ResourceNotFoundException",
        "NoSuchEntity",
        "NotFoundException",
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "UnknownResourceException",
    }
)
ACCESS_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def translate(exc: ClientError, what: str) -> MeshError:
    code = error_code(exc)
    message = exc.response.get("Error", {}).get("Message", "")
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    text = f"{what}: {code}: {message}".rstrip(": ")
    if code in CONFLICT_CODES:
        return ConflictError(text)
    if code in NOT_FOUND_CODES:
        return NotFoundError(text)
    if code in ACCESS_CODES:
        return AccessDeniedError(text)
    if code in RETRYABLE_CODES or status >= 500:
        return RetryableError(text)
    return PermanentError(text)


def raise_batch_failures(
    what: str, failures: list[tuple[str, str]], races: frozenset[str] = CONFLICT_CODES
) -> None:
    """One vocabulary for the per-entry failures batch calls report in their response (Glue
    `Errors`, Lake Formation `Failures`): never silent, and classified as a whole call's error
    would be. Only lost races (`races`, by default the conflicts of a single call): a conflict
    (converge again); any throttle or service fault:
    retryable (every batch meshcore sends is idempotent); only missing entities: not found; any
    refusal: access denied; anything else: permanent."""
    if not failures:
        return
    codes = {code for code, _message in failures}
    text = f"{what}: {len(failures)} entries failed ({', '.join(sorted(codes))}): {failures[0][1]}"
    if codes <= races:
        raise ConflictError(text)
    if codes & RETRYABLE_CODES:
        raise RetryableError(text)
    if codes <= NOT_FOUND_CODES:
        raise NotFoundError(text)
    if codes & ACCESS_CODES:
        raise AccessDeniedError(text)
    raise PermanentError(text)


@contextmanager
def aws_errors(what: str) -> Iterator[None]:
    """Re-raise AWS failures of `what` as RetryableError / PermanentError subclasses."""
    try:
        yield
    except ClientError as exc:
        raise translate(exc, what) from exc
    except (ConnectionError, ReadTimeoutError, HTTPClientError) as exc:
        raise RetryableError(f"{what}: {exc}") from exc
    except BotoCoreError as exc:
        raise PermanentError(f"{what}: {exc}") from exc
