"""The alert channels: their registry, their stored settings, the enabled ones built, test messages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from slaapp.engine.errors import BadInputError
from slaapp.infra.secrets import SecretStore, default_store
from slaapp.models.database import Database
from slaapp.models.setting_audit import put_audited
from slaapp.models.settings import CHANNELS, SMTP, get_setting
from slaapp.notify.channel import Channel, Notice
from slaapp.notify.channel_kind import ChannelContext, ChannelKind, SecretField
from slaapp.notify.email import SmtpSettings
from slaapp.notify.kinds import DESKTOP, EMAIL, SLACK, WEBHOOK
from slaapp.notify.sms import SMS
from slaapp.notify.teams import TEAMS

CHANNEL_KINDS: tuple[ChannelKind, ...] = (DESKTOP, EMAIL, SLACK, TEAMS, WEBHOOK, SMS)
"""Every alert channel, in the order screens and commands show them. A new channel is one
module (its Channel class and its ChannelKind) and one entry here; its name must also be
in slaapp.engine.matrix.CHANNELS, the words a matrix step may use (a test checks both)."""


def channel_kind(name: str) -> ChannelKind:
    for kind in CHANNEL_KINDS:
        if kind.name == name:
            return kind
    known = ", ".join(k.name for k in CHANNEL_KINDS)
    raise BadInputError(f"no channel named {name!r} (channels: {known})")


def channel_names() -> tuple[str, ...]:
    return tuple(kind.name for kind in CHANNEL_KINDS)


def secret_fields() -> tuple[SecretField, ...]:
    """Every secret of every channel (never stored in settings or the database)."""
    return tuple(secret for kind in CHANNEL_KINDS for secret in kind.secrets)


def _defaults() -> dict[str, bool | str]:
    values: dict[str, bool | str] = {}
    for kind in CHANNEL_KINDS:
        values[kind.name] = kind.default_on
        values.update({option.name: option.default for option in kind.options})
    return values


@dataclass(frozen=True, init=False)
class ChannelSettings:
    """Which channels deliver alerts, and their text options (the `notify.channels` setting).

    One member per channel kind (its switch, e.g. `slack`) and per option of a kind (e.g.
    `webhook_title`), defaulting to what the kinds declare. Read them as attributes
    (`settings.slack`), or with `enabled(name)` and `option(name)`; `timeout` is how long
    Slack or a webhook may take, in seconds.
    """

    values: tuple[tuple[str, bool | str], ...]
    timeout: float

    def __init__(self, timeout: float = CHANNELS.default["timeout"], **values: bool | str) -> None:
        defaults = _defaults()
        unknown = sorted(set(values) - set(defaults))
        if unknown:
            raise TypeError(f"no channel or channel option named {unknown[0]!r}")
        object.__setattr__(self, "values", tuple({**defaults, **values}.items()))
        object.__setattr__(self, "timeout", float(timeout))

    def __getattr__(self, name: str) -> Any:
        for member, value in self.__dict__.get("values", ()):
            if member == name:
                return value
        raise AttributeError(f"ChannelSettings has no member {name!r}")

    def enabled(self, name: str) -> bool:
        return dict(self.values).get(name) is True

    def option(self, name: str) -> str:
        return str(dict(self.values)[name])

    def changed(self, **changes: Any) -> ChannelSettings:
        return ChannelSettings(**{**dict(self.values), "timeout": self.timeout, **changes})

    def to_dict(self) -> dict[str, Any]:
        return {**dict(self.values), "timeout": self.timeout}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> ChannelSettings:
        """Members no kind declares are ignored, missing ones take their default (upgrades)."""
        members: dict[str, Any] = {}
        for name, default in _defaults().items():
            if name not in value:
                continue
            if type(value[name]) is not type(default):
                words = "true or false" if isinstance(default, bool) else "text"
                raise BadInputError(
                    f"setting {CHANNELS.key!r} field {name!r}: expected {words}, got {value[name]!r}"
                )
            members[name] = value[name]
        return cls(CHANNELS.check(value)["timeout"], **members)


def load_channel_settings(database: Database) -> tuple[ChannelSettings, SmtpSettings | None]:
    with database.session() as session:
        stored = get_setting(session, CHANNELS)
        smtp = get_setting(session, SMTP)
    config = ChannelSettings() if stored is None else ChannelSettings.from_dict(stored)
    return config, None if smtp is None else SmtpSettings.from_dict(smtp)


def save_channel_settings(database: Database, config: ChannelSettings, now: int) -> None:
    """Store which channels deliver alerts; the change is audited."""
    with database.session() as session:
        put_audited(session, CHANNELS, config.to_dict(), now)


def make_channels(
    config: ChannelSettings,
    smtp: SmtpSettings | None,
    secrets: SecretStore,
    extra: Iterable[Channel] = (),
) -> dict[str, Channel]:
    """The enabled channels by name; `extra` adds channels built elsewhere (the desktop toaster)."""
    context = ChannelContext(config, smtp, secrets)
    built = [
        kind.build(context) for kind in CHANNEL_KINDS if kind.build and config.enabled(kind.name)
    ]
    return {channel.name: channel for channel in (*built, *extra) if config.enabled(channel.name)}


def build_channels(
    database: Database, secrets: SecretStore | None = None, extra: Iterable[Channel] = ()
) -> dict[str, Channel]:
    """Load the settings (one unit of work) and build the enabled channels."""
    config, smtp = load_channel_settings(database)
    return make_channels(config, smtp, secrets or default_store(), extra)


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
