"""The configured alert channels, built from the stored settings and the keyring; test messages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from slaapp.models.database import Database
from slaapp.models.settings import get_setting, put_setting
from slaapp.notify.channel import Channel, Notice
from slaapp.notify.email import SmtpSettings
from slaapp.notify.email_channel import EmailChannel
from slaapp.notify.secrets import SecretStore
from slaapp.notify.slack import SlackChannel
from slaapp.notify.webhook import WebhookChannel

SETTINGS_KEY = "notify.channels"
SMTP_KEY = "smtp"
"""Shared with slaapp.services.scorecard_delivery.SMTP_KEY: scorecards and alerts use the same mail server."""
SECRETS = {
    "email": ("smtp_password",),
    "slack": ("slack_webhook_url",),
    "webhook": ("webhook_url", "webhook_token"),
}
"""Keyring names each channel reads (never stored in settings or the database)."""


@dataclass(frozen=True)
class ChannelSettings:
    """Which channels deliver alerts, declared once with their defaults (stored as JSON)."""

    desktop: bool = True
    """Desktop toasts on this computer."""
    email: bool = True
    """Mail through the SMTP server of Settings (the scorecards' one)."""
    slack: bool = False
    """Slack incoming webhook (URL in the keyring as `slack_webhook_url`)."""
    webhook: bool = False
    """Generic JSON webhook (URL `webhook_url`, optional bearer token `webhook_token`)."""
    webhook_title: str = "the webhook"
    """How messages name the generic webhook, e.g. `the SMS gateway`."""
    timeout: float = 10.0
    """Seconds to wait for Slack or the webhook before retrying later."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> ChannelSettings:
        """Unknown keys are ignored and missing ones take their default (settings upgrade)."""
        known = {f.name: value[f.name] for f in fields(cls) if f.name in value}
        return cls(**known)

    def enabled(self, name: str) -> bool:
        return bool(getattr(self, name, False))


def load_channel_settings(database: Database) -> tuple[ChannelSettings, SmtpSettings | None]:
    with database.session() as session:
        stored = get_setting(session, SETTINGS_KEY)
        smtp = get_setting(session, SMTP_KEY)
    config = ChannelSettings() if stored is None else ChannelSettings.from_dict(stored)
    return config, None if smtp is None else SmtpSettings.from_dict(smtp)


def save_channel_settings(database: Database, config: ChannelSettings, now: int) -> None:
    with database.session() as session:
        put_setting(session, SETTINGS_KEY, config.to_dict(), now)


def make_channels(
    config: ChannelSettings,
    smtp: SmtpSettings | None,
    secrets: SecretStore,
    extra: Iterable[Channel] = (),
) -> dict[str, Channel]:
    """The enabled channels by name; `extra` adds channels built elsewhere (the desktop toaster)."""
    built: list[Channel] = [
        EmailChannel(smtp, secrets),
        SlackChannel(secrets, config.timeout),
        WebhookChannel(secrets, config.timeout, config.webhook_title),
        *extra,
    ]
    return {channel.name: channel for channel in built if config.enabled(channel.name)}


def build_channels(
    database: Database, secrets: SecretStore | None = None, extra: Iterable[Channel] = ()
) -> dict[str, Channel]:
    """Load the settings (one unit of work) and build the enabled channels."""
    config, smtp = load_channel_settings(database)
    return make_channels(config, smtp, secrets or SecretStore(), extra)


def sample_notice(channel: str, recipient_name: str, address: str | None) -> Notice:
    """A harmless message that proves a channel works end to end."""
    return Notice(
        alert_ids=(),
        severity="warning",
        recipient_key="test",
        recipient_name=recipient_name,
        address=address,
        title=f"Test message for the {channel} channel",
        lines=(
            "This is a test from slaapp: alerts will arrive here.",
            "Nothing to do: no SLA is at risk.",
        ),
    )


def send_test(channel: Channel, recipient_name: str, address: str | None = None) -> None:
    """Send a test message through `channel`; ChannelError says why it failed."""
    channel.send(sample_notice(channel.name, recipient_name, address))
