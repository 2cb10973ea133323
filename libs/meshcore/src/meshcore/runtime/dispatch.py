"""The runtime decodes each message with its queue's contract and calls the handler registered
for what it decoded: handlers never see SQS.

A body that is not the queue's contract, or a decoded kind nobody handles, is rejected as
malformed (permanent: the redrive policy moves it to the dead-letter queue, with the reason
recorded); every other outcome is the handler's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from meshcore.messages.decode import MalformedMessageError
from meshcore.runtime.consumer import Handler, QueueMessage


@dataclass(frozen=True)
class Delivery:
    """What a handler may know of the delivery: which message, how often it was received, who
    sent it (SQS's SenderId: the sender's IAM identity, which no body can claim), and when."""

    message_id: str
    receive_count: int
    sender_id: str = ""
    # When this process received it (time.monotonic; 0 when unknown): what the message tells
    # happened before then, so work that began reading after it has seen its effect.
    received_at: float = 0.0


MessageHandler = Callable[[Any, Delivery], Awaitable[None]]
HandlerMap = Mapping[type[Any], MessageHandler]
Decoder = Callable[[str], object]


def dispatcher(decode: Decoder, handlers: HandlerMap) -> Handler:
    """A queue consumer's handler: decode, then call the handler of the decoded type."""

    async def handle(message: QueueMessage) -> None:
        decoded = decode(message.body)
        handler = handler_for(type(decoded), handlers)
        await handler(
            decoded,
            Delivery(
                message.message_id, message.receive_count, message.sender_id, message.received_at
            ),
        )

    return handle


def handler_for(kind: type[Any], handlers: HandlerMap) -> MessageHandler:
    for candidate in kind.__mro__:
        if candidate in handlers:
            return handlers[candidate]
    raise MalformedMessageError(f"no handler for {kind.__name__} on this queue")
