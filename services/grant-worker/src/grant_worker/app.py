"""grant-worker's composition root."""

from __future__ import annotations

from datetime import timedelta

from grant_worker.delivery import ConsumerAccess
from grant_worker.handlers import GrantDependencies, handler_map
from meshcore.aws.audit import AuditLog
from meshcore.aws.clients import AsyncAws
from meshcore.aws.consumer import ConsumerAccount, admin_role_in
from meshcore.aws.glue import GlueCatalog
from meshcore.aws.lakeformation import LakeFormation
from meshcore.aws.ports import ConsumerShares
from meshcore.aws.queues import QueueSender, queue_url
from meshcore.aws.signing import DecisionSigner, RevokeSigner
from meshcore.aws.state import DynamoStateStore
from meshcore.messages.decode import decode_approvals_message
from meshcore.runtime.metrics import Metrics
from meshcore.runtime.worker import Bootstrap, Route
from meshcore.settings import MeshSettings


def consumer_access_of(aws: AsyncAws) -> ConsumerAccess:
    """A consumer account's port, as meshcore's admin role there: only a role of the request's
    consumer account is assumed (never one a tampered registry entry puts in another)."""

    async def consumer_access(account_id: str, role_arn: str) -> ConsumerShares:
        role = admin_role_in(account_id, role_arn)
        return ConsumerAccount(
            await aws.assumed_client("ram", role),
            await aws.assumed_client("glue", role),
            account_id,
        )

    return consumer_access


def make_bootstrap(settings: MeshSettings) -> Bootstrap:
    async def bootstrap(aws: AsyncAws, metrics: Metrics) -> list[Route]:
        dynamodb = await aws.client("dynamodb")
        sqs = await aws.client("sqs")
        notifications = settings.queues.notifications
        ticket_updates = settings.queues.ticket_updates

        deps = GrantDependencies(
            state=DynamoStateStore(dynamodb, settings.state_table),
            audit=AuditLog(dynamodb, settings.audit_table),
            signer=DecisionSigner(await aws.client("kms"), settings.decision_key_alias),
            revoke_verifier=RevokeSigner(
                await aws.client("kms"),
                settings.revocation_key_alias,
                signer=settings.central_role_arn(settings.roles.operator),
            ),
            lakeformation=LakeFormation(await aws.client("lakeformation")),
            catalog=GlueCatalog(await aws.client("glue"), settings.central_account_id),
            notifications=QueueSender(sqs, await queue_url(sqs, notifications), notifications),
            consumer_access=consumer_access_of(aws),
            catalog_id=settings.central_account_id,
            metrics=metrics,
            decision_max_age=timedelta(hours=settings.decision_max_age_hours),
            unverified_audit_per_minute=settings.unverified_audit_per_minute,
            own_principals=settings.own_principals(),
            expiry_warning_days=settings.expiry_warning_days,
            ticket_updates=QueueSender(sqs, await queue_url(sqs, ticket_updates), ticket_updates),
        )

        return [
            Route(
                settings.queues.approvals,
                "grant.approvals",
                decode_approvals_message,
                handler_map(deps),
            )
        ]

    return bootstrap
