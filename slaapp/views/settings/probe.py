"""Test messages from the Settings form as typed (before saving): email, Slack, webhook (no Qt)."""

from __future__ import annotations

from slaapp.engine.errors import UserError
from slaapp.notify.channel import Channel, ChannelError
from slaapp.notify.channels import send_test
from slaapp.notify.email import check_addresses
from slaapp.notify.email_channel import EmailChannel
from slaapp.notify.secrets import SecretStore
from slaapp.notify.settings_form import SettingsForm, url_problem
from slaapp.notify.slack import SlackChannel
from slaapp.notify.webhook import WebhookChannel, host_of


class TypedSecrets(SecretStore):
    """The secrets typed in the form first, then the keyring (or the environment)."""

    def __init__(self, typed: dict[str, str], store: SecretStore) -> None:
        super().__init__(store.service)
        self._typed = {name: value.strip() for name, value in typed.items() if value.strip()}
        self._store = store

    def get(self, name: str) -> str | None:
        return self._typed.get(name) or self._store.get(name)


class ProbeError(UserError, ValueError):
    """A test message did not go through (the screen shows it next to the test button)."""


def _channel(form: SettingsForm, name: str, secrets: SecretStore) -> Channel:
    if name == "email":
        return EmailChannel(form.smtp if form.smtp.host else None, secrets)
    if name == "slack":
        return SlackChannel(secrets, form.channels.timeout)
    return WebhookChannel(secrets, form.channels.timeout, form.channels.webhook_title)


def send_probe(form: SettingsForm, channel: str, store: SecretStore, address: str = "") -> str:
    """Send a test message through `channel` as the form stands; what happened, or ProbeError."""
    if channel == "email":
        if not form.smtp.host:
            raise ProbeError("Enter the mail server first")
        try:
            address = check_addresses([address])[0]
        except ValueError as exc:
            raise ProbeError(f"Test address: {exc}") from None
    for name in ("slack_webhook_url", "webhook_url"):
        typed = form.typed(name)
        problem = url_problem(typed, "The URL") if typed else ""
        if problem and name.startswith(channel):
            raise ProbeError(problem)
    secrets = TypedSecrets(dict(form.secrets), store)
    try:
        send_test(_channel(form, channel, secrets), "slaapp settings test", address or None)
    except ChannelError as exc:
        raise ProbeError(str(exc)) from None
    if channel == "email":
        return f"Test email sent to {address} through {form.smtp.host}:{form.smtp.port}."
    url = secrets.get("slack_webhook_url" if channel == "slack" else "webhook_url") or ""
    where = "Slack" if channel == "slack" else form.channels.webhook_title
    return f"Test message accepted by {where} ({host_of(url)})."
