"""The central account's adapters, opened for one command (meshctl, scripts)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from meshcore.aws.audit import AuditLog
from meshcore.aws.clients import AsyncAws
from meshcore.aws.queues import QueueSender, queue_url
from meshcore.aws.state import DynamoStateStore
from meshcore.domain.state_store import StateStore
from meshcore.settings import MeshSettings


@dataclass
class Central:
    aws: AsyncAws
    state: StateStore
    audit: AuditLog
    settings: MeshSettings

    async def sender(self, queue: str) -> QueueSender:
        sqs = await self.aws.client("sqs")
        return QueueSender(sqs, await queue_url(sqs, queue), queue)


@asynccontextmanager
async def central(settings: MeshSettings) -> AsyncIterator[Central]:
    async with AsyncExitStack() as stack:
        aws = AsyncAws(settings, stack, session_name="meshctl")
        stack.push_async_callback(aws.aclose)
        dynamodb = await aws.client("dynamodb")
        yield Central(
            aws,
            DynamoStateStore(dynamodb, settings.state_table),
            AuditLog(dynamodb, settings.audit_table),
            settings,
        )
