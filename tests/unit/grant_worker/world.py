"""grant-worker in process: its handlers wired to the in-memory fakes of its ports.

The state store is the one port without a fake here: it is being reshaped (keyed by access
paths) and will bring its own fake. Until then `StateStub` stands in, with only the reads and
writes grant-worker makes and the store's optimistic version check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from grant_worker.decisions import on_decision
from grant_worker.dependencies import GrantDependencies
from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.errors import ConflictError, NotFoundError
from meshcore.domain.recommendations import Recommendation
from meshcore.domain.registry import Consumer, Producer
from meshcore.messages.commands import AccessDecision
from meshcore.runtime.dispatch import Delivery
from meshcore.runtime.metrics import Metrics

from ...fakes.audit import FakeAudit
from ...fakes.consumer import FakeConsumerShares
from ...fakes.glue import FakeCatalog
from ...fakes.lakeformation import FakePermissions
from ...fakes.queues import FakeSender
from ...fakes.signing import FakeRevokeSigner, FakeSigner

CENTRAL = "123456789012"
CONSUMER = "444444444444"
CONSUMER_ADMIN = f"arn:aws:iam::{CONSUMER}:role/meshcore-consumer-admin"
OWNER = "ada@ar.example.com"
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
INVOICES = TableName(database="ar__receivables", table="invoices")
PAYMENTS = TableName(database="ar__receivables", table="payments")
COLUMNS = ["invoice_id", "customer_email", "amount"]


@dataclass
class StateStub:
    """The state store's reads and writes grant-worker makes (see the module docstring)."""

    requests: dict[str, tuple[AccessRequest, int]] = field(default_factory=dict)
    producers: list[Producer] = field(default_factory=list)
    consumers: dict[str, Consumer] = field(default_factory=dict)
    claims: dict[str, BaseModel] = field(default_factory=dict)
    recommendations: list[Recommendation] = field(default_factory=list)

    def add(self, request: AccessRequest) -> AccessRequest:
        self.requests[request.request_id] = (request, 1)
        return request

    def request(self, request_id: str) -> AccessRequest:
        return self.requests[request_id][0]

    async def get_request(self, request_id: str) -> tuple[AccessRequest, int]:
        if request_id not in self.requests:
            raise NotFoundError(f"no access request {request_id}")
        request, version = self.requests[request_id]
        return request.model_copy(deep=True), version

    async def save_request(self, request: AccessRequest, read_version: int) -> int:
        current = self.requests.get(request.request_id)
        if current is None or current[1] != read_version:
            raise ConflictError(f"request {request.request_id} was changed by someone else")
        self.requests[request.request_id] = (request.model_copy(deep=True), read_version + 1)
        return read_version + 1

    async def list_requests(self) -> list[AccessRequest]:
        return [r.model_copy(deep=True) for r, _v in self.requests.values()]

    async def producer_for_domain(self, domain: str) -> Producer | None:
        return next((p for p in self.producers if p.domain == domain), None)

    async def get_consumer(self, account_id: str) -> Consumer | None:
        return self.consumers.get(account_id)

    async def claim_decision(self, digest: str, marker: BaseModel) -> bool:
        if digest in self.claims:
            return False
        self.claims[digest] = marker
        return True

    async def decision_claim(self, digest: str, model: type[Any]) -> Any:
        found = self.claims.get(digest)
        return model.model_validate(found.model_dump()) if found is not None else None

    async def list_recommendations(self, domain: str | None = None) -> list[Recommendation]:
        return list(self.recommendations)

    async def recommendations_of_table(
        self, database: str, table: str
    ) -> list[tuple[Recommendation, int]]:
        return [(r, 1) for r in self.recommendations if (r.database, r.table) == (database, table)]

    async def requests_of_consumer(self, account_id: str) -> list[AccessRequest]:
        return [
            r.model_copy(deep=True)
            for r, _v in self.requests.values()
            if r.consumer_account == account_id
        ]


@dataclass
class World:
    deps: GrantDependencies
    state: StateStub
    audit: FakeAudit
    signer: FakeSigner
    revoke_signer: FakeRevokeSigner
    lake: FakePermissions
    catalog: FakeCatalog
    notifications: FakeSender
    consumer: FakeConsumerShares
    now: list[datetime]

    async def decide(
        self, request_id: str, decision: str = "approve", message_id: str = "m-1", **more: Any
    ) -> None:
        """The ticket system's signed decision, delivered to grant-worker."""
        stored = self.state.requests.get(request_id)
        fields: dict[str, Any] = {
            "request_id": request_id,
            "ticket_id": "FIN-1",
            "decision": decision,
            "approver": OWNER,
            # What the ticket showed: the request's terms when it was opened.
            "terms_digest": stored[0].terms_digest() if stored else "0" * 64,
            "issued_at": self.now[0],
        }
        signed = await self.signer.sign(AccessDecision.model_validate(fields | more))
        await on_decision(signed, Delivery(message_id, 1), self.deps)

    def notified(self) -> list[str]:
        return [getattr(m, "state", "") for m in self.notifications.sent]


def table_input(name: str, location: str) -> dict[str, Any]:
    columns = [{"Name": c, "Type": "string"} for c in COLUMNS]
    return {"Name": name, "StorageDescriptor": {"Columns": columns, "Location": location}}


async def world(onboarded: bool = True) -> World:
    """The central catalog has ar__receivables.invoices and .payments, registered with Lake
    Formation and classified, `customer_email` as sensitive; the consumer account is
    onboarded."""
    catalog = FakeCatalog(CENTRAL)
    await catalog.create_database({"Name": "ar__receivables"})
    for table in (INVOICES, PAYMENTS):
        location = f"s3://ar-data/receivables/{table.table}/"
        await catalog.create_table(table.database, table_input(table.table, location))
    await catalog.create_database({"Name": "ops"})  # not a producer's database
    consumer = FakeConsumerShares(CONSUMER)
    lake = FakePermissions(CENTRAL, catalog=catalog, consumers={CONSUMER: consumer})
    lake.register("s3://ar-data/receivables/")
    for table in (INVOICES, PAYMENTS):
        # Synced (the table unclassified), then scanned: customer_email accepted as sensitive,
        # nothing found in the others.
        lake.tag_table(table.database, table.table, "sensitivity", "unclassified")
        for column in COLUMNS:
            value = "email_address" if column == "customer_email" else "none"
            lake.tag_column(table.database, table.table, column, "sensitivity", value)
    state = StateStub()
    state.producers.append(
        Producer(
            account_id="222222222222",
            domain="ar",
            read_role_arn="arn:aws:iam::222222222222:role/meshcore-catalog-reader",
            owners=[OWNER],
        )
    )
    if onboarded:
        state.consumers[CONSUMER] = Consumer(account_id=CONSUMER, admin_role_arn=CONSUMER_ADMIN)
    now = [NOW]

    async def consumer_access(account_id: str, role_arn: str) -> FakeConsumerShares:
        assert (account_id, role_arn) == (CONSUMER, CONSUMER_ADMIN)
        return consumer

    audit, signer, notifications = FakeAudit(), FakeSigner(), FakeSender()
    revoke_signer = FakeRevokeSigner()
    deps = GrantDependencies(
        state=state,  # type: ignore[arg-type]  # the stand-in described above
        audit=audit,
        signer=signer,
        revoke_verifier=revoke_signer,
        lakeformation=lake,
        catalog=catalog,
        notifications=notifications,
        consumer_access=consumer_access,
        catalog_id=CENTRAL,
        metrics=Metrics(),
        clock=lambda: now[0],
    )
    return World(
        deps, state, audit, signer, revoke_signer, lake, catalog, notifications, consumer, now
    )


def pending(**more: Any) -> AccessRequest:
    fields: dict[str, Any] = {
        "consumer_account": CONSUMER,
        "tables": [INVOICES],
        "purpose": "month-end close",
        "owners": [OWNER],
        "created_at": NOW - timedelta(days=1),
    }
    return AccessRequest.model_validate(fields | more)


async def permissions(w: World, grantee: str = CONSUMER) -> set[tuple[str, str, str]]:
    """(resource kind, table name or tag policy type, permission) granted to `grantee`."""
    found = set()
    for row in await w.lake.permissions_of(grantee):
        ((kind, resource),) = row["Resource"].items()
        name = resource.get("Name") or resource.get("ResourceType", "")
        for permission in row["Permissions"]:
            found.add((kind, name, permission))
    return found
