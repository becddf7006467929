"""The Scorecards screen never says a scorecard was sent when it was not."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from slaapp.notify.email import SmtpSettings
from slaapp.reports.schedule import WeeklySchedule
from slaapp.services.scorecard_delivery import save_schedule, save_smtp_settings
from slaapp.views.scorecards.screen import ScorecardsScreen

NOW = 1_796_000_000


def _shown(qtbot, database, jobs, tmp_path) -> str:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    screen = ScorecardsScreen(database, jobs, settings)
    qtbot.addWidget(screen)
    screen.refresh()
    qtbot.waitUntil(
        lambda: (
            "Sent every" in screen.schedule_text.text()
            or "Not set up" in screen.schedule_text.text()
        )
    )
    return screen.schedule_text.text()


def test_a_new_schedule_without_a_mail_server_says_it_cannot_be_sent(
    qtbot, database, jobs, tmp_path
):
    save_schedule(database, WeeklySchedule(recipients=("vp@acme.test",), starts_at=NOW), NOW)
    text = _shown(qtbot, database, jobs, tmp_path)
    assert text.endswith("Not sent yet: no mail server is set up (Settings > Email).")
    assert "Last sent" not in text


def test_a_sent_schedule_says_when(qtbot, database, jobs, tmp_path):
    save_smtp_settings(database, SmtpSettings("mail.acme.test", sender="sla@acme.test"), NOW)
    save_schedule(database, WeeklySchedule(recipients=("vp@acme.test",), last_sent=NOW), NOW)
    assert "Last sent " in _shown(qtbot, database, jobs, tmp_path)
