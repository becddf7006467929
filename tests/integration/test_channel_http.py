"""Slack and the generic webhook against a real HTTP server on 127.0.0.1: bodies and every failure."""

from __future__ import annotations

import traceback

import pytest

from slaapp.infra.secrets import SecretStore
from slaapp.notify.channel import ChannelError, Notice
from slaapp.notify.render import WEBHOOK_FORMAT
from slaapp.notify.slack import SlackChannel
from slaapp.notify.webhook import WebhookChannel, retry_after_seconds

from .fake_slack import (
    ARCHIVED,
    INVALID_PAYLOAD,
    RATE_LIMITED,
    ROLLUP_ERROR,
    UNAUTHORIZED,
    USER_NOT_FOUND,
    fake_slack,
)
from .smtp_server import free_port

BREACH = Notice(
    alert_ids=(41, 42),
    severity="breach",
    recipient_key="marcus.hill",
    recipient_name="Marcus Hill",
    address="marcus.hill@northwind.example",
    title="Breached: MQL to first contact for Bluepeak Logistics <Inc.> & Co. (Ben Carter)",
    lines=(
        "What: MQL to first contact (Enterprise), target 1 h",
        "For: Bluepeak Logistics <Inc.> & Co., owned by Ben Carter (SDR)",
        "Late by: 1 h 20 min of business time",
        "Deal value: $160,000",
        "Source: Webinar · Tier: Enterprise",
        "Ben Carter's open load: 17 open clocks (capacity 60)",
        "Record: HubSpot 9001 · https://crm.example/contacts/9001",
    ),
    link="https://crm.example/contacts/9001",
    record_id=9001,
)


@pytest.fixture
def slack(monkeypatch):
    with fake_slack() as fake:
        monkeypatch.setenv("SLAAPP_SECRET_SLACK_WEBHOOK_URL", fake.url)
        yield fake


def test_slack_posts_blocks_with_a_text_fallback_and_a_link_button(slack):
    SlackChannel(SecretStore()).send(BREACH)
    (body,) = slack.bodies
    assert slack.paths == ["/services/T000/B000/XXXXSECRETXXXX"]
    assert body["text"] == (  # Slack reads `text` as mrkdwn too: CRM data cannot ping or link
        "Breached: MQL to first contact for Bluepeak Logistics &lt;Inc.&gt; &amp; Co. "
        "(Ben Carter) (to Marcus Hill)"
    )
    title, lines, context, actions = body["blocks"]
    assert title["text"]["text"] == (
        ":rotating_light: *Breached: MQL to first contact for "
        "Bluepeak Logistics &lt;Inc.&gt; &amp; Co. (Ben Carter)*"
    )
    assert lines["text"]["text"].splitlines()[2:] == list(BREACH.lines[2:])
    assert "For: Bluepeak Logistics &lt;Inc.&gt; &amp; Co., owned by" in lines["text"]["text"]
    assert context["elements"][0]["text"] == "SLA breach · addressed to Marcus Hill"
    (button,) = actions["elements"]
    assert button["url"] == "https://crm.example/contacts/9001"
    assert button["text"]["text"] == "Open the record"


def failure(send, *args) -> ChannelError:
    """The ChannelError that `send(*args)` raises."""
    with pytest.raises(ChannelError) as caught:
        send(*args)
    return caught.value


@pytest.mark.parametrize(
    ("reply", "retryable", "words"),
    [
        (INVALID_PAYLOAD, False, "malformed (400 invalid_payload)"),
        (USER_NOT_FOUND, False, "no longer exists (400 user_not_found): create a new webhook"),
        (ARCHIVED, False, "the Slack channel is archived (410): choose another webhook"),
        (ROLLUP_ERROR, True, "Slack is busy or failing (500 rollup_error); will retry"),
        (RATE_LIMITED, True, "rate limiting this webhook (429); will retry in 1 s"),
    ],
)
def test_slack_failures_say_what_to_do_and_whether_to_retry(slack, reply, retryable, words):
    slack.script.append(reply)
    error = failure(SlackChannel(SecretStore()).send, BREACH)
    assert words in str(error)
    assert error.retryable is retryable
    assert error.retry_after == (1.0 if reply is RATE_LIMITED else None)
    assert "XXXXSECRETXXXX" not in str(error) and "services" not in str(error)
    assert "XXXXSECRETXXXX" not in "".join(traceback.format_exception(error))


def test_slack_is_retried_after_a_rate_limit_and_then_delivers(slack):
    slack.script.append(RATE_LIMITED)
    channel = SlackChannel(SecretStore())
    assert failure(channel.send, BREACH).retry_after == 1.0
    channel.send(BREACH)
    assert len(slack.bodies) == 2 and slack.bodies[0] == slack.bodies[1]


def test_unreachable_or_missing_webhooks_are_clear(monkeypatch):
    port = free_port()  # nothing listens there
    monkeypatch.setenv("SLAAPP_SECRET_SLACK_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook/SECRET")
    error = failure(SlackChannel(SecretStore(), timeout=5).send, BREACH)
    assert error.retryable and "Slack: cannot reach 127.0.0.1" in str(error)
    assert "SECRET" not in str(error)
    monkeypatch.setenv("SLAAPP_SECRET_SLACK_WEBHOOK_URL", "hooks.slack.com/services/SECRET")
    error = failure(SlackChannel(SecretStore()).send, BREACH)
    assert not error.retryable and "not an http(s) URL" in str(error) and "SECRET" not in str(error)
    monkeypatch.setenv("SLAAPP_SECRET_WEBHOOK_URL", "")
    monkeypatch.setattr(
        SecretStore, "get", lambda self, name, endpoint=None: None
    )  # nothing in the keyring
    error = failure(WebhookChannel(SecretStore(), title="the SMS gateway").send, BREACH)
    assert not error.retryable
    assert str(error) == (
        "the SMS gateway: no URL stored yet; save it in the keyring as 'webhook_url' "
        "(or set SLAAPP_SECRET_WEBHOOK_URL)"
    )


@pytest.fixture
def webhook(monkeypatch):
    with fake_slack() as fake:
        monkeypatch.setenv("SLAAPP_SECRET_WEBHOOK_URL", fake.url)
        monkeypatch.setenv("SLAAPP_SECRET_WEBHOOK_TOKEN", "tok-123")
        yield fake


def test_generic_webhook_posts_the_documented_json_with_the_bearer_token(webhook):
    WebhookChannel(SecretStore(), title="the ticketing tool").send(BREACH)
    (body,) = webhook.bodies
    assert webhook.headers[0]["Authorization"] == "Bearer tok-123"
    assert webhook.headers[0]["Content-Type"] == "application/json"
    assert body == {
        "format": WEBHOOK_FORMAT,
        "alert_ids": [41, 42],
        "severity": "breach",
        "recipient": {
            "key": "marcus.hill",
            "name": "Marcus Hill",
            "address": "marcus.hill@northwind.example",
        },
        "title": BREACH.title,
        "lines": list(BREACH.lines),
        "text": body["text"],
        "link": "https://crm.example/contacts/9001",
        "record_id": 9001,
    }
    assert body["text"].startswith(f"{BREACH.title}\nSLA breach · to Marcus Hill\n")
    assert "Open the record: https://crm.example/contacts/9001" in body["text"]


@pytest.mark.parametrize(
    ("reply", "retryable", "words"),
    [
        (UNAUTHORIZED, False, "(401 missing bearer token): check the bearer token"),
        (ARCHIVED, False, "(410 channel_is_archived): check the webhook URL"),
        (RATE_LIMITED, True, "(429 rate_limited); will retry in 1 s"),
        (ROLLUP_ERROR, True, "(500 rollup_error); will retry"),
    ],
)
def test_generic_webhook_failures(webhook, reply, retryable, words):
    webhook.script.append(reply)
    error = failure(WebhookChannel(SecretStore(), title="the ticketing tool").send, BREACH)
    assert words in str(error) and str(error).startswith("the ticketing tool")
    assert error.retryable is retryable
    assert "tok-123" not in str(error) and "XXXXSECRETXXXX" not in str(error)


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds("30") == 30.0
    assert retry_after_seconds("Wed, 21 Oct 2026 07:28:30 GMT", now=1792567680.0) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
