"""The central account's adapters, opened for one command (meshctl, scripts)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from meshcore.aws.audit import AuditLog
from meshcore.aws.audit_anchor import AuditAnchors
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

    async def anchors(self, as_anchor_role: bool = False) -> AuditAnchors:
        """The audit chain's anchors; `as_anchor_role` assumes the audit-anchor role first (the
        only role the key lets sign and the only one that may write anchors)."""
        settings = self.settings
        if as_anchor_role:
            role = settings.central_role_arn(settings.roles.audit_anchor)
            dynamodb = await self.aws.assumed_client("dynamodb", role)
            kms = await self.aws.assumed_client("kms", role)
            audit = AuditLog(dynamodb, settings.audit_table)
        else:
            dynamodb, kms, audit = (
                await self.aws.client("dynamodb"),
                await self.aws.client("kms"),
                self.audit,
            )
        return AuditAnchors(
            audit, dynamodb, kms, settings.audit_anchor_table, settings.audit_anchor_key_alias
        )

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
