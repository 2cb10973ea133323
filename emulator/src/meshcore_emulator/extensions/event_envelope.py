"""EventBridge delivers the whole event envelope, across accounts too.

AWS delivers an event to a target as the full envelope: ``version``, ``id``,
``detail-type``, ``source``, ``account`` (where the event originated), ``time``,
``region``, ``resources`` and ``detail``. moto leaves ``account`` out of what it
delivers. When a rule sends an event to an event bus in another account, AWS
keeps the original envelope (so ``account`` still names the producer), and the
receiving bus must have a resource policy that lets that account call
``events:PutEvents``; otherwise the event is not delivered. moto re-creates the
event in the receiving account instead, and ignores the bus policy.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.events.models import EventBus, EventsBackend, Rule
from moto.events.utils import EventTemplateParser

from ._patching import wrap_method

# What moto renders for a target without an InputTransformer, plus ``account``.
FULL_EVENT_TEMPLATE = (
    '{"version": "0", "id": "<id>", "detail-type": "<detail-type>", "source": "<source>", '
    '"account": "<account>", "time": <time>, "region": "<region>", '
    '"resources": <resources>, "detail": <detail>}'
)

# Envelope fields an event keeps when a rule forwards it to another bus.
_KEPT_ON_FORWARD = ("id", "account", "time", "region", "resources")

# The event a rule is routing right now; a bus target re-puts it through put_events.
_routing: ContextVar[dict[str, Any] | None] = ContextVar("routing_event", default=None)
# The event whose envelope the events being put right now must keep.
_forwarded: ContextVar[dict[str, Any] | None] = ContextVar("forwarded_event", default=None)


def install() -> None:
    EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE = FULL_EVENT_TEMPLATE
    wrap_method(Rule, "send_to_targets", _send_to_targets)
    wrap_method(EventsBackend, "put_events", _put_events)


def _send_to_targets(original: Any, rule: Rule, event: Any, *args: Any, **kw: Any) -> Any:
    forwarded = _forwarded.get()
    if forwarded is not None:
        event = {**event, **{key: forwarded[key] for key in _KEPT_ON_FORWARD}}
    token = _routing.set(event)
    try:
        return original(rule, event, *args, **kw)
    finally:
        _routing.reset(token)


def _put_events(original: Any, backend: EventsBackend, entries: list[dict[str, Any]]) -> Any:
    routed = _routing.get()
    if routed is None:  # a PutEvents call from a client
        return original(backend, entries)
    # A rule target forwarding ``routed`` to an event bus; a failed delivery is dropped,
    # it never fails the call that produced the event.
    try:
        bus = _target_bus(backend, entries)
    except JsonRESTError as missing:
        return [{"ErrorCode": missing.error_type, "ErrorMessage": missing.message}]
    if routed["account"] != backend.account_id and not _allows_put_events(bus, routed["account"]):
        return [{"ErrorCode": "AccessDeniedException", "ErrorMessage": "Not authorized"}]
    token = _forwarded.set(routed)
    try:
        return original(backend, entries)
    finally:
        _forwarded.reset(token)


def _target_bus(backend: EventsBackend, entries: list[dict[str, Any]]) -> EventBus:
    name = entries[0].get("EventBusName") if entries else None
    return backend.describe_event_bus(name or "default")


def _allows_put_events(bus: EventBus, account: str) -> bool:
    """True when the bus policy has an Allow statement for ``account`` on PutEvents."""
    if not bus.policy:
        return False
    statements = json.loads(bus.policy).get("Statement", [])
    return any(
        statement.get("Effect") == "Allow"
        and _covers_action(statement.get("Action"))
        and _covers_account(statement.get("Principal"), account)
        for statement in statements
    )


def _covers_action(action: Any) -> bool:
    actions = action if isinstance(action, list) else [action]
    return any(a in ("events:PutEvents", "events:*", "*") for a in actions)


def _covers_account(principal: Any, account: str) -> bool:
    if principal == "*":
        return True
    values = principal.get("AWS", []) if isinstance(principal, dict) else []
    values = values if isinstance(values, list) else [values]
    return any(v in ("*", account) or v.endswith(f":iam::{account}:root") for v in values)
