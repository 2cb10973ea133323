"""An HTTP endpoint subscribed to SNS, as an operator's webhook: a stdlib server on a thread that
records every POST and, when asked, confirms a subscription by visiting its SubscribeURL."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from .local_servers import LocalHttpServer, QuietHandler


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def message(self) -> dict[str, Any]:
        """A notification's Message, parsed (CloudWatch alarms publish JSON)."""
        parsed: dict[str, Any] = json.loads(self.body["Message"])
        return parsed


@dataclass
class Webhook(LocalHttpServer):
    confirm: bool = True
    status: int = 200
    deliveries: list[Delivery] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        hook = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.body() or b"{}")
                delivery = Delivery({k.lower(): v for k, v in self.headers.items()}, body)
                hook.deliveries.append(delivery)
                if body.get("Type") == "SubscriptionConfirmation" and hook.confirm:
                    link = body["SubscribeURL"]
                    assert link.startswith(("http://", "https://")), link
                    with urllib.request.urlopen(link, timeout=10) as answer:  # noqa: S310
                        hook.confirmed.append(answer.read().decode())
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.serve(Handler)

    @property
    def url(self) -> str:
        return f"{self.origin}/alarms"

    def of_type(self, kind: str) -> list[Delivery]:
        return [d for d in list(self.deliveries) if d.body.get("Type") == kind]

    def alarm_notifications(self, alarm: str, state: str) -> list[Delivery]:
        return [
            d
            for d in self.of_type("Notification")
            if d.message.get("AlarmName") == alarm and d.message.get("NewStateValue") == state
        ]
