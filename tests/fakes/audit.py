"""The audit trail in memory (port: `meshcore.aws.ports.Audit`): entries in order, each keyed
by `record_once` at most once. The hash chain itself is the adapter's (tested against the
embedded AWS); entries here are numbered but not hashed."""

from __future__ import annotations

from typing import Any

from meshcore.aws.audit import AuditEntry


class FakeAudit:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []
        self.once: set[str] = set()

    async def record(self, subject: str, action: str, actor: str, **details: Any) -> AuditEntry:
        entry = AuditEntry(
            subject=subject, action=action, actor=actor, details=details, seq=len(self.entries) + 1
        )
        self.entries.append(entry)
        return entry

    async def record_once(
        self, once: str, subject: str, action: str, actor: str, **details: Any
    ) -> AuditEntry | None:
        if once in self.once:
            return None
        self.once.add(once)
        return await self.record(subject, action, actor, **details)

    async def history(self, subject: str) -> list[AuditEntry]:
        return [e for e in self.entries if e.subject == subject]

    def actions(self, subject: str | None = None) -> list[str]:
        return [e.action for e in self.entries if subject is None or e.subject == subject]
