"""meshcore's state in DynamoDB: the registry, access requests, recommendations, replay guard.

One table, `pk` + `sk`, its items keyed by the paths they are read by. Every partition key
starts with its kind and `#`, so an IAM policy can give each role the kinds it works on with a
`dynamodb:LeadingKeys` condition (`request#*`, `recommendation#*`, ...):

==============================  ====================  =========================================
pk                              sk                    item
==============================  ====================  =========================================
producer#<account>              producer              the producer (doc)
domain#<domain>                 producer              the account holding the domain: created
                                                      with a conditional put, so a domain has
                                                      at most one producer
producers#all                   <account>             the registry's listing
consumer#<account>              consumer              the consumer (doc)
request#<request id>            request               the access request (doc)
consumer-requests#<account>     <request id>          a consumer's requests
requests#all                    <request id>          every request (the expiry sweep, lists)
recommendation#<db>/<table>     <recommendation id>   the recommendations of one table (doc)
recommendation-id#<id>          recommendation        where a recommendation is (db, table)
recommendation-tables#<domain>  <db>/<table>          the tables of a domain that have
                                                      recommendations
decision#<digest>               decision              replay guard of a signed decision
repair#reports                  <repair id>           repair reports
repair-run#<repair id>          <shard id>            a repair shard's result, written once
rejection#<message id>          rejection             why a message was rejected (rejections)
notify-prefs#<person>           prefs                 notification preferences, and a person's
notify-digest#<person>          <at>#...              gathering digest (meshcore.aws.notifications)
notify-sent#<msg>#<person>#...  sent                  a channel that delivered a message (TTL)
==============================  ====================  =========================================

Items that go together (a request and its listings, a recommendation and where it is, a
producer and its domain) are written in one transaction. Each item with a model keeps it as
JSON in `doc`, its `state` for conditions and a `version` for optimistic concurrency: an update
only lands on the version it read. What a worker reads for one message is bounded by the
message (the recommendations of the tables it names, one consumer's requests), except the
periodic expiry sweep, which lists every request. Listing every recommendation is the one full
read of the table (a Scan, for operators' views and the portal's catalog).

Glue database names hold no `/` (lower-case letters, digits and `_`), so `<db>/<table>` is
unambiguous.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError
from pydantic import BaseModel

from meshcore.aws.errors import aws_errors, error_code
from meshcore.domain.access import AccessRequest
from meshcore.domain.errors import (
    ConflictError,
    PermanentError,
    RetryableError,
    UnknownNameError,
)
from meshcore.domain.naming import split_central_database_name
from meshcore.domain.recommendations import Recommendation
from meshcore.domain.registry import Consumer, Producer
from meshcore.domain.repair import RepairReport, RepairShardResult
from meshcore.domain.state_store import DomainTakenError

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient
    from types_aiobotocore_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        ScanInputTypeDef,
        TransactWriteItemTypeDef,
        UniversalAttributeValueTypeDef,
    )

    Item = Mapping[str, AttributeValueTypeDef]
    NewItem = dict[str, UniversalAttributeValueTypeDef]

M = TypeVar("M", bound=BaseModel)

BATCH_GET_LIMIT = 100  # keys per BatchGetItem call


# -- keys: kind#value ------------------------------------------------------------------------


def producer_key(account_id: str) -> tuple[str, str]:
    return f"producer#{account_id}", "producer"


def domain_key(domain: str) -> tuple[str, str]:
    return f"domain#{domain}", "producer"


PRODUCERS = "producers#all"


def consumer_key(account_id: str) -> tuple[str, str]:
    return f"consumer#{account_id}", "consumer"


def request_key(request_id: str) -> tuple[str, str]:
    return f"request#{request_id}", "request"


def consumer_requests(account_id: str) -> str:
    return f"consumer-requests#{account_id}"


REQUESTS = "requests#all"


def table_ref(database: str, table: str) -> str:
    return f"{database}/{table}"


RECOMMENDATION_PREFIX = "recommendation#"


def recommendations_of(database: str, table: str) -> str:
    return f"{RECOMMENDATION_PREFIX}{table_ref(database, table)}"


def recommendation_key(rec: Recommendation) -> tuple[str, str]:
    return recommendations_of(rec.database, rec.table), rec.recommendation_id


def recommendation_id_key(rec_id: str) -> tuple[str, str]:
    return f"recommendation-id#{rec_id}", "recommendation"


def domain_tables(domain: str) -> str:
    return f"recommendation-tables#{domain}"


def domain_of_database(database: str) -> str:
    """The producer domain of a central database ("" for a database of no domain)."""
    try:
        return split_central_database_name(database)[0]
    except PermanentError:
        return ""


def decision_key(digest: str) -> tuple[str, str]:
    return f"decision#{digest}", "decision"


REPAIRS = "repair#reports"


def repair_run(repair_id: str) -> str:
    return f"repair-run#{repair_id}"


CONDITION_FAILED = "ConditionalCheckFailed"


def cancellation_reasons(exc: ClientError, count: int) -> list[str]:
    """The reason code of each item of a cancelled transaction ("None": not the cause)."""
    listed = exc.response.get("CancellationReasons")  # type: ignore[typeddict-item]
    if isinstance(listed, list) and len(listed) == count:
        return [str(r.get("Code") or "None") for r in listed]
    message = str(exc.response.get("Error", {}).get("Message", ""))
    inside = message[message.find("[") + 1 : message.rfind("]")] if "[" in message else ""
    codes = [c.strip() for c in inside.split(",")]
    return (
        codes
        if len(codes) == count
        else [CONDITION_FAILED if CONDITION_FAILED in message else "None"] * count
    )


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


class DynamoStateStore:
    """The state store (`meshcore.domain.state_store.StateStore`) on one DynamoDB table."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    # -- generic ----------------------------------------------------------------------------

    async def _get_item(self, pk: str, sk: str) -> Item | None:
        with aws_errors(f"dynamodb:GetItem {pk}/{sk}"):
            response = await self._db.get_item(
                TableName=self._table, Key=_key(pk, sk), ConsistentRead=True
            )
        return response.get("Item") or None

    async def _get(self, pk: str, sk: str, model: type[M]) -> tuple[M, int] | None:
        item = await self._get_item(pk, sk)
        if item is None:
            return None
        return model.model_validate_json(item["doc"]["S"]), int(item["version"]["N"])

    def _doc_item(self, pk: str, sk: str, doc: BaseModel, version: int) -> NewItem:
        item: NewItem = {
            "pk": {"S": pk},
            "sk": {"S": sk},
            "doc": {"S": doc.model_dump_json()},
            "version": {"N": str(version)},
        }
        if state := getattr(doc, "state", None):
            item["state"] = {"S": str(state)}
        return item

    def _put_doc(
        self, pk: str, sk: str, doc: BaseModel, expected_version: int | None
    ) -> TransactWriteItemTypeDef:
        """The Put of `doc` on `expected_version` (None: create only if absent)."""
        new_version = 1 if expected_version is None else expected_version + 1
        item = self._doc_item(pk, sk, doc, new_version)
        if expected_version is None:
            return {
                "Put": {
                    "TableName": self._table,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        return {
            "Put": {
                "TableName": self._table,
                "Item": item,
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": {"N": str(expected_version)}},
            }
        }

    def _put_marker(self, pk: str, sk: str, **attributes: str) -> TransactWriteItemTypeDef:
        """An unconditional Put of a key (and string attributes): a listing or a pointer."""
        item: NewItem = {"pk": {"S": pk}, "sk": {"S": sk}}
        item.update({name: {"S": value} for name, value in attributes.items()})
        return {"Put": {"TableName": self._table, "Item": item}}

    async def _put(self, pk: str, sk: str, doc: BaseModel, expected_version: int | None) -> int:
        """Write `doc`; `expected_version` None means create only if absent."""
        put = self._put_doc(pk, sk, doc, expected_version)["Put"]
        try:
            with aws_errors(f"dynamodb:PutItem {pk}/{sk}"):
                await self._db.put_item(**put)
        except ConflictError as exc:
            raise ConflictError(f"{pk} {sk} was changed by someone else; read it again") from exc
        return 1 if expected_version is None else expected_version + 1

    async def _transact(self, what: str, items: Sequence[TransactWriteItemTypeDef]) -> list[str]:
        """Write `items` all or none. Returns [] when written; when a condition did not hold,
        each item's cancellation reason ("ConditionalCheckFailed" for the ones that failed)."""
        with aws_errors(f"dynamodb:TransactWriteItems {what}"):
            try:
                await self._db.transact_write_items(TransactItems=items)
            except ClientError as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise
                reasons = cancellation_reasons(exc, len(items))
                if CONDITION_FAILED not in reasons:
                    # A concurrent transaction on the same items, or throttling: retry.
                    raise RetryableError(
                        f"dynamodb:TransactWriteItems {what}: cancelled ({', '.join(reasons)})"
                    ) from exc
                return reasons
        return []

    async def _items(self, pk: str, *, consistent: bool = True) -> list[Item]:
        """Every item of one partition, in sort key order."""
        request: QueryInputTypeDef = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ConsistentRead": consistent,
        }
        return await self._all_pages(f"Query {pk}", self._db.query, request)

    async def _query(self, pk: str, model: type[M]) -> list[M]:
        return [model.model_validate_json(i["doc"]["S"]) for i in await self._items(pk)]

    async def _batch_docs(self, keys: list[tuple[str, str]], model: type[M]) -> list[M]:
        """The docs of `keys` that exist, in the order of `keys`."""
        found: dict[tuple[str, str], M] = {}
        for start in range(0, len(keys), BATCH_GET_LIMIT):
            pending: list[Mapping[str, Any]] = [
                _key(pk, sk) for pk, sk in keys[start : start + BATCH_GET_LIMIT]
            ]
            while pending:
                with aws_errors(f"dynamodb:BatchGetItem {len(pending)} items"):
                    response = await self._db.batch_get_item(
                        RequestItems={self._table: {"Keys": pending, "ConsistentRead": True}}
                    )
                for item in response.get("Responses", {}).get(self._table, []):
                    found[(str(item["pk"]["S"]), str(item["sk"]["S"]))] = model.model_validate_json(
                        item["doc"]["S"]
                    )
                unprocessed = response.get("UnprocessedKeys", {}).get(self._table)
                pending = list(unprocessed["Keys"]) if unprocessed else []
        return [found[k] for k in keys if k in found]

    async def _upsert(self, pk: str, sk: str, doc: BaseModel) -> bool:
        """Create or replace; True when it was created."""
        current = await self._get(pk, sk, type(doc))
        await self._put(pk, sk, doc, None if current is None else current[1])
        return current is None

    # -- registry ---------------------------------------------------------------------------

    async def _write_producer(
        self, producer: Producer, expected_version: int | None, previous_domain: str | None
    ) -> int:
        """The producer, its domain claim and its listing, in one transaction; the claim of
        a domain it leaves is released in the same transaction."""
        account = producer.account_id
        claim_pk, claim_sk = domain_key(producer.domain)
        items: list[TransactWriteItemTypeDef] = [
            self._put_doc(*producer_key(account), producer, expected_version),
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {
                        "pk": {"S": claim_pk},
                        "sk": {"S": claim_sk},
                        "account_id": {"S": account},
                    },
                    "ConditionExpression": "attribute_not_exists(pk) OR account_id = :a",
                    "ExpressionAttributeValues": {":a": {"S": account}},
                }
            },
            self._put_marker(PRODUCERS, account),
        ]
        if previous_domain is not None and previous_domain != producer.domain:
            items.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": _key(*domain_key(previous_domain)),
                        "ConditionExpression": "attribute_not_exists(pk) OR account_id = :a",
                        "ExpressionAttributeValues": {":a": {"S": account}},
                    }
                }
            )
        reasons = await self._transact(f"producer {account}", items)
        if reasons and reasons[1] == CONDITION_FAILED and reasons[0] != CONDITION_FAILED:
            holder = await self._get_item(claim_pk, claim_sk)
            raise DomainTakenError(
                producer.domain, str(holder["account_id"]["S"]) if holder else "unknown"
            )
        if reasons:
            raise ConflictError(f"producer {account} was changed by someone else; read it again")
        return 1 if expected_version is None else expected_version + 1

    async def put_producer(self, producer: Producer) -> bool:
        current = await self._get(*producer_key(producer.account_id), Producer)
        if current is None:
            await self._write_producer(producer, None, None)
            return True
        await self._write_producer(producer, current[1], current[0].domain)
        return False

    async def get_producer(self, account_id: str) -> Producer | None:
        found = await self._get(*producer_key(account_id), Producer)
        return found[0] if found else None

    async def get_producer_versioned(self, account_id: str) -> tuple[Producer, int] | None:
        return await self._get(*producer_key(account_id), Producer)

    async def save_producer(self, producer: Producer, read_version: int) -> int:
        """Update a producer read with `get_producer_versioned` (optimistic)."""
        current = await self._get(*producer_key(producer.account_id), Producer)
        if current is None or current[1] != read_version:
            raise ConflictError(
                f"producer {producer.account_id} was changed by someone else; read it again"
            )
        return await self._write_producer(producer, read_version, current[0].domain)

    async def list_producers(self) -> list[Producer]:
        accounts = [str(i["sk"]["S"]) for i in await self._items(PRODUCERS)]
        return await self._batch_docs([producer_key(a) for a in accounts], Producer)

    async def producer_for_domain(self, domain: str) -> Producer | None:
        claim = await self._get_item(*domain_key(domain))
        if claim is None:
            return None
        producer = await self.get_producer(str(claim["account_id"]["S"]))
        return producer if producer is not None and producer.domain == domain else None

    async def put_consumer(self, consumer: Consumer) -> bool:
        return await self._upsert(*consumer_key(consumer.account_id), consumer)

    async def get_consumer(self, account_id: str) -> Consumer | None:
        found = await self._get(*consumer_key(account_id), Consumer)
        return found[0] if found else None

    # -- access requests --------------------------------------------------------------------

    async def create_request(self, request: AccessRequest) -> None:
        rid = request.request_id
        reasons = await self._transact(
            f"request {rid}",
            [
                self._put_doc(*request_key(rid), request, None),
                self._put_marker(consumer_requests(request.consumer_account), rid),
                self._put_marker(REQUESTS, rid),
            ],
        )
        if reasons:
            raise ConflictError(f"request {rid} exists already")

    async def get_request(self, request_id: str) -> tuple[AccessRequest, int]:
        found = await self._get(*request_key(request_id), AccessRequest)
        if found is None:
            raise UnknownNameError(f"no access request {request_id}")
        return found

    async def save_request(self, request: AccessRequest, read_version: int) -> int:
        return await self._put(*request_key(request.request_id), request, read_version)

    async def _requests_listed(self, pk: str) -> list[AccessRequest]:
        ids = [str(i["sk"]["S"]) for i in await self._items(pk)]
        return await self._batch_docs([request_key(i) for i in ids], AccessRequest)

    async def list_requests(self) -> list[AccessRequest]:
        return await self._requests_listed(REQUESTS)

    async def requests_of_consumer(self, account_id: str) -> list[AccessRequest]:
        return await self._requests_listed(consumer_requests(account_id))

    # -- recommendations --------------------------------------------------------------------

    async def find_recommendation(self, rec_id: str) -> tuple[Recommendation, int] | None:
        """A recommendation and the version read, or None when there is none with that id."""
        where = await self._get_item(*recommendation_id_key(rec_id))
        if where is None:
            return None
        pk = recommendations_of(str(where["database"]["S"]), str(where["table"]["S"]))
        return await self._get(pk, rec_id, Recommendation)

    async def get_recommendation(self, rec_id: str) -> tuple[Recommendation, int]:
        found = await self.find_recommendation(rec_id)
        if found is None:
            raise UnknownNameError(f"no recommendation {rec_id}")
        return found

    async def add_recommendation(self, rec: Recommendation) -> bool:
        """Record a new recommendation; an existing one (same column and class) is kept as it
        is, so a decision is never asked again for an unchanged column. True when new."""
        rec_id = rec.recommendation_id
        reasons = await self._transact(
            f"recommendation {rec_id}",
            [
                self._put_doc(*recommendation_key(rec), rec, None),
                self._put_marker(
                    *recommendation_id_key(rec_id), database=rec.database, table=rec.table
                ),
                self._put_marker(
                    domain_tables(domain_of_database(rec.database)),
                    table_ref(rec.database, rec.table),
                    database=rec.database,
                    table=rec.table,
                ),
            ],
        )
        if reasons and reasons[0] != CONDITION_FAILED:
            raise ConflictError(f"recommendation {rec_id}: cancelled ({', '.join(reasons)})")
        return not reasons

    async def save_recommendation(self, rec: Recommendation, read_version: int) -> int:
        return await self._put(*recommendation_key(rec), rec, read_version)

    async def recommendations_of_table(
        self, database: str, table: str
    ) -> list[tuple[Recommendation, int]]:
        """Every recommendation for a table's columns, each with the version read."""
        return [
            (Recommendation.model_validate_json(i["doc"]["S"]), int(i["version"]["N"]))
            for i in await self._items(recommendations_of(database, table))
        ]

    async def list_recommendations(self, domain: str | None = None) -> list[Recommendation]:
        if domain is not None:
            found: list[Recommendation] = []
            for listed in await self._items(domain_tables(domain)):
                of_table = await self.recommendations_of_table(
                    str(listed["database"]["S"]), str(listed["table"]["S"])
                )
                found += [r for r, _ in of_table]
            return sorted(found, key=lambda r: r.recommendation_id)
        return sorted(
            (
                Recommendation.model_validate_json(i["doc"]["S"])
                for i in await self._scan_prefix(RECOMMENDATION_PREFIX)
            ),
            key=lambda r: r.recommendation_id,
        )

    async def _scan_prefix(self, prefix: str) -> list[Item]:
        request: ScanInputTypeDef = {
            "TableName": self._table,
            "FilterExpression": "begins_with(pk, :prefix)",
            "ExpressionAttributeValues": {":prefix": {"S": prefix}},
            "ConsistentRead": True,
        }
        return await self._all_pages(f"Scan {prefix}*", self._db.scan, request)

    async def _all_pages(
        self, what: str, read: Callable[..., Awaitable[Any]], request: Mapping[str, object]
    ) -> list[Item]:
        """Every item a Query or Scan returns, page after page (LastEvaluatedKey)."""
        found: list[Item] = []
        start: dict[str, object] = {}
        while True:
            with aws_errors(f"dynamodb:{what}"):
                response = await read(**request, **start)
            found.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return found
            start = {"ExclusiveStartKey": response["LastEvaluatedKey"]}

    # -- replay guard -----------------------------------------------------------------------

    async def claim_decision(self, digest: str, marker: BaseModel) -> bool:
        """True the first time a signed decision is seen; False for a replay."""
        try:
            await self._put(*decision_key(digest), marker, None)
        except ConflictError:
            return False
        return True

    async def decision_claim(self, digest: str, model: type[M]) -> M | None:
        found = await self._get(*decision_key(digest), model)
        return found[0] if found else None

    # -- repair reports ---------------------------------------------------------------------

    async def save_repair(self, report: RepairReport) -> None:
        """The run's report: written when it starts, as its shards finish and when it is
        assembled; last write wins."""
        await self._upsert(REPAIRS, report.repair_id, report)

    async def get_repair(self, repair_id: str) -> RepairReport | None:
        found = await self._get(REPAIRS, repair_id, RepairReport)
        return found[0] if found else None

    async def list_repairs(self) -> list[RepairReport]:
        return sorted(await self._query(REPAIRS, RepairReport), key=lambda r: r.started_at)

    async def record_repair_shard(self, repair_id: str, result: RepairShardResult) -> bool:
        try:
            await self._put(repair_run(repair_id), result.shard_id, result, None)
        except ConflictError:
            return False
        return True

    async def repair_shard(self, repair_id: str, shard_id: str) -> RepairShardResult | None:
        found = await self._get(repair_run(repair_id), shard_id, RepairShardResult)
        return found[0] if found else None

    async def repair_shards(self, repair_id: str) -> list[RepairShardResult]:
        return await self._query(repair_run(repair_id), RepairShardResult)
