"""Slack incoming webhooks: blocks plus a text fallback; Slack's plain-text errors in clear words."""

from __future__ import annotations

from slaapp.infra.secrets import SecretStore
from slaapp.notify.channel import ChannelError, Notice
from slaapp.notify.render import slack_payload
from slaapp.notify.webhook import (
    Answer,
    missing_secret,
    post_json,
    read_secret,
    secret_problem,
    status_error,
)

URL_SECRET = "slack_webhook_url"
WHAT = "Slack"

# Slack's documented error bodies: what happened and what the user can do about it.
KNOWN_ERRORS = {
    "invalid_payload": "Slack rejected the message as malformed (400 invalid_payload); "
    "this is a slaapp bug, please report it",
    "user_not_found": "the Slack user who made this webhook no longer exists (400 user_not_found): "
    "create a new webhook",
    "action_prohibited": "a Slack admin blocked posting to this channel (403 action_prohibited): "
    "ask them, or choose another webhook",
    "channel_not_found": "the Slack channel of this webhook no longer exists (404 channel_not_found): "
    "choose another webhook",
    "channel_is_archived": "the Slack channel is archived (410): choose another webhook",
    "no_service": "this Slack webhook was revoked or disabled (404 no_service): create a new webhook",
    "invalid_token": "this Slack webhook's token is no longer valid (403 invalid_token): "
    "create a new webhook",
}


def slack_error(answer: Answer) -> ChannelError:
    """Map a non-`ok` answer: 4xx need a person (except 429), 429 and 5xx are retried."""
    if answer.status == 429:
        wait = answer.retry_after
        return ChannelError(
            f"Slack is rate limiting this webhook (429); will retry in {wait if wait is not None else 1:g} s",
            retryable=True,
            retry_after=wait if wait is not None else 1.0,
        )
    if answer.status < 500 and answer.body in KNOWN_ERRORS:
        return ChannelError(KNOWN_ERRORS[answer.body], retryable=False)
    if answer.status == 200:
        return ChannelError(
            f"Slack answered 200 without 'ok' ({answer.body or 'empty body'}); is this a Slack webhook URL?",
            retryable=False,
        )
    return status_error(answer, WHAT, "check the webhook in Slack's app settings")


class SlackChannel:
    """Posts to the incoming-webhook URL stored in the keyring as `slack_webhook_url`."""

    name = "slack"

    def __init__(self, secrets: SecretStore, timeout: float = 10.0) -> None:
        self.secrets = secrets
        self.timeout = timeout

    def problem(self) -> str:
        """Why it cannot deliver now ("" when it can)."""
        return secret_problem(self.secrets, URL_SECRET, "Slack webhook URL")

    def send(self, notice: Notice) -> None:
        url = read_secret(self.secrets, URL_SECRET, WHAT)
        if not url:
            raise missing_secret(f"{WHAT} webhook", URL_SECRET)
        answer = post_json(url, slack_payload(notice), WHAT, {}, self.timeout)
        if answer.status != 200 or answer.body != "ok":
            raise slack_error(answer)
