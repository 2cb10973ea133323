"""meshcore's state in DynamoDB: the registry, access requests, recommendations, replay guard.

One table, `pk` + `sk`. Each item keeps its model as JSON in `doc`, its `state` for conditions
and a `version` for optimistic concurrency: an update only lands on the version it read.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from meshcore.aws.errors import aws_errors
from meshcore.domain.access import AccessRequest
from meshcore.domain.errors import ConflictError, NotFoundError
from meshcore.domain.recommendations import Recommendation
from meshcore.domain.registry import Consumer, Producer
from meshcore.domain.repair import RepairReport

M = TypeVar("M", bound=BaseModel)

PRODUCER, CONSUMER, REQUEST, RECOMMENDATION, DECISION, REPAIR = (
    "producer",
    "consumer",
    "request",
    "recommendation",
    "decision",
    "repair",
)


class StateStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    # -- generic ----------------------------------------------------------------------------

    async def _get(self, pk: str, sk: str, model: type[M]) -> tuple[M, int] | None:
        with aws_errors(f"dynamodb:GetItem {pk}/{sk}"):
            response = await self._db.get_item(
                TableName=self._table,
                Key={"pk": {"S": pk}, "sk": {"S": sk}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        if not item:
            return None
        return model.model_validate_json(item["doc"]["S"]), int(item["version"]["N"])

    async def _put(self, pk: str, sk: str, doc: BaseModel, expected_version: int | None) -> int:
        """Write `doc`; `expected_version` None means create only if absent."""
        new_version = 1 if expected_version is None else expected_version + 1
        item = {
            "pk": {"S": pk},
            "sk": {"S": sk},
            "doc": {"S": doc.model_dump_json()},
            "version": {"N": str(new_version)},
        }
        if state := getattr(doc, "state", None):
            item["state"] = {"S": str(state)}
        condition: dict[str, Any]
        if expected_version is None:
            condition = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": {"N": str(expected_version)}},
            }
        try:
            with aws_errors(f"dynamodb:PutItem {pk}/{sk}"):
                await self._db.put_item(TableName=self._table, Item=item, **condition)
        except ConflictError as exc:
            raise ConflictError(f"{pk} {sk} was changed by someone else; read it again") from exc
        return new_version

    async def _query(self, pk: str, model: type[M]) -> list[M]:
        found: list[M] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
        }
        while True:
            with aws_errors(f"dynamodb:Query {pk}"):
                response = await self._db.query(**kwargs)
            found.extend(
                model.model_validate_json(i["doc"]["S"]) for i in response.get("Items", [])
            )
            if "LastEvaluatedKey" not in response:
                return found
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    async def _upsert(self, pk: str, sk: str, doc: BaseModel) -> bool:
        """Create or replace; True when it was created."""
        current = await self._get(pk, sk, type(doc))
        await self._put(pk, sk, doc, None if current is None else current[1])
        return current is None

    # -- registry ---------------------------------------------------------------------------

    async def put_producer(self, producer: Producer) -> bool:
        return await self._upsert(PRODUCER, producer.account_id, producer)

    async def get_producer(self, account_id: str) -> Producer | None:
        found = await self._get(PRODUCER, account_id, Producer)
        return found[0] if found else None

    async def list_producers(self) -> list[Producer]:
        return await self._query(PRODUCER, Producer)

    async def producer_for_domain(self, domain: str) -> Producer | None:
        return next((p for p in await self.list_producers() if p.domain == domain), None)

    async def put_consumer(self, consumer: Consumer) -> bool:
        return await self._upsert(CONSUMER, consumer.account_id, consumer)

    async def get_consumer(self, account_id: str) -> Consumer | None:
        found = await self._get(CONSUMER, account_id, Consumer)
        return found[0] if found else None

    # -- access requests --------------------------------------------------------------------

    async def create_request(self, request: AccessRequest) -> None:
        await self._put(REQUEST, request.request_id, request, None)

    async def get_request(self, request_id: str) -> tuple[AccessRequest, int]:
        found = await self._get(REQUEST, request_id, AccessRequest)
        if found is None:
            raise NotFoundError(f"no access request {request_id}")
        return found

    async def save_request(self, request: AccessRequest, read_version: int) -> int:
        return await self._put(REQUEST, request.request_id, request, read_version)

    async def list_requests(self) -> list[AccessRequest]:
        return await self._query(REQUEST, AccessRequest)

    # -- recommendations --------------------------------------------------------------------

    async def get_recommendation(self, rec_id: str) -> tuple[Recommendation, int]:
        found = await self._get(RECOMMENDATION, rec_id, Recommendation)
        if found is None:
            raise NotFoundError(f"no recommendation {rec_id}")
        return found

    async def add_recommendation(self, rec: Recommendation) -> bool:
        """Record a new recommendation; an existing one (same column and class) is kept as it
        is, so a decision is never asked again for an unchanged column. True when new."""
        try:
            await self._put(RECOMMENDATION, rec.recommendation_id, rec, None)
        except ConflictError:
            return False
        return True

    async def save_recommendation(self, rec: Recommendation, read_version: int) -> int:
        return await self._put(RECOMMENDATION, rec.recommendation_id, rec, read_version)

    async def list_recommendations(self) -> list[Recommendation]:
        return await self._query(RECOMMENDATION, Recommendation)

    # -- replay guard -----------------------------------------------------------------------

    async def claim_decision(self, digest: str, marker: BaseModel) -> bool:
        """True the first time a signed decision is seen; False for a replay."""
        try:
            await self._put(DECISION, digest, marker, None)
        except ConflictError:
            return False
        return True

    async def decision_claim(self, digest: str, model: type[M]) -> M | None:
        found = await self._get(DECISION, digest, model)
        return found[0] if found else None

    # -- repair reports ---------------------------------------------------------------------

    async def save_repair(self, report: RepairReport) -> None:
        """Progress is written by the one worker running the repair: last write wins."""
        await self._upsert(REPAIR, report.repair_id, report)

    async def get_repair(self, repair_id: str) -> RepairReport | None:
        found = await self._get(REPAIR, repair_id, RepairReport)
        return found[0] if found else None

    async def list_repairs(self) -> list[RepairReport]:
        return sorted(await self._query(REPAIR, RepairReport), key=lambda r: r.started_at)

    # -- classification (recommendations by table, producer policy) -------------------------

    async def find_recommendation(self, rec_id: str) -> tuple[Recommendation, int] | None:
        """A recommendation and the version read, or None when there is none with that id."""
        return await self._get(RECOMMENDATION, rec_id, Recommendation)

    async def recommendations_of_table(
        self, database: str, table: str
    ) -> list[tuple[Recommendation, int]]:
        """Every recommendation for a table's columns, each with the version read."""
        found: list[tuple[Recommendation, int]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": RECOMMENDATION}},
            "ConsistentRead": True,
        }
        while True:
            with aws_errors(f"dynamodb:Query {RECOMMENDATION}"):
                response = await self._db.query(**kwargs)
            for item in response.get("Items", []):
                rec = Recommendation.model_validate_json(item["doc"]["S"])
                if rec.database == database and rec.table == table:
                    found.append((rec, int(item["version"]["N"])))
            if "LastEvaluatedKey" not in response:
                return found
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    async def save_producer(self, producer: Producer, read_version: int) -> int:
        """Update a producer read with `get_producer_versioned` (optimistic)."""
        return await self._put(PRODUCER, producer.account_id, producer, read_version)

    async def get_producer_versioned(self, account_id: str) -> tuple[Producer, int] | None:
        return await self._get(PRODUCER, account_id, Producer)
