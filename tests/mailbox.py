"""A real SMTP server on a local port (aiosmtpd, on its own thread) that keeps every mail it
accepts, optionally offering STARTTLS (a certificate of `tls_certificate`) and asking for a
login over it first."""

from __future__ import annotations

import email
import email.policy
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from meshcore_devstack.processes import free_port

from .local_servers import Closing


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


class Mailbox(Closing):
    def __init__(
        self,
        login: tuple[str, str] | None = None,
        refuse: str = "",
        tls: tuple[str, str] | None = None,
    ) -> None:
        """`tls`: (certificate file, key file) to offer STARTTLS with; a login is then
        accepted only over TLS."""
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
            {"authenticator": authenticate, "auth_required": True, "auth_require_tls": bool(tls)}
            if login
            else {}
        )
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            auth |= {"tls_context": context, "require_starttls": True}
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **auth)
        self._controller.start()

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.mails if address in m.recipients]

    def close(self) -> None:
        self._controller.stop()


def tls_certificate(directory: Any) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and its key, as files in `directory`; the
    certificate is also the CA a client must be told to trust."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = Path(directory) / "smtp.crt", Path(directory) / "smtp.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)
