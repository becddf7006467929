"""Microsoft Teams through a Workflows incoming webhook: one Adaptive Card per message."""

from __future__ import annotations

import json

from slaapp.infra.secrets import SecretStore
from slaapp.notify.channel import ChannelError, Notice
from slaapp.notify.channel_kind import ChannelKind, SecretField
from slaapp.notify.kinds import accepted_by
from slaapp.notify.render import teams_payload
from slaapp.notify.webhook import (
    Answer,
    missing_secret,
    post_json,
    read_secret,
    secret_problem,
    status_error,
)

URL_SECRET = "teams_webhook_url"
WHAT = "Teams"
ADVICE = "check the workflow behind the webhook in Teams (Workflows app), or create a new one"


def said(answer: Answer) -> str:
    """The words of an error body: `error.message` (Power Automate) or `message`, else the text."""
    try:
        found = json.loads(answer.body)
    except ValueError:
        return answer.body
    if isinstance(found, dict):
        error = found.get("error")
        inner = error if isinstance(error, dict) else found
        message, code = inner.get("message"), inner.get("code")
        if isinstance(message, str) and message:
            return f"{message} ({code})" if isinstance(code, str) and code else message
    return answer.body


def teams_error(answer: Answer) -> ChannelError:
    """429 (after Retry-After) and 5xx are retried; any other answer needs a person."""
    if answer.status == 429:
        wait = answer.retry_after if answer.retry_after is not None else 1.0
        return ChannelError(
            f"Teams is rate limiting this webhook (429); will retry in {wait:g} s",
            retryable=True,
            retry_after=wait,
        )
    return status_error(Answer(answer.status, said(answer), answer.retry_after), WHAT, ADVICE)


class TeamsChannel:
    """Posts a card to the Workflows webhook URL stored in the keyring as `teams_webhook_url`."""

    name = "teams"

    def __init__(self, secrets: SecretStore, timeout: float = 10.0) -> None:
        self.secrets = secrets
        self.timeout = timeout

    def problem(self) -> str:
        """Why it cannot deliver now ("" when it can)."""
        return secret_problem(self.secrets, URL_SECRET, "Teams webhook URL")

    def send(self, notice: Notice) -> None:
        url = read_secret(self.secrets, URL_SECRET, WHAT)
        if not url:
            raise missing_secret(f"{WHAT} webhook", URL_SECRET)
        answer = post_json(url, teams_payload(notice), WHAT, {}, self.timeout)
        if not 200 <= answer.status < 300:  # Workflows answers 202 Accepted
            raise teams_error(answer)


TEAMS = ChannelKind(
    name="teams", title="Teams",
    purpose="Posts alerts as cards to a Microsoft Teams chat or channel through a Workflows webhook.",
    switch="Post alerts to Teams",
    switch_tip="Needs the URL of a Teams workflow 'When a Teams webhook request is received'",
    build=lambda context: TeamsChannel(context.secrets, context.settings.timeout),
    secrets=(SecretField(
        URL_SECRET, "teams.url", "Webhook URL", "The Teams webhook URL", "webhook URL",
        "The workflow's HTTP POST URL; it is a secret, kept in the keyring",
        placeholder="https://prod-00.westus.logic.azure.com/workflows/…", needed=True,
        stdin_option="--teams-webhook-stdin",
    ),),
    test_words=accepted_by(lambda settings: "Teams", URL_SECRET),
)  # fmt: skip
