"""The data owners hear once of the columns a scan opened for their review: not of what the
producer's policy accepted, not again when a rescan finds the same."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from classifier.handlers import ClassifierDependencies, on_scan
from meshcore.actions.review import Review
from meshcore.domain.errors import RetryableError
from meshcore.domain.registry import Producer
from meshcore.messages.commands import ClassificationScanRequest, ReviewNotification
from meshcore.runtime.dispatch import Delivery

from ...fakes.audit import FakeAudit
from ...fakes.lftags import FakeColumnTags
from ...fakes.queues import FakeSender
from ...fakes.state import InMemoryStateStore

OWNER = "ada@ar.example.com"
COLUMNS = [
    {"Name": "customer_email", "Type": "string"},
    {"Name": "iban", "Type": "string", "Comment": "customer bank account IBAN"},
    {"Name": "amount", "Type": "double"},
]


class Central:
    async def get_table(self, database: str, table: str) -> dict[str, Any] | None:
        return {"Name": table, "StorageDescriptor": {"Columns": COLUMNS}}


async def scanned(**producer: Any) -> tuple[FakeSender, ClassifierDependencies]:
    sent, deps = await world(FakeSender(), **producer)
    await on_scan(
        ClassificationScanRequest(database="ar__receivables", table="invoices"),
        Delivery("m-1", 1),
        deps,
    )
    return sent, deps


async def world(sent: FakeSender, **producer: Any) -> tuple[FakeSender, ClassifierDependencies]:
    state = InMemoryStateStore()
    await state.put_producer(
        Producer(
            account_id="222222222222",
            domain="ar",
            read_role_arn="arn:aws:iam::222222222222:role/meshcore-catalog-reader",
            owners=[OWNER],
            **producer,
        )
    )
    tags = FakeColumnTags(tables={("ar__receivables", "invoices")})
    review = Review(state, FakeAudit(), tags)
    deps = ClassifierDependencies(
        central=Central(),
        state=state,
        review=review,
        sampler=None,  # type: ignore[arg-type]  # no sampling: the producer does not allow it
        notifications=sent,
    )
    return sent, deps


async def test_the_owners_hear_once_of_the_columns_awaiting_review() -> None:
    sent, deps = await scanned()
    (told,) = sent.sent
    assert isinstance(told, ReviewNotification)
    assert (told.database, told.table, told.owners) == ("ar__receivables", "invoices", [OWNER])
    assert {c.column for c in told.columns} == {"customer_email", "iban"}
    await on_scan(
        ClassificationScanRequest(database="ar__receivables", table="invoices"),
        Delivery("m-2", 1),
        deps,
    )
    assert len(sent.sent) == 1  # a rescan finds the same: no one is asked again


async def test_what_the_policy_accepted_is_not_asked() -> None:
    sent, _ = await scanned(auto_accept={"email_address": 0.5, "iban": 0.5})
    assert sent.sent == []


class FailingOnce(FakeSender):
    """The notifications queue failing once (or the classifier stopping) after the scan's
    recommendations were stored."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    async def send(self, message: BaseModel) -> str:
        if not self.failed:
            self.failed = True
            raise RetryableError("sqs: unavailable")
        return await super().send(message)


async def test_a_notice_lost_after_the_recommendations_were_stored_is_sent_on_the_retry() -> None:
    failing, deps = await world(FailingOnce())
    scan = ClassificationScanRequest(database="ar__receivables", table="invoices")
    with pytest.raises(RetryableError):
        await on_scan(scan, Delivery("m-1", 1), deps)
    await on_scan(scan, Delivery("m-1", 2), deps)
    (told,) = failing.sent
    assert isinstance(told, ReviewNotification)
    assert {c.column for c in told.columns} == {"customer_email", "iban"}
