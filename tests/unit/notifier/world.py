"""The notifier in process over fakes: a store, a mail box and webhooks that record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from meshcore.domain.access import TableName
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
class World:
    deps: NotifierDependencies
    store: FakeNotificationStore
    mail: FakeMail
    slack: FakePoster
    teams: FakePoster

    def mailed(self) -> list[tuple[str, str]]:
        return [(to, m.subject) for to, m in self.mail.sent]


def world() -> World:
    store, mail, slack, teams = FakeNotificationStore(), FakeMail(), FakePoster(), FakePoster()
    deps = NotifierDependencies(
        store=store,
        mail=mail,
        webhooks={"analysts": slack, "owners": teams},
        metrics=Metrics(),
        operators=[OPERATOR],
    )
    return World(deps, store, mail, slack, teams)


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
