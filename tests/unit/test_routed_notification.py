"""Opening a request: the "routed" notification is best effort, so a notifications queue
that cannot take it does not make a created, routed request look failed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from meshcore.actions.access import tell_routed
from meshcore.actions.context import Central
from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.errors import PermanentError, RetryableError


def request() -> AccessRequest:
    return AccessRequest.model_validate(
        {
            "consumer_account": "444444444444",
            "tables": [TableName.parse("ar__receivables.invoices")],
            "purpose": "dashboard",
        }
    )


class Failing:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.tried = 0

    async def send(self, _message: Any) -> None:
        self.tried += 1
        raise self.error


def central(sender: Any) -> Central:
    async def make(_queue: str) -> Any:
        return sender

    settings = SimpleNamespace(queues=SimpleNamespace(notifications="meshcore-notifications"))
    return cast(Central, SimpleNamespace(sender=make, settings=settings))


@pytest.mark.parametrize(
    "error", [RetryableError("sqs: throttled"), PermanentError("sqs: no queue")]
)
async def test_a_notification_that_cannot_be_sent_does_not_fail_the_request(
    error: Exception,
) -> None:
    sender = Failing(error)
    await tell_routed(central(sender), request())
    assert sender.tried == 1
