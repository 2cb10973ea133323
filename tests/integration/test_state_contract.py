"""The state store's contract, one suite for both of its implementations: the DynamoDB adapter
against the embedded AWS, and the in-memory fake the other tests use (tests/fakes/state.py).
A fake that passed while the adapter failed (or the other way round) would make tests of
everything built on the store prove nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import BaseModel

from meshcore.aws.clients import AsyncAws, SyncAws
from meshcore.aws.state import DynamoStateStore
from meshcore.domain.access import AccessRequest, RequestState, TableName
from meshcore.domain.errors import ConflictError, NotFoundError
from meshcore.domain.recommendations import Recommendation, RecommendationState
from meshcore.domain.registry import Consumer, Producer
from meshcore.domain.repair import RepairReport, RepairShardResult, ShardLevel
from meshcore.domain.state_store import DomainTakenError, StateStore
from meshcore.provisioning.central import ensure_tables
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings

from ..fakes.state import InMemoryStateStore

A, B, C = "111111111111", "222222222222", "333333333333"


@pytest.fixture(params=["memory", "dynamodb"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[StateStore]:
    if request.param == "memory":
        yield InMemoryStateStore()
        return
    settings: MeshSettings = request.getfixturevalue("settings")
    ensure_tables(SyncAws(settings).client("dynamodb"), settings, Provisioned())
    async with AsyncExitStack() as stack:
        aws = AsyncAws(settings, stack, "state-contract")
        stack.push_async_callback(aws.aclose)
        yield DynamoStateStore(await aws.client("dynamodb"), settings.state_table)


def producer(account: str = A, domain: str = "ar", **changes: object) -> Producer:
    return Producer(
        account_id=account,
        domain=domain,
        read_role_arn=f"arn:aws:iam::{account}:role/meshcore-catalog-reader",
        owners=["ada@example.com"],
    ).model_copy(update=changes)


def rec(
    database: str = "ar__sales", table: str = "orders", column: str = "email", **kw: object
) -> Recommendation:
    fields: dict[str, object] = {
        "database": database,
        "table": table,
        "column": column,
        "column_type": "string",
        "sensitivity_class": "email_address",
        "confidence": 0.9,
        "explanation": "named like an email",
    }
    return Recommendation.model_validate(fields | kw)


def access(consumer: str = C, **kw: object) -> AccessRequest:
    fields: dict[str, object] = {
        "consumer_account": consumer,
        "tables": [TableName(database="ar__sales", table="orders")],
        "purpose": "reporting",
    }
    return AccessRequest.model_validate(fields | kw)


# -- registry -------------------------------------------------------------------------------


async def test_producer_by_account_and_domain(store: StateStore) -> None:
    assert await store.put_producer(producer()) is True
    assert await store.put_producer(producer(owners=["bob@example.com"])) is False
    found = await store.get_producer(A)
    assert found is not None and found.owners == ["bob@example.com"]
    by_domain = await store.producer_for_domain("ar")
    assert by_domain is not None and by_domain.account_id == A
    assert await store.producer_for_domain("ap") is None
    assert await store.get_producer(B) is None


async def test_a_domain_has_one_producer(store: StateStore) -> None:
    await store.put_producer(producer(A, "ar"))
    with pytest.raises(DomainTakenError) as taken:
        await store.put_producer(producer(B, "ar"))
    assert taken.value.account_id == A
    assert await store.get_producer(B) is None
    assert [p.account_id for p in await store.list_producers()] == [A]


async def test_a_producer_moving_domain_releases_the_old_one(store: StateStore) -> None:
    await store.put_producer(producer(A, "ar"))
    await store.put_producer(producer(A, "ap"))
    assert await store.producer_for_domain("ar") is None
    moved = await store.producer_for_domain("ap")
    assert moved is not None and moved.account_id == A
    await store.put_producer(producer(B, "ar"))
    assert [(p.account_id, p.domain) for p in await store.list_producers()] == [
        (A, "ap"),
        (B, "ar"),
    ]


async def test_producer_saved_on_the_version_read(store: StateStore) -> None:
    await store.put_producer(producer())
    found = await store.get_producer_versioned(A)
    assert found is not None
    current, version = found
    new_version = await store.save_producer(
        current.model_copy(update={"auto_accept": {"email_address": 0.8}}), version
    )
    assert new_version == version + 1
    with pytest.raises(ConflictError):
        await store.save_producer(current, version)
    again = await store.get_producer_versioned(A)
    assert again is not None and again[0].auto_accept == {"email_address": 0.8}
    assert again[1] == new_version


async def test_consumers(store: StateStore) -> None:
    assert await store.get_consumer(C) is None
    assert await store.put_consumer(Consumer(account_id=C)) is True
    assert await store.put_consumer(Consumer(account_id=C, admin_role_arn="arn:x")) is False
    found = await store.get_consumer(C)
    assert found is not None and found.admin_role_arn == "arn:x"


# -- access requests ------------------------------------------------------------------------


async def test_requests_by_id_and_by_consumer(store: StateStore) -> None:
    first, second, other = access(), access(), access(B)
    for r in (first, second, other):
        await store.create_request(r)
    with pytest.raises(ConflictError):
        await store.create_request(first)
    found, version = await store.get_request(first.request_id)
    assert found == first and version == 1
    assert [r.request_id for r in await store.requests_of_consumer(C)] == sorted(
        [first.request_id, second.request_id]
    )
    assert [r.request_id for r in await store.requests_of_consumer(A)] == []
    assert [r.request_id for r in await store.list_requests()] == sorted(
        r.request_id for r in (first, second, other)
    )
    with pytest.raises(NotFoundError):
        await store.get_request("req-missing")


async def test_request_saved_on_the_version_read(store: StateStore) -> None:
    request = access()
    await store.create_request(request)
    granted = request.granted(datetime.now(UTC))
    assert await store.save_request(granted, 1) == 2
    with pytest.raises(ConflictError):
        await store.save_request(granted, 1)
    found, version = await store.get_request(request.request_id)
    assert found.state is RequestState.GRANTED and version == 2
    (listed,) = await store.requests_of_consumer(C)
    assert listed.state is RequestState.GRANTED


# -- recommendations ------------------------------------------------------------------------


async def test_recommendations_by_table_and_id(store: StateStore) -> None:
    email, phone = rec(), rec(column="phone", sensitivity_class="phone_number")
    elsewhere = rec(table="invoices")
    for r in (email, phone, elsewhere):
        assert await store.add_recommendation(r) is True
    assert await store.add_recommendation(email.model_copy(update={"confidence": 0.1})) is False
    of_table = await store.recommendations_of_table("ar__sales", "orders")
    assert sorted(r.recommendation_id for r, _ in of_table) == sorted(
        [email.recommendation_id, phone.recommendation_id]
    )
    assert all(v == 1 for _, v in of_table)
    found, version = await store.get_recommendation(email.recommendation_id)
    assert found.confidence == 0.9 and version == 1
    assert await store.find_recommendation("rec-missing") is None
    with pytest.raises(NotFoundError):
        await store.get_recommendation("rec-missing")
    assert await store.recommendations_of_table("ar__sales", "nothing") == []


async def test_recommendation_saved_on_the_version_read(store: StateStore) -> None:
    email = rec()
    await store.add_recommendation(email)
    accepted = email.decide(RecommendationState.ACCEPTED, "ada@example.com")
    assert await store.save_recommendation(accepted, 1) == 2
    with pytest.raises(ConflictError):
        await store.save_recommendation(accepted, 1)
    found = await store.find_recommendation(email.recommendation_id)
    assert found is not None and found[0].state is RecommendationState.ACCEPTED
    ((of_table, version),) = await store.recommendations_of_table("ar__sales", "orders")
    assert of_table.state is RecommendationState.ACCEPTED and version == 2


async def test_recommendations_listed_all_or_by_domain(store: StateStore) -> None:
    recs = [rec(), rec(table="invoices"), rec(database="ap__bills"), rec(database="scratch")]
    for r in recs:
        await store.add_recommendation(r)
    everything = await store.list_recommendations()
    assert [r.recommendation_id for r in everything] == sorted(r.recommendation_id for r in recs)
    ar = await store.list_recommendations("ar")
    assert [r.recommendation_id for r in ar] == sorted(r.recommendation_id for r in recs[:2])
    assert [r.database for r in await store.list_recommendations("ap")] == ["ap__bills"]
    assert await store.list_recommendations("hr") == []


# -- replay guard and repairs ---------------------------------------------------------------


class Claim(BaseModel):
    message_id: str


async def test_decision_claimed_once(store: StateStore) -> None:
    assert await store.decision_claim("d1", Claim) is None
    assert await store.claim_decision("d1", Claim(message_id="m1")) is True
    assert await store.claim_decision("d1", Claim(message_id="m2")) is False
    assert await store.decision_claim("d1", Claim) == Claim(message_id="m1")


async def test_repairs(store: StateStore) -> None:
    now = datetime.now(UTC)
    later = RepairReport(repair_id="r-b", started_at=now)
    earlier = RepairReport(repair_id="r-a", started_at=now - timedelta(hours=1))
    for report in (later, earlier):
        await store.save_repair(report)
    await store.save_repair(later.model_copy(update={"tables_checked": 3}))
    assert [r.repair_id for r in await store.list_repairs()] == ["r-a", "r-b"]
    found = await store.get_repair("r-b")
    assert found is not None and found.tables_checked == 3
    assert await store.get_repair("r-c") is None


async def test_repair_shard_results_are_recorded_once(store: StateStore) -> None:
    first = RepairShardResult(
        shard_id="d/222222222222/sales", level=ShardLevel.DATABASE, drift={"table.created": 2}
    )
    again = first.model_copy(update={"drift": {"table.created": 5}})
    assert await store.record_repair_shard("r-1", first) is True
    assert await store.record_repair_shard("r-1", again) is False  # a redelivered shard
    plan = RepairShardResult(shard_id="plan", level=ShardLevel.PLAN, children=["p/2"])
    assert await store.record_repair_shard("r-1", plan) is True
    assert await store.record_repair_shard("r-2", first) is True  # another run
    assert await store.repair_shard("r-1", first.shard_id) == first
    assert await store.repair_shard("r-1", "p/2") is None
    assert [r.shard_id for r in await store.repair_shards("r-1")] == [first.shard_id, "plan"]
    assert await store.repair_shards("r-3") == []
