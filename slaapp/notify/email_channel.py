"""Alerts by email: text and HTML bodies from a Notice, sent with notify/email.py (STARTTLS + login)."""

from __future__ import annotations

import contextlib
import smtplib
import ssl

from slaapp.infra.secrets import CHANGED, SecretError, SecretStore
from slaapp.notify.channel import ChannelError, Notice
from slaapp.notify.email import (
    PASSWORD_SECRET,
    EmailError,
    SmtpSettings,
    check_addresses,
    message,
    send,
)
from slaapp.notify.render import html_body, plain_text, subject
from slaapp.notify.webhook import read_secret


def _retryable(error: EmailError) -> bool:
    """Whether waiting can help: any 4xx answer (greylisting at RCPT included), a dropped
    connection or a timeout; never a refused login, a TLS failure or a 5xx.

    email.py raises `from None`, so the cause stays in __context__.
    """
    cause = error.__context__
    if isinstance(cause, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in cause.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(cause, smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError):
        return False
    if isinstance(cause, ssl.SSLError):
        return False
    if isinstance(cause, smtplib.SMTPResponseException):
        return 400 <= cause.smtp_code < 500  # 4xx: try again later; 5xx: permanent
    return isinstance(cause, smtplib.SMTPException | OSError)


class EmailChannel:
    """Mails one notice to `notice.address` through the stored SMTP settings."""

    name = "email"

    def __init__(self, settings: SmtpSettings | None, secrets: SecretStore) -> None:
        self.settings = settings
        self.secrets = secrets

    def problem(self) -> str:
        """Why it cannot deliver now ("" when it can)."""
        if self.settings is None:
            return "no mail server set up yet (Settings > Email, or `slaapp settings smtp`)"
        if not (self.settings.sender or self.settings.username):
            return "no sender address set for the mail server"
        if self.settings.username:
            with contextlib.suppress(SecretError):
                if self.secrets.status(PASSWORD_SECRET, self.settings.endpoint) == CHANGED:
                    return (
                        "the SMTP password was entered for another mail server than the one the "
                        "settings now name: enter it again in Settings > Email"
                    )
        return ""

    def send(self, notice: Notice) -> None:
        if self.settings is None:
            raise ChannelError(
                "email: no SMTP settings yet; run `slaapp settings smtp --host ... --sender ...`",
                retryable=False,
            )
        if not notice.address:
            raise ChannelError(
                f"email: {notice.recipient_name} ({notice.recipient_key}) has no email address in "
                "the people directory",
                retryable=False,
            )
        try:
            recipients = check_addresses([notice.address])
        except ValueError as exc:
            raise ChannelError(
                f"email to {notice.recipient_name}: {exc} (fix it in the people directory)",
                retryable=False,
            ) from None
        password = (
            read_secret(self.secrets, PASSWORD_SECRET, "email", self.settings.endpoint)
            if self.settings.username
            else None
        )
        mail = message(self.settings, recipients, subject(notice), plain_text(notice))
        mail.add_alternative(html_body(notice), subtype="html")
        try:
            send(self.settings, password, mail)
        except EmailError as exc:
            retry = _retryable(exc)
            raise ChannelError(
                f"email: {exc}" + ("; will retry" if retry else ""), retryable=retry
            ) from None
