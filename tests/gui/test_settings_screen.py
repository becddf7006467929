"""The Settings screen driven through its widgets: round trips, refusals, real test messages, keyring."""

from __future__ import annotations

import keyring
from keyring.backends import fail
from sqlalchemy import select

from slaapp.models.alerts_settings import AlertSettings
from slaapp.models.settings import ALERTS, RECORD_URL, get_setting
from slaapp.models.tables import Base, Setting
from slaapp.notify.channels import channel_names, load_channel_settings
from slaapp.views.settings.channels import channel_section
from slaapp.views.settings.screen import SettingsScreen

from ..integration.fake_slack import ARCHIVED, fake_slack
from ..integration.pager_channel import PAGER
from ..integration.smtp_server import PASSWORD, USER, smtp_server

SLACK_URL = "https://hooks.slack.com/services/T1/B2/slack-secret-123"
HOOK_URL = "https://gateway.acme.test/alerts/hook-secret-456"
TOKEN = "bearer-secret-789"
SMTP_PASSWORD = "mail-secret-000"


def open_screen(qtbot, database, jobs) -> SettingsScreen:
    widget = SettingsScreen(database, jobs, clock=lambda: 1_800_000_000)
    qtbot.addWidget(widget)
    widget.refresh()
    qtbot.waitUntil(lambda: widget.save_button.isEnabled())
    return widget


def save(qtbot, screen: SettingsScreen) -> None:
    screen.save_button.click()
    qtbot.waitUntil(lambda: not screen._busy)


def every_stored_text(database) -> str:
    """Every row of every table as text, to prove where secrets are not."""
    with database.session() as session:
        rows = [
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in session.execute(select(table))
        ]
    return "\n".join(rows)


def test_every_section_round_trips_and_secrets_stay_in_the_keyring(
    qtbot, database, jobs, memory_keyring, tmp_path
):
    ca = tmp_path / "ca.pem"
    ca.write_text("not checked until a test email")
    screen = open_screen(qtbot, database, jobs)
    assert not screen.dirty() and screen.keyring_banner.isHidden()
    screen.email.host.setText("smtp.acme.test")
    screen.email.port.setValue(2525)
    screen.email.user.setText("alerts@acme.test")
    screen.email.password.setText(SMTP_PASSWORD)
    screen.email.sender.setText("SLA desk <sla@acme.test>")
    screen.email.starttls.setChecked(False)
    screen.email.ca_file.setText(str(ca))
    screen.slack.enabled.setChecked(True)
    screen.slack.url.setText(SLACK_URL)
    screen.webhook.enabled.setChecked(True)
    screen.webhook.title.setText("the SMS gateway")
    screen.webhook.url.setText(HOOK_URL)
    screen.webhook.token.setText(TOKEN)
    screen.desktop.enabled.setChecked(False)
    policy = screen.policy
    policy.quiet.setChecked(False)
    policy.bypass.setChecked(False)
    policy.digest.setValue(60)
    policy.remind.setValue(30)
    policy.max_reminders.setValue(5)
    policy.limits["slack"].setValue(7)
    policy.warning_boxes["slack"].setChecked(True)
    policy.pattern.setValue(3)
    policy.window.setValue(72)
    policy.team_rate.setValue(25)
    policy.team_min.setValue(4)
    policy.reassign.setCurrentIndex(policy.reassign.findData("auto"))
    screen.links.new_source.setText("hubspot")
    screen.links.new_template.setText("https://app.hubspot.com/contacts/42/record/{external_id}")
    assert screen.dirty()
    with qtbot.waitSignal(screen.data_changed):
        save(qtbot, screen)
    assert "Settings saved" in screen.status.text()
    assert list(screen.links.templates) == ["hubspot"] and not screen.dirty()
    screen.links.templates["hubspot"].setText("https://changed.test/{external_id}")
    screen.revert_button.click()  # reload: the source rows are rebuilt
    qtbot.waitUntil(lambda: not screen._busy)
    assert screen.links.templates["hubspot"].text().startswith("https://app.hubspot.com/")
    assert screen.links.form.rowCount() == 3  # empty-state note, hubspot, another source

    channels, smtp = load_channel_settings(database)
    assert (channels.desktop, channels.email, channels.slack, channels.webhook) == (
        False, True, True, True,
    )  # fmt: skip
    assert channels.webhook_title == "the SMS gateway"
    assert smtp is not None and (smtp.host, smtp.port, smtp.username, smtp.starttls) == (
        "smtp.acme.test", 2525, "alerts@acme.test", False,
    )  # fmt: skip
    with database.session() as session:
        alerts = AlertSettings.from_dict(get_setting(session, ALERTS) or {})
        links = get_setting(session, RECORD_URL)
    assert (alerts.quiet_hours, alerts.business_hours_only, alerts.critical_bypass) == (
        False, True, False,
    )  # fmt: skip
    assert (alerts.digest_every_minutes, alerts.remind_every_minutes, alerts.max_reminders) == (
        60, 30, 5,
    )  # fmt: skip
    assert alerts.rate_limit_per_hour["slack"] == 7 and alerts.rate_limit_per_hour["email"] == 30
    assert alerts.warning_channels == ("desktop", "email", "slack")
    assert (alerts.pattern_breaches, alerts.pattern_window_hours) == (3, 72)
    assert (alerts.team_breach_rate, alerts.team_min_clocks, alerts.reassign_policy) == (
        0.25, 4, "auto",
    )  # fmt: skip
    assert links == {"hubspot": "https://app.hubspot.com/contacts/42/record/{external_id}"}

    stored = memory_keyring.store
    assert stored[("slaapp", "slack_webhook_url")] == SLACK_URL
    assert stored[("slaapp", "webhook_url")] == HOOK_URL
    assert stored[("slaapp", "webhook_token")] == TOKEN
    assert stored[("slaapp", "smtp_password")] == SMTP_PASSWORD
    text = every_stored_text(database)
    assert "smtp.acme.test" in text  # the dump really holds the settings
    for secret in (SLACK_URL, HOOK_URL, TOKEN, SMTP_PASSWORD, "slack-secret", "hook-secret"):
        assert secret not in text

    # A fresh screen shows what was stored; secret fields stay empty and say where they are.
    again = open_screen(qtbot, database, jobs)
    assert again.email.host.text() == "smtp.acme.test" and again.email.port.value() == 2525
    assert again.email.sender.text() == "SLA desk <sla@acme.test>"
    assert not again.email.starttls.isChecked() and again.email.ca_file.text() == str(ca)
    assert again.slack.enabled.isChecked() and again.slack.url.text() == ""
    assert "keyring" in again.slack.url.placeholderText()
    assert again.webhook.title.text() == "the SMS gateway" and not again.desktop.enabled.isChecked()
    assert again.policy.settings() == alerts
    assert again.links.templates["hubspot"].text().endswith("/{external_id}")
    assert not again.dirty()


def test_invalid_fields_are_named_and_nothing_is_stored(qtbot, database, jobs, memory_keyring):
    screen = open_screen(qtbot, database, jobs)
    screen.email.host.setText("smtp://mail.acme.test")
    screen.email.sender.setText("not-an-address")
    screen.email.ca_file.setText("/nowhere/ca.pem")
    screen.slack.enabled.setChecked(True)  # no URL typed or stored
    screen.webhook.url.setText("ftp://gateway.acme.test/hook")
    screen.webhook.token.setText("two words")
    screen.links.new_source.setText("hubspot")
    screen.links.new_template.setText("https://app.hubspot.com/contacts/42/record/")
    screen.policy.digest.setValue(30)
    save(qtbot, screen)

    def error(section, key: str) -> str:
        label = section.errors[key]
        assert not label.isHidden(), key
        return label.text()

    assert "host name only" in error(screen.email, "smtp.host")
    assert "not-an-address" in error(screen.email, "smtp.sender")
    assert "/nowhere/ca.pem" in error(screen.email, "smtp.ca_file")
    assert "needed to turn this channel on" in error(screen.slack, "slack.url")
    assert "http(s)" in error(screen.webhook, "webhook.url")
    assert "spaces" in error(screen.webhook, "webhook.token")
    assert "{external_id}" in error(screen.links, "record_url.new")
    assert screen.email.errors["smtp.port"].isHidden()
    assert screen.status.text().startswith("Nothing was saved: 7 fields need attention")
    with database.session() as session:
        assert session.scalars(select(Setting.key)).all() == []
    assert memory_keyring.store == {}

    # Fixing the fields clears their messages and saves.
    screen.email.host.setText("mail.acme.test")
    screen.email.sender.setText("sla@acme.test")
    screen.email.ca_file.clear()
    screen.slack.enabled.setChecked(False)
    screen.webhook.url.setText("https://gateway.acme.test/hook")
    screen.webhook.token.setText("token")
    screen.links.new_template.setText("https://app.hubspot.com/contacts/42/record/{external_id}")
    save(qtbot, screen)
    assert all(label.isHidden() for s in screen.sections for label in s.errors.values())
    with database.session() as session:
        assert (
            AlertSettings.from_dict(get_setting(session, ALERTS) or {}).digest_every_minutes == 30
        )


def test_test_email_goes_through_a_real_starttls_server(
    qtbot, database, jobs, memory_keyring, tmp_path
):
    screen = open_screen(qtbot, database, jobs)
    with smtp_server(tmp_path) as (mailbox, port, ca_file):
        screen.email.host.setText("127.0.0.1")
        screen.email.port.setValue(port)
        screen.email.user.setText(USER)
        screen.email.password.setText("wrong")
        screen.email.ca_file.setText(str(ca_file))
        screen.email.test_address.setText("manager@acme.test")
        screen.email.test_button.click()
        qtbot.waitUntil(lambda: not screen._busy)
        assert "refused the login" in screen.email.errors["test.address"].text()
        assert mailbox.received == []

        screen.email.password.setText(PASSWORD)  # typed, not saved yet: the test uses it
        with qtbot.waitSignal(screen.message) as said:
            screen.email.test_button.click()
        qtbot.waitUntil(lambda: not screen._busy)
    assert said.args[0] == f"Test email sent to manager@acme.test through 127.0.0.1:{port}."
    assert screen.email.errors["test.address"].isHidden()
    assert screen.email.hints["test.address"].text().startswith("✓ Test email sent")
    [(sender, recipients, raw)] = mailbox.received
    assert sender == USER and recipients == ["manager@acme.test"]
    assert b"Test message for the email channel" in raw
    assert memory_keyring.store == {}  # testing stores nothing
    with database.session() as session:
        assert session.scalars(select(Setting.key)).all() == []


def test_test_slack_and_webhook_messages_reach_the_servers(qtbot, database, jobs, memory_keyring):
    screen = open_screen(qtbot, database, jobs)
    with fake_slack() as slack, fake_slack() as hook:
        slack.script.append(ARCHIVED)
        screen.slack.url.setText(slack.url)
        screen.slack.test_button.click()
        qtbot.waitUntil(lambda: not screen._busy)
        assert "archived" in screen.slack.errors["slack.url"].text()
        screen.slack.test_button.click()
        qtbot.waitUntil(lambda: not screen._busy)
        assert (
            screen.slack.hints["slack.url"].text()
            == "✓ Test message accepted by Slack (127.0.0.1)."
        )
        screen.webhook.title.setText("the SMS gateway")
        screen.webhook.url.setText(hook.url)
        screen.webhook.token.setText(TOKEN)
        screen.webhook.test_button.click()
        qtbot.waitUntil(lambda: not screen._busy)
    assert len(slack.bodies) == 2
    assert "Test message for the slack channel" in str(slack.bodies[-1])
    assert len(hook.bodies) == 1 and hook.headers[0]["Authorization"] == f"Bearer {TOKEN}"
    assert "accepted by the SMS gateway" in screen.webhook.hints["webhook.token"].text()


def test_without_a_keyring_the_screen_says_so_and_keeps_secrets_for_the_session(
    qtbot, database, jobs, monkeypatch
):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        screen = open_screen(qtbot, database, jobs)
        assert not screen.keyring_banner.isHidden()
        assert "SLAAPP_SECRET_SLACK_WEBHOOK_URL" in screen.keyring_banner.text()
        assert "until you quit" in screen.slack.hints["slack.url"].text()
        screen.slack.enabled.setChecked(True)
        screen.slack.url.setText(SLACK_URL)
        save(qtbot, screen)
        assert "kept only until you quit" in screen.status.text()
        assert screen.slack.url.placeholderText() == "•••••• kept until you quit"
        assert SLACK_URL not in every_stored_text(database)
        assert screen.secrets.get("slack_webhook_url") == SLACK_URL

        monkeypatch.setenv("SLAAPP_SECRET_WEBHOOK_URL", HOOK_URL)
        screen.refresh()
        qtbot.waitUntil(lambda: not screen._busy)
        assert "SLAAPP_SECRET_WEBHOOK_URL" in screen.webhook.hints["webhook.url"].text()
    finally:
        keyring.set_keyring(previous)


def test_refresh_keeps_unsaved_edits_and_revert_drops_them(qtbot, database, jobs, memory_keyring):
    screen = open_screen(qtbot, database, jobs)
    screen.policy.remind.setValue(0)
    assert screen.policy.remind.text() == "never"
    screen.refresh()
    assert "unsaved changes" in screen.status.text() and screen.policy.remind.value() == 0
    screen.revert_button.click()
    qtbot.waitUntil(lambda: not screen._busy)
    assert screen.policy.remind.value() == 120 and not screen.dirty()


def test_each_channel_kind_gets_its_section_from_its_descriptor(
    qtbot, database, jobs, memory_keyring
):
    screen = open_screen(qtbot, database, jobs)
    assert tuple(screen.channels) == channel_names()
    assert screen.desktop.test_button is None and screen.slack.test_field == "slack.url"
    tested: list[str] = []
    section = channel_section(PAGER, tested.append)  # a kind the registry does not list
    qtbot.addWidget(section)
    assert section.title() == "Pager" and section.enabled.text() == "Page the on-call person"
    assert section.test_field == "pager.url" and "pager.url" in section.errors
    section.enabled.setChecked(True)
    section.url.setText("https://pager.acme.test/hook")
    assert section.channel_values() == {"pager": True}
    assert section.typed_secrets() == {"pager_url": "https://pager.acme.test/hook"}
    section.test_button.click()
    assert tested == ["pager"]
