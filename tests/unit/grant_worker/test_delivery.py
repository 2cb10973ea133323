"""Delivery to the consumer account in process, with the fakes."""

from __future__ import annotations

from collections.abc import Awaitable

import pytest

from grant_worker.delivery import deliver, domain_tables, withdraw
from meshcore.domain.access import AccessRequest
from meshcore.domain.errors import RetryableError
from meshcore.domain.grants import request_grants

from .world import CENTRAL, INVOICES, PAYMENTS, World, pending, world


def deliver_in(w: World, request: AccessRequest) -> Awaitable[AccessRequest]:
    return deliver(request, w.lake, w.deps.state, w.deps.consumer_access, CENTRAL, w.catalog)


async def test_no_share_yet_for_an_onboarded_consumer_is_retried() -> None:
    w = await world()
    request = pending().granted(w.now[0]).model_copy(update={"granted_tables": [INVOICES]})
    with pytest.raises(RetryableError, match="no RAM share"):
        await deliver_in(w, request)


async def test_a_granted_share_is_accepted_and_linked() -> None:
    w = await world()
    request = pending().granted(w.now[0]).model_copy(update={"granted_tables": [INVOICES]})
    await w.lake.grant(request_grants(request, CENTRAL))
    delivered = await deliver_in(w, request)
    assert delivered.resource_share_arns == list(w.consumer.invitations)
    assert delivered.resource_links == [str(INVOICES)]
    assert "share accepted and 1 resource links created" in delivered.delivery
    await withdraw(delivered, w.deps.state, w.deps.consumer_access, CENTRAL)
    assert w.consumer.links == []


async def test_a_domains_tables_are_those_of_its_databases_now() -> None:
    w = await world()
    await w.catalog.create_database({"Name": "ap__payables"})
    await w.catalog.create_table("ap__payables", {"Name": "bills"})
    assert await domain_tables(w.catalog, "ar") == [INVOICES, PAYMENTS]
    assert [str(t) for t in await domain_tables(w.catalog, "ap")] == ["ap__payables.bills"]
    assert await domain_tables(w.catalog, "ops") == []
