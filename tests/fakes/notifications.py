"""People's preferences and digests in memory (port:
`meshcore.domain.notifications.NotificationStore`)."""

from __future__ import annotations

from meshcore.domain.notifications import Notice, NotificationPreferences


class FakeNotificationStore:
    def __init__(self) -> None:
        self.preferences: dict[str, NotificationPreferences] = {}
        self.digests: dict[str, dict[str, Notice]] = {}
        self.sent: set[str] = set()

    async def get_preferences(self, person: str) -> NotificationPreferences | None:
        found = self.preferences.get(person)
        return found.model_copy(deep=True) if found else None

    async def put_preferences(self, preferences: NotificationPreferences) -> None:
        self.preferences[preferences.person] = preferences.model_copy(deep=True)

    async def add_to_digest(self, notice: Notice) -> None:
        self.digests.setdefault(notice.person, {})[notice.key()] = notice.model_copy(deep=True)

    async def digest_people(self) -> list[str]:
        return sorted(p for p, kept in self.digests.items() if kept)

    async def digest_of(self, person: str) -> list[Notice]:
        kept = self.digests.get(person, {})
        return [kept[k] for k in sorted(kept)]

    async def clear_digest(self, person: str, notices: list[Notice]) -> None:
        kept = self.digests.get(person, {})
        for notice in notices:
            kept.pop(notice.key(), None)
        if not kept:
            self.digests.pop(person, None)

    async def was_sent(self, key: str) -> bool:
        return key in self.sent

    async def mark_sent(self, key: str) -> None:
        self.sent.add(key)
