"""The runtime decodes with the queue's contract and dispatches by decoded type."""

from __future__ import annotations

from typing import Any

import pytest

from meshcore.messages.commands import ExpirySweep, RevokeCommand
from meshcore.messages.decode import MalformedMessageError, decode_approvals_message
from meshcore.runtime.consumer import QueueMessage
from meshcore.runtime.dispatch import Delivery, dispatcher


def message(body: str, receive_count: int = 2) -> QueueMessage:
    return QueueMessage("m-1", "r-1", body, receive_count, None, "meshcore-approvals")


async def test_each_kind_reaches_its_handler_with_the_delivery() -> None:
    seen: list[tuple[str, Any, Delivery]] = []

    async def on_sweep(sweep: ExpirySweep, delivery: Delivery) -> None:
        seen.append(("sweep", sweep.sweep_id, delivery))

    handle = dispatcher(decode_approvals_message, {ExpirySweep: on_sweep})
    await handle(message(ExpirySweep(sweep_id="s-1").model_dump_json()))
    assert seen == [("sweep", "s-1", Delivery("m-1", 2))]


async def test_malformed_bodies_and_unhandled_kinds_are_rejected() -> None:
    async def never(_message: Any, _delivery: Delivery) -> None:
        raise AssertionError("no handler may run")

    handle = dispatcher(decode_approvals_message, {ExpirySweep: never})
    with pytest.raises(MalformedMessageError, match="not JSON"):
        await handle(message("{not json"))
    revoke = RevokeCommand(request_id="req-1", requested_by="ops", reason="r")
    with pytest.raises(MalformedMessageError, match="no handler for RevokeCommand"):
        await handle(message(revoke.model_dump_json()))
