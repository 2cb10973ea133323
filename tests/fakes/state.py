"""The state store in memory: the one fake of `meshcore.domain.state_store.StateStore`.

It keeps what DynamoDB keeps (each model as JSON with a version) and answers as the DynamoDB
adapter does, which `tests/integration/test_state_contract.py` checks by running the same suite
against both. Use it where a test needs state but not AWS.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from meshcore.domain.access import AccessRequest
from meshcore.domain.errors import ConflictError, NotFoundError, PermanentError
from meshcore.domain.naming import split_central_database_name
from meshcore.domain.recommendations import Recommendation
from meshcore.domain.registry import Consumer, Producer
from meshcore.domain.repair import RepairReport, RepairShardResult
from meshcore.domain.state_store import DomainTakenError

M = TypeVar("M", bound=BaseModel)

Stored = tuple[str, int]  # (JSON, version)


def _domain(database: str) -> str:
    try:
        return split_central_database_name(database)[0]
    except PermanentError:
        return ""


class InMemoryStateStore:
    def __init__(self) -> None:
        self.producers: dict[str, Stored] = {}
        self.domains: dict[str, str] = {}  # domain -> account
        self.consumers: dict[str, Stored] = {}
        self.requests: dict[str, Stored] = {}
        self.recommendations: dict[str, Stored] = {}
        self.decisions: dict[str, Stored] = {}
        self.repairs: dict[str, Stored] = {}
        self.repair_runs: dict[str, dict[str, Stored]] = {}

    # -- generic ----------------------------------------------------------------------------

    @staticmethod
    def _read(kind: dict[str, Stored], key: str, model: type[M]) -> tuple[M, int] | None:
        found = kind.get(key)
        return None if found is None else (model.model_validate_json(found[0]), found[1])

    @staticmethod
    def _write(
        kind: dict[str, Stored], key: str, doc: BaseModel, expected_version: int | None
    ) -> int:
        current = kind.get(key)
        if (current is None) != (expected_version is None) or (
            current is not None and current[1] != expected_version
        ):
            raise ConflictError(f"{key} was changed by someone else; read it again")
        version = 1 if expected_version is None else expected_version + 1
        kind[key] = (doc.model_dump_json(), version)
        return version

    def _upsert(self, kind: dict[str, Stored], key: str, doc: BaseModel) -> bool:
        current = kind.get(key)
        self._write(kind, key, doc, None if current is None else current[1])
        return current is None

    # -- registry ---------------------------------------------------------------------------

    def _write_producer(self, producer: Producer, expected_version: int | None) -> int:
        before = self._read(self.producers, producer.account_id, Producer)
        if (before is None) != (expected_version is None) or (
            before is not None and before[1] != expected_version
        ):
            raise ConflictError(f"producer {producer.account_id} was changed by someone else")
        holder = self.domains.get(producer.domain)
        if holder is not None and holder != producer.account_id:
            raise DomainTakenError(producer.domain, holder)
        version = self._write(self.producers, producer.account_id, producer, expected_version)
        if before is not None and before[0].domain != producer.domain:
            self.domains.pop(before[0].domain, None)
        self.domains[producer.domain] = producer.account_id
        return version

    async def put_producer(self, producer: Producer) -> bool:
        current = self.producers.get(producer.account_id)
        self._write_producer(producer, None if current is None else current[1])
        return current is None

    async def get_producer(self, account_id: str) -> Producer | None:
        found = self._read(self.producers, account_id, Producer)
        return found[0] if found else None

    async def get_producer_versioned(self, account_id: str) -> tuple[Producer, int] | None:
        return self._read(self.producers, account_id, Producer)

    async def save_producer(self, producer: Producer, read_version: int) -> int:
        return self._write_producer(producer, read_version)

    async def list_producers(self) -> list[Producer]:
        return [Producer.model_validate_json(self.producers[a][0]) for a in sorted(self.producers)]

    async def producer_for_domain(self, domain: str) -> Producer | None:
        account = self.domains.get(domain)
        return None if account is None else await self.get_producer(account)

    async def put_consumer(self, consumer: Consumer) -> bool:
        return self._upsert(self.consumers, consumer.account_id, consumer)

    async def get_consumer(self, account_id: str) -> Consumer | None:
        found = self._read(self.consumers, account_id, Consumer)
        return found[0] if found else None

    # -- access requests --------------------------------------------------------------------

    async def create_request(self, request: AccessRequest) -> None:
        self._write(self.requests, request.request_id, request, None)

    async def get_request(self, request_id: str) -> tuple[AccessRequest, int]:
        found = self._read(self.requests, request_id, AccessRequest)
        if found is None:
            raise NotFoundError(f"no access request {request_id}")
        return found

    async def save_request(self, request: AccessRequest, read_version: int) -> int:
        return self._write(self.requests, request.request_id, request, read_version)

    async def list_requests(self) -> list[AccessRequest]:
        return [
            AccessRequest.model_validate_json(self.requests[i][0]) for i in sorted(self.requests)
        ]

    async def requests_of_consumer(self, account_id: str) -> list[AccessRequest]:
        return [r for r in await self.list_requests() if r.consumer_account == account_id]

    # -- recommendations --------------------------------------------------------------------

    async def find_recommendation(self, rec_id: str) -> tuple[Recommendation, int] | None:
        return self._read(self.recommendations, rec_id, Recommendation)

    async def get_recommendation(self, rec_id: str) -> tuple[Recommendation, int]:
        found = await self.find_recommendation(rec_id)
        if found is None:
            raise NotFoundError(f"no recommendation {rec_id}")
        return found

    async def add_recommendation(self, rec: Recommendation) -> bool:
        if rec.recommendation_id in self.recommendations:
            return False
        self._write(self.recommendations, rec.recommendation_id, rec, None)
        return True

    async def save_recommendation(self, rec: Recommendation, read_version: int) -> int:
        return self._write(self.recommendations, rec.recommendation_id, rec, read_version)

    async def recommendations_of_table(
        self, database: str, table: str
    ) -> list[tuple[Recommendation, int]]:
        found = (
            self._read(self.recommendations, i, Recommendation)
            for i in sorted(self.recommendations)
        )
        return [
            (r, v) for r, v in filter(None, found) if (r.database, r.table) == (database, table)
        ]

    async def list_recommendations(self, domain: str | None = None) -> list[Recommendation]:
        every = (
            Recommendation.model_validate_json(self.recommendations[i][0])
            for i in sorted(self.recommendations)
        )
        return [r for r in every if domain is None or _domain(r.database) == domain]

    # -- replay guard -----------------------------------------------------------------------

    async def claim_decision(self, digest: str, marker: BaseModel) -> bool:
        if digest in self.decisions:
            return False
        self._write(self.decisions, digest, marker, None)
        return True

    async def decision_claim(self, digest: str, model: type[M]) -> M | None:
        found = self._read(self.decisions, digest, model)
        return found[0] if found else None

    # -- repair reports ---------------------------------------------------------------------

    async def save_repair(self, report: RepairReport) -> None:
        self._upsert(self.repairs, report.repair_id, report)

    async def get_repair(self, repair_id: str) -> RepairReport | None:
        found = self._read(self.repairs, repair_id, RepairReport)
        return found[0] if found else None

    async def list_repairs(self) -> list[RepairReport]:
        reports = [RepairReport.model_validate_json(doc) for doc, _ in self.repairs.values()]
        return sorted(reports, key=lambda r: r.started_at)

    async def record_repair_shard(self, repair_id: str, result: RepairShardResult) -> bool:
        shards = self.repair_runs.setdefault(repair_id, {})
        if result.shard_id in shards:
            return False
        self._write(shards, result.shard_id, result, None)
        return True

    async def repair_shard(self, repair_id: str, shard_id: str) -> RepairShardResult | None:
        found = self._read(self.repair_runs.get(repair_id, {}), shard_id, RepairShardResult)
        return found[0] if found else None

    async def repair_shards(self, repair_id: str) -> list[RepairShardResult]:
        shards = self.repair_runs.get(repair_id, {})
        return [RepairShardResult.model_validate_json(shards[k][0]) for k in sorted(shards)]
