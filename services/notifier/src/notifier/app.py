"""The notifier's composition root."""

from __future__ import annotations

import aiohttp

from meshcore.aws.clients import AsyncAws
from meshcore.aws.notifications import DynamoNotificationStore
from meshcore.aws.state import DynamoStateStore
from meshcore.messages.decode import decode_notifications_message
from meshcore.runtime.metrics import Metrics
from meshcore.runtime.worker import Bootstrap, Route
from meshcore.settings import MeshSettings
from notifier.channels import Mail, NoMail, SesMail, SmtpMail, WebhookPoster
from notifier.handlers import NotifierDependencies, handler_map


def make_bootstrap(settings: MeshSettings) -> Bootstrap:
    async def bootstrap(aws: AsyncAws, metrics: Metrics) -> list[Route]:
        notifier = settings.notifier
        mail: Mail
        if notifier.email == "smtp":
            mail = SmtpMail(notifier)
        elif notifier.email == "ses":
            mail = SesMail(await aws.client("ses"), notifier.from_address)
        else:
            mail = NoMail()
        session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=notifier.webhook_timeout_seconds)
        )
        aws.on_close(session.close)
        dynamodb = await aws.client("dynamodb")
        deps = NotifierDependencies(
            store=DynamoNotificationStore(dynamodb, settings.state_table),
            directory=DynamoStateStore(dynamodb, settings.state_table),
            mail=mail,
            webhooks={
                name: WebhookPoster(session, name, hook) for name, hook in notifier.webhooks.items()
            },
            metrics=metrics,
            operators=notifier.operators,
            default_channels=notifier.default_channels,
        )
        return [
            Route(
                settings.queues.notifications,
                "notify.notifications",
                decode_notifications_message,
                handler_map(deps),
            )
        ]

    return bootstrap
