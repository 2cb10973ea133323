"""Per-entry failures of batch calls are classified once, like a whole call's error: a throttled
grant entry is retried, never dead-lettered."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

import pytest

from meshcore.aws.errors import raise_batch_failures
from meshcore.aws.lakeformation import LakeFormation
from meshcore.domain.errors import (
    AccessDeniedError,
    ConflictError,
    NotFoundError,
    PermanentError,
    RetryableError,
)
from meshcore.domain.grants import table_grants

if TYPE_CHECKING:
    from types_aiobotocore_lakeformation.client import LakeFormationClient


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["ConcurrentModificationException"], ConflictError),
        (["ThrottledException", "EntityNotFoundException"], RetryableError),
        (["InternalServiceException"], RetryableError),
        (["EntityNotFoundException"], NotFoundError),
        (["AccessDeniedException", "InvalidInputException"], AccessDeniedError),
        (["InvalidInputException"], PermanentError),
    ],
)
def test_the_failures_of_a_batch_are_classified_as_a_call_would_be(
    codes: list[str], expected: type[Exception]
) -> None:
    with pytest.raises(expected) as raised:
        raise_batch_failures("batch", [(code, "why") for code in codes])
    assert type(raised.value) is expected


def test_no_failures_is_success() -> None:
    raise_batch_failures("batch", [])


class ThrottledGrants:
    """A Lake Formation client whose batch grant throttles one entry (as AWS may)."""

    async def batch_grant_permissions(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        failed = Entries[0]
        return {
            "Failures": [
                {
                    "RequestEntry": failed,
                    "Error": {"ErrorCode": "ThrottledException", "ErrorMessage": "Rate exceeded"},
                }
            ]
        }


def test_a_throttled_grant_entry_is_retryable() -> None:
    entries = table_grants("444444444444", "123456789012", "ar__receivables", "invoices", [])
    with pytest.raises(RetryableError, match="ThrottledException"):
        client = cast("LakeFormationClient", ThrottledGrants())
        asyncio.run(LakeFormation(client).grant(entries))
