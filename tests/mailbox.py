"""A real SMTP server on a local port (aiosmtpd, on its own thread) that keeps every mail it
accepts, optionally asking for a login first."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from meshcore_devstack.processes import free_port


@dataclass(frozen=True)
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return str(self.message.get_content())


class Mailbox:
    def __init__(self, login: tuple[str, str] | None = None, refuse: str = "") -> None:
        self.mails: list[Mail] = []
        self.logins: list[str] = []
        box = self

        class Handler:
            async def handle_RCPT(
                self, server: Any, session: Any, envelope: Any, address: str, options: Any
            ) -> str:
                if refuse and address == refuse:
                    return "550 5.1.1 no such mailbox"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
                assert isinstance(parsed, EmailMessage)
                box.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
                return "250 Message accepted"

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            ok = (
                login is not None
                and isinstance(data, LoginPassword)
                and (data.login.decode(), data.password.decode()) == login
            )
            if ok:
                box.logins.append(data.login.decode())
            return AuthResult(success=ok)

        self.port = free_port()
        auth: dict[str, Any] = (
            {"authenticator": authenticate, "auth_required": True, "auth_require_tls": False}
            if login
            else {}
        )
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **auth)
        self._controller.start()

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.mails if address in m.recipients]

    def close(self) -> None:
        self._controller.stop()

    def __enter__(self) -> Mailbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
