"""Alert mail through a real SMTP server (STARTTLS + login), and channels built from stored settings."""

from __future__ import annotations

import email
import email.policy

import pytest

from slaapp.infra.secrets import SecretStore
from slaapp.models.settings import SMTP, put_setting
from slaapp.notify.channel import Notice
from slaapp.notify.channels import (
    ChannelSettings,
    build_channels,
    load_channel_settings,
    save_channel_settings,
    send_test,
)
from slaapp.notify.email import SmtpSettings
from slaapp.notify.email_channel import EmailChannel

from .fake_slack import ARCHIVED, fake_slack
from .smtp_server import PASSWORD, USER, free_port, smtp_server
from .test_channel_http import BREACH, failure

NOW = 1_795_000_000
DIGEST = Notice(
    alert_ids=(7, 8, 9),
    severity="digest",
    recipient_key="ben.carter",
    recipient_name="Ben Carter",
    address="ben.carter@northwind.example",
    title="3 SLA alerts for Ben Carter",
    lines=(
        "• Due soon: MQL to first contact for Harbor & Vine Co. (Ben Carter)",
        "• Due soon: MQL to first contact for Quartz Ridge LLC (Ben Carter) · https://crm.example/c/2",
        "• Breached: MQL to first contact for Alder Analytics (Ben Carter)",
    ),
)


def _parts(raw: bytes) -> tuple[email.message.EmailMessage, str, str]:
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    return mail, text, html


@pytest.fixture(scope="module")
def smtp(tmp_path_factory):
    """One server (and one self-signed certificate) for the module."""
    with smtp_server(tmp_path_factory.mktemp("smtp")) as (mailbox, port, ca_file):
        yield mailbox, SmtpSettings("127.0.0.1", port, USER, USER, True, str(ca_file))


@pytest.fixture
def server(smtp, monkeypatch):
    monkeypatch.setenv("SLAAPP_SECRET_SMTP_PASSWORD", PASSWORD)
    smtp[0].received.clear()
    return smtp


def test_an_escalation_mail_has_text_and_html_bodies(server):
    mailbox, settings = server
    EmailChannel(settings, SecretStore()).send(BREACH)
    ((sender, recipients, raw),) = mailbox.received
    assert sender == USER and recipients == ["marcus.hill@northwind.example"]
    mail, text, html = _parts(raw)
    assert mail["Subject"].strip() == f"[SLA] {BREACH.title}"  # folded: it is long
    assert "Late by: 1 h 20 min of business time" in text.splitlines()
    assert "Open the record: https://crm.example/contacts/9001" in text
    assert "Bluepeak Logistics &lt;Inc.&gt; &amp; Co." in html  # escaped, never raw markup
    assert ">1 h 20 min of business time</td>" in html
    assert 'href="https://crm.example/contacts/9001"' in html


def test_a_digest_renders_as_a_list(server):
    mailbox, settings = server
    EmailChannel(settings, SecretStore()).send(DIGEST)
    _, text, html = _parts(mailbox.received[0][2])
    assert "  - Due soon: MQL to first contact for Harbor & Vine Co. (Ben Carter)" in text
    assert html.count("<li ") == 3 and "Harbor &amp; Vine Co." in html and "•" not in html


def test_mail_failures_are_retryable_only_when_waiting_helps(server, monkeypatch):
    mailbox, settings = server
    monkeypatch.setenv("SLAAPP_SECRET_SMTP_PASSWORD", "wrong")
    error = failure(EmailChannel(settings, SecretStore()).send, BREACH)
    assert not error.retryable and "refused the login" in str(error) and "wrong" not in str(error)
    down = SmtpSettings("127.0.0.1", free_port(), USER, USER, True, settings.ca_file, timeout=5)
    error = failure(EmailChannel(down, SecretStore()).send, BREACH)
    assert error.retryable and "cannot reach the mail server" in str(error)
    nowhere = Notice((1,), "breach", "x", "Xavier", None, "t", ("l",))
    error = failure(EmailChannel(settings, SecretStore()).send, nowhere)
    assert not error.retryable and "Xavier (x) has no email address" in str(error)
    error = failure(EmailChannel(None, SecretStore()).send, BREACH)
    assert not error.retryable and "no SMTP settings yet" in str(error)
    assert mailbox.received == []


def test_settings_choose_the_channels_and_each_can_send_a_test(database, server, monkeypatch):
    mailbox, smtp = server
    config, stored_smtp = load_channel_settings(database)
    assert config == ChannelSettings() and stored_smtp is None
    # email is off until a mail server is set up; desktop comes from the views
    assert sorted(build_channels(database, SecretStore())) == []
    with database.session() as session:
        put_setting(session, SMTP, smtp.to_dict(), NOW)
    save_channel_settings(
        database,
        ChannelSettings(email=True, slack=True, webhook=True, webhook_title="the SMS gateway"),
        NOW,
    )
    with fake_slack() as fake:
        monkeypatch.setenv("SLAAPP_SECRET_SLACK_WEBHOOK_URL", fake.url)
        monkeypatch.setenv("SLAAPP_SECRET_WEBHOOK_URL", fake.url + "/sms")
        channels = build_channels(database, SecretStore())
        assert sorted(channels) == ["email", "slack", "webhook"]
        send_test(channels["email"], "Grace Okafor", "grace.okafor@northwind.example")
        send_test(channels["slack"], "Grace Okafor")
        fake.script.append(ARCHIVED)
        error = failure(send_test, channels["webhook"], "Grace Okafor")
    assert str(error).startswith("the SMS gateway refused the message (410")
    assert "Test message for the slack channel" in fake.bodies[0]["text"]
    assert fake.bodies[1]["title"] == "Test message for the webhook channel"
    assert mailbox.received[0][1] == ["grace.okafor@northwind.example"]
    assert ChannelSettings.from_dict({"slack": True, "retired_option": 1}) == ChannelSettings(
        slack=True
    )
