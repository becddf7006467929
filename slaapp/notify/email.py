"""Email over SMTP with STARTTLS and login; the password comes from the keyring, never settings."""

from __future__ import annotations

import mimetypes
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from slaapp.engine.errors import BadInputError, UserError
from slaapp.models.settings import SMTP

PASSWORD_SECRET = "smtp_password"
LOOPBACK = ("127.0.0.1", "::1", "localhost")
"""Hosts a password may reach without TLS: this machine (tests, a local relay)."""


class EmailError(UserError):
    """Mail could not be sent; the message says why in plain words."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail: the `smtp` setting (the password is a secret, kept elsewhere)."""

    host: str
    port: int = 587
    username: str = ""
    sender: str = ""
    starttls: bool = True
    ca_file: str = ""
    timeout: float = 20.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def endpoint(self) -> str:
        """Where the password goes (host, port, user, TLS, trusted CAs): a stored password is
        sent only to the endpoint it was entered for (SecretStore.get)."""
        scheme = "smtp+starttls" if self.starttls else "smtp"
        trust = f" (CA file {self.ca_file})" if self.ca_file else ""
        return f"{scheme}://{self.username}@{self.host}:{self.port}{trust}"

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> SmtpSettings:
        """From stored JSON: missing members take their defaults, a wrong one is a BadInputError."""
        return cls(**SMTP.check(value))


def check_addresses(addresses: Sequence[str]) -> list[str]:
    """Clean recipient addresses; ValueError naming any that is not an address."""
    cleaned = [a.strip() for a in addresses if a.strip()]
    bad = [a for a in cleaned if "@" not in a or a.startswith("@") or a.endswith("@") or " " in a]
    if bad:
        raise BadInputError(f"not an email address: {', '.join(bad)}")
    if not cleaned:
        raise BadInputError("no recipients given")
    return cleaned


def message(
    settings: SmtpSettings,
    recipients: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Path] = (),
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.sender or settings.username
    mail["To"] = ", ".join(recipients)
    mail["Subject"] = subject
    mail.set_content(body)
    for path in attachments:
        kind, _ = mimetypes.guess_type(path.name)
        main, sub = (kind or "application/octet-stream").split("/", 1)
        mail.add_attachment(path.read_bytes(), maintype=main, subtype=sub, filename=path.name)
    return mail


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def send(settings: SmtpSettings, password: str | None, mail: EmailMessage) -> None:
    """Send over STARTTLS (unless disabled) with login when a username is set."""
    if not mail["From"]:
        raise EmailError("no sender address: set the SMTP sender (or username) first")
    if settings.username and not settings.starttls and settings.host not in LOOPBACK:
        raise EmailError(
            f"refusing to send the SMTP password to {settings.host} unencrypted: turn STARTTLS "
            "on (or use a server on this machine)"
        )
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                context = ssl.create_default_context(cafile=settings.ca_file or None)
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, password or "")
            smtp.send_message(mail)
    except smtplib.SMTPAuthenticationError:
        raise EmailError(
            f"the mail server {settings.host} refused the login of {settings.username!r}; check the password"
        ) from None
    except smtplib.SMTPNotSupportedError:
        if not settings.starttls:
            raise EmailError(
                f"the mail server {settings.host} does not offer login (AUTH) without encryption; "
                "turn STARTTLS on, or leave the login empty if it accepts mail without one"
            ) from None
        raise EmailError(
            f"the mail server {settings.host} does not offer STARTTLS; ask for its TLS port or turn STARTTLS off"
        ) from None
    except ssl.SSLError as exc:
        raise EmailError(
            f"the TLS connection to {settings.host} failed ({exc.reason}); check the server certificate"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        words = "; ".join(
            f"{address} ({code} {_text(reply)})"
            for address, (code, reply) in exc.recipients.items()
        )
        raise EmailError(f"the mail server {settings.host} refused {words}") from None
    except smtplib.SMTPException as exc:
        raise EmailError(f"the mail server {settings.host} answered: {exc}") from None
    except (TimeoutError, OSError) as exc:
        raise EmailError(
            f"cannot reach the mail server {settings.host}:{settings.port} ({exc})"
        ) from None
