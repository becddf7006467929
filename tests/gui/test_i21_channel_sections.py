"""The SMS and Teams descriptors give Settings sections with a test button, and real test messages.

They are added to the registry here as its one line will add them (see the report of issue 21).
"""

from __future__ import annotations

import pytest

from slaapp.infra.secrets import SecretStore
from slaapp.models.alerts_settings import AlertSettings
from slaapp.notify import channels
from slaapp.notify.channels import ChannelSettings
from slaapp.notify.email import SmtpSettings
from slaapp.notify.probe import ProbeError, send_probe
from slaapp.notify.settings_form import SettingsForm
from slaapp.notify.sms import SMS
from slaapp.notify.teams import TEAMS
from slaapp.views.settings.channels import channel_section

from ..integration.fake_teams import fake_teams
from ..integration.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, fake_twilio


@pytest.fixture
def registered(monkeypatch):
    if "sms" not in channels.channel_names():  # until the registry line is in channels.py
        monkeypatch.setattr(channels, "CHANNEL_KINDS", (*channels.CHANNEL_KINDS, TEAMS, SMS))


def _form(config: ChannelSettings, **secrets: str) -> SettingsForm:
    return SettingsForm(SmtpSettings(""), config, AlertSettings(), secrets=tuple(secrets.items()))


def test_the_sms_section_comes_from_its_descriptor_and_sends_a_test_sms(
    qtbot, registered, memory_keyring, monkeypatch
):
    tested: list[str] = []
    section = channel_section(SMS, tested.append)
    qtbot.addWidget(section)
    assert section.title() == "SMS" and section.enabled.text() == "Send alerts by SMS"
    assert section.test_field == "sms.auth_token"
    section.enabled.setChecked(True)
    section.sender.setText(" +1 415 555 9999 ")
    section.test_number.setText("+14155550100")
    section.account_sid.setText(ACCOUNT_SID)
    section.auth_token.setText(AUTH_TOKEN)
    values = section.channel_values()
    assert values == {"sms": True, "sms_sender": "+1 415 555 9999", "sms_test_number": "+14155550100"}  # fmt: skip
    typed = section.typed_secrets()
    assert typed == {"twilio_account_sid": ACCOUNT_SID, "twilio_auth_token": AUTH_TOKEN}
    section.test_button.click()
    assert tested == ["sms"]
    form = _form(ChannelSettings(**values), **typed)
    with fake_twilio() as twilio:
        monkeypatch.setenv("SLAAPP_TWILIO_API_BASE", twilio.base)
        words = send_probe(form, "sms", SecretStore())
    assert words == "Test SMS accepted by Twilio for +14155550100."
    (sent,) = twilio.forms
    assert (sent["To"], sent["From"]) == ("+14155550100", "+14155559999")
    assert sent["Body"] == (
        "Test message for the sms channel. This is a test from slaapp: alerts will arrive here."
    )
    no_number = _form(ChannelSettings(sms=True, sms_sender="+14155559999"), **typed)
    with pytest.raises(ProbeError, match="Enter a test number first"):
        send_probe(no_number, "sms", SecretStore())


def test_the_teams_section_comes_from_its_descriptor_and_posts_a_test_card(
    qtbot, registered, memory_keyring
):
    tested: list[str] = []
    section = channel_section(TEAMS, tested.append)
    qtbot.addWidget(section)
    assert section.title() == "Teams" and section.test_field == "teams.url"
    section.enabled.setChecked(True)
    with fake_teams() as teams:
        section.url.setText(teams.url)
        section.test_button.click()
        assert tested == ["teams"]
        form = _form(ChannelSettings(teams=True), **section.typed_secrets())
        words = send_probe(form, "teams", SecretStore())
    assert words == "Test message accepted by Teams (127.0.0.1)."
    card = teams.bodies[0]["attachments"][0]["content"]
    assert card["body"][1]["text"] == "Test message for the teams channel"


def test_the_settings_screen_shows_sms_and_teams_with_their_limits_and_opens_clean(
    qtbot, database, jobs, memory_keyring
):
    from .test_settings_screen import open_screen, save

    screen = open_screen(qtbot, database, jobs)
    assert not screen.dirty()  # a channel without a stored rate limit has none: no change
    assert [screen.channels[n].title() for n in ("teams", "sms")] == ["Teams", "SMS"]
    assert set(screen.policy.limits) >= {"teams", "sms"}
    screen.policy.limits["sms"].setValue(30)
    assert screen.dirty()
    save(qtbot, screen)
    assert screen.form().alerts.rate_limit_per_hour["sms"] == 30 and not screen.dirty()
