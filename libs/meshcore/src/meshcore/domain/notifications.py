"""Notifications: what one person hears, how they want to hear it, and the port that keeps
their preferences and the digests gathering for them.

A person is named as meshcore names them everywhere (an access request's `requested_by`, a
producer's owners, the operators setting): usually an e-mail address. The notifier decides
who hears what (`notifier.audience`); this module holds the shapes and the store's port.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Literal, Protocol

from pydantic import BaseModel, Field, field_validator

# An address as mail accepts it: something, one @, a dotted domain (no spaces, no brackets).
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
EMAIL_CHANNEL = "email"
# Webhook names: what operators configure (MESHCORE_NOTIFIER__WEBHOOKS) and people choose.
CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")

Role = Literal["requester", "owner", "operator"]
Event = Literal[
    "routed", "granted", "rejected", "refused", "expiring", "revoked", "expired", "review"
]


class NotificationPreferences(BaseModel):
    """How one person wants to hear from meshcore."""

    person: str = Field(min_length=1, max_length=256)
    # "email" and/or names of webhooks operators configured; empty: hear nothing.
    channels: list[str] = Field(default_factory=lambda: [EMAIL_CHANNEL])
    # Where mail goes (default: the person, when their name is an address).
    email: str | None = None
    # One message per digest interval gathering everything, instead of one per event.
    digest: bool = False
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @field_validator("channels")
    @classmethod
    def _channel_names(cls, channels: list[str]) -> list[str]:
        for channel in channels:
            if not CHANNEL_NAME.fullmatch(channel):
                raise ValueError(
                    f"channel {channel!r} is not 'email' or a webhook name "
                    "(lower-case letters, digits, '-' and '_')"
                )
        return list(dict.fromkeys(channels))

    @field_validator("email")
    @classmethod
    def _address(cls, email: str | None) -> str | None:
        if email is not None and not EMAIL.fullmatch(email):
            raise ValueError(f"{email!r} is not an e-mail address")
        return email

    def address(self) -> str | None:
        """Where this person's mail goes, or None when nowhere is known."""
        if self.email:
            return self.email
        return self.person if EMAIL.fullmatch(self.person) else None


class Notice(BaseModel):
    """One thing one person hears: about what (a request id, or the table whose columns await
    review), as whom, and what to tell them."""

    person: str
    role: Role
    event: Event
    about: str
    subject: str
    lines: list[str] = Field(default_factory=list)
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    def key(self) -> str:
        """Orders a person's digest by time; unique per subject, event and role."""
        return f"{self.at.isoformat()}#{self.about}#{self.event}#{self.role}"


class NotificationStore(Protocol):
    """People's preferences and their gathering digests (the state table's `notify-*` items,
    `meshcore.aws.notifications`)."""

    async def get_preferences(self, person: str) -> NotificationPreferences | None: ...

    async def put_preferences(self, preferences: NotificationPreferences) -> None: ...

    async def add_to_digest(self, notice: Notice) -> None:
        """Keep `notice` for the person's next digest (idempotent per `Notice.key`)."""
        ...

    async def digest_people(self) -> list[str]:
        """Everyone with something gathered for a digest."""
        ...

    async def digest_of(self, person: str) -> list[Notice]:
        """What gathered for `person`, oldest first."""
        ...

    async def clear_digest(self, person: str, notices: list[Notice]) -> None:
        """Forget `notices` (sent); the person stays listed while anything newer is kept."""
        ...

    async def was_sent(self, key: str) -> bool:
        """A message already went out as `key` (message id, person, channel)."""
        ...

    async def mark_sent(self, key: str) -> None:
        """Remember for a while (days) that a message went out as `key`, so that the message
        coming back after another channel failed does not send it there again."""
        ...
