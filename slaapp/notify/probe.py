"""Test messages from the Settings form as typed, before saving: any channel kind that has a test."""

from __future__ import annotations

from slaapp.engine.errors import UserError
from slaapp.infra.secrets import Secret, SecretStore
from slaapp.notify.channel import ChannelError
from slaapp.notify.channel_kind import URL, ChannelContext
from slaapp.notify.channels import channel_kind, send_test
from slaapp.notify.email import check_addresses
from slaapp.notify.settings_form import SettingsForm, url_problem


class TypedSecrets(SecretStore):
    """The secrets typed in the form first, then the store (the environment, the keyring)."""

    def __init__(self, typed: dict[str, str], store: SecretStore) -> None:
        super().__init__(store.service)
        self._typed = {name: value.strip() for name, value in typed.items() if value.strip()}
        self._store = store

    def get(self, secret: str | Secret, endpoint: str | None = None) -> str | None:
        """A value typed in the form is for the server the form names; else the store's."""
        name = secret.name if isinstance(secret, Secret) else secret
        return self._typed.get(name) or self._store.get(secret, endpoint)


class ProbeError(UserError, ValueError):
    """A test message did not go through (the screen shows it next to the test button)."""


def send_probe(form: SettingsForm, channel: str, store: SecretStore, address: str = "") -> str:
    """Send a test message through `channel` as the form stands; what happened, or ProbeError."""
    kind = channel_kind(channel)
    if kind.build is None or kind.test_words is None:
        raise ProbeError(f"{kind.title} has no test message")
    secrets = TypedSecrets(dict(form.secrets), store)
    context = ChannelContext(form.channels, form.smtp if form.smtp.host else None, secrets)
    problem = kind.test_problem(context)
    if problem:
        raise ProbeError(problem)
    if kind.test_address:
        try:
            address = check_addresses([address])[0]
        except ValueError as exc:
            raise ProbeError(f"Test address: {exc}") from None
    for secret in kind.secrets:
        typed = form.typed(secret.name)
        problem = url_problem(typed, "The URL") if typed and secret.holds == URL else ""
        if problem:
            raise ProbeError(problem)
    try:
        send_test(kind.build(context), "slaapp settings test", address or None)
    except ChannelError as exc:
        raise ProbeError(str(exc)) from None
    return kind.test_words(context, address)
