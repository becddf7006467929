"""The weekly scorecard goes out once when due, over real SMTP, and is retried when it fails."""

from __future__ import annotations

import re

import keyring
import pytest
from keyring.backends import fail

from slaapp.engine.instants import parse_instant
from slaapp.infra.secrets import SecretStore
from slaapp.models.ingest import ingest_log
from slaapp.notify.email import SmtpSettings
from slaapp.reports.schedule import WeeklySchedule
from slaapp.services.scorecard_delivery import (
    DeliveryError,
    load_schedule,
    mail_workbook,
    run_schedule_if_due,
    save_schedule,
    save_smtp_settings,
)

from .smtp_server import PASSWORD, USER, smtp_server
from .test_store import NOW, SAMPLE, published

MONDAY_9 = parse_instant("2026-11-30T09:00:00-05:00")


@pytest.fixture
def filled(database):
    published(database)
    with database.session() as session:
        ingest_log(session, SAMPLE, source="csv", now=NOW)
    return database


def test_schedule_sends_once_when_due_and_retries_after_a_failure(filled, tmp_path, monkeypatch):
    schedule = WeeklySchedule(
        0,
        "08:00",
        "America/New_York",
        ("vp@acme.test",),
        None,
        str(tmp_path),
        True,
        MONDAY_9 - 7 * 86400,
    )
    save_schedule(filled, schedule, NOW)
    with smtp_server(tmp_path) as (mailbox, port, ca_file):
        save_smtp_settings(
            filled, SmtpSettings("127.0.0.1", port, USER, USER, True, str(ca_file)), NOW
        )
        monkeypatch.setenv("SLAAPP_SECRET_SMTP_PASSWORD", "wrong")
        with pytest.raises(DeliveryError, match="refused the login"):
            run_schedule_if_due(filled, MONDAY_9)
        assert load_schedule(filled).last_sent == MONDAY_9 - 7 * 86400  # not marked sent: retried
        monkeypatch.setenv("SLAAPP_SECRET_SMTP_PASSWORD", PASSWORD)
        run = run_schedule_if_due(filled, MONDAY_9 + 60)
        assert run is not None and run.recipients == ("vp@acme.test",)
        assert (
            run.export.path == tmp_path / "slaapp-scorecard-2026-11-23.xlsx"
            and run.export.path.exists()
        )
        assert len(mailbox.received) == 1
        assert run_schedule_if_due(filled, MONDAY_9 + 120) is None
        assert len(mailbox.received) == 1
    assert load_schedule(filled).last_sent == MONDAY_9 + 60


def test_mail_without_settings_or_keyring_says_what_to_do(filled, tmp_path, monkeypatch, request):
    workbook = tmp_path / "x.xlsx"
    workbook.write_bytes(b"PK")
    with pytest.raises(DeliveryError, match="no SMTP settings yet"):
        mail_workbook(filled, workbook, ["vp@acme.test"], "s", "b")
    save_smtp_settings(filled, SmtpSettings("127.0.0.1", 1, USER, USER), NOW)
    monkeypatch.delenv("SLAAPP_SECRET_SMTP_PASSWORD", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # a machine without any keyring backend
    request.addfinalizer(lambda: keyring.set_keyring(previous))
    with pytest.raises(DeliveryError, match="SLAAPP_SECRET_SMTP_PASSWORD"):
        mail_workbook(filled, workbook, ["vp@acme.test"], "s", "b", SecretStore())
    monkeypatch.setenv("SLAAPP_SECRET_SMTP_PASSWORD", "x")
    with pytest.raises(DeliveryError, match=re.escape("cannot reach the mail server 127.0.0.1:1")):
        mail_workbook(filled, workbook, ["vp@acme.test"], "s", "b")
