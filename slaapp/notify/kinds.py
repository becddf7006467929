"""The descriptors of the built-in alert channels: desktop toasts, email, Slack and a JSON webhook."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from slaapp.notify.channel_kind import (
    PASSWORD,
    TOKEN,
    ChannelContext,
    ChannelKind,
    OptionField,
    SecretField,
)
from slaapp.notify.email import PASSWORD_SECRET, SmtpSettings
from slaapp.notify.email_channel import EmailChannel
from slaapp.notify.slack import URL_SECRET as SLACK_URL_SECRET
from slaapp.notify.slack import SlackChannel
from slaapp.notify.webhook import TOKEN_SECRET, URL_SECRET, WebhookChannel, host_of

if TYPE_CHECKING:
    from slaapp.notify.channels import ChannelSettings


def accepted_by(
    who: Callable[[ChannelSettings], str], url_secret: str
) -> Callable[[ChannelContext, str], str]:
    """The words of a test message that an HTTP receiver took: who, and the host only."""

    def words(context: ChannelContext, address: str) -> str:
        url = context.secrets.get(url_secret) or ""
        return f"Test message accepted by {who(context.settings)} ({host_of(url)})."

    return words


def _email_words(context: ChannelContext, address: str) -> str:
    smtp = context.smtp
    assert smtp is not None  # test_problem refused a test without a mail server
    return f"Test email sent to {address} through {smtp.host}:{smtp.port}."


def _email_line(
    settings: ChannelSettings, smtp: SmtpSettings | None, where: Mapping[str, str]
) -> str:
    return f"SMTP {smtp.host}:{smtp.port}" if smtp else "no SMTP server yet: `slaapp settings smtp`"


DESKTOP = ChannelKind(
    name="desktop", title="Desktop", heading="Desktop notifications",
    switch="Show alerts as desktop notifications",
    switch_tip="A toast with Open and Acknowledge buttons while the app runs",
    default_on=True,
    describe=lambda settings, smtp, where: "toasts on desktops running the app",
)  # fmt: skip
EMAIL = ChannelKind(
    name="email", title="Email",
    purpose="The mail server for alert emails and the weekly scorecard.",
    switch="Send alerts by email",
    switch_tip="Warnings, breaches and escalations go to each person's email address "
    "(on once a mail server is set up)",
    build=lambda context: EmailChannel(context.smtp, context.secrets),
    secrets=(SecretField(
        PASSWORD_SECRET, "smtp.password", "Password", "The SMTP password", "password",
        "Stored in the system keyring, never in the database", holds=PASSWORD,
    ),),
    test_words=_email_words,
    test_problem=lambda context: "" if context.smtp else "Enter the mail server first",
    test_address=True,
    describe=_email_line,
)  # fmt: skip
SLACK = ChannelKind(
    name="slack", title="Slack",
    purpose="Posts alerts to a Slack channel through an incoming webhook.",
    switch="Post alerts to Slack",
    switch_tip="Needs an incoming-webhook URL from Slack's app settings",
    build=lambda context: SlackChannel(context.secrets, context.settings.timeout),
    secrets=(SecretField(
        SLACK_URL_SECRET, "slack.url", "Webhook URL", "The Slack webhook URL", "webhook URL",
        "The incoming-webhook URL; it is a secret, kept in the keyring",
        placeholder="https://hooks.slack.com/services/…", needed=True,
        stdin_option="--slack-webhook-stdin",
    ),),
    test_words=accepted_by(lambda settings: "Slack", SLACK_URL_SECRET),
)  # fmt: skip
WEBHOOK = ChannelKind(
    name="webhook", title="Webhook",
    purpose="Sends each alert as JSON to another tool, e.g. an SMS gateway or a ticketing system.",
    switch="Send alerts to a webhook",
    switch_tip="Every alert is POSTed as JSON; any 2xx answer counts as delivered",
    build=lambda context: WebhookChannel(
        context.secrets, context.settings.timeout, context.settings.option("webhook_title")
    ),
    secrets=(
        SecretField(
            URL_SECRET, "webhook.url", "URL", "The webhook URL", "URL",
            "Where alerts are POSTed; kept in the keyring",
            placeholder="https://hooks.acme.com/slaapp", needed=True,
            stdin_option="--webhook-url-stdin",
        ),
        SecretField(
            TOKEN_SECRET, "webhook.token", "Bearer token", "The token", "token",
            "Sent as 'Authorization: Bearer …' when set; kept in the keyring",
            holds=TOKEN, placeholder="optional", stdin_option="--webhook-token-stdin",
        ),
    ),
    options=(OptionField(
        "webhook_title", "webhook.title", "Name in messages", "the webhook",
        "How failure messages name this webhook", placeholder="the SMS gateway",
        blank="Give the webhook a name for messages, e.g. the SMS gateway",
        cli_option="--webhook-title", cli_help="how messages name the webhook",
    ),),
    test_words=accepted_by(lambda settings: settings.option("webhook_title"), URL_SECRET),
)  # fmt: skip
