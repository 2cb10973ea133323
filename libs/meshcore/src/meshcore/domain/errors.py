"""The small error vocabulary every layer speaks: retry later, or never."""

from __future__ import annotations


class MeshError(Exception):
    """Base of meshcore's errors; `str()` is a sentence a person can act on."""


class RetryableError(MeshError):
    """Transient: the same work may succeed later (throttling, 5xx, a lost race)."""


class PermanentError(MeshError):
    """Will never succeed as it is: the message belongs in the dead-letter queue."""


class NotFoundError(PermanentError):
    """The named object does not exist."""


class UnknownNameError(NotFoundError):
    """Something a person named (a request, table, queue, producer, recommendation) does not
    exist: their mistake to correct, where a NotFoundError from AWS may be an outage."""


class AccessDeniedError(PermanentError):
    """A role could not be assumed or lacks a permission."""


class ConflictError(RetryableError):
    """Someone else changed the object first (optimistic concurrency)."""


class InvalidTransitionError(PermanentError):
    """A state machine was asked for a move it does not allow."""
