"""grant-worker's composition root: the consumer account port assumes only a role of the
request's consumer account, so that a tampered consumer registry entry cannot send
grant-worker's credentials into another account."""

from __future__ import annotations

from typing import Any, cast

import pytest

from grant_worker.app import consumer_access_of
from meshcore.aws.clients import AsyncAws
from meshcore.domain.errors import AccessDeniedError

CONSUMER = "444444444444"
ADMIN = f"arn:aws:iam::{CONSUMER}:role/meshcore-consumer-admin"


class AssumingAws:
    """Records every role assumed."""

    def __init__(self) -> None:
        self.assumed: list[tuple[str, str]] = []

    async def assumed_client(self, service: str, role_arn: str) -> Any:
        self.assumed.append((service, role_arn))
        return object()


async def test_the_consumers_own_admin_role_is_assumed() -> None:
    aws = AssumingAws()
    account = await consumer_access_of(cast("AsyncAws", aws))(CONSUMER, ADMIN)
    assert account.account_id == CONSUMER
    assert aws.assumed == [("ram", ADMIN), ("glue", ADMIN)]


@pytest.mark.parametrize(
    "role_arn",
    [
        "arn:aws:iam::555555555555:role/meshcore-consumer-admin",  # another account's role
        f"arn:aws:iam::{CONSUMER}5:role/meshcore-consumer-admin",
        f"arn:aws:sts::{CONSUMER}:assumed-role/meshcore-consumer-admin/x",
        f"arn:aws:iam::{CONSUMER}:user/admin",
        f"{CONSUMER}",
        "",
    ],
)
async def test_a_role_outside_the_consumer_account_is_refused_unassumed(role_arn: str) -> None:
    aws = AssumingAws()
    with pytest.raises(AccessDeniedError, match="not a role of that account"):
        await consumer_access_of(cast("AsyncAws", aws))(CONSUMER, role_arn)
    assert aws.assumed == []
