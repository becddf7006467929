"""`slaapp settings channels` and `slaapp settings alerts` on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json

import keyring
import pytest
from keyring.backends import fail
from sqlalchemy import select

from slaapp.cli import main
from slaapp.models.alerts_settings import load_alert_settings
from slaapp.models.database import Database
from slaapp.models.tables import Base, Setting
from slaapp.notify.channels import load_channel_settings

SLACK_URL = "https://hooks.slack.com/services/T1/B2/cli-slack-secret"
HOOK_URL = "https://gateway.acme.test/cli-hook-secret"
TOKEN = "cli-token-secret"


def run(capsys, monkeypatch, url: str, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["settings", *args, "--db", url])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def stored_keys(database: Database) -> list[str]:
    with database.session() as session:
        return sorted(session.scalars(select(Setting.key)))


def test_channels_turn_on_with_secrets_from_stdin_kept_out_of_the_database(
    capsys, monkeypatch, database, db_url, memory_keyring
):
    code, out, err = run(
        capsys, monkeypatch, db_url, "channels", "--slack", "on", "--slack-webhook-stdin",
        "--webhook", "on", "--webhook-url-stdin", "--webhook-token-stdin", "--desktop", "off",
        "--webhook-title", "the SMS gateway", "--format", "json",
        stdin=f"{SLACK_URL}\n{HOOK_URL}\n{TOKEN}\n",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert (data["desktop"], data["email"], data["slack"], data["webhook"]) == (
        False,
        False,  # off until a mail server is set up
        True,
        True,
    )
    assert data["webhook_title"] == "the SMS gateway" and data["smtp"] is None
    assert data["secrets"] == {
        "smtp_password": "missing", "slack_webhook_url": "stored", "teams_webhook_url": "missing",
        "webhook_url": "stored", "webhook_token": "stored", "twilio_account_sid": "missing",
        "twilio_auth_token": "missing",
    }  # fmt: skip
    assert memory_keyring.store[("slaapp", "slack_webhook_url")] == SLACK_URL
    assert memory_keyring.store[("slaapp", "webhook_token")] == TOKEN
    config, _ = load_channel_settings(database)
    assert config.slack and config.webhook and not config.desktop
    with database.session() as session:
        dump = repr([list(session.execute(select(t))) for t in Base.metadata.sorted_tables])
    for secret in (SLACK_URL, HOOK_URL, TOKEN):
        assert secret not in dump and secret not in out

    code, out, _ = run(capsys, monkeypatch, db_url, "channels", "--slack", "off")
    assert code == 0
    assert out.splitlines()[2].split() == ["slack", "off", "webhook", "URL", "in", "the", "keyring"]
    assert not load_channel_settings(database)[0].slack


def test_channel_errors_name_the_option_and_store_nothing(
    capsys, monkeypatch, database, db_url, memory_keyring
):
    for args, stdin, expected in (
        (("--slack", "on"), "", "--slack-webhook-stdin: The Slack webhook URL is needed"),
        (("--webhook", "on", "--webhook-url-stdin"), "ftp://x.test/hook\n", "--webhook-url-stdin: The webhook URL must be a full http(s)"),
        (("--webhook-token-stdin",), "two words\n", "--webhook-token-stdin: The token must not contain spaces"),
        (("--slack-webhook-stdin",), "", "--slack-webhook-stdin: standard input had no line"),
        (("--webhook-title", " "), "", "--webhook-title: Give the webhook a name"),
    ):  # fmt: skip
        code, out, err = run(capsys, monkeypatch, db_url, "channels", *args, stdin=stdin)
        assert code == 2 and out == "", args
        assert expected in err, err
        assert "ftp://x.test" not in err  # a secret is never echoed
    assert stored_keys(database) == [] and memory_keyring.store == {}


def test_without_a_keyring_the_channel_is_saved_and_the_secret_explained(
    capsys, monkeypatch, database, db_url
):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        code, out, err = run(
            capsys, monkeypatch, db_url, "channels", "--slack", "on", "--slack-webhook-stdin",
            stdin=SLACK_URL + "\n",
        )  # fmt: skip
    finally:
        keyring.set_keyring(previous)
    assert code == 0
    assert "set SLAAPP_SECRET_SLACK_WEBHOOK_URL" in err
    assert "webhook URL unreadable (no keyring)" in out and SLACK_URL not in out + err
    assert load_channel_settings(database)[0].slack


def test_alerts_policy_changes_only_what_is_given(capsys, monkeypatch, database, db_url):
    code, out, err = run(
        capsys, monkeypatch, db_url, "alerts", "--quiet-hours", "off", "--critical-bypass", "off",
        "--digest-hours", "2", "--reassign", "automatic", "--rate-limit", "slack=5",
        "--rate-limit", "email=0", "--remind-every-minutes", "0", "--max-reminders", "4",
        "--pattern-breaches", "3", "--pattern-window-hours", "72", "--team-breach-rate", "25",
        "--team-min-clocks", "6", "--warning-channels", "desktop,slack",
        "--warning-notify", "owner,manager", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["reassign_policy"] == "auto"
    with database.session() as session:
        stored = load_alert_settings(session)
    assert (stored.quiet_hours, stored.business_hours_only, stored.critical_bypass) == (
        False,
        True,
        False,
    )
    assert (stored.digest_every_minutes, stored.remind_every_minutes, stored.max_reminders) == (
        120,
        0,
        4,
    )
    assert stored.rate_limit_per_hour == {"desktop": 60, "email": 0, "slack": 5, "webhook": 60}
    assert (stored.pattern_breaches, stored.pattern_window_hours) == (3, 72)
    assert (stored.team_breach_rate, stored.team_min_clocks) == (0.25, 6)
    assert stored.warning_channels == ("desktop", "slack")
    assert stored.warning_notify == ("owner", "manager")

    code, out, _ = run(capsys, monkeypatch, db_url, "alerts", "--business-hours-only", "off")
    assert code == 0
    lines = {line[:20].strip(): line[20:].split() for line in out.splitlines()}
    assert lines["quiet hours"][0] == "off" and lines["business hours only"][0] == "off"
    assert lines["digest"][:3] == ["every", "120", "min"]
    assert lines["reminders"][0] == "never" and lines["reassignment"][0] == "automatic"
    assert lines["rate limits"][:6] == [
        "desktop",
        "60/h,",
        "email",
        "unlimited/h,",
        "slack",
        "5/h,",
    ]


def test_bad_alert_options_are_refused_and_nothing_is_stored(capsys, monkeypatch, database, db_url):
    for args, expected in (
        (("--digest-minutes", "0"), "--digest-minutes/--digest-hours: the digest needs at least 1 minute"),
        (("--max-attempts", "0"), "--max-attempts: expected a whole number >= 1, got 0"),
        (("--team-breach-rate", "120"), "--team-breach-rate: expected a percentage 0-100, got 120"),
        (("--rate-limit", "pager=5"), "--rate-limit pager=5: expected CHANNEL=N"),
        (("--rate-limit", "slack=many"), "--rate-limit slack=many: expected CHANNEL=N"),
        (("--warning-channels", "desktop,pager"), "--warning-channels: pager is not one of"),
    ):  # fmt: skip
        code, out, err = run(capsys, monkeypatch, db_url, "alerts", *args)
        assert code == 2 and out == "", args
        assert expected in err, err
    assert stored_keys(database) == []
    with pytest.raises(SystemExit) as exited:
        run(capsys, monkeypatch, db_url, "alerts", "--reassign", "sometimes")
    assert exited.value.code == 2 and "invalid choice: 'sometimes'" in capsys.readouterr().err
