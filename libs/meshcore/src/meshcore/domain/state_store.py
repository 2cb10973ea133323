"""The state store's port: what meshcore keeps between messages, by the paths it is read.

Producers are found by account and by domain (a domain belongs to at most one producer: the
store makes that atomic), consumers by account, access requests by id and by consumer account,
recommendations by id and by table (and by domain, for a data owner's review list). Every
write of an existing item names the version it read (optimistic concurrency): a write on an
older version raises `ConflictError`.

The DynamoDB adapter is `meshcore.aws.state.DynamoStateStore`; tests keep one in-memory
implementation that passes the same contract suite.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from pydantic import BaseModel

from meshcore.domain.access import AccessRequest
from meshcore.domain.errors import PermanentError
from meshcore.domain.recommendations import Recommendation
from meshcore.domain.registry import Consumer, Producer
from meshcore.domain.repair import RepairReport, RepairShardResult

M = TypeVar("M", bound=BaseModel)


class DomainTakenError(PermanentError):
    """A producer was to take a domain that another producer holds."""

    def __init__(self, domain: str, account_id: str) -> None:
        super().__init__(f"domain {domain!r} already belongs to producer {account_id}")
        self.domain = domain
        self.account_id = account_id


class StateStore(Protocol):
    """meshcore's state, keyed by how it is read."""

    # -- registry ---------------------------------------------------------------------------

    async def put_producer(self, producer: Producer) -> bool:
        """Create or replace a producer (taking its domain, and releasing the one it had);
        True when it was created. Raises `DomainTakenError` when another producer holds the
        domain."""
        ...

    async def get_producer(self, account_id: str) -> Producer | None: ...

    async def get_producer_versioned(self, account_id: str) -> tuple[Producer, int] | None: ...

    async def save_producer(self, producer: Producer, read_version: int) -> int:
        """Update a producer read with `get_producer_versioned` (optimistic)."""
        ...

    async def list_producers(self) -> list[Producer]:
        """Every producer, by account id."""
        ...

    async def producer_for_domain(self, domain: str) -> Producer | None: ...

    async def put_consumer(self, consumer: Consumer) -> bool:
        """Create or replace a consumer; True when it was created."""
        ...

    async def get_consumer(self, account_id: str) -> Consumer | None: ...

    # -- access requests --------------------------------------------------------------------

    async def create_request(self, request: AccessRequest) -> None:
        """Record a new request; `ConflictError` when its id is taken."""
        ...

    async def get_request(self, request_id: str) -> tuple[AccessRequest, int]:
        """The request and the version read; `NotFoundError` when there is none."""
        ...

    async def save_request(self, request: AccessRequest, read_version: int) -> int: ...

    async def list_requests(self) -> list[AccessRequest]:
        """Every request, by id."""
        ...

    async def requests_of_consumer(self, account_id: str) -> list[AccessRequest]:
        """The requests of one consumer account, by id."""
        ...

    # -- recommendations --------------------------------------------------------------------

    async def get_recommendation(self, rec_id: str) -> tuple[Recommendation, int]:
        """`NotFoundError` when there is none with that id."""
        ...

    async def find_recommendation(self, rec_id: str) -> tuple[Recommendation, int] | None:
        """A recommendation and the version read, or None when there is none with that id."""
        ...

    async def add_recommendation(self, rec: Recommendation) -> bool:
        """Record a new recommendation; an existing one (same column and class) is kept as it
        is, so a decision is never asked again for an unchanged column. True when new."""
        ...

    async def save_recommendation(self, rec: Recommendation, read_version: int) -> int: ...

    async def recommendations_of_table(
        self, database: str, table: str
    ) -> list[tuple[Recommendation, int]]:
        """Every recommendation for a table's columns, each with the version read, by id."""
        ...

    async def list_recommendations(self, domain: str | None = None) -> list[Recommendation]:
        """Every recommendation (of the central databases of `domain`, when given), by id."""
        ...

    # -- replay guard -----------------------------------------------------------------------

    async def claim_decision(self, digest: str, marker: BaseModel) -> bool:
        """True the first time a signed decision is seen; False for a replay."""
        ...

    async def decision_claim(self, digest: str, model: type[M]) -> M | None: ...

    # -- repair reports ---------------------------------------------------------------------

    async def save_repair(self, report: RepairReport) -> None:
        """The run's report: written when it starts, as its shards finish and when it is
        assembled; last write wins."""
        ...

    async def get_repair(self, repair_id: str) -> RepairReport | None: ...

    async def list_repairs(self) -> list[RepairReport]:
        """Every repair report, oldest first."""
        ...

    async def record_repair_shard(self, repair_id: str, result: RepairShardResult) -> bool:
        """Record a shard's result once: True when recorded now, False when it already was."""
        ...

    async def repair_shard(self, repair_id: str, shard_id: str) -> RepairShardResult | None: ...

    async def repair_shards(self, repair_id: str) -> list[RepairShardResult]:
        """Every recorded shard result of a repair, by shard id."""
        ...
