"""What a kind of alert channel declares once: its settings, its secrets, how it is built and tested."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slaapp.infra.secrets import SecretStore, env_var
from slaapp.notify.channel import Channel
from slaapp.notify.email import SmtpSettings

if TYPE_CHECKING:
    from slaapp.notify.channels import ChannelSettings

URL, TOKEN, PASSWORD = "url", "token", "password"
"""What a secret holds, which says how a typed value is checked."""


@dataclass(frozen=True)
class SecretField:
    """A secret a channel reads from the secrets store, and the form field that edits it.

    `name` is its keyring name (its variable is `env`); `field` the form field key
    (`<channel>.<attribute>`); `what` names it in messages, `short` in `slaapp settings
    channels`; `needed` refuses to turn the channel on without it; `stdin_option` is the
    `slaapp settings channels` option that reads it from standard input.
    """

    name: str
    field: str
    label: str
    what: str
    short: str
    tip: str
    holds: str = URL
    placeholder: str = ""
    needed: bool = False
    stdin_option: str = ""

    @property
    def env(self) -> str:
        return env_var(self.name)

    @property
    def attribute(self) -> str:
        """The editor's attribute on the channel's Settings section, e.g. `url`."""
        return self.field.rpartition(".")[2]


@dataclass(frozen=True)
class OptionField:
    """A text option of a channel, stored in the `notify.channels` setting beside the switches.

    `blank` is the message when it is left empty ("" when it may be empty); `cli_option`
    sets it in `slaapp settings channels`.
    """

    name: str
    field: str
    label: str
    default: str
    tip: str
    placeholder: str = ""
    blank: str = ""
    cli_option: str = ""
    cli_help: str = ""

    @property
    def attribute(self) -> str:
        return self.field.rpartition(".")[2]


@dataclass(frozen=True)
class ChannelContext:
    """What a channel is built from: the channel settings, the mail server and the secrets."""

    settings: ChannelSettings
    smtp: SmtpSettings | None
    secrets: SecretStore


Describe = Callable[["ChannelSettings", SmtpSettings | None, Mapping[str, str]], str]
"""(settings, mail server, where each secret is in words) -> one line for the CLI."""


def _ready(context: ChannelContext) -> str:
    return ""


@dataclass(frozen=True)
class ChannelKind:
    """One kind of alert channel, declared once; slaapp.notify.channels.CHANNEL_KINDS lists them.

    `name` is the switch in the settings, the key of rate limits and matrix steps and the
    `--name on|off` option; `title` labels it, `heading` and `purpose` head its Settings
    section, `switch` and `switch_tip` are its check box. `build` makes the channel (None:
    the desktop app builds it). `test_words` says what a test message did (None: no test
    button); `test_problem` why a test cannot be sent yet; `test_address` asks where the
    test goes. `describe` gives its line in `slaapp settings channels` (None: its options
    and where its secrets are).
    """

    name: str
    title: str
    switch: str
    switch_tip: str
    purpose: str = ""
    heading: str = ""
    default_on: bool = False
    build: Callable[[ChannelContext], Channel] | None = None
    secrets: tuple[SecretField, ...] = ()
    options: tuple[OptionField, ...] = ()
    test_words: Callable[[ChannelContext, str], str] | None = None
    test_problem: Callable[[ChannelContext], str] = _ready
    test_address: bool = False
    describe: Describe | None = None

    @property
    def section_title(self) -> str:
        return self.heading or self.title

    def summary(
        self, settings: ChannelSettings, smtp: SmtpSettings | None, where: Mapping[str, str]
    ) -> str:
        """Its line in `slaapp settings channels`: never a secret, only where each one is."""
        if self.describe is not None:
            return self.describe(settings, smtp, where)
        secrets = ", ".join(f"{s.short} {where[s.name]}" for s in self.secrets)
        options = ", ".join(settings.option(o.name) for o in self.options)
        return f"{options}: {secrets}" if options and secrets else options or secrets
