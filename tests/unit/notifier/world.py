"""The notifier in process over fakes: a store, a mail box and webhooks that record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.errors import UnknownNameError
from meshcore.domain.registry import Producer
from meshcore.messages.commands import AccessNotification
from meshcore.runtime.metrics import Metrics
from notifier.handlers import NotifierDependencies
from notifier.render import Message

from ...fakes.notifications import FakeNotificationStore

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
REQUESTER = "analyst@consumer.example.com"
OWNER = "ada@ar.example.com"
OPERATOR = "ops@central.example.com"


@dataclass
class FakeMail:
    sent: list[tuple[str, Message]] = field(default_factory=list)

    async def send(self, to: str, message: Message) -> None:
        self.sent.append((to, message))


@dataclass
class FakePoster:
    posted: list[Message] = field(default_factory=list)

    async def post(self, message: Message) -> None:
        self.posted.append(message)


@dataclass
class FakeDirectory:
    """The state store as the notifier reads it: requests by id, producers by domain."""

    requests: dict[str, AccessRequest] = field(default_factory=dict)
    producers: dict[str, Producer] = field(default_factory=dict)

    async def get_request(self, request_id: str) -> tuple[AccessRequest, int]:
        if request_id not in self.requests:
            raise UnknownNameError(f"no access request {request_id}")
        return self.requests[request_id], 1

    async def producer_for_domain(self, domain: str) -> Producer | None:
        return self.producers.get(domain)

    def owners(self, *owners: str) -> None:
        """The registry's owners of the domain `ar`."""
        self.producers["ar"] = self.producers["ar"].model_copy(update={"owners": list(owners)})


def stored_request(request_id: str, **more: Any) -> AccessRequest:
    fields: dict[str, Any] = {
        "request_id": request_id,
        "consumer_account": "444444444444",
        "tables": [TableName(database="ar__receivables", table="invoices")],
        "purpose": "dashboard",
        "requested_by": REQUESTER,
    }
    return AccessRequest.model_validate(fields | more)


@dataclass
class World:
    deps: NotifierDependencies
    store: FakeNotificationStore
    mail: FakeMail
    slack: FakePoster
    teams: FakePoster
    directory: FakeDirectory

    def mailed(self) -> list[tuple[str, str]]:
        return [(to, m.subject) for to, m in self.mail.sent]


def world() -> World:
    store, mail, slack, teams = FakeNotificationStore(), FakeMail(), FakePoster(), FakePoster()
    directory = FakeDirectory(
        requests={rid: stored_request(rid) for rid in ("req-1", "req-2")},
        producers={
            "ar": Producer(
                account_id="111111111111",
                domain="ar",
                read_role_arn="arn:aws:iam::111111111111:role/meshcore-read",
                owners=[OWNER],
            )
        },
    )
    deps = NotifierDependencies(
        store=store,
        directory=directory,
        mail=mail,
        webhooks={"analysts": slack, "owners": teams},
        metrics=Metrics(),
        operators=[OPERATOR],
    )
    return World(deps, store, mail, slack, teams, directory)


def notification(state: str = "granted", **more: Any) -> AccessNotification:
    fields: dict[str, Any] = {
        "request_id": "req-1",
        "consumer_account": "444444444444",
        "state": state,
        "tables": [TableName(database="ar__receivables", table="invoices")],
        "requested_by": REQUESTER,
        "owners": [OWNER],
        "ticket_id": "FIN-7",
        "at": NOW,
    }
    return AccessNotification.model_validate(fields | more)
