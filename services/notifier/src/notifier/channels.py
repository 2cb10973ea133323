"""The ways a message leaves: mail (SMTP or SES) and incoming webhooks (Slack, Teams).

A channel that cannot deliver now (a refused connection, a 5xx, a timeout) raises
`RetryableError`, and the message comes back later; one that is refused for good (an address
the server rejects, a 4xx from a webhook) raises `PermanentError`.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any, Protocol

import aiohttp
import structlog

from meshcore.aws.errors import aws_errors
from meshcore.domain.errors import PermanentError, RetryableError
from meshcore.settings import NotifierSettings, Webhook
from notifier.render import Message, slack_body, teams_body

log = structlog.get_logger()


class Mail(Protocol):
    async def send(self, to: str, message: Message) -> None: ...


class Poster(Protocol):
    """One webhook operators configured."""

    async def post(self, message: Message) -> None: ...


def mail_of(message: Message, sender: str, to: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = message.subject
    mail.set_content(message.text())
    return mail


class SmtpMail:
    """Mail through an SMTP server (STARTTLS and login when configured); smtplib runs on a
    thread so that the worker's loop keeps going."""

    def __init__(self, settings: NotifierSettings) -> None:
        if settings.smtp_username and not settings.smtp_starttls:
            # A login without TLS sends the password in clear to anyone on the path.
            raise ValueError(
                "MESHCORE_NOTIFIER__SMTP_USERNAME needs MESHCORE_NOTIFIER__SMTP_STARTTLS=true"
            )
        self._s = settings

    def _send(self, mail: EmailMessage) -> None:
        s = self._s
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds) as smtp:
            if s.smtp_starttls:
                # The default context verifies the certificate and the host name; smtplib's own
                # (without one) verifies neither.
                smtp.starttls(context=ssl.create_default_context(cafile=s.smtp_ca_file))
            if s.smtp_username:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                smtp.login(s.smtp_username, password)
            smtp.send_message(mail)

    async def send(self, to: str, message: Message) -> None:
        mail = mail_of(message, self._s.from_address, to)
        try:
            await asyncio.to_thread(self._send, mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"smtp: {to} refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentError(f"smtp: {exc.smtp_code} {exc.smtp_error!r}") from exc
            raise RetryableError(f"smtp: {exc.smtp_code} {exc.smtp_error!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise RetryableError(f"smtp {self._s.smtp_host}:{self._s.smtp_port}: {exc}") from exc


class SesMail:
    """Mail through SES SendEmail, from the configured (verified) address."""

    def __init__(self, ses: Any, sender: str) -> None:
        self._ses = ses
        self._sender = sender

    async def send(self, to: str, message: Message) -> None:
        with aws_errors(f"ses:SendEmail to {to}"):
            await self._ses.send_email(
                Source=self._sender,
                Destination={"ToAddresses": [to]},
                Message={
                    "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": message.text(), "Charset": "UTF-8"}},
                },
            )


class NoMail:
    """Mail is off (MESHCORE_NOTIFIER__EMAIL=none): nothing is sent, and the log says what
    would have been."""

    async def send(self, to: str, message: Message) -> None:
        log.info("notify.mail-off", to=to, subject=message.subject)


class WebhookPoster:
    """POSTs a message as JSON to a Slack- or Teams-compatible incoming webhook."""

    def __init__(self, session: aiohttp.ClientSession, name: str, hook: Webhook) -> None:
        self._session = session
        self.name = name
        self._hook = hook

    async def post(self, message: Message) -> None:
        body = slack_body(message) if self._hook.kind == "slack" else teams_body(message)
        try:
            # A redirect is not followed: the body goes to the URL operators configured only.
            async with self._session.post(
                self._hook.url, json=body, allow_redirects=False
            ) as answer:
                status = answer.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            # Neither the URL (a secret) nor the error's text (which may hold it) is told.
            raise RetryableError(f"webhook {self.name}: {type(exc).__name__}") from None
        if status == 429 or status >= 500:
            raise RetryableError(f"webhook {self.name}: HTTP {status}")
        if status >= 300:
            raise PermanentError(f"webhook {self.name}: HTTP {status}")
