"""Credentials only over https (or to this machine), and Slack text that cannot ping a channel."""

from __future__ import annotations

import pytest

from slaapp.infra.secrets import SecretStore
from slaapp.notify.channel import ChannelError, Notice
from slaapp.notify.render import slack_payload
from slaapp.notify.webhook import TOKEN_SECRET, URL_SECRET, WebhookChannel

NOTICE = Notice((1,), "breach", "ann", "Ann", None, "Breached: <!channel> & <https://x|y>", ())


def test_a_bearer_token_is_never_sent_over_plain_http_to_another_host(monkeypatch) -> None:
    monkeypatch.setenv("SLAAPP_SECRET_WEBHOOK_URL", "http://hooks.example.invalid/sms")
    monkeypatch.setenv("SLAAPP_SECRET_WEBHOOK_TOKEN", "t0ken")
    channel = WebhookChannel(SecretStore(), 1.0, "the SMS gateway")
    with pytest.raises(ChannelError) as failed:
        channel.send(NOTICE)
    assert not failed.value.retryable
    assert str(failed.value) == (
        "the SMS gateway: the bearer token is only sent over https (or to this machine); "
        "change the webhook URL of hooks.example.invalid to https"
    )
    assert URL_SECRET != TOKEN_SECRET


def test_slack_text_escapes_the_control_characters_of_crm_data() -> None:
    payload = slack_payload(NOTICE)
    assert payload["text"] == "Breached: &lt;!channel&gt; &amp; &lt;https://x|y&gt; (to Ann)"
    assert "<!channel>" not in str(payload)


def test_the_smtp_password_never_travels_unencrypted_to_another_host() -> None:
    from slaapp.notify.email import EmailError, SmtpSettings, message, send

    settings = SmtpSettings("mail.example.invalid", 25, "ops", "ops@acme.test", starttls=False)
    mail = message(settings, ["vp@acme.test"], "s", "b")
    with pytest.raises(
        EmailError, match=r"refusing to send the SMTP password to mail\.example\.invalid"
    ):
        send(settings, "secret", mail)


def test_a_link_written_in_crm_data_is_not_a_link_in_a_teams_card() -> None:
    from slaapp.notify.render import teams_card

    notice = Notice(
        (1,), "breach", "ann", "Ann", None, "Breached: [Pay here](https://evil.example)", ()
    )
    text = str(teams_card(notice))
    assert "[Pay here] (https://evil.example)" in text and "](https://evil" not in text
