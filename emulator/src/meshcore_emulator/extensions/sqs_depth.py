"""SQS calls cost the same at any queue depth.

moto recomputes a queue's state from every message it holds: ``Queue.attributes`` (read by
every SendMessage, and three times per message by ReceiveMessage's retention check) counts
delayed, in-flight and visible messages by asking each message the time; ``Queue.messages``
builds the list of every receivable message for each ReceiveMessage; DeleteMessage and
ChangeMessageVisibility look for the receipt handle in every message's handle history. Each
call is O(depth), so filling or draining a queue is quadratic.

Here each queue's message list keeps an index beside it, updated on every change moto makes:
the receipt handles of its messages, and the sorted ``visible_at`` and ``delayed_until`` times
that are set. A count is two binary searches against one clock reading; a handle is a dict
lookup; receiving walks the messages lazily and stops once it has enough. What moto answers is
unchanged: ApproximateNumberOfMessagesNotVisible counts ``visible_at >= now`` and
...Delayed counts ``delayed_until > now``, exactly moto's ``not visible`` and ``delayed``;
ApproximateNumberOfMessages is the rest, since no message is ever both (a message is delayed
only before its first receive, and only a receive or a receipt handle sets ``visible_at``).
FIFO deduplication still scans the queue (FIFO queues only). ``Queue.attributes`` also converted
every attribute name from CamelCase on each read; the conversion (a pure function) is cached.

Belongs upstream in moto (``moto/sqs/models.py``).
"""

from __future__ import annotations

import functools
import threading
import weakref
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from typing import Any

import moto.sqs.models as sqs_models
from moto.sqs.exceptions import InvalidParameterValue, ReceiptHandleIsInvalid
from moto.sqs.models import Message, Queue, SQSBackend

from ._patching import wrap_method

_TIMES = ("visible_at", "delayed_until")
# Which index a message is in now; weak, and outside the message so that deepcopy (each
# received message is copied) does not copy the queue.
_owners: weakref.WeakKeyDictionary[Message, _Indexed] = weakref.WeakKeyDictionary()


class _Indexed(list[Message]):
    """A queue's messages, in moto's order, with the index kept beside them."""

    def __init__(self, messages: Iterable[Message] = ()) -> None:
        super().__init__()
        self.lock = threading.RLock()
        self.handles: dict[str, Message] = {}
        self.times: dict[str, list[float]] = {name: [] for name in _TIMES}  # sorted, > 0 only
        for message in messages:
            self.append(message)

    def append(self, message: Message) -> None:
        with self.lock:
            super().append(message)
            _owners[message] = self
            for handle in message.all_receipt_handles:
                if handle is not None:
                    self.handles[handle] = message
            for name in _TIMES:
                _insert(self.times[name], getattr(message, name))

    def remove(self, message: Message) -> None:
        with self.lock:
            super().remove(message)
            self.forget(message)

    def forget(self, message: Message) -> None:
        if _owners.get(message) is self:
            del _owners[message]
        for handle in message.all_receipt_handles:
            self.handles.pop(handle, None)  # type: ignore[arg-type]
        for name in _TIMES:
            _drop(self.times[name], getattr(message, name))

    def release(self) -> None:
        """The queue dropped this list: its messages belong to no index any more."""
        with self.lock:
            for message in self:
                if _owners.get(message) is self:
                    del _owners[message]

    def changed(self, message: Message, name: str, old: Any, new: Any) -> None:
        if name == "receipt_handle":
            if new is not None:
                self.handles[new] = message  # the old handle stays valid, as in moto
        else:
            _drop(self.times[name], old)
            _insert(self.times[name], new)

    def counts(self) -> tuple[int, int, int]:
        """(receivable, not visible, delayed) now."""
        now = _now()
        with self.lock:
            hidden = self.times["visible_at"]
            delayed = self.times["delayed_until"]
            not_visible = len(hidden) - bisect_left(hidden, now)
            waiting = len(delayed) - bisect_right(delayed, now)
            return len(self) - not_visible - waiting, not_visible, waiting

    def _untracked(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("only append and remove keep a queue's index; moto uses no other")

    extend = insert = pop = clear = sort = reverse = _untracked  # type: ignore[assignment]
    __setitem__ = __delitem__ = __iadd__ = _untracked  # type: ignore[assignment]


def _now() -> float:
    # Through the module, as moto's messages do, so that a test's clock moves both.
    return float(sqs_models.unix_time_millis())  # type: ignore[attr-defined]


def _insert(times: list[float], value: float) -> None:
    if value > 0:
        insort(times, value)


def _drop(times: list[float], value: float) -> None:
    if value > 0:
        i = bisect_left(times, value)
        if i < len(times) and times[i] == value:
            del times[i]


class _Receivable:
    """Queue.messages: the visible, undelayed messages, found lazily in queue order."""

    def __init__(self, messages: _Indexed) -> None:
        self._messages = messages

    def __iter__(self) -> Iterator[Message]:
        if not self:
            return iter(())
        return (m for m in self._messages if m.visible and not m.delayed)

    def __len__(self) -> int:
        return self._messages.counts()[0]

    def __bool__(self) -> bool:
        return len(self) > 0


def _tracked(name: str) -> property:
    """A Message attribute whose every change reaches the index of the queue holding it."""

    def get(message: Message) -> Any:
        try:
            return message.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def set_(message: Message, value: Any) -> None:
        while True:
            owner = _owners.get(message)
            if owner is None:
                message.__dict__[name] = value
                return
            with owner.lock:
                if _owners.get(message) is not owner:
                    continue  # moved to another queue meanwhile
                old = message.__dict__.get(name)
                message.__dict__[name] = value
                owner.changed(message, name, old, value)
                return

    return property(get, set_)


def _messages_of(queue: Queue) -> _Indexed:
    messages = queue.__dict__.get("_messages", [])
    if not isinstance(messages, _Indexed):  # a queue created before install
        messages = queue.__dict__["_messages"] = _Indexed(messages)
    return messages


def _set_messages(queue: Queue, messages: list[Message]) -> None:
    """moto replaces the whole list only to purge (to [])."""
    old = queue.__dict__.get("_messages")
    if isinstance(old, _Indexed):
        old.release()
    queue.__dict__["_messages"] = messages if isinstance(messages, _Indexed) else _Indexed(messages)


def _delete_message(original: Any, queue: Queue, receipt_handle: str) -> None:
    if receipt_handle in queue.deleted_messages:
        return  # already deleted: AWS accepts it again
    messages = _messages_of(queue)
    with messages.lock:
        message = messages.handles.get(receipt_handle)
        if message is None:
            raise ReceiptHandleIsInvalid()
        queue.pending_messages.discard(message)
        queue.deleted_messages.update(message.all_receipt_handles)  # type: ignore[arg-type]
        messages.remove(message)


def _change_message_visibility(
    original: Any,
    backend: SQSBackend,
    queue_name: str,
    receipt_handle: str,
    visibility_timeout: int,
) -> None:
    queue = backend.get_queue(queue_name)
    message = _messages_of(queue).handles.get(receipt_handle)
    if message is None:
        raise ReceiptHandleIsInvalid
    # From here as moto's change_message_visibility, which found the message by a scan.
    given = _now() + int(visibility_timeout) * 1000
    if given - message.sent_timestamp > 43200 * 1000:  # type: ignore[operator]
        raise InvalidParameterValue(
            f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. Reason: "
            "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]"
        )
    message.change_visibility(visibility_timeout)
    if message.visible and message in queue.pending_messages:
        queue.pending_messages.remove(message)


def install() -> None:
    if isinstance(vars(Queue).get("_messages"), property):
        return
    convert = sqs_models.camelcase_to_underscores  # type: ignore[attr-defined]
    sqs_models.camelcase_to_underscores = functools.lru_cache(maxsize=256)(convert)  # type: ignore[attr-defined]
    for name in (*_TIMES, "receipt_handle"):
        setattr(Message, name, _tracked(name))
    Queue._messages = property(_messages_of, _set_messages)  # type: ignore[assignment]
    Queue.messages = property(lambda q: _Receivable(_messages_of(q)))  # type: ignore[assignment]
    Queue.approximate_number_of_messages = property(lambda q: _messages_of(q).counts()[0])  # type: ignore[assignment]
    Queue.approximate_number_of_messages_not_visible = property(  # type: ignore[assignment]
        lambda q: _messages_of(q).counts()[1]
    )
    Queue.approximate_number_of_messages_delayed = property(  # type: ignore[assignment]
        lambda q: _messages_of(q).counts()[2]
    )
    wrap_method(Queue, "delete_message", _delete_message)
    wrap_method(SQSBackend, "change_message_visibility", _change_message_visibility)
